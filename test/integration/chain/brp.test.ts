import type { Page } from 'playwright-core';
import request from 'supertest';
import { parseBrpSettings } from '../../../chain/brp';
import { apiHarness, eventually, KEYS, type ApiHarness, type KeyName } from '../api/harness';
import { seriousViolations, serveInBrowser, signInWithKey, type ServedApp } from '../web/browser';
import { brpDate, brpTestSettings, startBrpMock, type BrpMock } from '../../helpers/brp-mock';
import { foundIn, storeFiles, withDecodedBase64 } from '../../helpers/privacy-scan';

/**
 * The person from the BRP (issue 23) against the BRP API Personen 2.7.0 document: Prism validates every
 * request Koers sends (`violations()` stays empty), a proxy before it decides who exists (brp-mock.ts).
 * Registration by BSN with the prefill the user confirms, the name on the journey page just in time and
 * nowhere at rest, and a move the BRP reports confirmed by the caseworker.
 */
describe('the person from the BRP', () => {
  let brp: BrpMock;
  let h: ApiHarness;
  let web: ServedApp;

  // Names and dates the BRP has; the registration records other ones, so the page shows which it used.
  const BRP_NAME = 'Yonas Tesfamariam Gebremedhin';
  const known = { naam: { volledigeNaam: BRP_NAME, voornamen: 'Yonas Tesfamariam', geslachtsnaam: 'Gebremedhin' }, geboorte: { datum: brpDate('1991-02-03') }, gemeenteVanInschrijving: { code: '1681', omschrijving: 'Borger-Odoorn' } };

  beforeAll(async () => {
    brp = await startBrpMock();
    h = await apiHarness({ worker: true, brp: parseBrpSettings(brpTestSettings(brp.url)) });
    web = await serveInBrowser(h.app);
  }, 300_000);

  afterAll(async () => {
    await web?.close();
    await h?.stop();
    await brp?.stop();
  });

  beforeEach(() => {
    web.forgetErrors();
  });
  afterEach(() => {
    // Every request Koers sent satisfied the official document.
    expect(brp.prism.violations()).toEqual([]);
    expect(web.unexpectedErrors()).toEqual([]);
  });

  const signIn = (page: Page, who: KeyName, next: string) => signInWithKey(page, web.base, KEYS[who], next);
  const lastRequest = () => brp.requests().at(-1)!;

  it('checks a BSN at registration with only the fields it needs, and says in problem+json when the BRP does not know it', async () => {
    const bsn = h.bsn();
    brp.persons.set(bsn, known);
    const found = await h.as('caseworker').post('/v1/persons/brp-lookup', { municipality: 'borger-odoorn', bsn });
    expect(found.status).toBe(200);
    expect(found.body).toEqual({ found: true, birth: { date: '1991-02-03', text: '3 februari 1991' }, registeredIn: { code: '1681', name: 'Borger-Odoorn', municipality: 'borger-odoorn' } });
    const request = lastRequest();
    expect(request.body).toEqual({ type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: [bsn], fields: ['geboorte.datum', 'gemeenteVanInschrijving'] });
    // Authentication and the protocollering the municipality's gateway needs.
    expect(request.headers).toMatchObject({
      'x-api-key': 'test-brp-api-key-0001',
      'x-doelbinding': 'BRPACT-Inburgering',
      'x-verwerking': 'Inburgering@Registratie statushouder',
      'x-gebruiker': 'cw-anna',
      'x-origin-oin': '00000001001234567000',
    });
    // Nothing of the answer is logged.
    expect(JSON.stringify(h.logs)).not.toContain('1991-02-03');

    const unknown = h.bsn();
    const refused = await h.as('caseworker').post('/v1/persons/brp-lookup', { municipality: 'borger-odoorn', bsn: unknown });
    expect(refused.status).toBe(422);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.body.errors).toEqual([{ path: 'bsn', message: 'unknown to the BRP' }]);
    // The registration itself asks too: an unknown BSN starts nothing.
    const create = await h.as('caseworker').post('/v1/journeys', { municipality: 'borger-odoorn', personRef: h.personRef(), bsn: unknown, permitGrantedOn: '2025-03-14' });
    expect(create.status).toBe(422);
    expect(create.body.errors).toEqual([{ path: 'bsn', message: 'unknown to the BRP' }]);
    // A role that does not register may not ask.
    expect((await h.as('reader').post('/v1/persons/brp-lookup', { municipality: 'borger-odoorn', bsn })).status).toBe(403);
  });

  it('registers with a BSN in the browser: the BRP offers the birth date and municipality, the user takes them over and sees the name from the BRP', async () => {
    const bsn = h.bsn();
    brp.persons.set(bsn, known);
    const { context, page } = await web.newPage();
    await signIn(page, 'caseworker', '/app/register');
    await page.getByLabel('Persoonsreferentie').fill(`BRP-${h.personRef()}`);
    await page.getByLabel('BSN').fill(bsn);
    await page.getByLabel('Naam').fill('Y. Gebremedhin');
    await page.getByLabel('Datum verblijfsvergunning').fill('2025-03-14');
    await page.getByRole('button', { name: 'Gegevens ophalen uit de BRP' }).click();
    // Offered, not applied: the form's birth date is still empty until the user takes it over.
    await expect(page.locator('#brp-prefill [data-brp="birthDate"]').textContent()).resolves.toBe('3 februari 1991');
    await expect(page.locator('#brp-prefill [data-brp="registeredIn"]').textContent()).resolves.toContain('Borger-Odoorn (1681)');
    await expect(page.getByLabel('Geboortedatum').inputValue()).resolves.toBe('');
    await page.getByRole('button', { name: 'Overnemen in het formulier' }).click();
    await expect(page.getByLabel('Geboortedatum').inputValue()).resolves.toBe('1991-02-03');
    await expect(page.getByLabel('BSN').inputValue()).resolves.toBe(bsn);
    await page.getByRole('button', { name: 'Registreren' }).click();
    await page.waitForURL(/\/app\/journeys\/[^/?]+\?done=registered/);
    const journeyId = new URL(page.url()).pathname.split('/')[3]!;

    // The journey page shows the name as the BRP has it now, asked with `naam.volledigeNaam` only.
    await expect(page.locator('#summary [data-person="name"]').getAttribute('data-name-source')).resolves.toBe('brp');
    await expect(page.locator('#summary [data-person="name"]').textContent()).resolves.toContain(BRP_NAME);
    await expect(page.locator('h1').textContent()).resolves.toContain(BRP_NAME);
    const nameRequest = brp.requests().find((r) => r.body.fields?.includes('naam.volledigeNaam'))!;
    expect(nameRequest.body.fields).toEqual(['naam.volledigeNaam']);
    expect(nameRequest.headers['x-verwerking']).toBe('Inburgering@Trajectdossier inzien');
    await context.close();

    // Per view: the BRP's name changes, the next view shows the new one.
    brp.persons.set(bsn, { ...known, naam: { volledigeNaam: 'Yonas Gebremedhin-Haile' } });
    const person = await h.as('caseworker').get(`/v1/journeys/${journeyId}/person`);
    expect(person.body).toMatchObject({ name: 'Yonas Gebremedhin-Haile', nameSource: 'brp' });
    // A privacy officer's work needs no BRP request: the name recorded at registration.
    const before = brp.requests().length;
    const officer = await h.as('privacyOfficer').get(`/v1/journeys/${journeyId}/person`);
    expect(officer.body).toMatchObject({ name: 'Y. Gebremedhin', nameSource: 'registration' });
    expect(brp.requests().length).toBe(before);

    // Every BRP query is accountable: one `brp-query` record each, whose trace the request carried and
    // which names the BRP's own trace; the name shown is a `person-read` with the query inside its trace.
    const records = (await h.processingLog.records({ subject: { bsn } }, 100)).items;
    const queries = records.filter((r) => r.activity === 'brp-query');
    const perActivity: Record<string, number> = {};
    for (const r of records) perActivity[r.activity] = (perActivity[r.activity] ?? 0) + 1;
    process.stdout.write(`processing-log records per activity for the BRP person: ${JSON.stringify(perActivity)}\n`);
    const sent = brp.requests().filter((r) => r.body.burgerservicenummer?.[0] === bsn);
    expect(queries).toHaveLength(sent.length);
    for (const request of sent) {
      const record = queries.find((q) => request.headers.traceparent === `00-${q.traceId}-${q.operationId}-01`);
      expect(record).toMatchObject({ statusCode: 1, hasDataSubjectId: true, foreignOperation: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', operationId: '00f067aa0ba902b7', entity: brp.url } });
    }
    // The privacy officer reads the other party by its name from the configuration ("BRP", was its URL); the URL stays in the CSV.
    const answered = (await h.as('privacyOfficer').post('/v1/processing-log/search', { bsn, activities: ['brp-query'] })).body.records as Array<{ foreignOperation?: { entity: string; party?: string } }>;
    expect(answered.map((r) => r.foreignOperation)).toEqual(answered.map(() => expect.objectContaining({ entity: brp.url, party: 'brp' })));
    const session = await h.webSession('privacyOfficer');
    const shown = await request(h.app).post('/app/processing-log').set('Cookie', session.cookie).type('form').send({ _csrf: session.csrf, bsn, activities: 'brp-query' });
    expect(shown.status).toBe(200);
    expect(shown.text).toContain(`<span title="${brp.url}">BRP</span>`);
    const download = await request(h.app).post('/app/processing-log/export.csv').set('Cookie', session.cookie).type('form').send({ _csrf: session.csrf, bsn, activities: 'brp-query' });
    expect(download.text.split('\n')[0]).toContain('Andere partij (adres)');
    expect(download.text).toContain(brp.url);
    // The lookup and the registration's check, the name, and the journey page's check of the facts.
    expect(new Set(queries.map((q) => q.name))).toEqual(new Set(['register', 'name', 'facts'].map((purpose) => `BRP POST /personen RaadpleegMetBurgerservicenummer (${purpose})`)));
    // Each name query is part of the reading that showed it; the registration's check part of the registration.
    const reads = records.filter((r) => r.activity === 'person-read' && r.name === 'GET /v1/journeys/{journeyId}/person');
    const nameQueries = queries.filter((q) => q.name.endsWith('(name)'));
    expect(nameQueries.length).toBeGreaterThan(0);
    for (const q of nameQueries) expect(reads.some((r) => q.parentOperationId === r.operationId && q.traceId === r.traceId)).toBe(true);
    const registration = records.find((r) => r.activity === 'person-registration')!;
    expect(registration.statusCode).toBe(1);
    expect(queries.filter((q) => q.parentOperationId === registration.operationId && q.traceId === registration.traceId).map((q) => q.name)).toEqual(['BRP POST /personen RaadpleegMetBurgerservicenummer (register)']);

    // Never stored: not in the store's file, not in the logs, not in the journey's Temporal history.
    const history = JSON.stringify(await h.client.workflow.getHandle(journeyId).fetchHistory());
    expect(foundIn({ ...storeFiles(h.dbFile), logs: JSON.stringify(h.logs), 'temporal history': withDecodedBase64(history) }, { name: BRP_NAME, newName: 'Yonas Gebremedhin-Haile' })).toEqual([]);
  });

  it('turns a move the BRP reports into a proposal the caseworker confirms, and a death into an end the caseworker confirms', async () => {
    const bsn = h.bsn();
    brp.persons.set(bsn, known);
    const journeyId = await h.createJourney({ bsn }, 'caseworker');
    expect((await h.as('caseworker').get(`/v1/journeys/${journeyId}/brp-proposal`)).body).toEqual({ journeyId });
    const factsRequest = lastRequest();
    expect(factsRequest.body.fields).toEqual(['gemeenteVanInschrijving', 'datumInschrijvingInGemeente', 'overlijden.datum', 'verblijfplaats.datumVan']);

    // The BRP registers the person in Midden-Drenthe: the journey page proposes the hand-over, nothing moves by itself.
    brp.persons.set(bsn, { ...known, gemeenteVanInschrijving: { code: '1731', omschrijving: 'Midden-Drenthe' }, datumInschrijvingInGemeente: brpDate('2025-09-01') });
    const { context, page } = await web.newPage();
    await signIn(page, 'caseworker', `/app/journeys/${journeyId}`);
    await expect(page.locator('#brp-proposal').getAttribute('data-kind')).resolves.toBe('move');
    await expect(page.locator('#brp-proposal').textContent()).resolves.toContain('Midden-Drenthe sinds 1 september 2025');
    expect((await h.as('caseworker').get(`/v1/journeys/${journeyId}`)).body.municipality).toBe('borger-odoorn');
    // A confirmation of what the BRP does not say is refused.
    expect((await h.as('caseworker').post(`/v1/journeys/${journeyId}/brp-proposal/confirmation`, { kind: 'end', reason: 'deceased' })).status).toBe(409);
    await page.getByRole('button', { name: 'Overdracht bevestigen' }).click();
    // Handed over to a municipality this caseworker does not serve: back to their inbox, with the news.
    await page.waitForURL(/\/app\/inbox\?done=brpMoved/);
    await expect(page.locator('.utrecht-alert--ok').textContent()).resolves.toContain('overdracht is bevestigd');
    const moved = await eventually(() => h.as('admin').get(`/v1/journeys/${journeyId}`), (r) => r.body.municipality === 'midden-drenthe');
    expect(moved.body.municipality).toBe('midden-drenthe');
    await context.close();

    // A death is shown with its date and reason; the caseworker confirms the end, and the page says it in Dutch.
    const other = h.bsn();
    brp.persons.set(other, { ...known, overlijden: { datum: brpDate('2025-10-12') }, opschortingBijhouding: { reden: { code: 'O', omschrijving: 'overlijden' }, datum: brpDate('2025-10-12') } });
    const second = await h.createJourney({ bsn: other }, 'caseworker');
    const proposal = await h.as('caseworker').get(`/v1/journeys/${second}/brp-proposal`);
    expect(proposal.body).toEqual({ journeyId: second, proposal: { kind: 'end', reason: 'deceased', on: '2025-10-12' } });
    const view = await web.newPage();
    await signIn(view.page, 'caseworker', `/app/journeys/${second}`);
    await expect(view.page.locator('#brp-proposal').textContent()).resolves.toContain('overleden op 12 oktober 2025');
    expect((await h.as('caseworker').get(`/v1/journeys/${second}`)).body.status).toBe('running');
    // Confirming a death takes a second step (finding 4 of the second trial): without the tick the browser does not send it,
    // and a form sent without it anyway is refused in Dutch, the journey untouched.
    await view.page.getByRole('button', { name: 'Beëindiging bevestigen' }).click();
    expect(view.page.url()).not.toContain('done=brpEnded');
    await view.page.locator('#brp-proposal form').evaluate((form) => form.setAttribute('novalidate', ''));
    await view.page.getByRole('button', { name: 'Beëindiging bevestigen' }).click();
    await expect(view.page.locator('.utrecht-alert--error').textContent()).resolves.toContain('Vink eerst aan dat u de melding uit de BRP hebt gecontroleerd');
    await expect(view.page.locator('#brp-checked').getAttribute('aria-invalid')).resolves.toBe('true');
    expect((await h.as('caseworker').get(`/v1/journeys/${second}`)).body.status).toBe('running');
    await view.page.getByLabel('Ik heb dit gecontroleerd in de BRP en het klopt.').check();
    await view.page.getByRole('button', { name: 'Beëindiging bevestigen' }).click();
    await view.page.waitForURL(/\/app\/journeys\/[^/?]+\?done=brpEnded/);
    await expect(view.page.locator('.utrecht-alert--ok').textContent()).resolves.toContain('beëindiging is bevestigd');
    // The journey completes within moments; the page shows why once it has.
    await eventually(() => h.as('caseworker').get(`/v1/journeys/${second}`), (r) => r.body.status === 'completed');
    await view.page.reload();
    const ended = view.page.locator('#journey-ended');
    await expect(ended.getAttribute('data-reason')).resolves.toBe('deceased');
    await expect(ended.textContent()).resolves.toContain('Traject beëindigd');
    await expect(ended.textContent()).resolves.toContain('De persoon is overleden op 12 oktober 2025.');
    await expect(view.page.locator('#brp-proposal').count()).resolves.toBe(0);
    // Only an administrator may withdraw the end.
    await expect(view.page.locator('#end-withdraw').count()).resolves.toBe(0);
    // Ended for a reason is "beëindigd: overleden", not "afgerond" (finding 1 of the second trial): on the page, in the list and the search.
    await expect(view.page.locator('#journey-state').textContent()).resolves.toBe('beëindigd: overleden');
    await expect(view.page.locator('#events tr[data-event-type="nl.koers.journey.ended"]').first().textContent()).resolves.toContain('Traject beëindigd: overleden (BRP)');
    await view.context.close();
    const listed = async (query: string) => (await h.as('admin').get(`/v1/journeys?municipality=borger-odoorn&pageSize=100&${query}`)).body.journeys as Array<{ journeyId: string; status: string; ended?: unknown }>;
    expect((await listed('ended=true')).find((j) => j.journeyId === second)).toMatchObject({ status: 'COMPLETED', ended: { reason: 'deceased', on: '2025-10-12' } });
    expect((await listed('ended=false')).map((j) => j.journeyId)).not.toContain(second);
    const running = await h.as('admin').get('/v1/journeys?municipality=midden-drenthe&status=running&ended=false');
    expect(running.body.journeys.map((j: { journeyId: string }) => j.journeyId)).toContain(journeyId);
    expect((await h.as('admin').get('/v1/journeys/export?municipality=borger-odoorn&ended=true')).text).toMatch(new RegExp(`${second},COMPLETED,.*,deceased,2025-10-12`));
    const found = await h.as('caseworker').post('/v1/journeys/search', { q: other });
    expect(found.body.journeys).toEqual([expect.objectContaining({ journeyId: second, ended: { reason: 'deceased', on: '2025-10-12' } })]);

    const admin = await web.newPage();
    await signIn(admin.page, 'admin', '/app/admin?municipality=borger-odoorn&state=ended');
    const row = admin.page.locator('#journeys tbody tr', { has: admin.page.locator(`a[href*="${second}"]`) });
    await expect(row.locator('[data-state]').textContent()).resolves.toBe('beëindigd: overleden');
    await expect(admin.page.locator('#journeys tbody tr [data-state]').allTextContents()).resolves.toEqual(expect.arrayContaining(['beëindigd: overleden']));
    expect(new Set(await admin.page.locator('#journeys tbody tr [data-state]').allTextContents())).toEqual(new Set(['beëindigd: overleden']));
    await admin.page.getByLabel('Gemeente', { exact: true }).selectOption('');
    await admin.page.getByLabel('Traject', { exact: true }).selectOption('running');
    await admin.page.getByRole('button', { name: 'Filteren' }).click();
    await expect(admin.page.locator(`#journeys a[href*="${second}"]`).count()).resolves.toBe(0);
    expect(new Set(await admin.page.locator('#journeys tbody tr [data-state]').allTextContents())).toEqual(new Set(['loopt']));

    // The administrator withdraws the end while the BRP still says the person died (it was confirmed by mistake): the
    // proposal comes back, but says who withdrew the end for this fact, when and why, and asks to check again.
    await admin.page.goto(`${web.base}/app/journeys/${second}`);
    await admin.page.getByLabel('Reden van intrekken').fill('BRP: overlijden ten onrechte geregistreerd');
    await admin.page.getByRole('button', { name: 'Beëindiging intrekken' }).click();
    await admin.page.waitForURL(/\/app\/journeys\/[^/?]+\?done=endWithdrawn/);
    await expect(admin.page.locator('.utrecht-alert--ok').textContent()).resolves.toContain('traject loopt weer');
    const again = await eventually(() => h.as('admin').get(`/v1/journeys/${second}`), (r) => r.body.status === 'running' && r.body.ended === undefined);
    expect(again.body.status).toBe('running');
    expect((await listed('ended=true')).map((j) => j.journeyId)).not.toContain(second);
    await admin.context.close();
    const back = await web.newPage();
    await signIn(back.page, 'caseworker', `/app/journeys/${second}`);
    await expect(back.page.locator('#journey-state').textContent()).resolves.toBe('loopt');
    const notice = (await back.page.locator('#brp-withdrawn-before').textContent()) ?? '';
    expect(notice).toContain('al eens ingetrokken');
    expect(notice).toContain('BRP: overlijden ten onrechte geregistreerd');
    expect(notice).toMatch(/door \S.* op \d{1,2} \S+ \d{4}\. Reden: /);
    await expect(back.page.getByLabel('Ik heb gecontroleerd dat de BRP dit nog steeds zegt en dat het nu wel klopt.').count()).resolves.toBe(1);
    // The timeline says the end and its withdrawal in plain words, each once.
    const withdrawal = (await back.page.locator('#events tr[data-event-type="nl.koers.journey.ended"][data-withdrawn="true"]').textContent()) ?? '';
    expect(withdrawal).toContain('Beëindiging van het traject ingetrokken op');
    expect(withdrawal).toContain('reden: BRP: overlijden ten onrechte geregistreerd');
    expect(withdrawal.match(/ingetrokken/g)).toHaveLength(1);
    const original = (await back.page.locator('#events tr[data-event-type="nl.koers.journey.ended"][data-replaced="true"]').textContent()) ?? '';
    expect(original).toContain('Traject beëindigd: overleden (BRP)');
    expect(original).not.toContain('vervangen');
    expect(original.match(/ingetrokken/g)).toHaveLength(1);
    expect(await seriousViolations(back.page)).toEqual([]);
    await back.context.close();
    // Once the BRP is corrected there is nothing to propose.
    brp.persons.set(other, known);
    expect((await h.as('caseworker').get(`/v1/journeys/${second}/brp-proposal`)).body).toEqual({ journeyId: second });
  });
});
