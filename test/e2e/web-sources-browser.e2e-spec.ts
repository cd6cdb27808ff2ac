import type { Browser, Page } from 'playwright-core';
import { describeInBrowser, logInThroughForm, saveScreenshot, seriousAxeViolations, serveToChromium } from '../browser';
import request from 'supertest';
import { ckanPortal, RemoteSite } from '../harvest-remote';
import { staGauge } from '../sta-gauge';
import { TestApp } from '../test-app';

/**
 * A sysadmin in Chromium (issue 17): logs in, creates a harvest source through the form (after a refused URL shown
 * beside its field), runs it against the recorded CKAN portal and sees the job finished with its counts, then opens the
 * sensor sources; every page of the harvest and sensor source workspace passes axe-core without serious violations.
 */
describeInBrowser('web steward sources in the browser', () => {
  let t: TestApp;
  let remote: RemoteSite;
  let browser: Browser;
  let base: string;
  let privateGauge: string;

  beforeAll(async () => {
    t = await TestApp.start({ HARVEST_ALLOW_PRIVATE_ADDRESSES: 'true', HARVEST_RETRIES: '0' });
    remote = await RemoteSite.start(ckanPortal());
    const org = await t.factories.organization({ name: 'stadt-harvest', title: 'Stadt Harvest' });
    await t.call('sensor_source_create', { name: 'stadt-pegel', title: 'Stadt Pegel', owner_org: org.id, type: 'push', config: { format: 'csv' } });
    // A private gauge with values: its chart reads them with the login (the API alone would show nothing).
    const gauge = await staGauge(t, { name: 'INTERN', org: { name: 'stadt-harvest' }, by: t.sysadmin });
    const rows = Array.from({ length: 30 }, (_, i) => [new Date(Date.UTC(2025, 2, 30, 12, i * 15)).toISOString(), 300 + i]);
    const obs = await request(t.http).post('/sta/v1.1/CreateObservations').set('Authorization', t.sysadmin.token).set('content-type', 'application/json')
      .send(JSON.stringify([{ Datastream: { '@iot.id': gauge.ds }, components: ['phenomenonTime', 'result'], dataArray: rows }]));
    expect(obs.status).toBe(201);
    await t.call('package_patch', { id: gauge.packageId, private: true });
    privateGauge = gauge.packageId;
    ({ base, browser } = await serveToChromium(t));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await remote?.close();
    await t.stop();
  });

  const axe = async (page: Page): Promise<void> => expect({ url: page.url(), violations: await seriousAxeViolations(page) }).toEqual({ url: page.url(), violations: [] });

  it('creates a harvest source, runs it and sees the finished job with its counts; the sensor sources list; no serious axe violations', async () => {
    const context = await browser.newContext({ locale: 'de-DE' });
    const page = await context.newPage();
    await logInThroughForm(page, base, 'sysadmin');

    await page.getByRole('link', { name: 'Harvest-Quellen' }).click();
    await page.waitForURL(`${base}/harvest`);
    expect(await page.textContent('main')).toContain('Keine Harvest-Quellen.');
    await axe(page);

    await page.getByRole('link', { name: 'Neue Harvest-Quelle' }).click();
    await page.waitForURL(`${base}/harvest/new`);
    await axe(page);
    await page.getByLabel('Titel', { exact: true }).fill('Portal Beispiel');
    await page.getByLabel('Kurzname', { exact: true }).fill('portal-beispiel');
    await page.getByLabel('Adresse (URL)').fill('ftp://example.org/');
    await page.getByLabel('Art', { exact: true }).selectOption('ckan');
    await page.getByLabel('Organisation', { exact: true }).selectOption({ label: 'Stadt Harvest' });
    await page.getByLabel('Passwort oder API-Schlüssel').fill('schluessel-123');
    await page.getByRole('button', { name: 'Anlegen' }).click();
    // The refused URL beside its field; what was typed stays, the key does not come back.
    expect(await page.textContent('#url-error')).toContain('Nur vollständige http- und https-Adressen können geerntet werden.');
    expect(await page.inputValue('#title')).toBe('Portal Beispiel');
    expect(await page.inputValue('#secret')).toBe('');
    await axe(page);
    await page.getByLabel('Adresse (URL)').fill(`${remote.url}/`);
    await page.getByRole('button', { name: 'Anlegen' }).click();
    await page.waitForURL(`${base}/harvest/portal-beispiel?done=saved`);
    expect(await page.textContent('h1')).toBe('Portal Beispiel');
    await axe(page);

    await page.getByRole('button', { name: 'Jetzt ausführen' }).click();
    await page.waitForURL(`${base}/harvest/portal-beispiel?done=run`);
    // The worker runs the job; the page shows it finished with its counts once reloaded.
    const finished = async (): Promise<boolean> => ((await page.locator('#report-title + p').count()) > 0 && !!(await page.textContent('#report-title + p'))?.startsWith('beendet'));
    for (let i = 0; i < 150 && !(await finished()); i++) {
      await page.waitForTimeout(200);
      await page.goto(`${base}/harvest/portal-beispiel`);
    }
    const [job] = await t.call<{ id: string; status: string; stats: Record<string, number> }[]>('harvest_job_list', { source_id: 'portal-beispiel' });
    expect(job.status).toBe('Finished');
    expect(job.stats.added).toBeGreaterThan(0);
    const report = await page.textContent('#report-title + p');
    expect(report).toBe(`beendet: ${job.stats.added} neu, ${job.stats.updated} geändert, ${job.stats.deleted} entfernt, ${job.stats.errored} Fehler`);
    expect(await page.textContent('main')).not.toContain('schluessel-123');
    await axe(page);
    await saveScreenshot(page, 'harvest-source');

    await page.getByRole('link', { name: 'Quelle leeren' }).click();
    await page.waitForURL(`${base}/harvest/clear/portal-beispiel`);
    await axe(page);
    await page.getByRole('link', { name: 'Abbrechen' }).click();
    await page.getByRole('link', { name: 'Bearbeiten' }).click();
    await page.waitForURL(`${base}/harvest/edit/portal-beispiel`);
    await axe(page);
    await page.goto(`${base}/harvest`);
    expect(await page.textContent('main')).toContain(`${job.stats.added} neu`);
    await axe(page);

    await page.goto(`${base}/dashboard`);
    await page.getByRole('link', { name: 'Sensorquellen' }).click();
    await page.waitForURL(`${base}/sensors/sources`);
    expect(await page.textContent('main')).toContain('Stadt Pegel');
    await axe(page);
    await saveScreenshot(page, 'sensor-sources');
    await page.getByRole('link', { name: 'Stadt Pegel' }).click();
    await page.waitForURL(`${base}/sensors/sources/stadt-pegel`);
    expect(await page.textContent('main')).toContain('HTTP-Push');
    await axe(page);
    await page.getByRole('button', { name: 'Jetzt ausführen' }).click();
    await page.waitForURL(/\/sensors\/sources\/stadt-pegel\?done=(run|pending)$/);
    await axe(page);
    await page.goto(`${base}/sensors/sources/stadt-pegel/edit`);
    await axe(page);
    await page.goto(`${base}/sensors/sources/new`);
    await axe(page);

    // The private gauge's chart draws for the logged-in steward.
    await page.goto(`${base}/dataset/${privateGauge}`);
    await page.waitForSelector('figure.chart.chart-ready canvas', { timeout: 10000 });
    await context.close();
  }, 90_000);
});
