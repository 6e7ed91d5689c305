/**
 * Contract v1.2, "Staff report milestones too" (issue 21, item 2): a caseworker of the journey's
 * municipality reports the milestones the municipality allows that role; every event is recorded as
 * reported by its sender; a correction is asked for explicitly (`koerscorrection`, `koersreason`), shows
 * what it replaced, holds against later partner events, and may withdraw a milestone.
 */
import { apiHarness, cloudEvent, eventually, type ApiHarness } from './harness';

interface TimelineEntry {
  id: string;
  type: string;
  actor?: { name: string; role: string };
  correction?: boolean;
  reason?: string;
  replaced?: Record<string, unknown>;
  withdrawn?: boolean;
  applied: boolean;
}

describe('staff report and correct milestones (contract v1.2)', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness({ worker: true });
  });
  afterAll(() => h.stop());

  const events = (journeyId: string) => `/v1/journeys/${journeyId}/events`;
  const timeline = (journeyId: string, count: number) =>
    eventually(
      async () => ((await h.as('admin').get(events(journeyId))).body as { events: TimelineEntry[] }).events,
      (e) => e?.length === count && e.every((x) => x.applied),
      5000,
    );
  const milestones = async (journeyId: string) => (await h.as('caseworker').get(`/v1/journeys/${journeyId}`)).body.milestones as Record<string, unknown>;

  it("lets a caseworker of the journey's municipality report what arrives by letter: recorded as reported by that person, no correction (was 403)", async () => {
    const journeyId = await h.createJourney({ permitGrantedOn: '2025-03-14' });
    const res = await h.as('caseworker').post(events(journeyId), cloudEvent('nl.koers.duo.notified', { occurredOn: '2025-04-02' }, 'cw-duo-1', 'urn:nl:koers:staff'));
    expect(res.status).toBe(202);
    const [entry] = await timeline(journeyId, 1);
    expect(entry).toMatchObject({ type: 'nl.koers.duo.notified', actor: { name: 'cw-anna', role: 'caseworker' }, applied: true });
    expect(entry?.correction).toBeUndefined();
    expect((await milestones(journeyId)).duoNotifiedOn).toBe('2025-04-02');
    // What the pages may offer: the same rule, said on the journey.
    const rights = (await h.as('caseworker').get(`/v1/journeys/${journeyId}`)).body.milestoneReporting;
    expect(rights.report).toEqual(expect.arrayContaining(['nl.koers.duo.notified', 'nl.koers.bijstand.applied', 'nl.koers.exemption.granted']));
    expect(rights.report).not.toContain('nl.koers.reintegration.started');
    expect(rights.correct).toContain('nl.koers.exemption.granted');
    expect((await h.as('partnerBrp').get(`/v1/journeys/${journeyId}`)).body.milestoneReporting).toBeUndefined();
  });

  it('refuses a caseworker a type the municipality does not allow (403 with a stable code), and one of another municipality (404)', async () => {
    const journeyId = await h.createJourney();
    const res = await h.as('caseworker').post(events(journeyId), cloudEvent('nl.koers.reintegration.started', { occurredOn: '2025-04-02', instrument: 'werkstage' }));
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'report-not-allowed', eventType: 'nl.koers.reintegration.started' });
    expect((await h.as('caseworkerOther').post(events(journeyId), cloudEvent('nl.koers.duo.notified', { occurredOn: '2025-04-02' }))).status).toBe(404);
    expect((await h.audit.forJourney(journeyId)).length).toBe(0);
  });

  it("records an admin's event as a report, not a correction (was: every admin event a correction)", async () => {
    const journeyId = await h.createJourney();
    await h.as('partnerBrp').post(events(journeyId), cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-04-01' }, 'brp-1', 'urn:nl:brp'));
    await h.as('admin').post(events(journeyId), cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-04-03' }, 'adm-1', 'urn:nl:koers:staff'));
    const entries = await timeline(journeyId, 2);
    expect(entries.find((e) => e.id === 'adm-1')).toMatchObject({ actor: { name: 'admin-1', role: 'admin' } });
    expect(entries.find((e) => e.id === 'adm-1')?.correction).toBeUndefined();
    // A report competes like a partner's: the first registration counts.
    expect((await milestones(journeyId)).brpRegisteredOn).toBe('2025-04-01');
  });

  it('asks a correction for its reason (422 naming koersreason), and refuses one from a partner (403)', async () => {
    const journeyId = await h.createJourney();
    const noReason = await h.as('caseworker').post(events(journeyId), { ...cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-04-01' }), koerscorrection: true });
    expect(noReason.status).toBe(422);
    expect(noReason.body.errors).toEqual([{ path: 'koersreason', message: expect.stringContaining('required') }]);
    const partner = await h.as('partnerBrp').post(events(journeyId), { ...cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-04-01' }), koerscorrection: true, koersreason: 'typo' });
    expect(partner.status).toBe(403);
    expect((await h.audit.forJourney(journeyId)).length).toBe(0);
  });

  it('shows a correction with its reason and what it replaced; a later partner event of that type no longer overrides it', async () => {
    const journeyId = await h.createJourney();
    await h.as('partnerBrp').post(events(journeyId), cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-04-01' }, 'brp-c1', 'urn:nl:brp'));
    await timeline(journeyId, 1);
    const corrected = await h
      .as('caseworker')
      .post(events(journeyId), { ...cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-04-10' }, 'cor-1', 'urn:nl:koers:staff'), koerscorrection: true, koersreason: 'datum van de brief' });
    expect(corrected.status).toBe(202);
    await h.as('partnerBrp').post(events(journeyId), cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-03-20' }, 'brp-c2', 'urn:nl:brp'));
    const entries = await timeline(journeyId, 3);
    expect(entries.find((e) => e.id === 'cor-1')).toMatchObject({
      correction: true,
      reason: 'datum van de brief',
      replaced: { brpRegisteredOn: '2025-04-01' },
      actor: { name: 'cw-anna', role: 'caseworker' },
    });
    expect((await milestones(journeyId)).brpRegisteredOn).toBe('2025-04-10');
  });

  it('withdraws a wrongly reported exemption: the fact is gone and the journey runs as before it (binary mode too)', async () => {
    const journeyId = await h.createJourney({ permitGrantedOn: '2025-03-14' });
    await h.as('caseworker').post(events(journeyId), cloudEvent('nl.koers.bijstand.applied', { occurredOn: '2025-04-01' }, 'bij-1', 'urn:nl:koers:staff'));
    const before = (await timeline(journeyId, 1)) && (await h.as('caseworker').get(`/v1/journeys/${journeyId}`)).body;
    await h.as('caseworker').post(events(journeyId), cloudEvent('nl.koers.exemption.granted', { occurredOn: '2025-05-01' }, 'ex-1', 'urn:nl:koers:staff'));
    const exempted = await eventually(() => h.as('caseworker').get(`/v1/journeys/${journeyId}`), (r) => r.body.phase === 'exempted', 5000);
    expect(exempted.body.milestones.exemptedOn).toBe('2025-05-01');
    expect(exempted.body.clocks.find((c: { name: string }) => c.name === 'inburgering')?.status).not.toBe('running');

    const withdrawal = await h
      .as('caseworker')
      .post(events(journeyId), { occurredOn: '2025-06-01', withdrawn: true }, 'application/json')
      .set('ce-specversion', '1.0')
      .set('ce-id', 'wd-1')
      .set('ce-source', 'urn:nl:koers:staff')
      .set('ce-type', 'nl.koers.exemption.granted')
      .set('ce-koerscorrection', 'true')
      .set('ce-koersreason', 'vrijstelling%20hoort%20bij%20een%20ander%20dossier');
    expect(withdrawal.status).toBe(202);
    const running = await eventually(() => h.as('caseworker').get(`/v1/journeys/${journeyId}`), (r) => r.body.phase !== 'exempted', 5000);
    expect(running.body.milestones.exemptedOn).toBeUndefined();
    // As before the exemption: its phase, and its clocks (the plicht's among them) as they ran.
    expect(running.body.phase).toBe(before.phase);
    expect(running.body.clocks).toEqual(before.clocks);
    const entry = (await timeline(journeyId, 3)).find((e) => e.id === 'wd-1');
    expect(entry).toMatchObject({ correction: true, withdrawn: true, reason: 'vrijstelling hoort bij een ander dossier', replaced: { exemptedOn: '2025-05-01' } });
  });

  it('withdraws the exemption a journey ended on: through the same event door the journey runs again (was: every later change 409)', async () => {
    const journeyId = await h.createJourney({ permitGrantedOn: '2021-06-01', birthDate: '1985-01-01' });
    await h.as('caseworker').post(events(journeyId), cloudEvent('nl.koers.exemption.granted', { occurredOn: '2025-05-01' }, 'ex-end', 'urn:nl:koers:staff'));
    const ended = await eventually(() => h.as('caseworker').get(`/v1/journeys/${journeyId}`), (r) => r.body.status === 'completed', 10_000);
    expect(ended.body.phase).toBe('exempted');
    const withdrawal = await h
      .as('caseworker')
      .post(events(journeyId), { ...cloudEvent('nl.koers.exemption.granted', { occurredOn: '2025-06-01', withdrawn: true }, 'wd-end', 'urn:nl:koers:staff'), koerscorrection: true, koersreason: 'verkeerde persoon' });
    expect(withdrawal.status).toBe(202);
    const running = await eventually(() => h.as('caseworker').get(`/v1/journeys/${journeyId}`), (r) => r.body.status === 'running' && r.body.milestones?.exemptedOn === undefined, 10_000);
    expect(running.body.phase).not.toBe('exempted');
    expect(running.body.journeyId).toBe(journeyId);
    expect((await timeline(journeyId, 2)).find((e) => e.id === 'wd-end')).toMatchObject({ correction: true, withdrawn: true, replaced: { exemptedOn: '2025-05-01' } });
  });

  it('refuses withdrawn without koerscorrection (422 naming data.withdrawn)', async () => {
    const journeyId = await h.createJourney();
    const res = await h.as('caseworker').post(events(journeyId), cloudEvent('nl.koers.exemption.granted', { occurredOn: '2025-05-01', withdrawn: true }));
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('data.withdrawn');
  });
});
