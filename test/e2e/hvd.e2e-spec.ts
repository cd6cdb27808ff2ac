import type { Quad } from '@rdfjs/types';
import { Parser as N3Parser } from 'n3';
import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

type Dict = Record<string, unknown>;

const HVD = 'http://data.europa.eu/eli/reg_impl/2023/138/oj';
const BNA = 'http://data.europa.eu/bna/';
const DCATAP = 'http://data.europa.eu/r5r/';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';

const objects = (quads: Quad[], s: string, p: string): string[] => quads.filter((q) => q.subject.value === s && q.predicate.value === p).map((q) => q.object.value).sort();

/**
 * High-value datasets (Implementing Regulation (EU) 2023/138) through the action API: stewards write
 * applicable_legislation and hvd_category as they like (codes or IRIs), read them back as written, see them published
 * as DCAT-AP HVD, and are told on write what an HVD dataset lacks, in German and English.
 */
describe('high-value datasets', () => {
  let t: TestApp;
  let editor: TestUser;
  let org: Dict;

  const base = (name: string, extra: Dict = {}): Dict => ({
    name, title: 'Adressen Musterstadt', notes: 'Amtliche Hauskoordinaten.', owner_org: org.id, license_id: 'dl-zero-de/2.0',
    extras: [{ key: 'applicable_legislation', value: JSON.stringify([HVD]) }, { key: 'hvd_category', value: '["c_c3de25e4"]' }],
    ...extra,
  });
  const csv = { name: 'Adressen CSV', url: 'https://musterstadt.de/adressen.csv', format: 'CSV' };
  const wfs = { name: 'Adressen WFS', url: 'https://geo.musterstadt.de/wfs?SERVICE=WFS&REQUEST=GetCapabilities', format: 'WFS' };
  const create = (body: Dict) => request(t.http).post('/api/3/action/package_create').set('Authorization', editor.token).send(body);

  beforeAll(async () => {
    t = await TestApp.start();
    editor = await t.factories.user();
    org = await t.factories.organization({
      name: 'musterstadt', title: 'Stadt Musterstadt', members: [[editor, 'editor']],
      extras: [{ key: 'contact_email', value: 'opendata@musterstadt.de' }, { key: 'contributorID', value: 'http://dcat-ap.de/def/contributors/openGovernmentDataPortalRheinlandPfalz' }],
    });
  });
  afterAll(() => t?.stop());

  it('keeps applicable_legislation and hvd_category as written, on the dataset and on its resources', async () => {
    const res = await create(base('adressen', { resources: [{ ...csv, hvd_category: ['c_c3de25e4'] }, { ...wfs, applicable_legislation: [HVD], hvd_category: [`${BNA}c_c3de25e4`] }] }));
    expect(res.status).toBe(200);
    const shown = await t.call<Dict>('package_show', { id: 'adressen' });
    const extras = Object.fromEntries((shown.extras as { key: string; value: string }[]).map((e) => [e.key, e.value]));
    expect(extras).toMatchObject({ applicable_legislation: JSON.stringify([HVD]), hvd_category: '["c_c3de25e4"]' });
    const [r0, r1] = shown.resources as Dict[];
    expect(r0.hvd_category).toEqual(['c_c3de25e4']);
    expect(r1).toMatchObject({ applicable_legislation: [HVD], hvd_category: [`${BNA}c_c3de25e4`] });
  });

  it('publishes dcatap:applicableLegislation and dcatap:hvdCategory as IRIs on dataset and distributions, typed as DCAT-AP says', async () => {
    const shown = await t.call<Dict>('package_show', { id: 'adressen' });
    const res = await request(t.http).get(`/dataset/${String(shown.id)}.ttl`);
    expect(res.status).toBe(200);
    const quads = new N3Parser({ baseIRI: 'http://catalog.test/' }).parse(res.text) as Quad[];
    const node = `http://catalog.test/dataset/${String(shown.id)}`;
    expect(objects(quads, node, `${DCATAP}hvdCategory`)).toEqual([`${BNA}c_c3de25e4`]);
    expect(objects(quads, node, `${DCATAP}applicableLegislation`)).toEqual([HVD]);
    for (const r of shown.resources as Dict[]) {
      const dist = `${node}/resource/${String(r.id)}`;
      expect(objects(quads, dist, `${DCATAP}hvdCategory`)).toEqual([`${BNA}c_c3de25e4`]);
      // The CSV names no legislation of its own: it carries the dataset's HVD regulation.
      expect(objects(quads, dist, `${DCATAP}applicableLegislation`)).toEqual([HVD]);
    }
    expect(objects(quads, HVD, RDF_TYPE)).toEqual(['http://data.europa.eu/eli/ontology#LegalResource']);
    expect(objects(quads, `${BNA}c_c3de25e4`, RDF_TYPE)).toEqual(['http://www.w3.org/2004/02/skos/core#Concept']);
  });

  it('a complete HVD dataset passes validation under enforce', async () => {
    const res = await create(base('adressen-ok', { dcat_validation: 'enforce', resources: [csv, wfs] }));
    expect(res.status).toBe(200);
    const hvdFindings = (res.body.result.dcat_validation.findings as Dict[]).filter((f) => /^hvd_|hvd_category|applicable_legislation/.test(String(f.field)));
    expect(hvdFindings).toEqual([]);
  });

  it('refuses an HVD dataset without an API, saying so in German and English, and stores nothing', async () => {
    const res = await create(base('adressen-ohne-api', { dcat_validation: 'enforce', resources: [csv] }));
    expect(res.status).toBe(409);
    expect(res.body.error.__type).toBe('Validation Error');
    expect(res.body.error.hvd_api[0]).toMatch(/muss über eine API bereitstehen.* \/ A high-value dataset must be offered through an API/);
    expect(res.body.error.hvd_bulk_download).toBeUndefined();
    expect((await request(t.http).get('/api/3/action/package_show?id=adressen-ohne-api')).status).toBe(404);
  });

  it('refuses an HVD dataset without a bulk download, and one with neither names both', async () => {
    const noDownload = await create(base('adressen-ohne-download', { dcat_validation: 'enforce', resources: [wfs] }));
    expect(noDownload.status).toBe(409);
    expect(noDownload.body.error.hvd_bulk_download[0]).toMatch(/Gesamtdownload.* \/ .*bulk download/);
    expect(noDownload.body.error.hvd_api).toBeUndefined();
    const neither = await create(base('adressen-leer', { dcat_validation: 'enforce', resources: [] }));
    expect(neither.status).toBe(409);
    expect(Object.keys(neither.body.error)).toEqual(expect.arrayContaining(['hvd_api', 'hvd_bulk_download']));
  });

  it('counts a DataStore resource and a resource with a described access service as an API', async () => {
    const withService = await create(base('adressen-dienst', {
      dcat_validation: 'enforce',
      resources: [csv, { name: 'API', url: 'https://musterstadt.de/ogcapi/collections/adressen', format: 'GeoJSON', access_services: [{ title: 'OGC API', endpoint_url: ['https://musterstadt.de/ogcapi'] }] }],
    }));
    expect(withService.body.error?.hvd_api).toBeUndefined();
    const d = await create(base('adressen-datastore', { resources: [csv] }));
    expect(d.status).toBe(200);
    const warn = (d.body.result.dcat_validation.findings as Dict[]).map((f) => f.field);
    expect(warn).toContain('hvd_api');
    // Once a resource is in the DataStore, the API half is there.
    await t.call('datastore_create', { resource_id: (d.body.result.resources as Dict[])[0].id, fields: [{ id: 'strasse', type: 'text' }], records: [{ strasse: 'Hauptstraße' }], force: true });
    const report = await t.call<Dict>('dcat_validate', { id: 'adressen-datastore' });
    expect((report.findings as Dict[]).map((f) => f.field)).not.toContain('hvd_api');
  });

  it('checks the categories against the EU list and names the valid choices', async () => {
    const res = await create(base('adressen-falsch', {
      dcat_validation: 'enforce', resources: [csv, { ...wfs, hvd_category: ['c_phantasie'] }],
      extras: [{ key: 'applicable_legislation', value: HVD }, { key: 'hvd_category', value: 'Adressdaten' }],
    }));
    expect(res.status).toBe(409);
    expect(res.body.error.hvd_category[0]).toMatch(/"Adressdaten" ist kein gültiger Wert\. c_ac64a52d, c_dd313021/);
    expect(res.body.error.resources[1].hvd_category[0]).toMatch(/"c_phantasie" is not a valid value/);
  });

  it('asks for the legislation as an ELI, not as text', async () => {
    const res = await create(base('adressen-text', {
      dcat_validation: 'enforce', resources: [csv, wfs],
      extras: [{ key: 'applicable_legislation', value: 'Durchführungsverordnung 2023/138' }, { key: 'hvd_category', value: 'c_c3de25e4' }],
    }));
    expect(res.status).toBe(409);
    expect(res.body.error.applicable_legislation[0]).toMatch(/ist keine IRI\. .*ELI.* \/ .*is not an IRI/);
  });

  it('requires a category of an HVD dataset, and holds no other dataset to the HVD rules', async () => {
    const res = await create(base('adressen-ohne-kategorie', { dcat_validation: 'enforce', resources: [csv, wfs], extras: [{ key: 'applicable_legislation', value: HVD }] }));
    expect(res.status).toBe(409);
    expect(res.body.error.hvd_category[0]).toMatch(/mindestens eine HVD-Kategorie.*at least one HVD category/);
    const plain = await create({ name: 'haushalt', title: 'Haushalt', notes: 'Haushaltsplan', owner_org: org.id, license_id: 'dl-zero-de/2.0', resources: [{ url: 'https://musterstadt.de/haushalt.pdf', format: 'PDF' }] });
    expect(plain.status).toBe(200);
    expect((plain.body.result.dcat_validation.findings as Dict[]).filter((f) => /hvd/.test(String(f.field)))).toEqual([]);
  });
});
