import type { Quad } from '@rdfjs/types';
import { Parser as N3Parser } from 'n3';
import request from 'supertest';
import { SensorCatalog, SyncResult } from '../../src/sensors/catalog/sensor-catalog.service';
import { loadOfficialValidator } from '../dcat-official';
import { TestApp } from '../test-app';

/** A station synced by a source is published in DCAT-AP.de with its live distributions and its SensorThings service. */

type Dict = Record<string, unknown>;
const DCAT = 'http://www.w3.org/ns/dcat#';
const DCT = 'http://purl.org/dc/terms/';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
const objects = (quads: Quad[], s: string, p: string): string[] => quads.filter((q) => q.subject.value === s && q.predicate.value === p).map((q) => q.object.value);
const parse = (text: string): Quad[] => new N3Parser({ baseIRI: 'http://catalog.test/' }).parse(text) as Quad[];

describe('DCAT-AP.de of a sensor dataset', () => {
  let t: TestApp;
  let synced: SyncResult;
  let dataset: Dict & { resources: (Dict & { id: string; resource_type: string })[] };
  let quads: Quad[];
  let node: string;

  beforeAll(async () => {
    t = await TestApp.start();
    const org = await t.factories.organization({
      name: 'stadt-cochem', title: 'Stadt Cochem',
      extras: [{ key: 'contributorID', value: 'openGovernmentDataPortalRheinlandPfalz' }, { key: 'contact_email', value: 'umwelt@cochem.example' }],
    });
    const s = await t.call<Dict & { id: string; name: string }>('sensor_source_create', {
      name: 'pegelonline-mosel', owner_org: org.id, type: 'pegelonline', config: { stations: ['COCHEM'], license_id: 'dl-by-de/2.0' },
    });
    synced = await t.app.get(SensorCatalog).syncStation(t.context(null).withIgnoreAuth(), { id: s.id, name: s.name, owner_org: String(org.id), type: 'pegelonline', config: { license_id: 'dl-by-de/2.0' } }, {
      key: 'a7d2e5c1', name: 'COCHEM', location: { type: 'Point', coordinates: [7.1667, 50.1469] },
      streams: [
        { key: 'W', name: 'Wasserstand', quantity: 'water_level', unit: 'cm', intervalSeconds: 900 },
        { key: 'Q', name: 'Abfluss', quantity: 'discharge', unit: 'm³/s', intervalSeconds: 900 },
      ],
    });
    dataset = await t.call('package_show', { id: synced.packageId });
    const res = await request(t.http).get(`/dataset/${synced.packageId}.ttl`);
    expect(res.status).toBe(200);
    quads = parse(res.text);
    node = `http://catalog.test/dataset/${synced.packageId}`;
  });
  afterAll(() => t?.stop());

  it('describes the SensorThings endpoint as a DataService serving the dataset, conforming to OGC SensorThings 1.1', () => {
    const services = quads.filter((q) => q.predicate.value === RDF_TYPE && q.object.value === `${DCAT}DataService`).map((q) => q.subject.value);
    const sta = services.find((s) => objects(quads, s, `${DCAT}endpointURL`).includes('http://catalog.test/sta/v1.1'));
    expect(sta).toBeDefined();
    expect(objects(quads, sta!, `${DCT}conformsTo`)).toEqual(['http://www.opengis.net/spec/iot_sensing/1.1']);
    expect(objects(quads, sta!, `${DCAT}servesDataset`)).toEqual([node]);
    expect(objects(quads, sta!, `${DCAT}endpointDescription`)).toHaveLength(1);
    expect(objects(quads, sta!, `${DCT}title`)).toHaveLength(1);
  });

  it('publishes each datastream and the latest values as a CSV dump (EU file type, text/csv) reachable through the SensorThings service', () => {
    const [sta] = quads.filter((q) => q.predicate.value === `${DCAT}endpointURL` && q.object.value === 'http://catalog.test/sta/v1.1').map((q) => q.subject.value);
    const live = dataset.resources.filter((r) => r.resource_type === 'sensor_datastream' || r.resource_type === 'sensor_latest');
    expect(live).toHaveLength(3);
    for (const r of live) {
      const dist = `${node}/resource/${r.id}`;
      const dump = `http://catalog.test/datastore/dump/${r.id}`;
      expect(objects(quads, node, `${DCAT}distribution`)).toContain(dist);
      expect({ id: r.id, access: objects(quads, dist, `${DCAT}accessURL`), download: objects(quads, dist, `${DCAT}downloadURL`) }).toEqual({ id: r.id, access: [dump], download: [dump] });
      expect(objects(quads, dist, `${DCT}format`)).toEqual(['http://publications.europa.eu/resource/authority/file-type/CSV']);
      expect(objects(quads, dist, `${DCAT}mediaType`)).toEqual(['https://www.iana.org/assignments/media-types/text/csv']);
      expect(objects(quads, dist, `${DCAT}accessService`)).toContain(sta);
    }
  });

  it('says it is updated continuously, at the interval of its series, where its station stands', () => {
    expect(objects(quads, node, `${DCT}accrualPeriodicity`)).toEqual(['http://publications.europa.eu/resource/authority/frequency/CONT']);
    expect(objects(quads, node, `${DCAT}temporalResolution`)).toEqual(['PT15M']);
    const [location] = objects(quads, node, `${DCT}spatial`);
    expect(objects(quads, location, `${DCAT}centroid`)).toEqual(['POINT(7.1667 50.1469)']);
    // The stored dict keeps what the sync wrote; only the publication resolves it.
    expect((dataset.extras as { key: string; value: string }[]).find((e) => e.key === 'frequency')?.value).toBe('http://publications.europa.eu/resource/authority/frequency/15MIN');
  });

  it('appears in the catalog and passes the official DCAT-AP.de 3.0 shapes and the GovData 2.0 conventions', async () => {
    await t.searchIndexed();
    const page = await request(t.http).get('/catalog.ttl');
    const pageQuads = parse(page.text);
    expect(objects(pageQuads, 'http://catalog.test', `${DCAT}dataset`)).toContain(node);
    expect((await t.call<Dict>('dcat_validate', { id: synced.packageId })).conforms).toBe(true);
    const v3 = await loadOfficialValidator('v3');
    const v2 = await loadOfficialValidator('v2-konv');
    if (!v3 || !v2) return console.warn('official shapes check SKIPPED: ../shared/dcat-ap-de is not present');
    for (const [what, q] of [['dataset', quads], ['catalog page', pageQuads]] as const) {
      for (const v of [v3, v2]) {
        const violations = (await v.validate(q)).filter((f) => f.severity === 'violation');
        expect({ what, profile: v.profile, violations }).toEqual({ what, profile: v.profile, violations: [] });
      }
    }
  });
});
