/**
 * Debian's Chromium driven by playwright-core (no browser download), and axe-core run inside the page.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.KOERS_CHROMIUM ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** WCAG 2.1 A/AA rules; the serious and critical violations (what the web app promises to have none of). */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, so the page's own CSP (script-src 'self') stays on.
  await page.evaluate(`${axeSource};0`);
  const result = (await page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })`)) as {
    violations: AxeViolation[];
  };
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
}

/**
 * Screenshots for the docs: written to docs/screenshots when KOERS_UPDATE_SCREENSHOTS=1, otherwise
 * to a temporary directory (a test run leaves the tree as it was).
 */
export function screenshotDir(fallback: string): string {
  return process.env.KOERS_UPDATE_SCREENSHOTS === '1' ? path.join(__dirname, '..', '..', '..', 'docs', 'screenshots') : fallback;
}

/**
 * A page as a Dutch user in Amsterdam sees it (1280×900): its script errors and console errors are
 * pushed onto `errors`, so the test that caused them can fail on them.
 */
export async function watchedPage(browser: Browser, errors: string[]): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'nl-NL', timezoneId: 'Europe/Amsterdam' });
  const page = await context.newPage();
  page.on('pageerror', (err) => errors.push(`${page.url()}: ${err.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${page.url()}: ${message.text()}`);
  });
  return { context, page };
}

/**
 * Signs in with an API key on the web app's sign-in page (development mode, no identity provider):
 * opens `base` + `next`, which sends to sign in, and resolves when the browser is back at `next`.
 */
export async function signInWithKey(page: Page, base: string, key: string, next: string): Promise<void> {
  await page.goto(`${base}${next}`);
  await page.waitForURL(/\/app\/sign-in/);
  await page.getByLabel('API-sleutel').fill(key);
  await page.getByRole('button', { name: 'Aanmelden' }).click();
  await page.waitForURL(`${base}${next}`);
}
