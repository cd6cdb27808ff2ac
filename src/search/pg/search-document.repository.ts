import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { SearchError } from '../../api/errors';
import { CHANGE_CHANNEL } from '../../catalog/datasets/dataset-changes';
import { notify } from '../../database/notifications';
import { preparedQuery } from '../../database/prepared';
import type { DocRow, SortKey } from '../memory/doc-store';
import { CursorTuple, SearchQuery } from '../search-backend';
import { searchField } from '../search-fields';
import { SortField } from '../search-request';
import { SqlCompiler, vocabTagSql } from './sql-compiler';

/** search_document.bbox as [west, south, east, north] (a box's point 1 is its low corner, point 0 its high one). */
export const BBOX_ARRAY = 'CASE WHEN bbox IS NOT NULL THEN ARRAY[(bbox[1])[0], (bbox[1])[1], (bbox[0])[0], (bbox[0])[1]] END AS bbox';

const DOC_COLUMNS = `id, name, title, state, capacity, access_level, shared_with, type, owner_org, organization, creator_user_id, license_id, quality_rating, tags, groups, res_format, hvd_category,
  metadata_modified, metadata_created, num_resources, num_tags, tsv::text AS tsv, ${BBOX_ARRAY}`;

/** Parameters of one statement: the condition's, then the statement's own. */
class Params {
  readonly values: unknown[];
  constructor(base: unknown[]) {
    this.values = [...base];
  }
  p(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/** PostgreSQL's analysis of one query token (see PgSearchBackend.resolveText). */
export interface TokenAnalysisRow {
  t: string;
  folded: string;
  meaningful: boolean;
  stems: string[];
  known: boolean;
  similar: string[];
  similar_stems: string[];
}

/**
 * Every query on search's own tables (search_document, search_word) and the index refresh: the SQL half of
 * package_search. The conditions come from SqlCompiler, which turns the parsed query into SQL with parameters.
 */
@Injectable()
export class SearchDocumentRepository {
  /**
   * Rebuilds a write's datasets' search documents, inside the writing transaction (catalog_search_refresh, from the
   * migrations, on generic plans: planning its statements anew cost more than running them for a few ids).
   */
  async refresh(db: EntityManager, ids: string[]): Promise<void> {
    // Prepared: every dataset write runs it.
    await preparedQuery(db, 'search-refresh', 'SELECT catalog_search_refresh_write($1::uuid[])', [ids]);
  }

  /** The columns that come from package.derived (quality_score, quality_rating; see DatasetDerived), after they changed. */
  async refreshDerived(db: EntityManager, ids: string[]): Promise<void> {
    await preparedQuery(
      db,
      'search-refresh-derived',
      `UPDATE search_document d SET quality_score = round((p.derived->'quality'->>'score')::numeric)::int, quality_rating = p.derived->'quality'->>'rating'
         FROM package p WHERE p.id = d.id AND d.id = ANY($1::uuid[])`,
      [ids],
    );
  }

  /** The same for a reindex batch of many ids, on custom plans (generic ones made a full reindex twice as slow). */
  async refreshBatch(db: EntityManager, ids: string[]): Promise<void> {
    await db.query('SELECT catalog_search_refresh($1::uuid[])', [ids]);
  }

  /** Every dataset's id, for a full rebuild. */
  async datasetIds(db: EntityManager): Promise<string[]> {
    const rows: { id: string }[] = await db.query(`SELECT id FROM package ORDER BY id`);
    return rows.map((r) => r.id);
  }

  /** After a rebuild: fresh planner statistics, and every process told to reload what it holds. */
  async afterReindex(db: EntityManager): Promise<void> {
    await db.query(`ANALYZE search_document`);
    await notify(db, CHANGE_CHANNEL, 'reindex|*');
  }

  /** Ids of documents after `afterId`, in id order. */
  async idsAfter(db: EntityManager, afterId: string, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await db.query(`SELECT id FROM search_document WHERE id > $1 ORDER BY id LIMIT $2`, [afterId, limit]);
    return rows.map((r) => r.id);
  }

  /**
   * Planned on every call: a prepared statement's generic plan, made while the catalog was small, kept reading the
   * whole table for one id until autovacuum next analysed it; planning this costs less than one such scan.
   */
  async byIds(db: EntityManager, ids: string[]): Promise<DocRow[]> {
    return db.query(`SELECT ${DOC_COLUMNS} FROM search_document WHERE id = ANY($1::uuid[])`, [ids]);
  }

  async count(db: EntityManager): Promise<number> {
    const [{ n }]: { n: number }[] = await db.query(`SELECT count(*)::int AS n FROM search_document`);
    return n;
  }

  /** The next `limit` documents by id after `afterId`, for loading the in-memory store in batches. */
  async batchAfter(db: EntityManager, afterId: string, limit: number): Promise<DocRow[]> {
    return preparedQuery<DocRow>(db, 'search-docs-batch', `SELECT ${DOC_COLUMNS} FROM search_document WHERE id > $1 ORDER BY id LIMIT $2`, [afterId, limit]);
  }

  async matchingIds(db: EntityManager, where: string, params: unknown[]): Promise<string[]> {
    const rows: { id: string }[] = await db.query(`SELECT id FROM search_document WHERE ${where}`, params);
    return rows.map((r) => r.id);
  }

  /**
   * For each token: folding, stop word or not, stems, whether an indexed word starts with it, and near misses
   * (trigram similarity over search_word) with their stems.
   */
  async analyseTokens(db: EntityManager, tokens: string[]): Promise<TokenAnalysisRow[]> {
    return preparedQuery<TokenAnalysisRow>(
      db,
      'search-resolve-tokens',
      `SELECT t, f AS folded,
              numnode(to_tsquery('german', f || ':*')) > 0 AS meaningful,
              ARRAY(SELECT lexeme FROM unnest(to_tsvector('german', f)) ORDER BY lexeme) AS stems,
              EXISTS (SELECT 1 FROM search_word WHERE word LIKE f || '%') AS known,
              coalesce(s.similar, '{}') AS similar, coalesce(s.similar_stems, '{}') AS similar_stems
         FROM unnest($1::text[]) AS t,
              LATERAL (SELECT catalog_fold(t) AS f) x,
              LATERAL (
                SELECT array_agg(w.word ORDER BY w.rank) AS similar,
                       array_agg(array_to_string(ARRAY(SELECT lexeme FROM unnest(to_tsvector('german', w.word)) ORDER BY lexeme), ' ') ORDER BY w.rank) AS similar_stems
                  FROM (SELECT word, row_number() OVER (ORDER BY word <-> f, word) AS rank
                          FROM search_word WHERE length(f) >= 4 AND word % f AND similarity(word, f) >= 0.4
                         ORDER BY word <-> f, word LIMIT 3) w) s
        WHERE f ~ '^[[:alnum:]]+$'`,
      [tokens],
    );
  }

  private orderBy(sort: SortField[], rank: string): string {
    const parts = sort.map((s) => `${s.field === 'score' ? rank : sortColumn(s.field)} ${s.desc ? 'DESC' : 'ASC'}`);
    const lastDesc = sort.length ? sort[sort.length - 1].desc : false;
    return [...parts, `id ${lastDesc ? 'DESC' : 'ASC'}`].join(', ');
  }

  async page(db: EntityManager, c: SqlCompiler, where: string, sort: SortField[], q: SearchQuery): Promise<string[]> {
    const ps = new Params(c.params);
    const rank = sort.some((s) => s.field === 'score') ? c.rankExpression((v) => ps.p(v)) : '0::int';
    const rows: { id: string }[] = await db.query(
      `SELECT id FROM search_document WHERE ${where} ORDER BY ${this.orderBy(sort, rank)} LIMIT ${ps.p(q.rows)} OFFSET ${ps.p(q.start)}`,
      ps.values,
    );
    return rows.map((r) => r.id);
  }

  async pageWithCount(
    db: EntityManager, c: SqlCompiler, where: string, sort: SortField[], q: SearchQuery, keyset: { key: SortKey; desc: boolean } | undefined,
  ): Promise<{ count: number; ids: string[]; last?: CursorTuple }> {
    const total: { n: number }[] = await db.query(`SELECT count(*)::int AS n FROM search_document WHERE ${where}`, c.params);
    const ps = new Params(c.params);
    const rank = sort.some((s) => s.field === 'score') ? c.rankExpression((v) => ps.p(v)) : '0::int';
    let cond = where;
    let offset = q.start;
    const isDate = keyset?.key === 'metadata_modified' || keyset?.key === 'metadata_created';
    if (q.after && keyset && !sort.some((s) => s.field === 'score')) {
      const col = sortColumn(keyset.key);
      const v = isDate ? `${ps.p(`${String(q.after[0])}Z`)}::timestamptz` : ps.p(q.after[0]);
      cond = `${where} AND (${col}, id) ${keyset.desc ? '<' : '>'} (${v}, ${ps.p(q.after[1])}::uuid)`;
      offset = 0;
    }
    // The cursor value in the store's form: dates as 'YYYY-MM-DDTHH:MM:SS.ffffff' UTC.
    const sv = !keyset ? 'NULL' : isDate ? `to_char(${keyset.key} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')` : keyset.key === 'id' ? 'id::text' : sortColumn(keyset.key);
    const rows: { id: string; sv: string | number }[] = await db.query(
      `SELECT id, ${sv} AS sv FROM search_document WHERE ${cond}
        ORDER BY ${this.orderBy(sort, rank)} LIMIT ${ps.p(q.rows)} OFFSET ${ps.p(offset)}`,
      ps.values,
    );
    const end = rows[rows.length - 1];
    const last: CursorTuple | undefined = keyset && end ? [end.sv, end.id] : undefined;
    return { count: total[0].n, ids: rows.map((r) => r.id), last };
  }

  /** Facet counts in SQL: fields the store does not hold, or everything when it cannot be trusted. */
  async facets(db: EntityManager, c: SqlCompiler, where: string, fields: string[]): Promise<Map<string, Map<string, number>>> {
    const out = new Map<string, Map<string, number>>();
    for (const name of fields) {
      const f = searchField(name);
      const ps = new Params(c.params);
      let value: string;
      let from = 'search_document';
      switch (f.type) {
        case 'keywords':
        case 'texts':
          if (f.name === 'author' || f.name === 'maintainer') value = f.column;
          else {
            from = `search_document, unnest(${f.column}) AS fv`;
            value = 'fv';
          }
          break;
        case 'extra-keyword':
        case 'extra-text':
          value = `extras->>${ps.p(f.key)}`;
          break;
        case 'vocab':
          from = `search_document, unnest(vocab_tags) AS fv`;
          value = vocabTagSql('fv', f.key!, (v) => ps.p(v));
          break;
        case 'text':
          value = f.name === 'text' ? 'NULL' : f.column;
          break;
        default:
          value = `${f.column}::text`;
      }
      const rows: { v: string; n: number }[] = await db.query(
        `SELECT v, count(*)::int AS n FROM (SELECT DISTINCT id, ${value} AS v FROM ${from} WHERE ${where}) x
          WHERE v IS NOT NULL AND v <> '' GROUP BY v`,
        ps.values,
      );
      out.set(name, new Map(rows.map((r) => [r.v, r.n])));
    }
    return out;
  }
}

function sortColumn(field: string): string {
  const f = searchField(field);
  if (field === 'id') return 'id';
  if (field === 'title_string') return 'coalesce(title, \'\') COLLATE "C"';
  if (f.type === 'keyword') return `coalesce(${f.column}, '') COLLATE "C"`;
  if (f.type === 'date' || f.type === 'int') return f.column;
  throw new SearchError(`sort param field can't be found: ${field}`);
}

