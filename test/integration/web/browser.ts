/**
 * Debian's Chromium driven by playwright-core (no browser download), and axe-core run inside the page.
 */
import fs from 'node:fs';
import http, { type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
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

/** An app served on a loopback port with a Chromium to drive it (the web tests' set-up). */
export interface ServedApp {
  /** `http://127.0.0.1:<port>`. */
  readonly base: string;
  readonly browser: Browser;
  /** Script and console errors of every page opened with {@link ServedApp.newPage} since the last {@link ServedApp.forgetErrors}. */
  readonly errors: string[];
  /** A page as a Dutch user sees it ({@link watchedPage}), its errors into `errors`. */
  newPage(): Promise<{ context: BrowserContext; page: Page }>;
  /** The errors a page should not have had: all but a refused request's (a 4xx is a page's answer, not a fault). */
  unexpectedErrors(): string[];
  forgetErrors(): void;
  /** Closes the browser and the server (not the app's harness). */
  close(): Promise<void>;
}

/** Serves `app` (an express app) on a free loopback port and launches Chromium for it. */
export async function serveInBrowser(app: RequestListener): Promise<ServedApp> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchChromium();
  const errors: string[] = [];
  return {
    base,
    browser,
    errors,
    newPage: () => watchedPage(browser, errors),
    unexpectedErrors: () => errors.filter((e) => !/status of 4\d\d/.test(e)),
    forgetErrors: () => {
      errors.length = 0;
    },
    close: async () => {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
