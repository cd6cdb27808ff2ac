import { MigrationInterface, QueryRunner } from 'typeorm';
import { SEARCH_REFRESH_V1 } from './1795300000000-AddSearchIndex';

/**
 * catalog_search_refresh adds a write's new words to search_word in one fixed order. Two writers
 * adding overlapping new words in different orders could otherwise deadlock on them, and the
 * parallel reindex runs exactly such writers side by side.
 */
export class SearchWordsInOrder1795400000000 implements MigrationInterface {
  name = 'SearchWordsInOrder1795400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(SEARCH_REFRESH_V2);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(SEARCH_REFRESH_V1);
  }
}

/** catalog_search_refresh as this migration made it (a later migration restores it on revert). */
export const SEARCH_REFRESH_V2 = `
      CREATE OR REPLACE FUNCTION catalog_search_refresh(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM search_document d
         WHERE d.id = ANY(ids)
           AND NOT EXISTS (SELECT 1 FROM package p WHERE p.id = d.id AND p.state <> 'deleted');

        INSERT INTO search_document AS d (
          id, name, title, notes, state, private, capacity, type, owner_org, organization, organization_title, creator_user_id,
          license_id, author, maintainer, version, url, tags, groups, res_format, res_name, res_description, res_url, res_type,
          num_resources, num_tags, metadata_created, metadata_modified, extras, tsv)
        SELECT p.id, p.name, p.title, p.notes, p.state, p.private, CASE WHEN p.private THEN 'private' ELSE 'public' END, p.type,
               p.owner_org, o.name, o.title, p.creator_user_id, p.license_id, p.author, p.maintainer, p.version, p.url,
               coalesce(t.names, '{}'), coalesce(g.names, '{}'), coalesce(r.formats, '{}'), coalesce(r.names, '{}'),
               coalesce(r.descriptions, '{}'), coalesce(r.urls, '{}'), coalesce(r.types, '{}'),
               coalesce(r.n, 0), coalesce(cardinality(t.names), 0), p.metadata_created, p.metadata_modified, p.extras,
               setweight(to_tsvector('german', catalog_fold(concat_ws(' ', p.title, translate(p.name, '-_', '  ')))), 'A') ||
               setweight(to_tsvector('german', catalog_fold(concat_ws(' ', array_to_string(t.names, ' '), g.titles, o.title))), 'B') ||
               setweight(to_tsvector('german', catalog_fold(coalesce(p.notes, ''))), 'C') ||
               setweight(to_tsvector('german', catalog_fold(concat_ws(' ', r.text, p.author, p.maintainer,
                 (SELECT string_agg(value, ' ') FROM jsonb_each_text(p.extras))))), 'D')
          FROM package p
          LEFT JOIN catalog_group o ON o.id = p.owner_org AND o.state = 'active'
          LEFT JOIN LATERAL (
            SELECT array_agg(tg.name ORDER BY tg.name COLLATE "C") AS names
              FROM package_tag pt JOIN tag tg ON tg.id = pt.tag_id WHERE pt.package_id = p.id) t ON TRUE
          LEFT JOIN LATERAL (
            SELECT array_agg(gr.name ORDER BY gr.name COLLATE "C") AS names, string_agg(nullif(gr.title, ''), ' ') AS titles
              FROM package_group pg JOIN catalog_group gr ON gr.id = pg.group_id AND gr.state = 'active' WHERE pg.package_id = p.id) g ON TRUE
          LEFT JOIN LATERAL (
            SELECT count(*)::int AS n,
                   array_agg(DISTINCT rs.format) FILTER (WHERE coalesce(rs.format, '') <> '') AS formats,
                   array_agg(coalesce(rs.name, '') ORDER BY rs.position) AS names,
                   array_agg(coalesce(rs.description, '') ORDER BY rs.position) AS descriptions,
                   array_agg(rs.url ORDER BY rs.position) AS urls,
                   array_agg(DISTINCT rs.resource_type) FILTER (WHERE coalesce(rs.resource_type, '') <> '') AS types,
                   string_agg(concat_ws(' ', rs.name, rs.description), ' ') AS text
              FROM resource rs WHERE rs.package_id = p.id AND rs.state = 'active') r ON TRUE
         WHERE p.id = ANY(ids) AND p.state <> 'deleted'
        ON CONFLICT (id) DO UPDATE SET
          name = excluded.name, title = excluded.title, notes = excluded.notes, state = excluded.state, private = excluded.private,
          capacity = excluded.capacity, type = excluded.type, owner_org = excluded.owner_org, organization = excluded.organization,
          organization_title = excluded.organization_title, creator_user_id = excluded.creator_user_id, license_id = excluded.license_id,
          author = excluded.author, maintainer = excluded.maintainer, version = excluded.version, url = excluded.url, tags = excluded.tags,
          groups = excluded.groups, res_format = excluded.res_format, res_name = excluded.res_name, res_description = excluded.res_description,
          res_url = excluded.res_url, res_type = excluded.res_type, num_resources = excluded.num_resources, num_tags = excluded.num_tags,
          metadata_created = excluded.metadata_created, metadata_modified = excluded.metadata_modified, extras = excluded.extras, tsv = excluded.tsv;

        -- In one fixed order, so writers adding the same new words at once wait for each other instead of deadlocking.
        INSERT INTO search_word (word)
        SELECT w FROM (
          SELECT DISTINCT w
            FROM search_document sd,
                 regexp_split_to_table(catalog_fold(concat_ws(' ', sd.title, array_to_string(sd.tags, ' '), sd.organization_title, sd.notes)), '[^a-z0-9]+') AS w
           WHERE sd.id = ANY(ids) AND length(w) BETWEEN 4 AND 40) x
         ORDER BY w COLLATE "C"
        ON CONFLICT DO NOTHING;
      END $$`;
