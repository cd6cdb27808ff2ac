import type { Browser } from 'playwright-core';
import { describeInBrowser, logInThroughForm, saveScreenshot, seriousAxeViolations, serveToChromium } from '../browser';
import { TestApp } from '../test-app';

type Dict = Record<string, unknown>;

/**
 * An organization's admin in Chromium (issue 17): logs in, adds a user as editor, changes the role, removes the
 * member after confirming, creates an API token and sees it once, revokes it; each of these pages passes axe-core
 * without serious or critical violations.
 */
describeInBrowser('web members and API tokens in the browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let org: Dict;

  beforeAll(async () => {
    t = await TestApp.start();
    const admin = await t.factories.user({ name: 'chefin-clara' });
    await t.factories.user({ name: 'helfer-hugo', fullname: 'Hugo Helfer' });
    org = await t.factories.organization({ name: 'gemeinde-m', title: 'Gemeinde M', members: [[admin, 'admin']] });
    await t.factories.dataset({ name: 'm-privat', title: 'M privat', owner_org: org.id as string, private: true });
    ({ base, browser } = await serveToChromium(t));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t.stop();
  });

  const roleOf = async (user: string): Promise<string | undefined> =>
    (await t.call<{ users: { name: string; capacity: string }[] }>('organization_show', { id: 'gemeinde-m', include_users: true })).users.find((u) => u.name === user)?.capacity;

  it('adds a user as editor, changes the role and removes the member; creates an API token, sees it once and revokes it; no serious axe violations', async () => {
    const context = await browser.newContext({ locale: 'de-DE' });
    const page = await context.newPage();
    await logInThroughForm(page, base, 'chefin-clara');

    // From the dashboard to the members list.
    await page.getByRole('link', { name: 'Mitglieder: Gemeinde M' }).click();
    await page.waitForURL(`${base}/organization/members/gemeinde-m`);
    expect(await page.textContent('h1')).toBe('Mitglieder: Gemeinde M');
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Add a user as editor.
    await page.getByRole('link', { name: 'Mitglied hinzufügen' }).click();
    await page.waitForURL(`${base}/organization/member_new/gemeinde-m`);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByLabel('Benutzername').fill('helfer-hugo');
    await page.getByLabel('Rolle').selectOption('editor');
    await page.getByRole('button', { name: 'Mitglied hinzufügen' }).click();
    await page.waitForURL(`${base}/organization/members/gemeinde-m`);
    const row = page.getByRole('row', { name: /Hugo Helfer/ });
    expect(await row.getByRole('cell').nth(1).textContent()).toBe('Redakteur');
    expect(await roleOf('helfer-hugo')).toBe('editor');
    await saveScreenshot(page, 'members');

    // An unknown user is said beside the field, in German.
    await page.goto(`${base}/organization/member_new/gemeinde-m`);
    await page.getByLabel('Benutzername').fill('niemand-da');
    await page.getByRole('button', { name: 'Mitglied hinzufügen' }).click();
    expect(await page.textContent('#username-error')).toContain('Diesen Benutzer gibt es nicht.');
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Change the role.
    await page.goto(`${base}/organization/members/gemeinde-m`);
    await page.getByRole('link', { name: 'Rolle ändern: helfer-hugo' }).click();
    await page.waitForURL(`${base}/organization/member_new/gemeinde-m?user=helfer-hugo`);
    expect(await page.inputValue('#role')).toBe('editor');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await saveScreenshot(page, 'member-role');
    await page.getByLabel('Rolle').selectOption('member');
    await page.getByRole('button', { name: 'Speichern' }).click();
    await page.waitForURL(`${base}/organization/members/gemeinde-m`);
    expect(await page.getByRole('row', { name: /Hugo Helfer/ }).getByRole('cell').nth(1).textContent()).toBe('Mitglied');
    expect(await roleOf('helfer-hugo')).toBe('member');

    // Remove after the confirmation.
    await page.getByRole('link', { name: 'Entfernen: helfer-hugo' }).click();
    await page.waitForURL(`${base}/organization/member_delete/gemeinde-m?user=helfer-hugo`);
    expect(await page.textContent('main')).toContain('Soll Hugo Helfer wirklich aus „Gemeinde M“ entfernt werden?');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Ja, entfernen' }).click();
    await page.waitForURL(`${base}/organization/members/gemeinde-m`);
    expect(await page.textContent('main')).not.toContain('Hugo Helfer');
    expect(await roleOf('helfer-hugo')).toBeUndefined();

    // API tokens, from the header.
    await page.getByRole('link', { name: 'API-Tokens' }).click();
    await page.waitForURL(`${base}/user/chefin-clara/api-tokens`);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByLabel('Name', { exact: true }).fill('Pegel-Import');
    await page.getByLabel('Gültig für (Tage, optional)').fill('7');
    await page.getByRole('button', { name: 'Token erstellen' }).click();
    const token = await page.inputValue('#new-token');
    expect(token.length).toBeGreaterThan(20);
    expect(page.url()).not.toContain(token);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await saveScreenshot(page, 'api-tokens');
    const api = await fetch(`${base}/api/3/action/package_show?id=m-privat`, { headers: { authorization: token } });
    expect(api.status).toBe(200);

    // Once only: the list page shows its name, never the secret again.
    await page.goto(`${base}/user/chefin-clara/api-tokens`);
    expect(await page.textContent('main')).toContain('Pegel-Import');
    expect(await page.content()).not.toContain(token);
    await page.getByRole('button', { name: 'Widerrufen: Token „Pegel-Import“' }).click();
    await page.waitForURL(`${base}/user/chefin-clara/api-tokens?revoked=1`);
    expect(await page.textContent('main')).toContain('Das Token wurde widerrufen.');
    expect(await seriousAxeViolations(page)).toEqual([]);
    const after = await fetch(`${base}/api/3/action/package_show?id=m-privat`, { headers: { authorization: token } });
    expect(after.status).toBe(403);
    await context.close();
  }, 90_000);
});
