import { Client } from 'pg';
import { assertTestDatabase, urlFor, withAdmin } from '../test/test-db';
import { DatastoreReader1795750000000 } from './1795750000000-DatastoreReader';

/**
 * The reader role of datastore_search_sql as a catalog whose database user is no superuser sets it up: a user with
 * CREATEROLE (PostgreSQL 16+ gives a role's creator no SET ROLE right by itself), and a user that finds the role made by
 * someone else. The role's name is replaced per test, so the cluster's own `datastore_reader` is not touched.
 */
describe('migration DatastoreReader under a database user that is no superuser', () => {
  const suffix = Math.random().toString(36).slice(2, 8);
  const owner = `test_owner_${suffix}`;
  const db = `catalog_test_reader_${suffix}`;
  let client: Client;
  const notices: string[] = [];

  beforeAll(async () => {
    assertTestDatabase(db);
    await withAdmin(async (c) => {
      await c.query(`CREATE ROLE ${owner} LOGIN CREATEROLE PASSWORD 'pw'`);
      await c.query(`CREATE ROLE test_foreign_${suffix} NOLOGIN`);
      await c.query(`CREATE DATABASE ${db} OWNER ${owner}`);
    });
    const u = new URL(urlFor(db));
    u.username = owner;
    u.password = 'pw';
    client = new Client({ connectionString: u.toString() });
    await client.connect();
    client.on('notice', (n) => notices.push(n.message ?? ''));
    await client.query(`CREATE SCHEMA datastore; CREATE TABLE datastore.t (a int); INSERT INTO datastore.t VALUES (1); CREATE TABLE public.p (a int)`);
  });
  afterAll(async () => {
    await client.end();
    await withAdmin(async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      for (const r of [`test_reader_${suffix}`, `test_foreign_${suffix}`, owner]) await c.query(`DROP ROLE IF EXISTS ${r}`);
    });
  });

  const migrateAs = (role: string) => new DatastoreReader1795750000000().up({ query: (sql: string) => client.query(sql.split('datastore_reader').join(role)) } as never);
  const asRole = async (role: string, sql: string): Promise<string> => {
    await client.query('BEGIN');
    try {
      await client.query(`SET LOCAL ROLE ${role}`);
      const r = await client.query<{ n: string }>(sql);
      return `ok ${r.rows[0]?.n ?? ''}`.trim();
    } catch (err) {
      return (err as Error).message;
    } finally {
      await client.query('ROLLBACK');
    }
  };

  it('creates the role; the migrating user may SET ROLE to it, which reads schema datastore (also later tables) and nothing else', async () => {
    const role = `test_reader_${suffix}`;
    await migrateAs(role);
    await client.query(`CREATE TABLE datastore.later (b int)`);
    expect(await asRole(role, 'SELECT count(*) AS n FROM datastore.t')).toBe('ok 1');
    expect(await asRole(role, 'SELECT count(*) AS n FROM datastore.later')).toBe('ok 0');
    expect(await asRole(role, 'SELECT count(*) AS n FROM public.p')).toBe('permission denied for table p');
    expect(await asRole(role, 'INSERT INTO datastore.t VALUES (2)')).toBe('permission denied for table t');
  });

  it('warns instead of failing the upgrade when the role exists and may not be granted', async () => {
    const role = `test_foreign_${suffix}`;
    await expect(migrateAs(role)).resolves.toBeUndefined();
    expect(notices).toContainEqual(expect.stringMatching(new RegExp(`^datastore_search_sql will not work: the role ${role} could not be set up`)));
    expect(await asRole(role, 'SELECT count(*) AS n FROM datastore.t')).toMatch(/permission denied to set role/);
  });
});
