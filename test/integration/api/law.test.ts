/**
 * The contract's v1.1 additions through the API (api-contract.md, "Additions (v1.1)"): who is
 * inburgeringsplichtig in GET /v1/journeys/{id}, the new event types, and a journey that keeps running
 * for an exempted person on bijstand (issue 10's reproductions).
 */
import { apiHarness, cloudEvent, eventually, type ApiHarness } from './harness';

type Clock = { name: string; status: string; startsOn: string; finalDate: string; settledOn?: string; reason?: string };
type JourneyBody = {
  journeyId: string;
  phase: string;
  inburgeringsplicht: { status: string; reason: string; startsOn?: string };
  clocks: Clock[];
  openTasks: Array<{ kind: string }>;
  [k: string]: unknown;
};

describe('the law of v1.1 through the API', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness({ worker: true });
  });
  afterAll(() => h.stop());

  const read = async (journeyId: string, who: Parameters<ApiHarness['as']>[0] = 'admin') => (await h.as(who).get(`/v1/journeys/${journeyId}`)).body as JourneyBody;
  const plichtClocks = (j: JourneyBody) => j.clocks.filter((c) => ['pip', 'participatieverklaring', 'inburgering', 'map'].includes(c.name)).map((c) => c.name);
  const post = (journeyId: string, who: Parameters<ApiHarness['as']>[0], type: string, data: Record<string, unknown>) =>
    h.as(who).post(`/v1/journeys/${journeyId}/events`, cloudEvent(type, data), 'application/cloudevents+json');

  it('a 75-year-old: not-plichtig with the reason, no PIP clock and no PIP task (issue 10)', async () => {
    const journeyId = await h.createJourney({ permitGrantedOn: '2025-06-01', birthDate: '1950-01-01' });
    expect((await post(journeyId, 'partnerBrp', 'nl.koers.brp.registered', { occurredOn: '2025-06-10' })).status).toBe(202);
    expect((await post(journeyId, 'partnerBrp', 'nl.koers.duo.notified', { occurredOn: '2025-06-12' })).status).toBe(202);
    const journey = await eventually(() => read(journeyId, 'partnerBrp'), (j) => j.clocks.some((c) => c.name === 'maatschappelijke-begeleiding'));
    expect(journey.inburgeringsplicht).toEqual({ status: 'not-plichtig', reason: expect.stringContaining('AOW art. 7a') });
    expect(journey.phase).toBe('not-plichtig');
    expect(plichtClocks(journey)).toEqual([]);
    expect(journey.openTasks.map((t) => t.kind)).not.toContain('draw-up-pip');
  });

  it('a 13-year-old: not-yet, the plicht starting on the 18th birthday (issue 10)', async () => {
    const journeyId = await h.createJourney({ permitGrantedOn: '2025-06-01', birthDate: '2012-03-10' });
    expect((await post(journeyId, 'partnerBrp', 'nl.koers.brp.registered', { occurredOn: '2025-06-10' })).status).toBe(202);
    expect((await post(journeyId, 'partnerBrp', 'nl.koers.duo.notified', { occurredOn: '2025-06-12' })).status).toBe(202);
    const journey = await eventually(() => read(journeyId), (j) => j.clocks.some((c) => c.name === 'maatschappelijke-begeleiding'));
    expect(journey.inburgeringsplicht).toMatchObject({ status: 'not-yet', startsOn: '2030-03-10' });
    expect(plichtClocks(journey)).toEqual([]);
    expect(journey.openTasks.map((t) => t.kind)).not.toContain('draw-up-pip');
  });

  it('an exempted person on bijstand keeps a running journey: events are applied as usual, the decision meets its clock (issue 10)', async () => {
    const journeyId = await h.createJourney({ permitGrantedOn: '2025-06-01', birthDate: '1980-01-01' });
    expect((await post(journeyId, 'partnerBrp', 'nl.koers.bijstand.applied', { occurredOn: '2025-06-05' })).status).toBe(202);
    expect((await post(journeyId, 'partnerDuo', 'nl.koers.exemption.granted', { occurredOn: '2025-06-20' })).status).toBe(202);
    expect((await post(journeyId, 'admin', 'nl.koers.bijstand.decided', { occurredOn: '2025-07-15', decision: 'granted' })).status).toBe(202);
    const journey = await eventually(() => read(journeyId), (j) => j.clocks.some((c) => c.name === 'bijstand-decision' && c.status === 'met'));
    expect(journey.phase).toBe('exempted');
    expect(journey.clocks.find((c) => c.name === 'bijstand-decision')).toMatchObject({ status: 'met', startsOn: '2025-06-05', finalDate: '2025-07-31', settledOn: '2025-07-15' });
    expect(journey.inburgeringsplicht.status).toBe('plichtig'); // obliged, and exempted: the plicht is settled
    // Still running: a later milestone is accepted, not a 409.
    expect((await post(journeyId, 'partnerBrp', 'nl.koers.intake.held', { occurredOn: '2025-07-20' })).status).toBe(202);
    const later = await eventually(() => read(journeyId), (j) => j.clocks.some((c) => c.name === 'reintegration-start'));
    expect(later.clocks.find((c) => c.name === 'reintegration-start')).toMatchObject({ startsOn: '2025-07-20' });
  });

  it('names a wrong diploma, decision or outflow reason (422) and changes nothing', async () => {
    const journeyId = await h.createJourney();
    for (const [type, data, path] of [
      ['nl.koers.diploma.recognised', { occurredOn: '2025-06-01', diploma: 'mbo1' }, 'data.diploma'],
      ['nl.koers.bijstand.decided', { occurredOn: '2025-06-01', decision: 'maybe' }, 'data.decision'],
      ['nl.koers.bijstand.ended', { occurredOn: '2025-06-01' }, 'data.reason'],
    ] as const) {
      const res = await post(journeyId, 'admin', type, data);
      expect(res.status).toBe(422);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    expect((await read(journeyId)).inburgeringsplicht.status).toBe('plichtig');
  });

  it('documents the v1.1 vocabulary in the OpenAPI document', async () => {
    const doc = JSON.stringify((await h.as('admin').get('/v1/openapi.json')).body);
    for (const word of ['not-plichtig', 'bijstand-decision', 'nl.koers.diploma.recognised', 'nl.koers.bijstand.decided', 'nl.koers.bijstand.ended', 'Inburgeringsplicht']) {
      expect(doc).toContain(word);
    }
  });
});
