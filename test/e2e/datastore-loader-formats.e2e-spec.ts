import request from 'supertest';
import { TestApp } from '../test-app';

type Dict = Record<string, unknown>;
const CSV = 'Messstelle;Wasserstand cm\nSpeyer;412\nMaxau;538\n';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** LOADER_FORMATS (ckanext.xloader.formats): which tables load on their own; xloader_submit loads any table the loader reads. */
describe('the DataStore loader with LOADER_FORMATS=xlsx', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start({ LOADER_FORMATS: 'xlsx' });
  });
  afterAll(() => t.stop());

  it('does not load a CSV upload on its own, and loads it on xloader_submit', async () => {
    const org = await t.factories.organization();
    const d = await t.factories.dataset({ owner_org: org.id });
    const res = await request(t.http).post('/api/3/action/resource_create').set('Authorization', t.sysadmin.token)
      .field('package_id', d.id).field('format', 'CSV').attach('upload', Buffer.from(CSV), { filename: 'pegel.csv', contentType: 'text/csv' });
    expect(res.status).toBe(200);
    const id = res.body.result.id as string;
    const before = await request(t.http).get(`/api/3/action/xloader_status?resource_id=${id}`).set('Authorization', t.sysadmin.token);
    expect(before.status).toBe(404);

    await t.call('xloader_submit', { resource_id: id });
    let status: Dict = {};
    while (status.status !== 'complete' && status.status !== 'error') {
      await sleep(100);
      status = await t.call<Dict>('xloader_status', { resource_id: id });
    }
    expect(status.status).toBe('complete');
    const found = await t.call<{ records: Dict[] }>('datastore_search', { resource_id: id });
    expect(found.records).toEqual([{ _id: 1, Messstelle: 'Speyer', 'Wasserstand cm': 412 }, { _id: 2, Messstelle: 'Maxau', 'Wasserstand cm': 538 }]);
  });
});
