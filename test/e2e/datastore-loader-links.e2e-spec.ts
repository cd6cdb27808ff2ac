import request from 'supertest';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import ExcelJS from 'exceljs';
import { JobQueue } from '../../src/jobs/job-queue';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

type Dict = Record<string, unknown>;
interface Status {
  status: string;
  job_id: string;
  progress: number;
  error: { message: string; line?: number } | null;
  task_info: { logs: { level: string; message: string; lineno: number | null }[] };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const PEGEL_CSV = 'Messstelle;Zeitpunkt;Wasserstand cm\nSpeyer;01.03.2024 06:00;412\nMaxau;01.03.2024 06:00;538\n';
const PEGEL_TSV = 'Messstelle\tWert\nSpeyer\t1,5\nMaxau\t-2,25\n';

async function workbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('Haushalt');
  sheet.addRow(['Produkt', 'Ansatz 2024', 'Beschlossen am']);
  sheet.addRow(['Schulen', 1234567.5, new Date(Date.UTC(2023, 11, 14))]);
  sheet.addRow(['Straßen', 890000, new Date(Date.UTC(2023, 11, 14))]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/**
 * Links: fetched by the load job over http(s), from a local server standing in for a municipality's web server
 * (this app allows private addresses; the default refusal is held in datastore-loader.e2e-spec.ts).
 */
describe('the DataStore loader reading links', () => {
  let t: TestApp;
  let editor: TestUser;
  let org: Dict;
  let server: Server;
  let base: string;
  const files: Record<string, { type: string; body: Buffer | string }> = {};

  beforeAll(async () => {
    t = await TestApp.start({ LOADER_ALLOW_PRIVATE_ADDRESSES: 'true', LOADER_MAX_BYTES: '100000', LOADER_FETCH_TIMEOUT_SECONDS: '1' });
    editor = await t.factories.user();
    org = await t.factories.organization({ members: [[editor, 'editor']] });
    files['/pegel.csv'] = { type: 'text/csv', body: PEGEL_CSV };
    files['/pegel-neu.csv'] = { type: 'text/csv', body: `${PEGEL_CSV}Worms;01.03.2024 06:00;377\n` };
    files['/werte.tsv'] = { type: 'text/tab-separated-values', body: PEGEL_TSV };
    files['/haushalt.xlsx'] = { type: 'application/octet-stream', body: await workbook() };
    files['/riesig.csv'] = { type: 'text/csv', body: `a;b\n${'1;2\n'.repeat(30000)}` };
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      if (req.url === '/umgezogen.csv') return void res.writeHead(302, { location: '/pegel.csv' }).end();
      if (req.url === '/langsam.csv') return void res.writeHead(200, { 'content-type': 'text/csv' }).write('a;b\n'); // never ends
      const f = files[req.url ?? ''];
      if (!f) return void res.writeHead(404).end('nicht da');
      res.writeHead(200, { 'content-type': f.type }).end(f.body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await t.stop();
  });

  async function finished(resourceId: string, jobId?: string): Promise<Status> {
    for (;;) {
      const s = await t.call<Status>('xloader_status', { resource_id: resourceId });
      if ((jobId === undefined || s.job_id === jobId) && (s.status === 'complete' || s.status === 'error')) return s;
      await sleep(100);
    }
  }

  async function linked(path: string, format: string): Promise<Dict> {
    const d = await t.factories.dataset({ owner_org: org.id as string }, editor);
    return t.call<Dict>('resource_create', { package_id: d.id, url: `${base}${path}`, format }, { as: editor });
  }

  const records = async (id: unknown) => (await t.call<{ records: Dict[] }>('datastore_search', { resource_id: id })).records;

  it('loads a linked CSV, typed, and reports its progress through the job queue', async () => {
    const r = await linked('/pegel.csv', 'CSV');
    const s = await finished(r.id as string);
    expect(s).toMatchObject({ status: 'complete', progress: 100 });
    expect(await records(r.id)).toEqual([
      { _id: 1, Messstelle: 'Speyer', Zeitpunkt: '2024-03-01T06:00:00', 'Wasserstand cm': 412 },
      { _id: 2, Messstelle: 'Maxau', Zeitpunkt: '2024-03-01T06:00:00', 'Wasserstand cm': 538 },
    ]);
    expect((await t.app.get(JobQueue).status('datastore.load', s.job_id))?.progress).toBe(1);
  });

  it('loads again when the link changes, and not when something else of the dataset changes', async () => {
    const r = await linked('/pegel.csv', 'CSV');
    const first = await finished(r.id as string);
    await t.call('package_patch', { id: r.package_id, notes: 'Pegelstände am Oberrhein' }, { as: editor });
    expect((await t.call<Status>('xloader_status', { id: r.id })).job_id).toBe(first.job_id);

    await t.call('resource_patch', { id: r.id, url: `${base}/pegel-neu.csv` }, { as: editor });
    const second = await t.call<Status>('xloader_status', { id: r.id });
    expect(second.job_id).not.toBe(first.job_id);
    expect((await finished(r.id as string, second.job_id)).status).toBe('complete');
    expect((await records(r.id)).map((x) => x.Messstelle)).toEqual(['Speyer', 'Maxau', 'Worms']);
  });

  it('with set_url_type, points the loaded resource at its dump (url_type datapusher), which no later write or submit loads again', async () => {
    const r = await linked('/pegel.csv', 'CSV');
    const first = await finished(r.id as string);
    await t.call('xloader_submit', { resource_id: r.id, set_url_type: true, ignore_hash: true }, { as: editor });
    const second = await finished(r.id as string, (await t.call<Status>('xloader_status', { id: r.id })).job_id);
    expect(second.job_id).not.toBe(first.job_id);
    expect(second.status).toBe('complete');
    const shown = await t.call<Dict>('resource_show', { id: r.id });
    expect(shown).toMatchObject({ url_type: 'datapusher', url: `http://catalog.test/datastore/dump/${r.id}`, datastore_active: true });
    const dump = await request(t.http).get(`/datastore/dump/${r.id}`);
    expect(dump.text).toContain('Speyer');
    // A later write of the dataset loads nothing (the URL is the dump itself), and a submit says why it would be circular.
    await t.call('package_patch', { id: r.package_id, notes: 'Pegelstände' }, { as: editor });
    expect((await t.call<Status>('xloader_status', { id: r.id })).job_id).toBe(second.job_id);
    await t.call('xloader_submit', { resource_id: r.id }, { as: editor });
    const third = await finished(r.id as string, (await t.call<Status>('xloader_status', { id: r.id })).job_id);
    expect(third).toMatchObject({ status: 'error', error: { message: expect.stringContaining('zirkulär') } });
    expect((await records(r.id)).map((x) => x.Messstelle)).toEqual(['Speyer', 'Maxau']);
  });

  it('loads a linked TSV and an XLSX workbook', async () => {
    const tsv = await linked('/werte.tsv', 'TSV');
    const xlsx = await linked('/haushalt.xlsx', 'XLSX');
    expect((await finished(tsv.id as string)).status).toBe('complete');
    expect((await finished(xlsx.id as string)).status).toBe('complete');
    expect(await records(tsv.id)).toEqual([
      { _id: 1, Messstelle: 'Speyer', Wert: 1.5 },
      { _id: 2, Messstelle: 'Maxau', Wert: -2.25 },
    ]);
    expect(await records(xlsx.id)).toEqual([
      { _id: 1, Produkt: 'Schulen', 'Ansatz 2024': 1234567.5, 'Beschlossen am': '2023-12-14' },
      { _id: 2, Produkt: 'Straßen', 'Ansatz 2024': 890000, 'Beschlossen am': '2023-12-14' },
    ]);
  });

  it('follows a redirect', async () => {
    const r = await linked('/umgezogen.csv', 'CSV');
    expect((await finished(r.id as string)).status).toBe('complete');
    expect(await records(r.id)).toHaveLength(2);
  });

  it('says error for a missing file, one larger than LOADER_MAX_BYTES, one that takes too long, and a link that is not http(s)', async () => {
    const missing = await linked('/gibt-es-nicht.csv', 'CSV');
    const big = await linked('/riesig.csv', 'CSV');
    const slow = await linked('/langsam.csv', 'CSV');
    expect((await finished(missing.id as string)).error?.message).toContain('HTTP 404');
    expect((await finished(big.id as string)).error?.message).toContain('LOADER_MAX_BYTES');
    expect((await finished(slow.id as string)).error?.message).toContain('LOADER_FETCH_TIMEOUT_SECONDS');
    const d = await t.factories.dataset({ owner_org: org.id as string }, editor);
    const ftp = await t.call<Dict>('resource_create', { package_id: d.id, url: 'ftp://example.org/daten.csv', format: 'CSV' }, { as: editor });
    expect((await finished(ftp.id as string)).error?.message).toContain('Nur http- und https-Links');
  });
});
