import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

const MIMETYPE_RULE = 'Must be one media type: type/subtype, optionally followed by ;name=value parameters (e.g. text/csv; charset=utf-8)';
const HTML = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>\n', 'utf8');
const CSV = Buffer.from('datum;pegel_cm\n2025-05-01;312\n', 'utf8');

/**
 * A resource's `mimetype` is what an editor types, and the download route sends it as Content-Type: it must be
 * one well-formed media type when written, and the download decides inline or attachment from its parsed value.
 */
describe('resource mimetype', () => {
  let t: TestApp;
  let editor: TestUser;
  let orgId: string;

  beforeAll(async () => {
    t = await TestApp.start();
    editor = await t.factories.user();
    orgId = (await t.factories.organization({ members: [[editor, 'editor']] })).id;
  });
  afterAll(() => t.stop());

  const post = (action: string, body: object) => request(t.http).post(`/api/3/action/${action}`).set('Authorization', editor.token).send(body);
  const dataset = async (): Promise<{ id: string; name: string }> => (await post('package_create', { name: `d-${Math.random().toString(36).slice(2, 10)}`, owner_org: orgId })).body.result;
  const upload = async (datasetId: string, file: Buffer, filename: string): Promise<{ id: string }> => {
    const res = await request(t.http).post('/api/3/action/resource_create').set('Authorization', editor.token)
      .field('package_id', datasetId).attach('upload', file, { filename, contentType: 'application/octet-stream' });
    expect(res.status).toBe(200);
    return res.body.result;
  };
  const download = (datasetId: string, resourceId: string) => request(t.http).get(`/dataset/${datasetId}/resource/${resourceId}/download`);
  /** A value stored before writes were checked (or by a direct database edit). */
  const storeRaw = (resourceId: string, mimetype: string) => t.db.dataSource.query(`UPDATE resource SET mimetype = $2 WHERE id = $1`, [resourceId, mimetype]);

  describe('on write', () => {
    const bad: [string, string][] = [
      [' text/html', 'Must not start or end with whitespace'],
      ['text/html ', 'Must not start or end with whitespace'],
      ['text/plain, text/html', MIMETYPE_RULE],
      ['text/html\r\nX-Injected: 1', 'Must not contain line breaks or other control characters'],
      ['text/plain; a="\u000b"', 'Must not contain line breaks or other control characters'],
      ['html', MIMETYPE_RULE],
      ['text/plain;', MIMETYPE_RULE],
    ];

    it.each(bad)('refuses %j with a field error on mimetype (409) and writes nothing', async (mimetype, message) => {
      const d = await dataset();
      const created = await post('resource_create', { package_id: d.id, url: 'https://example.org/x', mimetype });
      expect(created.status).toBe(409);
      expect(created.body).toMatchObject({ success: false, error: { __type: 'Validation Error', mimetype: [message] } });
      expect((await t.call<{ resources: unknown[] }>('package_show', { id: d.id })).resources).toEqual([]);

      const inPackage = await post('package_create', { name: `p-${Math.random().toString(36).slice(2, 10)}`, owner_org: orgId, resources: [{ url: 'https://example.org/y', mimetype }] });
      expect(inPackage.status).toBe(409);
      expect(inPackage.body.error.resources).toEqual([{ mimetype: [message] }]);
    });

    it('keeps a well-formed media type exactly as written, parameters and case included', async () => {
      const d = await dataset();
      for (const mimetype of ['text/csv', 'Text/CSV; charset=UTF-8', 'image/tiff; application=geotiff', 'text/plain;format="fixed width"', '']) {
        const res = await post('resource_create', { package_id: d.id, url: 'https://example.org/x', mimetype });
        expect(res.status).toBe(200);
        expect(res.body.result.mimetype).toBe(mimetype);
      }
    });

    it('refuses an editor’s bad mimetype on resource_patch of an uploaded file', async () => {
      const d = await dataset();
      const r = await upload(d.id, CSV, 'werte.csv');
      const res = await post('resource_patch', { id: r.id, mimetype: 'text/plain, text/html' });
      expect(res.status).toBe(409);
      expect(res.body.error.mimetype).toEqual([MIMETYPE_RULE]);
    });
  });

  describe('on download', () => {
    it('serves a file whose mimetype names an HTML type in any spelling as an attachment', async () => {
      const d = await dataset();
      const r = await upload(d.id, HTML, 'seite.html');
      for (const mimetype of ['TEXT/HTML; charset=utf-8', 'application/rss+xml', 'image/svg+xml']) {
        await storeRaw(r.id, mimetype);
        const res = await download(d.id, r.id);
        expect(res.status).toBe(200);
        expect(res.headers['content-disposition']).toMatch(/^attachment;/);
      }
    });

    it('serves a stored mimetype that is not one media type as application/octet-stream attachment, never as 500', async () => {
      const d = await dataset();
      const r = await upload(d.id, HTML, 'seite.html');
      for (const mimetype of [' text/html', 'text/plain, text/html', 'text/html\r\nX-Injected: 1', 'text/plain; a="\u000b"', 'text/plain; charset=ü']) {
        await storeRaw(r.id, mimetype);
        const res = await download(d.id, r.id);
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toBe('application/octet-stream');
        expect(res.headers['content-disposition']).toMatch(/^attachment;/);
        expect(res.headers['x-injected']).toBeUndefined();
      }
    });

    it('serves a harmless type inline with its parameters', async () => {
      const d = await dataset();
      const r = await upload(d.id, CSV, 'werte.csv');
      await storeRaw(r.id, 'text/csv; charset=utf-8');
      const res = await download(d.id, r.id);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toBeUndefined();
    });
  });
});
