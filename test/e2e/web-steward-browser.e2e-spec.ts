import type { Browser } from 'playwright-core';
import { describeInBrowser, saveScreenshot, seriousAxeViolations, serveToChromium } from '../browser';
import { TestApp } from '../test-app';

type Dict = Record<string, unknown>;

/** The form's free-text fields (by id) a steward fills besides title, name and contact name. */
const EVERY_TEXT_FIELD = {
  notes: 'Alle Spielplätze der Gemeinde B.\n\nJährlich geprüft.', tags: 'Spielplatz, Kinder', url: 'https://b.example/spielplaetze', version: '2.0',
  contact_email: 'bauamt@b.example', contact_url: 'https://b.example/bauamt', publisher_name: 'Gemeinde B', publisher_url: 'https://b.example',
  temporal_start: '2021-01-01', temporal_end: '2025-12-31', politicalGeocodingURI: 'http://dcat-ap.de/def/politicalGeocoding/regionalKey/071355001050',
  spatial: '{"type": "Point", "coordinates": [7.17, 50.02]}', applicable_legislation: 'http://data.europa.eu/eli/reg_impl/2023/138/oj',
  conforms_to: 'https://b.example/schema.json', documentation: 'https://b.example/doku\nhttps://b.example/faq', legalbasisText: 'Satzung über Spielplätze',
  'resources-0-url': 'https://b.example/spielplaetze.csv', 'resources-0-name': 'Spielplätze CSV', 'resources-0-format': 'CSV',
};
/** The form's vocabulary pickers (by id) and what the steward picks in them (multi-selects take several; the browser sends them in the list's order). */
const EVERY_PICKER = {
  private: 'false', license_id: 'http://dcat-ap.de/def/licenses/dl-by-de/2.0',
  frequency: 'http://publications.europa.eu/resource/authority/frequency/ANNUAL',
  theme: ['http://publications.europa.eu/resource/authority/data-theme/EDUC', 'http://publications.europa.eu/resource/authority/data-theme/SOCI'],
  language: ['http://publications.europa.eu/resource/authority/language/DEU'],
  access_rights: 'http://publications.europa.eu/resource/authority/access-right/PUBLIC',
  politicalGeocodingLevelURI: 'http://dcat-ap.de/def/politicalGeocoding/Level/municipality',
  hvd_category: ['http://data.europa.eu/bna/c_b79e35eb'],
  contributorID: 'http://dcat-ap.de/def/contributors/berlinOpenData',
};

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
    ({ base, browser } = await serveToChromium(t));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t.stop();
  });

  it('logs in, sees the dashboard, fixes a finding in the form and creates the dataset with every field; each page without serious axe violations', async () => {
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
    // Every other field of the form, as a steward fills it: text, dates, the vocabulary pickers, lines, a resource row.
    for (const [id, value] of Object.entries(EVERY_TEXT_FIELD)) await page.fill(`#${id}`, value);
    for (const [id, value] of Object.entries(EVERY_PICKER)) await page.selectOption(`#${id}`, value);
    await page.getByRole('button', { name: 'Datensatz anlegen' }).click();
    await page.waitForURL(`${base}/dataset/spielplaetze-b`);
    expect(await page.textContent('h1')).toBe('Spielplätze B');
    const stored = await t.call<Dict & { extras: { key: string; value: string }[]; resources: Dict[]; tags: { name: string }[] }>('package_show', { id: 'spielplaetze-b' });
    expect(stored).toMatchObject({ notes: EVERY_TEXT_FIELD.notes, url: EVERY_TEXT_FIELD.url, version: EVERY_TEXT_FIELD.version, license_id: EVERY_PICKER.license_id, private: false });
    expect(stored.tags.map((x) => x.name).sort()).toEqual(['Kinder', 'Spielplatz']);
    expect(Object.fromEntries(stored.extras.map((e) => [e.key, e.value]))).toEqual({
      contact_name: 'Bauamt B', contact_email: EVERY_TEXT_FIELD.contact_email, contact_url: EVERY_TEXT_FIELD.contact_url,
      publisher_name: EVERY_TEXT_FIELD.publisher_name, publisher_url: EVERY_TEXT_FIELD.publisher_url,
      temporal_start: EVERY_TEXT_FIELD.temporal_start, temporal_end: EVERY_TEXT_FIELD.temporal_end,
      frequency: EVERY_PICKER.frequency, theme: JSON.stringify(EVERY_PICKER.theme), language: JSON.stringify(EVERY_PICKER.language),
      access_rights: EVERY_PICKER.access_rights, politicalGeocodingLevelURI: EVERY_PICKER.politicalGeocodingLevelURI,
      politicalGeocodingURI: JSON.stringify([EVERY_TEXT_FIELD.politicalGeocodingURI]), spatial: EVERY_TEXT_FIELD.spatial,
      hvd_category: JSON.stringify(EVERY_PICKER.hvd_category), applicable_legislation: JSON.stringify([EVERY_TEXT_FIELD.applicable_legislation]),
      conforms_to: JSON.stringify([EVERY_TEXT_FIELD.conforms_to]), documentation: JSON.stringify(['https://b.example/doku', 'https://b.example/faq']),
      legalbasisText: EVERY_TEXT_FIELD.legalbasisText, contributorID: EVERY_PICKER.contributorID,
    });
    expect(stored.resources.map((r) => [r.url, r.name, r.format])).toEqual([['https://b.example/spielplaetze.csv', 'Spielplätze CSV', 'CSV']]);

    await page.goto(`${base}/dataset/edit/spielplaetze-b`);
    expect(await page.textContent('main')).toContain('Die Prüfung nach DCAT-AP.de meldet Befunde');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await context.close();
  }, 60_000);
});
