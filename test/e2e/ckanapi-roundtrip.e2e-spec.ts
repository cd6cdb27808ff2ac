import type { Quad } from '@rdfjs/types';
import { Parser as N3Parser } from 'n3';
import request from 'supertest';
import { TestApp } from '../test-app';

/**
 * What `ckanapi load` and `ckanapi dump` do, over HTTP as ckanapi does it:
 * - dump: package_show for each dataset, the dict written as it came (one JSON line each);
 * - load: package_show by id, then by name; if found, the line goes to package_update with the found id,
 *   else to package_create, the whole dict as read (ckanapi drops nothing; CKAN ignores what it does not take).
 * Sync tools compare these dicts, so a value that changes on the way makes them rewrite every dataset on every run.
 */

type Dict = Record<string, unknown>;
type Extra = { key: string; value: string };

const DCATDE = 'http://dcat-ap.de/def/dcatde/';
const DCT = 'http://purl.org/dc/terms/';
const DCAT = 'http://www.w3.org/ns/dcat#';
const LICENSES = 'http://dcat-ap.de/def/licenses/';
const EU = 'http://publications.europa.eu/resource/authority/';
const RLP = 'http://dcat-ap.de/def/contributors/openGovernmentDataPortalRheinlandPfalz';
const SPEYER_KEY = 'http://dcat-ap.de/def/politicalGeocoding/municipalityKey/07318000';
const LANDAU_KEY = 'http://dcat-ap.de/def/politicalGeocoding/municipalityKey/07313000';

const TOPICS: [string, string, string[]][] = [
  ['haushaltsplan', 'Haushaltsplan', ['Haushalt', 'Finanzen']],
  ['bebauungsplaene', 'Bebauungspläne', ['Bauleitplanung', 'Stadtplanung']],
  ['badegewaesser', 'Badegewässerqualität', ['Umwelt', 'Wasserqualität']],
  ['wahlergebnisse-kommunalwahl', 'Wahlergebnisse Kommunalwahl', ['Wahlen']],
  ['einwohner-nach-stadtteilen', 'Einwohner nach Stadtteilen', ['Bevölkerung', 'Statistik']],
  ['kindertagesstaetten', 'Kindertagesstätten', ['Kita', 'Bildung']],
  ['parkhaeuser-belegung', 'Parkhäuser – Belegung', ['Parken', 'Verkehr']],
  ['baustellen', 'Baustellen im Stadtgebiet', ['Verkehr', 'Baustellen']],
  ['luftmessstation', 'Luftmessstation Innenstadt', ['Luftqualität', 'Umwelt']],
  ['strassenbaeume', 'Straßenbaumkataster', ['Bäume', 'Grünflächen']],
  ['spielplaetze', 'Spielplätze', ['Freizeit', 'Kinder']],
  ['abfallkalender', 'Abfallkalender', ['Abfall', 'Entsorgung']],
  ['ladestationen', 'Ladestationen für Elektrofahrzeuge', ['E-Mobilität', 'Verkehr']],
  ['radverkehrszaehlung', 'Radverkehrszählung', ['Radverkehr', 'Verkehr']],
  ['friedhoefe', 'Friedhöfe und Grabfelder', ['Friedhof']],
  ['schulen', 'Schulen und Schülerzahlen', ['Schulen', 'Bildung']],
  ['kulturdenkmaeler', 'Kulturdenkmäler', ['Denkmalpflege', 'Kultur']],
];

const LICENCE_CHOICES = ['dl-by-de/2.0', 'cc-by/4.0', `${LICENSES}dl-zero-de/2.0`, 'dl-zero-de/2.0', `${LICENSES}cc-by/4.0`, 'cc-zero'];
const FORMAT_CHOICES = ['CSV', `${EU}file-type/JSON`, 'GeoJSON', 'PDF', `${EU}file-type/CSV`, 'XLSX'];
const GROUPS = ['envi', 'gove', 'tran', 'educ', 'soci'];

/** 35 datasets as a municipal catalog holds them: GovData's extras (JSON lists for multi-valued ones), short forms and IRIs mixed. */
function municipalDatasets(orgs: Dict[]): Dict[] {
  const out: Dict[] = [];
  for (let i = 0; i < 35; i++) {
    const [slug, title, tags] = TOPICS[i % TOPICS.length];
    const year = 2018 + (i % 7);
    const org = orgs[i % orgs.length];
    const geocoding = i % 3 === 0 ? JSON.stringify([SPEYER_KEY, LANDAU_KEY]) : JSON.stringify([SPEYER_KEY]);
    const extras: Extra[] = [
      { key: 'contributorID', value: i % 5 === 0 ? JSON.stringify([RLP, 'http://dcat-ap.de/def/contributors/govData']) : JSON.stringify([RLP]) },
      { key: 'politicalGeocodingURI', value: geocoding },
      { key: 'politicalGeocodingLevelURI', value: i % 2 ? 'municipality' : 'http://dcat-ap.de/def/politicalGeocoding/Level/municipality' },
      { key: 'spatial_uri', value: SPEYER_KEY },
      { key: 'temporal_start', value: `${year}-01-01T00:00:00` },
      { key: 'temporal_end', value: `${year}-12-31T00:00:00` },
      { key: 'language', value: i % 2 ? JSON.stringify([`${EU}language/DEU`]) : 'de' },
      { key: 'frequency', value: i % 3 === 1 ? 'monthly' : `${EU}frequency/ANNUAL` },
      { key: 'issued', value: `${year}-03-0${1 + (i % 9)}T00:00:00` },
      { key: 'maintainer_url', value: 'https://www.speyer.de/de/rathaus/' },
      { key: 'author_url', value: 'https://www.speyer.de/' },
      { key: 'legalbasisText', value: JSON.stringify(['§ 12 Landestransparenzgesetz (LTranspG)']) },
      ...(i % 4 === 0 ? [{ key: 'access_rights', value: 'PUBLIC' }] : []),
      ...(i % 6 === 0 ? [{ key: 'theme', value: JSON.stringify([`${EU}data-theme/GOVE`]) }] : []),
    ];
    const resources: Dict[] = [
      {
        name: `${title} ${year} (Tabelle)`, description: `${title} für das Jahr ${year}.`, url: `https://www.speyer.de/opendata/${slug}-${year}.csv`,
        format: FORMAT_CHOICES[i % FORMAT_CHOICES.length], mimetype: 'text/csv', size: 1024 * (i + 1),
        ...(i % 4 === 1 ? { license: LICENCE_CHOICES[(i + 2) % LICENCE_CHOICES.length] } : {}),
        ...(i % 5 === 2 ? { language: JSON.stringify([`${EU}language/DEU`]), licenseAttributionByText: 'Stadt Speyer, Vermessungsamt' } : {}),
      },
      ...(i % 2 === 0
        ? [{ name: 'Beschreibung', url: `https://www.speyer.de/opendata/${slug}.pdf`, format: 'PDF', last_modified: `${year}-06-30T12:00:00` }]
        : []),
    ];
    out.push({
      ...(i % 2 === 0 ? { id: `5f0c${String(i).padStart(4, '0')}-1b2c-4d3e-8f40-${String(100000000000 + i)}` } : {}),
      name: `${slug}-${year}-${i}`,
      title: `${title} ${year}`,
      notes: `${title} der Stadt Speyer für ${year}. Quelle: Stadtverwaltung.`,
      owner_org: org.name,
      license_id: LICENCE_CHOICES[i % LICENCE_CHOICES.length],
      author: 'Stadtverwaltung Speyer',
      author_email: 'opendata@stadt-speyer.de',
      maintainer: 'Fachbereich Digitalisierung',
      maintainer_email: 'digital@stadt-speyer.de',
      url: `https://www.speyer.de/${slug}`,
      version: `${year}.1`,
      tags: tags.map((name) => ({ name })),
      groups: [{ name: GROUPS[i % GROUPS.length] }],
      extras,
      resources,
    });
  }
  return out;
}

/**
 * Keys CKAN itself regenerates on every write, so two dumps may differ there and nowhere else:
 * the dataset's and each resource's metadata_modified. (CKAN 2.9+ has no revision ids in dicts.)
 */
const REGENERATED_DATASET_KEYS = ['metadata_modified'];
const REGENERATED_RESOURCE_KEYS = ['metadata_modified'];

function withoutRegenerated(d: Dict): Dict {
  const copy: Dict = { ...d };
  for (const k of REGENERATED_DATASET_KEYS) delete copy[k];
  copy.resources = (d.resources as Dict[]).map((r) => {
    const rc: Dict = { ...r };
    for (const k of REGENERATED_RESOURCE_KEYS) delete rc[k];
    return rc;
  });
  return copy;
}

const extrasMap = (d: Dict): Record<string, string> => Object.fromEntries((d.extras as Extra[]).map((e) => [e.key, e.value]));
const objects = (quads: Quad[], s: string, p: string): string[] => quads.filter((q) => q.subject.value === s && q.predicate.value === p).map((q) => q.object.value).sort();

describe('ckanapi dump → load → dump', () => {
  let t: TestApp;
  let source: Dict[];
  let firstDump: Dict[];

  const action = (name: string, body: Dict) => request(t.http).post(`/api/3/action/${name}`).set('Authorization', t.sysadmin.token).send(body);

  /** ckanapi load: find by id, then by name; update with the found id, else create. Returns the names. */
  async function load(lines: Dict[]): Promise<string[]> {
    const names: string[] = [];
    for (const line of lines) {
      const obj = JSON.parse(JSON.stringify(line)) as Dict;
      let existing: Dict | undefined;
      for (const ref of [obj.id, obj.name]) {
        if (existing || !ref) continue;
        const show = await action('package_show', { id: ref });
        if (show.body.success) existing = show.body.result;
      }
      if (existing) obj.id = existing.id;
      const res = await action(existing ? 'package_update' : 'package_create', obj);
      expect({ name: obj.name, status: res.status, error: res.body.error }).toEqual({ name: obj.name, status: 200, error: undefined });
      names.push(res.body.result.name);
    }
    return names;
  }

  /** ckanapi dump: package_show for each, the dict as JSON text and back. */
  async function dump(names: string[]): Promise<Dict[]> {
    const out: Dict[] = [];
    for (const name of names) {
      const res = await request(t.http).get(`/api/3/action/package_show?id=${encodeURIComponent(name)}`).set('Authorization', t.sysadmin.token);
      expect(res.status).toBe(200);
      out.push(JSON.parse(JSON.stringify(res.body.result)) as Dict);
    }
    return out;
  }

  beforeAll(async () => {
    t = await TestApp.start();
    for (const name of GROUPS) await t.call('group_create', { name, title: name.toUpperCase() });
    const orgs = [
      await t.call<Dict>('organization_create', { name: 'stadt-speyer', title: 'Stadt Speyer', extras: [{ key: 'contributorID', value: RLP }] }),
      await t.call<Dict>('organization_create', { name: 'stadtwerke-speyer', title: 'Stadtwerke Speyer' }),
    ];
    source = municipalDatasets(orgs);
    const names = await load(source);
    firstDump = await dump(names);
  });
  afterAll(() => t?.stop());

  it('keeps every value a client wrote: licence short forms and IRIs, extras verbatim (JSON lists too), formats, tags, groups', () => {
    expect(firstDump).toHaveLength(35);
    source.forEach((sent, i) => {
      const got = firstDump[i];
      const name = sent.name;
      for (const key of ['name', 'title', 'notes', 'license_id', 'author', 'author_email', 'maintainer', 'maintainer_email', 'url', 'version']) {
        expect({ name, key, value: got[key] }).toEqual({ name, key, value: sent[key] });
      }
      if (sent.id) expect(got.id).toBe(sent.id);
      expect({ name, extras: extrasMap(got) }).toEqual({ name, extras: Object.fromEntries((sent.extras as Extra[]).map((e) => [e.key, e.value])) });
      expect((got.tags as Dict[]).map((x) => x.name).sort()).toEqual((sent.tags as Dict[]).map((x) => x.name).sort());
      expect((got.groups as Dict[]).map((x) => x.name)).toEqual((sent.groups as Dict[]).map((x) => x.name));
      const resources = got.resources as Dict[];
      expect(resources).toHaveLength((sent.resources as Dict[]).length);
      (sent.resources as Dict[]).forEach((r, j) => {
        for (const [key, value] of Object.entries(r)) expect({ name, resource: j, key, value: resources[j][key] }).toEqual({ name, resource: j, key, value });
      });
    });
  });

  it('dumps the same dicts again after loading its own dump (all but what CKAN regenerates: metadata_modified)', async () => {
    const names = await load(firstDump);
    const secondDump = await dump(names);
    expect(secondDump).toHaveLength(firstDump.length);
    firstDump.forEach((before, i) => {
      const after = secondDump[i];
      const a = withoutRegenerated(before);
      const b = withoutRegenerated(after);
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
        expect({ name: before.name, key, value: b[key] }).toEqual({ name: before.name, key, value: a[key] });
      }
      // What CKAN regenerates does change: the write really happened.
      expect(String(after.metadata_modified) >= String(before.metadata_modified)).toBe(true);
    });
  });

  it('resolves short forms when it publishes: license_title/license_url, facet display names', async () => {
    const short = firstDump.find((d) => d.license_id === 'dl-by-de/2.0')!;
    const iri = firstDump.find((d) => d.license_id === `${LICENSES}dl-zero-de/2.0`)!;
    expect(short).toMatchObject({ license_title: 'Datenlizenz Deutschland Namensnennung 2.0', license_url: 'https://www.govdata.de/dl-de/by-2-0', isopen: true });
    expect(iri).toMatchObject({ license_title: 'Datenlizenz Deutschland – Zero – Version 2.0', isopen: true });
    await t.searchIndexed();
    const search = await request(t.http).get('/api/3/action/package_search').query({ 'facet.field': JSON.stringify(['license_id', 'res_format', 'frequency']), rows: 0 });
    const licenceItems = search.body.result.search_facets.license_id.items as { name: string; display_name: string }[];
    expect(licenceItems.find((x) => x.name === 'cc-by/4.0')?.display_name).toBe('Creative Commons Namensnennung – 4.0 International (CC BY 4.0)');
    expect(licenceItems.find((x) => x.name === `${LICENSES}cc-by/4.0`)?.display_name).toBe('Creative Commons Namensnennung – 4.0 International (CC BY 4.0)');
    const formatItems = search.body.result.search_facets.res_format.items as { name: string; display_name: string }[];
    expect(formatItems.find((x) => x.name === `${EU}file-type/JSON`)?.display_name).toBe('JSON');
    expect(formatItems.find((x) => x.name === 'CSV')?.display_name).toBe('CSV');
    const frequencies = search.body.result.search_facets.frequency.items as { name: string; display_name: string }[];
    expect(frequencies.map((x) => [x.name, x.display_name]).sort()).toEqual([['http://publications.europa.eu/resource/authority/frequency/ANNUAL', 'jährlich'], ['monthly', 'monatlich']]);
  });

  it('publishes vocabulary IRIs for short forms and one RDF value per member of a JSON-list extra', async () => {
    const d = firstDump.find((x) => x.license_id === 'dl-by-de/2.0' && extrasMap(x).language === 'de' && extrasMap(x).contributorID.includes("govData"))
      ?? firstDump.find((x) => x.license_id === 'dl-by-de/2.0')!;
    const res = await request(t.http).get(`/dataset/${String(d.id)}.ttl`);
    expect(res.status).toBe(200);
    const quads = new N3Parser({ format: 'text/turtle' }).parse(res.text) as Quad[];
    const node = `http://catalog.test/dataset/${String(d.id)}`;
    const extras = extrasMap(d);
    expect(objects(quads, node, `${DCATDE}contributorID`)).toEqual((JSON.parse(extras.contributorID) as string[]).sort());
    expect(objects(quads, node, `${DCATDE}politicalGeocodingURI`)).toEqual((JSON.parse(extras.politicalGeocodingURI) as string[]).sort());
    expect(objects(quads, node, `${DCATDE}politicalGeocodingLevelURI`)).toEqual(['http://dcat-ap.de/def/politicalGeocoding/Level/municipality']);
    expect(objects(quads, node, `${DCT}language`)).toEqual([`${EU}language/DEU`]);
    expect(objects(quads, node, `${DCT}accrualPeriodicity`)).toHaveLength(1);
    expect(objects(quads, node, `${DCT}accrualPeriodicity`)[0]).toMatch(/^http:\/\/publications\.europa\.eu\/resource\/authority\/frequency\/(ANNUAL|MONTHLY)$/);
    const dists = objects(quads, node, `${DCAT}distribution`);
    const licences = dists.flatMap((x) => objects(quads, x, `${DCT}license`));
    expect(licences.length).toBeGreaterThan(0);
    for (const l of licences) expect(l).toMatch(/^http:\/\/dcat-ap\.de\/def\/licenses\//);
    expect(licences).toContain(`${LICENSES}dl-by-de/2.0`);
    for (const x of dists) for (const f of objects(quads, x, `${DCT}format`)) expect(f).toMatch(/^http:\/\/publications\.europa\.eu\/resource\/authority\/file-type\//);
    // The legal basis is a JSON list with one member: one value, not the list's text.
    expect(objects(quads, node, `${DCATDE}legalBasis`)).toEqual(['§ 12 Landestransparenzgesetz (LTranspG)']);
  });
});
