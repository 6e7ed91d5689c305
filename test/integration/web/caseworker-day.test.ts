import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { addDays, amsterdamDateOf } from '../../../domain/dates';
import { apiHarness, eventually, KEYS, type ApiHarness, type KeyName } from '../api/harness';
import { formatDate } from '../../../web/format';
import { serveInBrowser, screenshotDir, seriousViolations, signInWithKey, type ServedApp } from './browser';

/**
 * A caseworker's day in the web app (issue 21), in Chromium against the app `npm start` serves with a
 * real dev server and worker: a beheerder registers a person by BSN (a second registration is stopped
 * and points to the first), a klantmanager records DUO's kennisgeving and the BRP registration from
 * letters, sees the PIP task appear and completes it, finds the person again by BSN and by reference,
 * and withdraws a wrongly recorded exemption, after which the journey runs again.
 */
describe("a caseworker's day in the web app", () => {
  let h: ApiHarness;
  let web: ServedApp;
  const shots = screenshotDir(fs.mkdtempSync(path.join(os.tmpdir(), 'koers-shots-')));
  const today = amsterdamDateOf(Date.now());
  const bsn = '111222333';

  beforeAll(async () => {
    h = await apiHarness({ worker: true });
    web = await serveInBrowser(h.app);
  });

  afterAll(async () => {
    await web?.close();
    await h?.stop();
  });

  beforeEach(() => web.forgetErrors());
  afterEach(() => expect(web.unexpectedErrors()).toEqual([]));

  // A script error or a refused resource in the page fails the test that caused it.
  const newPage = () => web.newPage();

  const signIn = (page: Page, who: KeyName, next: string) => signInWithKey(page, web.base, KEYS[who], next);

  const expectAccessible = async (page: Page) => expect(await seriousViolations(page)).toEqual([]);
  const journeyIdOf = (page: Page) => new URL(page.url()).pathname.split('/')[3]!;

  /** Records a milestone through its form on the journey page, as a caseworker types it from a letter. */
  const recordMilestone = async (page: Page, journeyId: string, event: string, occurredOn: string, document: string) => {
    await page.goto(`${web.base}/app/journeys/${journeyId}`);
    await page.getByRole('link', { name: 'Mijlpaal vastleggen' }).click();
    await page.getByLabel('Wat is er gebeurd?').selectOption({ label: event });
    await page.getByRole('button', { name: 'Verder' }).click();
    await page.getByLabel('Datum', { exact: true }).fill(occurredOn);
    await page.getByLabel('Bron').selectOption({ label: document });
    await page.getByRole('button', { name: 'Vastleggen' }).click();
    await page.waitForURL(/done=recorded/);
  };

  it('registers, records from letters, completes the PIP task, finds the person again and undoes a wrong exemption', async () => {
    const personRef = `BO-${h.personRef()}`;
    const permitGrantedOn = addDays(today, -60);

    // A beheerder registers the person by BSN.
    const admin = await newPage();
    await signIn(admin.page, 'admin', '/app/register');
    await expectAccessible(admin.page);
    const register = async (reference: string) => {
      await admin.page.goto(`${web.base}/app/register`);
      await admin.page.getByLabel('Gemeente', { exact: true }).selectOption({ label: 'Borger-Odoorn' });
      await admin.page.getByLabel('Persoonsreferentie').fill(reference);
      await admin.page.getByLabel('BSN').fill('111 222 333');
      await admin.page.getByLabel('Naam').fill('Amal Haddad');
      await admin.page.getByLabel('Geboortedatum').fill('1990-05-01');
      await admin.page.getByLabel('Datum verblijfsvergunning').fill(permitGrantedOn);
      await admin.page.screenshot({ path: path.join(shots, 'register.png'), fullPage: true });
      await admin.page.getByRole('button', { name: 'Registreren' }).click();
    };
    await register(personRef);
    await admin.page.waitForURL(/\/app\/journeys\/[^/?]+\?done=registered/);
    const journeyId = journeyIdOf(admin.page);
    const summary = admin.page.locator('#summary');
    await expect(summary.locator('[data-person="personRef"]').textContent()).resolves.toBe(personRef);
    await expect(summary.locator('[data-person="name"]').textContent()).resolves.toBe('Amal Haddad');
    await expect(summary.locator('[data-person="birthDate"]').textContent()).resolves.toContain('1990');
    await expect(summary.locator('[data-person="permitGrantedOn"]').textContent()).resolves.toBeTruthy();
    // The BSN is not on the page until asked for.
    expect(await admin.page.content()).not.toContain(bsn);
    await expectAccessible(admin.page);
    await admin.page.screenshot({ path: path.join(shots, 'journey-person.png'), fullPage: true });
    await admin.page.getByRole('button', { name: 'Toon BSN' }).click();
    await expect(admin.page.locator('#bsn-value').textContent()).resolves.toBe(bsn);

    // A second registration of the same BSN under another reference is stopped and points to the first.
    await register(`${personRef}-2`);
    await expect(admin.page.locator('#duplicate').textContent()).resolves.toContain('al een traject');
    await expect(admin.page.locator('#duplicate').textContent()).resolves.toContain('Hetzelfde BSN is al geregistreerd.');
    await expect(admin.page.locator('#duplicate a').getAttribute('href')).resolves.toBe(`/app/journeys/${journeyId}`);
    await expectAccessible(admin.page);
    await admin.page.screenshot({ path: path.join(shots, 'register-duplicate.png'), fullPage: true });
    // So is the same reference again.
    await register(personRef);
    await expect(admin.page.locator('#duplicate').textContent()).resolves.toContain('Dezelfde persoonsreferentie is al geregistreerd.');
    await expect(admin.page.locator('#duplicate a').getAttribute('href')).resolves.toBe(`/app/journeys/${journeyId}`);
    await admin.context.close();

    // A klantmanager records DUO's kennisgeving and the BRP registration from letters.
    const { context, page } = await newPage();
    await signIn(page, 'caseworker', '/app/inbox');
    await recordMilestone(page, journeyId, 'Kennisgeving DUO', addDays(today, -30), 'Brief');
    await expect(page.locator('#events tr[data-event-type="nl.koers.duo.notified"]').textContent()).resolves.toContain('cw-anna (klantmanager)');
    await expect(page.locator('#events tr[data-event-type="nl.koers.duo.notified"]').textContent()).resolves.toContain('Brief');
    await page.getByRole('link', { name: 'Mijlpaal vastleggen' }).click();
    await expectAccessible(page);
    await page.getByLabel('Wat is er gebeurd?').selectOption({ label: 'Ingeschreven in de BRP' });
    await page.getByRole('button', { name: 'Verder' }).click();
    await expectAccessible(page);
    await page.screenshot({ path: path.join(shots, 'milestone.png'), fullPage: true });
    await recordMilestone(page, journeyId, 'Ingeschreven in de BRP', addDays(today, -35), 'BRP');
    await expect(page.locator('#events').textContent()).resolves.not.toContain('correctie');

    // The PIP task appears on the journey page; the klantmanager claims and completes it.
    const pipTask = `${journeyId}:draw-up-pip`;
    await eventually(
      async () => (await h.as('caseworker').get(`/v1/tasks/${encodeURIComponent(pipTask)}`)).status,
      (status) => status === 200,
      10_000,
    );
    await page.goto(`${web.base}/app/journeys/${journeyId}`);
    const taskRow = page.locator(`tr[data-task-id="${pipTask}"]`);
    await taskRow.getByRole('button', { name: 'Oppakken' }).click();
    await page.locator(`tr[data-task-id="${pipTask}"]`).getByRole('link', { name: 'Afronden' }).click();
    await page.getByLabel('Datum PIP').fill(today);
    await page.getByLabel('Leerroute').selectOption({ label: 'B1-route' });
    await page.getByRole('button', { name: 'Taak afronden' }).click();
    await page.waitForURL(/done=completed/);
    // The completed task shows what was typed, and offers nothing more to do.
    await page.goto(`${web.base}/app/tasks/${encodeURIComponent(pipTask)}`);
    await expect(page.locator('#answers [data-answer="leerroute"]').textContent()).resolves.toBe('B1-route');
    await expect(page.locator('#answers [data-answer="pipDate"]').textContent()).resolves.toBe(formatDate('nl', today));
    expect(await page.content()).not.toMatch(/Taak afronden|nog \d+ dagen/);
    await expectAccessible(page);

    // Found again by BSN and by reference (any case, spaces around it).
    for (const query of ['111222333', `  ${personRef.toLowerCase()} `]) {
      await page.goto(`${web.base}/app/search`);
      await page.getByLabel('Referentie, BSN of naam').fill(query);
      await page.getByRole('button', { name: 'Zoeken' }).click();
      await page.waitForURL(`${web.base}/app/journeys/${journeyId}`);
    }
    await page.goto(`${web.base}/app/search`);
    await expectAccessible(page);
    await page.getByLabel('Referentie, BSN of naam').fill('Amal Haddad');
    await page.screenshot({ path: path.join(shots, 'search.png'), fullPage: true });
    // By name too: the one person found opens.
    await page.getByRole('button', { name: 'Zoeken' }).click();
    await page.waitForURL(`${web.base}/app/journeys/${journeyId}`);

    // An exemption recorded by mistake waives the inburgering; withdrawn, the journey runs again.
    await recordMilestone(page, journeyId, 'Ontheffing verleend', today, 'Brief');
    await expect(page.locator('#clocks tr[data-clock="inburgering"]').textContent()).resolves.toContain('vervallen');
    const exemption = page.locator('#events tr[data-event-type="nl.koers.exemption.granted"]').last();
    await exemption.getByRole('link', { name: 'Intrekken' }).click();
    await expectAccessible(page);
    await page.getByLabel('Reden').fill('Brief was voor een andere persoon bestemd');
    await page.getByRole('button', { name: 'Intrekken' }).click();
    await page.waitForURL(/done=withdrawn/);
    await expect(page.locator('#events tr[data-withdrawn="true"]').textContent()).resolves.toContain('ingetrokken');
    await expect(page.locator('#events tr[data-withdrawn="true"]').textContent()).resolves.toContain('andere persoon');
    const clock = await eventually(
      async () => {
        await page.reload();
        return page.locator('#clocks tr[data-clock="inburgering"]').textContent();
      },
      (text) => (text ?? '').includes('loopt'),
      10_000,
    );
    expect(clock).toContain('loopt');
    await expectAccessible(page);
    await context.close();
  });

  it('an administrator moves a journey with its reason, sets the caseworker and reads the policy, in Dutch', async () => {
    const journeyId = await h.createJourney({ permitGrantedOn: addDays(today, -30) });
    const { context, page } = await newPage();
    await signIn(page, 'admin', `/app/journeys/${journeyId}`);
    await page.getByText('Klantmanager instellen').first().click();
    await page.locator('#admin-caseworker-role').selectOption({ label: 'Statushouderspecialist' });
    await page.getByRole('button', { name: 'Klantmanager instellen' }).click();
    await page.waitForURL(/done=caseworker/);
    await page.getByText('Verhuizen naar andere gemeente').first().click();
    await page.locator('#admin-move-municipality').selectOption({ label: 'Midden-Drenthe' });
    await page.locator('#admin-move-reason').fill('Verhuisd naar een woning in Beilen');
    await page.getByRole('button', { name: 'Verhuizen naar andere gemeente' }).click();
    await page.waitForURL(/done=moved/);
    const move = page.locator('li[data-amendment="move"]');
    await expect(move.textContent()).resolves.toContain('Verhuisd van Borger-Odoorn naar Midden-Drenthe');
    await expect(move.textContent()).resolves.toContain('Beilen');
    await expect(move.textContent()).resolves.not.toContain('moved from');
    await expectAccessible(page);
    await page.locator('#summary a[href^="/app/policies/"]').click();
    await page.waitForURL(/\/app\/policies\/midden-drenthe/);
    await expect(page.locator('h1').textContent()).resolves.toBe('Beleid Midden-Drenthe');
    await expectAccessible(page);
    await page.screenshot({ path: path.join(shots, 'policy.png'), fullPage: true });
    await context.close();
  });
});
