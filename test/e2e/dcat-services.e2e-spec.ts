import type { Quad } from '@rdfjs/types';
import { Parser as N3Parser } from 'n3';
import request from 'supertest';
import { HarvestRunner } from '../../src/harvest/harvest-runner';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';
import { freePort } from '../free-port';

/**
 * DCAT-AP 3's data services and dataset series through the API, the catalog endpoint and a second instance's DCAT
 * harvester: a town publishes a series of budgets with a member (named by the series' name), a geodata set with a WMS
 * resource and an access_services entry, and a standalone data service; a county harvests the town's /catalog.ttl and
 * keeps every relation (member → series, service → dataset), resolved to its own copies by their identifiers.
 */
type Dict = Record<string, unknown>;
type Report = { status: string; stats: Record<string, number>; gather_errors: { message: string }[]; object_errors: Record<string, unknown> };

const DCAT = 'http://www.w3.org/ns/dcat#';
const DCT = 'http://purl.org/dc/terms/';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
const POLYGON = { type: 'Polygon', coordinates: [[[8.38, 49.28], [8.47, 49.28], [8.47, 49.34], [8.38, 49.34], [8.38, 49.28]]] };


const objects = (quads: Quad[], s: string, p: string): string[] => quads.filter((q) => q.subject.value === s && q.predicate.value === p).map((q) => q.object.value).sort();
const extra = (d: Dict, key: string): unknown => (d.extras as { key: string; value: unknown }[]).find((e) => e.key === key)?.value;

describe('DCAT-AP 3 data services and dataset series (API, catalog, harvest between two instances)', () => {
  let town: TestApp;
  let county: TestApp;
  let townUrl: string;
  let editor: TestUser;
  let org: Dict;
  let series: Dict;
  let member: Dict;
  let geo: Dict;
  let service: Dict;

  beforeAll(async () => {
    const port = await freePort();
    townUrl = `http://127.0.0.1:${port}`;
    town = await TestApp.start({ SITE_URL: townUrl });
    await new Promise<void>((resolve) => town.http.listen(port, '127.0.0.1', resolve));
    editor = await town.factories.user();
    org = await town.factories.organization({ name: 'stadt-speyer', title: 'Stadt Speyer', members: [[editor, 'editor']], extras: [{ key: 'contact_email', value: 'open@speyer.de' }, { key: 'contributorID', value: 'http://dcat-ap.de/def/contributors/openGovernmentDataPortalRheinlandPfalz' }] });
    const common = { owner_org: org.id, license_id: 'dl-by-de/2.0', dcat_validation: 'enforce' };
    series = await town.call<Dict>('package_create', {
      // No identifier of its own: the catalog publishes its id as dct:identifier, and a harvester finds it by that.
      ...common, name: 'haushaltsplaene', title: 'Haushaltspläne', notes: 'Alle Haushaltspläne der Stadt.', type: 'dataset_series',
    });
    member = await town.call<Dict>('package_create', {
      ...common, name: 'haushalt-2025', title: 'Haushalt 2025', notes: 'Haushaltsplan 2025.', extras: [{ key: 'in_series', value: '["haushaltsplaene"]' }],
      resources: [{ url: 'https://www.speyer.de/haushalt-2025.csv', format: 'CSV', name: 'Haushalt (CSV)' }],
    });
    geo = await town.call<Dict>('package_create', {
      ...common, name: 'bebauungsplaene', title: 'Bebauungspläne', notes: 'Rechtskräftige Bebauungspläne.',
      extras: [{ key: 'spatial', value: JSON.stringify(POLYGON) }, { key: 'identifier', value: 'urn:speyer:bplan' }],
      resources: [
        { url: 'https://geo.speyer.de/wms/bplan?SERVICE=WMS&REQUEST=GetCapabilities', format: 'OGC:WMS', name: 'Bebauungspläne (WMS)' },
        {
          url: 'https://geo.speyer.de/bplan.geojson', format: 'GeoJSON', name: 'Bebauungspläne (GeoJSON)',
          access_services: [{ title: 'Geoportal WFS', endpoint_url: ['https://geo.speyer.de/wfs'], endpoint_description: 'https://geo.speyer.de/wfs?SERVICE=WFS&REQUEST=GetCapabilities', conforms_to: ['http://www.opengis.net/def/serviceType/ogc/wfs'] }],
        },
      ],
    });
    service = await town.call<Dict>('package_create', {
      ...common, name: 'geoportal-speyer', title: 'Geoportal Speyer (OGC API)', notes: 'Die Geodaten der Stadt als OGC API Features.', type: 'data_service',
      extras: [
        { key: 'endpoint_url', value: 'https://geo.speyer.de/ogcapi' }, { key: 'endpoint_description', value: 'https://geo.speyer.de/ogcapi/api' },
        { key: 'conforms_to', value: 'http://www.opengis.net/spec/ogcapi-features-1/1.0' }, { key: 'serves_dataset', value: 'bebauungsplaene' },
      ],
    });
    await town.searchIndexed();
    county = await TestApp.start({ HARVEST_ALLOW_PRIVATE_ADDRESSES: 'true' });
  });
  afterAll(async () => {
    await county?.stop();
    await town?.stop();
  });

  const catalog = async (app: TestApp, base: string): Promise<Quad[]> => {
    const res = await request(app.http).get('/catalog.ttl');
    expect(res.status).toBe(200);
    return new N3Parser({ baseIRI: `${base}/` }).parse(res.text) as Quad[];
  };

  it('stores the series, the member, the services as the client wrote them (enforced validation passed)', async () => {
    expect(series.type).toBe('dataset_series');
    expect(service.type).toBe('data_service');
    expect(extra(member, 'in_series')).toBe('["haushaltsplaene"]');
    const shown = await town.call<Dict>('package_show', { id: geo.id });
    expect((shown.resources as Dict[])[1].access_services).toEqual([expect.objectContaining({ endpoint_url: ['https://geo.speyer.de/wfs'] })]);
  });

  it('publishes the series as a dcat:DatasetSeries, the member in it (by the series name), the services as the catalog\'s dcat:service', async () => {
    const q = await catalog(town, townUrl);
    const node = (d: Dict): string => `${townUrl}/dataset/${String(d.id)}`;
    expect(objects(q, node(series), RDF_TYPE)).toEqual([`${DCAT}Dataset`, `${DCAT}DatasetSeries`]);
    expect(objects(q, node(member), `${DCAT}inSeries`)).toEqual([node(series)]);
    expect(objects(q, node(service), RDF_TYPE)).toEqual([`${DCAT}DataService`]);
    expect(objects(q, node(service), `${DCAT}servesDataset`)).toEqual([node(geo)]);
    expect(objects(q, node(service), `${DCAT}endpointURL`)).toEqual(['https://geo.speyer.de/ogcapi']);
    const wms = `${node(geo)}/resource/${String((geo.resources as Dict[])[0].id)}#service`;
    expect(objects(q, wms, `${DCAT}endpointDescription`)).toEqual(['https://geo.speyer.de/wms/bplan?SERVICE=WMS&REQUEST=GetCapabilities']);
    expect(objects(q, wms, `${DCT}conformsTo`)).toEqual(['http://www.opengis.net/def/serviceType/ogc/wms']);
    const services = objects(q, townUrl, `${DCAT}service`);
    expect(services).toEqual(expect.arrayContaining([node(service), wms]));
    // The standalone service is the catalog's service, not one of its datasets.
    expect(objects(q, townUrl, `${DCAT}dataset`)).not.toContain(node(service));
    expect(objects(q, townUrl, `${DCAT}dataset`)).toContain(node(series));
  });

  describe('validation on write says what is broken', () => {
    const post = (body: Dict): request.Test => request(town.http).post('/api/3/action/package_create').set('Authorization', editor.token)
      .send({ owner_org: org.id, license_id: 'dl-by-de/2.0', notes: 'Beschreibung.', dcat_validation: 'enforce', ...body });

    it('in_series naming no series, or a dataset that is no series', async () => {
      const missing = await post({ name: 'haushalt-2030', title: 'Haushalt 2030', extras: [{ key: 'in_series', value: 'gibt-es-nicht' }] });
      expect(missing.status).toBe(409);
      expect(missing.body.error.__type).toBe('Validation Error');
      expect(missing.body.error.in_series.join(' ')).toMatch(/"gibt-es-nicht" names no dataset series/);
      const notSeries = await post({ name: 'haushalt-2031', title: 'Haushalt 2031', extras: [{ key: 'in_series', value: 'haushalt-2025' }] });
      expect(notSeries.status).toBe(409);
      expect(notSeries.body.error.in_series.join(' ')).toMatch(/is not a dataset series/);
      expect((await request(town.http).get('/api/3/action/package_show?id=haushalt-2030')).status).toBe(404);
    });

    it('a data service without endpoint_url, or serving nothing known', async () => {
      const res = await post({ name: 'dienst-ohne-adresse', title: 'Dienst ohne Adresse', type: 'data_service', extras: [{ key: 'serves_dataset', value: 'nirgendwo' }] });
      expect(res.status).toBe(409);
      expect(res.body.error.endpoint_url.join(' ')).toMatch(/endpointURL/);
      expect(res.body.error.serves_dataset.join(' ')).toMatch(/"nirgendwo" names no dataset/);
    });

    it('an access_services entry without endpoint_url, and access_services that are no list of objects', async () => {
      const res = await post({
        name: 'karte-kaputt', title: 'Karte', resources: [
          { url: 'https://x.de/a.geojson', format: 'GEOJSON', access_services: [{ title: 'Dienst' }] },
          { url: 'https://x.de/b.geojson', format: 'GEOJSON', access_services: 'kein JSON' },
        ],
      });
      expect(res.status).toBe(409);
      expect(res.body.error.resources[0].access_services.join(' ')).toMatch(/endpoint_url/);
      expect(res.body.error.resources[1].access_services.join(' ')).toMatch(/list of objects/);
    });

    it('a WMTS or OGC API resource is no unknown format (the EU table has no code for them)', async () => {
      const res = await post({ name: 'kacheln', title: 'Kacheln', resources: [{ url: 'https://geo.speyer.de/wmts', format: 'WMTS' }, { url: 'https://geo.speyer.de/ogcapi', format: 'OGC API - Features' }] });
      expect(res.status).toBe(200);
      expect(res.body.result.dcat_validation.findings.filter((f: Dict) => f.field === 'format')).toEqual([]);
    });
  });

  it('a county harvesting the town over /catalog.ttl keeps the series, its member and the service with what it serves', async () => {
    const kreis = await county.factories.organization({ name: 'kreis', title: 'Rhein-Pfalz-Kreis' });
    const source = await county.call<Dict>('harvest_source_create', { name: 'speyer-dcat', title: 'Speyer (DCAT)', url: `${townUrl}/catalog.ttl`, source_type: 'dcat_rdf', owner_org: kreis.id });
    const job = await county.call<Dict>('harvest_job_create', { source_id: source.id });
    await county.app.get(HarvestRunner).run(job.id as string);
    let report: Report | undefined;
    for (let i = 0; i < 300 && !report; i++) {
      const r = await county.call<Report>('harvest_job_report', { id: job.id });
      if (r.status === 'Finished' || r.status === 'Aborted') report = r;
      else await new Promise((res) => setTimeout(res, 100));
    }
    expect(report).toMatchObject({ status: 'Finished', stats: { errored: 0 }, gather_errors: [] });
    await county.searchIndexed();
    const all = (await county.call<{ results: Dict[] }>('package_search', { q: '*:*', rows: 100, include_private: true })).results;
    const byTitle = (t: string): Dict => all.find((d) => d.title === t)!;
    const cSeries = byTitle('Haushaltspläne');
    const cMember = byTitle('Haushalt 2025');
    const cGeo = byTitle('Bebauungspläne');
    const cService = byTitle('Geoportal Speyer (OGC API)');
    expect(cSeries.type).toBe('dataset_series');
    expect(cService.type).toBe('data_service');
    // References travel as the remote dataset's identifier, which the harvested copy keeps.
    expect(extra(cMember, 'in_series')).toBe(series.id);
    expect(extra(cSeries, 'identifier')).toBe(series.id);
    expect(extra(cService, 'serves_dataset')).toBe('urn:speyer:bplan');
    expect(extra(cService, 'endpoint_url')).toBe('https://geo.speyer.de/ogcapi');
    expect(JSON.parse(String(extra(cGeo, 'spatial')))).toEqual(POLYGON);
    const geoRes = (await county.call<Dict>('package_show', { id: cGeo.id })).resources as Dict[];
    expect(geoRes.find((r) => r.url === 'https://geo.speyer.de/bplan.geojson')!.access_services).toEqual([expect.objectContaining({ endpoint_url: ['https://geo.speyer.de/wfs'] })]);
    // WMS_SRVC as the catalog's resource formats label it.
    expect(geoRes.find((r) => String(r.url).includes('wms'))!.format).toBe('WMS');
    // The county's own catalog links its copies to each other.
    const q = await catalog(county, 'http://catalog.test');
    const site = (await county.call<Dict>('status_show')).site_url as string;
    const node = (d: Dict): string => `${site}/dataset/${String(d.id)}`;
    expect(objects(q, node(cMember), `${DCAT}inSeries`)).toEqual([node(cSeries)]);
    expect(objects(q, node(cService), `${DCAT}servesDataset`)).toEqual([node(cGeo)]);
    expect(objects(q, site, `${DCAT}service`)).toContain(node(cService));
  });
});
