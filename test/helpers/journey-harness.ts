import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { isGrpcDeadlineError, type WorkflowHandle } from '@temporalio/client';
import { amsterdamDateOf } from '../../domain/dates';
import { findPolicy } from '../../domain/policies';
import type { JourneyEvent, EventType } from '../../domain/events';
import type { Clock, ClockName, LocalDate, Regime } from '../../domain/types';
import { createLocalEnv, createTimeSkippingEnv } from './temporal-env';
import { createActivities } from '../../activities';
import { openDatabase } from '../../store/db';
import { migrateToLatest } from '../../store/migrations';
import { TaskStore } from '../../store/tasks';
import { Outbox } from '../../store/outbox';
import { JourneyReadModel } from '../../store/journeys';
import { createJourneyWorker } from '../../worker';
import { testWorkflowBundle } from './bundle-setup';
import { testDataConverter } from './codec';
import { eventSignal, JOURNEY_WORKFLOW, stateQuery, type JourneyState, type StartJourneyInput } from '../../workflows/definitions';

let sequence = 0;
/** Longest wait for one query in `until` before asking again. */
const QUERY_DEADLINE_MS = 5_000;

/** Every role routed to a local webhook address; the dispatcher is not run, so rows stay pending for assertions. */
export const testRecipients = {
  '*': Object.fromEntries(
    (['regisseur-werk', 'sociaal-werker-participatie', 'statushouder-specialist', 'team-lead'] as const).map((role) => [
      role,
      { channel: 'webhook' as const, recipient: `http://127.0.0.1:9/${role}` },
    ]),
  ),
};

/** A worker on the real test server with the real activities on an embedded store. */
export async function journeyHarness(env: TestWorkflowEnvironment) {
  const db = openDatabase('sqlite::memory:');
  await migrateToLatest(db);
  const tasks = new TaskStore(db);
  const outbox = new Outbox(db);
  const readModel = new JourneyReadModel(db);
  const taskQueue = `test-${process.pid}-${++sequence}`;
  const worker: Worker = await createJourneyWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    activities: createActivities({ db, tasks, outbox, journeys: readModel, recipients: testRecipients }),
    workflowBundle: await testWorkflowBundle(),
    dataConverter: testDataConverter,
  });

  // One worker for the whole test file; a Worker cannot run again once shut down.
  const running = worker.run();
  const today = async (): Promise<LocalDate> => amsterdamDateOf(await env.currentTimeMs());
  let journeys = 0;

  return {
    worker,
    db,
    tasks,
    outbox,
    readModel,
    taskQueue,
    today,
    /** Jumps virtual time to the start of `date` + 1 hour in Amsterdam (timers on the way fire). */
    async advanceTo(date: LocalDate): Promise<void> {
      const current = await today();
      if (date <= current) return;
      const target = Date.parse(`${date}T12:00:00Z`);
      await env.sleep(target - (await env.currentTimeMs()));
    },
    async start(options: { municipality?: string; regime?: Regime; permitGrantedOn: LocalDate; birthDate?: LocalDate; maxHistoryEvents?: number }): Promise<WorkflowHandle> {
      const municipality = options.municipality ?? 'borger-odoorn';
      const policy = findPolicy(municipality)!;
      const journeyId = `j-test-${taskQueue}-${++journeys}`;
      const input: StartJourneyInput = {
        journeyId,
        municipality,
        regime: options.regime ?? (options.permitGrantedOn < '2022-01-01' ? 'wi2013' : 'wi2021'),
        permitGrantedOn: options.permitGrantedOn,
        birthDate: options.birthDate,
        policy,
        maxHistoryEvents: options.maxHistoryEvents,
      };
      return env.client.workflow.start(JOURNEY_WORKFLOW, { workflowId: journeyId, taskQueue, args: [input] });
    },
    async send(handle: WorkflowHandle, type: EventType, occurredOn: LocalDate, data: Record<string, unknown> = {}, id?: string): Promise<JourneyEvent> {
      const event: JourneyEvent = {
        source: 'urn:test',
        id: id ?? `${type}-${occurredOn}-${Math.random().toString(36).slice(2)}`,
        type,
        occurredOn,
        data: { occurredOn, ...data },
        receivedAt: new Date(await env.currentTimeMs()).toISOString(),
        actor: { name: 'test partner', role: 'partner' },
      };
      await handle.signal(eventSignal, event);
      return event;
    },
    state: (handle: WorkflowHandle): Promise<JourneyState> => handle.query(stateQuery),
    /**
     * Waits (in real time, without skipping) until the journey's state satisfies `ok`. Each query has a
     * deadline too: a query waits for the workflow task in flight, and a task the server strands
     * (see `useJourneyHarness`) would hold it, and the test, for good.
     */
    async until(handle: WorkflowHandle, ok: (state: JourneyState) => boolean, timeoutMs = 10_000): Promise<JourneyState> {
      const deadline = Date.now() + timeoutMs;
      let state: JourneyState | undefined;
      for (;;) {
        state = await env.client
          .withDeadline(Math.min(deadline, Date.now() + QUERY_DEADLINE_MS), () => handle.query(stateQuery))
          .catch((err: unknown) => {
            if (!isGrpcDeadlineError(err)) throw err;
            if (Date.now() > deadline) throw new Error(`journey never answered its query in ${timeoutMs} ms (last state: ${JSON.stringify(state, null, 1)?.slice(0, 2000)})`, { cause: err });
            return state;
          });
        if (state && ok(state)) return state;
        if (Date.now() > deadline) throw new Error(`journey never reached the expected state: ${JSON.stringify(state, null, 1)?.slice(0, 3000)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    /** Polls (in real time) until `read` gives a value `ok` accepts: the store is projected by activities, after the query shows the state. */
    async eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await read();
        if (ok(value) || Date.now() > deadline) return value;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    /** The reminders and escalations a journey queued, oldest first. */
    async notifications(handle: WorkflowHandle): Promise<Array<{ kind: string; key: string; recipient: string }>> {
      const rows = await db
        .selectFrom('outbox')
        .select(['kind', 'idempotency_key', 'recipient'])
        .where('idempotency_key', 'like', `${handle.workflowId}:%`)
        .orderBy('created_at')
        .execute();
      return rows.map((r) => ({ kind: r.kind, key: r.idempotency_key.slice(handle.workflowId.length + 1), recipient: r.recipient }));
    },
    /** Ends a journey a test is done with (it may have finished by itself). */
    async finish(handle: WorkflowHandle): Promise<void> {
      const { status } = await handle.describe();
      if (status.name === 'RUNNING') await handle.terminate('test done');
    },
    /** Saves the history for the replay test when KOERS_RECORD_HISTORIES is set. */
    async record(name: string, handle: WorkflowHandle): Promise<void> {
      if (!process.env.KOERS_RECORD_HISTORIES) return;
      const history = await handle.fetchHistory();
      const dir = path.resolve(__dirname, '../workflow/histories');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${name}.json`), historyToJSON(history));
    },
    async close() {
      worker.shutdown();
      await running;
      await db.destroy();
    },
  };
}

export type JourneyHarness = Awaited<ReturnType<typeof journeyHarness>>;

/**
 * A fresh server and worker for every test of the calling file: virtual time only moves forward, and
 * each test sets its own dates.
 *
 * `server: 'dev'` runs the real dev server (the Temporal CLI) instead of the time-skipping one, for a
 * test that needs no virtual time but leans on the server's handling of workflow tasks: the
 * time-skipping server refuses a completion that cancels a timer it has already fired or dropped
 * ("invalid history builder state for action", temporalio/sdk-java#3088) and then never times the
 * task out nor sends it again, so the journey waits forever. A journey taking signals while it
 * continues as new (its completion refused as UNHANDLED_COMMAND, then retried) hits that now and then.
 */
export function useJourneyHarness(options: { server?: 'time-skipping' | 'dev' } = {}): { env: TestWorkflowEnvironment; h: JourneyHarness } {
  const context = {} as { env: TestWorkflowEnvironment; h: JourneyHarness };
  beforeEach(async () => {
    context.env = await (options.server === 'dev' ? createLocalEnv() : createTimeSkippingEnv());
    context.h = await journeyHarness(context.env);
  });
  afterEach(async () => {
    await context.h?.close();
    await context.env?.teardown();
  });
  return context;
}

export const clockOf = (state: JourneyState, name: ClockName): Clock | undefined => state.clocks.find((c) => c.name === name);
