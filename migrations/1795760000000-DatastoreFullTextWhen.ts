import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every DataStore table's zfulltext trigger gets the condition `WHEN (NEW._full_text IS NULL)` (see fullTextTrigger in
 * src/datastore/datastore-table.repository.ts): datastore_create and datastore_upsert now compute `_full_text` in their
 * INSERT, and a row-level plpgsql call that would return at once cost a batch insert a third of its time.
 * Nothing changes for rows whose `_full_text` is NULL: the function ran and computed it before, and still does.
 */
export class DatastoreFullTextWhen1795760000000 implements MigrationInterface {
  name = 'DatastoreFullTextWhen1795760000000';

  async up(q: QueryRunner): Promise<void> {
    await this.recreate(q, `WHEN (NEW."_full_text" IS NULL) `);
  }

  async down(q: QueryRunner): Promise<void> {
    await this.recreate(q, '');
  }

  /** One statement per table, names quoted by PostgreSQL (format's %I and %L), never assembled here. */
  private async recreate(q: QueryRunner, when: string): Promise<void> {
    await q.query(`
      DO $$
      DECLARE t record;
      BEGIN
        FOR t IN SELECT d.resource_id, d.fts_language FROM datastore_table d
                  WHERE to_regclass(format('datastore.%I', d.resource_id::text)) IS NOT NULL LOOP
          EXECUTE format('DROP TRIGGER IF EXISTS zfulltext ON datastore.%I', t.resource_id::text);
          EXECUTE format('CREATE TRIGGER zfulltext BEFORE INSERT OR UPDATE ON datastore.%I FOR EACH ROW ${when}EXECUTE FUNCTION datastore.populate_full_text(%L)',
                         t.resource_id::text, t.fts_language);
        END LOOP;
      END $$`);
  }
}
