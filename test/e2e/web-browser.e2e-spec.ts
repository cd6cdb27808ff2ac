import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { ActionRegistry } from '../../src/api/action-registry';
import { describeInBrowser, launchChromium, saveScreenshot, seriousAxeViolations } from '../browser';
import { TestApp } from '../test-app';

type Dict = Record<string, unknown>;

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/**
 * The citizen portal in a real browser (issue 17): a citizen finds, filters, sorts, pages, reads a dataset and a
 * resource and switches to English; every page type passes axe-core (WCAG 2.1 A/AA) without serious or critical
 * violations. Also the `/api` page: HTML for browsers, CKAN's JSON for everyone else.
 */
describe('web in the browser', () => {
  let t: TestApp;
  let base: string;
  let pub: Dict & { resources: Dict[] };

  beforeAll(async () => {
    t = await TestApp.start();
    const org = await t.factories.organization({ name: 'stadt-cochem', title: 'Stadt Cochem', description: 'Die Stadtverwaltung Cochem an der Mosel.' });
    const other = await t.factories.organization({ name: 'kreis-mayen', title: 'Kreis Mayen-Koblenz' });
    await t.factories.group({ name: 'umwelt', title: 'Umwelt', description: 'Natur, Wasser und Luft.' });
    pub = await t.factories.dataset({
      name: 'pegel-cochem', title: 'Pegelstände Cochem', owner_org: org.id as string, license_id: 'dl-by-de/2.0', groups: [{ name: 'umwelt' }],
      notes: 'Wasserstände der Mosel am Pegel Cochem.\n\nStündlich aktualisiert.', tags: [{ name: 'Wasser' }, { name: 'Pegel' }],
      extras: [{ key: 'contact_name', value: 'Umweltamt Cochem' }, { key: 'contact_email', value: 'umwelt@cochem.example' }, { key: 'frequency', value: 'http://publications.europa.eu/resource/authority/frequency/HOURLY' }],
      resources: [{ name: 'Messwerte CSV', url: 'https://cochem.example/pegel.csv', format: 'CSV', description: 'Alle Messwerte seit 2020.' }],
    });
    // Enough datasets for a second page of results (20 a page), in two organizations.
    for (let i = 1; i <= 24; i++) {
      await t.factories.dataset({
        name: `haushalt-${i}`, title: `Haushaltsplan ${2000 + i}`, owner_org: (i % 2 ? org.id : other.id) as string, tags: [{ name: 'Finanzen' }],
        resources: [{ url: `https://example.org/h${i}.csv`, format: i % 3 ? 'CSV' : 'PDF' }],
      });
    }
    await t.searchIndexed();
    await new Promise<void>((resolve) => t.http.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(t.http.address() as AddressInfo).port}`;
  });
  afterAll(() => t.stop());

  describe('the /api page', () => {
    it('answers browsers with the API documentation page', async () => {
      const res = await request(t.http).get('/api').set('Accept', BROWSER_ACCEPT);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers.vary).toMatch(/Accept\b/);
      expect(res.text).toContain('<h1>API für Entwickler</h1>');
      expect(res.text).toContain('href="/api/3/openapi.json"');
      expect(res.text).toContain('href="/sta/v1.1"');
      expect(res.text).not.toMatch(/<script/i);
    });

    it('lists every registered action with a table of contents, parameters, who may call and a curl example', async () => {
      const html = (await request(t.http).get('/api').set('Accept', BROWSER_ACCEPT)).text;
      const names = t.app.get(ActionRegistry).names();
      const listed = [...html.matchAll(/<h3 id="([a-z_0-9]+)"><code>/g)].map((m) => m[1]);
      expect(listed.length).toBeGreaterThan(100);
      expect([...listed].sort()).toEqual([...names].sort());
      for (const name of ['package_search', 'package_create', 'datastore_search', 'resource_create']) {
        expect(listed).toContain(name);
        expect(html).toContain(`<a href="#${name}"><code>${name}</code></a>`);
      }
      expect(html).toContain('<h2 id="family-package">package</h2>');
      const create = html.slice(html.indexOf('<h3 id="package_create">'), html.indexOf('</article>', html.indexOf('<h3 id="package_create">')));
      expect(create).toContain('<caption>Parameter von package_create</caption>');
      expect(create).toMatch(/<th scope="row"><code>name<\/code><\/th><td>string[^<]*<\/td><td>ja<\/td>/);
      expect(create).toContain('<dd>POST</dd>');
      expect(create).toMatch(/<pre><code>curl -X POST -H &quot;Authorization: \$CKAN_API_TOKEN&quot;/);
      const search = html.slice(html.indexOf('<h3 id="package_search">'), html.indexOf('</article>', html.indexOf('<h3 id="package_search">')));
      expect(search).toContain('<dd>GET, POST</dd>');
      expect(search).toContain("<pre><code>curl 'http://catalog.test/api/3/action/package_search?q=");
    });

    it('is English with ?lang=en, and German again for the next German reader (each language rendered once and kept)', async () => {
      const res = await request(t.http).get('/api?lang=en').set('Accept', BROWSER_ACCEPT);
      expect(res.text).toContain('<h1>API for developers</h1>');
      expect(res.text).toContain('<caption>Parameters of package_create</caption>');
      const again = await request(t.http).get('/api?lang=de').set('Accept', BROWSER_ACCEPT);
      expect(again.text).not.toContain('<h1>API for developers</h1>');
      expect(again.text).toContain('<caption>Parameter von package_create</caption>');
      expect((await request(t.http).get('/api?lang=en').set('Accept', BROWSER_ACCEPT)).text).toBe(res.text);
    });

    it("keeps answering CKAN clients, curl and JSON clients with CKAN's {\"version\": 1}", async () => {
      for (const accept of [undefined, '*/*', 'application/json', 'application/json, text/html;q=0.5']) {
        const req = request(t.http).get('/api');
        const res = accept ? await req.set('Accept', accept) : await req.unset('Accept');
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(res.text).toBe('{"version": 1}');
      }
      expect((await request(t.http).get('/api/3').set('Accept', BROWSER_ACCEPT)).text).toBe('{"version": 3}');
    });
  });

  describeInBrowser('a citizen in Chromium', () => {
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;

    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(() => browser?.close());
    beforeEach(async () => {
      context = await browser.newContext({ baseURL: base, locale: 'de-DE', viewport: { width: 1280, height: 900 } });
      page = await context.newPage();
    });
    afterEach(() => context?.close());

    it('finds, filters, sorts, pages, reads a dataset and a resource, and switches to English', async () => {
      await page.goto('/');
      expect(await page.locator('h1').count()).toBe(1);
      await page.getByLabel('Datensätze durchsuchen').fill('Haushaltsplan');
      await page.getByRole('button', { name: 'Suchen' }).click();
      await page.waitForURL(/\/dataset\?q=Haushaltsplan/);
      expect(await page.locator('ul.results > li').count()).toBe(20);
      expect(await page.locator('main').innerText()).toContain('24 Datensätze gefunden');

      // A facet filter: the organization, as a link.
      await page.locator('section[aria-labelledby="facet-organization"] a', { hasText: 'Stadt Cochem' }).click();
      await page.waitForURL(/organization=stadt-cochem/);
      expect(await page.locator('ul.results > li').count()).toBe(12);
      expect(await page.locator('ul.active-filters').innerText()).toContain('Stadt Cochem');

      // Sort by name (a GET form: no JavaScript needed), keeping query and filter.
      await page.selectOption('#sort', 'name');
      await page.getByRole('button', { name: 'Anwenden' }).click();
      await page.waitForURL(/sort=name/);
      expect(page.url()).toContain('organization=stadt-cochem');
      expect(page.url()).toContain('q=Haushaltsplan');
      const titles = await page.locator('ul.results > li h3, ul.results > li h2').allInnerTexts();
      expect(titles.length).toBe(12);
      expect([...titles].sort((a, b) => a.localeCompare(b, 'de'))).toEqual(titles);

      // Paging through all 24 results.
      await page.goto('/dataset?q=Haushaltsplan&sort=name');
      await page.getByRole('link', { name: 'Nächste Seite' }).click();
      await page.waitForURL(/page=2/);
      expect(await page.locator('ul.results > li').count()).toBe(4);
      expect(await page.locator('nav.paging').innerText()).toContain('Seite 2 von 2');

      // A dataset, then its resource.
      await page.goto('/dataset?q=Pegel');
      await page.getByRole('link', { name: 'Pegelstände Cochem' }).first().click();
      await page.waitForURL(/\/dataset\/pegel-cochem$/);
      expect(await page.locator('h1').innerText()).toBe('Pegelstände Cochem');
      await page.getByRole('link', { name: 'Messwerte CSV' }).first().click();
      await page.waitForURL(new RegExp(`/dataset/pegel-cochem/resource/${pub.resources[0].id as string}$`));
      expect(await page.locator('h1').innerText()).toBe('Messwerte CSV');

      // English, kept for the next page.
      await page.getByRole('link', { name: 'Switch to English' }).click();
      await page.waitForURL(/lang=en/);
      expect(await page.locator('html').getAttribute('lang')).toBe('en');
      await page.goto('/dataset');
      expect(await page.locator('h1').innerText()).toBe('Datasets');
    });

    it('works by keyboard: the skip link is the first stop and leads to the main content', async () => {
      await page.goto('/dataset');
      await page.keyboard.press('Tab');
      const first = page.locator(':focus');
      expect(await first.innerText()).toBe('Zum Inhalt springen');
      await page.keyboard.press('Enter');
      await page.waitForURL(/#main$/);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    });

    it('the axe check itself finds what it should (a field without a label, text without contrast)', async () => {
      await page.setContent('<!DOCTYPE html><html lang="de"><head><title>x</title></head><body><main><h1>x</h1><input type="text"><p style="color:#ccc;background:#fff">blass</p></main></body></html>');
      const ids = (await seriousAxeViolations(page)).map((v) => v.id);
      expect(ids).toEqual(expect.arrayContaining(['label', 'color-contrast']));
    });

    const PAGES: [string, string][] = [
      ['home', '/'],
      ['search', '/dataset?q=Haushaltsplan&tags=Finanzen'],
      ['dataset', '/dataset/pegel-cochem'],
      ['resource', ''],
      ['organization-list', '/organization'],
      ['organization', '/organization/stadt-cochem'],
      ['group', '/group/umwelt'],
      ['not-found', '/dataset/gibt-es-nicht'],
      ['api', '/api'],
    ];

    it.each(PAGES)('the %s page has no serious or critical axe-core violations', async (kind, path) => {
      const target = kind === 'resource' ? `/dataset/pegel-cochem/resource/${pub.resources[0].id as string}` : path;
      const res = await page.goto(target);
      expect(res?.status()).toBe(kind === 'not-found' ? 404 : 200);
      expect(await page.locator('main h1').count()).toBe(1);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await saveScreenshot(page, kind, { fullPage: kind !== 'api' });
    }, 180_000); // axe-core takes long over the /api page's some 200 actions
  });
});
