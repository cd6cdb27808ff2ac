import { MigrationInterface, QueryRunner } from 'typeorm';
import { SEARCH_REFRESH_V4 } from './1795937000000-SearchVocabularyTags';

/**
 * Access levels per dataset (issue 14): package.access_level ('public', 'internal', 'shared', 'private'; `private`
 * stays access_level <> 'public' for CKAN's clients and queries), and dataset_share, the organizations a 'shared'
 * dataset is shared with, each with its capacity 'read' or 'edit'. Existing private datasets become 'private'.
 * The search documents gain access_level and shared_with (the sharing organizations' ids), so package_search's
 * results, counts and facets follow the read rule's new clauses (src/auth/visibility.ts).
 */
export class AccessLevels1795985000000 implements MigrationInterface {
  name = 'AccessLevels1795985000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "dataset_share" ("package_id" uuid NOT NULL, "organization_id" uuid NOT NULL, "capacity" character varying(10) NOT NULL DEFAULT 'read', "created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), "created_by" uuid, CONSTRAINT "PK_d87d0ad1e6cf46425dfbbed0791" PRIMARY KEY ("package_id", "organization_id"))`);
    await q.query(`CREATE INDEX "dataset_share_organization_id_idx" ON "dataset_share" ("organization_id")`);
    await q.query(`ALTER TABLE "package" ADD "access_level" character varying(20) NOT NULL DEFAULT 'public'`);
    await q.query(`UPDATE package SET access_level = 'private' WHERE private`);
    await q.query(`ALTER TABLE "dataset_share" ADD CONSTRAINT "FK_1864b12ddcdc6019945e00a4049" FOREIGN KEY ("package_id") REFERENCES "package"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "dataset_share" ADD CONSTRAINT "FK_cd77053c3384b06285aa7b5cbd6" FOREIGN KEY ("organization_id") REFERENCES "catalog_group"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "dataset_share" ADD CONSTRAINT "FK_24f251678fed451389124d87e66" FOREIGN KEY ("created_by") REFERENCES "user_account"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE search_document ADD access_level text NOT NULL DEFAULT 'public', ADD shared_with text[] NOT NULL DEFAULT '{}'`);
    await q.query(`UPDATE search_document SET access_level = 'private' WHERE private`);
    await q.query(SEARCH_REFRESH_V5);
    // Meilisearch's documents gain the same attributes: every dataset is filed for it (rows that wait harmlessly where
    // it is not used). Until drained, its old documents lack access_level, so they match only the public clause.
    await q.query(`INSERT INTO search_outbox (package_id) SELECT id FROM package WHERE state <> 'deleted' ON CONFLICT (package_id) DO NOTHING`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(SEARCH_REFRESH_V4);
    await q.query(`ALTER TABLE search_document DROP COLUMN access_level, DROP COLUMN shared_with`);
    await q.query(`ALTER TABLE "dataset_share" DROP CONSTRAINT "FK_24f251678fed451389124d87e66"`);
    await q.query(`ALTER TABLE "dataset_share" DROP CONSTRAINT "FK_cd77053c3384b06285aa7b5cbd6"`);
    await q.query(`ALTER TABLE "dataset_share" DROP CONSTRAINT "FK_1864b12ddcdc6019945e00a4049"`);
    await q.query(`ALTER TABLE "package" DROP COLUMN "access_level"`);
    await q.query(`DROP INDEX "public"."dataset_share_organization_id_idx"`);
    await q.query(`DROP TABLE "dataset_share"`);
  }
}

export const SEARCH_REFRESH_V5 = `
      CREATE OR REPLACE FUNCTION catalog_search_refresh(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM search_document d
         WHERE d.id = ANY(ids)
           AND NOT EXISTS (SELECT 1 FROM package p WHERE p.id = d.id AND p.state <> 'deleted');

        WITH src AS (
          SELECT p.id, p.name, p.title, p.notes, p.state, p.private, p.type, p.owner_org, o.name AS organization, o.title AS organization_title,
                 p.access_level, sh.orgs AS shared_with, p.creator_user_id, p.license_id, p.author, p.maintainer, p.version, p.url, t.names AS tags, t.vocab, t.n AS n_tags, g.names AS groups,
                 r.formats, r.names AS res_names, r.descriptions, r.urls, r.types, r.n, p.metadata_created, p.metadata_modified, p.extras,
                 catalog_fold(p.title) AS f_title, catalog_fold(translate(p.name, '-_', '  ')) AS f_name,
                 catalog_fold(array_to_string(t.names, ' ')) AS f_tags, catalog_fold(g.titles) AS f_group_titles,
                 catalog_fold(o.title) AS f_organization_title, catalog_fold(coalesce(p.notes, '')) AS f_notes,
                 catalog_fold(concat_ws(' ', r.text, p.author, p.maintainer, (SELECT string_agg(value, ' ') FROM jsonb_each_text(p.extras)), t.vocab_words)) AS f_rest
            FROM package p
            LEFT JOIN catalog_group o ON o.id = p.owner_org AND o.state = 'active'
            LEFT JOIN LATERAL (
              SELECT array_agg(tg.name ORDER BY tg.name COLLATE "C") FILTER (WHERE tg.vocabulary_id IS NULL) AS names,
                     array_agg(v.name || ':' || tg.name ORDER BY (v.name || ':' || tg.name) COLLATE "C") FILTER (WHERE v.id IS NOT NULL) AS vocab,
                     string_agg(tg.name, ' ' ORDER BY tg.name COLLATE "C") FILTER (WHERE v.id IS NOT NULL) AS vocab_words,
                     count(*)::int AS n
                FROM package_tag pt JOIN tag tg ON tg.id = pt.tag_id LEFT JOIN vocabulary v ON v.id = tg.vocabulary_id
               WHERE pt.package_id = p.id) t ON TRUE
            LEFT JOIN LATERAL (
              SELECT array_agg(ds.organization_id::text ORDER BY ds.organization_id) AS orgs FROM dataset_share ds WHERE ds.package_id = p.id) sh ON TRUE
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
        ), documents AS (
          INSERT INTO search_document AS d (
            id, name, title, notes, state, private, capacity, access_level, shared_with, type, owner_org, organization, organization_title, creator_user_id,
            license_id, author, maintainer, version, url, tags, vocab_tags, groups, res_format, res_name, res_description, res_url, res_type,
            num_resources, num_tags, metadata_created, metadata_modified, extras, tsv)
          SELECT s.id, s.name, s.title, s.notes, s.state, s.private, CASE WHEN s.private THEN 'private' ELSE 'public' END,
                 s.access_level, coalesce(s.shared_with, '{}'), s.type,
                 s.owner_org, s.organization, s.organization_title, s.creator_user_id, s.license_id, s.author, s.maintainer, s.version, s.url,
                 coalesce(s.tags, '{}'), coalesce(s.vocab, '{}'), coalesce(s.groups, '{}'), coalesce(s.formats, '{}'), coalesce(s.res_names, '{}'),
                 coalesce(s.descriptions, '{}'), coalesce(s.urls, '{}'), coalesce(s.types, '{}'),
                 coalesce(s.n, 0), coalesce(s.n_tags, 0), s.metadata_created, s.metadata_modified, s.extras,
                 setweight(to_tsvector('german', concat_ws(' ', s.f_title, s.f_name)), 'A') ||
                 setweight(to_tsvector('german', concat_ws(' ', s.f_tags, s.f_group_titles, s.f_organization_title)), 'B') ||
                 setweight(to_tsvector('german', s.f_notes), 'C') ||
                 setweight(to_tsvector('german', s.f_rest), 'D')
            FROM src s
          ON CONFLICT (id) DO UPDATE SET
            name = excluded.name, title = excluded.title, notes = excluded.notes, state = excluded.state, private = excluded.private,
            capacity = excluded.capacity, access_level = excluded.access_level, shared_with = excluded.shared_with, type = excluded.type, owner_org = excluded.owner_org, organization = excluded.organization,
            organization_title = excluded.organization_title, creator_user_id = excluded.creator_user_id, license_id = excluded.license_id,
            author = excluded.author, maintainer = excluded.maintainer, version = excluded.version, url = excluded.url, tags = excluded.tags, vocab_tags = excluded.vocab_tags,
            groups = excluded.groups, res_format = excluded.res_format, res_name = excluded.res_name, res_description = excluded.res_description,
            res_url = excluded.res_url, res_type = excluded.res_type, num_resources = excluded.num_resources, num_tags = excluded.num_tags,
            metadata_created = excluded.metadata_created, metadata_modified = excluded.metadata_modified, extras = excluded.extras, tsv = excluded.tsv
        )
        -- In one fixed order, so writers adding the same new words at once wait for each other instead of deadlocking.
        INSERT INTO search_word (word)
        SELECT w FROM (
          SELECT DISTINCT w
            FROM src s, regexp_split_to_table(concat_ws(' ', s.f_title, s.f_tags, s.f_organization_title, s.f_notes), '[^a-z0-9]+') AS w
           WHERE length(w) BETWEEN 4 AND 40) x
         ORDER BY w COLLATE "C"
        ON CONFLICT DO NOTHING;
      END $$`;
