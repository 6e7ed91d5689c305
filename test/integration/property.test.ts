/**
 * A property (fast-check) through the API into a real journey workflow (issue 8, fault tests):
 * schema-valid but extreme inputs (dates at the edges of the accepted range 1900-01-01..2199-12-31,
 * long and odd strings, every event type in random order and timing) never stop a journey. After each
 * input the journey answers GET with 200 (its state query answered: a journey that cannot answer is a
 * 503 by the query deadline), and at the end it applies a valid event. The slowest GET is printed; on a
 * shared CI machine a bound of one second would test the machine, not the journey.
 */
import crypto from 'node:crypto';
import fc from 'fast-check';
import { EVENT_TYPES, type EventType } from '../../domain/events';
import { apiHarness, eventually, type ApiHarness, type KeyName } from './api/harness';

jest.setTimeout(240_000);

const today = new Date().toISOString().slice(0, 10);
const MIN = '1900-01-01';
const MAX = '2199-12-31';
const iso = (d: Date) => d.toISOString().slice(0, 10);
/** Any date the service accepts, the edges often. */
const anyDate = fc.oneof(
  fc.constantFrom(MIN, '1900-01-02', '1999-12-31', '2000-02-29', today, '2199-12-30', MAX),
  fc.date({ min: new Date(`${MIN}T00:00:00Z`), max: new Date(`${MAX}T00:00:00Z`), noInvalidDate: true }).map(iso),
);
/** A past date (a milestone cannot lie ahead), the edges often. */
const pastDate = fc.oneof(
  fc.constantFrom(MIN, '1900-01-02', '2000-02-29', today),
  fc.date({ min: new Date(`${MIN}T00:00:00Z`), max: new Date(`${today}T00:00:00Z`), noInvalidDate: true }).map(iso),
);
const oddString = (maxLength: number) =>
  fc.oneof(fc.string({ minLength: 1, maxLength }), fc.string({ unit: 'grapheme', minLength: 1, maxLength }), fc.constant('x'.repeat(maxLength)));

const dataFor = (type: EventType) => {
  const occurredOn = pastDate;
  switch (type) {
    case 'nl.koers.intake.held':
      return fc.record({ occurredOn, leerbaarheidstoets: fc.constantFrom('b1-feasible', 'b1-not-feasible') }, { requiredKeys: ['occurredOn'] });
    case 'nl.koers.pip.established':
      return fc.record({ occurredOn, leerroute: fc.constantFrom('b1', 'onderwijs', 'z') }, { requiredKeys: ['occurredOn'] });
    case 'nl.koers.reintegration.started':
      return fc.record({ occurredOn, instrument: oddString(100) });
    case 'nl.koers.exam.passed':
      return fc.record({ occurredOn, route: fc.constantFrom('inburgeringsexamen', 'staatsexamen', 'b1', 'z') });
    case 'nl.koers.extension.granted':
      return fc.record({ occurredOn, newFinalDate: anyDate, circumstanceFrom: anyDate, circumstanceUntil: anyDate }, { requiredKeys: ['occurredOn', 'newFinalDate'] });
    default:
      return fc.record({ occurredOn });
  }
};

const senderOf = (type: EventType): KeyName =>
  ['nl.koers.brp.registered', 'nl.koers.bijstand.applied', 'nl.koers.intake.held', 'nl.koers.duo.notified'].includes(type)
    ? 'partnerBrp'
    : ['nl.koers.exam.passed', 'nl.koers.extension.granted', 'nl.koers.exemption.granted', 'nl.koers.pip.established'].includes(type)
      ? 'partnerDuo'
      : 'admin';

const eventArb = fc
  .constantFrom(...EVENT_TYPES)
  .chain((type) => fc.record({ type: fc.constant(type), data: dataFor(type), id: oddString(200), pauseMs: fc.integer({ min: 0, max: 150 }) }));

const journeyArb = fc.record({
  permitGrantedOn: fc.constantFrom(MIN, '1900-01-02', '2000-02-29', today),
  birthDate: fc.constantFrom(MIN, undefined),
  personRef: fc.oneof(fc.constant('A'), fc.stringMatching(/^[A-Za-z0-9_-]{64}$/)),
  events: fc.array(eventArb, { minLength: 1, maxLength: 6 }),
});

describe('extreme but valid inputs through the API', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness({ worker: true });
  });
  afterAll(() => h.stop());

  it('never stop a journey: it answers GET after each and applies a valid event sent next', async () => {
    const slowest = { ms: 0 };
    let inputs = 0;
    let completed = 0;
    await fc.assert(
      fc.asyncProperty(journeyArb, async (journey) => {
        const run = crypto.randomBytes(5).toString('hex');
        const created = await h.as('admin').post('/v1/journeys', {
          personRef: `${journey.personRef.slice(0, 53)}-${run}`,
          municipality: 'borger-odoorn',
          permitGrantedOn: journey.permitGrantedOn,
          ...(journey.birthDate ? { birthDate: journey.birthDate } : {}),
        });
        if (created.status !== 201) return created.status === 422; // refused with a reason: nothing started
        const journeyId = created.body.journeyId as string;
        const readable = async () => {
          const started = Date.now();
          const res = await h.as('admin').get(`/v1/journeys/${journeyId}`);
          slowest.ms = Math.max(slowest.ms, Date.now() - started);
          expect(res.status).toBe(200);
          // Completed is a lawful end (everything settled, e.g. exempted with every window past).
          expect(['running', 'completed']).toContain(res.body.status);
          return res.body.status as string;
        };
        await readable();
        for (const event of journey.events) {
          const res = await h.as(senderOf(event.type)).post(`/v1/journeys/${journeyId}/events`, {
            specversion: '1.0',
            id: `${event.id}`,
            source: `urn:nl:test:${run}`,
            type: event.type,
            data: event.data,
          });
          inputs += 1;
          expect(res.status).toBeLessThan(500);
          await new Promise((resolve) => setTimeout(resolve, event.pauseMs));
          await readable();
        }
        if ((await readable()) === 'completed') {
          completed += 1;
          return true;
        }
        // The next valid event is applied.
        const marker = `marker-${run}`;
        const res = await h.as('partnerBrp').post(`/v1/journeys/${journeyId}/events`, {
          specversion: '1.0',
          id: marker,
          source: `urn:nl:test:${run}`,
          type: 'nl.koers.duo.notified',
          data: { occurredOn: today },
        });
        if (res.status === 409) {
          // GET reads the read model, which shows the last event's effect within a second: that event
          // may have ended the journey lawfully just before. Then the journey must read as completed.
          const ended = await eventually(async () => (await h.as('admin').get(`/v1/journeys/${journeyId}`)).body as { status?: string }, (b) => b.status === 'completed', 5000);
          expect(ended.status).toBe('completed');
          completed += 1;
          return true;
        }
        expect(res.status).toBe(202);
        const timeline = await eventually(
          async () => (await h.as('admin').get(`/v1/journeys/${journeyId}/events`)).body as { events: Array<{ id: string; applied: boolean }> },
          (t) => t.events?.some((e) => e.id === marker && e.applied) ?? false,
          5000,
        );
        expect(timeline.events.find((e) => e.id === marker)?.applied).toBe(true);
        await readable();
        return true;
      }),
      { numRuns: 12, endOnFailure: true },
    );
    console.log(`property run: 12 journeys (${completed} completed lawfully), ${inputs} extreme events, slowest GET ${slowest.ms} ms`);
  });
});
