import type { Page } from 'playwright-core';
import { addDays, amsterdamDateOf } from '../../../domain/dates';
import { formatDate } from '../../../web/format';
import { mayOpen, PAGES, type Role } from '../../../identity/permissions';
import { apiHarness, eventually, KEY_ENTRIES, KEYS, type ApiHarness, type KeyName } from '../api/harness';
import { seriousViolations, serveInBrowser, signInWithKey, type ServedApp } from './browser';

/**
 * What a fresh tester found using the web app as each role (issues 20 and 21, "Trying out Koers as its
 * users would"), each finding as the class it belongs to, in Chromium against the app `npm start`
 * serves with a real dev server and worker behind it.
 */
describe('the trial findings, in Chromium', () => {
  let h: ApiHarness;
  let web: ServedApp;
  const today = amsterdamDateOf(Date.now());
  /** A Wi2021 journey with DUO's notification and the registration: its PIP task is open. */
  let pipJourney: string;
  let pipRef: string;

  beforeAll(async () => {
    h = await apiHarness({ worker: true });
    web = await serveInBrowser(h.app);
    pipRef = `BO-${h.personRef()}`;
    pipJourney = await h.createJourney({ personRef: pipRef, permitGrantedOn: addDays(today, -60), name: 'Mariam Haile-Tesfamariam' });
    for (const type of ['nl.koers.duo.notified', 'nl.koers.brp.registered']) {
      const event = { specversion: '1.0', id: `${type}-${pipJourney}`, source: 'urn:nl:koers:staff:brief', type, time: new Date().toISOString(), datacontenttype: 'application/json', data: { occurredOn: addDays(today, -50) } };
      expect((await h.as('admin').post(`/v1/journeys/${pipJourney}/events`, event)).status).toBe(202);
    }
    await eventually(async () => (await h.as('caseworker').get(`/v1/tasks/${encodeURIComponent(`${pipJourney}:draw-up-pip`)}`)).status, (status) => status === 200, 20_000);
  });

  afterAll(async () => {
    await web?.close();
    await h?.stop();
  });

  beforeEach(() => web.forgetErrors());
  afterEach(() => expect(web.unexpectedErrors()).toEqual([]));

  const newPage = () => web.newPage();
  const signIn = (page: Page, who: KeyName, next: string) => signInWithKey(page, web.base, KEYS[who], next);
  const expectAccessible = async (page: Page) => expect(await seriousViolations(page)).toEqual([]);

  /** Every table whose rows have another number of cells than its header has headings (colspans counted). */
  const misalignedTables = (page: Page) =>
    page.$$eval('table', (tables) =>
      tables.flatMap((table) => {
        const head = table.querySelector('thead tr');
        if (!head) return [];
        const width = (row: { children: ArrayLike<{ getAttribute(name: string): string | null }> }) => Array.from(row.children).reduce((n, cell) => n + (Number(cell.getAttribute('colspan')) || 1), 0);
        return [...table.querySelectorAll('tbody tr')].filter((row) => width(row) !== width(head)).map((row) => `${table.id || table.querySelector('caption')?.textContent?.trim()}: ${width(row)} cells under ${width(head)} headings`);
      }),
    );

  // Finding 1: 10 cells under 9 headings, so "Fatale datum" stood above the target date.
  it('the inbox: each heading stands above its own cells, the fatale datum under "Fatale datum"', async () => {
    const { context, page } = await newPage();
    await signIn(page, 'teamLeadRole', '/app/inbox');
    expect(await misalignedTables(page)).toEqual([]);
    const task = (await h.as('caseworker').get(`/v1/tasks/${encodeURIComponent(`${pipJourney}:draw-up-pip`)}`)).body as { dueDate: string; followUpDate: string };
    const table = page.locator('table', { has: page.locator(`tr[data-task-id="${pipJourney}:draw-up-pip"]`) }).first();
    const headings = (await table.locator('thead th').allTextContents()).map((s) => s.trim());
    const cells = (await table.locator(`tr[data-task-id="${pipJourney}:draw-up-pip"] td`).allTextContents()).map((s) => s.trim());
    expect(cells[headings.indexOf('Fatale datum')]).toBe(formatDate('nl', task.dueDate, 'short'));
    expect(cells[headings.indexOf('Streefdatum')]).toBe(formatDate('nl', task.followUpDate, 'short'));
    expect(cells[headings.indexOf('Termijn')]).toBe('PIP (brede intake en plan)');
    await context.close();
  });

  // Finding 18: the team table was 1677 px wide; its buttons started at x = 1586.
  it.each(['caseworker', 'teamLeadRole'] as KeyName[])('the inbox fits a 1280 px screen with every action in view, as %s', async (who) => {
    const { context, page } = await newPage();
    await signIn(page, who, '/app/inbox');
    const overflowing = await page.$$eval('.koers-table-wrap', (wraps) => wraps.filter((w) => w.scrollWidth > w.clientWidth + 1).map((w) => `${w.scrollWidth} > ${w.clientWidth}`));
    expect(overflowing).toEqual([]);
    const outside = await page.$$eval('table button, table summary, table a.utrecht-button-link', (els) => els.map((e) => e.getBoundingClientRect().right).filter((right) => right > 1280));
    expect(outside).toEqual([]);
    expect(await page.locator('table button, table summary').count()).toBeGreaterThan(0);
    await expectAccessible(page);
    await context.close();
  });

  // Finding 2: an empty PIP date became today, unseen.
  it('a task form fills in no date: the PIP date left empty is asked for, and nothing is completed', async () => {
    const taskId = `${pipJourney}:draw-up-pip`;
    expect((await h.as('caseworker').post(`/v1/tasks/${encodeURIComponent(taskId)}/claim`)).status).toBe(200);
    const { context, page } = await newPage();
    await signIn(page, 'caseworker', `/app/tasks/${encodeURIComponent(taskId)}`);
    const date = page.getByLabel('Datum PIP');
    await expect(date.inputValue()).resolves.toBe('');
    await expect(date.getAttribute('required')).resolves.not.toBeNull();
    await page.getByLabel('Leerroute').selectOption({ label: 'B1-route' });
    await page.getByRole('button', { name: 'Taak afronden' }).click();
    await expect(page.locator('#form-pipDate-error').textContent()).resolves.toBe('Vul dit veld in.');
    expect((await h.as('caseworker').get(`/v1/tasks/${encodeURIComponent(taskId)}`)).body.status).toBe('claimed');
    await expectAccessible(page);
    // Back to the pool for the other tests.
    expect((await h.as('caseworker').post(`/v1/tasks/${encodeURIComponent(taskId)}/unclaim`)).status).toBe(200);
    await context.close();
  });

  // Finding 3: `bo-2026-200` registered beside `BO-2026-200`.
  it('a reference that differs only in capitals or spaces is the same person: 409 naming the first, and the page points to it', async () => {
    const personRef = `BO-${h.personRef()}`;
    const first = await h.createJourney({ personRef });
    const again = await h.as('admin').post('/v1/journeys', { personRef: personRef.toLowerCase(), municipality: 'borger-odoorn', permitGrantedOn: '2025-03-14' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ journeyId: first, matchedOn: 'personRef' });
    const duplicates = await h.as('admin').post('/v1/journeys/duplicates', { municipality: 'borger-odoorn', personRef: personRef.toLowerCase() });
    expect(duplicates.body.duplicates).toEqual([expect.objectContaining({ journeyId: first, matchedOn: ['personRef'] })]);
    expect((await h.as('admin').post('/v1/journeys/lookup', { municipality: 'borger-odoorn', personRef: personRef.toLowerCase() })).body.journeyId).toBe(first);

    const { context, page } = await newPage();
    await signIn(page, 'caseworker', '/app/register');
    await page.getByLabel('Persoonsreferentie').fill(` ${personRef.toLowerCase()} `);
    await page.getByLabel('Datum verblijfsvergunning').fill('2025-03-14');
    await page.getByRole('button', { name: 'Registreren' }).click();
    await expect(page.locator('#duplicate').textContent()).resolves.toContain('referentie');
    await expect(page.locator('#duplicate a').getAttribute('href')).resolves.toBe(`/app/journeys/${first}`);
    await expectAccessible(page);
    await context.close();
  });

  // Finding 13: "Niet geaccepteerd door het traject." for a BSN failing the elfproef and a reference with spaces.
  it('registration names what is wrong with each field, in Dutch', async () => {
    const { context, page } = await newPage();
    await signIn(page, 'caseworker', '/app/register');
    await page.getByLabel('Persoonsreferentie').fill('BO 2026 203');
    await page.getByLabel('BSN').fill('123456789');
    await page.getByLabel('Datum verblijfsvergunning').fill('2025-03-14');
    await page.getByRole('button', { name: 'Registreren' }).click();
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain('elfproef');
    expect(text).toContain('geen spaties');
    expect(text).not.toContain('Niet geaccepteerd door het traject');
    await expectAccessible(page);
    await context.close();
  });

  // Findings 4 and 5: the admin's own search box failed with "Gemeente: Alle"; its list showed journey ids only.
  it("the administrator's page: one search that finds across municipalities, and a list that says who each journey is", async () => {
    const { context, page } = await newPage();
    await signIn(page, 'admin', '/app/admin');
    const row = page.locator('#journeys tbody tr', { has: page.locator(`a[href="/app/journeys/${pipJourney}"]`) });
    await expect(row.textContent()).resolves.toContain(pipRef);
    await expect(row.textContent()).resolves.toContain('Mariam Haile-Tesfamariam');
    expect(await misalignedTables(page)).toEqual([]);
    await expectAccessible(page);
    await page.getByRole('textbox', { name: 'Referentie, BSN of naam' }).fill(pipRef.toLowerCase());
    await page.getByRole('button', { name: 'Zoeken' }).click();
    await page.waitForURL(`${web.base}/app/journeys/${pipJourney}`);
    await context.close();
  });

  // Finding 9: birth and permit dates "—" in the results although known.
  it('search results show the birth and permit dates, to tell namesakes apart', async () => {
    // Letters only: a name is searched by its words.
    const name = `Abdi Zoek${[...String(Date.now() % 100000)].map((d) => 'abcdefghij'[Number(d)]).join('')}`;
    await h.createJourney({ name, birthDate: '1988-04-21', permitGrantedOn: '2025-10-28' });
    await h.createJourney({ name, birthDate: '1990-01-02', permitGrantedOn: '2025-09-01' });
    const { context, page } = await newPage();
    await signIn(page, 'caseworker', '/app/search');
    await page.getByLabel('Referentie, BSN of naam').fill(name);
    await page.getByRole('button', { name: 'Zoeken' }).click();
    const rows = page.locator('#results tbody tr');
    await expect(rows.count()).resolves.toBe(2);
    const text = (await page.locator('#results tbody').textContent()) ?? '';
    for (const date of ['1988-04-21', '2025-10-28', '1990-01-02', '2025-09-01']) expect(text).toContain(formatDate('nl', date, 'short'));
    expect(await misalignedTables(page)).toEqual([]);
    await context.close();
  });

  // Findings 10 and 11: "Ontheffing verleend (correctie: …) [ingetrokken] [geldt]"; "ontheven" and "inburgeringsplichtig" at once.
  it('an exemption: one status while it holds, and its withdrawal is a withdrawal that holds nothing', async () => {
    const journeyId = await h.createJourney({ permitGrantedOn: addDays(today, -40) });
    const { context, page } = await newPage();
    await signIn(page, 'caseworker', `/app/journeys/${journeyId}`);
    await page.getByRole('link', { name: 'Mijlpaal vastleggen' }).click();
    await page.getByLabel('Wat is er gebeurd?').selectOption({ label: 'Ontheffing verleend' });
    await page.getByRole('button', { name: 'Verder' }).click();
    await page.getByLabel('Datum', { exact: true }).fill(addDays(today, -2));
    await page.getByRole('button', { name: 'Vastleggen' }).click();
    await page.waitForURL(/done=recorded/);
    const plicht = await eventually(
      async () => {
        await page.reload();
        return (await page.locator('#plicht').textContent()) ?? '';
      },
      (text) => text.includes('ontheven'),
      10_000,
    );
    expect(plicht).toBe('ontheven van de inburgeringsplicht');
    await page.locator('#events tr[data-event-type="nl.koers.exemption.granted"]').last().getByRole('link', { name: 'Intrekken' }).click();
    await page.getByLabel('Reden').fill('Ontheffing hoort bij een andere persoon');
    await page.getByRole('button', { name: 'Intrekken' }).click();
    await page.waitForURL(/done=withdrawn/);
    const withdrawal = (await page.locator('#events tr[data-withdrawn="true"]').textContent()) ?? '';
    expect(withdrawal).toContain(`Ontheffing verleend ingetrokken op ${formatDate('nl', today)}`);
    expect(withdrawal).toContain('Ontheffing hoort bij een andere persoon');
    expect(withdrawal).not.toContain('correctie');
    expect(withdrawal).not.toContain('geldt');
    const original = (await page.locator('#events tr[data-event-type="nl.koers.exemption.granted"][data-replaced="true"]').textContent()) ?? '';
    expect(original).toContain(`ingetrokken op ${formatDate('nl', today)}`);
    expect(original).not.toContain('correctie');
    await expectAccessible(page);
    await context.close();
  });

  // Finding 12: "Dit botst met wat al is vastgelegd" when moving to where the person already has a journey.
  it('a move to a municipality where the person has a journey names and links that journey', async () => {
    const bsn = h.bsn();
    const here = await h.createJourney({ bsn });
    const otherRef = `MD-${h.personRef()}`;
    const there = await h.createJourney({ bsn, personRef: otherRef, municipality: 'midden-drenthe' });
    const api = await h.as('admin').post(`/v1/journeys/${here}/move`, { municipality: 'midden-drenthe', reason: 'verhuisd' });
    expect(api.status).toBe(409);
    expect(api.body).toMatchObject({ journeyId: there, municipality: 'midden-drenthe' });
    const { context, page } = await newPage();
    await signIn(page, 'admin', `/app/journeys/${here}`);
    await page.locator('#admin-move summary').click();
    await page.locator('#admin-move-municipality').selectOption({ label: 'Midden-Drenthe' });
    await page.locator('#admin-move-reason').fill('Verhuisd volgens de BRP');
    await page.locator('#admin-move button[type="submit"]').click();
    await page.waitForLoadState();
    const alertText = (await page.locator('[role="alert"]').first().textContent()) ?? '';
    expect(alertText).toContain(`Deze persoon heeft al een traject in Midden-Drenthe (${otherRef})`);
    await expect(page.locator('#existing-journey').getAttribute('href')).resolves.toBe(`/app/journeys/${there}`);
    await expectAccessible(page);
    await context.close();
  });

  // Finding 7: the reader and the privacy officer were offered Oppakken, the ladder, extension and instrument forms, all ending in 403.
  const roleOf = (who: KeyName): Role => KEY_ENTRIES.find((entry) => entry.key === KEYS[who])!.role as Role;
  const patterns = Object.keys(PAGES).map((page) => {
    const [method, path] = page.split(' ') as [string, string];
    return { method: method.toLowerCase(), path, regex: new RegExp(`^${path.replace(/:[A-Za-z]+/g, '[^/]+')}$`) };
  });
  /** The page-table row an offered link or form leads to; undefined for one outside the table (sign-in, assets). */
  const routeOf = (method: string, pathname: string) => patterns.find((p) => p.method === method && p.regex.test(pathname.replace(/^\/app/, '')));

  it.each(['reader', 'privacyOfficer', 'caseworker', 'teamLeadRole', 'admin'] as KeyName[])('as %s: no page offers a link or an action the role may not take', async (who) => {
    const role = roleOf(who);
    const taskId = `${pipJourney}:draw-up-pip`;
    const pages = ['/inbox', `/journeys/${pipJourney}`, `/tasks/${encodeURIComponent(taskId)}`, '/search', '/admin', '/process', `/journeys/${pipJourney}/process`, '/policies/borger-odoorn'].filter((path) =>
      mayOpen({ role }, 'get', routeOf('get', `/app${path.replace(/%3A/g, ':')}`)?.path ?? path),
    );
    expect(pages.length).toBeGreaterThanOrEqual(3);
    const { context, page } = await newPage();
    await signIn(page, who, `/app${pages[0]!}`);
    const refused: string[] = [];
    for (const path of pages) {
      await page.goto(`${web.base}/app${path}`);
      expect([path, await page.title()]).not.toEqual([path, expect.stringContaining('Er ging iets mis')]);
      const offered = await page.$$eval('form[method="post" i], a[href^="/app/"]', (els) =>
        els.map((e) => (e.tagName === 'FORM' ? ['post', new URL((e as unknown as { action: string }).action).pathname] : ['get', new URL((e as unknown as { href: string }).href).pathname])),
      );
      for (const [method, pathname] of offered as Array<[string, string]>) {
        const route = routeOf(method, decodeURIComponent(pathname));
        if (route && !mayOpen({ role }, method, route.path)) refused.push(`${path}: ${method} ${pathname}`);
      }
    }
    expect(refused).toEqual([]);
    if (role === 'reader' || role === 'privacy-officer') {
      await page.goto(`${web.base}/app/journeys/${pipJourney}`);
      expect(await page.getByRole('button', { name: 'Oppakken' }).count()).toBe(0);
      expect(await page.locator('form[action$="/ladder"], form[action$="/extension"], form[action$="/instrument"]').count()).toBe(0);
    }
    await context.close();
  });

  // Finding 19: a claim from the journey page said nothing; the page is Dutch for the browser's date inputs.
  it('a claim from the journey page is confirmed, and the page says it is Dutch', async () => {
    const journeyId = await h.createJourney({ permitGrantedOn: addDays(today, -20) });
    const { context, page } = await newPage();
    const task = await eventually(
      async () => ((await h.as('caseworker').get(`/v1/tasks/team?journeyId=${journeyId}`)).body.tasks as Array<{ taskId: string; status: string }>).find((t) => t.status === 'open'),
      (found) => found !== undefined,
      20_000,
    );
    await signIn(page, 'caseworker', `/app/journeys/${journeyId}`);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('nl');
    await page.locator(`tr[data-task-id="${task!.taskId}"]`).getByRole('button', { name: 'Oppakken' }).click();
    await page.waitForURL(/done=claimed/);
    await expect(page.locator('[role="status"], [role="alert"]').first().textContent()).resolves.toContain('Taak opgepakt');
    await context.close();
  });
});
