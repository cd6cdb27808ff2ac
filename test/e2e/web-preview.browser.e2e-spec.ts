import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { describeInBrowser, launchChromium, saveScreenshot, seriousAxeViolations } from '../browser';
import { TestApp } from '../test-app';

/**
 * The resource previews in Chromium: no serious or critical axe-core findings on a DataStore table or a file preview,
 * and the filter form works as a plain GET form (no JavaScript on the page).
 */
describeInBrowser('web resource previews in a browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let tablePage: string;
  let filePage: string;

  beforeAll(async () => {
    t = await TestApp.start({ LOADER_FORMATS: 'none' });
    const org = await t.factories.organization({ name: 'stadt-browser' });
    const d = await t.factories.dataset({ name: 'pegel-browser', owner_org: org.id as string });
    const table = (await t.call<{ resource_id: string }>('datastore_create', {
      resource: { package_id: d.id, name: 'Pegeltabelle' },
      fields: [{ id: 'ort', type: 'text' }, { id: 'wert', type: 'int' }],
      records: Array.from({ length: 40 }, (_, i) => ({ ort: i % 2 ? 'Cochem' : 'Mayen', wert: i })),
    })).resource_id;
    const res = await request(t.http).post('/api/3/action/resource_create').set('Authorization', t.sysadmin.token)
      .field('package_id', d.id as string).field('name', 'Messwerte').field('format', 'CSV')
      .attach('upload', Buffer.from('Ort;Wert\nCochem;1,5\nMayen;2\n'), { filename: 'messwerte.csv', contentType: 'text/csv' });
    tablePage = `/dataset/pegel-browser/resource/${table}`;
    filePage = `/dataset/pegel-browser/resource/${(res.body as { result: { id: string } }).result.id}`;
    await new Promise<void>((r) => t.http.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(t.http.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t.stop();
  });

  it('has no serious accessibility findings on the DataStore table and the file preview', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    for (const path of [tablePage, `${tablePage}?sort=wert+desc&filter.ort=Cochem`, `${tablePage}?sort=nope`, filePage]) {
      await page.goto(`${base}${path}`);
      expect(await page.locator('table.preview caption').count()).toBe(1);
      expect({ path, violations: await seriousAxeViolations(page) }).toEqual({ path, violations: [] });
      if (path.includes('filter.ort')) await saveScreenshot(page, 'datastore-preview');
    }
    await context.close();
  });

  it('filters and sorts through the GET form and the column heads, without JavaScript', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'de-DE' });
    const page = await context.newPage();
    await page.goto(`${base}${tablePage}`);
    await page.selectOption('#preview-field', 'ort');
    await page.fill('#preview-value', 'Cochem');
    await page.click('form.preview-form button[type=submit]');
    expect(await page.locator('caption').textContent()).toBe('Tabelle „Pegeltabelle“: Zeilen 1 bis 20 von 20');
    await page.click('th >> text=wert');
    await page.click('th >> text=wert');
    expect(await page.locator('tbody tr:first-child td').allTextContents()).toEqual(['Cochem', '39']);
    expect(new URL(page.url()).searchParams.get('filter.ort')).toBe('Cochem');
    await context.close();
  });
});
