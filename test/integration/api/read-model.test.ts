/**
 * GET and the lists read the journeys read model (issue 12): an accepted event shows from the store,
 * a clock turns overdue at midnight on read without any write, deadlines in a window are a filter,
 * and a journey without a row (started before the read model) is still read from the journey itself
 * and joins the lists when the monitor asks it for its row.
 */
import { addDays, amsterdamDateOf } from '../../../domain/dates';
import type { JourneyState } from '../../../workflows/definitions';
import { JourneyMonitor } from '../../../worker/monitor';
import { apiHarness, cloudEvent, eventually, type ApiHarness } from './harness';

type Clock = { name: string; status: string; finalDate: string };

describe('the journeys read model behind the API', () => {
  let h: ApiHarness;
  // The API's clock: real time plus a shift a test sets (the worker keeps real time).
  let shiftDays = 0;
  beforeAll(async () => {
    h = await apiHarness({ worker: true, now: () => Date.now() + shiftDays * 86_400_000 });
  });
  afterEach(() => {
    shiftDays = 0;
  });
  afterAll(() => h.stop());

  const row = (journeyId: string) => h.journeys.get<JourneyState>(journeyId);
  /** A journey with a running deadline in the future: a bijstand application yesterday starts its decision clock. */
  const withDeadline = async () => {
    const journeyId = await h.createJourney({ permitGrantedOn: '2025-03-14' });
    const applied = addDays(amsterdamDateOf(Date.now()), -1);
    expect((await h.as('partnerBrp').post(`/v1/journeys/${journeyId}/events`, cloudEvent('nl.koers.bijstand.applied', { occurredOn: applied }, `bijstand-${journeyId}`, 'urn:nl:gemeente'))).status).toBe(202);
    const stored = await eventually(() => row(journeyId), (r) => r?.view.milestones.bijstandAppliedOn === applied, 5000);
    return { journeyId, stored: stored! };
  };

  it('answers GET from the row the journey wrote, right after the 201 and after an accepted event', async () => {
    const journeyId = await h.createJourney({ permitGrantedOn: '2025-03-14', bsn: '111222333' });
    // The API's own row (seq 0) or the journey's first: GET needs no worker round trip either way.
    const first = await row(journeyId);
    expect(first).toMatchObject({ municipality: 'borger-odoorn', runStatus: 'running', bsnCiphertext: expect.any(String) });
    expect(first?.bsnCiphertext).not.toContain('111222333');
    const started = await h.as('admin').get(`/v1/journeys/${journeyId}`);
    expect(started.body).toMatchObject({ journeyId, status: 'running', bsn: '111222333' });
    expect((await h.as('partnerBrp').get(`/v1/journeys/${journeyId}`)).body.bsn).toBeUndefined();

    const res = await h.as('partnerBrp').post(`/v1/journeys/${journeyId}/events`, cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-04-01' }, `brp-${journeyId}`, 'urn:nl:brp:borger-odoorn'));
    expect(res.status).toBe(202);
    const after = await eventually(() => row(journeyId), (r) => r?.view.milestones.brpRegisteredOn === '2025-04-01', 5000);
    expect(after!.seq).toBeGreaterThan(first!.seq);
    const read = (await h.as('admin').get(`/v1/journeys/${journeyId}`)).body;
    expect(read.milestones).toMatchObject({ brpRegisteredOn: '2025-04-01' });
    expect(read.clocks).toEqual(after!.view.clocks);

    // The journey's own answer beside the row: the same state.
    const live = await h.as('admin').get(`/v1/journeys/${journeyId}/live`);
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ journeyId, projection: { seq: after!.seq, matches: true }, live: { clocks: read.clocks, bsn: '111222333' } });
    expect((await h.as('caseworker').get(`/v1/journeys/${journeyId}/live`)).status).toBe(403);
  });

  it('turns a clock overdue at midnight on read, without any write, in GET and in the overdue filter', async () => {
    const { journeyId, stored } = await withDeadline();
    const clock = stored.view.clocks.find((c) => c.status === 'running' && c.finalDate === stored.nextFinalDate) as Clock;
    expect(clock).toBeDefined();
    const today = stored.view.today;
    const list = async () => (await h.as('admin').get(`/v1/journeys?overdue=true&clock=${clock.name}&deadlineTo=${clock.finalDate}`)).body.journeys.map((j: { journeyId: string }) => j.journeyId);

    // The final date is the last day on time.
    shiftDays = daysBetween(today, clock.finalDate);
    expect(((await h.as('admin').get(`/v1/journeys/${journeyId}`)).body.clocks as Clock[]).find((c) => c.name === clock.name)?.status).toBe('running');
    expect(await list()).not.toContain(journeyId);
    // The next day it is late: derived on read from the stored dates and the API's today.
    shiftDays += 1;
    const late = (await h.as('admin').get(`/v1/journeys/${journeyId}`)).body;
    expect((late.clocks as Clock[]).find((c) => c.name === clock.name)?.status).toBe('overdue');
    expect(late.today).toBe(addDays(clock.finalDate, 1));
    expect(await list()).toContain(journeyId);
    expect((await row(journeyId))?.seq).toBe(stored.seq);
  });

  it('filters on deadlines in a window, and counts per municipality and phase', async () => {
    const { journeyId, stored } = await withDeadline();
    const deadline = (await h.journeys.deadlines(journeyId)).find((d) => d.open)!;
    const ids = async (query: string) => (await h.as('admin').get(`/v1/journeys?${query}`)).body.journeys.map((j: { journeyId: string }) => j.journeyId);
    expect(await ids(`deadlineFrom=${deadline.finalDate}&deadlineTo=${deadline.finalDate}&clock=${deadline.clock}`)).toContain(journeyId);
    expect(await ids(`deadlineFrom=${addDays(deadline.finalDate, 1)}&clock=${deadline.clock}`)).not.toContain(journeyId);
    expect((await h.as('admin').get('/v1/journeys?deadlineFrom=2025-13-01')).status).toBe(400);
    const counted = (await h.as('admin').get('/v1/journeys/count?municipality=borger-odoorn')).body;
    expect(counted.groups).toEqual(expect.arrayContaining([expect.objectContaining({ municipality: 'borger-odoorn', phase: stored.phase })]));
    expect(counted.count).toBe(counted.groups.reduce((n: number, g: { count: number }) => n + g.count, 0));
    expect((await h.as('admin').get('/v1/journeys?pageToken=bm90LWEtdG9rZW4.AAAAAAAAAAA')).status).toBe(400);
  });

  it('reads a journey without a row (started before the read model) from the journey itself', async () => {
    const journeyId = await h.createJourney({ permitGrantedOn: '2025-03-14', bsn: h.bsn() });
    await eventually(() => row(journeyId), (r) => (r?.seq ?? 0) >= 1, 5000);
    const fromRow = (await h.as('admin').get(`/v1/journeys/${journeyId}`)).body;
    await h.journeys.delete(journeyId);
    const fromQuery = await h.as('admin').get(`/v1/journeys/${journeyId}`);
    expect(fromQuery.status).toBe(200);
    expect(fromQuery.body).toEqual(fromRow);
    expect((await h.as('caseworkerOther').get(`/v1/journeys/${journeyId}`)).status).toBe(404);
    const listed = async () => ((await h.as('admin').get('/v1/journeys?pageSize=100')).body.journeys as Array<{ journeyId: string }>).some((j) => j.journeyId === journeyId);
    expect(await listed()).toBe(false);

    // The monitor asks a running journey without a row for it; rounds walk the running journeys a batch at a time.
    const monitor = new JourneyMonitor({ client: h.client, outbox: h.outbox, journeys: h.journeys, taskQueue: h.taskQueue });
    const back = await eventually(async () => (await monitor.round(), row(journeyId)), (r) => r !== undefined, 20_000);
    expect(back).toMatchObject({ runStatus: 'running', bsnCiphertext: expect.any(String) });
    expect((await h.as('admin').get(`/v1/journeys/${journeyId}`)).body).toEqual(fromRow);
    expect(await listed()).toBe(true);
  });
});

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T12:00:00Z`) - Date.parse(`${from}T12:00:00Z`)) / 86_400_000);
}
