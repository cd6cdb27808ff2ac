import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describeInBrowser, logInThroughForm, saveScreenshot, seriousAxeViolations, serveToChromium } from '../browser';
import { TestApp } from '../test-app';

/**
 * A dataset's way from draft to publication in Chromium (issue 17): the editor shares a draft with a neighbouring
 * organization and submits it; the organization's admin sends it back once with a note, the editor reads it and
 * submits again, the admin publishes it as "shared" (the neighbour now reads it, anonymous visitors do not) and then
 * makes it public on its access page, after which anonymous visitors find it. A share counts only while the dataset
 * is published (src/auth/visibility.ts), so the neighbour does not read the draft. Four people, four browser contexts.
 */
describeInBrowser('web access and approval in the browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    t = await TestApp.start();
    const editor = await t.factories.user({ name: 'eva-editor' });
    const admin = await t.factories.user({ name: 'anton-admin' });
    const neighbour = await t.factories.user({ name: 'nina-nachbar' });
    const org = await t.factories.organization({ name: 'stadt-b', title: 'Stadt B', approval_required: true, members: [[admin, 'admin'], [editor, 'editor']] });
    await t.factories.organization({ name: 'nachbarstadt-b', title: 'Nachbarstadt B', members: [[neighbour, 'member']] });
    await t.factories.dataset({ name: 'b-spielplaetze', title: 'Spielplätze B', owner_org: org.id as string, state: 'draft', access_level: 'private' }, editor);
    await t.searchIndexed();
    ({ base, browser } = await serveToChromium(t));
  }, 60_000);
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await t.stop();
  });

  async function person(login?: string): Promise<Page> {
    const context = await browser.newContext({ locale: 'de-DE' });
    contexts.push(context);
    const page = await context.newPage();
    if (login) {
      await logInThroughForm(page, base, login);
    }
    return page;
  }

  it('shares a draft, goes through the approval queue (sent back once with a note), and ends up public and found', async () => {
    const dataset = `${base}/dataset/b-spielplaetze`;
    // The editor opens the draft's access page from the dashboard, makes it "shared" and shares it with the neighbour.
    const eva = await person('eva-editor');
    await eva.getByRole('link', { name: 'Zugriff auf „Spielplätze B“' }).click();
    await eva.waitForURL(`${dataset}/access`);
    expect(await eva.textContent('h1')).toBe('Zugriff: Spielplätze B');
    expect(await seriousAxeViolations(eva)).toEqual([]);
    await eva.getByRole('radio', { name: 'geteilt' }).check();
    await eva.getByRole('button', { name: 'Zugriffsstufe speichern' }).click();
    expect(await eva.textContent('[role=status]')).toBe('Die Zugriffsstufe wurde gespeichert.');
    await eva.getByLabel('Organisation', { exact: true }).selectOption({ label: 'Nachbarstadt B' });
    await eva.getByLabel('Berechtigung', { exact: true }).selectOption('read');
    await eva.getByRole('button', { name: 'Teilen', exact: true }).click();
    expect(await eva.textContent('[role=status]')).toBe('Der Datensatz ist jetzt mit Nachbarstadt B geteilt.');
    expect(await eva.textContent('table.data')).toContain('lesen');
    expect(await seriousAxeViolations(eva)).toEqual([]);
    await saveScreenshot(eva, 'access');

    // The neighbour does not read a draft, shared or not; anonymous visitors neither.
    const nina = await person('nina-nachbar');
    expect((await nina.goto(dataset))?.status()).toBe(404);
    const anonymous = await person();
    expect((await anonymous.goto(dataset))?.status()).toBe(404);

    // The editor submits it for approval.
    await eva.goto(dataset);
    await eva.getByRole('button', { name: 'Zur Freigabe einreichen' }).click();
    await eva.waitForURL(dataset);
    expect(await eva.textContent('.workflow')).toContain('Eingereicht von eva-editor');

    // The admin finds it in the queue from the dashboard and sends it back with a note.
    const anton = await person('anton-admin');
    await anton.getByRole('link', { name: 'Freigaben (1 wartend)' }).click();
    await anton.waitForURL(`${base}/dashboard/approvals`);
    expect(await anton.textContent('main')).toContain('Spielplätze B');
    expect(await seriousAxeViolations(anton)).toEqual([]);
    await saveScreenshot(anton, 'approvals');
    await anton.getByLabel('Hinweis an die Redaktion (Pflichtfeld)').fill('Bitte eine Lizenz angeben.');
    await anton.getByRole('button', { name: 'Zurückgeben' }).click();
    expect(await anton.textContent('[role=status]')).toBe('„Spielplätze B“ wurde mit Ihrem Hinweis zurückgegeben.');

    // The editor reads the note on the dataset page and submits again.
    await eva.reload();
    expect(await eva.textContent('.workflow blockquote')).toBe('Bitte eine Lizenz angeben.');
    expect(await eva.textContent('.workflow')).toContain('Zurückgegeben von anton-admin');
    expect(await seriousAxeViolations(eva)).toEqual([]);
    await eva.getByRole('button', { name: 'Zur Freigabe einreichen' }).click();
    await eva.waitForURL(dataset);

    // The admin publishes it as "shared": the neighbour reads it now, anonymous visitors still do not.
    await anton.goto(`${base}/dashboard/approvals`);
    await anton.getByLabel('Zugriffsstufe nach der Veröffentlichung').selectOption('shared');
    await anton.getByRole('button', { name: '„Spielplätze B“ veröffentlichen' }).click();
    expect(await anton.textContent('[role=status]')).toBe('„Spielplätze B“ wurde veröffentlicht.');
    expect(await anton.textContent('main')).toContain('Kein Datensatz wartet auf Freigabe.');
    expect((await nina.goto(dataset))?.status()).toBe(200);
    expect(await nina.textContent('h1')).toBe('Spielplätze B');
    expect((await anonymous.goto(dataset))?.status()).toBe(404);

    // The admin makes it public on its access page; anonymous visitors then find it in the search.
    await anton.goto(`${dataset}/access`);
    await anton.getByRole('radio', { name: 'öffentlich' }).check();
    await anton.getByRole('button', { name: 'Zugriffsstufe speichern' }).click();
    expect(await anton.textContent('[role=status]')).toBe('Die Zugriffsstufe wurde gespeichert.');
    await t.searchIndexed();
    await anonymous.goto(`${base}/dataset?q=Spielplätze`);
    await anonymous.getByRole('link', { name: 'Spielplätze B' }).click();
    await anonymous.waitForURL(dataset);
    expect(await anonymous.textContent('h1')).toBe('Spielplätze B');

    // The admin's way to the collaborators (CKAN's address) from the access page: also without serious axe findings.
    await anton.goto(`${dataset}/access`);
    await anton.getByRole('link', { name: 'Mitarbeitende an diesem Datensatz' }).click();
    await anton.waitForURL(`${base}/dataset/collaborators/b-spielplaetze`);
    await anton.getByLabel('Benutzername').fill('nina-nachbar');
    await anton.getByRole('button', { name: 'Hinzufügen' }).click();
    expect(await anton.textContent('table.data')).toContain('nina-nachbar');
    expect(await seriousAxeViolations(anton)).toEqual([]);
  }, 90_000);
});
