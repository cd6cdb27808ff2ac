import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The DataStore (CKAN's ckanext-datastore): one table per resource in schema `datastore`, named by the resource id.
 *  - `datastore_table` says which tables exist and whose dataset each belongs to, so a dataset write (a resource
 *    deleted, a dataset deleted or purged) finds the tables it takes along without reading the catalog's tables.
 *  - `datastore.populate_full_text` is CKAN's populate_full_text_trigger: every row's `_full_text` holds the words of
 *    its user columns, in the text search configuration the table was created with (the trigger's argument).
 * Raw SQL: TypeORM cannot express a trigger function, and the per-resource tables have no entities.
 */
export class Datastore1795700000000 implements MigrationInterface {
  name = 'Datastore1795700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS datastore`);
    await q.query(`
      CREATE TABLE datastore_table (
        resource_id uuid PRIMARY KEY,
        package_id uuid NOT NULL,
        fts_language text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX datastore_table_package_idx ON datastore_table (package_id)`);
    await q.query(`
      CREATE FUNCTION datastore.populate_full_text() RETURNS trigger LANGUAGE plpgsql AS $body$
      BEGIN
        IF NEW._full_text IS NOT NULL THEN
          RETURN NEW;
        END IF;
        NEW._full_text := (
          SELECT to_tsvector(TG_ARGV[0]::regconfig, coalesce(string_agg(value, ' '), ''))
          FROM json_each_text(row_to_json(NEW.*))
          WHERE key NOT LIKE '\\_%');
        RETURN NEW;
      END;
      $body$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA datastore CASCADE`);
    await q.query(`DROP TABLE datastore_table`);
  }
}
