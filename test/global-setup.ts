import 'reflect-metadata';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createDataSource } from '../src/database/data-source';
import { ENTITIES } from '../src/entities';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { assertTestDatabase, TEMPLATE_DB } from './test-db';

/**
 * Starts a throw-away embedded PostgreSQL (or uses TEST_DATABASE_URL), builds the migrated
 * `catalog_template` database once, and tells every worker where the cluster is.
 */
export default async function globalSetup(): Promise<void> {
  let admin = process.env.TEST_DATABASE_URL;
  if (admin) {
    assertTestDatabase(new URL(admin).pathname.slice(1));
  } else {
    const dir = await mkdtemp(join(tmpdir(), 'catalog-test-pg-'));
    const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), database: 'catalog_test_admin', sharedBuffersMb: 512 });
    (globalThis as Record<string, unknown>).__catalogTestPg = { pg, dir };
    admin = pg.url;
  }
  process.env.CATALOG_TEST_ADMIN_URL = admin;

  const c = new Client({ connectionString: admin });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  } finally {
    await c.end();
  }
  const url = new URL(admin);
  url.pathname = `/${TEMPLATE_DB}`;
  const ds = createDataSource({ entities: ENTITIES, url: url.toString(), poolSize: 1 });
  await ds.initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
  } finally {
    // A template database must have no open connections when copied.
    await ds.destroy();
  }
}
