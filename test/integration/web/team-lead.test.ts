import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { apiHarness, eventually, KEYS, type ApiHarness, type KeyName } from '../api/harness';
import { launchChromium, screenshotDir, seriousViolations, signInWithKey, watchedPage } from './browser';

/**
 * The team lead's tools in a real browser (Debian's Chromium), against the app `npm start` serves:
 * the team's work by behandelaar, a colleague's absence handled in one action, a selection handed back
 * to the pool, and a reassignment that offers colleagues by name and refuses anyone else.
 */
describe('team lead in Chromium', () => {
  let h: ApiHarness;
  let server: Server;
  let base: string;
  let browser: Browser;
  const shots = screenshotDir(fs.mkdtempSync(path.join(os.tmpdir(), 'koers-shots-')));
  const journeyId = `j-teamlead-${process.pid}-${Date.now()}`;
  const taskIds = Array.from({ length: 22 }, (_, i) => `${journeyId}:check-family-reunification-${i}`);
  const absentTasks = taskIds.slice(0, 20);

  beforeAll(async () => {
    h = await apiHarness({ worker: true });
    server = h.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    // Colleagues as their sign-ins recorded them, with their names.
    await h.staff.recordSignIn({ id: 'cw-anna', name: 'Anna de Vries', role: 'caseworker', team: 'regisseur-werk', municipalities: ['borger-odoorn'] });
    await h.staff.recordSignIn({ id: 'cw-bram', name: 'Bram Visser', role: 'caseworker', team: 'regisseur-werk', municipalities: ['borger-odoorn'] });
    await h.staff.recordSignIn({ id: 'cw-md', name: 'Mirjam Drenth', role: 'caseworker', team: 'regisseur-werk', municipalities: ['midden-drenthe'] });
    // Twenty-two tasks of the team; Anna holds twenty of them and is ill.
    await h.tasks.syncJourneyTasks({
      journeyId,
      municipality: 'borger-odoorn',
      caseworkerRole: 'regisseur-werk',
      tasks: taskIds.map((_, i) => ({
        key: `check-family-reunification-${i}`,
        kind: 'check-family-reunification' as const,
        candidateGroup: 'regisseur-werk' as const,
        followUpDate: '2099-01-01',
        dueDate: `2099-02-${String(1 + i).padStart(2, '0')}`,
      })),
    });
    for (const id of absentTasks) await h.tasks.claim(id, 'cw-anna');
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await h?.stop();
  });

  let pageErrors: string[] = [];
  beforeEach(() => {
    pageErrors = [];
  });
  afterEach(() => {
    expect(pageErrors.filter((e) => !/status of 4\d\d/.test(e))).toEqual([]);
  });

  const signedIn = async (who: KeyName, next: string): Promise<{ context: BrowserContext; page: Page }> => {
    const { context, page } = await watchedPage(browser, pageErrors);
    await signInWithKey(page, base, KEYS[who], next);
    return { context, page };
  };
  const rowsOf = (page: Page) => page.locator(`table:has(caption:has-text("Taken van mijn team")) tbody tr[data-task-id^="${journeyId}:"]`);

  it("redistributes the twenty tasks of an absent colleague in one action; each task's history shows the reason", async () => {
    const { context, page } = await signedIn('teamLead', '/app/inbox');
    // The team's work by behandelaar: Anna's twenty.
    await page.getByLabel('Behandelaar').selectOption({ label: 'Anna de Vries' });
    await page.getByRole('button', { name: 'Filteren' }).click();
    await page.waitForURL(/assignee=cw-anna/);
    await expect(rowsOf(page).count()).resolves.toBe(20);
    await expect(rowsOf(page).first().textContent()).resolves.toContain('Anna de Vries');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(shots, 'team-lead.png'), fullPage: true });

    // The absence: all of Anna's tasks to Bram, with the reason.
    const absence = page.locator('form#absence');
    await absence.getByLabel('Afwezige collega').selectOption({ label: 'Anna de Vries' });
    await absence.getByLabel('Naar').selectOption({ label: 'Bram Visser' });
    await absence.getByLabel('Reden').fill('Anna is ziek; Bram neemt haar taken waar');
    await absence.getByRole('button', { name: 'Alle taken overdragen' }).click();
    await page.waitForURL(/done=redistributed/);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Taken overgedragen: 20');
    // The filter still on Anna: nothing left of hers.
    await expect(rowsOf(page).count()).resolves.toBe(0);

    for (const taskId of absentTasks) {
      expect((await h.tasks.getTask(taskId))!.assignee).toBe('cw-bram');
      await page.goto(`${base}/app/tasks/${encodeURIComponent(taskId)}`);
      const last = page.locator('#history tbody tr').last();
      await expect(last.textContent()).resolves.toMatch(/overgedragen.*Anna de Vries → Bram Visser.*Anna is ziek; Bram neemt haar taken waar/s);
    }
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });

  it('hands a selection back to the team pool with checkboxes', async () => {
    const { context, page } = await signedIn('teamLead', '/app/inbox?assignee=cw-bram');
    const picked = absentTasks.slice(0, 3);
    for (const taskId of picked) await page.locator(`tr[data-task-id="${taskId}"] input[type=checkbox]`).check();
    const form = page.locator('form#redistribute');
    await form.getByLabel('Naar').selectOption({ label: 'Terug naar de teamvoorraad' });
    // No reason: the browser asks for it; the page would say it in Dutch.
    await form.getByLabel('Reden').fill('Bram heeft te veel');
    await form.getByRole('button', { name: 'Selectie overdragen' }).click();
    await page.waitForURL(/done=redistributed/);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Taken overgedragen: 3');
    for (const taskId of picked) expect((await h.tasks.getTask(taskId))!).toMatchObject({ status: 'open' });
    await page.goto(`${base}/app/tasks/${encodeURIComponent(picked[0]!)}`);
    await expect(page.locator('#history tbody tr').last().textContent()).resolves.toMatch(/teruggezet in de teamvoorraad.*Bram Visser → teamvoorraad.*Bram heeft te veel/s);

    // Nothing selected: refused in Dutch, nothing changed.
    await page.goto(`${base}/app/inbox`);
    const again = page.locator('form#redistribute');
    await again.getByLabel('Naar').selectOption({ label: 'Bram Visser' });
    await again.getByLabel('Reden').fill('leeg');
    await again.getByRole('button', { name: 'Selectie overdragen' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Er is niets overgedragen. Kies ten minste één taak.');
    await context.close();
  });

  it('offers colleagues by name to reassign a task, and refuses a mistyped staff id in Dutch (issue 21)', async () => {
    const taskId = taskIds[21]!;
    await h.tasks.claim(taskId, 'cw-anna');
    const { context, page } = await signedIn('caseworker', `/app/tasks/${encodeURIComponent(taskId)}`);
    const select = page.getByLabel('Overdragen aan');
    await expect(select.evaluate((e) => e.tagName)).resolves.toBe('SELECT');
    const offered = await select.locator('option').allTextContents();
    expect(offered).toContain('Bram Visser');
    expect(offered).not.toContain('Anna de Vries');
    expect(await seriousViolations(page)).toEqual([]);

    // A forged form (what a free-text field allowed): refused, in Dutch, and the task stays Anna's.
    const csrf = await page.locator('form#reassign input[name=_csrf]').getAttribute('value');
    const forged = await context.request.post(`${base}/app/tasks/${encodeURIComponent(taskId)}/reassign`, { form: { _csrf: csrf!, assignee: 'cw-anuok', back: '/app/inbox' } });
    expect(forged.status()).toBe(422);
    expect(await forged.text()).toContain('Niet overgedragen: kies een actieve collega die voor de gemeente van deze taak werkt.');
    expect((await h.tasks.getTask(taskId))!.assignee).toBe('cw-anna');

    await select.selectOption({ label: 'Bram Visser' });
    await page.getByLabel('Reden').fill('Bram kent de familie');
    await page.getByRole('button', { name: 'Overdragen', exact: true }).click();
    await page.waitForURL(/done=reassigned/);
    expect((await h.tasks.getTask(taskId))!.assignee).toBe('cw-bram');
    await context.close();
  });

  it("sets a journey's caseworker by choosing a colleague by name, not by typing a staff id", async () => {
    const journeyId = await h.createJourney();
    await eventually(() => h.as('admin').get(`/v1/journeys/${journeyId}`), (r) => r.status === 200, 10_000);
    const { context, page } = await signedIn('admin', `/app/journeys/${journeyId}`);
    await page.locator('#admin-caseworker summary').click();
    const colleague = page.locator('#admin-caseworker-id');
    await expect(colleague.evaluate((e) => e.tagName)).resolves.toBe('SELECT');
    // Colleagues of the journey's municipality, by name; one of another municipality is not offered.
    const offered = await colleague.locator('option').allTextContents();
    expect(offered).toContain('Bram Visser');
    expect(offered).not.toContain('Mirjam Drenth');
    expect(await seriousViolations(page)).toEqual([]);
    // Finding 16: "Klantmanager" names a person, or says none is set; the team is apart and labelled.
    await expect(page.locator('#caseworker').textContent()).resolves.toBe('nog niet ingesteld');
    await expect(page.locator('#team').textContent()).resolves.toBe('regisseur werk');
    // A forged form with a mistyped staff id: refused next to the field, in Dutch, and the journey keeps its caseworker.
    const csrf = await page.locator('#admin-caseworker input[name=_csrf]').getAttribute('value');
    const forged = await context.request.post(`${base}/app/journeys/${journeyId}/caseworker`, { form: { _csrf: csrf!, role: 'regisseur-werk', id: 'cw-anuok' } });
    expect(forged.status()).toBe(422);
    expect(await forged.text()).toContain('Kies een actieve collega die voor de gemeente van dit traject werkt.');
    expect((await h.as('admin').get(`/v1/journeys/${journeyId}`)).body.caseworker?.id).toBeUndefined();
    await page.locator('#admin-caseworker-role').selectOption('regisseur-werk');
    await colleague.selectOption({ label: 'Bram Visser' });
    await page.locator('#admin-caseworker button[type=submit]').click();
    await page.waitForURL(/done=caseworker/);
    const journey = await eventually(() => h.as('admin').get(`/v1/journeys/${journeyId}`), (r) => r.body.caseworker?.id === 'cw-bram', 10_000);
    expect(journey.body.caseworker).toEqual({ role: 'regisseur-werk', id: 'cw-bram' });
    await expect(page.locator('#summary').textContent()).resolves.toContain('Bram Visser');
    await expect(page.locator('#caseworker').textContent()).resolves.toBe('Bram Visser');
    await expect(page.locator('#team').textContent()).resolves.toBe('regisseur werk');
    await context.close();
  });

  it('deactivates a colleague who left ("Collega uitschakelen"): no longer offered to hand work to (finding 8)', async () => {
    await h.staff.recordSignIn({ id: 'cw-vera', name: 'Vera Vertrekt', role: 'caseworker', team: 'regisseur-werk', municipalities: ['borger-odoorn'] });
    const { context, page } = await signedIn('teamLead', '/app/inbox');
    const form = page.locator('form#deactivate');
    const offered = await form.getByLabel('Collega').locator('option').allTextContents();
    expect(offered).toEqual(expect.arrayContaining(['Vera Vertrekt', 'Bram Visser']));
    expect(offered).not.toContain('Mirjam Drenth');
    await expect(page.locator('form#absence').getByLabel('Naar').locator('option').allTextContents()).resolves.toContain('Vera Vertrekt');
    await form.getByLabel('Collega').selectOption({ label: 'Vera Vertrekt' });
    await form.getByLabel('Reden').fill('Uit dienst per 1 december');
    await form.getByRole('button', { name: 'Collega uitschakelen' }).click();
    await page.waitForURL(/done=deactivated/);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('De collega is uitgeschakeld');
    expect(await h.staff.find('cw-vera')).toMatchObject({ active: false });
    // No longer offered: not to hand tasks to, not to deactivate again.
    await expect(page.locator('form#absence').getByLabel('Naar').locator('option').allTextContents()).resolves.not.toContain('Vera Vertrekt');
    await expect(page.locator('form#deactivate').getByLabel('Collega').locator('option').allTextContents()).resolves.not.toContain('Vera Vertrekt');
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });
  it('says in Dutch why "Mijn herinneringen en escalaties" is empty when no reminder is routed (finding 14)', async () => {
    // An installation without notification routing: no reminder is kept, however late the work.
    const bare = await apiHarness({ notificationsRouted: false });
    const bareServer = bare.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => bareServer.once('listening', resolve));
    const bareBase = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}`;
    const { context, page } = await watchedPage(browser, pageErrors);
    try {
      await signInWithKey(page, bareBase, KEYS.teamLead, '/app/inbox');
      await expect(page.locator('#notifications-empty').textContent()).resolves.toContain('nog niet ingesteld naar wie ze gaan');
    } finally {
      await context.close();
      await new Promise((resolve) => bareServer.close(resolve));
      await bare.stop();
    }
  });
});
