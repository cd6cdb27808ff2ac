import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Uploaded resource files.
 * - resource.upload_key: where the file of an upload resource is stored (null for links).
 * - upload_task: file work that must happen once a transaction has committed, kept in the same
 *   transaction so it survives a crash: `publish` moves an upload from its temporary key into
 *   place, `delete` removes a file no resource uses any more. Workers take tasks with
 *   FOR UPDATE SKIP LOCKED, so several processes share them.
 * - A trigger files a `delete` task whenever a resource row stops using a file: it is deleted
 *   (resource_delete, a package_update that drops it, dataset_purge's cascade) or its file is
 *   replaced or cleared. No code path can forget it.
 */
export class ResourceUploads1795500000000 implements MigrationInterface {
  name = 'ResourceUploads1795500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE resource ADD COLUMN upload_key text`);
    await q.query(`
      CREATE TABLE upload_task (
        id bigserial PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('publish', 'delete')),
        key text NOT NULL,
        temp_key text,
        attempts integer NOT NULL DEFAULT 0,
        not_before timestamptz NOT NULL DEFAULT clock_timestamp(),
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CHECK ((kind = 'publish') = (temp_key IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX upload_task_key_idx ON upload_task (key)`);
    await q.query(`CREATE INDEX upload_task_temp_key_idx ON upload_task (temp_key) WHERE temp_key IS NOT NULL`);
    await q.query(`
      CREATE FUNCTION resource_upload_released() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.upload_key IS NOT NULL AND (TG_OP = 'DELETE' OR NEW.upload_key IS DISTINCT FROM OLD.upload_key) THEN
          INSERT INTO upload_task (kind, key) VALUES ('delete', OLD.upload_key);
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER resource_upload_released AFTER UPDATE OF upload_key OR DELETE ON resource
        FOR EACH ROW EXECUTE FUNCTION resource_upload_released()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER resource_upload_released ON resource`);
    await q.query(`DROP FUNCTION resource_upload_released()`);
    await q.query(`DROP TABLE upload_task`);
    await q.query(`ALTER TABLE resource DROP COLUMN upload_key`);
  }
}
