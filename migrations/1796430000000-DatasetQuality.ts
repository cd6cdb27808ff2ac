import { MigrationInterface, QueryRunner } from 'typeorm';
import { SEARCH_REFRESH_V5 } from './1795985000000-AccessLevels';

/**
 * Issue 16, metadata quality: package.derived holds what other parts compute of a dataset at write time and
 * package_show shows beside the stored dict (today `quality`, the MQA-like score DCAT's write check computes); it is
 * not part of what the client wrote. The search documents gain quality_score (the score rounded to a whole point) and
 * quality_rating, so package_search filters, sorts and facets on them; the search refresh reads them from derived.
 */
export class DatasetQuality1796430000000 implements MigrationInterface {
  name = 'DatasetQuality1796430000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "package" ADD "derived" jsonb`);
    await q.query(`ALTER TABLE search_document ADD quality_score int, ADD quality_rating text`);
    await q.query(SEARCH_REFRESH_V6);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(SEARCH_REFRESH_V5);
    await q.query(`ALTER TABLE search_document DROP COLUMN quality_score, DROP COLUMN quality_rating`);
    await q.query(`ALTER TABLE "package" DROP COLUMN "derived"`);
  }
}

/** V5 with the two quality columns, read from package.derived. */
function withQuality(v5: string): string {
  const edits: [string, string][] = [
    ['p.metadata_created, p.metadata_modified, p.extras,', `p.metadata_created, p.metadata_modified, p.extras,
                 round((p.derived->'quality'->>'score')::numeric)::int AS quality_score, p.derived->'quality'->>'rating' AS quality_rating,`],
    ['num_resources, num_tags, metadata_created, metadata_modified, extras, tsv)', 'num_resources, num_tags, metadata_created, metadata_modified, extras, quality_score, quality_rating, tsv)'],
    ['s.metadata_created, s.metadata_modified, s.extras,', 's.metadata_created, s.metadata_modified, s.extras, s.quality_score, s.quality_rating,'],
    ['extras = excluded.extras, tsv = excluded.tsv', 'extras = excluded.extras, quality_score = excluded.quality_score, quality_rating = excluded.quality_rating, tsv = excluded.tsv'],
  ];
  let sql = v5;
  for (const [from, to] of edits) {
    if (!sql.includes(from)) throw new Error(`DatasetQuality: the search refresh no longer has "${from}"`);
    sql = sql.replace(from, to);
  }
  return sql;
}

export const SEARCH_REFRESH_V6 = withQuality(SEARCH_REFRESH_V5);
