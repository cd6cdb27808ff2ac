import request from 'supertest';
import { TestUser } from '../factories/factories';
import { TestApp } from '../test-app';

type Dict = Record<string, unknown>;

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
/** No <script> anywhere: every page works without JavaScript. */
const noScript = (html: string): void => expect(html).not.toMatch(/<script/i);

/**
 * The citizen portal (issue 17): CKAN's addresses as server-rendered pages, German by default, readable without
 * JavaScript, showing only what the caller may read through the same actions as the API.
 */
describe('web portal', () => {
  let t: TestApp;
  let member: TestUser;
  let org: Dict;
  let other: Dict;
  let group: Dict;
  let pub: Dict & { resources: Dict[] };

  beforeAll(async () => {
    t = await TestApp.start();
    member = await t.factories.user();
    org = await t.factories.organization({ name: 'stadt-cochem', title: 'Stadt Cochem', members: [[member, 'member']] });
    other = await t.factories.organization({ name: 'kreis-mayen', title: 'Kreis Mayen-Koblenz' });
    group = await t.factories.group({ name: 'envi', title: 'Umwelt' });
    pub = await t.factories.dataset({
      name: 'pegel-cochem', title: 'Pegelstände Cochem', owner_org: org.id as string, license_id: 'dl-by-de/2.0',
      notes: 'Wasserstände der Mosel.\n\nStündlich aktualisiert, siehe https://pegelonline.example/cochem.', tags: [{ name: 'Wasser' }], groups: [{ name: 'envi' }],
      extras: [
        { key: 'frequency', value: 'http://publications.europa.eu/resource/authority/frequency/DAILY' },
        { key: 'contact_name', value: 'Umweltamt Cochem' }, { key: 'contact_email', value: 'umwelt@cochem.example' },
        { key: 'temporal_start', value: '2020-01-01' },
        { key: 'politicalGeocodingURI', value: 'http://dcat-ap.de/def/politicalGeocoding/stateKey/07' },
        { key: 'hvd_category', value: '["c_dd313021"]' },
      ],
      resources: [{ name: 'Messwerte CSV', url: 'https://cochem.example/pegel.csv', format: 'CSV', description: 'Alle Messwerte.' }],
    });
    await t.factories.dataset({ name: 'haushalt-mayen', title: 'Haushaltsplan Mayen', owner_org: other.id as string, resources: [{ url: 'https://mayen.example/h.pdf', format: 'PDF' }] });
    await t.factories.dataset({ name: 'geheim-cochem', title: 'Geheime Liste', owner_org: org.id as string, private: true, groups: [{ name: 'envi' }] });
    await t.factories.dataset({ name: 'xss-titel', title: '<script>alert(1)</script> Titel', owner_org: other.id as string });
    await t.searchIndexed();
  });
  afterAll(() => t.stop());

  const get = (path: string) => request(t.http).get(path);

  describe('home', () => {
    it('is a German page with a search form, counts and the newest datasets', async () => {
      const res = await get('/');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toMatch(/^<!DOCTYPE html><html lang="de">/);
      expect(res.text).toContain('<form class="search" method="get" action="/dataset"');
      expect(res.text).toMatch(/<label for="q">Datensätze durchsuchen<\/label>/);
      expect(res.text).toContain('name="q"');
      expect(res.text).toContain('Pegelstände Cochem');
      expect(res.text).toMatch(/<strong>3<\/strong> Datensätze/);
      expect(res.text).toContain('href="/organization/stadt-cochem"');
      noScript(res.text);
    });

    it('has a skip link, landmarks, one h1 and the stylesheet under a content hash', async () => {
      const res = await get('/');
      expect(res.text).toContain('<a class="skip" href="#main">Zum Inhalt springen</a>');
      for (const tag of ['<header', '<nav aria-label="Hauptnavigation"', '<main id="main"', '<footer']) expect(res.text).toContain(tag);
      expect(res.text.match(/<h1[ >]/g)).toHaveLength(1);
      const css = /href="(\/web\/style\.[0-9a-f]{10}\.css)"/.exec(res.text)?.[1];
      expect(css).toBeDefined();
      const sheet = await get(css as string);
      expect(sheet.status).toBe(200);
      expect(sheet.headers['content-type']).toMatch(/^text\/css/);
      expect(sheet.headers['cache-control']).toContain('immutable');
      expect(sheet.text).toContain(':focus-visible');
      expect((await get('/web/style.0000000000.css')).status).toBe(404);
    });
  });

  describe('language', () => {
    it('switches to English with ?lang=en and keeps it in a cookie', async () => {
      const res = await get('/dataset?lang=en');
      expect(res.text).toContain('<html lang="en">');
      expect(res.text).toContain('Search datasets');
      expect(res.headers['set-cookie']?.[0]).toMatch(/^lang=en; Path=\/;.*SameSite=Lax/);
      const next = await get('/dataset').set('Cookie', 'lang=en');
      expect(next.text).toContain('<html lang="en">');
      expect(next.text).toContain('href="/dataset?lang=de"');
    });

    it('follows Accept-Language without a cookie, German otherwise', async () => {
      expect((await get('/').set('Accept-Language', 'en-US,en;q=0.9')).text).toContain('<html lang="en">');
      expect((await get('/').set('Accept-Language', 'fr-FR,de;q=0.5,en;q=0.3')).text).toContain('<html lang="de">');
      expect((await get('/').set('Accept-Language', 'fr')).text).toContain('<html lang="de">');
    });
  });

  describe('dataset search', () => {
    it('finds by words, with facets as links carrying CKAN parameter names', async () => {
      const res = await get('/dataset?q=Pegel');
      expect(res.status).toBe(200);
      expect(res.text).toContain('1 Datensatz gefunden');
      expect(res.text).toContain('href="/dataset/pegel-cochem"');
      expect(res.text).not.toContain('Haushaltsplan Mayen');
      expect(res.text).toContain('href="/dataset?q=Pegel&amp;organization=stadt-cochem"');
      expect(res.text).toContain('href="/dataset?q=Pegel&amp;res_format=CSV"');
      expect(res.text).toContain('Namensnennung'); // licence facet shows the licence title
      noScript(res.text);
    });

    it('filters by a facet and offers to remove it', async () => {
      const res = await get('/dataset?organization=kreis-mayen');
      expect(res.text).toContain('Haushaltsplan Mayen');
      expect(res.text).not.toContain('Pegelstände Cochem');
      expect(res.text).toContain('Filter entfernen: Kreis Mayen-Koblenz');
    });

    it('filters by HVD category as the facet names it', async () => {
      const page = await get('/dataset');
      expect(page.text).toContain('Hochwertige Datensätze (HVD)');
      const res = await get(`/dataset?hvd_category=${encodeURIComponent('http://data.europa.eu/bna/c_dd313021')}`);
      expect(res.text).toContain('1 Datensatz gefunden');
      expect(res.text).toContain('Pegelstände Cochem');
    });

    it('sorts by name and reads unknown sorts and bad pages as defaults', async () => {
      const byName = await get('/dataset?sort=name');
      const order = ['Haushaltsplan Mayen', 'Pegelstände Cochem'].map((s) => byName.text.indexOf(s));
      expect(order[0]).toBeLessThan(order[1]);
      expect(byName.text).toMatch(/<option value="name" selected/);
      for (const q of ['sort=drop%20table', 'page=-3', 'page=abc', 'page=99999999999', 'rows=100000', 'q=%00']) {
        expect([q, (await get(`/dataset?${q}`)).status]).toEqual([q, 200]);
      }
    });

    it('answers a query that does not parse with a 400 page, not a 500', async () => {
      const res = await get('/dataset?q=title:(unclosed');
      expect(res.status).toBe(400);
      expect(res.text).toContain('Die Suchanfrage konnte nicht verstanden werden');
    });

    it('pages through results with GET links', async () => {
      for (let i = 0; i < 21; i++) await t.factories.dataset({ name: `seite-${i}`, title: `Seite ${i}`, owner_org: other.id as string });
      await t.searchIndexed();
      const first = await get('/dataset?organization=kreis-mayen');
      expect(first.text).toContain('Seite 1 von 2');
      expect(first.text).toContain('href="/dataset?organization=kreis-mayen&amp;page=2"');
      const second = await get('/dataset?organization=kreis-mayen&page=2');
      expect(second.text).toContain('Seite 2 von 2');
      expect(second.text).toContain('rel="prev"');
    });
  });

  describe('dataset page', () => {
    it('shows title, paragraphs, resources with downloads and the DCAT-AP.de metadata in words', async () => {
      const res = await get('/dataset/pegel-cochem').set('Accept', BROWSER);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers.vary).toMatch(/(^|, )Accept(,|$)/);
      expect(res.headers.vary).toContain('Accept-Language');
      expect(res.text).toContain('<h1>Pegelstände Cochem</h1>');
      expect(res.text).toContain('<p>Wasserstände der Mosel.</p>\n<p>Stündlich aktualisiert, siehe <a href="https://pegelonline.example/cochem" rel="nofollow ugc">https://pegelonline.example/cochem</a>.</p>');
      expect(res.text).toContain(`href="/dataset/pegel-cochem/resource/${pub.resources[0].id as string}"`);
      expect(res.text).toContain('href="https://cochem.example/pegel.csv"');
      expect(res.text).toContain('<dt>Lizenz</dt>');
      expect(res.text).toContain('Datenlizenz Deutschland Namensnennung 2.0');
      expect(res.text).toContain('<dt>Aktualisierung</dt><dd>täglich</dd>');
      expect(res.text).toContain('Umweltamt Cochem');
      expect(res.text).toContain('href="mailto:umwelt@cochem.example"');
      expect(res.text).toContain('Rheinland-Pfalz');
      expect(res.text).toContain('<dt>Kategorien</dt><dd>Umwelt</dd>');
      expect(res.text).toContain('1. Januar 2020');
      expect(res.text).toContain(`href="/api/3/action/package_show?id=${pub.id as string}"`);
      expect(res.text).toContain(`href="/dataset/${pub.id as string}.ttl"`);
      expect(res.text).toContain(`<link rel="alternate" type="text/turtle" href="/dataset/${pub.id as string}.ttl"/>`);
      noScript(res.text);
    });

    it('answers RDF to RDF clients at the same address, as before', async () => {
      const ttl = await get('/dataset/pegel-cochem').set('Accept', 'text/turtle');
      expect(ttl.status).toBe(200);
      expect(ttl.headers['content-type']).toBe('text/turtle;charset=utf-8');
      expect(ttl.text).toContain('dcat:Dataset');
      const plain = await get('/dataset/pegel-cochem');
      expect(plain.headers['content-type']).toBe('application/rdf+xml;charset=utf-8');
      const ext = await get('/dataset/pegel-cochem.ttl').set('Accept', BROWSER);
      expect(ext.headers['content-type']).toBe('text/turtle;charset=utf-8');
    });

    it('shows in English with the vocabulary labels in English', async () => {
      const res = await get('/dataset/pegel-cochem?lang=en').set('Accept', BROWSER);
      expect(res.text).toContain('<dt>Update frequency</dt><dd>daily</dd>');
      expect(res.text).toContain('<dt>Categories</dt><dd>Environment</dd>');
    });

    it('escapes a title with markup', async () => {
      const res = await get('/dataset/xss-titel').set('Accept', BROWSER);
      expect(res.text).toContain('&lt;script>alert(1)&lt;/script> Titel');
      noScript(res.text);
      const list = await get('/dataset?q=Titel');
      expect(list.text).toContain('&lt;script>alert(1)&lt;/script> Titel');
      noScript(list.text);
    });

    it('never writes a javascript: address from stored URLs as a link', async () => {
      const d = await t.factories.dataset({
        name: 'boese-links', title: 'Böse Links', owner_org: other.id as string, url: 'javascript:alert(1)',
        extras: [{ key: 'publisher_url', value: 'javascript:alert(2)' }],
        resources: [{ name: 'Skript', url: 'javascript:alert(3)', format: 'CSV' }],
      });
      const page = await get('/dataset/boese-links').set('Accept', BROWSER);
      const resource = await get(`/dataset/boese-links/resource/${d.resources[0].id as string}`);
      for (const html of [page.text, resource.text]) {
        expect(html).not.toMatch(/href="\s*javascript:/i);
      }
      expect(page.text).toContain('javascript:alert(1)'); // shown as text
    });

    it('is a German 404 page for an unknown dataset', async () => {
      const res = await get('/dataset/gibt-es-nicht').set('Accept', BROWSER);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('Seite nicht gefunden');
    });
  });

  describe('unknown addresses', () => {
    it('answers a browser with the 404 page and programs with JSON, as before', async () => {
      const page = await get('/gibt/es/nicht').set('Accept', BROWSER);
      expect(page.status).toBe(404);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.text).toContain('Seite nicht gefunden');
      const json = await get('/gibt/es/nicht');
      expect(json.status).toBe(404);
      expect(json.body).toMatchObject({ error: { code: 404 } });
      const api = await get('/api/3/nope').set('Accept', BROWSER);
      expect(api.headers['content-type']).toMatch(/^application\/json/);
    });
  });

  describe('resource page', () => {
    it('shows the resource, its download and the way back', async () => {
      const res = await get(`/dataset/pegel-cochem/resource/${pub.resources[0].id as string}`);
      expect(res.status).toBe(200);
      expect(res.text).toContain('<h1>Messwerte CSV</h1>');
      expect(res.text).toContain('Alle Messwerte.');
      expect(res.text).toContain('href="https://cochem.example/pegel.csv"');
      expect(res.text).toContain('Zurück zum Datensatz „Pegelstände Cochem“');
    });

    it('is 404 for a resource of another dataset or none', async () => {
      expect((await get('/dataset/haushalt-mayen/resource/' + (pub.resources[0].id as string))).status).toBe(404);
      expect((await get('/dataset/pegel-cochem/resource/nope')).status).toBe(404);
    });
  });

  describe('organizations and groups', () => {
    it('lists organizations with the datasets each shows', async () => {
      const res = await get('/organization');
      expect(res.status).toBe(200);
      expect(res.text).toContain('href="/organization/stadt-cochem">Stadt Cochem</a>');
      expect(res.text).toMatch(/Stadt Cochem<\/a><\/h2><p class="count">1 Datensätze/);
    });

    it('shows an organization with its datasets and facets', async () => {
      const res = await get('/organization/stadt-cochem');
      expect(res.status).toBe(200);
      expect(res.text).toContain('<h1>Stadt Cochem</h1>');
      expect(res.text).toContain('Pegelstände Cochem');
      expect(res.text).not.toContain('Haushaltsplan Mayen');
      expect(res.text).toContain('href="/organization/stadt-cochem?res_format=CSV"');
    });

    it('shows a group with its datasets', async () => {
      const res = await get(`/group/${group.name as string}`);
      expect(res.status).toBe(200);
      expect(res.text).toContain('<h1>Umwelt</h1>');
      expect(res.text).toContain('Pegelstände Cochem');
      expect((await get('/group')).text).toContain('href="/group/envi"');
    });

    it('is 404 for an unknown organization or group', async () => {
      expect((await get('/organization/nope')).status).toBe(404);
      expect((await get('/group/nope')).status).toBe(404);
    });
  });

  describe('private data', () => {
    it('never shows a private dataset to anonymous callers: page, search, counts', async () => {
      expect((await get('/dataset/geheim-cochem').set('Accept', BROWSER)).status).toBe(404);
      for (const path of ['/', '/dataset', '/dataset?q=Geheime', '/organization/stadt-cochem', '/group/envi', '/organization']) {
        const res = await get(path);
        expect(res.text).not.toContain('Geheime Liste');
        expect(res.text).not.toContain('geheim-cochem');
      }
      expect((await get('/organization')).text).toMatch(/Stadt Cochem<\/a><\/h2><p class="count">1 Datensätze/);
      expect((await get('/dataset/geheim-cochem/resource/x')).status).toBe(404);
    });

    it('shows it to a member of its organization calling with an API token', async () => {
      const res = await get('/dataset/geheim-cochem').set('Accept', BROWSER).set('Authorization', member.token);
      expect(res.status).toBe(200);
      expect(res.text).toContain('Geheime Liste');
      expect(res.text).toContain('Nicht öffentlich');
      expect((await get('/organization/stadt-cochem').set('Authorization', member.token)).text).toContain('Geheime Liste');
    });
  });
});
