import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The PostgreSQL search index. Raw SQL because TypeORM cannot say it: text search vectors with
 * a German configuration, unaccent, trigram indexes and the SQL function that (re)builds a
 * dataset's search document from the catalog tables inside the writing transaction.
 *
 * - catalog_fold(): lower case, accents folded (ä→a, ß→ss) and the spelled-out umlauts ae/oe/ue
 *   folded the same way, so "Ueberschwemmung" and "Überschwemmung" meet; applied to documents and queries alike.
 * - search_document: one row per dataset that is not deleted: the fields package_search filters,
 *   facets and sorts on, and a weighted tsvector (A title and name, B tags, groups and organization,
 *   C description, D resources, people and extras).
 * - search_word: the folded words of titles, tags and descriptions, with a trigram index, for typo tolerance.
 * - search_cursor: where a paging client's previous page ended, so growing `start` stays exact while data changes.
 * - search_outbox: datasets changed in committed transactions that an external index (Meilisearch) has not taken yet.
 */
export class AddSearchIndex1795300000000 implements MigrationInterface {
  name = 'AddSearchIndex1795300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS unaccent`);
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`
      CREATE FUNCTION catalog_fold(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
        SELECT regexp_replace(lower(public.unaccent('public.unaccent'::regdictionary, t)), '(^|[^q])([aou])e', '\\1\\2', 'g')
      $$`);
    await q.query(`
      CREATE TABLE search_document (
        id uuid PRIMARY KEY REFERENCES package(id) ON DELETE CASCADE,
        name text NOT NULL,
        title text,
        notes text,
        state varchar(20) NOT NULL,
        private boolean NOT NULL,
        capacity text NOT NULL,
        type text NOT NULL,
        owner_org uuid,
        organization text,
        organization_title text,
        creator_user_id uuid,
        license_id text,
        author text,
        maintainer text,
        version text,
        url text,
        tags text[] NOT NULL DEFAULT '{}',
        groups text[] NOT NULL DEFAULT '{}',
        res_format text[] NOT NULL DEFAULT '{}',
        res_name text[] NOT NULL DEFAULT '{}',
        res_description text[] NOT NULL DEFAULT '{}',
        res_url text[] NOT NULL DEFAULT '{}',
        res_type text[] NOT NULL DEFAULT '{}',
        num_resources integer NOT NULL,
        num_tags integer NOT NULL,
        metadata_created timestamptz NOT NULL,
        metadata_modified timestamptz NOT NULL,
        extras jsonb NOT NULL DEFAULT '{}',
        tsv tsvector NOT NULL
      )`);
    await q.query(`CREATE INDEX search_document_tsv_idx ON search_document USING gin (tsv)`);
    await q.query(`CREATE INDEX search_document_tags_idx ON search_document USING gin (tags)`);
    await q.query(`CREATE INDEX search_document_groups_idx ON search_document USING gin (groups)`);
    await q.query(`CREATE INDEX search_document_res_format_idx ON search_document USING gin (res_format)`);
    await q.query(`CREATE INDEX search_document_modified_idx ON search_document (metadata_modified, id)`);
    await q.query(`CREATE INDEX search_document_created_idx ON search_document (metadata_created, id)`);
    await q.query(`CREATE INDEX search_document_name_idx ON search_document (name COLLATE "C")`);
    await q.query(`CREATE INDEX search_document_title_idx ON search_document (title COLLATE "C", id)`);
    await q.query(`CREATE INDEX search_document_organization_idx ON search_document (organization)`);
    await q.query(`CREATE INDEX search_document_owner_org_idx ON search_document (owner_org)`);
    await q.query(`CREATE INDEX search_document_license_idx ON search_document (license_id)`);

    await q.query(`CREATE TABLE search_word (word text PRIMARY KEY)`);
    await q.query(`CREATE INDEX search_word_trgm_idx ON search_word USING gin (word gin_trgm_ops)`);
    await q.query(`CREATE INDEX search_word_prefix_idx ON search_word (word text_pattern_ops)`);

    await q.query(`
      CREATE UNLOGGED TABLE search_cursor (
        key text PRIMARY KEY,
        after jsonb NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX search_cursor_expires_idx ON search_cursor (expires_at)`);

    await q.query(`
      CREATE TABLE search_outbox (
        package_id uuid PRIMARY KEY,
        enqueued_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);

    await q.query(SEARCH_REFRESH_V1);

    // Index what exists already.
    await q.query(`SELECT catalog_search_refresh(array(SELECT id FROM package))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION catalog_search_refresh(uuid[])`);
    await q.query(`DROP TABLE search_outbox`);
    await q.query(`DROP TABLE search_cursor`);
    await q.query(`DROP TABLE search_word`);
    await q.query(`DROP TABLE search_document`);
    await q.query(`DROP FUNCTION catalog_fold(text)`);
  }
}

/** catalog_search_refresh as this migration created it (a later migration restores it on revert). */
export const SEARCH_REFRESH_V1 = `
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

        INSERT INTO search_word (word)
        SELECT DISTINCT w
          FROM search_document sd,
               regexp_split_to_table(catalog_fold(concat_ws(' ', sd.title, array_to_string(sd.tags, ' '), sd.organization_title, sd.notes)), '[^a-z0-9]+') AS w
         WHERE sd.id = ANY(ids) AND length(w) BETWEEN 4 AND 40
        ON CONFLICT DO NOTHING;
      END $$`;
