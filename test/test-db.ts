import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** Where the test cluster is: set by global-setup for every worker. */
export function adminUrl(): string {
  const url = process.env.CATALOG_TEST_ADMIN_URL;
  if (!url) throw new Error('CATALOG_TEST_ADMIN_URL is not set: run the tests through jest (test/global-setup.ts starts the database)');
  return url;
}

export const TEMPLATE_DB = 'catalog_template';

/** A URL for database `name` on the test cluster. */
export function urlFor(name: string): string {
  const u = new URL(adminUrl());
  u.pathname = `/${name}`;
  return u.toString();
}

/** Tests only ever touch databases whose names say so. */
export function assertTestDatabase(name: string): void {
  if (!/test|template/.test(name)) throw new Error(`refusing to use database "${name}": its name contains neither "test" nor "template"`);
}

export async function withAdmin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: adminUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A fresh database for one test file, copied from the migrated template: no truncation, files run in parallel. */
export async function createTestDatabase(): Promise<{ name: string; url: string }> {
  const name = `catalog_test_${process.env.JEST_WORKER_ID ?? '0'}_${randomBytes(4).toString('hex')}`;
  assertTestDatabase(name);
  await withAdmin((c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)} TEMPLATE ${TEMPLATE_DB}`));
  return { name, url: urlFor(name) };
}

export async function dropTestDatabase(name: string): Promise<void> {
  assertTestDatabase(name);
  await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`));
}
