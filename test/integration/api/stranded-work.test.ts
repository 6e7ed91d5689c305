/**
 * Issue 24, fault 7: a caseworker's completed task is never stranded. With Temporal stalled (its
 * process frozen, SIGSTOP) a completion is recorded together with the signal it owes the journey,
 * and that signal is delivered once Temporal answers again: the journey learns of it without anyone
 * retrying. A repeated completion with another form is a 409 naming the first.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDevServer, type DevServer } from '../../../platform/dev-server';
import { stateQuery } from '../../../workflows/definitions';
import { freePort } from '../../helpers/ports';
import { apiHarness, cloudEvent, eventually, type ApiHarness } from './harness';

const TIMEOUT_MS = 3000;

describe('a task completed while Temporal is stalled', () => {
  let server: DevServer;
  let h: ApiHarness;
  let frozen = false;
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koers-stranded-'));
    server = await startDevServer({ port: await freePort(), uiPort: await freePort(), dbFile: path.join(dir, 'temporal.db'), namespace: 'default' });
    h = await apiHarness({ worker: true, temporalAddress: server.address, temporalTimeoutMs: TIMEOUT_MS });
  });
  afterAll(async () => {
    if (frozen) process.kill(server.pid!, 'SIGCONT');
    await h?.stop();
    await server?.stop();
    console.log(`stranded work timings (ms): ${JSON.stringify(timings)}`);
  });

  const pending = () => h.db.selectFrom('journey_signals').selectAll().execute();

  it('is recorded with its signal, answered, and reaches the journey once Temporal is back', async () => {
    const journeyId = await h.createJourney({ permitGrantedOn: '2025-03-14' });
    for (const [type, id] of [['nl.koers.duo.notified', 'duo-1'], ['nl.koers.brp.registered', 'brp-1']]) {
      expect((await h.as('partnerBrp').post(`/v1/journeys/${journeyId}/events`, cloudEvent(type!, { occurredOn: '2025-04-01' }, `${journeyId}-${id}`))).status).toBe(202);
    }
    const { tasks } = await eventually(() => h.tasks.listTasks({ journeyId }), (p) => p.tasks.some((t) => t.kind === 'draw-up-pip'), 15_000);
    const task = tasks.find((t) => t.kind === 'draw-up-pip')!;
    const url = `/v1/tasks/${task.id}`;
    expect((await h.as('caseworker').post(`${url}/claim`)).status).toBe(200);
    await h.settled(journeyId);

    process.kill(server.pid!, 'SIGSTOP');
    frozen = true;
    const started = Date.now();
    const done = await h.as('caseworker').post(`${url}/complete`, { form: { pipDate: '2025-06-01', leerroute: 'b1' } });
    timings['completion during the stall'] = Date.now() - started;
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'completed', completedBy: 'cw-anna' });
    // Recorded, and the signal it owes the journey waits in the same store.
    expect((await h.tasks.getTask(task.id))!.status).toBe('completed');
    expect((await pending()).map((p) => [p.journey_id, p.signal])).toEqual([[journeyId, 'taskCompleted']]);
    // A repeat with another form is refused, naming the first; the same form answers as before.
    const other = await h.as('caseworker').post(`${url}/complete`, { form: { pipDate: '2025-06-02', leerroute: 'b1' } });
    expect(other.status).toBe(409);
    expect(other.body.detail).toMatch(/^task was completed by cw-anna at \d{4}-\d\d-\d\dT.* with another form$/);
    expect(other.body).toMatchObject({ completedBy: 'cw-anna', completedAt: expect.any(String) });

    process.kill(server.pid!, 'SIGCONT');
    frozen = false;
    const back = Date.now();
    // Nobody retries: the relay delivers it, and the journey moves on (the PIP clock is met).
    const state = await eventually(() => h.client.workflow.getHandle(journeyId).query(stateQuery).catch(() => undefined), (s) => s?.events.some((e) => e.id === task.key) === true, 30_000);
    timings['journey has the completion after Temporal is back'] = Date.now() - back;
    expect(state?.events.filter((e) => e.id === task.key)).toEqual([expect.objectContaining({ type: 'nl.koers.pip.established', occurredOn: '2025-06-01' })]);
    expect(state?.openTasks.map((t) => t.kind)).not.toContain('draw-up-pip');
    expect(await eventually(pending, (rows) => rows.length === 0, 5000)).toEqual([]);
    expect((await h.as('caseworker').post(`${url}/complete`, { form: { pipDate: '2025-06-01', leerroute: 'b1' } })).status).toBe(200);
  });

  it('moves a journey during the stall: the index and the journey end up in the same municipality', async () => {
    const journeyId = await h.createJourney();
    await h.settled(journeyId);
    process.kill(server.pid!, 'SIGSTOP');
    frozen = true;
    const moved = await h.as('admin').post(`/v1/journeys/${journeyId}/move`, { municipality: 'midden-drenthe' });
    process.kill(server.pid!, 'SIGCONT');
    frozen = false;
    expect(moved.status).toBe(202);
    expect(await h.persons.municipalityOf(journeyId)).toBe('midden-drenthe');
    const state = await eventually(() => h.client.workflow.getHandle(journeyId).query(stateQuery).catch(() => undefined), (s) => s?.municipality === 'midden-drenthe', 30_000);
    expect(state?.municipality).toBe('midden-drenthe');
    expect(await eventually(pending, (rows) => rows.length === 0, 5000)).toEqual([]);
  });

  it('answers a batch of events during the stall by one deadline, each event with its own outcome', async () => {
    const journeyId = await h.createJourney({ permitGrantedOn: '2025-03-14' });
    await h.settled(journeyId);
    const batch = Array.from({ length: 20 }, (_, i) => cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-04-01' }, `${journeyId}-batch-${i}`));
    process.kill(server.pid!, 'SIGSTOP');
    frozen = true;
    const started = Date.now();
    const res = await h.as('partnerBrp').post(`/v1/journeys/${journeyId}/events`, batch, 'application/cloudevents-batch+json');
    timings['batch of 20 during the stall'] = Date.now() - started;
    process.kill(server.pid!, 'SIGCONT');
    frozen = false;
    expect(res.status).toBe(207);
    expect(res.body.results.map((r: { index: number; status: number }) => [r.index, r.status])).toEqual(batch.map((_, i) => [i, 503]));
    // One Temporal call's deadline for the batch, not one per event.
    expect(timings['batch of 20 during the stall']).toBeLessThan(2 * TIMEOUT_MS);
    // Sent again once Temporal answers: each event is new (nothing was half-kept), the journey applies it once.
    const again = await eventually(() => h.as('partnerBrp').post(`/v1/journeys/${journeyId}/events`, batch, 'application/cloudevents-batch+json'), (r) => r.body.results?.every((x: { status: number }) => x.status === 202), 30_000);
    expect(again.body.results.map((r: { status: number }) => r.status)).toEqual(batch.map(() => 202));
  });
});
