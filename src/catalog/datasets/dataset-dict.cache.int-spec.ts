import request from 'supertest';
import { createLogger } from '../../common/logger';
import { createHttpApp } from '../../http';
import { TestApp } from '../../../test/test-app';
import type { AppConfig } from '../../config/env';
import { DatasetChanges } from './dataset-changes';
import { CachedDataset, DatasetDictCache } from './dataset-dict.cache';

/**
 * package_show answers from memory, yet never stale: a write through one process is seen at once
 * by that process and, once committed, by every other process on the same database.
 */
describe('the package_show dict cache', () => {
  let t: TestApp;
  let second: Awaited<ReturnType<typeof createHttpApp>>;
  let orgId: string;

  beforeAll(async () => {
    t = await TestApp.start();
    orgId = (await t.factories.organization()).id;
    // A second server process on the same database, as in a multi-instance deployment.
    second = await createHttpApp({ config: t.config, logger: createLogger('silent'), database: { poolSize: 2 } });
  });
  afterAll(async () => {
    await second.close();
    await t.stop();
  });

  const show = (app: { getHttpServer(): unknown }, id: string) =>
    request(app.getHttpServer() as Parameters<typeof request>[0]).get(`/api/3/action/package_show?id=${id}`).then((r) => r.body.result);

  it('serves repeated reads from memory', async () => {
    const d = await t.factories.dataset({ owner_org: orgId });
    await show(t.app, d.name);
    const cache = t.app.get(DatasetDictCache);
    expect(cache.get(d.name)?.id).toBe(d.id);
    expect(cache.get(d.id)?.name).toBe(d.name);
  });

  it('shows a write at once in the writing process', async () => {
    const d = await t.factories.dataset({ owner_org: orgId, title: 'Vorher' });
    expect((await show(t.app, d.id)).title).toBe('Vorher');
    await request(t.http).post('/api/3/action/package_patch').set('Authorization', t.sysadmin.token).send({ id: d.id, title: 'Nachher' });
    expect((await show(t.app, d.id)).title).toBe('Nachher');
  });

  it('shows a committed write in another process', async () => {
    const d = await t.factories.dataset({ owner_org: orgId, title: 'Alt' });
    expect((await show(second, d.id)).title).toBe('Alt');
    await t.call('package_patch', { id: d.id, title: 'Neu' });
    const deadline = Date.now() + 5000;
    let title = '';
    while (Date.now() < deadline && (title = (await show(second, d.id)).title) !== 'Neu') await new Promise((r) => setTimeout(r, 20));
    expect(title).toBe('Neu');
  });

  it('never serves a private dataset from memory to someone who may not read it', async () => {
    const d = await t.factories.dataset({ owner_org: orgId, private: true });
    await request(t.http).get(`/api/3/action/package_show?id=${d.id}`).set('Authorization', t.sysadmin.token);
    const anon = await request(t.http).get(`/api/3/action/package_show?id=${d.id}`);
    expect(anon.status).toBe(403);
    expect(JSON.stringify(anon.body)).not.toContain('Pegelstände');
  });

  it('drops a dict whose load overlapped a write, instead of storing a stale one', () => {
    const cache = t.app.get(DatasetDictCache);
    const stamp = cache.stamp();
    cache.evict(['00000000-0000-4000-8000-000000000000']);
    const entry = { id: '11111111-0000-4000-8000-000000000000', name: 'stale', visibility: { id: '11111111-0000-4000-8000-000000000000', ownerOrg: null, isPrivate: false, state: 'active', creatorUserId: null, accessLevel: 'public', sharedWith: [], sharedEdit: [] }, related: [], utf8: Buffer.from('{}'), response: Buffer.from('{"result":{}}') };
    cache.put(entry, stamp);
    expect(cache.get('stale')).toBeUndefined();
    cache.put(entry, cache.stamp());
    expect(cache.get('stale')).toBeDefined();
  });
});

describe('the package_show dict cache under memory pressure', () => {
  const entry = (name: string): CachedDataset => {
    const response = Buffer.alloc(1024, 'x');
    return { id: `id-${name}`, name, visibility: { id: `id-${name}`, ownerOrg: null, isPrivate: false, state: 'active', creatorUserId: null, accessLevel: 'public', sharedWith: [], sharedEdit: [] }, related: [], utf8: response.subarray(10, 1000), response };
  };

  it('keeps a dataset that is read all the time, and lets go of those nobody reads', () => {
    // About eight 1 KiB entries fit; the change feed is live, so the cache is in use.
    const changes = { live: true, onChange: () => undefined } as unknown as DatasetChanges;
    const cache = new DatasetDictCache(changes, { PACKAGE_CACHE_MB: 10_000 / (1024 * 1024) } as AppConfig);
    for (let i = 0; i < 8; i++) cache.put(entry(`old-${i}`), cache.stamp());
    const hot = 'old-0';
    for (let i = 0; i < 40; i++) {
      expect(cache.get(hot)?.name).toBe(hot);
      cache.put(entry(`new-${i}`), cache.stamp());
    }
    expect(cache.get(hot)?.name).toBe(hot);
    for (let i = 1; i < 8; i++) expect(cache.get(`old-${i}`)).toBeUndefined();
    expect(cache.get('new-39')?.name).toBe('new-39');
  });
});
