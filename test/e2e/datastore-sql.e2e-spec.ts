import request from 'supertest';
import { DataSource } from 'typeorm';
import { DatastoreSqlRepository } from '../../src/datastore/datastore-sql.repository';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

/**
 * datastore_search_sql: one read-only SELECT over DataStore tables the caller may read, checked on PostgreSQL's parse
 * tree and run as a role that may only read schema `datastore`. The escapes are tried over HTTP, as a client would.
 */
describe('datastore_search_sql', () => {
  let t: TestApp;
  let member: TestUser;
  let outsider: TestUser;
  let stations: string;
  let readings: string;
  let secret: string;

  beforeAll(async () => {
    t = await TestApp.start({ DATASTORE_SQL_ENABLED: 'true', DATASTORE_SQL_TIMEOUT_MS: '300', DATASTORE_SEARCH_ROWS_MAX: '20' });
    member = await t.factories.user();
    outsider = await t.factories.user();
    const org = await t.factories.organization({ members: [[member, 'member']] });
    await t.factories.organization({ members: [[outsider, 'editor']] });
    const open = await t.factories.dataset({ owner_org: org.id });
    const hidden = await t.factories.dataset({ owner_org: org.id, private: true });
    const create = async (packageId: string, fields: object[], records: object[]) =>
      (await t.call<{ resource_id: string }>('datastore_create', { resource: { package_id: packageId }, fields, records })).resource_id;
    stations = await create(open.id, [{ id: 'code', type: 'text' }, { id: 'name', type: 'text' }], [
      { code: 'A', name: 'Altstadt' }, { code: 'B', name: 'Bahnhof' },
    ]);
    readings = await create(open.id, [{ id: 'station', type: 'text' }, { id: 'value', type: 'numeric' }, { id: 'at', type: 'timestamp' }],
      Array.from({ length: 30 }, (_, i) => ({ station: i % 3 === 0 ? 'B' : 'A', value: `${i}.25`, at: `2025-01-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00` })));
    secret = await create(hidden.id, [{ id: 'geheim', type: 'text' }], [{ geheim: 'nur intern' }]);
  });
  afterAll(() => t.stop());

  const sql = (query: string, as: TestUser | null = null) => {
    const r = request(t.http).post('/api/3/action/datastore_search_sql').send({ sql: query });
    return as ? r.set('Authorization', as.token) : r;
  };

  it('joins two readable tables, aggregates, orders and limits, with CKAN\'s result shape', async () => {
    const res = await sql(`SELECT s.name, count(*) AS n, sum(r.value) AS total, max(r.at) AS last
      FROM "${readings}" r JOIN "${stations}" s ON s.code = r.station GROUP BY s.name ORDER BY n DESC LIMIT 5`);
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual({
      sql: expect.stringContaining('GROUP BY s.name'),
      fields: [{ id: 'name', type: 'text' }, { id: 'n', type: 'int8' }, { id: 'total', type: 'numeric' }, { id: 'last', type: 'timestamp' }],
      records: [
        { name: 'Altstadt', n: 20, total: 305, last: '2025-01-27T10:00:00' },
        { name: 'Bahnhof', n: 10, total: 137.5, last: '2025-01-28T10:00:00' },
      ],
    });
    expect(res.body.result.records_truncated).toBeUndefined();
  });

  it('reads tables written as datastore."<id>", in WITH queries and subqueries, and keeps decimals exact', async () => {
    const res = await sql(`WITH a AS (SELECT value FROM datastore."${readings}" WHERE station = 'A')
      SELECT (SELECT count(*) FROM a) AS n, (SELECT value FROM a ORDER BY value LIMIT 1) AS smallest, upper('x') AS u;`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('"smallest":1.25');
    expect(res.body.result.records).toEqual([{ n: 20, smallest: 1.25, u: 'X' }]);
  });

  it('cuts the records at DATASTORE_SEARCH_ROWS_MAX and says so with records_truncated', async () => {
    const res = await sql(`SELECT _id FROM "${readings}" ORDER BY _id`);
    expect(res.status).toBe(200);
    expect(res.body.result.records).toHaveLength(20);
    expect(res.body.result.records_truncated).toBe(true);
  });

  const ESCAPES: [string, (ids: { readings: string; secret: string }) => string, number, object][] = [
    ['a second statement after ;', (i) => `SELECT 1 FROM "${i.readings}"; DELETE FROM "${i.readings}"`, 409, { query: ['Query is not a single statement.'] }],
    ['a statement hidden behind a comment', (i) => `SELECT 1 FROM "${i.readings}" /* x */; DROP TABLE "${i.readings}" -- ;`, 409, { query: ['Query is not a single statement.'] }],
    ['a statement that is not a SELECT', (i) => `DELETE FROM "${i.readings}"`, 409, { query: ['Only a SELECT statement is allowed.'] }],
    ['pg_sleep', (i) => `SELECT pg_sleep(5) FROM "${i.readings}"`, 403, { message: 'Access denied: Not authorized to call function pg_sleep' }],
    ['pg_sleep schema-qualified', () => `SELECT pg_catalog.pg_sleep(5)`, 403, { message: 'Access denied: Not authorized to call function pg_catalog.pg_sleep' }],
    ['a DELETE inside WITH', (i) => `WITH x AS (DELETE FROM "${i.readings}" RETURNING *) SELECT * FROM x`, 409, { query: ['Data-modifying statements in WITH are not allowed.'] }],
    ['an UPDATE inside WITH, nested in a subquery', (i) => `SELECT * FROM (WITH x AS (UPDATE "${i.readings}" SET value = 0 RETURNING 1) SELECT * FROM x) s`, 409, { query: ['Data-modifying statements in WITH are not allowed.'] }],
    ['SELECT INTO', (i) => `SELECT * INTO kopie FROM "${i.readings}"`, 409, { query: ['SELECT ... INTO is not allowed.'] }],
    ['FOR UPDATE', (i) => `SELECT * FROM "${i.readings}" FOR UPDATE`, 409, { query: ['Locking clauses (FOR UPDATE, FOR SHARE) are not allowed.'] }],
    ['set_config', () => `SELECT set_config('statement_timeout', '0', false)`, 403, { message: 'Access denied: Not authorized to call function set_config' }],
    ['nextval', () => `SELECT nextval('x')`, 403, { message: 'Access denied: Not authorized to call function nextval' }],
    ['pg_read_file', () => `SELECT pg_read_file('/etc/passwd')`, 403, { message: 'Access denied: Not authorized to call function pg_read_file' }],
    ['lo_import', () => `SELECT lo_import('/etc/passwd')`, 403, { message: 'Access denied: Not authorized to call function lo_import' }],
    ['dblink', () => `SELECT * FROM dblink('dbname=x', 'DELETE FROM y') AS t(a int)`, 403, { message: 'Access denied: Not authorized to call function dblink' }],
    ['a function hidden in ORDER BY', (i) => `SELECT 1 FROM "${i.readings}" ORDER BY pg_advisory_lock(1)`, 403, { message: 'Access denied: Not authorized to call function pg_advisory_lock' }],
    ['a cast that looks up the catalog', () => `SELECT 'pg_authid'::regclass`, 409, { query: ['Casting to type regclass is not allowed.'] }],
    ['a catalog table', () => `SELECT * FROM pg_catalog.pg_authid`, 403, { message: 'Access denied: Not authorized to access system tables' }],
    ['an unqualified catalog table', () => `SELECT relname FROM pg_class`, 403, { message: 'Access denied: Not authorized to access system tables' }],
    ['information_schema', () => `SELECT * FROM information_schema.tables`, 403, { message: 'Access denied: Not authorized to access system tables' }],
    ['the catalog\'s own tables in schema public', () => `SELECT * FROM public."user"`, 403, { message: 'Access denied: Not authorized to read resource.' }],
    ['a table that is not a DataStore table', () => `SELECT * FROM "user"`, 409, { query: ['relation "user" does not exist'] }],
    ['a resource id written in capitals', (i) => `SELECT * FROM "${i.readings.toUpperCase()}"`, 409, { query: [expect.stringMatching(/^relation "[0-9A-F-]{36}" does not exist$/)] }],
    ['the private table, joined with a public one', (i) => `SELECT * FROM "${i.readings}" r, "${i.secret}" s`, 403, { message: 'Access denied: Not authorized to read resource.' }],
    ['the private table behind a WITH name of the same name in another scope', (i) =>
      `SELECT * FROM (WITH "${i.secret}" AS (SELECT 1) SELECT * FROM "${i.secret}") a, "${i.secret}" b`, 403, { message: 'Access denied: Not authorized to read resource.' }],
    ['a syntax error', () => `SELEKT 1`, 409, { query: ['syntax error at or near "SELEKT"'] }],
  ];
  for (const [what, query, status, error] of ESCAPES) {
    it(`refuses ${what}`, async () => {
      const res = await sql(query({ readings, secret }));
      expect(res.status).toBe(status);
      expect(res.body.success).toBe(false);
      expect(res.body.error).toMatchObject(error);
    });
  }

  it('refuses escapes to sysadmins too, and every table kept its rows', async () => {
    expect((await sql(`WITH x AS (DELETE FROM "${readings}" RETURNING *) SELECT * FROM x`, t.sysadmin)).status).toBe(409);
    expect((await sql(`SELECT pg_sleep(1)`, t.sysadmin)).status).toBe(403);
    expect((await sql(`SELECT * FROM pg_authid`, t.sysadmin)).status).toBe(403);
    const count = await sql(`SELECT count(*) AS n FROM "${readings}"`, t.sysadmin);
    expect(count.body.result.records).toEqual([{ n: 30 }]);
  });

  it('reads the private table for a member of its organization and a sysadmin, never for anonymous or another organization', async () => {
    const q = `SELECT geheim FROM "${secret}"`;
    expect((await sql(q, member)).body.result.records).toEqual([{ geheim: 'nur intern' }]);
    expect((await sql(q, t.sysadmin)).body.result.records).toEqual([{ geheim: 'nur intern' }]);
    for (const who of [null, outsider]) {
      const res = await sql(q, who);
      expect(res.status).toBe(403);
      expect(res.body.error).toEqual({ __type: 'Authorization Error', message: 'Access denied: Not authorized to read resource.' });
      expect(res.text).not.toContain('nur intern');
    }
  });

  it('answers a statement that runs past DATASTORE_SQL_TIMEOUT_MS with CKAN\'s timeout error, not a 500', async () => {
    const res = await sql(`SELECT count(*) FROM generate_series(1, 10000000000) g`);
    expect(res.status).toBe(409);
    expect(res.body.error).toEqual({ __type: 'Validation Error', query: ['Query took too long'] });
  });

  it('reports what PostgreSQL refuses as a query error (unknown column, division by zero)', async () => {
    const col = await sql(`SELECT nope FROM "${readings}"`);
    expect(col.status).toBe(409);
    expect(col.body.error.query[0]).toMatch(/column "nope" does not exist/);
    const div = await sql(`SELECT 1/0 AS x FROM "${readings}"`);
    expect(div.body.error.query).toEqual(['division by zero']);
  });

  it('called inside a writing transaction, runs in its own read-only one and leaves the write able to write', async () => {
    const n = await t.context().transaction(async (tx) => {
      const before = await tx.call<{ records: { n: number }[] }>('datastore_search_sql', { sql: `SELECT count(*) AS n FROM "${stations}"` });
      await tx.call('datastore_upsert', { resource_id: stations, method: 'insert', records: [{ code: 'C', name: 'Chorweiler' }] });
      return before.records[0].n;
    });
    expect(n).toBe(2);
    expect((await sql(`SELECT count(*) AS n FROM "${stations}"`)).body.result.records).toEqual([{ n: 3 }]);
  });

  it('even past the parse-tree check, the reader role can neither read the catalog\'s tables nor write', async () => {
    const repo = t.app.get(DatastoreSqlRepository);
    const db = t.app.get(DataSource).manager;
    await expect(repo.run(db, 'SELECT * FROM public.package', 10, 1000)).rejects.toMatchObject({ code: '42501' });
    await expect(repo.run(db, `SELECT * FROM (WITH x AS (DELETE FROM "${readings}" RETURNING 1) SELECT 1) s`, 10, 1000)).rejects.toMatchObject({ code: expect.stringMatching(/^(0A000|25006|42501)$/) });
    const count = await sql(`SELECT count(*) AS n FROM "${readings}"`, t.sysadmin);
    expect(count.body.result.records).toEqual([{ n: 30 }]);
  });
});

describe('datastore_search_sql when DATASTORE_SQL_ENABLED is not set', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.stop());

  it('does not exist, as in CKAN without ckan.datastore.sqlsearch.enabled', async () => {
    const res = await request(t.http).post('/api/3/action/datastore_search_sql').set('Authorization', t.sysadmin.token).send({ sql: 'SELECT 1' });
    expect(res.status).toBe(400);
    // CKAN's answer for an action it does not know: the message as a JSON string, no envelope.
    expect(res.body).toBe('Bad request - Action name not known: datastore_search_sql');
  });
});
