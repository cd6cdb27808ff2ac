import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The loader's status per resource (ckanext-xloader's task_status row and its jobs/logs tables in one): which load
 * job is the resource's latest, its state (`pending`, `running`, `complete`, `error`), the error and the log lines
 * (with the source line they are about), and what was loaded (`source`: the file or link the job read, so a dataset
 * write that changes neither starts no load; `file_hash`: the bytes loaded last, so an unchanged file is skipped).
 * Kept here, not only in the job queue: pg-boss archives and deletes jobs after days, knows no resource, and holds no
 * log; xloader_status asks by resource. Progress stays where the job queue keeps it (job_progress).
 * Raw SQL like `datastore_table`: the DataStore's own bookkeeping, without entities.
 */
export class DatastoreLoad1795720000000 implements MigrationInterface {
  name = 'DatastoreLoad1795720000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE datastore_load (
        resource_id uuid PRIMARY KEY,
        package_id uuid NOT NULL,
        job_id uuid NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'running', 'complete', 'error')),
        source text NOT NULL,
        ignore_hash boolean NOT NULL DEFAULT false,
        file_hash text,
        error jsonb,
        logs jsonb NOT NULL DEFAULT '[]',
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        last_updated timestamptz NOT NULL DEFAULT clock_timestamp(),
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX datastore_load_package_idx ON datastore_load (package_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE datastore_load`);
  }
}
