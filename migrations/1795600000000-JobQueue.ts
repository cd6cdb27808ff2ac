import { MigrationInterface, QueryRunner } from 'typeorm';
import { installJobSchema, JOB_SCHEMA } from '../src/jobs/job-schema';

/**
 * The durable job queue (src/jobs/): pg-boss's schema, installed with the library's own plans, and
 * job_progress, where a running job reports how far it is and a failed attempt leaves its error
 * (pg-boss keeps only the latest outcome of a job, which a later successful attempt overwrites).
 */
export class JobQueue1795600000000 implements MigrationInterface {
  name = 'JobQueue1795600000000';

  async up(q: QueryRunner): Promise<void> {
    await installJobSchema((sql) => q.query(sql));
    await q.query(`
      CREATE TABLE job_progress (
        job_id uuid PRIMARY KEY,
        queue text NOT NULL,
        progress double precision CHECK (progress BETWEEN 0 AND 1),
        message text,
        last_error text,
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE INDEX job_progress_updated_at_idx ON job_progress (updated_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE job_progress`);
    await q.query(`DROP SCHEMA ${JOB_SCHEMA} CASCADE`);
  }
}
