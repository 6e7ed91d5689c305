/**
 * Issue 21: know who the person is, register them once, find them again, correct their dates, and the
 * API defects on the way (items 1, 3, 4 and 5). Contract v1.2 "One person, one journey per municipality".
 */
import request from 'supertest';
import { apiHarness, cloudEvent, eventually, KEYS, nextBsn as newBsn, type ApiHarness } from './harness';

describe('the person: registered once, found again, corrected (issue 21)', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness({ worker: true });
  });
  afterAll(() => h.stop());

  const register = (body: Record<string, unknown>, who: 'admin' | 'caseworker' = 'admin') =>
    h.as(who).post('/v1/journeys', { municipality: 'borger-odoorn', permitGrantedOn: '2025-03-14', birthDate: '1990-05-01', ...body });

  describe('one journey per BSN per municipality (contract v1.2)', () => {
    it('answers 409 naming the first journey for the same BSN under another reference (was: both 201)', async () => {
      const bsn = newBsn();
      const first = await register({ personRef: h.personRef(), bsn });
      expect(first.status).toBe(201);
      const second = await register({ personRef: h.personRef(), bsn }, 'caseworker');
      expect(second.status).toBe(409);
      expect(second.body).toMatchObject({ journeyId: first.body.journeyId, location: `/v1/journeys/${first.body.journeyId}`, matchedOn: 'bsn' });
      expect(second.body.errors).toEqual([{ path: 'bsn', message: expect.any(String) }]);
      // Another municipality may have the same person: one journey per municipality.
      expect((await register({ personRef: h.personRef(), bsn, municipality: 'midden-drenthe' })).status).toBe(201);
      // The index holds a keyed hash, never the BSN.
      const rows = await h.db.selectFrom('person_index').selectAll().where('journey_id', '=', first.body.journeyId).execute();
      expect(rows[0]?.bsn_key).toBe(h.identity.bsnKey(bsn));
      expect(JSON.stringify(rows)).not.toContain(bsn);
    });

    it('answers 409 also when the first journey has ended', async () => {
      const bsn = newBsn();
      const first = (await register({ personRef: h.personRef(), bsn })).body.journeyId as string;
      await h.client.workflow.getHandle(first).terminate('ended for the test');
      const again = await register({ personRef: h.personRef(), bsn });
      expect(again.status).toBe(409);
      expect(again.body.journeyId).toBe(first);
    });

    it('tells the registration page before it submits: by BSN and by reference, pointing to the journey', async () => {
      const bsn = newBsn();
      const personRef = h.personRef();
      const journeyId = (await register({ personRef, bsn })).body.journeyId as string;
      const check = (body: Record<string, unknown>, who: 'caseworker' | 'caseworkerOther' = 'caseworker') => h.as(who).post('/v1/journeys/duplicates', { municipality: 'borger-odoorn', ...body });
      expect((await check({ bsn })).body).toEqual({ duplicates: [{ journeyId, location: `/v1/journeys/${journeyId}`, matchedOn: ['bsn'] }] });
      expect((await check({ personRef, bsn })).body.duplicates).toEqual([{ journeyId, location: `/v1/journeys/${journeyId}`, matchedOn: ['personRef', 'bsn'] }]);
      expect((await check({ personRef: h.personRef(), bsn: newBsn() })).body).toEqual({ duplicates: [] });
      expect((await check({ bsn: '123456789' })).status).toBe(422);
      expect((await check({ bsn }, 'caseworkerOther')).status).toBe(403);
    });
  });

  describe('who the person is', () => {
    it('keeps the name sealed, shows it and the reference to caseworkers, not to partners', async () => {
      const personRef = h.personRef();
      const bsn = newBsn();
      const journeyId = (await register({ personRef, bsn, name: '  Ahmed Al-Saïd ' })).body.journeyId as string;
      const journey = (await h.as('caseworker').get(`/v1/journeys/${journeyId}`)).body;
      expect(journey).toMatchObject({ personRef, name: 'Ahmed Al-Saïd', bsn });
      const partner = (await h.as('partnerBrp').get(`/v1/journeys/${journeyId}`)).body;
      expect(partner.name).toBeUndefined();
      expect(partner.personRef).toBeUndefined();
      const person = await h.as('caseworker').get(`/v1/journeys/${journeyId}/person`);
      expect(person.body).toEqual({ journeyId, municipality: 'borger-odoorn', regime: 'wi2021', personRef, name: 'Ahmed Al-Saïd', permitGrantedOn: '2025-03-14', birthDate: '1990-05-01', bsn });
      expect((await h.as('partnerBrp').get(`/v1/journeys/${journeyId}/person`)).status).toBe(403);
      const row = await h.db.selectFrom('person_index').selectAll().where('journey_id', '=', journeyId).executeTakeFirstOrThrow();
      expect(JSON.stringify(row)).not.toMatch(/Ahmed|Sa.d|p-\d/);
      // Shown, and accountable: each showing is a person-read record in the processing log (never the values in the log file).
      const reads = (await h.processingLog.records({ subject: { bsn }, activities: ['person-read'] }, 50)).items;
      expect(reads.length).toBeGreaterThanOrEqual(2);
      expect(JSON.stringify(h.logs)).not.toContain('Ahmed');
      expect(JSON.stringify(h.logs)).not.toContain(bsn);
    });
  });

  describe('search (issue 21 item 3)', () => {
    let journeyId: string;
    let personRef: string;
    let bsn: string;
    beforeAll(async () => {
      personRef = `Ref-${h.personRef()}`;
      bsn = newBsn();
      journeyId = (await register({ personRef, bsn, name: 'Fatima Zahra El Idrissi' })).body.journeyId as string;
    });
    const search = (q: string, who: 'admin' | 'caseworker' | 'caseworkerOther' | 'partnerBrp' = 'admin', municipality?: string) =>
      h.as(who).post('/v1/journeys/search', { q, ...(municipality ? { municipality } : {}) });

    it('finds by reference in any case and with spaces around it, across every municipality for an admin (was: exact, and "Gemeente: Alle" found nothing)', async () => {
      const res = await search(`  ${personRef.toUpperCase()} `);
      expect(res.status).toBe(200);
      expect(res.body.journeys).toEqual([expect.objectContaining({ journeyId, municipality: 'borger-odoorn', matchedOn: ['personRef'], personRef, name: 'Fatima Zahra El Idrissi' })]);
    });

    it('finds by BSN (was: not at all), and by words of the name in any case without diacritics', async () => {
      expect((await search(bsn)).body.journeys).toEqual([expect.objectContaining({ journeyId, matchedOn: ['bsn'] })]);
      expect((await search('el idrissi')).body.journeys).toEqual([expect.objectContaining({ journeyId, matchedOn: ['name'] })]);
      expect((await search('FÁTIMA')).body.journeys.map((j: { journeyId: string }) => j.journeyId)).toContain(journeyId);
      expect((await search('Idris')).body.journeys.map((j: { journeyId: string }) => j.journeyId)).not.toContain(journeyId);
    });

    it('lets caseworkers search (was: no search) within their municipalities, partners find ids only', async () => {
      expect((await search(bsn, 'caseworker')).body.journeys).toEqual([expect.objectContaining({ journeyId, personRef })]);
      expect((await search(bsn, 'caseworkerOther')).body.journeys).toEqual([]);
      expect((await search(bsn, 'caseworker', 'midden-drenthe')).body.journeys).toEqual([]);
      const partner = (await search(bsn, 'partnerBrp')).body.journeys;
      expect(partner).toEqual([expect.objectContaining({ journeyId })]);
      expect(partner[0].name).toBeUndefined();
      expect(partner[0].personRef).toBeUndefined();
    });

    it("downloads the results as CSV (issue 25): the answer's rows and fields for the same body, each journey recorded as an export; the page offers it", async () => {
      const other = (await register({ personRef: h.personRef(), name: 'Fatima Export Idrissi' })).body.journeyId as string;
      const found = (await search('fatima idrissi')).body.journeys as Array<Record<string, unknown>>;
      expect(found.map((j) => j.journeyId).sort()).toEqual([journeyId, other].sort());
      const answer = await h.as('admin').post('/v1/journeys/search/export', { q: 'fatima idrissi' });
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toMatch(/^text\/csv/);
      const [header, ...lines] = answer.text.replace(/^\uFEFF/, '').trimEnd().split('\n');
      const names = header!.split(',');
      const rows = lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i]!, v])));
      expect(rows).toEqual(
        found.map((j) => ({
          journeyId: j.journeyId, municipality: j.municipality, matchedOn: (j.matchedOn as string[]).join(' '), status: j.status ?? '', endReason: '', endedOn: '', phase: j.phase ?? '', regime: j.regime ?? '',
          personRef: j.personRef, name: j.name, birthDate: j.birthDate ?? '', permitGrantedOn: j.permitGrantedOn ?? '',
        })),
      );
      for (const id of [journeyId, other]) {
        const exports = (await h.processingLog.records({ subject: { journeyId: id }, activities: ['export'] }, 50)).items;
        expect(exports.some((r) => r.name === 'POST /v1/journeys/search/export' && r.actor === 'admin-1')).toBe(true);
      }
      // Only what the role's search finds; a partner (a machine) has no search page to download from.
      const elsewhere = await h.as('caseworkerOther').post('/v1/journeys/search/export', { q: 'fatima idrissi' });
      expect(elsewhere.text.replace(/^\uFEFF/, '').trimEnd().split('\n')).toHaveLength(1);
      expect((await h.as('partnerBrp').post('/v1/journeys/search/export', { q: 'fatima idrissi' })).status).toBe(403);
      expect((await h.as('admin').post('/v1/journeys/search/export', { q: '' })).status).toBe(422);

      const server = h.app.listen(0, '127.0.0.1');
      try {
        const web = request.agent(server);
        const signedIn = await web.post('/app/sign-in').type('form').send({ apiKey: KEYS.caseworker });
        const session = (signedIn.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('koers_session='))!.split(';')[0]!;
        const csrf = h.identity.csrfToken(session.slice('koers_session='.length));
        const page = await web.post('/app/search').type('form').send({ _csrf: csrf, query: 'fatima idrissi' });
        expect(page.text).toContain('action="/app/search/export.csv"');
        expect(page.text).toContain('Downloaden als CSV');
        const download = await web.post('/app/search/export.csv').type('form').send({ _csrf: csrf, query: 'fatima idrissi' });
        expect(download.status).toBe(200);
        expect(download.headers['content-disposition']).toMatch(/^attachment; filename="zoekresultaten-/);
        expect(download.text).toContain(personRef);
        // For people: the page's headings and words; the status in the journey list's words (was: `running` here, `RUNNING` there).
        const [header, ...lines] = download.text.replace(/^\uFEFF/, '').trim().split('\n');
        expect(header).toBe('Traject-id,Gemeente,Gevonden op,Status,Reden beëindiging,Beëindigd op,Fase,Wet,Persoonsreferentie,Naam,Geboortedatum,Verblijfsvergunning verleend op');
        const row = lines.find((line) => line.includes(personRef))!.split(',');
        expect({ municipality: row[1], matchedOn: row[2], status: row[3], regime: row[7] }).toEqual({ municipality: 'Borger-Odoorn', matchedOn: 'naam', status: 'loopt', regime: expect.stringMatching(/^Wet inburgering 20(13|21)$/) });
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });

  describe('defects on the way (issue 21 item 5)', () => {
    it('after a move, lookup finds the person in the new municipality and not in the old one; the typed reason is kept and returned', async () => {
      const personRef = h.personRef();
      const journeyId = (await register({ personRef })).body.journeyId as string;
      const moved = await h.as('admin').post(`/v1/journeys/${journeyId}/move`, { municipality: 'midden-drenthe', reason: 'verhuisd naar Beilen' });
      expect(moved.status).toBe(202);
      expect(moved.body.reason).toBe('verhuisd naar Beilen');
      const journey = await eventually(() => h.as('admin').get(`/v1/journeys/${journeyId}`), (r) => r.body.municipality === 'midden-drenthe', 5000);
      expect(journey.body.amendments.at(-1)).toMatchObject({ move: { from: 'borger-odoorn', to: 'midden-drenthe', reason: 'verhuisd naar Beilen' } });
      const there = await h.as('admin').post('/v1/journeys/lookup', { municipality: 'midden-drenthe', personRef });
      expect(there.status).toBe(200);
      expect(there.body.journeyId).toBe(journeyId);
      expect((await h.as('caseworkerOther').post('/v1/journeys/lookup', { municipality: 'midden-drenthe', personRef })).status).toBe(200);
      expect((await h.as('admin').post('/v1/journeys/lookup', { municipality: 'borger-odoorn', personRef })).status).toBe(404);
    });

    it('lets an admin correct the permit date and the birth date, with a reason, shown with what it replaced', async () => {
      const journeyId = await h.createJourney({ permitGrantedOn: '2025-03-14', birthDate: '1990-05-01' });
      const url = `/v1/journeys/${journeyId}/person-corrections`;
      expect((await h.as('caseworker').post(url, { permitGrantedOn: '2025-02-01', reason: 'beschikking IND' })).status).toBe(403);
      expect((await h.as('admin').post(url, { permitGrantedOn: '2025-02-01' })).body.errors).toEqual([{ path: 'reason', message: expect.any(String) }]);
      const late = await h.as('admin').post(url, { birthDate: '2025-06-01', reason: 'typfout' });
      expect(late.status).toBe(422);
      expect(late.body.errors).toEqual([{ path: 'birthDate', message: 'must not lie after permitGrantedOn' }]);
      const res = await h.as('admin').post(url, { permitGrantedOn: '2025-02-01', birthDate: '1991-05-01', reason: 'beschikking IND' });
      expect(res.status).toBe(202);
      expect(res.body.replaced).toEqual({ permitGrantedOn: '2025-03-14', birthDate: '1990-05-01' });
      const person = await eventually(() => h.as('admin').get(`/v1/journeys/${journeyId}/person`), (r) => r.body.permitGrantedOn === '2025-02-01', 5000);
      expect(person.body).toMatchObject({ permitGrantedOn: '2025-02-01', birthDate: '1991-05-01' });
      const timeline = (await h.as('admin').get(`/v1/journeys/${journeyId}/events`)).body.events;
      expect(timeline).toEqual([
        expect.objectContaining({
          type: 'nl.koers.person.corrected',
          correction: true,
          reason: 'beschikking IND',
          replaced: { permitGrantedOn: '2025-03-14', birthDate: '1990-05-01' },
          actor: { name: 'admin-1', role: 'admin' },
          applied: true,
        }),
      ]);
    });

    it('says that the ladder assessment is missing when an instrument needs it; a started werkstage meets the re-integration start and closes its task', async () => {
      const journeyId = await h.createJourney({ permitGrantedOn: '2025-03-14', birthDate: '1990-05-01' });
      const events = `/v1/journeys/${journeyId}/events`;
      await h.as('caseworker').post(events, cloudEvent('nl.koers.bijstand.applied', { occurredOn: '2025-04-01' }));
      await h.as('caseworker').post(events, cloudEvent('nl.koers.intake.held', { occurredOn: '2025-04-10' }));
      const due = await eventually(
        () => h.as('caseworker').get(`/v1/journeys/${journeyId}`),
        (r) => r.body.openTasks?.some((t: { kind: string }) => t.kind === 'start-reintegration'),
        5000,
      );
      expect(due.body.clocks.find((c: { name: string }) => c.name === 'reintegration-start')?.status).toBe('overdue');
      const werkstage = { kind: 'werkstage', startedOn: '2026-11-02', hasStartkwalificatie: false, generalBijstand: true };
      const refused = await h.as('caseworker').post(`/v1/journeys/${journeyId}/instruments`, werkstage);
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ code: 'ladder-assessment-missing', errors: [{ path: 'ladder', message: expect.stringContaining('ladder assessment') }] });

      expect((await h.as('caseworker').post(`/v1/journeys/${journeyId}/ladder-assessments`, { rung: 4, assessedOn: '2026-10-20' })).status).toBe(202);
      const started = await eventually(() => h.as('caseworker').post(`/v1/journeys/${journeyId}/instruments`, werkstage), (r) => r.status === 201, 5000);
      expect(started.status).toBe(201);
      const after = await eventually(
        () => h.as('caseworker').get(`/v1/journeys/${journeyId}`),
        (r) => r.body.clocks?.find((c: { name: string }) => c.name === 'reintegration-start')?.status === 'met',
        5000,
      );
      expect(after.body.milestones).toMatchObject({ reintegrationStartedOn: '2026-11-02', reintegrationInstrument: 'werkstage' });
      expect(after.body.openTasks.map((t: { kind: string }) => t.kind)).not.toContain('start-reintegration');
    });

    it('frees the reference after erasure: the person can be registered again, as a new journey', async () => {
      const personRef = h.personRef();
      const bsn = newBsn();
      const journeyId = (await register({ personRef, bsn, name: 'Sara Haile' })).body.journeyId as string;
      expect((await h.as('admin').post(`/v1/journeys/${journeyId}/erasure`, { ground: 'consent-withdrawn' })).status).toBe(200);
      expect((await h.as('admin').post('/v1/journeys/search', { q: bsn })).body.journeys).toEqual([]);
      const again = await register({ personRef, bsn });
      expect(again.status).toBe(201);
      expect(again.body.journeyId).not.toBe(journeyId);
      const found = await h.as('admin').post('/v1/journeys/lookup', { municipality: 'borger-odoorn', personRef });
      expect(found.body.journeyId).toBe(again.body.journeyId);
    });
  });
});
