import type { Browser } from 'playwright-core';
import { describeInBrowser, logInThroughForm, saveScreenshot, seriousAxeViolations, serveToChromium } from '../browser';
import { TestApp } from '../test-app';

type Dict = Record<string, unknown>;

/** A CSV of `rows` gauge readings (semicolons, German decimals), big enough for several progress events. */
function gaugeCsv(rows: number): Buffer {
  const lines = ['Zeitpunkt;Pegel;Bemerkung'];
  for (let i = 0; i < rows; i++) lines.push(`2026-03-${String((i % 28) + 1).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:00:00;${(300 + (i % 97)) / 100};Messung Nummer ${i} am Pegel Cochem`.replace('.', ','));
  return Buffer.from(`${lines.join('\n')}\n`);
}

/**
 * A steward uploads a CSV through the resource form in Chromium (issue 17): the upload island sends it with a progress
 * bar that reaches the end, the resource page shows the loader's state until the load is complete and then the
 * DataStore table of the CSV's rows; without JavaScript the same form posts normally. Form and resource page pass
 * axe-core without serious violations.
 */
describeInBrowser('web resource upload in the browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    t = await TestApp.start();
    const steward = await t.factories.user({ name: 'upload-ulla' });
    const org: Dict = await t.factories.organization({ name: 'stadt-cochem-up', title: 'Stadt Cochem', members: [[steward, 'editor']] });
    await t.factories.dataset({ name: 'pegel-cochem-up', title: 'Pegel Cochem', owner_org: org.id as string });
    ({ base, browser } = await serveToChromium(t));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t.stop();
  });

  async function logIn(javaScriptEnabled: boolean) {
    const context = await browser.newContext({ locale: 'de-DE', javaScriptEnabled });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await logInThroughForm(page, base, 'upload-ulla', '/dataset/pegel-cochem-up');
    return { context, page };
  }

  it('uploads a CSV with a progress bar, follows the load to complete and shows the table of its rows', async () => {
    const { context, page } = await logIn(true);
    await page.getByRole('link', { name: 'Ressource hinzufügen' }).click();
    await page.waitForURL(`${base}/dataset/pegel-cochem-up/resource/new`);
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.getByLabel('Name').fill('Pegelstände März');
    await page.getByLabel('Beschreibung').fill('Stündliche Werte, **vorläufig**.');
    await page.getByLabel('Datei').setInputFiles({ name: 'pegel-maerz.csv', mimeType: 'text/csv', buffer: gaugeCsv(20_000) });
    // Every value the island gives the progress bar, reported to the test (the page navigates away at the end).
    const shown: number[] = [];
    await page.exposeFunction('reportProgress', (v: number) => void shown.push(v));
    await page.evaluate(() => {
      const bar = document.querySelector('progress')!;
      const own = Object.getOwnPropertyDescriptor(HTMLProgressElement.prototype, 'value')!;
      Object.defineProperty(bar, 'value', {
        get(this: HTMLProgressElement) { return own.get!.call(this) as number; },
        set(this: HTMLProgressElement, v: number) { own.set!.call(this, v); (window as unknown as { reportProgress(v: number): void }).reportProgress(v); },
      });
    });
    await page.getByRole('button', { name: 'Ressource anlegen' }).click();
    await page.waitForURL(/\/dataset\/pegel-cochem-up\/resource\/[0-9a-f-]{36}$/);
    expect(shown.length).toBeGreaterThan(1);
    expect(shown[shown.length - 1]).toBe(100);
    expect(shown).toEqual([...shown].sort((a, b) => a - b));

    // The loader's state, refreshed in place by the island until the load is complete; then the table appears.
    expect(await page.textContent('#loader-title')).toBe('DataStore-Laden');
    // (Until then the page shows the file's first rows; the DataStore table comes with the state "complete".)
    await page.waitForSelector('[data-loader-state=complete]', { timeout: 30_000 });
    expect(await page.textContent('[data-loader-state]')).toBe('fertig');
    expect(await page.textContent('[data-loader-rows]')).toBe('20.000');
    expect(await page.textContent('table.preview caption')).toBe('Tabelle „Pegelstände März“: Zeilen 1 bis 25 von 20000');
    expect(await page.locator('table.preview tbody tr:first-child td').allTextContents()).toEqual(['2026-03-01T00:00:00', '3', 'Messung Nummer 0 am Pegel Cochem']);
    expect(await page.innerHTML('.notes')).toContain('<strong>vorläufig</strong>');
    await page.reload();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await saveScreenshot(page, 'resource-loaded');

    // A refusal comes back through the island too: the form again in place, the message beside its field, focus on the summary.
    await page.goto(`${base}/dataset/pegel-cochem-up/resource/new`);
    await page.getByLabel('Name').fill('x'.repeat(1001));
    await page.getByLabel('Datei').setInputFiles({ name: 'kurz.csv', mimeType: 'text/csv', buffer: gaugeCsv(3) });
    await page.getByRole('button', { name: 'Ressource anlegen' }).click();
    await page.waitForSelector('.error-summary');
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('error-summary');
    expect(await page.getAttribute('#resource-name', 'aria-describedby')).toBe('resource-name-error');
    expect(await page.textContent('#resource-name-error')).toBeTruthy();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await context.close();
  }, 90_000);

  it('uploads through the same form without JavaScript, a refusal and all', async () => {
    const { context, page } = await logIn(false);
    await page.goto(`${base}/dataset/pegel-cochem-up/resource/new`);
    await page.getByLabel('Name').fill('x'.repeat(1001));
    await page.getByLabel('Datei').setInputFiles({ name: 'kurz.csv', mimeType: 'text/csv', buffer: gaugeCsv(3) });
    await page.getByRole('button', { name: 'Ressource anlegen' }).click();
    expect(await page.textContent('.error-summary')).toContain('Die Ressource wurde nicht gespeichert.');
    expect(await page.getAttribute('#resource-name', 'aria-describedby')).toBe('resource-name-error');

    await page.getByLabel('Name').fill('Kurz');
    await page.getByLabel('Datei').setInputFiles({ name: 'kurz.csv', mimeType: 'text/csv', buffer: gaugeCsv(3) });
    await page.getByRole('button', { name: 'Ressource anlegen' }).click();
    await page.waitForURL(/\/dataset\/pegel-cochem-up\/resource\/[0-9a-f-]{36}$/);
    expect(await page.textContent('h1')).toBe('Kurz');
    expect(await page.textContent('#loader-title')).toBe('DataStore-Laden');
    await context.close();
  }, 60_000);
});
