/**
 * The daily digest workflow, as the Schedule starts it (no arguments), on the time-skipping server
 * with the real activities and an embedded store: one digest per caseworker per day, and a second
 * run the same day (a restarted schedule, a manual trigger) queues nothing new.
 */
import { testDataConverter } from '../helpers/codec';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { Client } from '@temporalio/client';
import { createTimeSkippingEnv } from '../helpers/temporal-env';
import { testWorkflowBundle } from '../helpers/bundle-setup';
import { createActivities } from '../../activities';
import { JourneyReadModel } from '../../store/journeys';
import { createJourneyWorker } from '../../worker';
import { addDays, amsterdamDateOf } from '../../domain/dates';
import { taskIdFor } from '../../domain/tasks';
import type { LocalDate } from '../../domain/types';
import { openDatabase, type Db } from '../../store/db';
import { migrateToLatest } from '../../store/migrations';
import { Outbox } from '../../store/outbox';
import { TaskStore } from '../../store/tasks';
import { dailyDigestWorkflow } from '../../workflows';

let env: TestWorkflowEnvironment;
let db: Db;
let tasks: TaskStore;
let outbox: Outbox;
let worker: Worker;
let running: Promise<void>;
let taskQueue: string;
let runs = 0;

const users = {
  'cw-anna': { channel: 'email' as const, recipient: 'cw-anna@gemeente.example' },
  'cw-bram': { channel: 'webhook' as const, recipient: 'http://127.0.0.1:9/cw-bram' },
};

// A fresh server per test: virtual time only moves forward.
beforeEach(async () => {
  env = await createTimeSkippingEnv();
  db = openDatabase('sqlite::memory:');
  await migrateToLatest(db);
  tasks = new TaskStore(db);
  outbox = new Outbox(db);
  taskQueue = `digest-${process.pid}-${++runs}`;
  worker = await createJourneyWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    activities: createActivities({ db, tasks, outbox, journeys: new JourneyReadModel(db), recipients: {}, userRecipients: users, lang: 'nl' }),
    workflowBundle: await testWorkflowBundle(),
    dataConverter: testDataConverter,
  });
  running = worker.run();
});
afterEach(async () => {
  worker?.shutdown();
  await running;
  await db?.destroy();
  await env?.teardown();
});

const today = async (): Promise<LocalDate> => amsterdamDateOf(await env.currentTimeMs());
/** Moves virtual time to late morning of the next day, so a test's runs are hours away from midnight. */
async function nextMorning(): Promise<LocalDate> {
  const day = addDays(await today(), 1);
  await env.sleep(Date.parse(`${day}T10:00:00Z`) - (await env.currentTimeMs()));
  return day;
}
// A plain client: env.client lets the server skip time while it waits for a result, which would move the day.
const runDigest = () =>
  new Client({ connection: env.connection, namespace: env.namespace, dataConverter: testDataConverter }).workflow.execute(dailyDigestWorkflow, { workflowId: `digest-${taskQueue}-${++runs}`, taskQueue, args: [] });
const digests = () => db.selectFrom('outbox').select(['idempotency_key', 'recipient', 'channel', 'subject']).where('kind', '=', 'digest').orderBy('idempotency_key').execute();

/** Tasks of one journey due around `date`, claimed by cw-anna (two), cw-bram (one) and cw-carla (no address). */
async function seed(date: LocalDate): Promise<void> {
  const task = (key: string, dueDate: LocalDate) => ({ key, kind: 'hold-intake' as const, candidateGroup: 'regisseur-werk' as const, followUpDate: dueDate, dueDate });
  await tasks.syncJourneyTasks({
    journeyId: 'j-digest',
    municipality: 'borger-odoorn',
    tasks: [task('a', addDays(date, 2)), task('b', addDays(date, -1)), task('c', addDays(date, 3)), task('d', addDays(date, 4)), task('e', addDays(date, 1))],
  });
  await tasks.claim(taskIdFor('j-digest', 'a'), 'cw-anna');
  await tasks.claim(taskIdFor('j-digest', 'b'), 'cw-anna');
  await tasks.claim(taskIdFor('j-digest', 'c'), 'cw-bram');
  await tasks.claim(taskIdFor('j-digest', 'd'), 'cw-carla');
  // Task e is nobody's: no digest lists it.
}

describe('the daily digest workflow', () => {
  it("queues one digest per assignee for the day it starts on, and nothing more on a second run that day", async () => {
    const day = await nextMorning();
    await seed(day);

    expect(await runDigest()).toEqual({ enqueued: ['cw-anna', 'cw-bram'], duplicates: [], skipped: ['cw-carla'] });
    const first = await digests();
    expect(first).toEqual([
      expect.objectContaining({ idempotency_key: `digest:cw-anna:${day}`, channel: 'email', recipient: 'cw-anna@gemeente.example', subject: expect.stringMatching(/: 2 taken, 1 te laat$/) }),
      expect.objectContaining({ idempotency_key: `digest:cw-bram:${day}`, channel: 'webhook', subject: expect.stringMatching(/: 1 taak$/) }),
    ]);

    // Hours later the same day: duplicates only.
    await env.sleep('6 hours');
    expect(await today()).toBe(day);
    expect(await runDigest()).toEqual({ enqueued: [], duplicates: ['cw-anna', 'cw-bram'], skipped: ['cw-carla'] });
    expect(await digests()).toEqual(first);
  });

  it('queues the next day’s digests the next day', async () => {
    const day = await nextMorning();
    await seed(day);
    await runDigest();
    await env.sleep('1 day');
    const next = await today();
    expect(next).toBe(addDays(day, 1));

    expect((await runDigest()).enqueued).toEqual(['cw-anna', 'cw-bram']);
    expect((await digests()).map((d) => d.idempotency_key)).toEqual([`digest:cw-anna:${day}`, `digest:cw-anna:${next}`, `digest:cw-bram:${day}`, `digest:cw-bram:${next}`]);
  });
});
