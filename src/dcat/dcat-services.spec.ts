import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Quad } from '@rdfjs/types';
import { Writer } from 'n3';
import { DEFAULT_PROFILE } from '../../dcat-profiles';
import { DcatCatalogParser } from './catalog-parser';
import { DcatGraphWriter } from './dcat-graph';
import type { CatalogInfo, Dict, OrganizationInfo } from './profile';
import { formatByExt, serializeQuads } from './rdf-formats';
import { ShaclValidator } from './shacl-validator';
import { vocabularyQuads } from './vocabulary-quads';
import { loadOfficialValidator } from '../../test/dcat-official';

/**
 * DCAT-AP 3's places, data services and dataset series, written from CKAN dicts and read back by the harvesters' parser
 * in every RDF syntax: dct:spatial as a Location (geometry as GeoJSON and WKT, bbox, centroid), OGC-service resources
 * and access_services entries as dcat:DataService, a dataset series with its members, a standalone data service.
 */

const SITE = 'http://catalog.test';
const CATALOG: CatalogInfo = { siteUrl: SITE, title: 'Test', description: 'Test', language: 'de', publisherName: 'Test', homepage: SITE, contributorId: 'openGovernmentDataPortalRheinlandPfalz' };
const ORG: OrganizationInfo = { id: 'o1', name: 'stadt-speyer', title: 'Stadt Speyer', extras: { contact_email: 'open@speyer.example' } };

const POLYGON = { type: 'Polygon', coordinates: [[[8.38, 49.28], [8.47, 49.28], [8.47, 49.34], [8.38, 49.34], [8.38, 49.28]]] };
const base = (id: string, title: string, extra: { key: string; value: string }[] = [], more: Dict = {}): Dict => ({
  id, name: title.toLowerCase().replace(/[^a-z0-9]+/g, '-'), title, notes: `${title}: Beschreibung.`, license_id: 'dl-by-de/2.0',
  metadata_created: '2025-01-10T08:00:00', metadata_modified: '2025-02-01T09:30:00', extras: extra, resources: [], ...more,
});

const SERIES_ID = '11111111-1111-4111-8111-111111111111';
const MEMBER_ID = '22222222-2222-4222-8222-222222222222';
const GEO_ID = '33333333-3333-4333-8333-333333333333';
const SERVICE_ID = '44444444-4444-4444-8444-444444444444';

const series = base(SERIES_ID, 'Haushaltspläne', [{ key: 'identifier', value: 'urn:speyer:haushalt' }], { type: 'dataset_series' });
const member = base(MEMBER_ID, 'Haushalt 2025', [{ key: 'in_series', value: SERIES_ID }], {
  resources: [{ id: 'a1', name: 'Haushalt CSV', format: 'CSV', url: 'https://www.speyer.de/haushalt-2025.csv' }],
});
const geo = base(GEO_ID, 'Bebauungspläne', [{ key: 'spatial', value: JSON.stringify(POLYGON) }], {
  resources: [
    { id: 'w1', name: 'Bebauungspläne WMS', format: 'WMS', url: 'https://geo.speyer.de/wms/bplan?SERVICE=WMS&REQUEST=GetCapabilities' },
    { id: 'w2', name: 'Bebauungspläne OGC API', format: 'OGC API Features', url: 'https://geo.speyer.de/ogcapi/collections/bplan' },
    {
      id: 'w3', name: 'Bebauungspläne Download', format: 'GEOJSON', url: 'https://geo.speyer.de/bplan.geojson',
      access_services: [{
        title: 'Geoportal-Dienst', endpoint_url: ['https://geo.speyer.de/wfs'], endpoint_description: 'https://geo.speyer.de/wfs?SERVICE=WFS&REQUEST=GetCapabilities',
        conforms_to: ['http://www.opengis.net/def/serviceType/ogc/wfs'], applicable_legislation: ['http://data.europa.eu/eli/reg_impl/2023/138/oj'], hvd_category: ['c_ac64a52d'],
      }],
    },
  ],
});
const service = base(SERVICE_ID, 'Geoportal Speyer', [
  { key: 'endpoint_url', value: 'https://geo.speyer.de/ogcapi' }, { key: 'endpoint_description', value: 'https://geo.speyer.de/ogcapi/api' },
  { key: 'conforms_to', value: 'http://www.opengis.net/spec/ogcapi-features-1/1.0' }, { key: 'serves_dataset', value: GEO_ID },
  { key: 'hvd_category', value: 'http://data.europa.eu/bna/c_ac64a52d' },
], { type: 'data_service' });

const ALL = [series, member, geo, service];
const parser = new DcatCatalogParser();

function quadsOf(dicts: Dict[] = ALL): Quad[] {
  const writer = new DcatGraphWriter(DEFAULT_PROFILE, CATALOG, true);
  const quads: Quad[] = [];
  writer.catalogNode(dicts.filter((d) => d.type !== 'data_service').map((d) => String(d.id)), undefined, quads);
  for (const d of dicts) writer.dataset(d, ORG, quads);
  return quads;
}

/** The catalog in one of the four syntaxes, with its media type. */
async function document(syntax: string): Promise<[string, string]> {
  const quads = quadsOf();
  if (syntax === 'N-Triples') return [new Writer({ format: 'N-Triples' }).quadsToString(quads), 'application/n-triples'];
  const format = formatByExt({ Turtle: 'ttl', 'RDF/XML': 'rdf', 'JSON-LD': 'jsonld' }[syntax]!)!;
  return [await serializeQuads(quads, format, DEFAULT_PROFILE.prefixes), format.mediaType];
}

const extrasOf = (d: Dict): Record<string, string> => Object.fromEntries(((d.extras ?? []) as { key: string; value: string }[]).map((e) => [e.key, e.value]));
const SYNTAXES = ['Turtle', 'RDF/XML', 'JSON-LD', 'N-Triples'];

describe('DCAT-AP 3 places, data services and series', () => {
  it.each(SYNTAXES)('%s: the spatial GeoJSON comes back as the same geometry, written as a Location with GeoJSON and WKT, bbox and centroid', async (syntax) => {
    const [text, type] = await document(syntax);
    const read = (await parser.parseCatalog(text, type, `${SITE}/catalog`)).datasets.find((d) => d.uri === `${SITE}/dataset/${GEO_ID}`)!;
    expect(JSON.parse(extrasOf(read.dict).spatial)).toEqual(POLYGON);
    expect(read.turtle).toContain('gsp:hasGeometry');
    expect(read.turtle).toMatch(/gsp:asWKT "POLYGON \(\(8\.38 49\.28, 8\.47 49\.28, 8\.47 49\.34, 8\.38 49\.34, 8\.38 49\.28\)\)"\^\^gsp:wktLiteral/);
    expect(read.turtle).toContain('"POLYGON((8.38 49.28,8.47 49.28,8.47 49.34,8.38 49.34,8.38 49.28))"^^gsp:wktLiteral');
    expect(read.turtle).toContain('dcat:centroid "POINT(8.425 49.31)"^^gsp:wktLiteral');
    expect(read.turtle).toContain('^^<https://www.iana.org/assignments/media-types/application/vnd.geo+json>');
  });

  it.each(SYNTAXES)('%s: OGC-service resources and access_services entries come back with their format, URL and services', async (syntax) => {
    const [text, type] = await document(syntax);
    const read = (await parser.parseCatalog(text, type, `${SITE}/catalog`)).datasets.find((d) => d.uri === `${SITE}/dataset/${GEO_ID}`)!.dict;
    const byUrl = Object.fromEntries(((read.resources as Dict[]) ?? []).map((r) => [r.url, r]));
    // A WMS resource: the EU code WMS_SRVC, its service derived from its URL again, so no access_services of its own.
    expect(byUrl['https://geo.speyer.de/wms/bplan?SERVICE=WMS&REQUEST=GetCapabilities']).toMatchObject({ format: 'WMS_SRVC' });
    expect(byUrl['https://geo.speyer.de/wms/bplan?SERVICE=WMS&REQUEST=GetCapabilities'].access_services).toBeUndefined();
    // OGC API Features has no EU file type: its format comes back from the service's standard.
    expect(byUrl['https://geo.speyer.de/ogcapi/collections/bplan']).toMatchObject({ format: 'OGC API Features' });
    expect(byUrl['https://geo.speyer.de/ogcapi/collections/bplan'].access_services).toBeUndefined();
    expect(byUrl['https://geo.speyer.de/bplan.geojson']).toMatchObject({
      format: 'GEOJSON',
      access_services: [{
        title: 'Geoportal-Dienst', endpoint_url: ['https://geo.speyer.de/wfs'], endpoint_description: 'https://geo.speyer.de/wfs?SERVICE=WFS&REQUEST=GetCapabilities',
        conforms_to: ['http://www.opengis.net/def/serviceType/ogc/wfs'], applicable_legislation: ['http://data.europa.eu/eli/reg_impl/2023/138/oj'], hvd_category: ['http://data.europa.eu/bna/c_ac64a52d'],
      }],
    });
  });

  it('describes a WMS resource as a DataService with its endpoint, GetCapabilities and the OGC service type, listed by the catalog', async () => {
    const text = await serializeQuads(quadsOf([geo]), formatByExt('ttl')!, DEFAULT_PROFILE.prefixes);
    const wms = `<${SITE}/dataset/${GEO_ID}/resource/w1#service>`;
    expect(text).toContain(wms);
    const store = new (await import('n3')).Store(new (await import('n3')).Parser().parse(text));
    const o = (s: string, p: string): string[] => store.getObjects(s, p, null).map((t) => t.value);
    const node = `${SITE}/dataset/${GEO_ID}/resource/w1#service`;
    expect(o(`${SITE}/dataset/${GEO_ID}/resource/w1`, 'http://www.w3.org/ns/dcat#accessService')).toEqual([node]);
    expect(o(node, 'http://www.w3.org/ns/dcat#endpointURL')).toEqual(['https://geo.speyer.de/wms/bplan']);
    expect(o(node, 'http://www.w3.org/ns/dcat#endpointDescription')).toEqual(['https://geo.speyer.de/wms/bplan?SERVICE=WMS&REQUEST=GetCapabilities']);
    expect(o(node, 'http://purl.org/dc/terms/conformsTo')).toEqual(['http://www.opengis.net/def/serviceType/ogc/wms']);
    expect(o(node, 'http://www.w3.org/ns/dcat#servesDataset')).toEqual([`${SITE}/dataset/${GEO_ID}`]);
    expect(o(`${SITE}/dataset/${GEO_ID}/resource/w1`, 'http://purl.org/dc/terms/format')).toEqual(['http://publications.europa.eu/resource/authority/file-type/WMS_SRVC']);
    const api = `${SITE}/dataset/${GEO_ID}/resource/w2#service`;
    expect(o(api, 'http://www.w3.org/ns/dcat#endpointURL')).toEqual(['https://geo.speyer.de/ogcapi']);
    expect(o(api, 'http://www.w3.org/ns/dcat#endpointDescription')).toEqual(['https://geo.speyer.de/ogcapi/api']);
    expect(o(`${SITE}/dataset/${GEO_ID}/resource/w2`, 'http://purl.org/dc/terms/format')).toEqual([]);
    const entry = `${SITE}/dataset/${GEO_ID}/resource/w3#service-1`;
    expect(o(entry, 'http://data.europa.eu/r5r/hvdCategory')).toEqual(['http://data.europa.eu/bna/c_ac64a52d']);
    expect(o(entry, 'http://data.europa.eu/r5r/applicableLegislation')).toEqual(['http://data.europa.eu/eli/reg_impl/2023/138/oj']);
    expect(o(SITE, 'http://www.w3.org/ns/dcat#service').sort()).toEqual([entry, node, api].sort());
  });

  it.each(SYNTAXES)('%s: a series and its member, and a standalone data service, come back with their types and references (by identifier)', async (syntax) => {
    const [text, type] = await document(syntax);
    const parsed = await parser.parseCatalog(text, type, `${SITE}/catalog`);
    // Series first, services last: what a member names is imported before it.
    expect(parsed.datasets.map((d) => d.uri)).toEqual([SERIES_ID, MEMBER_ID, GEO_ID, SERVICE_ID].map((id) => `${SITE}/dataset/${id}`).sort((a, b) => (a.endsWith(SERIES_ID) ? -1 : b.endsWith(SERIES_ID) ? 1 : a.endsWith(SERVICE_ID) ? 1 : b.endsWith(SERVICE_ID) ? -1 : 0)));
    const dict = (id: string): Dict => parsed.datasets.find((d) => d.uri === `${SITE}/dataset/${id}`)!.dict;
    expect(dict(SERIES_ID)).toMatchObject({ type: 'dataset_series', title: 'Haushaltspläne' });
    expect(extrasOf(dict(SERIES_ID)).identifier).toBe('urn:speyer:haushalt');
    expect(extrasOf(dict(MEMBER_ID)).in_series).toBe('urn:speyer:haushalt');
    expect(dict(MEMBER_ID).type).toBeUndefined();
    const svc = dict(SERVICE_ID);
    expect(svc).toMatchObject({ type: 'data_service', title: 'Geoportal Speyer', resources: [] });
    expect(extrasOf(svc)).toMatchObject({
      endpoint_url: 'https://geo.speyer.de/ogcapi', endpoint_description: 'https://geo.speyer.de/ogcapi/api',
      conforms_to: 'http://www.opengis.net/spec/ogcapi-features-1/1.0', serves_dataset: GEO_ID, hvd_category: 'http://data.europa.eu/bna/c_ac64a52d',
    });
    // The services that belong to a distribution are no standalone records.
    expect(parsed.datasets).toHaveLength(4);
  });
});

describe('DCAT-AP 3 places, data services and series against the shapes', () => {
  const SHARED = path.resolve(__dirname, '../../../shared/dcat-ap-de');
  const violationsOf = (findings: { severity: string; focusNode: string; path?: string; message: unknown }[]): string[] =>
    findings.filter((f) => f.severity === 'violation').map((f) => `${f.focusNode} ${f.path ?? ''}: ${JSON.stringify(f.message)}`);

  // A standalone service with the dataset it serves (dcat:servesDataset must name a dcat:Dataset of the graph).
  it.each([['geodata with services', [geo]], ['series', [series]], ['series member', [member]], ['standalone data service', [service, geo]]])('%s passes our shapes with no violation', async (_n, dicts) => {
    const ours = ShaclValidator.fromTurtle([readFileSync(path.join(__dirname, '../../dcat-profiles/dcat-ap-de-3/shapes.ttl'), 'utf8')]);
    expect(violationsOf(await ours.validate(quadsOf(dicts as Dict[]), vocabularyQuads()))).toEqual([]);
  });

  (existsSync(SHARED) ? it : it.skip)('all of them pass the official DCAT-AP.de 3.0 shapes and the GovData 2.0 conventions (skipped without ../shared/dcat-ap-de)', async () => {
    for (const profile of ['v3', 'v2-konv'] as const) {
      const official = await loadOfficialValidator(profile, SHARED);
      expect({ profile, violations: violationsOf(await official!.validate(quadsOf())) }).toEqual({ profile, violations: [] });
    }
  });
});

describe('spatial coverage as other catalogs write it', () => {
  const doc = (location: string): string => `@prefix dcat: <http://www.w3.org/ns/dcat#>. @prefix dct: <http://purl.org/dc/terms/>.
    @prefix locn: <http://www.w3.org/ns/locn#>. @prefix gsp: <http://www.opengis.net/ont/geosparql#>.
    <http://other.test/d/1> a dcat:Dataset; dct:title "Ort"; dct:spatial [ a dct:Location; ${location} ].`;
  const spatialOf = async (location: string): Promise<unknown> => {
    const [d] = (await parser.parseCatalog(doc(location), 'text/turtle', 'http://other.test/catalog')).datasets;
    const v = extrasOf(d.dict).spatial;
    return v === undefined ? undefined : JSON.parse(v);
  };

  it('reads ckanext-dcat\'s literals on locn:geometry: GeoJSON before WKT', async () => {
    expect(await spatialOf(`locn:geometry "POINT (1 2)"^^gsp:wktLiteral, "{\\"type\\":\\"Point\\",\\"coordinates\\":[3,4]}"^^<https://www.iana.org/assignments/media-types/application/vnd.geo+json>`))
      .toEqual({ type: 'Point', coordinates: [3, 4] });
  });

  it('turns WKT alone into GeoJSON, CRS84 as it is and EPSG:4326 with its lat/lon axes swapped back', async () => {
    expect(await spatialOf('locn:geometry "POLYGON ((8 49, 9 49, 9 50, 8 49))"^^gsp:wktLiteral')).toEqual({ type: 'Polygon', coordinates: [[[8, 49], [9, 49], [9, 50], [8, 49]]] });
    expect(await spatialOf('locn:geometry "<http://www.opengis.net/def/crs/EPSG/0/4326> POINT (49.3 8.4)"^^gsp:wktLiteral')).toEqual({ type: 'Point', coordinates: [8.4, 49.3] });
  });

  it('reads a DCAT-AP 3 geometry node, else the bbox as a polygon, and leaves a shape in an unknown CRS unread', async () => {
    expect(await spatialOf('locn:geometry [ gsp:asWKT "POINT (7 50)"^^gsp:wktLiteral ]')).toEqual({ type: 'Point', coordinates: [7, 50] });
    expect(await spatialOf('dcat:bbox "POLYGON((8 49,9 49,9 50,8 50,8 49))"^^gsp:wktLiteral')).toEqual({ type: 'Polygon', coordinates: [[[8, 49], [9, 49], [9, 50], [8, 50], [8, 49]]] });
    expect(await spatialOf('locn:geometry "<http://www.opengis.net/def/crs/EPSG/0/25832> POINT (456000 5460000)"^^gsp:wktLiteral')).toBeUndefined();
  });
});
