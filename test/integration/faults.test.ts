/**
 * Fault tests that stay in CI (issue 8): the worker and the API are killed with SIGKILL in the middle
 * of a load of events over 100 journeys while clients retry what got no answer; then the Temporal
 * server (the embedded one's code, on its SQLite file) is restarted under the running journeys.
 * Afterwards every accepted event is applied, no task or notification exists twice, every journey's
 * clocks equal those of a journey given the same events in calm conditions, and every pending timer
 * survived the restart. The figures are printed for the record.
 */
import { journeyCalls, retryingClient } from '../helpers/retrying-client';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { closeClient, connectClient } from '../../platform/temporal';
import { openDatabase, type Db } from '../../store/db';
import { startDevServer, type DevServer } from '../../platform/dev-server';
import { freePort } from '../helpers/ports';
import { startKoersProcess, type KoersProcess } from '../helpers/koers-process';

jest.setTimeout(300_000);

const JOURNEYS = 100;
/** Dates before today, so the journeys have clocks running into the future (and timers pending). */
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
const PERMIT_GRANTED_ON = daysAgo(120);
// The intake long enough ago that the re-integration clock is overdue: an escalation is queued at once.
const EVENTS = [
  { type: 'nl.koers.brp.registered', data: { occurredOn: daysAgo(30) } },
  { type: 'nl.koers.bijstand.applied', data: { occurredOn: daysAgo(20) } },
  { type: 'nl.koers.intake.held', data: { occurredOn: daysAgo(100) } },
];

/** Runs `fn` over `items`, `limit` at a time. */
async function eachBounded<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}
const ADMIN = 'fault-admin-key-0123456789abcdef';
const PARTNER = 'fault-partner-key-0123456789abcdef';

type Clock = { name: string; status: string; startsOn: string; targetDate?: string; finalDate: string };
type Journey = { journeyId: string; status: string; clocks: Clock[]; openTasks: Array<{ taskId: string; kind: string }> };

describe('faults: SIGKILL of worker and API under load, restart of the Temporal server', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koers-faults-'));
  let server: DevServer;
  let serverOptions: Parameters<typeof startDevServer>[0];
  let env: Record<string, string>;
  let api: KoersProcess;
  let worker: KoersProcess;
  let db: Db;
  let client: Client;
  let base = '';
  const figures: Record<string, unknown> = {};

  beforeAll(async () => {
    serverOptions = { port: await freePort(), uiPort: await freePort(), dbFile: path.join(dir, 'temporal.db'), namespace: 'default' };
    server = await startDevServer(serverOptions);
    const keysFile = path.join(dir, 'keys.json');
    fs.writeFileSync(
      keysFile,
      JSON.stringify([
        { key: ADMIN, role: 'admin', name: 'fault-admin' },
        { key: PARTNER, role: 'partner', name: 'brp', municipalities: ['borger-odoorn'], eventTypes: EVENTS.map((e) => e.type) },
      ]),
    );
    const notificationsFile = path.join(dir, 'notifications.json');
    const roles = ['regisseur-werk', 'sociaal-werker-participatie', 'statushouder-specialist', 'team-lead'];
    // Port 9 (discard): deliveries fail and retry; what counts here is what was queued.
    fs.writeFileSync(notificationsFile, JSON.stringify({ roles: { '*': Object.fromEntries(roles.map((r) => [r, { channel: 'webhook', recipient: `http://127.0.0.1:9/${r}` }])) } }));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = {
      PORT: String(port),
      TEMPORAL_ADDRESS: server.address,
      KOERS_DATA_DIR: dir,
      KOERS_DATABASE_URL: `sqlite:${path.join(dir, 'koers.db')}`,
      KOERS_API_KEYS_FILE: keysFile,
      KOERS_SECRET_KEY: 'fault-test-secret-0123456789-0123456789',
      KOERS_TASK_QUEUE: `faults-${process.pid}`,
      KOERS_NOTIFICATIONS_FILE: notificationsFile,
      KOERS_WEBHOOK_SECRET: 'fault-webhook-secret-0123456789',
    };
    worker = startKoersProcess('worker', env);
    api = startKoersProcess('api', env);
    await Promise.all([worker.ready, api.ready]);
    db = openDatabase(env.KOERS_DATABASE_URL!);
    client = await connectClient({ namespace: 'default' }, server.address);
  });

  afterAll(async () => {
    console.log(`fault run: ${JSON.stringify(figures)}`);
    await api?.kill();
    await worker?.kill();
    if (client) await closeClient(client);
    await db?.destroy();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const partner = retryingClient(() => base, { requestTimeoutMs: 15_000, pauseMs: 200 });
  const { send } = partner;


  const journeys = journeyCalls(send, { admin: ADMIN, partner: PARTNER }, 'borger-odoorn');
  const createJourney = (personRef: string) => journeys.createJourney(personRef, PERMIT_GRANTED_ON);
  const sendEvent = (journeyId: string, index: number, eventId: string) => journeys.sendEvent(journeyId, EVENTS[index]!, eventId);
  const read = (journeyId: string) => journeys.read<Journey>(journeyId);

  /** Pending timers of a journey's current run, from its history. */
  async function pendingTimers(journeyId: string): Promise<string[]> {
    const history = await client.workflow.getHandle(journeyId).fetchHistory();
    const started = new Set<string>();
    for (const e of history.events ?? []) {
      if (e.timerStartedEventAttributes?.timerId) started.add(e.timerStartedEventAttributes.timerId);
      if (e.timerFiredEventAttributes?.timerId) started.delete(e.timerFiredEventAttributes.timerId);
      if (e.timerCanceledEventAttributes?.timerId) started.delete(e.timerCanceledEventAttributes.timerId);
    }
    return [...started].sort();
  }

  const journeyIds: string[] = [];
  let reference: Journey;

  it('applies every accepted event exactly once while the worker and the API are killed and restarted', async () => {
    const run = crypto.randomBytes(4).toString('hex');
    const total = JOURNEYS * (1 + EVENTS.length);
    let answered = 0;
    const started = Date.now();
    let workerKilledAt = 0;
    let apiKilledAt = 0;
    const chaos = (async () => {
      while (answered < total * 0.3) await new Promise((resolve) => setTimeout(resolve, 20));
      workerKilledAt = answered;
      await worker.kill('SIGKILL');
      worker = startKoersProcess('worker', env);
      while (answered < total * 0.6) await new Promise((resolve) => setTimeout(resolve, 20));
      apiKilledAt = answered;
      await api.kill('SIGKILL');
      api = startKoersProcess('api', env);
      await Promise.all([worker.ready, api.ready]);
    })();

    // Ten clients, each working through its share of the journeys: create, then the three events in order.
    const lanes = Array.from({ length: 10 }, async (_, lane) => {
      for (let i = lane; i < JOURNEYS; i += 10) {
        const journeyId = await createJourney(`fault-${run}-${i}`);
        answered += 1;
        journeyIds[i] = journeyId;
        for (let e = 0; e < EVENTS.length; e++) {
          await sendEvent(journeyId, e, `fault-${run}-${i}-${e}`);
          answered += 1;
        }
      }
    });
    await Promise.all(lanes);
    await chaos;
    figures.journeys = JOURNEYS;
    figures.events = JOURNEYS * EVENTS.length;
    figures.requestsAnswered = answered;
    figures.workerKilledAfterAnswers = workerKilledAt;
    figures.apiKilledAfterAnswers = apiKilledAt;
    figures.clientRetries = partner.counts.retries;
    figures.serverErrorsRetried = partner.counts.serverErrors;
    figures.loadSeconds = Math.round((Date.now() - started) / 100) / 10;
    expect(workerKilledAt).toBeGreaterThan(0);
    expect(apiKilledAt).toBeGreaterThan(workerKilledAt);

    // The same person and events in calm conditions: what every journey must show.
    const referenceId = await createJourney(`fault-${run}-reference`);
    for (let e = 0; e < EVENTS.length; e++) await sendEvent(referenceId, e, `fault-${run}-reference-${e}`);
    const settle = Date.now();
    const applied = async (journeyId: string) => {
      const timeline = (await send('GET', `/v1/journeys/${journeyId}/events`, ADMIN)).body as { events: Array<{ id: string; applied: boolean }> };
      return timeline.events.filter((e) => e.applied).length;
    };
    const deadline = Date.now() + 90_000;
    while ((await applied(referenceId)) < EVENTS.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    reference = await read(referenceId);
    expect(reference.status).toBe('running');

    let lost = 0;
    const clockMismatches: string[] = [];
    await eachBounded(journeyIds, 8, async (journeyId) => {
      let count = await applied(journeyId);
      while (count < EVENTS.length && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        count = await applied(journeyId);
      }
      lost += EVENTS.length - count;
      const journey = await read(journeyId);
      if (JSON.stringify(journey.clocks) !== JSON.stringify(reference.clocks)) clockMismatches.push(journeyId);
    });
    figures.settleSeconds = Math.round((Date.now() - settle) / 100) / 10;
    figures.eventsLost = lost;
    figures.journeysWithWrongClocks = clockMismatches.length;
    expect(new Set(journeyIds).size).toBe(JOURNEYS);
    expect(lost).toBe(0);
    expect(clockMismatches).toEqual([]);

    // No task and no notification twice: the store holds for each journey exactly what the calm one has.
    const shape = async (journeyId: string) => {
      const tasks = await db.selectFrom('tasks').select(['key', 'status']).where('journey_id', '=', journeyId).orderBy('key').execute();
      const outbox = await db.selectFrom('outbox').select('idempotency_key').where('idempotency_key', 'like', `${journeyId}:%`).orderBy('idempotency_key').execute();
      return { tasks: tasks.map((t) => `${t.key}:${t.status}`), notifications: outbox.map((o) => o.idempotency_key.slice(journeyId.length + 1)) };
    };
    const expected = await shape(referenceId);
    const catchUp = Date.now();
    // An activity the killed worker was running is retried after its start-to-close timeout (1 minute):
    // until then that journey's projection lags. Wait for all together, that long at most.
    const shapes = new Map<string, Awaited<ReturnType<typeof shape>>>();
    let behind = [...journeyIds];
    const catchUpDeadline = Date.now() + 80_000;
    for (;;) {
      await eachBounded(behind, 8, async (journeyId) => void shapes.set(journeyId, await shape(journeyId)));
      behind = behind.filter((journeyId) => JSON.stringify(shapes.get(journeyId)) !== JSON.stringify(expected));
      if (behind.length === 0 || Date.now() > catchUpDeadline) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    let duplicated = 0;
    const wrong: string[] = [];
    if (behind.length > 0) figures.exampleDifference = { expected, actual: shapes.get(behind[0]!) };
    await eachBounded(journeyIds, 8, async (journeyId) => {
      const actual = shapes.get(journeyId)!;
      duplicated += Math.max(0, actual.tasks.length - expected.tasks.length) + Math.max(0, actual.notifications.length - expected.notifications.length);
      if (JSON.stringify(actual) !== JSON.stringify(expected)) wrong.push(journeyId);
      // The journey's own view of its open tasks matches the projection.
      const journey = await read(journeyId);
      const open = await db.selectFrom('tasks').select('id').where('journey_id', '=', journeyId).where('status', 'in', ['open', 'claimed']).execute();
      if (open.length !== journey.openTasks.length) wrong.push(`${journeyId} (open tasks)`);
    });
    figures.projectionCatchUpSeconds = Math.round((Date.now() - catchUp) / 100) / 10;
    figures.tasksPerJourney = expected.tasks.length;
    figures.notificationsPerJourney = expected.notifications.length;
    figures.duplicatedEffects = duplicated;
    expect(expected.tasks.length).toBeGreaterThan(0);
    expect(expected.notifications.length).toBeGreaterThan(0);
    expect(duplicated).toBe(0);
    expect(wrong).toEqual([]);
  });

  it('keeps every journey and every pending timer across a restart of the Temporal server', async () => {
    expect(journeyIds).toHaveLength(JOURNEYS);
    const before = new Map<string, string[]>();
    await eachBounded(journeyIds, 8, async (journeyId) => void before.set(journeyId, await pendingTimers(journeyId)));
    const timers = [...before.values()].reduce((n, t) => n + t.length, 0);
    figures.pendingTimersBeforeRestart = timers;
    expect(timers).toBeGreaterThanOrEqual(JOURNEYS);

    const stopped = Date.now();
    await server.stop();
    server = await startDevServer(serverOptions);
    // The API and the worker reconnect by themselves.
    let health = 0;
    while (health !== 200 && Date.now() - stopped < 60_000) {
      health = await fetch(`${base}/health`).then((r) => r.status, () => 0);
      if (health !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    figures.temporalRestartSeconds = Math.round((Date.now() - stopped) / 100) / 10;
    expect(health).toBe(200);

    let lostTimers = 0;
    let notRunning = 0;
    await eachBounded(journeyIds, 8, async (journeyId) => {
      const description = await client.workflow.getHandle(journeyId).describe();
      if (description.status.name !== 'RUNNING') notRunning += 1;
      const after = await pendingTimers(journeyId);
      lostTimers += before.get(journeyId)!.filter((t) => !after.includes(t)).length;
    });
    figures.journeysNotRunningAfterRestart = notRunning;
    expect(notRunning).toBe(0);
    figures.pendingTimersLost = lostTimers;
    expect(lostTimers).toBe(0);
    // And they still answer and compute the same clocks (the worker is back on the restarted server).
    for (const journeyId of journeyIds.slice(0, 10)) expect((await read(journeyId)).clocks).toEqual(reference.clocks);
  });
});
