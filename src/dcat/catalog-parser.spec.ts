import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Quad } from '@rdfjs/types';
import { Parser, Writer } from 'n3';
import { isomorphic } from 'rdf-isomorphic';
import { DEFAULT_PROFILE } from '../../dcat-profiles';
import { HarvestError } from '../harvest/harvester';
import { DcatCatalogParser } from './catalog-parser';
import { DcatGraphWriter } from './dcat-graph';
import type { CatalogInfo, Dict, OrganizationInfo } from './profile';
import { formatByExt, serializeQuads } from './rdf-formats';

/**
 * The harvesters' RDF reader: our own catalog's output, in every serialization, reads back into the dicts it was
 * written from; a DCAT-AP.de 2.0 document maps to the same fields; hydra paging; broken documents are refused.
 */

const FIXTURES = path.join(__dirname, '../../dcat-profiles/dcat-ap-de-3/fixtures/cases');
const HARVEST_FIXTURES = path.join(__dirname, '../../harvesters/dcat-rdf/fixtures');
const CATALOG: CatalogInfo = { siteUrl: 'http://catalog.test', title: 'Test', description: 'Test', language: 'de', publisherName: 'Test', homepage: 'http://catalog.test', contributorId: 'openGovernmentDataPortalRheinlandPfalz' };
const ORG: OrganizationInfo = { id: 'o1', name: 'stadt-speyer', title: 'Stadt Speyer', extras: { contact_email: 'open@speyer.example' } };

const sensor = JSON.parse(readFileSync(path.join(FIXTURES, 'sensor-gauge.input.json'), 'utf8')) as { organization: OrganizationInfo; dataset: Dict };
/** A dataset a town steward typed: identifier from upstream, keywords, two distributions, licence, dates, contacts. */
const budget: Dict = {
  id: '9a1f6a52-43a0-4a3e-9a53-6b0f2d0c1e11', name: 'haushalt-2025', title: 'Haushaltsplan 2025', notes: 'Der Haushaltsplan der Stadt Speyer für 2025.\nMit "Anführungszeichen" und Umlauten: äöüß.',
  license_id: 'dl-by-de/2.0', metadata_created: '2025-01-10T08:00:00.000000', metadata_modified: '2025-02-01T09:30:00.000000', url: 'https://www.speyer.de/haushalt',
  tags: [{ name: 'Haushalt' }, { name: 'Finanzen' }, { name: 'Öffentliche Verwaltung' }], groups: [{ name: 'gove' }],
  extras: [
    { key: 'identifier', value: 'urn:de:rp:speyer:haushalt-2025' }, { key: 'alternate_identifier', value: 'SPEYER-HH-2025' }, { key: 'modified', value: '2025-01-31' }, { key: 'issued', value: '2024-12-15' },
    { key: 'contributorID', value: '["http://dcat-ap.de/def/contributors/openGovernmentDataPortalRheinlandPfalz"]' },
    { key: 'politicalGeocodingURI', value: 'http://dcat-ap.de/def/politicalGeocoding/municipalityKey/073180000000' },
    { key: 'maintainer_name', value: 'Kämmerei Speyer' }, { key: 'maintainer_email', value: 'kaemmerei@speyer.example' },
    { key: 'temporal_start', value: '2025-01-01' }, { key: 'temporal_end', value: '2025-12-31' }, { key: 'frequency', value: 'ANNUAL' },
  ],
  resources: [
    { id: 'a1', name: 'Haushalt CSV', format: 'CSV', url: 'https://www.speyer.de/haushalt-2025.csv', license: 'dl-by-de/2.0' },
    { id: 'a2', name: 'Haushalt PDF', format: 'PDF', url: 'https://www.speyer.de/haushalt-2025.pdf', size: 123456 },
  ],
};

const CASES: [string, Dict, OrganizationInfo | null][] = [['sensor-gauge', sensor.dataset, sensor.organization], ['budget', budget, ORG]];

const parser = new DcatCatalogParser();

async function serialized(ext: string, dicts: [Dict, OrganizationInfo | null][] = CASES.map(([, d, o]) => [d, o])): Promise<string> {
  const writer = new DcatGraphWriter(DEFAULT_PROFILE, CATALOG);
  const quads: Quad[] = [];
  writer.catalogNode(dicts.map(([d]) => String(d.id)), undefined, quads);
  for (const [d, o] of dicts) writer.dataset(d, o, quads);
  return serializeQuads(quads, formatByExt(ext)!, DEFAULT_PROFILE.prefixes);
}

const extrasOf = (d: Dict): Record<string, string> => Object.fromEntries(((d.extras ?? []) as { key: string; value: string }[]).map((e) => [e.key, e.value]));
/** What a harvester keeps of a dict: the fields the issue names. */
const essentials = (d: Dict): Dict => {
  const x = extrasOf(d);
  return {
    title: d.title, notes: d.notes, tags: ((d.tags ?? []) as { name: string }[]).map((t) => t.name).sort(), identifier: x.identifier, modified: x.modified, license: d.license_id,
    resources: ((d.resources ?? []) as Dict[]).map((r) => ({ url: r.url, format: r.format })).sort((a, b) => String(a.url).localeCompare(String(b.url))),
  };
};

describe('DcatCatalogParser', () => {
  it.each(CASES)('reads %s back from our own Turtle with its title, notes, tags, identifier, modified, licence and resources', async (_n, dataset) => {
    const parsed = await parser.parseCatalog(await serialized('ttl'), 'text/turtle', 'http://catalog.test/catalog.ttl');
    const got = parsed.datasets.find((d) => d.uri === `http://catalog.test/dataset/${String(dataset.id)}`);
    expect(got).toBeDefined();
    const x = extrasOf(dataset);
    expect(essentials(got!.dict)).toEqual({
      title: dataset.title, notes: dataset.notes, tags: ((dataset.tags ?? []) as { name: string }[]).map((t) => t.name).sort(),
      // The writer falls back to the id and metadata_modified where the dict has no identifier / modified extra.
      identifier: x.identifier ?? dataset.id, modified: x.modified ?? dataset.metadata_modified, license: dataset.license_id,
      resources: ((dataset.resources ?? []) as Dict[]).map((r) => ({ url: r.url, format: r.format })).sort((a, b) => String(a.url).localeCompare(String(b.url))),
    });
  });

  it('reads the German additions back: contributor, geocoding, maintainer, themes, period, earlier portals\' identifiers', async () => {
    const parsed = await parser.parseCatalog(await serialized('ttl'), 'text/turtle', 'http://catalog.test/catalog.ttl');
    const read = parsed.datasets.find((d) => d.dict.title === budget.title)!.dict;
    // CKAN's own fields stay fields (the name also as the extra it was written from); the rest of the agent are extras.
    expect(read).toMatchObject({ maintainer: 'Kämmerei Speyer', maintainer_email: 'kaemmerei@speyer.example' });
    const x = extrasOf(read);
    expect(x).toMatchObject({
      contributorID: 'http://dcat-ap.de/def/contributors/openGovernmentDataPortalRheinlandPfalz',
      politicalGeocodingURI: 'http://dcat-ap.de/def/politicalGeocoding/municipalityKey/073180000000',
      maintainer_name: 'Kämmerei Speyer', theme: 'http://publications.europa.eu/resource/authority/data-theme/GOVE',
      temporal_start: '2025-01-01', temporal_end: '2025-12-31', issued: '2024-12-15', alternate_identifier: 'SPEYER-HH-2025',
    });
  });

  it.each([['ttl', 'text/turtle'], ['rdf', 'application/rdf+xml'], ['jsonld', 'application/ld+json']])(
    'keeps CKAN\'s author and author_email through our %s (written as dct:creator) as fields, and an author_name extra as the author', async (ext, type) => {
      const authored: Dict = { ...budget, id: 'b7d0c3e4-1f2a-4b5c-8d9e-0a1b2c3d4e5f', title: 'Baumkataster', author: 'Grünflächenamt Speyer', author_email: 'gruen@speyer.example' };
      const named: Dict = { ...budget, id: 'c8e1d4f5-2a3b-4c6d-9e0f-1b2c3d4e5f60', title: 'Spielplätze', extras: [...(budget.extras as Dict[]), { key: 'author_name', value: 'Jugendamt' }, { key: 'author_email', value: 'jugend@speyer.example' }] };
      const parsed = await parser.parseCatalog(await serialized(ext, [[authored, ORG], [named, ORG], [budget, ORG]]), type, 'http://catalog.test/catalog.ttl');
      const read = (title: string): Dict => parsed.datasets.find((d) => d.dict.title === title)!.dict;
      expect(read('Baumkataster')).toMatchObject({ author: 'Grünflächenamt Speyer', author_email: 'gruen@speyer.example' });
      expect(read('Spielplätze')).toMatchObject({ author: 'Jugendamt', author_email: 'jugend@speyer.example' });
      // Fields, not extras: package_create refuses an extra named like one of its own fields.
      for (const t of ['Baumkataster', 'Spielplätze']) expect(Object.keys(extrasOf(read(t)))).not.toEqual(expect.arrayContaining(['author']));
      expect(extrasOf(read('Baumkataster')).author_email).toBeUndefined();
      // No author: no dct:creator, nothing read back.
      expect(read(String(budget.title)).author).toBeUndefined();
    });

  it.each([['rdf', 'application/rdf+xml'], ['jsonld', 'application/ld+json'], ['n3', 'text/n3']])('reads the %s form of the same graph into the same dicts', async (ext, type) => {
    const base = await parser.parseCatalog(await serialized('ttl'), 'text/turtle', 'http://catalog.test/catalog.ttl');
    const other = await parser.parseCatalog(await serialized(ext), type, 'http://catalog.test/catalog.ttl');
    // Distributions are a set in RDF: compared in one order.
    const byUri = (p: typeof base): Record<string, Dict> =>
      Object.fromEntries(p.datasets.map((d) => [d.uri, { ...d.dict, resources: (d.dict.resources as Dict[]).sort((a, b) => String(a.uri).localeCompare(String(b.uri))) }]));
    expect(byUri(other)).toEqual(byUri(base));
  });

  it.each([['ttl', 'text/turtle'], ['rdf', 'application/rdf+xml'], ['jsonld', 'application/ld+json'], ['n3', 'text/n3']])(
    'reads a high-value dataset\'s applicable legislation and HVD categories back from our %s, on the dataset and its distributions, as IRIs', async (ext, type) => {
      const hvd: Dict = {
        ...budget, id: 'd9f2e5a6-3b4c-4d7e-8f10-2c3d4e5f6071', title: 'Adressen',
        extras: [...(budget.extras as Dict[]), { key: 'applicable_legislation', value: 'http://data.europa.eu/eli/reg_impl/2023/138/oj' }, { key: 'hvd_category', value: '["c_c3de25e4", "Statistik"]' }],
        resources: [{ id: 'h1', name: 'Adressen CSV', format: 'CSV', url: 'https://www.speyer.de/adressen.csv', hvd_category: ['http://data.europa.eu/bna/c_c3de25e4'] }],
      };
      const parsed = await parser.parseCatalog(await serialized(ext, [[hvd, ORG]]), type, 'http://catalog.test/catalog.ttl');
      const read = parsed.datasets.find((d) => d.dict.title === 'Adressen')!.dict;
      const x = extrasOf(read);
      // One value as itself, several as a JSON list (GovData's convention for extras).
      const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' && v.startsWith('[') ? (JSON.parse(v) as string[]) : [String(v)]).sort();
      expect(list(x.applicable_legislation)).toEqual(['http://data.europa.eu/eli/reg_impl/2023/138/oj']);
      expect(list(x.hvd_category)).toEqual(['http://data.europa.eu/bna/c_c3de25e4', 'http://data.europa.eu/bna/c_e1da4e07']);
      const [resource] = read.resources as Dict[];
      // The distribution carries its own category and the dataset's HVD regulation, as published.
      expect(list(resource.hvd_category)).toEqual(['http://data.europa.eu/bna/c_c3de25e4']);
      expect(list(resource.applicable_legislation)).toEqual(['http://data.europa.eu/eli/reg_impl/2023/138/oj']);
    });

  it('recognises the syntax by the first characters when the server names no (or a generic) type', async () => {
    for (const [ext, type] of [['ttl', null], ['rdf', 'application/xml'], ['jsonld', 'text/plain'], ['rdf', 'application/octet-stream']] as const) {
      expect({ ext, titles: (await parser.parseCatalog(await serialized(ext), type, 'http://catalog.test/catalog')).datasets.map((d) => d.dict.title).sort() })
        .toEqual({ ext, titles: [budget.title, sensor.dataset.title].sort() });
    }
  });

  it("gives each dataset its own statements as Turtle, the same text whatever the serialization or order it came in", async () => {
    const ttl = await parser.parseCatalog(await serialized('ttl'), 'text/turtle', 'http://catalog.test/');
    const xml = await parser.parseCatalog(await serialized('rdf', CASES.map(([, d, o]) => [d, o] as [Dict, OrganizationInfo | null]).reverse()), 'application/rdf+xml', 'http://catalog.test/');
    const own = ttl.datasets.find((d) => d.dict.title === budget.title)!;
    expect(xml.datasets.find((d) => d.uri === own.uri)!.turtle).toBe(own.turtle);
    // Exactly the dataset's graph as our writer makes it (distributions, contact point, agents), nothing of the other dataset or the catalog.
    const expected = new DcatGraphWriter(DEFAULT_PROFILE, CATALOG).dataset(budget, ORG);
    expect(isomorphic(new Parser().parse(own.turtle) as Quad[], expected)).toBe(true);
  });

  it('maps a DCAT-AP.de 2.0 document (RDF/XML, dcatde: terms, blank-node distributions, literal e-mail)', async () => {
    const parsed = await parser.parseCatalog(readFileSync(path.join(HARVEST_FIXTURES, 'dcatde-2.0-page1.rdf'), 'utf8'), 'application/rdf+xml', 'https://daten.example-kreis.de/catalog.rdf');
    expect(parsed.totalItems).toBe(3);
    expect(parsed.nextPage).toBe('https://daten.example-kreis.de/catalog.rdf?page=2');
    const d = parsed.datasets.find((x) => x.uri === 'https://daten.example-kreis.de/dataset/badegewaesser')!;
    expect(essentials(d.dict)).toEqual({
      title: 'Badegewässerqualität im Kreis', notes: 'Messwerte der Badegewässer im Kreisgebiet, jährlich aktualisiert.', tags: ['Badegewässer', 'Umwelt', 'Wasserqualität'],
      identifier: 'a3c1e2d4-0b1f-4c2a-9e8d-badegewaesser', modified: '2024-06-01T10:15:00', license: 'dl-by-de/2.0',
      resources: [{ url: 'https://daten.example-kreis.de/files/badegewaesser.csv', format: 'CSV' }, { url: 'https://daten.example-kreis.de/wms?service=WMS', format: 'WMS_SRVC' }],
    });
    expect(d.dict.maintainer_email).toBe('gesundheitsamt@example-kreis.de');
    expect(extrasOf(d.dict)).toMatchObject({
      contributorID: 'http://dcat-ap.de/def/contributors/openGovernmentDataPortalRheinlandPfalz',
      politicalGeocodingURI: 'http://dcat-ap.de/def/politicalGeocoding/districtKey/07131', politicalGeocodingLevelURI: 'http://dcat-ap.de/def/politicalGeocoding/Level/administrativeDistrict',
      maintainer_name: 'Gesundheitsamt', contact_email: 'umwelt@example-kreis.de',
      legalbasisText: 'EU-Badegewässerrichtlinie', theme: 'http://publications.europa.eu/resource/authority/data-theme/ENVI',
      temporal_start: '2020-01-01', publisher_name: 'Kreisverwaltung Beispielkreis',
    });
    expect(d.dict.version).toBe('1.2');
    expect(extrasOf(parsed.datasets.find((x) => x.uri.endsWith('/kitas'))!.dict)).toMatchObject({ identifier: 'kreis-kitas', alternate_identifier: 'DE-RP-KREIS-4711' });
    const csv = (d.dict.resources as Dict[]).find((r) => r.format === 'CSV')!;
    expect(csv).toMatchObject({ licenseAttributionByText: 'Kreisverwaltung Beispielkreis', plannedAvailability: 'http://dcat-ap.de/def/plannedAvailability/available', mimetype: 'text/csv' });
  });

  it('reads N-Triples, and a statement said twice counts once', async () => {
    const quads = new Parser().parse(await serialized('ttl')) as Quad[];
    const writer = new Writer({ format: 'N-Triples' });
    const nt = writer.quadsToString([...quads, ...quads]);
    const fromNt = await parser.parseCatalog(nt, 'application/n-triples', 'http://catalog.test/');
    const fromTtl = await parser.parseCatalog(await serialized('ttl'), 'text/turtle', 'http://catalog.test/');
    expect(fromNt.datasets.map((d) => [d.uri, d.dict, d.turtle])).toEqual(fromTtl.datasets.map((d) => [d.uri, d.dict, d.turtle]));
  });

  it('takes the German title of a multilingual dataset', async () => {
    const ttl = `@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
      <http://x.test/d/1> a dcat:Dataset ; dct:title "Parks"@en, "Parks und Grünanlagen"@de ; dct:description "Parks"@en, "Grünflächen"@de .`;
    expect((await parser.parseCatalog(ttl, 'text/turtle', 'http://x.test/')).datasets[0].dict).toMatchObject({ title: 'Parks und Grünanlagen', notes: 'Grünflächen' });
  });

  it('names a blank-node dataset by its identifier, the same on every run', async () => {
    const ttl = `@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
      [] a dcat:Dataset ; dct:title "Ohne IRI" ; dct:identifier "ID-1" . [] a dcat:Dataset ; dct:description "weder Titel noch Kennung" .`;
    const a = await parser.parseCatalog(ttl, 'text/turtle', 'https://quelle.test/catalog.ttl');
    const b = await parser.parseCatalog(`# again\n${ttl}`, 'text/turtle', 'https://quelle.test/catalog.ttl?page=1');
    expect(a.datasets.map((d) => d.uri)).toEqual([expect.stringMatching(/^https:\/\/quelle\.test\/\.well-known\/genid\//)]);
    expect(b.datasets.map((d) => d.uri)).toEqual(a.datasets.map((d) => d.uri));
    expect(a.datasets[0].turtle).toContain(`<${a.datasets[0].uri}>`);
  });

  it('follows hydra:next of a PartialCollectionView (relative, made absolute) and hydra:nextPage of a PagedCollection', async () => {
    const view = `@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
      <http://x.test/catalog> a hydra:Collection ; hydra:totalItems 250 ; hydra:view <?page=1> . <?page=1> a hydra:PartialCollectionView ; hydra:next <?page=2> .`;
    expect(await parser.parseCatalog(view, 'text/turtle', 'http://x.test/catalog')).toEqual({ datasets: [], nextPage: 'http://x.test/catalog?page=2', totalItems: 250 });
    const paged = `{"@context": {"hydra": "http://www.w3.org/ns/hydra/core#"}, "@id": "http://x.test/c.jsonld?page=2", "@type": "hydra:PagedCollection",
      "hydra:nextPage": "http://x.test/c.jsonld?page=3", "hydra:totalItems": {"@value": "30", "@type": "http://www.w3.org/2001/XMLSchema#integer"}}`;
    expect(await parser.parseCatalog(paged, 'application/ld+json', 'http://x.test/c.jsonld?page=2')).toEqual({ datasets: [], nextPage: 'http://x.test/c.jsonld?page=3', totalItems: 30 });
    expect(await parser.parseCatalog('', 'text/turtle', 'http://x.test/')).toEqual({ datasets: [] });
  });

  it.each([
    ['Turtle with a syntax error', '<http://x.test/a> a <http://www.w3.org/ns/dcat#Dataset> ;; "oops', 'text/turtle', /not valid Turtle: .*line 1/],
    ['RDF/XML that is not well-formed', '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description>', 'application/rdf+xml', /not valid RDF\/XML/],
    ['JSON that is not JSON', '{"@context": {', 'application/ld+json', /not valid JSON-LD/],
    ['JSON-LD with a remote context', '{"@context": "https://schema.org/", "name": "x"}', 'application/ld+json', /remote JSON-LD @context <https:\/\/schema.org\/> is not fetched/],
    ['an HTML page', '<!DOCTYPE html><html><body>Wartungsarbeiten</body></html>', 'text/html; charset=utf-8', /HTML page \(text\/html\), not RDF/],
    ['XML that is no RDF', '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"></feed>', 'application/xml', /XML .* not RDF\/XML/],
  ])('refuses %s with a HarvestError saying what is wrong', async (_n, body, type, message) => {
    await expect(parser.parseCatalog(body, type, 'http://x.test/')).rejects.toThrow(HarvestError);
    await expect(parser.parseCatalog(body, type, 'http://x.test/')).rejects.toThrow(message);
  });
});
