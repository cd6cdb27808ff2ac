import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

/**
 * package_search runs in memory while the store is in step with the database, and in SQL when it
 * is not (startup, a lost LISTEN connection, SEARCH_IN_MEMORY=false). A client must not be able
 * to tell: on a generated German catalog, both engines give the same counts, the same results in
 * the same order and the same facets, query by query and caller by caller.
 */
const WORDS = ['Pegelstände', 'Hochwasser', 'Verkehrsdaten', 'Zählstellen', 'Straße', 'Baumkataster', 'Bäume', 'Haushalt', 'Haushaltsplan',
  'Luftqualität', 'Messwerte', 'Radverkehr', 'Fahrräder', 'Überschwemmung', 'Wahlergebnisse', 'Einwohner', 'Schulen', 'Kindergärten',
  'Ladesäulen', 'Parkhäuser', 'Echtzeit', 'Gewässer', 'Grünflächen', 'Friedhöfe'];
const TOWNS = ['Speyer', 'Landau', 'Meißen', 'Riesa', 'Mainz'];
const TAGS = ['Wasser', 'Verkehr', 'Umwelt', 'Finanzen', 'Bildung', 'Mobilität'];
const FORMATS = ['CSV', 'JSON', 'PDF', 'GeoJSON'];
/** A tag vocabulary's tags: package_search knows them as vocab_thema, not as tags. */
const THEMEN = ['Wasser', 'Klima', 'Verkehr'];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

describe('the in-memory and the SQL search engine', () => {
  let t: TestApp;
  let member: TestUser;

  beforeAll(async () => {
    t = await TestApp.start();
    member = await t.factories.user({ name: 'speyer-member' });
    const orgs = [];
    for (const town of TOWNS) {
      const slug = town.toLowerCase().replace('ß', 'ss');
      orgs.push(await t.factories.organization({ name: `stadt-${slug}`, title: `Stadt ${town}`, members: town === 'Speyer' ? [[member, 'member']] : [] }));
    }
    const thema = await t.call<{ id: string }>('vocabulary_create', { name: 'thema', tags: THEMEN.map((name) => ({ name })) });
    // Its own sequence, so the rest of the catalog stays as it was generated before vocabularies.
    const rv = rng(7);
    const r = rng(42);
    const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
    // Extents on a half-degree grid (so overlaps tie), points, and Länder by key; their own sequence too.
    const rs = rng(11);
    const half = (lo: number, span: number): number => lo + Math.floor(rs() * span * 2) / 2;
    const place = (): { key: string; value: string }[] => {
      const v = rs();
      if (v < 0.3) {
        const [x, y] = [half(6, 8), half(47.5, 7)];
        const [w, h] = [0.5 + Math.floor(rs() * 4) / 2, 0.5 + Math.floor(rs() * 4) / 2];
        return [{ key: 'spatial', value: JSON.stringify({ type: 'Polygon', coordinates: [[[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]]] }) }];
      }
      if (v < 0.5) return [{ key: 'spatial', value: JSON.stringify({ type: 'Point', coordinates: [half(6, 8), half(47.5, 7)] }) }];
      if (v < 0.6) return [{ key: 'politicalGeocodingURI', value: `http://dcat-ap.de/def/politicalGeocoding/stateKey/${String(1 + Math.floor(rs() * 16)).padStart(2, '0')}` }];
      return [];
    };
    for (let i = 0; i < 80; i++) {
      const town = Math.floor(r() * TOWNS.length);
      const [a, b, c] = [pick(WORDS), pick(WORDS), pick(WORDS)];
      await t.call('package_create', {
        name: `datensatz-${i}`,
        title: r() < 0.9 ? `${a} ${TOWNS[town]}${r() < 0.3 ? ` ${b}` : ''}` : '',
        notes: r() < 0.8 ? `Daten zu ${b} und ${c} in der Stadt ${TOWNS[town]}.` : '',
        owner_org: orgs[town].id,
        private: r() < 0.15,
        tags: [...TAGS.filter(() => r() < 0.3).map((name) => ({ name })), ...THEMEN.filter(() => rv() < 0.3).map((name) => ({ name, vocabulary_id: thema.id }))],
        resources: FORMATS.filter(() => r() < 0.4).map((format) => ({ url: `http://daten.example/${i}.${format.toLowerCase()}`, format, name: `${c} ${format}` })),
        extras: [...(r() < 0.3 ? [{ key: 'herkunft', value: `Messnetz ${b}` }] : []), ...place()],
      });
    }
    await t.searchIndexed();
  });
  afterAll(() => t.stop());

  const QUERIES: Record<string, unknown>[] = [
    {}, { q: 'Pegelstand' }, { q: 'Pegelstaende Speyer' }, { q: 'Hochwasser Landau Mainz' }, { q: 'Strasse' }, { q: 'Ueberschwemmung' },
    { q: 'Verkersdaten' }, { q: 'Baum' }, { q: 'Bäume in der Stadt' }, { q: 'Haushalt -Haushaltsplan' }, { q: '+Messwerte Riesa' },
    { q: 'Daten' }, { q: 'der die das' }, { q: 'title:Ladesäulen' }, { q: 'notes:Ladesäulen' }, { q: 'text:Parkh*' },
    { q: 'Echtzeit OR Gewässer' }, { q: 'Grünflächen AND NOT tags:Umwelt' }, { q: 'Schulen', fq: 'organization:stadt-meissen' },
    { q: 'Kindergärten Einwohner Wahlergebnisse Luftqualität Radverkehr Friedhöfe' },
    { q: 'Fahrräder', sort: 'name asc' }, { q: 'Daten', sort: 'metadata_modified desc' }, { q: 'Daten', sort: 'score desc, name asc' },
    { fq: 'tags:Wasser', q: 'Pegel*' }, { q: 'Verkehr', fq: '-res_format:CSV' },
    { fq: 'vocab_thema:Wasser' }, { q: 'Daten', fq: 'vocab_thema:Klima -tags:Wasser' }, { q: 'Klima' }, { fq: 'vocab_thema:*', sort: 'name asc' },
    { ext_bbox: '7,49,9,51' }, { q: 'Daten', ext_bbox: '6,48,10,52' }, { ext_bbox: '8,50,8,50' }, { ext_bbox: '7,49,9,51', sort: 'name asc' },
    { ext_bbox: '5,47,15,55', fq: '-tags:Wasser' }, { q: 'Hochwasser OR Echtzeit', ext_bbox: '9.5,50,12,52.5' },
  ];
  const FACETS = ['organization', 'tags', 'res_format', 'license_id', 'groups', 'vocab_thema'];

  const answer = async (params: Record<string, unknown>, as: TestUser | null) => {
    const r = await t.call<{ count: number; results: { name: string }[]; facets: unknown }>(
      'package_search',
      { rows: 1000, 'facet.field': FACETS, include_private: true, ...params },
      { as },
    );
    return { count: r.count, names: r.results.map((d) => d.name), facets: r.facets };
  };

  it.each(QUERIES.map((q) => [JSON.stringify(q), q]))('answer %s alike for the public, a member and a sysadmin', async (_label, params) => {
    for (const as of [null, member, t.sysadmin]) {
      t.config.SEARCH_IN_MEMORY = true;
      const memory = await answer(params, as);
      t.config.SEARCH_IN_MEMORY = false;
      const sql = await answer(params, as);
      t.config.SEARCH_IN_MEMORY = true;
      expect(memory).toEqual(sql);
    }
  });

  it('really searched some words in memory and found something (the comparison is not vacuous)', async () => {
    const found = await answer({ q: 'Pegelstaende' }, null);
    expect(found.count).toBeGreaterThan(0);
    expect(found.names.length).toBe(found.count);
    const vocab = await answer({ fq: 'vocab_thema:Wasser' }, null);
    expect(vocab.count).toBeGreaterThan(0);
    expect(vocab.facets).toMatchObject({ vocab_thema: { Wasser: vocab.count } });
    const boxed = await answer({ ext_bbox: '7,49,9,51' }, null);
    expect(boxed.count).toBeGreaterThan(3);
  });
});
