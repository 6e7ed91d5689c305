import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { HOME_PAGE, PAGES, type PersonRole } from '../../../identity/permissions';
import { startKoersProcess, type KoersProcess } from '../../helpers/koers-process';
import { freePort } from '../../helpers/ports';
import { GROUP_MAP, KEYCLOAK_START_TIMEOUT_MS, KEYCLOAK_CLIENT_ID, KEYCLOAK_CLIENT_SECRET, KEYCLOAK_PASSWORD, startKeycloak, type Keycloak } from '../../helpers/keycloak';
import { launchChromium } from './browser';

/**
 * People sign in at the municipality's identity provider: a real Keycloak, its own login page in
 * Chromium, and `npm start` API processes configured by environment as a municipality would. Two API
 * processes share one store; a restart keeps the browser signed in; a user disabled or a role
 * withdrawn at the provider loses access at the next request (KOERS_OIDC_RECHECK_SECONDS=0 here, so
 * "next request" is exact; the default re-checks within a minute).
 */
describe('sign-in at the identity provider (Keycloak) in Chromium', () => {
  const ADMIN_KEY = 'sign-in-test-admin-key-0001';
  let keycloak: Keycloak;
  let browser: Browser;
  let dir: string;
  let ports: [number, number];
  let env: Record<string, string>;
  let apis: KoersProcess[] = [];
  /** One port in front of both API processes, as a load balancer without sticky sessions: each request goes to the next process. */
  let balancer: { url: string; served: [number, number]; close(): Promise<void> };
  const base = (i: 0 | 1) => `http://127.0.0.1:${ports[i]}`;
  const timings: Array<{ who: string; ms: number }> = [];

  /** Two API processes on one store behind one port (the balancer, KOERS_OIDC_REDIRECT_URL); the browser's cookie also reaches each process at its own port. */
  const startApis = async () => {
    apis = ports.map((port) => startKoersProcess('api', { ...env, PORT: String(port) }));
    await Promise.all(apis.map((a) => a.ready));
  };

  beforeAll(async () => {
    const temporal = process.env.KOERS_TEST_TEMPORAL_ADDRESS;
    if (!temporal) throw new Error('KOERS_TEST_TEMPORAL_ADDRESS is not set: run through the integration project (global setup)');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koers-sign-in-'));
    ports = [await freePort(), await freePort()];
    balancer = await startRoundRobin(ports);
    keycloak = await startKeycloak([`${balancer.url}/app/sign-in/callback`]);
    fs.writeFileSync(path.join(dir, 'keys.json'), JSON.stringify([{ key: ADMIN_KEY, role: 'admin', name: 'machine-admin' }]));
    env = {
      TEMPORAL_ADDRESS: temporal,
      KOERS_TASK_QUEUE: `sign-in-test-${process.pid}`,
      KOERS_DATA_DIR: dir,
      KOERS_DATABASE_URL: `sqlite:${path.join(dir, 'koers.db')}`,
      KOERS_SECRET_KEY: 'sign-in-test-secret-0123456789-0123456789',
      KOERS_API_KEYS_FILE: path.join(dir, 'keys.json'),
      KOERS_OIDC_ISSUER: keycloak.issuer,
      KOERS_OIDC_CLIENT_ID: KEYCLOAK_CLIENT_ID,
      KOERS_OIDC_CLIENT_SECRET: KEYCLOAK_CLIENT_SECRET,
      KOERS_OIDC_GROUP_MAP: JSON.stringify(GROUP_MAP),
      KOERS_OIDC_PROVIDER_NAME: 'Keycloak',
      KOERS_OIDC_RECHECK_SECONDS: '0',
      KOERS_MAX_BACKLOG_SECONDS: '0',
      KOERS_OIDC_REDIRECT_URL: `${balancer.url}/app/sign-in/callback`,
    };
    await startApis();
    browser = await launchChromium();
  }, KEYCLOAK_START_TIMEOUT_MS + 120_000);

  afterAll(async () => {
    await browser?.close();
    await balancer?.close();
    await Promise.all(apis.map((a) => a.kill('SIGTERM')));
    await keycloak?.stop();
    if (timings.length) console.log(`sign-in in the browser (click "Inloggen via Keycloak" → Koers page drawn), ms:\n${timings.map((t) => `  ${t.who}: ${t.ms}`).join('\n')}`);
  });

  const newContext = (): Promise<BrowserContext> => browser.newContext({ locale: 'nl-NL', timezoneId: 'Europe/Amsterdam' });

  /** Signs in through Keycloak's own login page, at the balancer's port; resolves on the Koers page the browser lands on. */
  const signIn = async (page: Page, username: string): Promise<void> => {
    const origin = balancer.url;
    await page.goto(`${origin}/app/`);
    await page.waitForURL(/\/app\/sign-in/);
    // With a provider configured there is no API-key field: a person never needs a key.
    expect(await page.locator('#apiKey').count()).toBe(0);
    const started = Date.now();
    await page.getByRole('link', { name: 'Inloggen via Keycloak' }).click();
    await page.waitForURL(new RegExp(`/realms/${keycloak.realm}/`));
    await page.locator('#username').fill(username);
    await page.locator('#password').fill(KEYCLOAK_PASSWORD);
    await page.locator('#kc-login').click();
    await page.waitForURL((url) => url.origin === origin && url.pathname.startsWith('/app/') && !url.pathname.startsWith('/app/sign-in'));
    await page.waitForLoadState('load');
    timings.push({ who: username, ms: Date.now() - started });
  };

  const status = async (page: Page, url: string): Promise<number> => (await page.goto(url))!.status();

  const users: Array<[PersonRole, string, string]> = [
    ['admin', 'bea.beheer', 'beheerder'],
    ['team-lead', 'cor.coordinator', 'coördinator'],
    ['caseworker', 'kim.klantmanager', 'klantmanager'],
    ['reader', 'rob.raadpleger', 'raadpleger'],
    ['privacy-officer', 'pia.privacy', 'privacy officer'],
  ];

  it.each(users)('signs in a %s (%s) at Keycloak, lands on their home page, and opens exactly the pages the table gives the role', async (role, username, roleName) => {
    const context = await newContext();
    const page = await context.newPage();
    await signIn(page, username);
    expect(new URL(page.url()).pathname).toBe(`/app${HOME_PAGE[role]}`);
    await expect(page.locator('header').textContent()).resolves.toContain(`Aangemeld als ${username} (${roleName})`);
    // Admin's menu items only for admins.
    expect(await page.getByRole('link', { name: 'Dashboard' }).count()).toBe(role === 'admin' ? 1 : 0);
    for (const [key, roles] of Object.entries(PAGES)) {
      const [method, pagePath] = key.split(' ') as [string, string];
      if (method !== 'GET' || pagePath.includes(':')) continue;
      // With the browser's own cookies; a CSV download is no page to go to.
      const answer = (await page.request.get(`${base(0)}/app${pagePath}`, { maxRedirects: 0 })).status();
      expect([pagePath, answer]).toEqual([pagePath, roles.includes(role) ? 200 : 403]);
    }
    await context.close();
  });

  it('refuses a person whose groups grant no role, with a message in Dutch', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${balancer.url}/app/`);
    await page.getByRole('link', { name: 'Inloggen via Keycloak' }).click();
    await page.locator('#username').fill('gus.geenrol');
    await page.locator('#password').fill(KEYCLOAK_PASSWORD);
    await page.locator('#kc-login').click();
    await page.waitForURL(/\/app\/sign-in\/callback/);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('geen van uw groepen geeft toegang tot Koers');
    expect((await page.goto(`${base(0)}/app/inbox`))!.url()).toMatch(/\/app\/sign-in/);
    await context.close();
  });

  it('shares a session between two API processes on one store, keeps it over a restart of both, and still takes API keys from machines', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await signIn(page, 'kim.klantmanager');
    // The cookie is the host's, so the second process gets it too; it finds the session in the store.
    expect(await status(page, `${base(1)}/app/inbox`)).toBe(200);
    await expect(page.locator('header').textContent()).resolves.toContain('Aangemeld als kim.klantmanager');

    await Promise.all(apis.map((a) => a.kill('SIGTERM')));
    await startApis();
    for (const i of [0, 1] as const) {
      expect(await status(page, `${base(i)}/app/inbox`)).toBe(200);
      await expect(page.locator('header').textContent()).resolves.toContain('Aangemeld als kim.klantmanager');
    }
    const machine = await fetch(`${base(1)}/v1/journeys/count`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(machine.status).toBe(200);
    await context.close();
  });

  it('signs in and works through one port in front of both API processes, each request going to the next process (no sticky sessions)', async () => {
    const context = await newContext();
    const page = await context.newPage();
    const [before0, before1] = balancer.served;
    // The sign-in starts at one process and its callback lands at the other.
    await signIn(page, 'kim.klantmanager');
    for (let i = 0; i < 6; i++) {
      expect(await status(page, `${balancer.url}/app/inbox`)).toBe(200);
      await expect(page.locator('header').textContent()).resolves.toContain('Aangemeld als kim.klantmanager');
    }
    expect(balancer.served[0] - before0).toBeGreaterThanOrEqual(3);
    expect(balancer.served[1] - before1).toBeGreaterThanOrEqual(3);
    await context.close();
  });

  it('ends the session of a user disabled at the provider at their next request', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await signIn(page, 'vera.vertrekt');
    expect(await status(page, `${base(0)}/app/inbox`)).toBe(200);
    await keycloak.disableUser('vera.vertrekt');
    await page.goto(`${base(1)}/app/inbox`);
    expect(new URL(page.url()).pathname).toBe('/app/sign-in');
    // And signing in again is refused by the provider itself.
    await page.getByRole('link', { name: 'Inloggen via Keycloak' }).click();
    await page.waitForURL(new RegExp(`/realms/${keycloak.realm}/`));
    expect(new URL(page.url()).origin).not.toBe(base(0));
    await context.close();
  });

  it('ends the session when the provider withdraws the role (group membership) at the next request', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await signIn(page, 'wim.wisselt');
    expect(await status(page, `${base(0)}/app/inbox`)).toBe(200);
    // The staff directory knows him from his sign-in, by his name even after his pages called the API
    // for him: work may be handed to him. The machine key that asks is no colleague.
    expect(await status(page, `${base(1)}/app/inbox`)).toBe(200);
    const directory = async () => ((await (await fetch(`${base(0)}/v1/staff`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json()) as { staff: Array<{ id: string; name: string }> }).staff;
    const colleagues = async () => (await directory()).map((s) => s.id);
    expect((await directory()).find((s) => s.id === 'wim.wisselt')?.name).toBe('Wim Wisselt');
    expect(await colleagues()).not.toContain('machine-admin');
    await keycloak.removeFromGroup('wim.wisselt', 'koers-klantmanagers');
    await page.goto(`${base(0)}/app/inbox`);
    expect(new URL(page.url()).pathname).toBe('/app/sign-in');
    // No role any more: no longer offered as a colleague.
    expect(await colleagues()).not.toContain('wim.wisselt');
    await context.close();
  });

  it('signs out at Koers and at the provider (RP-initiated): the next sign-in asks for the password again', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await signIn(page, 'rob.raadpleger');
    await page.getByRole('button', { name: 'Afmelden' }).click();
    await page.waitForURL((url) => url.origin === balancer.url && url.pathname === '/app/sign-in');
    await expect(page.getByRole('status').textContent()).resolves.toContain('U bent afgemeld.');
    expect(await status(page, `${base(0)}/app/inbox`)).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/app/sign-in');
    await page.getByRole('link', { name: 'Inloggen via Keycloak' }).click();
    // No single sign-on left at the provider: its login form again.
    await page.locator('#password').waitFor({ state: 'visible' });
    await context.close();
  });
});

/**
 * A round-robin HTTP proxy on a free loopback port in front of `targets`: every request (not every
 * connection) goes to the next target, so nothing about a person's session can live in one process.
 */
async function startRoundRobin(targets: readonly number[]): Promise<{ url: string; served: [number, number]; close(): Promise<void> }> {
  const served: [number, number] = [0, 0];
  let next = 0;
  const server = http.createServer((req, res) => {
    const index = next;
    next = (next + 1) % targets.length;
    served[index as 0 | 1] += 1;
    const upstream = http.request(
      { host: '127.0.0.1', port: targets[index], method: req.method, path: req.url, headers: req.headers, agent: false },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502).end();
    });
    req.pipe(upstream);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    served,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
