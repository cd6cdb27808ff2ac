import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { TestApp } from './test-app';
import { FACTORY_PASSWORD } from './web-session';

/**
 * Browser tests drive Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it when missing) through
 * playwright-core, found at CHROMIUM_PATH (default /usr/bin/chromium). Without it they are skipped and say so; in CI
 * (CI set) a missing Chromium fails the run instead, so CI always runs them.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM_PATH);

/** `describe` when Chromium is there; otherwise one skipped test whose name says why (and a line on stdout). */
export function describeInBrowser(name: string, fn: () => void): void {
  if (hasChromium) return describe(name, fn);
  const why = `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`;
  if (process.env.CI) throw new Error(`Browser tests need Chromium: ${why}`);
  describe(name, () => {
    // eslint-disable-next-line jest/no-disabled-tests, jest/expect-expect -- it needs a browser this machine lacks; the skip names it
    it.skip(`SKIPPED: ${why}`, () => undefined);
  });
  process.stdout.write(`browser tests "${name}" SKIPPED: ${why}\n`);
}

/** A headless Chromium; as root without its sandbox (Chromium refuses to run sandboxed as root). */
export function launchChromium(): Promise<Browser> {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: root ? ['--no-sandbox'] : [] });
}

export interface AxeFinding {
  id: string;
  impact: string | null | undefined;
  help: string;
  targets: string[];
}

/** axe-core's serious and critical accessibility violations of the page as it is now (WCAG 2.1 A and AA rules); the page must come from `browser.newContext()`. */
export async function seriousAxeViolations(page: Page): Promise<AxeFinding[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
}

/** `npm run screenshots` sets it: browser tests then save the pages they visit as PNGs there (docs/screenshots). */
const SCREENSHOTS_DIR = process.env.SCREENSHOTS_DIR;

/** Saves the page as `<name>.png` for the README's screenshots when `SCREENSHOTS_DIR` is set; otherwise does nothing. */
export async function saveScreenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  if (!SCREENSHOTS_DIR) return;
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}.png`), fullPage: opts.fullPage ?? true });
}

/** Serves the app on a free port of 127.0.0.1 and starts a Chromium for it: the page addresses' base and the browser. */
export async function serveToChromium(t: TestApp): Promise<{ base: string; browser: Browser }> {
  await t.app.listen(0, '127.0.0.1');
  const base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
  return { base, browser: await launchChromium() };
}

/** Logs in through the German login form as a person does, then waits until the browser has landed on `landing`. */
export async function logInThroughForm(page: Page, base: string, login: string, landing = '/dashboard'): Promise<void> {
  await page.goto(`${base}/user/login${landing === '/dashboard' ? '' : `?came_from=${encodeURIComponent(landing)}`}`);
  await page.getByLabel('Benutzername oder E-Mail-Adresse').fill(login);
  await page.getByLabel('Passwort').fill(FACTORY_PASSWORD);
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await page.waitForURL(`${base}${landing}`);
}
