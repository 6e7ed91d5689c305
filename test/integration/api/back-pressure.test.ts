/**
 * Load shedding (api/back-pressure.ts) against the real dev server: with the worker stopped, the
 * journeys' task queue builds a backlog; past the limit a start and an event are answered 503 with
 * Retry-After and change nothing; once the worker is back and has caught up, the same requests succeed.
 */
import { apiHarness, cloudEvent, eventually, type ApiHarness } from './harness';

const LIMIT_SECONDS = 2;
let h: ApiHarness;

beforeAll(async () => {
  h = await apiHarness({ worker: true, maxBacklogSeconds: LIMIT_SECONDS });
});
afterAll(() => h.stop());

const createBody = (personRef: string) => ({ personRef, municipality: 'borger-odoorn', permitGrantedOn: '2025-03-14', birthDate: '1990-05-01' });

it('answers starts and events 503 with Retry-After while the workers are behind, and 201/202 once they have caught up', async () => {
  const journeyId = await h.createJourney();
  await h.settled(journeyId);
  await h.stopWorker();

  // Without a worker, each start leaves a workflow task waiting; soon the oldest is older than the limit.
  const shedStart = await eventually(
    () => h.as('admin').post('/v1/journeys', createBody(h.personRef())),
    (res) => res.status === 503,
    30_000,
  );
  expect(shedStart.status).toBe(503);
  expect(shedStart.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(Number(shedStart.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(shedStart.body).toMatchObject({ status: 503, title: 'Service busy' });

  // A shed start claimed nothing: the same person is started later, not refused as a duplicate.
  const personRef = h.personRef();
  const refused = await h.as('admin').post('/v1/journeys', createBody(personRef));
  expect(refused.status).toBe(503);

  const event = cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-04-01' });
  const shedEvent = await h.as('partnerBrp').post(`/v1/journeys/${journeyId}/events`, event);
  expect(shedEvent.status).toBe(503);
  expect(Number(shedEvent.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(shedEvent.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(await h.audit.forJourney(journeyId)).toEqual([]);

  const batch = await h.as('partnerBrp').post(`/v1/journeys/${journeyId}/events`, [event], 'application/cloudevents-batch+json');
  expect(batch.status).toBe(503);

  const metrics = await h.app.koers.metrics.registry.getSingleMetricAsString('koers_load_shed_total');
  expect(metrics).toMatch(/koers_load_shed_total\{method="POST",route="\/v1\/journeys"\} [1-9]/);
  expect(metrics).toMatch(/koers_load_shed_total\{method="POST",route="\/v1\/journeys\/:journeyId\/events"\} [1-9]/);

  await h.startWorker();
  const started = await eventually(() => h.as('admin').post('/v1/journeys', createBody(personRef)), (res) => res.status !== 503, 60_000);
  expect(started.status).toBe(201);
  const accepted = await h.as('partnerBrp').post(`/v1/journeys/${journeyId}/events`, event);
  expect(accepted.status).toBe(202);
  expect(accepted.body).toEqual({ duplicate: false });
});
