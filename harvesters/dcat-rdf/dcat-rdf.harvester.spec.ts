import { readFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { DcatCatalogParser } from '../../src/dcat/catalog-parser';
import { Dict, HarvestConfigError, HarvestError, RemoteRecord } from '../../src/harvest/harvester';
import { extrasOf, gatherAll, testRun, TestRun } from '../testing/test-run';
import { DCAT_ACCEPT, glanceAtNext, DcatRdfHarvester } from './dcat-rdf.harvester';

/**
 * The DCAT RDF harvester against recorded DCAT-AP.de catalogs (fixtures/) replayed by a local HTTP server: every
 * remote address is answered by the server under `/<host><path>`, so the recorded paging links stay as published.
 * The run's fetch is a plain one (test-run.ts); address checks, size and time bounds are the runner's guarded fetch.
 */

const FIXTURES = path.join(__dirname, 'fixtures');
const RDF_XML = 'application/rdf+xml; charset=utf-8';
const TURTLE = 'text/turtle; charset=utf-8';
const ROUTES: Record<string, [string, string] | [number, string, string]> = {
  'daten.example-kreis.de/catalog.rdf': ['dcatde-2.0-page1.rdf', RDF_XML],
  'daten.example-kreis.de/catalog.rdf?page=2': ['dcatde-2.0-page2.rdf', RDF_XML],
  'opendata.stadt-beispiel.de/catalog.ttl': ['dcatde-3.0-page1.ttl', TURTLE],
  'opendata.stadt-beispiel.de/catalog.ttl?page=2': ['dcatde-3.0-page2.ttl', TURTLE],
  'opendata.stadt-beispiel.de/catalog.ttl?page=3': ['dcatde-3.0-page3.ttl', TURTLE],
  'geoportal.example.de/catalog.jsonld': ['dcatde-3.0.jsonld', 'application/ld+json'],
  // The same Turtle served under a type that says nothing (a misconfigured web server).
  'ohne-typ.example.de/catalog': ['dcatde-3.0-page3.ttl', 'application/octet-stream'],
  'kaputt.example.de/catalog.ttl': ['malformed.ttl', TURTLE],
  'kreisel.example.de/catalog.ttl?page=1': ['loop-page1.ttl', TURTLE],
  'kreisel.example.de/catalog.ttl?page=2': ['loop-page2.ttl', TURTLE],
  'wartung.example.de/catalog.rdf': [503, '<!DOCTYPE html><html><body>Wartungsarbeiten</body></html>', 'text/html'],
};

let server: Server;
let base: string;
const parser = new DcatCatalogParser();
const harvester = new DcatRdfHarvester();
const seenAccept: string[] = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    seenAccept.push(String(req.headers.accept));
    const route = ROUTES[(req.url ?? '/').slice(1)];
    if (!route) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    if (route.length === 3) return void res.writeHead(route[0], { 'content-type': route[2] }).end(route[1]);
    res.writeHead(200, { 'content-type': route[1] }).end(readFileSync(path.join(FIXTURES, route[0])));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** A run of a source at `url` (its config checked as on save), fetched from the local server. */
const run = (url: string, config: Dict = {}): TestRun =>
  testRun({ url, config: harvester.parseConfig(config), tools: parser, route: (u) => { const x = new URL(u); return `${base}/${x.host}${x.pathname}${x.search}`; } });

describe('DCAT RDF harvester: gather', () => {
  it('reads a DCAT-AP.de 2.0 RDF/XML catalog over its hydra:nextPage pages: every dataset by its IRI, its dct:identifier unchanged', async () => {
    const r = run('https://daten.example-kreis.de/catalog.rdf');
    const got = await gatherAll(harvester, r);
    expect(got.error).toBeUndefined();
    expect(got.records.map((x) => [x.guid, x.identifier, x.modified])).toEqual([
      ['https://daten.example-kreis.de/dataset/badegewaesser', 'a3c1e2d4-0b1f-4c2a-9e8d-badegewaesser', '2024-06-01T10:15:00'],
      ['https://daten.example-kreis.de/dataset/kitas', 'kreis-kitas', '2024-09-30'],
      ['https://daten.example-kreis.de/dataset/abfallkalender', 'https://daten.example-kreis.de/id/abfallkalender-2025', '2025-01-02T07:00:00'],
    ]);
    expect(got.present).toEqual(got.records.map((x) => x.guid));
    expect(got.complete).toBe(true);
    expect(r.requests.map((x) => x.url)).toEqual(['https://daten.example-kreis.de/catalog.rdf', 'https://daten.example-kreis.de/catalog.rdf?page=2']);
    expect(r.requests.every((x) => x.accept === DCAT_ACCEPT)).toBe(true);
    expect(r.progressReports).toEqual([[2, 3], [3, 3]]);
    // The fetched record's content is the dataset's own RDF: its distributions and agents, not the other datasets'.
    const { content } = await harvester.fetch(got.records[2], r);
    expect(content).toContain('Abfallwirtschaftsbetrieb des Kreises');
    expect(content).toContain('abfall-2025.ics');
    expect(content).not.toContain('badegewaesser');
  });

  it('reads a DCAT-AP.de 3.0 Turtle catalog over three pages of hydra:PartialCollectionView with relative next links', async () => {
    const r = run('https://opendata.stadt-beispiel.de/catalog.ttl');
    const got = await gatherAll(harvester, r);
    expect(got.error).toBeUndefined();
    expect(r.requests.map((x) => x.url)).toEqual([
      'https://opendata.stadt-beispiel.de/catalog.ttl', 'https://opendata.stadt-beispiel.de/catalog.ttl?page=2', 'https://opendata.stadt-beispiel.de/catalog.ttl?page=3',
    ]);
    expect(got.records.map((x) => [x.guid.replace('https://opendata.stadt-beispiel.de/dataset/', ''), x.identifier])).toEqual([
      ['parkhaeuser', 'https://opendata.stadt-beispiel.de/id/parkhaeuser'],
      ['haushalt-2025', 'urn:de:rp:beispiel:haushalt-2025'],
      // No dct:identifier: the IRI is its identity across sources too.
      ['baumkataster', 'https://opendata.stadt-beispiel.de/dataset/baumkataster'],
      ['wahlergebnisse', 'urn:de:rp:beispiel:kommunalwahl-2024'],
      ['entwurf', 'urn:de:rp:beispiel:entwurf'],
    ]);
    expect(got.complete).toBe(true);
    expect(r.progressReports.at(-1)).toEqual([5, 5]);
  });

  it('reads a JSON-LD catalog', async () => {
    const got = await gatherAll(harvester, run('https://geoportal.example.de/catalog.jsonld'));
    expect(got.error).toBeUndefined();
    expect(got.records.map((x) => [x.guid, x.identifier, x.modified])).toEqual([['https://geoportal.example.de/dataset/bebauungsplaene', 'DE-RP-BPLAN-0815', '2025-07-01T08:00:00Z']]);
    expect(got.complete).toBe(true);
  });

  it('reads a page as the format the config forces when the server names a type that says nothing (rdf_format)', async () => {
    const r = run('https://ohne-typ.example.de/catalog', { rdf_format: 'turtle' });
    const got = await gatherAll(harvester, r);
    expect(got.records.map((x) => x.identifier)).toEqual(['urn:de:rp:beispiel:entwurf']);
    expect(r.requests[0].accept).toBe('text/turtle');
  });

  it('ends with a HarvestError naming the page and the line for malformed Turtle, and never says the listing was complete', async () => {
    const got = await gatherAll(harvester, run('https://kaputt.example.de/catalog.ttl'));
    expect(got.error).toBeInstanceOf(HarvestError);
    expect(got.error!.message).toMatch(/^page 1 \(https:\/\/kaputt\.example\.de\/catalog\.ttl\): not valid Turtle: .*line 7/);
    expect(got.complete).toBe(false);
  });

  it('stops a paging loop at the first page read twice, without withdrawing anything', async () => {
    const got = await gatherAll(harvester, run('https://kreisel.example.de/catalog.ttl?page=1'));
    expect(got.records.map((x) => x.guid)).toEqual(['https://kreisel.example.de/dataset/eins', 'https://kreisel.example.de/dataset/zwei']);
    expect(got.error).toBeInstanceOf(HarvestError);
    expect(got.error!.message).toMatch(/runs in a circle: https:\/\/kreisel\.example\.de\/catalog\.ttl\?page=1 was read before/);
    expect(got.complete).toBe(false);
  });

  it('stops after max_pages pages', async () => {
    const got = await gatherAll(harvester, run('https://opendata.stadt-beispiel.de/catalog.ttl', { max_pages: 2 }));
    expect(got.records).toHaveLength(4);
    expect(got.error!.message).toMatch(/more than 2 pages \(config max_pages\)/);
    expect(got.complete).toBe(false);
  });

  it('reports a source that answers with an error page, with its status', async () => {
    const got = await gatherAll(harvester, run('https://wartung.example.de/catalog.rdf'));
    expect(got.error).toBeInstanceOf(HarvestError);
    expect(got.error!.message).toBe('page 1 (https://wartung.example.de/catalog.rdf) answered HTTP 503; nothing withdrawn this run');
    expect(got.records).toEqual([]);
  });

  it('reports a source that cannot be reached, naming the page', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const r = testRun({ url: 'https://weg.example.de/catalog.ttl', tools: parser, route: () => `http://127.0.0.1:${port}/` });
    const got = await gatherAll(harvester, r);
    expect(got.error).toBeInstanceOf(HarvestError);
    expect(got.error!.message).toMatch(/^page 1 \(https:\/\/weg\.example\.de\/catalog\.ttl\): .*; nothing withdrawn this run$/);
    expect(got.complete).toBe(false);
  });

  it('withdraws nothing when the pages listed fewer datasets than the catalog says it holds (it changed while being read)', async () => {
    // Page 2 alone: hydra:totalItems 3, one dataset.
    const got = await gatherAll(harvester, run('https://daten.example-kreis.de/catalog.rdf?page=2'));
    expect(got.records).toHaveLength(1);
    expect(got.error!.message).toMatch(/holds 3 datasets but its pages listed 1/);
    expect(got.complete).toBe(false);
  });

  it('stops between pages when the run is aborted', async () => {
    const r = run('https://opendata.stadt-beispiel.de/catalog.ttl');
    const got = await gatherAll(harvester, r, (item) => {
      if ('present' in item) r.abort(new Error('harvest_job_abort'));
    });
    expect(got.error?.message).toBe('harvest_job_abort');
    // Page 2 was asked for while page 1 was read (the run's fetch is aborted with it); none of it is listed.
    expect(r.requests.map((x) => x.url)).toEqual(['https://opendata.stadt-beispiel.de/catalog.ttl', 'https://opendata.stadt-beispiel.de/catalog.ttl?page=2']);
    expect(got.records.map((x) => x.guid.replace('https://opendata.stadt-beispiel.de/dataset/', ''))).toEqual(['parkhaeuser', 'haushalt-2025']);
    expect(got.complete).toBe(false);
  });
});

describe('DCAT RDF harvester: asking for the next page early', () => {
  it('finds the next page\'s link at a glance in Turtle, N-Triples, RDF/XML and JSON-LD, relative ones resolved', () => {
    const base = 'https://k.test/catalog.ttl?page=1';
    expect(glanceAtNext('<https://k.test/c> hydra:next <?page=2> ; hydra:last <?page=9> .', base)).toBe('https://k.test/catalog.ttl?page=2');
    expect(glanceAtNext('<x> <http://www.w3.org/ns/hydra/core#next> <https://k.test/c?page=2> .', base)).toBe('https://k.test/c?page=2');
    expect(glanceAtNext('<hydra:nextPage>https://k.test/c.rdf?page=2&amp;q=x</hydra:nextPage>', base)).toBe('https://k.test/c.rdf?page=2&q=x');
    expect(glanceAtNext('<hydra:next rdf:resource="/c.rdf?page=3"/>', base)).toBe('https://k.test/c.rdf?page=3');
    expect(glanceAtNext('{"hydra:next": {"@id": "https://k.test/c.jsonld?page=2"}}', base)).toBe('https://k.test/c.jsonld?page=2');
    expect(glanceAtNext('{"hydra:nextPage": "https://k.test/c.jsonld?page=2"}', base)).toBe('https://k.test/c.jsonld?page=2');
  });

  it('guesses nothing from a prefix line, a blank node or a page without a next link', () => {
    expect(glanceAtNext('@prefix hydra: <http://www.w3.org/ns/hydra/core#> .\n<c> a dcat:Catalog .', 'https://k.test/')).toBeUndefined();
    expect(glanceAtNext('<c> hydra:next [ a hydra:Link ] .', 'https://k.test/')).toBeUndefined();
    expect(glanceAtNext('<c> hydra:last <?page=1> .', 'https://k.test/')).toBeUndefined();
  });
});

describe('DCAT RDF harvester: toPackage', () => {
  let records: RemoteRecord[];
  let r: TestRun;
  beforeAll(async () => {
    r = run('https://opendata.stadt-beispiel.de/catalog.ttl');
    records = (await gatherAll(harvester, r)).records;
  });
  const byName = (name: string): RemoteRecord => records.find((x) => x.guid.endsWith(`/dataset/${name}`))!;

  it('maps a dataset to a package dict: German title, keywords as valid tags, identifier passed on unchanged, IRI kept, resources as links', async () => {
    const fetched = await harvester.fetch(byName('parkhaeuser'), r);
    const decision = await harvester.toPackage(fetched, r);
    expect(decision.action).toBe('import');
    const pkg = (decision as { package: Dict }).package;
    expect(pkg).toMatchObject({ name: 'parkhausbelegung', title: 'Parkhausbelegung', notes: 'Freie Stellplätze der städtischen Parkhäuser, minütlich.', license_id: 'dl-zero-de/2.0' });
    expect((pkg.tags as { name: string }[]).map((t) => t.name).sort()).toEqual(['Echtzeit live', 'Parken', 'Verkehr']);
    expect(extrasOf(pkg)).toMatchObject({
      identifier: 'https://opendata.stadt-beispiel.de/id/parkhaeuser', uri: 'https://opendata.stadt-beispiel.de/dataset/parkhaeuser', modified: '2025-11-30T23:59:00+01:00',
      issued: '2021-03-01', contributorID: 'http://dcat-ap.de/def/contributors/openGovernmentDataPortalRheinlandPfalz',
      politicalGeocodingLevelURI: 'http://dcat-ap.de/def/politicalGeocoding/Level/municipality', theme: 'http://publications.europa.eu/resource/authority/data-theme/TRAN',
      maintainer_name: 'Tiefbauamt', contact_email: 'tiefbau@stadt-beispiel.de', publisher_name: 'Stadt Beispiel',
    });
    expect(pkg.resources).toEqual([expect.objectContaining({
      name: 'Aktuelle Belegung (JSON)', url: 'https://api.stadt-beispiel.de/parken/v1/belegung', format: 'JSON', mimetype: 'application/json', license: 'dl-zero-de/2.0',
      uri: 'https://opendata.stadt-beispiel.de/dataset/parkhaeuser/resource/json',
    })]);
    expect(pkg).not.toHaveProperty('uri');
  });

  it('skips a dataset without a title, saying why', async () => {
    expect(await harvester.toPackage(byName('entwurf'), r)).toEqual({ action: 'skip', reason: 'https://opendata.stadt-beispiel.de/dataset/entwurf has no dct:title' });
  });

  it('maps a record the runner kept without its parsed dict from its Turtle content alone, to the same package', async () => {
    const rec = await harvester.fetch(byName('haushalt-2025'), r);
    const fromContent = await harvester.toPackage({ guid: rec.guid, identifier: rec.identifier, content: rec.content }, r);
    expect(fromContent).toEqual(await harvester.toPackage(rec, r));
  });

  it('adds the config\'s default tags and extras, appends its contributorID, and skips datasets without distributions when resources_required', async () => {
    const cfg = run('https://opendata.stadt-beispiel.de/catalog.ttl', {
      default_tags: ['Kreis Beispiel', { name: 'Harvested' }], default_extras: { harvested_portal: 'stadt-beispiel', identifier: 'must-not-replace' },
      contributorID: 'openDataKreisBeispiel', resources_required: true,
    });
    const pkg = ((await harvester.toPackage(byName('haushalt-2025'), cfg)) as { package: Dict }).package;
    expect((pkg.tags as { name: string }[]).map((t) => t.name).sort()).toEqual(['Finanzen', 'Harvested', 'Haushalt', 'Kreis Beispiel']);
    expect(extrasOf(pkg)).toMatchObject({
      harvested_portal: 'stadt-beispiel', identifier: 'urn:de:rp:beispiel:haushalt-2025',
      // Appended after the source's own, as GovData's harvester does.
      contributorID: JSON.stringify(['http://dcat-ap.de/def/contributors/openGovernmentDataPortalRheinlandPfalz', 'http://dcat-ap.de/def/contributors/openDataKreisBeispiel']),
    });
    const noDist: RemoteRecord = { guid: 'https://x.test/d', identifier: 'd', data: { title: 'Ohne Verteilung', resources: [], extras: [] } };
    expect(await harvester.toPackage(noDist, cfg)).toEqual({ action: 'skip', reason: 'https://x.test/d has no distribution (config resources_required)' });
  });
});

describe('DCAT RDF harvester: config', () => {
  it('is ckanext-dcat\'s dcat_rdf', () => {
    expect(harvester).toMatchObject({ type: 'dcat_rdf', info: { name: 'dcat_rdf', title: 'Generic DCAT RDF Harvester' }, secretKeys: [] });
  });

  it('accepts ckanext-dcat\'s and GovData\'s keys and keeps unknown ones', () => {
    expect(harvester.parseConfig({ rdf_format: 'xml', default_tags: ['abc'], contributorID: ['http://dcat-ap.de/def/contributors/x'], max_pages: 50, some_other_key: 1 })).toEqual({
      rdf_format: 'application/rdf+xml', default_tags: ['abc'], contributorID: ['http://dcat-ap.de/def/contributors/x'], max_pages: 50, some_other_key: 1,
    });
    expect(harvester.parseConfig({})).toEqual({});
  });

  it('refuses a config it cannot use, naming each key', () => {
    let error: unknown;
    try {
      harvester.parseConfig({ rdf_format: 'docx', default_tags: 'a,b', default_extras: [], contributorID: 5, resources_required: 'yes', max_pages: 0 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HarvestConfigError);
    expect((error as HarvestConfigError).problems.map((p) => p.split(' ')[0])).toEqual(['rdf_format', 'default_tags', 'default_extras', 'contributorID', 'resources_required', 'max_pages']);
  });
});
