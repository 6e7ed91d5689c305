/**
 * The contract's v1.2 law through the API (issue 22): a journey that ended takes a later track and
 * runs again under the same id (fault 2), ontzorgen after a refusal (fault 3), the basis of every clock,
 * and the OpenAPI document describing them.
 */
import { addDays } from '../../../domain/dates';
import { apiHarness, cloudEvent, eventually, type ApiHarness } from './harness';

type Clock = { name: string; status: string; startsOn: string; finalDate: string; basis?: { anchor: { event: string; occurredOn: string; reportedBy?: string }; rule: string; adjustments: unknown[] } };
type JourneyBody = { journeyId: string; phase: string; status: string; clocks: Clock[]; openTasks: Array<{ kind: string }>; [k: string]: unknown };

describe('the law of v1.2 through the API', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness({ worker: true });
  });
  afterAll(() => h.stop());

  const read = async (journeyId: string) => (await h.as('admin').get(`/v1/journeys/${journeyId}`)).body as JourneyBody;
  const post = (journeyId: string, type: string, data: Record<string, unknown>) => h.as('admin').post(`/v1/journeys/${journeyId}/events`, cloudEvent(type, data), 'application/cloudevents+json');
  const clock = (j: JourneyBody, name: string) => j.clocks.find((c) => c.name === name);
  const today = () => new Date().toISOString().slice(0, 10);

  it('fault 2: an exempted journey ends; a bijstand application later is accepted and runs it again under the same id; a second create stays 409', async () => {
    const personRef = h.personRef();
    const created = await h.as('admin').post('/v1/journeys', { personRef, municipality: 'borger-odoorn', permitGrantedOn: '2020-03-02', birthDate: '1985-01-01' });
    expect(created.status).toBe(201);
    const journeyId = created.body.journeyId as string;
    expect((await post(journeyId, 'nl.koers.exemption.granted', { occurredOn: '2023-05-01' })).status).toBe(202);
    await eventually(() => read(journeyId), (j) => j.status === 'completed');

    expect((await post(journeyId, 'nl.koers.bijstand.applied', { occurredOn: '2025-10-01' })).status).toBe(202);
    const journey = await eventually(() => read(journeyId), (j) => j.status === 'running' && clock(j, 'bijstand-decision') !== undefined);
    expect(journey.journeyId).toBe(journeyId);
    expect(clock(journey, 'inburgering')?.status).toBe('waived');
    expect(clock(journey, 'bijstand-decision')?.basis).toMatchObject({ anchor: { event: 'nl.koers.bijstand.applied', occurredOn: '2025-10-01', reportedBy: expect.any(String) }, rule: '8 weeks (Awb art. 4:13)' });

    const again = await h.as('admin').post('/v1/journeys', { personRef, municipality: 'borger-odoorn', permitGrantedOn: '2020-03-02', birthDate: '1985-01-01' });
    expect(again.status).toBe(409);
    expect(JSON.stringify(again.body)).toContain(journeyId);
  });

  it('fault 3: bijstand refused 20 days ago: ontzorgen does not run', async () => {
    const journeyId = await h.createJourney({ permitGrantedOn: '2025-01-10', regime: 'wi2021' });
    expect((await post(journeyId, 'nl.koers.bijstand.applied', { occurredOn: addDays(today(), -60) })).status).toBe(202);
    expect((await post(journeyId, 'nl.koers.bijstand.decided', { occurredOn: addDays(today(), -20), decision: 'refused' })).status).toBe(202);
    const journey = await eventually(() => read(journeyId), (j) => clock(j, 'bijstand-decision')?.status === 'met');
    expect(clock(journey, 'ontzorgen')?.status ?? 'not listed').not.toBe('running');
  });

  it('the suspension events: 202, a respondBy before occurredOn is a 422 naming it', async () => {
    const journeyId = await h.createJourney({ permitGrantedOn: '2025-01-10', regime: 'wi2021' });
    expect((await post(journeyId, 'nl.koers.bijstand.applied', { occurredOn: addDays(today(), -30) })).status).toBe(202);
    const bad = await post(journeyId, 'nl.koers.bijstand.completion-requested', { occurredOn: addDays(today(), -20), respondBy: addDays(today(), -25) });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toContain('data.respondBy');
    expect((await post(journeyId, 'nl.koers.bijstand.completion-requested', { occurredOn: addDays(today(), -20), respondBy: addDays(today(), -10) })).status).toBe(202);
    expect((await post(journeyId, 'nl.koers.bijstand.completed', { occurredOn: addDays(today(), -15) })).status).toBe(202);
    const journey = await eventually(() => read(journeyId), (j) => (clock(j, 'bijstand-decision')?.basis?.adjustments.length ?? 0) > 0);
    expect(clock(journey, 'bijstand-decision')?.basis?.adjustments[0]).toMatchObject({ kind: 'suspension', days: 5, source: 'Awb art. 4:15(1)(a)' });
  });

  it('documents the basis and the v1.2 events in the OpenAPI document', async () => {
    const doc = JSON.stringify((await h.as('admin').get('/v1/openapi.json')).body);
    for (const word of ['ClockBasis', 'ClockAdjustment', 'nl.koers.bijstand.completion-requested', 'nl.koers.bijstand.completed', 'respondBy', 'vmbo']) expect(doc).toContain(word);
  });
});
