import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DcatRdfHarvester } from '../../harvesters/dcat-rdf/dcat-rdf.harvester';
import { extrasOf, gatherAll, testRun } from '../../harvesters/testing/test-run';
import { DcatCatalogParser } from '../../src/dcat/catalog-parser';
import type { Dict, RemoteRecord } from '../../src/harvest/harvester';
import { TestApp } from '../test-app';

/**
 * The DCAT harvester against a second instance of this service: its /catalog.ttl, paged (two datasets a page), read
 * through the plug-in as a county platform would. The instance's SITE_URL (http://catalog.test) is where its IRIs and
 * paging links point; the run's fetch sends that host to the instance's port (the guarded fetch is the runner's).
 */
describe('harvesting our own DCAT catalog', () => {
  let t: TestApp;
  let server: Server;
  let publicOnes: Dict[];
  let privateOne: Dict;
  const parser = new DcatCatalogParser();
  const harvester = new DcatRdfHarvester();

  beforeAll(async () => {
    t = await TestApp.start({ DCAT_PAGE_SIZE: '2' });
    const org = await t.factories.organization({ name: 'stadt-speyer', title: 'Stadt Speyer', extras: [{ key: 'contributorID', value: 'http://dcat-ap.de/def/contributors/openGovernmentDataPortalRheinlandPfalz' }] });
    publicOnes = [];
    for (let i = 0; i < 5; i++) {
      publicOnes.push(await t.factories.dataset({
        owner_org: String(org.id), title: `Haushalt ${2020 + i}`, notes: 'Haushaltsplan der Stadt.', license_id: 'dl-by-de/2.0', tags: [{ name: 'Haushalt' }],
        // Two of them carry an identifier from upstream, which must reach the next catalog unchanged.
        extras: i < 2 ? [{ key: 'identifier', value: `urn:de:rp:speyer:haushalt-${2020 + i}` }] : [],
        resources: [{ url: `https://www.speyer.de/haushalt-${2020 + i}.csv`, format: 'CSV', name: 'Haushalt (CSV)' }],
        author: 'Kämmerei', author_email: 'kaemmerei@speyer.de', maintainer: 'Open-Data-Team', maintainer_email: 'opendata@speyer.de',
      }));
    }
    privateOne = await t.factories.dataset({ owner_org: String(org.id), private: true, title: 'Interne Liste', license_id: 'dl-zero-de/2.0' });
    server = t.http.listening ? t.http : t.http.listen(0);
    await new Promise((resolve) => (server.listening ? resolve(undefined) : server.once('listening', resolve)));
  });
  afterAll(async () => {
    await t.stop();
  });

  const newRun = (): ReturnType<typeof testRun> => {
    const port = (server.address() as AddressInfo).port;
    return testRun({
      url: 'http://catalog.test/catalog.ttl', config: harvester.parseConfig({}), tools: parser,
      route: (u) => u.replace(/^http:\/\/catalog\.test/, `http://127.0.0.1:${port}`),
    });
  };

  it('lists exactly the public datasets, by their IRIs, over every page, with identifiers passed on unchanged', async () => {
    const run = newRun();
    const got = await gatherAll(harvester, run);
    expect(got.error).toBeUndefined();
    expect(got.complete).toBe(true);
    // Five public datasets at two a page: three pages, followed by hydra:next.
    expect(run.requests.map((r) => new URL(r.url).searchParams.get('page'))).toEqual([null, '2', '3']);
    const iri = (d: Dict): string => `http://catalog.test/dataset/${String(d.id)}`;
    expect(got.records.map((r) => r.guid).sort()).toEqual(publicOnes.map(iri).sort());
    expect(got.records.map((r) => r.guid)).not.toContain(iri(privateOne));
    expect(got.present.sort()).toEqual(publicOnes.map(iri).sort());
    const byGuid = new Map(got.records.map((r) => [r.guid, r]));
    for (const [i, d] of publicOnes.entries()) {
      const rec = byGuid.get(iri(d))!;
      // An identifier from upstream as it was; otherwise our catalog's own (the dataset's id), unchanged too.
      expect(rec.identifier).toBe(i < 2 ? `urn:de:rp:speyer:haushalt-${2020 + i}` : String(d.id));
      const decision = await harvester.toPackage(await harvester.fetch(rec, run), run);
      expect(decision.action).toBe('import');
      const pkg = (decision as { package: Dict }).package;
      expect(pkg).toMatchObject({ title: d.title, notes: d.notes, license_id: 'dl-by-de/2.0', tags: [{ name: 'Haushalt' }] });
      expect(extrasOf(pkg)).toMatchObject({ identifier: rec.identifier, uri: iri(d), contributorID: 'http://dcat-ap.de/def/contributors/openGovernmentDataPortalRheinlandPfalz' });
      expect((pkg.resources as Dict[]).map((r) => [r.url, r.format])).toEqual([[`https://www.speyer.de/haushalt-${2020 + i}.csv`, 'CSV']]);
      // CKAN's own fields come back as fields, not as extras package_create would refuse (the author through dct:creator).
      expect(pkg).toMatchObject({ maintainer_email: 'opendata@speyer.de', author: 'Kämmerei', author_email: 'kaemmerei@speyer.de' });
      const copy = await t.call<Dict>('package_create', { ...pkg, name: `kopie-${i}`, owner_org: String(publicOnes[0].owner_org), private: true });
      expect(copy).toMatchObject({ title: d.title, maintainer_email: 'opendata@speyer.de', author: 'Kämmerei', author_email: 'kaemmerei@speyer.de' });
    }
    expect(run.progressReports.at(-1)).toEqual([5, 5]);
  });

  it('gives the runner the same content and modified for every unchanged dataset on the next run, and new ones for a changed dataset', async () => {
    // The content is what the runner keeps once it fetched a record (the listing brings identity and date only).
    const fetched = async (): Promise<RemoteRecord[]> => {
      const r = newRun();
      return Promise.all((await gatherAll(harvester, r)).records.map((x) => harvester.fetch(x, r)));
    };
    const before = new Map((await fetched()).map((r) => [r.guid, r]));
    const changed = publicOnes[3];
    await t.call('package_patch', { id: changed.id, notes: 'Haushaltsplan der Stadt, zweite Fassung.' });
    const after = await fetched();
    expect(after).toHaveLength(5);
    const differing = after.filter((r) => r.content !== before.get(r.guid)!.content || r.modified !== before.get(r.guid)!.modified).map((r) => r.guid);
    expect(differing).toEqual([`http://catalog.test/dataset/${String(changed.id)}`]);
  });
});
