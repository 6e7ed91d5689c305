import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { BpmnModdle } from 'bpmn-moddle';
import { addDays, amsterdamDateOf } from '../../../domain/dates';
import { apiHarness, cloudEvent, eventually, KEYS, type ApiHarness, type KeyName } from '../api/harness';
import { launchChromium, screenshotDir, seriousViolations, watchedPage } from './browser';

/**
 * The web app in a real browser (Debian's Chromium), against the same Express app `npm start` serves,
 * with a real dev server and worker behind it: what a caseworker and an administrator do.
 */
describe('web app in Chromium', () => {
  let h: ApiHarness;
  let server: Server;
  let base: string;
  let browser: Browser;
  const shots = screenshotDir(fs.mkdtempSync(path.join(os.tmpdir(), 'koers-shots-')));
  const today = amsterdamDateOf(Date.now());
  let overdueJourney: string;
  let overduePersonRef: string;
  let recentJourney: string;

  beforeAll(async () => {
    h = await apiHarness({ worker: true });
    server = h.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();

    // A Wi2021 journey whose PIP term ended long ago: its draw-up-pip task is overdue.
    overduePersonRef = h.personRef();
    overdueJourney = await h.createJourney({ personRef: overduePersonRef, permitGrantedOn: '2025-03-14' });
    for (const type of ['nl.koers.duo.notified', 'nl.koers.brp.registered']) {
      expect((await h.as('partnerBrp').post(`/v1/journeys/${overdueJourney}/events`, cloudEvent(type, { occurredOn: '2025-04-01' }))).status).toBe(202);
    }
    // A recent one: its family-reunification check is due in about two months.
    recentJourney = await h.createJourney({ permitGrantedOn: addDays(today, -20) });
    const tasks = async () => (await h.as('caseworker').get('/v1/tasks/team')).body.tasks as Array<{ journeyId: string }>;
    for (let i = 0; i < 100; i++) {
      const all = await tasks();
      if (all.some((t) => t.journeyId === overdueJourney) && all.some((t) => t.journeyId === recentJourney)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await h?.stop();
  });

  // A script error or a refused resource in the page fails the test that caused it.
  const newPage = () => watchedPage(browser, pageErrors);

  const signIn = async (page: Page, who: KeyName, next = '/app/') => {
    await page.goto(`${base}${next}`);
    await page.waitForURL(/\/app\/sign-in/);
    await page.getByLabel('API-sleutel').fill(KEYS[who]);
    await page.getByRole('button', { name: 'Aanmelden' }).click();
  };

  let pageErrors: string[] = [];
  beforeEach(() => {
    pageErrors = [];
  });
  afterEach(() => {
    expect(pageErrors.filter((e) => !/status of 4\d\d/.test(e))).toEqual([]);
  });

  const expectAccessible = async (page: Page) => expect(await seriousViolations(page)).toEqual([]);

  it('sends a signed-out browser to sign in, and back where it wanted to go after', async () => {
    const { context, page } = await newPage();
    await page.goto(`${base}/app/journeys/${overdueJourney}`);
    expect(new URL(page.url()).pathname).toBe('/app/sign-in');
    await expect(page.title()).resolves.toContain('Aanmelden');
    await expectAccessible(page);
    await page.getByLabel('API-sleutel').fill('not-a-key-at-all-000000');
    await page.getByRole('button', { name: 'Aanmelden' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('niet geldig');
    await page.getByLabel('API-sleutel').fill(KEYS.caseworker);
    await page.getByRole('button', { name: 'Aanmelden' }).click();
    await page.waitForURL(`${base}/app/journeys/${overdueJourney}`);
    // The key never reaches the browser: only an httpOnly, SameSite=Strict session cookie.
    const cookies = await context.cookies();
    expect(cookies.map((c) => c.name)).toContain('koers_session');
    const session = cookies.find((c) => c.name === 'koers_session')!;
    expect(session).toEqual(expect.objectContaining({ httpOnly: true, sameSite: 'Strict' }));
    expect(cookies.some((c) => c.value.includes(KEYS.caseworker))).toBe(false);
    expect(await page.evaluate('JSON.stringify(localStorage) + document.cookie')).not.toContain(KEYS.caseworker);
    // Signing out ends the session: the same page sends to sign in again.
    await page.getByRole('button', { name: 'Afmelden' }).click();
    await page.waitForURL(/\/app\/sign-in/);
    await page.goto(`${base}/app/inbox`);
    expect(new URL(page.url()).pathname).toBe('/app/sign-in');
    await context.close();
  });

  it('a caseworker sees the overdue task first, completes it with its form, and the journey and its process change', async () => {
    const { context, page } = await newPage();
    await signIn(page, 'caseworker', '/app/inbox');
    await page.waitForURL(`${base}/app/inbox`);
    // The overdue count leads the title; the overdue task is the first row of the team's tasks.
    await expect(page.title()).resolves.toMatch(/^\(1 te laat\) Werkvoorraad/);
    const teamRows = page.locator('table:has(caption:has-text("Taken van mijn team")) tbody tr');
    await expect(teamRows.first().getAttribute('data-task-id')).resolves.toBe(`${overdueJourney}:draw-up-pip`);
    await expect(teamRows.first().textContent()).resolves.toContain('te laat');
    expect(await teamRows.count()).toBeGreaterThanOrEqual(2);
    // Compact rows: one line each, the main action a button, the others in a menu that opens in place.
    await page.screenshot({ path: path.join(shots, 'inbox.png'), fullPage: true });
    const rowHeight = await teamRows.first().evaluate((row) => row.getBoundingClientRect().height);
    expect(rowHeight).toBeLessThan(900 / 15);
    await expectAccessible(page);
    // On a tablet the page does not scroll sideways (wide tables scroll inside their own box).
    await page.setViewportSize({ width: 768, height: 1024 });
    await expect(page.evaluate('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(768);
    await page.setViewportSize({ width: 1280, height: 900 });
    // Keyboard: the first Tab reaches the skip link, which leads to the main content.
    await page.keyboard.press('Tab');
    await expect(page.evaluate('document.activeElement.textContent')).resolves.toBe('Naar de inhoud');

    // Filters stay in the URL.
    await page.getByLabel('Soort taak').selectOption('check-family-reunification');
    await page.getByRole('button', { name: 'Filteren' }).click();
    await page.waitForURL(/kind=check-family-reunification/);
    await expect(page.locator(`tr[data-task-id="${overdueJourney}:draw-up-pip"]`).count()).resolves.toBe(0);
    await expect(page.title()).resolves.toMatch(/^Werkvoorraad/);
    await page.goto(`${base}/app/inbox`);

    // Claim, then complete with the task's own form; a missing field is named as the API names it.
    await page.locator(`tr[data-task-id="${overdueJourney}:draw-up-pip"]`).getByRole('button', { name: 'Oppakken' }).click();
    await page.waitForURL(/done=claimed/);
    const mine = page.locator('table:has(caption:has-text("Mijn taken"))');
    await mine.locator(`tr[data-task-id="${overdueJourney}:draw-up-pip"] summary`).click();
    await expect(mine.locator(`tr[data-task-id="${overdueJourney}:draw-up-pip"]`).getByRole('button', { name: 'Teruggeven' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await expect(page.locator('#my-overdue').textContent()).resolves.toBe('Mijn taken te laat: 1');
    await mine.locator(`tr[data-task-id="${overdueJourney}:draw-up-pip"]`).getByRole('link', { name: 'Afronden' }).click();
    await page.waitForURL(/\/app\/tasks\//);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Taak afronden' }).click();
    // No date is filled in for the caseworker (trial finding 2): the PIP date, which starts the term, is asked for too.
    await expect(page.locator('.utrecht-form-field--invalid').count()).resolves.toBe(2);
    await expect(page.getByLabel('Leerroute').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.getByLabel('Datum PIP').getAttribute('aria-invalid')).resolves.toBe('true');
    await expectAccessible(page);
    // Generated from the form's schema: a date field is the browser's date input, an enum a select.
    await expect(page.getByLabel('Datum PIP').getAttribute('type')).resolves.toBe('date');
    await expect(page.getByLabel('Leerroute').evaluate((e) => e.tagName)).resolves.toBe('SELECT');
    await page.getByLabel('Datum PIP').fill(today);
    await page.getByLabel('Leerroute').selectOption('b1');
    await page.getByRole('button', { name: 'Taak afronden' }).click();
    await page.waitForURL(/done=completed/);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Taak afgerond');
    await expect(page.title()).resolves.toMatch(/^Werkvoorraad/);

    // The journey page: the PIP clock met today; the task completed; the term and its tracks started.
    await h.settled(overdueJourney);
    await page.goto(`${base}/app/journeys/${overdueJourney}`);
    const pipRow = page.locator('#clocks tr[data-clock="pip"]');
    await expect(pipRow.textContent()).resolves.toContain('gehaald');
    await expect(page.locator('#clocks tr[data-clock="inburgering"]').textContent()).resolves.toContain('loopt');
    await expect(page.locator('svg g[data-clock="pip"]').getAttribute('data-status')).resolves.toBe('met');
    await expect(page.locator('table:has(caption:has-text("Afgeronde taken"))').textContent()).resolves.toContain('PIP opstellen');
    await expect(page.locator('#events').textContent()).resolves.toContain('Ingeschreven in de BRP');
    await expectAccessible(page);
    await page.screenshot({ path: path.join(shots, 'journey.png'), fullPage: true });

    // A command the journey refuses shows its reason in words.
    await page.getByText('Verlengingsverzoek indienen').first().click();
    // The ground is chosen from the regime's own grounds, by their Dutch names (it was free text that took only English codes).
    await expect(page.getByLabel('Grond').locator('option').allTextContents()).resolves.toEqual(['Kies…', 'ziekte', 'bevalling', 'bijzondere omstandigheden', 'cursus']);
    await page.getByLabel('Grond').selectOption({ label: 'ziekte' });
    await page.getByRole('button', { name: 'Verlengingsverzoek indienen' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/^Niet verwerkt: Deze datum mag niet vóór het begin van de termijn \(\d{1,2} [a-z]+ \d{4}\) liggen\.$/);
    // A ladder assessment is accepted and shown.
    await page.getByText('Participatieladder vastleggen').first().click();
    await page.getByLabel('Trede (1-6)').fill('3');
    await page.getByRole('button', { name: 'Participatieladder vastleggen' }).click();
    await page.waitForURL(/done=accepted/);
    await expect(page.locator('#ladder-title + ul').textContent()).resolves.toContain('3');

    // The process view: the diagram marks the PIP met and the term running.
    await page.goto(`${base}/app/journeys/${overdueJourney}/process`);
    await page.waitForSelector('#diagram[data-ready="true"]');
    await expect(page.locator('[data-element-id="Clock_pip"]').getAttribute('class')).resolves.toContain('koers-met');
    await expect(page.locator('[data-element-id="Clock_inburgering"]').getAttribute('class')).resolves.toContain('koers-running');
    await expect(page.locator('[data-element-id="Event_brp_registered"]').getAttribute('class')).resolves.toContain('koers-met');
    await expect(page.locator('.bjs-powered-by').count()).resolves.toBe(1);
    await expectAccessible(page);
    await page.screenshot({ path: path.join(shots, 'process.png'), fullPage: true });

    // The BPMN file downloads and parses back without warnings.
    const bpmn = await context.request.get(`${base}/app/process/wi2021.bpmn`);
    expect(bpmn.headers()['content-disposition']).toContain('attachment');
    const parsed = await new BpmnModdle().fromXML(await bpmn.text());
    expect(parsed.warnings).toEqual([]);

    // A write without the session's CSRF token changes nothing.
    const forged = await context.request.post(`${base}/app/tasks/${encodeURIComponent(`${recentJourney}:check-family-reunification`)}/claim`, { form: { back: '/app/inbox' } });
    expect(forged.status()).toBe(403);
    const task = (await h.as('caseworker').get(`/v1/tasks/${encodeURIComponent(`${recentJourney}:check-family-reunification`)}`)).body;
    expect(task.status).toBe('open');

    // English on request, Dutch by default.
    await page.goto(`${base}/app/inbox`);
    await page.getByRole('link', { name: 'English' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Inbox');
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
    await expectAccessible(page);
    await context.close();
  });

  it("a caseworker of another municipality sees none of it", async () => {
    const { context, page } = await newPage();
    await signIn(page, 'caseworkerOther', '/app/inbox');
    await page.waitForURL(`${base}/app/inbox`);
    await expect(page.locator('tr[data-task-id]').count()).resolves.toBe(0);
    const journey = await page.goto(`${base}/app/journeys/${overdueJourney}`);
    expect(journey?.status()).toBe(404);
    const process = await page.goto(`${base}/app/journeys/${overdueJourney}/process`);
    expect(process?.status()).toBe(404);
    const admin = await page.goto(`${base}/app/admin`);
    expect(admin?.status()).toBe(403);
    await context.close();
  });

  it('an administrator finds a journey by person reference, filters the dashboard and opens the diagram', async () => {
    const { context, page } = await newPage();
    await signIn(page, 'admin');
    await page.waitForURL(`${base}/app/admin`);
    await expectAccessible(page);
    // The one search box (trial finding 4): across every municipality, no municipality to choose.
    await page.getByRole('textbox', { name: 'Referentie, BSN of naam' }).fill(overduePersonRef);
    await page.getByRole('button', { name: 'Zoeken' }).click();
    await page.waitForURL(`${base}/app/journeys/${overdueJourney}`);
    // An unknown person reference is said so.
    await page.goto(`${base}/app/admin`);
    await page.getByRole('textbox', { name: 'Referentie, BSN of naam' }).fill('nobody-here');
    await page.getByRole('button', { name: 'Zoeken' }).click();
    await expect(page.locator('.utrecht-alert').first().textContent()).resolves.toContain('Geen traject gevonden');

    // Journeys with a history for the dashboard: Wi2013, intake, re-integration and PVT reported (an
    // admin may report every type, contract v1.2), and one in another municipality.
    const report = async (journeyId: string, events: Array<[string, string, Record<string, unknown>?]>) => {
      for (const [type, occurredOn, data] of events) {
        expect((await h.as('admin').post(`/v1/journeys/${journeyId}/events`, cloudEvent(type, { occurredOn, ...data }))).status).toBe(202);
      }
      await h.settled(journeyId);
    };
    const onTime = await h.createJourney({ permitGrantedOn: '2021-03-01' });
    await report(onTime, [
      ['nl.koers.brp.registered', '2021-03-10'],
      ['nl.koers.bijstand.applied', '2021-03-15'],
      ['nl.koers.intake.held', '2021-03-25'],
      ['nl.koers.reintegration.started', '2021-05-20', { instrument: 'werkstage' }],
      ['nl.koers.participatieverklaring.signed', '2021-11-01'],
    ]);
    const late = await h.createJourney({ permitGrantedOn: '2021-04-01' });
    await report(late, [
      ['nl.koers.brp.registered', '2021-04-10'],
      ['nl.koers.bijstand.applied', '2021-04-12'],
      ['nl.koers.intake.held', '2021-05-31'],
    ]);
    await h.createJourney({ municipality: 'midden-drenthe', permitGrantedOn: '2025-09-01' });

    await page.goto(`${base}/app/dashboard`);
    await page.waitForSelector('body[data-charts-ready="true"]');
    await expect(page.locator('#by-municipality tbody tr').count()).resolves.toBe(2);
    await page.getByLabel('Gemeente', { exact: true }).selectOption('borger-odoorn');
    await page.getByRole('button', { name: 'Filteren' }).click();
    await page.waitForURL(/municipality=borger-odoorn/);
    await page.waitForSelector('body[data-charts-ready="true"]');
    const row = page.locator('#by-municipality tr[data-key="borger-odoorn"]');
    await expect(row.locator('td').first().textContent()).resolves.toBe('4');
    await expect(page.locator('#by-municipality tbody tr').count()).resolves.toBe(1);
    // Intakes 24 and 60 days after the permit; one of two re-integrations within three months; one of two PVTs on time.
    await expect(row.locator('td').nth(1).textContent()).resolves.toBe('42');
    await expect(row.locator('td').nth(2).textContent()).resolves.toBe('50% (1/2)');
    await expect(row.locator('td').nth(3).textContent()).resolves.toBe('50% (1/2)');
    await expectAccessible(page);
    await page.screenshot({ path: path.join(shots, 'dashboard.png'), fullPage: true });
    // Trial 2 finding 3: every number that links opens the list of exactly the journeys it counts; the
    // overdue clocks count clocks, and the page says a journey can have more than one.
    const links = await page.locator('#by-month a, #by-municipality a').evaluateAll((as) => as.map((a) => ({ href: (a as unknown as { href: string }).href, figure: a.textContent!, overdue: a.classList.contains('koers-overdue-link') })));
    expect(links.some((l) => l.overdue && new URL(l.href).searchParams.has('deadlineTo'))).toBe(true);
    expect(links.filter((l) => new URL(l.href).searchParams.has('permitMonth')).length).toBeGreaterThan(1);
    await expect(page.locator('#columns-explained').textContent()).resolves.toContain('een traject met twee termijnen te laat telt hier twee keer');
    await expect(page.locator('#columns-explained').textContent()).resolves.toContain('van de vergunning (dagen tot intake, trajecten)');
    for (const link of links) {
      const listed = (await h.as('admin').get(`/v1/journeys/count?${new URL(link.href).searchParams}`)).body.count as number;
      if (link.overdue) expect({ link: link.href, listed: listed > 0 && listed <= Number(link.figure) }).toEqual({ link: link.href, listed: true });
      else expect({ link: link.href, listed }).toEqual({ link: link.href, listed: Number(link.figure) });
    }

    await page.goto(`${base}/app/process`);
    await page.waitForSelector('#diagram[data-ready="true"]');
    await expect(page.locator('#steps tr[data-step="pip"]').textContent()).resolves.toContain('gehaald: 1');
    await expect(page.locator('.koers-overlay').count()).resolves.toBeGreaterThan(0);
    await expectAccessible(page);

    await page.goto(`${base}/app/journeys/${overdueJourney}/process`);
    await page.waitForSelector('#diagram[data-ready="true"]');
    await context.close();
  });

  it('fits 1280 px: one-line navigation, whole headings, today inside the timeline, the whole diagram (trial 2 finding 10)', async () => {
    const { context, page } = await newPage();
    await signIn(page, 'admin');
    await page.waitForURL(`${base}/app/admin`);
    const box = async (selector: string) => (await page.locator(selector).first().boundingBox())!;
    // The header is one line: the brand, the navigation and the user's links side by side, also with the
    // trial's long sign-in name.
    await page.evaluate(`document.querySelector('.koers-user > span').textContent = 'Aangemeld als DEVELOPMENT ONLY admin (beheerder)'`);
    const [brand, nav, user] = [await box('.koers-brand'), await box('.koers-nav'), await box('.koers-user')];
    expect(Math.abs(nav.y + nav.height / 2 - (brand.y + brand.height / 2))).toBeLessThan(10);
    expect(Math.abs(user.y + user.height / 2 - (brand.y + brand.height / 2))).toBeLessThan(10);

    // A journey waiting for DUO says why its inburgering clocks are not there yet; today's label fits the chart.
    await page.goto(`${base}/app/journeys/${recentJourney}`);
    await expect(page.locator('#awaiting-clocks').textContent()).resolves.toContain('zodra DUO de inburgeringsplicht meldt');
    const chart = await box('.koers-timeline svg');
    const label = await box('.koers-timeline svg > text');
    expect(label.x).toBeGreaterThanOrEqual(chart.x);
    expect(label.x + label.width).toBeLessThanOrEqual(chart.x + chart.width + 1);

    // The inbox's headings break between words only: each heading's widest word fits its cell.
    await page.goto(`${base}/app/inbox`);
    await page.waitForSelector('table.koers-table--compact th');
    // Lines of a heading (one client rect per line of its text) never outnumber its words.
    const cut = await page.evaluate(`[...document.querySelectorAll('table.koers-table--compact th')].filter((th) => {
      const range = document.createRange();
      range.selectNodeContents(th);
      return range.getClientRects().length > th.textContent.trim().split(/\\s+/).length;
    }).map((th) => th.textContent)`);
    expect(cut).toEqual([]);

    // The process view: its legend names every status the table uses, and the lowest box is inside the frame.
    await page.goto(`${base}/app/process?regime=wi2013`);
    await page.waitForSelector('#diagram[data-ready="true"]');
    await expect(page.locator('.koers-legend li').allTextContents()).resolves.toEqual(['gehaald', 'loopt', 'te laat', 'vervallen', 'beëindigd']);
    const frame = await box('#diagram');
    const lowest = await page.locator('#diagram .djs-element.djs-shape, #diagram .koers-overlay').evaluateAll((shapes) => Math.max(...shapes.map((s) => s.getBoundingClientRect().bottom)));
    expect(lowest).toBeLessThanOrEqual(frame.y + frame.height);
    await context.close();
  });

  it('an administrator sees how many journeys a filter finds and pages through all of them (100 a page)', async () => {
    for (let i = 0; i < 101; i++) await h.createJourney({ municipality: 'midden-drenthe', permitGrantedOn: '2025-10-01' });
    const count = async () => (await h.as('admin').get('/v1/journeys/count?municipality=midden-drenthe')).body.count as number;
    const total = await eventually(count, (n) => n >= 102, 60_000);
    const { context, page } = await newPage();
    await signIn(page, 'admin');
    await page.waitForURL(`${base}/app/admin`);
    await page.goto(`${base}/app/admin?municipality=midden-drenthe`);
    await expect(page.locator('#journey-count').textContent()).resolves.toBe(`${total} trajecten`);
    const seen = new Set<string>();
    for (let pages = 1; ; pages++) {
      for (const link of await page.locator('#journeys tbody a').all()) seen.add((await link.getAttribute('href'))!);
      const next = page.locator('#next-page');
      if ((await next.count()) === 0) break;
      expect(pages).toBeLessThan(5);
      await next.click();
      await page.waitForLoadState();
    }
    expect(seen.size).toBe(total);
    await expectAccessible(page);
    await context.close();
  });
});
