import { HarvestRunner } from '../../src/harvest/harvest-runner';
import { TestApp } from '../test-app';
import { freePort } from '../free-port';

/**
 * A county platform harvests a town's platform: two instances of this service, each with its own database, the town
 * listening on a real loopback port (its SITE_URL, so its DCAT IRIs and hydra paging links point back at it). The
 * county runs ckanext-harvest's actions with the real plug-ins: the CKAN harvester over the town's action API, then the
 * DCAT-AP harvester over its /catalog.ttl, which offers the same datasets under the same identifiers.
 */
type Dict = Record<string, unknown>;
type Report = { status: string; stats: Record<string, number>; gather_errors: { message: string }[]; object_errors: Record<string, unknown> };


describe('a county platform harvesting a town platform (two instances, real plug-ins)', () => {
  let town: TestApp;
  let county: TestApp;
  let townUrl: string;
  let townOrg: Dict;
  let kreis: Dict;
  const towns: Dict[] = [];
  let privateOne: Dict;

  beforeAll(async () => {
    const port = await freePort();
    townUrl = `http://127.0.0.1:${port}`;
    town = await TestApp.start({ SITE_URL: townUrl, DCAT_PAGE_SIZE: '3' });
    await new Promise<void>((resolve) => town.http.listen(port, '127.0.0.1', resolve));
    townOrg = await town.factories.organization({ name: 'stadt-speyer', title: 'Stadt Speyer' });
    for (let i = 0; i < 6; i++) {
      towns.push(await town.factories.dataset({
        owner_org: String(townOrg.id), title: `Haushalt ${2020 + i}`, notes: 'Haushaltsplan der Stadt Speyer.', license_id: 'dl-by-de/2.0',
        tags: [{ name: 'Haushalt' }], extras: i < 2 ? [{ key: 'identifier', value: `urn:de:rp:speyer:haushalt-${2020 + i}` }] : [],
        resources: [{ url: `https://www.speyer.de/haushalt-${2020 + i}.csv`, format: 'CSV', name: 'Haushalt (CSV)' }],
      }));
    }
    privateOne = await town.factories.dataset({ owner_org: String(townOrg.id), private: true, title: 'Interne Liste' });
    await town.searchIndexed();
    county = await TestApp.start({ HARVEST_ALLOW_PRIVATE_ADDRESSES: 'true' });
    kreis = await county.factories.organization({ name: 'kreis', title: 'Rhein-Pfalz-Kreis' });
  });
  afterAll(async () => {
    await county?.stop();
    await town?.stop();
  });

  /** Runs the job here (as the CLI does); when the county's queue worker took it first, waits until it has ended. */
  const harvest = async (sourceId: string): Promise<Report> => {
    const job = await county.call<Dict>('harvest_job_create', { source_id: sourceId });
    await county.app.get(HarvestRunner).run(job.id as string);
    for (let i = 0; i < 300; i++) {
      const report = await county.call<Report>('harvest_job_report', { id: job.id });
      if (report.status === 'Finished' || report.status === 'Aborted') return report;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`harvest job ${String(job.id)} did not end`);
  };
  const harvested = async (): Promise<Dict[]> => {
    await county.searchIndexed();
    return (await county.call<{ results: Dict[] }>('package_search', { q: '*:*', rows: 100, include_private: true })).results;
  };
  const extra = (d: Dict, key: string): unknown => (d.extras as { key: string; value: unknown }[]).find((e) => e.key === key)?.value;

  let ckanSource: Dict;

  it('takes every public dataset of the town over its CKAN API, with resources as links and identifiers unchanged, and none of its private ones', async () => {
    ckanSource = await county.call<Dict>('harvest_source_create', { name: 'speyer-ckan', title: 'Speyer (CKAN)', url: `${townUrl}/`, source_type: 'ckan', owner_org: kreis.id });
    const report = await harvest(String(ckanSource.id));
    expect(report).toMatchObject({ status: 'Finished', stats: { added: 6, updated: 0, deleted: 0, errored: 0 }, gather_errors: [] });
    const got = await harvested();
    expect(got.map((d) => d.title).sort()).toEqual(towns.map((d) => d.title).sort());
    expect(got.map((d) => d.title)).not.toContain(privateOne.title);
    const first = got.find((d) => d.title === 'Haushalt 2020')!;
    expect(extra(first, 'identifier')).toBe('urn:de:rp:speyer:haushalt-2020');
    expect(extra(first, 'harvest_source_id')).toBe(ckanSource.id);
    expect(first.owner_org).toBe(kreis.id);
    // As with ckanext-harvest, package_search shows harvest sources only when asked for them.
    const sources = await county.call<{ results: Dict[] }>('package_search', { fq: '+dataset_type:harvest' });
    expect(sources.results.map((d) => d.name)).toEqual(['speyer-ckan']);
    expect((first.resources as Dict[]).map((r) => [r.url, r.format])).toEqual([['https://www.speyer.de/haushalt-2020.csv', 'CSV']]);
  });

  it('brings over only what changed at the town on the next run: one changed, one new, one withdrawn', async () => {
    await town.call('package_patch', { id: towns[2].id, title: 'Haushalt 2022 (Nachtrag)' });
    await town.call('package_delete', { id: towns[3].id });
    const added = await town.factories.dataset({ owner_org: String(townOrg.id), title: 'Haushalt 2026', license_id: 'dl-by-de/2.0' });
    await town.searchIndexed();
    const report = await harvest(String(ckanSource.id));
    expect(report).toMatchObject({ status: 'Finished', stats: { added: 1, updated: 1, deleted: 1, errored: 0 }, gather_errors: [] });
    const titles = (await harvested()).map((d) => d.title);
    expect(titles).toEqual(expect.arrayContaining(['Haushalt 2022 (Nachtrag)', added.title]));
    expect(titles).not.toContain(towns[3].title);
    expect(titles).not.toContain('Haushalt 2022');
    expect(titles).toHaveLength(6);
  });

  let dcatSource: Dict;

  it('keeps a dataset the town also offers as DCAT-AP once: the DCAT source finds every identifier held already', async () => {
    dcatSource = await county.call<Dict>('harvest_source_create', { name: 'speyer-dcat', title: 'Speyer (DCAT)', url: `${townUrl}/catalog.ttl`, source_type: 'dcat_rdf', owner_org: kreis.id });
    const report = await harvest(String(dcatSource.id));
    expect(report).toMatchObject({ status: 'Finished', stats: { added: 0, errored: 0 }, gather_errors: [] });
    expect(await harvested()).toHaveLength(6);
  });

  it('takes the town over DCAT-AP alone once the CKAN source is cleared, then only what changed: one changed, one withdrawn', async () => {
    await county.call('harvest_source_clear', { id: ckanSource.id });
    const full = await harvest(String(dcatSource.id));
    expect(full).toMatchObject({ status: 'Finished', stats: { added: 6, updated: 0, deleted: 0, errored: 0 }, gather_errors: [] });
    const live = (await town.call<{ results: Dict[] }>('package_search', { q: '*:*', rows: 100 })).results;
    const [changed, withdrawn] = live.filter((d) => String(d.title).startsWith('Haushalt 202'));
    await town.call('package_patch', { id: changed.id, notes: 'Haushaltsplan, zweite Lesung.' });
    await town.call('package_delete', { id: withdrawn.id });
    await town.searchIndexed();
    const next = await harvest(String(dcatSource.id));
    expect(next).toMatchObject({ status: 'Finished', stats: { added: 0, updated: 1, deleted: 1, 'not modified': 4, errored: 0 }, gather_errors: [] });
    const got = await harvested();
    expect(got).toHaveLength(5);
    expect(got.find((d) => d.title === changed.title)).toMatchObject({ notes: 'Haushaltsplan, zweite Lesung.' });
    expect(got.map((d) => d.title)).not.toContain(withdrawn.title);
    // The DCAT copies name their source, and identifiers passed on unchanged.
    expect(got.every((d) => extra(d, 'harvest_source_id') === dcatSource.id)).toBe(true);
    for (const d of live.filter((x) => x.id !== withdrawn.id && extra(x, 'identifier'))) {
      expect(extra(got.find((x) => x.title === d.title)!, 'identifier')).toBe(extra(d, 'identifier'));
    }
  });

  it('refuses the town\'s address when private addresses are not allowed, and says so in the report', async () => {
    const strict = await TestApp.start();
    try {
      const org = await strict.factories.organization();
      const s = await strict.call<Dict>('harvest_source_create', { name: 'speyer', url: `${townUrl}/`, source_type: 'ckan', owner_org: org.id });
      const job = await strict.call<Dict>('harvest_job_create', { source_id: s.id });
      await strict.app.get(HarvestRunner).run(job.id as string);
      const report = await strict.call<Report>('harvest_job_report', { id: job.id });
      expect(report.stats).toMatchObject({ added: 0 });
      expect(report.gather_errors.map((e) => e.message).join(' ')).toMatch(/nicht öffentlich|not public|private/i);
    } finally {
      await strict.stop();
    }
  });
});
