import PgBoss from 'pg-boss';
import { schema as LIBRARY_SCHEMA_VERSION } from 'pg-boss/version.json';

/** The PostgreSQL schema pg-boss keeps its queues, jobs, schedules and archive in. */
export const JOB_SCHEMA = 'pgboss';

type Run = (sql: string) => Promise<unknown>;

/**
 * pg-boss's plans come wrapped in BEGIN … COMMIT; a migration already runs in a transaction of its
 * own (with the row that records it), so the wrapper is taken off and both commit together.
 */
function unwrapped(plan: string): string {
  const sql = plan.trim();
  if (!/^BEGIN;/.test(sql) || !/COMMIT;?$/.test(sql)) throw new Error('pg-boss changed the shape of its schema plans: check src/jobs/job-schema.ts');
  return sql.replace(/^BEGIN;/, '').replace(/COMMIT;?$/, '');
}

/**
 * Installs pg-boss's schema, or brings it to the version of the installed pg-boss, with the library's
 * own plans. Migrations call it (so the test template has it and no app start pays for it); the queue
 * only checks the version when it starts. After upgrading pg-boss, add a migration that calls this again.
 */
export async function installJobSchema(query: (sql: string) => Promise<{ [k: string]: unknown }[]>): Promise<void> {
  const [{ present }] = (await query(`SELECT to_regclass('${JOB_SCHEMA}.version') IS NOT NULL AS present`)) as { present: boolean }[];
  const run: Run = (sql) => query(sql);
  if (!present) return void (await run(unwrapped(PgBoss.getConstructionPlans(JOB_SCHEMA))));
  const [{ version }] = (await query(`SELECT version FROM ${JOB_SCHEMA}.version`)) as { version: number }[];
  if (Number(version) < LIBRARY_SCHEMA_VERSION) await run(unwrapped(PgBoss.getMigrationPlans(JOB_SCHEMA, String(version))));
}
