import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { CkanHarvester } from '../../harvesters/ckan/ckan.harvester';
import { gatherOk, testRun } from '../../harvesters/testing/test-run';
import type { Dict } from '../../src/harvest/harvester';
import { TestApp } from '../test-app';

/**
 * The CKAN harvester pointed at this service over HTTP: our package_search answers what ckanext-harvest's CKAN
 * harvester asks (sort=id asc, start paging, fl=id, metadata_modified ranges with six fractional digits).
 */
describe('the CKAN harvester reads this service as a remote CKAN', () => {
  let t: TestApp;
  let base: string;
  let orgId: string;
  const publicIds: string[] = [];
  let changed: Dict;
  let lastRun: string;
  // Three rows a page, so seven datasets take several pages.
  const harvester = new CkanHarvester(3);

  beforeAll(async () => {
    t = await TestApp.start();
    const org = await t.factories.organization({ name: 'stadt-speyer', title: 'Stadt Speyer', description: 'Die Stadt am Rhein' });
    orgId = org.id;
    for (let i = 1; i <= 7; i++) {
      const d = await t.factories.dataset({
        owner_org: orgId, name: `pegel-${i}`, title: `Pegel ${i}`, metadata_modified: `2024-01-0${i}T10:00:00.123456`,
        extras: i === 2 ? [{ key: 'identifier', value: 'https://daten.speyer.de/id/pegel-2' }] : [],
        resources: [{ url: `https://pegel.speyer.de/${i}.csv`, format: 'CSV', name: `Pegel ${i}` }],
        tags: [{ name: 'Wasser' }],
      });
      publicIds.push(d.id);
    }
    await t.factories.dataset({ owner_org: orgId, name: 'intern', private: true });
    const gone = await t.factories.dataset({ owner_org: orgId, name: 'geloescht' });
    await t.call('package_delete', { id: gone.id });
    await t.factories.dataset({ owner_org: orgId, name: 'entwurf', state: 'draft' });
    const pegel5 = publicIds[4];
    publicIds.sort();
    lastRun = new Date().toISOString();
    // pegel-5, never pegel-2, whose modification time a test below expects as created.
    changed = await t.call<Dict>('package_patch', { id: pegel5, notes: 'Neuer Messwert' });
    await t.searchIndexed();
    const server: Server = t.http.listening ? t.http : t.http.listen(0, '127.0.0.1');
    if (!server.listening) await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => t.stop());

  const run = (o: { since?: string | null; config?: Dict } = {}) => testRun({ url: `${base}/`, since: o.since ?? null, config: harvester.parseConfig(o.config ?? {}) });

  it('gathers exactly the public, active datasets, in id order over several pages, and says the listing is complete', async () => {
    // The last page held one dataset, so the empty page is asked at 7. The sysadmin's token as api_key: include_private is never sent, so the private dataset stays unseen.
    const r = run({ config: { api_key: t.sysadmin.token } });
    const { records, present, complete } = await gatherOk(harvester, r);
    expect(r.requests.map((q) => q.url.slice(base.length))).toEqual([0, 3, 6, 7].map((start) => `/api/3/action/package_search?rows=3&start=${start}&sort=id+asc`));
    expect(records.map((x) => x.guid)).toEqual(publicIds);
    expect(present).toEqual(publicIds);
    expect(complete).toBe(true);
  });

  it('gives each record its identity and modification time as package_show has them', async () => {
    const { records } = await gatherOk(harvester, run());
    const two = records.find((r) => (r.data as Dict).name === 'pegel-2')!;
    expect(two.identifier).toBe('https://daten.speyer.de/id/pegel-2');
    expect(two.modified).toBe('2024-01-02T10:00:00.123456Z');
    // A dataset without an identifier extra (ids are random, so pegel-2 may sort first): its remote id is its identity.
    const first = records.find((r) => (r.data as Dict).name !== 'pegel-2')!;
    const shown = await t.call<Dict>('package_show', { id: first.guid });
    expect(first.identifier).toBe(first.guid);
    expect(first.modified).toBe(`${String(shown.metadata_modified)}Z`);
  });

  it('on an incremental run lists every id with fl=id and asks only what changed since the last run', async () => {
    const r = run({ since: lastRun });
    const { records, present, complete } = await gatherOk(harvester, r);
    const urls = r.requests.map((q) => new URL(q.url).searchParams);
    expect(urls.map((q) => q.get('fl'))).toEqual(['id', 'id', 'id', 'id', null, null]);
    expect(urls[4].get('fq')).toMatch(/^metadata_modified:\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z TO \*\]$/);
    expect(present).toEqual(publicIds);
    expect(complete).toBe(true);
    expect(records.map((r) => r.guid)).toEqual([changed.id]);
    expect(records[0].modified).toBe(`${String(changed.metadata_modified)}Z`);
  });

  it('maps a dataset of this service to a package dict this service accepts', async () => {
    const { records } = await gatherOk(harvester, run({ config: { remote_orgs: 'only_local' } }));
    const decision = await harvester.toPackage(records[1], run({ config: { remote_orgs: 'only_local' } }));
    if (decision.action !== 'import') throw new Error(decision.reason);
    expect(decision.remoteOrganization).toEqual({ name: 'stadt-speyer', title: 'Stadt Speyer', description: 'Die Stadt am Rhein' });
    const copy = await t.call<Dict>('package_create', { ...decision.package, name: `kopie-${String(decision.package.name)}`, owner_org: orgId });
    const original = records[1].data as Dict;
    expect(copy).toMatchObject({ title: original.title, tags: [expect.objectContaining({ name: 'Wasser' })], private: false });
    expect((copy.resources as Dict[]).map((r) => [r.url, r.format, r.name])).toEqual((original.resources as Dict[]).map((r) => [r.url, r.format, r.name]));
  });
});
