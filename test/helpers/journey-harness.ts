import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { amsterdamDateOf, addDays } from '../../domain/dates';
import { findPolicy } from '../../domain/policies';
import type { JourneyEvent, EventType } from '../../domain/events';
import type { LocalDate, Regime } from '../../domain/types';
import { createActivities } from '../../activities';
import { openDatabase } from '../../store/db';
import { migrateToLatest } from '../../store/migrations';
import { TaskStore } from '../../store/tasks';
import { Outbox } from '../../store/outbox';
import { createJourneyWorker } from '../../worker';
import { eventSignal, JOURNEY_WORKFLOW, stateQuery, type JourneyState, type StartJourneyInput } from '../../workflows/definitions';

let sequence = 0;

/** A worker on the real test server with the real activities on an embedded store. */
export async function journeyHarness(env: TestWorkflowEnvironment) {
  const db = openDatabase('sqlite::memory:');
  await migrateToLatest(db);
  const tasks = new TaskStore(db);
  const outbox = new Outbox(db);
  const taskQueue = `test-${process.pid}-${++sequence}`;
  const bundlePath = process.env.KOERS_TEST_WORKFLOW_BUNDLE;
  const worker: Worker = await createJourneyWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    activities: createActivities({ tasks, outbox, recipients: {} }),
    workflowBundle: bundlePath ? { codePath: bundlePath } : undefined,
  });

  const today = async (): Promise<LocalDate> => amsterdamDateOf(await env.currentTimeMs());
  let journeys = 0;

  return {
    worker,
    db,
    tasks,
    outbox,
    taskQueue,
    today,
    /** Jumps virtual time to the start of `date` + 1 hour in Amsterdam (timers on the way fire). */
    async advanceTo(date: LocalDate): Promise<void> {
      const current = await today();
      if (date <= current) return;
      const target = Date.parse(`${date}T12:00:00Z`);
      await env.sleep(target - (await env.currentTimeMs()));
    },
    async start(options: { municipality?: string; regime?: Regime; permitGrantedOn: LocalDate; birthDate?: LocalDate; version?: number }): Promise<WorkflowHandle> {
      const municipality = options.municipality ?? 'borger-odoorn';
      const policy = findPolicy(municipality, options.version)!;
      const journeyId = `j-test-${taskQueue}-${++journeys}`;
      const input: StartJourneyInput = {
        journeyId,
        municipality,
        regime: options.regime ?? (options.permitGrantedOn < '2022-01-01' ? 'wi2013' : 'wi2021'),
        permitGrantedOn: options.permitGrantedOn,
        birthDate: options.birthDate,
        policy,
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
    addDays,
    async close() {
      await db.destroy();
    },
  };
}

export type JourneyHarness = Awaited<ReturnType<typeof journeyHarness>>;
