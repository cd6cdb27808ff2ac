import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

type Dict = Record<string, unknown>;
interface Status {
  status: string;
  job_id: string;
  job_type: string;
  progress: number;
  created: string;
  last_updated: string;
  error: { message: string; line?: number } | null;
  task_info: { logs: { level: string; message: string; lineno: number | null }[] };
}

/** A municipal statistics export as offices write it: Windows-1252, semicolons, German numbers and dates, a title line. */
const GERMAN_CSV = iconv.encode(
  [
    'Bevölkerung nach Gemeinden;;;;',
    'Gemeinde;Einwohner;Fläche km²;Stichtag;Kreisfrei',
    'Speyer;50.378;42,58;31.12.2023;ja',
    'Ludwigshafen am Rhein;172.557;77,43;31.12.2023;ja',
    'Schifferstadt;20.123;-;30.06.2023;nein',
    '',
  ].join('\r\n'),
  'win1252',
);
const BROKEN_CSV = readFileSync(join(__dirname, '../fixtures/loader/kaputt-anfuehrungszeichen.csv'));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The loader as xloader's users know it: a tabular upload or link becomes a typed DataStore table by a background
 * job (on the job queue, never in the request), xloader_status follows it, and a failed load leaves the previous
 * table as it was.
 */
describe('the DataStore loader (xloader_submit, xloader_status, automatic loads)', () => {
  let t: TestApp;
  let editor: TestUser;
  let outsider: TestUser;
  let org: Dict;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    t = await TestApp.start();
    editor = await t.factories.user();
    outsider = await t.factories.user();
    org = await t.factories.organization({ members: [[editor, 'editor']] });
    await t.factories.organization({ members: [[outsider, 'editor']] });
    server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' }).end(GERMAN_CSV);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await t.stop();
  });

  const upload = (action: string, fields: Dict, file: Buffer, filename: string, as: TestUser = editor) => {
    let r = request(t.http).post(`/api/3/action/${action}`).set('Authorization', as.token);
    for (const [k, v] of Object.entries(fields)) r = r.field(k, String(v));
    return r.attach('upload', file, { filename, contentType: 'application/octet-stream' });
  };

  /** Polls xloader_status until the load named by `jobId` (or any) has finished. */
  async function finished(resourceId: string, jobId?: string): Promise<Status> {
    for (;;) {
      const s = await t.call<Status>('xloader_status', { resource_id: resourceId });
      if ((jobId === undefined || s.job_id === jobId) && (s.status === 'complete' || s.status === 'error')) return s;
      await sleep(100);
    }
  }

  async function uploadedResource(file: Buffer, name: string, fields: Dict = { format: 'CSV' }): Promise<Dict> {
    const d = await t.factories.dataset({ owner_org: org.id as string }, editor);
    const res = await upload('resource_create', { package_id: d.id, ...fields }, file, name);
    expect(res.status).toBe(200);
    return res.body.result as Dict;
  }

  const search = (id: string) => t.call<{ records: Dict[]; fields: { id: string; type: string }[] }>('datastore_search', { resource_id: id });

  it('loads an uploaded German semicolon CSV on its own, typed from the whole file', async () => {
    const r = await uploadedResource(GERMAN_CSV, 'bevoelkerung.csv');
    const status = await finished(r.id as string);
    expect(status).toMatchObject({ status: 'complete', job_type: 'xloader_to_datastore', progress: 100, error: null });
    expect(status.job_id).toMatch(/^[0-9a-f-]{36}$/);

    const result = await search(r.id as string);
    expect(result.records).toEqual([
      { _id: 1, Gemeinde: 'Speyer', Einwohner: 50378, 'Fläche km²': 42.58, Stichtag: '2023-12-31', Kreisfrei: true },
      { _id: 2, Gemeinde: 'Ludwigshafen am Rhein', Einwohner: 172557, 'Fläche km²': 77.43, Stichtag: '2023-12-31', Kreisfrei: true },
      { _id: 3, Gemeinde: 'Schifferstadt', Einwohner: 20123, 'Fläche km²': null, Stichtag: '2023-06-30', Kreisfrei: false },
    ]);
    const info = await t.call<{ fields: { id: string; type: string }[] }>('datastore_info', { id: r.id });
    expect(info.fields.map((f) => [f.id, f.type])).toEqual([
      ['Gemeinde', 'text'], ['Einwohner', 'int4'], ['Fläche km²', 'numeric'], ['Stichtag', 'date'], ['Kreisfrei', 'bool'],
    ]);
    const found = await t.call<{ records: Dict[] }>('datastore_search', { resource_id: r.id, q: 'Ludwigshafen' });
    expect(found.records.map((x) => x.Gemeinde)).toEqual(['Ludwigshafen am Rhein']);
    const shown = await t.call<Dict>('resource_show', { id: r.id });
    expect(shown.datastore_active).toBe(true);
    // The audit trail has the load as a count of rows, done by the service itself (no user).
    const audited = await t.db.dataSource.query(`SELECT user_id, input FROM audit_write WHERE action = 'datastore_load' AND input->>'resource_id' = $1`, [r.id]);
    expect(audited).toEqual([{ user_id: null, input: expect.objectContaining({ rows: 3, columns: 5 }) }]);
  });

  it('answers xloader_status with xloader\'s shape and log lines that name the source line', async () => {
    // No format given: the catalog guesses it from the file, and the loader takes it from there.
    const r = await uploadedResource(GERMAN_CSV, 'mit-titel.csv', {});
    await finished(r.id as string);
    const res = await request(t.http).get(`/api/3/action/xloader_status?resource_id=${r.id}`).set('Authorization', editor.token);
    expect(res.status).toBe(200);
    const s = res.body.result as Status;
    expect(s).toMatchObject({ status: 'complete', job_type: 'xloader_to_datastore', error: null, created: expect.any(String), last_updated: expect.any(String) });
    // The title line above the header is skipped and logged with its line number.
    expect(s.task_info.logs).toContainEqual(expect.objectContaining({ level: 'INFO', lineno: 1, message: expect.stringContaining('Titelzeile') }));
    expect(s.task_info.logs).toContainEqual(expect.objectContaining({ message: expect.stringContaining("Spalte 'Einwohner': int4") }));
  });

  it('keeps the previous table, unchanged and readable, when a new file cannot be loaded, and says why with the line', async () => {
    const r = await uploadedResource(GERMAN_CSV, 'erst-gut.csv');
    await finished(r.id as string);
    const before = await search(r.id as string);

    const res = await upload('resource_update', { id: r.id, package_id: r.package_id, format: 'CSV' }, BROKEN_CSV, 'dann-kaputt.csv');
    expect(res.status).toBe(200);
    const status = await finished(r.id as string, (await t.call<Status>('xloader_status', { id: r.id })).job_id);
    expect(status.status).toBe('error');
    expect(status.error).toEqual({ message: expect.stringContaining('Anführungszeichen'), line: 3 });
    expect(status.task_info.logs).toContainEqual(expect.objectContaining({ level: 'ERROR', lineno: 3 }));

    expect(await search(r.id as string)).toEqual(before);
    expect((await t.call<Dict>('resource_show', { id: r.id })).datastore_active).toBe(true);
  });

  it('reloads with a steward\'s type_override from the data dictionary on xloader_submit', async () => {
    const r = await uploadedResource(GERMAN_CSV, 'ueberschreiben.csv');
    await finished(r.id as string);
    await t.call('datastore_create', { resource_id: r.id, force: true, fields: [{ id: 'Einwohner', info: { label: 'Einwohnerzahl', type_override: 'text' } }] });

    const res = await request(t.http).post('/api/3/action/xloader_submit').set('Authorization', editor.token).send({ resource_id: r.id, ignore_hash: true });
    expect(res.body).toMatchObject({ success: true, result: true });
    const status = await finished(r.id as string, (await t.call<Status>('xloader_status', { id: r.id })).job_id);
    expect(status.status).toBe('complete');

    const info = await t.call<{ fields: { id: string; type: string; info?: Dict }[] }>('datastore_info', { id: r.id });
    expect(info.fields.find((f) => f.id === 'Einwohner')).toMatchObject({ type: 'text', info: { label: 'Einwohnerzahl', type_override: 'text' } });
    expect((await search(r.id as string)).records[0]).toMatchObject({ Einwohner: '50.378' });
  });

  it('fails with the line of the first value that does not fit a steward\'s type_override, keeping the table', async () => {
    const r = await uploadedResource(GERMAN_CSV, 'passt-nicht.csv');
    await finished(r.id as string);
    await t.call('datastore_create', { resource_id: r.id, force: true, fields: [{ id: 'Gemeinde', info: { type_override: 'int' } }] });
    const before = await search(r.id as string);
    await t.call('xloader_submit', { resource_id: r.id, ignore_hash: true });
    const s = await finished(r.id as string, (await t.call<Status>('xloader_status', { id: r.id })).job_id);
    expect(s).toMatchObject({ status: 'error', error: { line: 3, message: expect.stringContaining("'Speyer' passt nicht zum Typ int4") } });
    expect(await search(r.id as string)).toEqual(before);
  });

  it('skips an unchanged file on xloader_submit unless ignore_hash is given', async () => {
    const r = await uploadedResource(GERMAN_CSV, 'unveraendert.csv');
    await finished(r.id as string);
    await t.call('xloader_submit', { resource_id: r.id });
    const s = await finished(r.id as string, (await t.call<Status>('xloader_status', { id: r.id })).job_id);
    expect(s.status).toBe('complete');
    expect(s.task_info.logs).toContainEqual(expect.objectContaining({ message: expect.stringContaining('unverändert') }));
  });

  it('lets only editors of the dataset submit and read the status', async () => {
    const r = await uploadedResource(GERMAN_CSV, 'rechte.csv');
    await finished(r.id as string);
    const anonymous = await request(t.http).post('/api/3/action/xloader_submit').send({ resource_id: r.id });
    expect(anonymous.status).toBe(403);
    expect(anonymous.body).toMatchObject({ success: false, error: { __type: 'Authorization Error' } });
    const other = await request(t.http).post('/api/3/action/xloader_submit').set('Authorization', outsider.token).send({ resource_id: r.id });
    expect(other.status).toBe(403);
    const otherStatus = await request(t.http).get(`/api/3/action/xloader_status?resource_id=${r.id}`).set('Authorization', outsider.token);
    expect(otherStatus.status).toBe(403);
    const unknown = await request(t.http).post('/api/3/action/xloader_submit').set('Authorization', editor.token).send({ resource_id: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.status).toBe(404);
    const junk = await request(t.http).post('/api/3/action/xloader_submit').set('Authorization', editor.token).send({ resource_id: r.id, queue: 'x' });
    expect(junk.status).toBe(409);
    expect(junk.body.error).toMatchObject({ __type: 'Validation Error', __junk: expect.any(Array) });
  });

  it('refuses a link to a private address by default, and says so in the status', async () => {
    const d = await t.factories.dataset({ owner_org: org.id as string }, editor);
    const r = await t.call<Dict>('resource_create', { package_id: d.id, url: `${base}/werte.csv`, format: 'CSV' });
    const s = await finished(r.id as string);
    expect(s.status).toBe('error');
    expect(s.error?.message).toContain('nicht öffentlich');
    expect(await t.call<Dict>('resource_show', { id: r.id })).not.toMatchObject({ datastore_active: true });
  });

  it('forgets the status of a deleted resource together with its table', async () => {
    const r = await uploadedResource(GERMAN_CSV, 'weg.csv');
    await finished(r.id as string);
    await t.call('resource_delete', { id: r.id }, { as: editor });
    const res = await request(t.http).get(`/api/3/action/xloader_status?resource_id=${r.id}`).set('Authorization', t.sysadmin.token);
    expect(res.status).toBe(404);
    const rows = await t.db.dataSource.query(`SELECT count(*)::int AS n FROM datastore_load WHERE resource_id = $1`, [r.id]);
    expect(rows[0].n).toBe(0);
  });

  it('lists xloader among status_show\'s extensions', async () => {
    const s = await t.call<{ extensions: string[] }>('status_show', {});
    expect(s.extensions).toEqual(expect.arrayContaining(['datastore', 'xloader']));
  });
});
