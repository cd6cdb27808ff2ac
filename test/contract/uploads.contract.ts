import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { FILE_STORAGE, FileStorage } from '../../src/storage/file-storage';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

type Dict = Record<string, unknown> & { id: string };

const CSV = Buffer.from('datum;pegel_cm\n2025-05-01;312\n2025-05-02;298\n2025-05-03;305\n', 'utf8');
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n', 'latin1'), Buffer.alloc(2000, 0x20)]);

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const binary = (res: request.Response): Buffer => res.body as Buffer;

/** supertest: read any body as bytes. */
function bytes(req: request.Test): request.Test {
  return req.buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  });
}

/**
 * What every file store must do, through the API as CKAN clients use it: ckanapi's multipart
 * uploads, downloads with ranges and conditions, the permission rules of private datasets, the
 * limits, hostile file names, aborted uploads, replacing, clearing and deleting. Run against the
 * local folder and against S3-protocol servers.
 */
export function uploadsContract(label: string, start: (env?: Record<string, string>) => Promise<TestApp>): void {
  describe(`resource uploads: ${label}`, () => {
    let t: TestApp;
    let editor: TestUser;
    let member: TestUser;
    let outsider: TestUser;
    let orgId: string;
    let storage: FileStorage;

    beforeAll(async () => {
      t = await start();
      storage = t.app.get<FileStorage>(FILE_STORAGE);
      editor = await t.factories.user({ name: 'pegel-editor' });
      member = await t.factories.user({ name: 'pegel-member' });
      outsider = await t.factories.user({ name: 'nachbar' });
      orgId = (await t.factories.organization({ name: 'stadt-cochem', title: 'Stadt Cochem', members: [[editor, 'editor'], [member, 'member']] })).id;
    });
    afterAll(() => t.stop());

    const dataset = async (fields: Record<string, unknown> = {}): Promise<Dict> =>
      (await request(t.http).post('/api/3/action/package_create').set('Authorization', editor.token)
        .send({ name: `pegel-${Math.random().toString(36).slice(2, 10)}`, owner_org: orgId, ...fields })).body.result;

    /** As ckanapi sends it: the ordinary fields, then the file in `upload`. */
    const upload = (action: string, fields: Record<string, string>, file: Buffer, filename: string, as: TestUser | null = editor) => {
      let r = request(t.http).post(`/api/3/action/${action}`);
      if (as) r = r.set('Authorization', as.token);
      for (const [k, v] of Object.entries(fields)) r = r.field(k, v);
      return r.attach('upload', file, { filename, contentType: 'application/octet-stream' });
    };
    const download = (url: string, as: TestUser | null = null) => {
      const path = new URL(url).pathname;
      const r = request(t.http).get(path);
      return as ? r.set('Authorization', as.token) : r;
    };
    const keys = async (prefix: string): Promise<string[]> => {
      const out: string[] = [];
      for await (const k of storage.listOlderThan(prefix, new Date(Date.now() + 3_600_000))) out.push(k);
      return out.sort();
    };
    const showResource = async (id: string) => (await request(t.http).get(`/api/3/action/resource_show?id=${id}`).set('Authorization', editor.token)).body;

    it('stores a file uploaded as ckanapi sends it, with size, sniffed type, sha256 hash and a download URL', async () => {
      const d = await dataset();
      const res = await upload('resource_create', { package_id: d.id, name: 'Tageswerte' }, CSV, 'Pegel Cochem.csv');
      expect(res.status).toBe(200);
      const r = res.body.result;
      expect(r).toMatchObject({
        package_id: d.id, name: 'Tageswerte', url_type: 'upload', size: CSV.length, mimetype: 'text/csv', hash: sha256(CSV), format: 'CSV',
        url: `http://catalog.test/dataset/${d.id}/resource/${r.id}/download/pegel-cochem.csv`,
      });
      expect(r.last_modified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
      expect(r).not.toHaveProperty('upload_key');
      expect(r).not.toHaveProperty('upload');
      expect(await keys('tmp/')).toEqual([]);
      expect(await keys(`resources/${r.id}/`)).toHaveLength(1);

      const got = await bytes(download(r.url));
      expect(got.status).toBe(200);
      expect(binary(got).equals(CSV)).toBe(true);
      expect(got.headers).toMatchObject({ 'content-type': 'text/csv', 'content-length': String(CSV.length), 'accept-ranges': 'bytes' });
      expect(got.headers.etag).toMatch(/^"[0-9a-f-]{36}"$/);
      expect(new Date(got.headers['last-modified']).getTime()).toBeGreaterThan(Date.now() - 60_000);
      // The dataset shows it too, and a dataset search finds it.
      const shown = (await request(t.http).get(`/api/3/action/package_show?id=${d.id}`).set('Authorization', editor.token)).body.result;
      expect(shown.resources[0]).toMatchObject({ id: r.id, url: r.url, url_type: 'upload', size: CSV.length });
    });

    it('hands an uploaded table to the DataStore loader, which reads it from this store', async () => {
      const d = await dataset();
      const r = (await upload('resource_create', { package_id: d.id }, CSV, 'pegel.csv')).body.result as Dict;
      let status: { status: string; error: unknown };
      do {
        await new Promise((done) => setTimeout(done, 100));
        status = await t.call('xloader_status', { id: r.id });
      } while (status.status === 'pending' || status.status === 'running');
      expect(status).toMatchObject({ status: 'complete', error: null });
      const found = await t.call<{ records: unknown[] }>('datastore_search', { resource_id: r.id });
      expect(found.records).toEqual([
        { _id: 1, datum: '2025-05-01', pegel_cm: 312 }, { _id: 2, datum: '2025-05-02', pegel_cm: 298 }, { _id: 3, datum: '2025-05-03', pegel_cm: 305 },
      ]);
    });

    it('sniffs the type from the content, not from the name or the client', async () => {
      const d = await dataset();
      const r = (await upload('resource_create', { package_id: d.id, mimetype: 'text/plain' }, PDF, 'bericht.txt')).body.result;
      expect(r).toMatchObject({ mimetype: 'application/pdf', url_type: 'upload' });
      const geo = Buffer.from(JSON.stringify({ type: 'FeatureCollection', features: [] }));
      expect((await upload('resource_create', { package_id: d.id }, geo, 'gebiete.json')).body.result).toMatchObject({ mimetype: 'application/geo+json', format: 'JSON' });
    });

    it('serves byte ranges, HEAD and conditional requests', async () => {
      const d = await dataset();
      const r = (await upload('resource_create', { package_id: d.id }, PDF, 'bericht.pdf')).body.result;
      const part = await bytes(download(r.url).set('Range', 'bytes=10-19'));
      expect(part.status).toBe(206);
      expect(part.headers['content-range']).toBe(`bytes 10-19/${PDF.length}`);
      expect(part.headers['content-length']).toBe('10');
      expect(binary(part).equals(PDF.subarray(10, 20))).toBe(true);

      const tail = await bytes(download(r.url).set('Range', 'bytes=-5'));
      expect(tail.status).toBe(206);
      expect(binary(tail).equals(PDF.subarray(PDF.length - 5))).toBe(true);

      const beyond = await download(r.url).set('Range', `bytes=${PDF.length + 10}-`);
      expect(beyond.status).toBe(416);
      expect(beyond.headers['content-range']).toBe(`bytes */${PDF.length}`);

      const full = await bytes(download(r.url));
      const stale = await bytes(download(r.url).set('Range', 'bytes=0-9').set('If-Range', '"another-version"'));
      expect(stale.status).toBe(200);
      expect(binary(stale).length).toBe(PDF.length);
      const current = await bytes(download(r.url).set('Range', 'bytes=0-9').set('If-Range', full.headers.etag));
      expect(current.status).toBe(206);
      const several = await bytes(download(r.url).set('Range', 'bytes=0-1,5-6'));
      expect(several.status).toBe(200);

      const head = await request(t.http).head(new URL(r.url).pathname);
      expect(head.status).toBe(200);
      expect(head.headers['content-length']).toBe(String(PDF.length));
      expect(head.headers['content-type']).toBe('application/pdf');
      expect(head.text ?? '').toBe('');

      expect((await download(r.url).set('If-None-Match', full.headers.etag)).status).toBe(304);
      expect((await download(r.url).set('If-Modified-Since', new Date(Date.now() + 60_000).toUTCString())).status).toBe(304);
      // The same bytes without the file name in the URL, as CKAN allows.
      const bare = await bytes(request(t.http).get(`/dataset/${d.name}/resource/${r.id}/download`));
      expect(binary(bare).equals(PDF)).toBe(true);
    });

    it('redirects the download URL of a link resource to its URL', async () => {
      const d = await dataset({ resources: [{ url: 'https://pegelonline.example/cochem.csv', format: 'CSV' }] });
      const rid = d.resources && (d.resources as Dict[])[0].id;
      const res = await request(t.http).get(`/dataset/${d.id}/resource/${rid}/download/cochem.csv`);
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe('https://pegelonline.example/cochem.csv');
    });

    it('lets only those who may read a private dataset download its files', async () => {
      const d = await dataset({ private: true });
      const r = (await upload('resource_create', { package_id: d.id }, CSV, 'intern.csv')).body.result;
      expect((await download(r.url)).status).toBe(403);
      expect((await download(r.url, outsider)).status).toBe(403);
      expect(binary(await bytes(download(r.url, member))).equals(CSV)).toBe(true);
      expect((await download(r.url, t.sysadmin)).status).toBe(200);
      expect((await request(t.http).head(new URL(r.url).pathname)).status).toBe(403);
      // Unknown resources, or a resource under another dataset's id, are not found.
      expect((await request(t.http).get(`/dataset/${d.id}/resource/00000000-0000-4000-8000-000000000000/download/x.csv`)).status).toBe(404);
      const other = await dataset();
      expect((await request(t.http).get(`/dataset/${other.id}/resource/${r.id}/download/intern.csv`).set('Authorization', member.token)).status).toBe(404);
    });

    it('refuses an upload to a dataset the caller may not edit before storing a byte', async () => {
      const d = await dataset();
      const res = await upload('resource_create', { package_id: d.id }, CSV, 'fremd.csv', outsider);
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ success: false, error: { __type: 'Authorization Error' } });
      const anon = await upload('resource_create', { package_id: d.id }, CSV, 'fremd.csv', null);
      expect(anon.status).toBe(403);
      expect(await keys('tmp/')).toEqual([]);
      expect((await request(t.http).get(`/api/3/action/package_show?id=${d.id}`).set('Authorization', editor.token)).body.result.num_resources).toBe(0);
    });

    it('asks for package_id before the file, so it can check the caller first', async () => {
      const d = await dataset();
      const res = await request(t.http).post('/api/3/action/resource_create').set('Authorization', editor.token)
        .attach('upload', CSV, 'werte.csv').field('package_id', d.id);
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ __type: 'Validation Error', upload: ['Send package_id before the file'] });
      expect(await keys('tmp/')).toEqual([]);
    });

    it('cleans hostile file names so none can leave its folder', async () => {
      const d = await dataset();
      const cases: [string, RegExp][] = [
        ['../../../etc/passwd', /^passwd$/],
        ['/var/lib/secret.csv', /^secret\.csv$/],
        ['..\\..\\windows\\system.ini', /^system\.ini$/],
        ['Übersicht Straßen & Plätze (2025).csv', /^ubersicht-strassen-platze-2025\.csv$/],
        ['.htaccess', /^htaccess$/],
        [`${'sehr-lang-'.repeat(40)}.csv`, /^(sehr-lang-)+s?e?h?r?-?l?a?n?g?-?\.csv$/],
      ];
      for (const [name, expected] of cases) {
        const res = await upload('resource_create', { package_id: d.id }, CSV, name);
        expect(res.status).toBe(200);
        const stored = decodeURIComponent(res.body.result.url.split('/').pop());
        expect(stored).toMatch(expected);
        expect(stored.length).toBeLessThanOrEqual(100);
      }
      // Whatever the names, files are stored under keys the service made.
      for (const k of await keys('resources/')) expect(k).toMatch(/^resources\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/);
    });

    it('refuses a file over the limit with a Validation Error and leaves nothing behind', async () => {
      const small = await start({ UPLOAD_MAX_BYTES: '1000' });
      try {
        const store = small.app.get<FileStorage>(FILE_STORAGE);
        const pkg = (await small.call<Dict>('package_create', { name: 'gross', owner_org: (await small.factories.organization()).id }));
        // Declared too large: refused before the body is read.
        const big = Buffer.alloc(50_000, 0x41);
        const res = await request(small.http).post('/api/3/action/resource_create').set('Authorization', small.sysadmin.token)
          .field('package_id', pkg.id).attach('upload', big, 'gross.csv');
        expect(res.status).toBe(409);
        expect(res.body.error).toMatchObject({ __type: 'Validation Error', upload: ['File upload too large'] });
        // Not declared (chunked): refused once the limit is passed.
        const chunked = await rawMultipart(small, '/api/3/action/resource_create', small.sysadmin.token, { package_id: pkg.id }, 'gross.csv', [big.subarray(0, 600), big.subarray(600, 2000)]);
        expect(chunked.status).toBe(409);
        expect(JSON.parse(chunked.body).error.upload).toEqual(['File upload too large']);
        const left: string[] = [];
        for await (const k of store.listOlderThan('', new Date(Date.now() + 3_600_000))) left.push(k);
        expect(left).toEqual([]);
        expect((await small.call<Dict>('package_show', { id: pkg.id })).num_resources).toBe(0);
      } finally {
        await small.stop();
      }
    });

    it('leaves no file and no resource behind when the client aborts mid-upload', async () => {
      const d = await dataset();
      await abortedMultipart(t, '/api/3/action/resource_create', editor.token, { package_id: d.id }, 'abbruch.csv', Buffer.alloc(256 * 1024, 0x42));
      // The server notices the closed connection; give it a moment to clean up.
      for (let i = 0; i < 50 && (await keys('tmp/')).length; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await keys('tmp/')).toEqual([]);
      expect((await request(t.http).get(`/api/3/action/package_show?id=${d.id}`).set('Authorization', editor.token)).body.result.num_resources).toBe(0);
    });

    it('replaces a file with resource_patch and resource_update, removing the old one', async () => {
      const d = await dataset();
      const r = (await upload('resource_create', { package_id: d.id, name: 'Werte' }, CSV, 'werte.csv')).body.result;
      const [oldKey] = await keys(`resources/${r.id}/`);
      const patched = (await upload('resource_patch', { id: r.id }, PDF, 'werte.pdf')).body.result;
      expect(patched).toMatchObject({ id: r.id, name: 'Werte', size: PDF.length, hash: sha256(PDF), mimetype: 'application/pdf', url_type: 'upload' });
      expect(patched.url).toMatch(/\/download\/werte\.pdf$/);
      expect(binary(await bytes(download(patched.url))).equals(PDF)).toBe(true);
      const now = await keys(`resources/${r.id}/`);
      expect(now).toHaveLength(1);
      expect(now[0]).not.toBe(oldKey);

      const updated = (await upload('resource_update', { id: r.id, name: 'Neu' }, CSV, 'neu.csv')).body.result;
      expect(updated).toMatchObject({ name: 'Neu', size: CSV.length, mimetype: 'text/csv' });
      expect(binary(await bytes(download(updated.url))).equals(CSV)).toBe(true);
      expect(await keys(`resources/${r.id}/`)).toHaveLength(1);
      // A client sending the dict back (with its absolute download URL) keeps the file.
      const again = await request(t.http).post('/api/3/action/resource_update').set('Authorization', editor.token).send({ ...updated, name: 'Wieder' });
      expect(again.body.result).toMatchObject({ url: updated.url, url_type: 'upload', name: 'Wieder' });
      expect(binary(await bytes(download(updated.url))).equals(CSV)).toBe(true);
    });

    it('turns an upload back into a link with clear_upload, removing the file', async () => {
      const d = await dataset();
      const r = (await upload('resource_create', { package_id: d.id }, CSV, 'werte.csv')).body.result;
      const res = await request(t.http).post('/api/3/action/resource_patch').set('Authorization', editor.token)
        .send({ id: r.id, clear_upload: true, url: 'https://daten.example/werte.csv' });
      expect(res.body.result).toMatchObject({ url_type: '', url: 'https://daten.example/werte.csv' });
      expect(await keys(`resources/${r.id}/`)).toEqual([]);
      expect((await request(t.http).get(new URL(r.url).pathname)).status).toBe(302);
    });

    it('removes stored files on resource_delete, on a package_update that drops them, and on dataset_purge', async () => {
      const d = await dataset();
      const a = (await upload('resource_create', { package_id: d.id }, CSV, 'a.csv')).body.result;
      const b = (await upload('resource_create', { package_id: d.id }, CSV, 'b.csv')).body.result;
      const c = (await upload('resource_create', { package_id: d.id }, CSV, 'c.csv')).body.result;
      await request(t.http).post('/api/3/action/resource_delete').set('Authorization', editor.token).send({ id: a.id }).expect(200);
      expect(await keys(`resources/${a.id}/`)).toEqual([]);
      expect((await download(a.url)).status).toBe(404);

      const shown = (await request(t.http).get(`/api/3/action/package_show?id=${d.id}`).set('Authorization', editor.token)).body.result;
      await request(t.http).post('/api/3/action/package_update').set('Authorization', editor.token)
        .send({ ...shown, resources: shown.resources.filter((r: Dict) => r.id !== b.id) }).expect(200);
      expect(await keys(`resources/${b.id}/`)).toEqual([]);
      expect(await keys(`resources/${c.id}/`)).toHaveLength(1);

      await request(t.http).post('/api/3/action/dataset_purge').set('Authorization', t.sysadmin.token).send({ id: d.id }).expect(200);
      expect(await keys(`resources/${c.id}/`)).toEqual([]);
      expect((await showResource(c.id)).success).toBe(false);
    });

    it('finishes moving an upload into place after a crash, and serves it meanwhile', async () => {
      const d = await dataset();
      const r = (await upload('resource_create', { package_id: d.id }, CSV, 'werte.csv')).body.result;
      const [key] = await keys(`resources/${r.id}/`);
      // As if the process had died between the commit and the move: the file still under its temporary key, the task still filed.
      const temp = `tmp/${key.split('/').pop()}`;
      await storage.move(key, temp);
      await t.db.dataSource.query(`INSERT INTO upload_task (kind, key, temp_key) VALUES ('publish', $1, $2)`, [key, temp]);
      expect(binary(await bytes(download(r.url))).equals(CSV)).toBe(true);
      // The sweep is a job scheduled every minute; run it now, as the one process that takes the tick would.
      const { SWEEP_JOB } = await import('../../src/catalog/resources/resource-files.service');
      const { JobQueue } = await import('../../src/jobs/job-queue');
      const jobs = t.app.get(JobQueue);
      const [schedule] = await t.db.dataSource.query(`SELECT cron FROM pgboss.schedule WHERE name = $1`, [SWEEP_JOB]);
      expect(schedule).toEqual({ cron: '* * * * *' });
      const id = await jobs.enqueue(SWEEP_JOB, {});
      while ((await jobs.status(SWEEP_JOB, id))?.state !== 'completed') await new Promise((r) => setTimeout(r, 50));
      expect(await keys(`resources/${r.id}/`)).toEqual([key]);
      expect(await keys('tmp/')).toEqual([]);
      expect(binary(await bytes(download(r.url))).equals(CSV)).toBe(true);
    });
  });
}

/** A multipart upload written by hand in chunks without a Content-Length (Transfer-Encoding: chunked). */
async function rawMultipart(
  t: TestApp, path: string, token: string, fields: Record<string, string>, filename: string, chunks: Buffer[],
): Promise<{ status: number; body: string }> {
  const port = await listening(t);
  const boundary = '----catalogtest';
  const head = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('')
    + `--${boundary}\r\nContent-Disposition: form-data; name="upload"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n`;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ port, host: '127.0.0.1', path, method: 'POST', headers: { authorization: token, 'content-type': `multipart/form-data; boundary=${boundary}`, 'transfer-encoding': 'chunked' } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.write(head);
    for (const c of chunks) req.write(c);
    req.end(`\r\n--${boundary}--\r\n`);
  });
}

/** Sends the fields and part of a file, then drops the connection. */
async function abortedMultipart(t: TestApp, path: string, token: string, fields: Record<string, string>, filename: string, part: Buffer): Promise<void> {
  const port = await listening(t);
  const boundary = '----catalogabort';
  const head = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('')
    + `--${boundary}\r\nContent-Disposition: form-data; name="upload"; filename="${filename}"\r\n\r\n`;
  await new Promise<void>((resolve) => {
    const req = httpRequest({ port, host: '127.0.0.1', path, method: 'POST', headers: { authorization: token, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + part.length * 4) } });
    req.on('error', () => resolve());
    req.write(head);
    req.write(part, () => setTimeout(() => {
      req.destroy();
      resolve();
    }, 200));
  });
}

async function listening(t: TestApp): Promise<number> {
  const server = t.http;
  if (!server.listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as AddressInfo).port;
}
