/**
 * The privacy officer's page of the processing log (/app/processing-log, issue 23) in the browser: signed
 * in as privacy officer, a person found by BSN, their processings said in Dutch (no codes, no English),
 * filtered by period and by kind, downloaded as CSV; a wrong BSN named in Dutch; WCAG 2.1 AA by axe-core.
 * A caseworker gets neither the page nor the API.
 */
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { amsterdamDateOf } from '../../../domain/dates';
import { developmentActivityUris, PROCESSING_ACTIVITIES, StoredProcessingLog } from '../../../processing-log';
import { messagesOf } from '../../../web/messages';
import { apiHarness, KEYS, type ApiHarness } from '../api/harness';
import { seriousViolations, serveInBrowser, signInWithKey, type ServedApp } from './browser';

describe('the processing log page', () => {
  let h: ApiHarness;
  let web: ServedApp;

  beforeAll(async () => {
    h = await apiHarness();
    web = await serveInBrowser(h.app);
  }, 120_000);
  afterAll(async () => {
    await web?.close();
    await h?.stop();
  });
  beforeEach(() => web.forgetErrors());
  afterEach(() => expect(web.unexpectedErrors()).toEqual([]));

  const nl = messagesOf('nl') as Record<string, string>;
  const en = messagesOf('en') as Record<string, string>;
  const rows = (page: Page) => page.locator('#processing-records tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-activity') ?? ''));
  const show = async (page: Page) => {
    await page.getByRole('button', { name: nl['processingLog.submit']! }).click();
    await page.waitForLoadState('load');
  };

  it("finds a person's processings by BSN, says them in Dutch, filters them by period and kind, and downloads them", async () => {
    const bsn = h.bsn();
    const journeyId = await h.createJourney({ bsn }, 'caseworker');
    expect((await h.as('caseworker').get(`/v1/journeys/${journeyId}/person`)).status).toBe(200);
    // An export of last month, written through the log's own door with its clock then.
    const lastMonth = new Date(Date.now() - 40 * 86_400_000);
    const earlier = new StoredProcessingLog(h.db, h.identity, developmentActivityUris(), { now: () => lastMonth });
    await earlier.recordEach({ activity: 'export', name: 'GET /v1/journeys/export', actor: 'admin-1' }, [{ bsn }]);

    const { context, page } = await web.newPage();
    await signInWithKey(page, web.base, KEYS.privacyOfficer, '/app/processing-log');
    await expect(page.locator('h1').textContent()).resolves.toBe(nl['processingLog.title']);
    await expect(page.getByRole('link', { name: nl['nav.processingLog']! }).count()).resolves.toBeGreaterThan(0);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel(nl['processingLog.bsn']!, { exact: true }).fill(bsn);
    await show(page);
    expect(await rows(page)).toEqual(['person-read', 'person-registration', 'export']);
    // In Dutch: each kind, operation and outcome in words, linked to the register; no code, no English.
    const cells = await page.locator('#processing-records tbody tr').evaluateAll((trs) =>
      trs.map((tr) => {
        const td = [...tr.querySelectorAll('td')];
        return { activity: td[1]!.textContent!.trim(), register: td[1]!.querySelector('a')!.getAttribute('href'), operation: td[2]!.textContent!.trim(), operationCode: td[2]!.querySelector('code') !== null, status: td[4]!.textContent!.trim() };
      }),
    );
    expect(cells).toEqual([
      { activity: nl['processingLog.activity.person-read'], register: developmentActivityUris()['person-read'], operation: nl['processingLog.operation.GET /v1/journeys/{journeyId}/person'], operationCode: false, status: nl['processingLog.status.1'] },
      { activity: nl['processingLog.activity.person-registration'], register: developmentActivityUris()['person-registration'], operation: nl['processingLog.operation.POST /v1/journeys'], operationCode: false, status: nl['processingLog.status.1'] },
      { activity: nl['processingLog.activity.export'], register: developmentActivityUris().export, operation: nl['processingLog.operation.GET /v1/journeys/export'], operationCode: false, status: nl['processingLog.status.1'] },
    ]);
    const text = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
    for (const key of PROCESSING_ACTIVITIES) expect(text).not.toContain(key);
    expect(text).not.toMatch(/\b(GET|POST) \//);
    const english = Object.entries(en).filter(([key, value]) => key.startsWith('processingLog.') && value !== nl[key] && value.length > 3).map(([, value]) => value);
    expect(english.filter((value) => text.includes(value))).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);

    // By period: from today only today's; until last month's day only that export.
    await page.getByLabel(nl['processingLog.from']!).fill(amsterdamDateOf(Date.now()));
    await show(page);
    expect(await rows(page)).not.toContain('export');
    expect(await rows(page)).toEqual(expect.arrayContaining(['person-read', 'person-registration']));
    await page.getByLabel(nl['processingLog.from']!).fill('');
    await page.getByLabel(nl['processingLog.until']!).fill(amsterdamDateOf(lastMonth.getTime()));
    await show(page);
    expect(await rows(page)).toEqual(['export']);

    // By kind: only the readings of the BSN or name.
    await page.getByLabel(nl['processingLog.until']!).fill('');
    await page.getByLabel(nl['processingLog.activity.person-read']!).check();
    await show(page);
    expect(await rows(page)).toEqual(['person-read']);
    await expect(page.getByLabel(nl['processingLog.activity.person-read']!).isChecked()).resolves.toBe(true);

    // The page says its own inspection is not in its list but is in the download (was: 60 shown, 61 downloaded, unexplained).
    await expect(page.locator('#processing-self').textContent()).resolves.toBe(nl['processingLog.self']);

    // The download: the same question, every record, for people - the page's headings and words, local times.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: nl['processingLog.export']! }).click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
    expect(csv[0]!.split(',').slice(0, 6)).toEqual(['Begin', 'Einde', 'Soort verwerking', 'Register van verwerkingen', 'Handeling', 'Uitkomst']);
    expect(csv.slice(1)).toHaveLength(1);
    const [start, , kind, register, operation, outcome] = csv[1]!.split(',');
    const read = (await h.processingLog.records({ subject: { bsn }, activities: ['person-read'] }, 1)).items[0]!;
    const local = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Amsterdam', dateStyle: 'short', timeStyle: 'medium' }).format(new Date(read.startTime));
    expect({ start, kind, register, operation, outcome }).toEqual({
      start: local,
      kind: nl['processingLog.activity.person-read'],
      register: developmentActivityUris()['person-read'],
      operation: nl['processingLog.operation.GET /v1/journeys/{journeyId}/person'],
      outcome: nl['processingLog.status.1'],
    });
    expect(csv.join('\n')).not.toContain(bsn);

    // Every look and the download are themselves on record.
    const inspections = (await h.processingLog.records({ subject: { bsn }, activities: ['processing-log-inspection'] }, 50)).items;
    expect(inspections.map((r) => r.name).sort()).toEqual([...Array(4).fill('POST /v1/processing-log/search'), 'POST /v1/processing-log/export'].sort());
    expect(new Set(inspections.map((r) => r.actor))).toEqual(new Set(['po-piet']));
    await context.close();
  });

  it("refuses a page the privacy officer's role has no use for calmly, with a link to their start page (was: \"Er ging iets mis\")", async () => {
    const { context, page } = await web.newPage();
    await signInWithKey(page, web.base, KEYS.privacyOfficer, '/app/processing-log');
    for (const path of ['/app/inbox', '/app/admin', '/app/dashboard']) {
      const refused = await page.goto(`${web.base}${path}`);
      expect(refused?.status()).toBe(403);
      await expect(page.locator('h1').textContent()).resolves.toBe(nl['error.noAccess']);
      await expect(page.locator('#no-access').textContent()).resolves.toBe(nl['error.noAccessWhy']!.replace('{role}', nl['role.privacy-officer']!));
      await expect(page.getByRole('link', { name: nl['error.toStart']! }).getAttribute('href')).resolves.toBe('/app/search');
    }
    await context.close();
  });

  it('names a wrong BSN in Dutch at its field, and changes nothing', async () => {
    const { context, page } = await web.newPage();
    await signInWithKey(page, web.base, KEYS.privacyOfficer, '/app/processing-log');
    await page.getByLabel(nl['processingLog.bsn']!, { exact: true }).fill('123456789');
    await show(page);
    await expect(page.locator('#pl-bsn-error').textContent()).resolves.toContain('Dit is geen geldig BSN: het voldoet niet aan de elfproef.');
    await expect(page.locator('#pl-bsn').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('#processing-records').count()).resolves.toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });

  it('gives a caseworker neither the page nor the API', async () => {
    const { context, page } = await web.newPage();
    await signInWithKey(page, web.base, KEYS.caseworker, '/app/inbox');
    await expect(page.getByRole('link', { name: nl['nav.processingLog']! }).count()).resolves.toBe(0);
    const refused = await page.goto(`${web.base}/app/processing-log`);
    expect(refused?.status()).toBe(403);
    // A calm refusal with the way back, not an error (was: "Er ging iets mis - Dit mag uw rol niet.").
    await expect(page.locator('h1').textContent()).resolves.toBe(nl['error.noAccess']);
    await expect(page.getByRole('link', { name: nl['error.toStart']! }).getAttribute('href')).resolves.toBe('/app/inbox');
    await expect(page.locator('main').innerText()).resolves.not.toContain(nl['error.title']);
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
    const bsn = h.bsn();
    expect((await h.as('caseworker').post('/v1/processing-log/search', { bsn })).status).toBe(403);
    expect((await h.as('caseworker').post('/v1/processing-log/export', { bsn })).status).toBe(403);
  });
});
