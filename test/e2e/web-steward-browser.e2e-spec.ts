import type { Browser } from 'playwright-core';
import { describeInBrowser, launchChromium, saveScreenshot, seriousAxeViolations } from '../browser';
import { TestApp } from '../test-app';

type Dict = Record<string, unknown>;

/**
 * A steward in Chromium (issue 17): logs in through the form, sees the dashboard, creates a dataset with the form,
 * meets a finding beside its field and fixes it; every steward page passes axe-core without serious violations.
 */
describeInBrowser('web steward in the browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let org: Dict;

  beforeAll(async () => {
    t = await TestApp.start();
    const steward = await t.factories.user({ name: 'browser-berta' });
    org = await t.factories.organization({ name: 'gemeinde-b', title: 'Gemeinde B', members: [[steward, 'editor']] });
    await t.factories.dataset({ name: 'b-intern', title: 'B intern', owner_org: org.id as string, private: true });
    await t.searchIndexed();
    await t.app.listen(0, '127.0.0.1');
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t.stop();
  });

  it('logs in, sees the dashboard, fixes a finding in the form and creates the dataset; each page without serious axe violations', async () => {
    const context = await browser.newContext({ locale: 'de-DE' });
    const page = await context.newPage();
    await page.goto(`${base}/user/login`);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByLabel('Benutzername oder E-Mail-Adresse').fill('browser-berta');
    await page.getByLabel('Passwort').fill('correct horse battery');
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.waitForURL(`${base}/dashboard`);
    expect(await page.textContent('h1')).toBe('Mein Bereich');
    expect(await page.textContent('main')).toContain('B intern');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await saveScreenshot(page, 'dashboard');
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'odp_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

    await page.getByRole('link', { name: 'Neuer Datensatz' }).click();
    await page.waitForURL(`${base}/dataset/new`);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByLabel('Titel').fill('Spielplätze B');
    await page.getByLabel('Kurzname (URL)').fill('Spielplätze B');
    await page.getByLabel('Ansprechpartner', { exact: true }).fill('Bauamt B');
    await page.getByRole('button', { name: 'Datensatz anlegen' }).click();
    // The short name is refused beside its field, in German; what was typed stays.
    expect(await page.textContent('#name-error')).toContain('Nur Kleinbuchstaben');
    expect(await page.inputValue('#contact_name')).toBe('Bauamt B');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await saveScreenshot(page, 'dataset-form-finding');
    await page.getByLabel('Kurzname (URL)').fill('spielplaetze-b');
    await page.getByRole('button', { name: 'Datensatz anlegen' }).click();
    await page.waitForURL(`${base}/dataset/spielplaetze-b`);
    expect(await page.textContent('h1')).toBe('Spielplätze B');

    await page.goto(`${base}/dataset/edit/spielplaetze-b`);
    expect(await page.textContent('main')).toContain('Die Prüfung nach DCAT-AP.de meldet Befunde');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await context.close();
  }, 60_000);
});
