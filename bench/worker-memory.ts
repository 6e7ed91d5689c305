/**
 * What one cached journey costs the worker: starts `journeys` journeys on a fresh embedded dev server
 * against a worker in this process with a sticky cache of `maxCachedWorkflows`, waits until every
 * journey has run its first workflow task and the worker is idle, and reports the growth of the
 * process's RSS and of this thread's V8 heap per cached journey (bytes, and MB = 2^20 bytes).
 *
 * RSS is the figure that counts: the workflows run in the SDK's worker thread (its own V8 heap) and
 * the SDK core keeps each cached run's state machines in Rust, neither of which this thread's heap
 * shows. Run with `node --expose-gc` so the heap figures are after a full collection.
 *
 * `node --expose-gc -r @swc-node/register bench/worker-memory.ts [journeys] [cache|default] [unshared]`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { TypedSearchAttributes, type SearchAttributePair } from '@temporalio/common';
import { startDevServer } from '../platform/dev-server';
import { EncryptionCodec, derivedPayloadKey, koersDataConverter } from '../platform/codec';
import { journeySearchAttributePairs } from '../platform/search-attributes';
import { bundleWorkflows, createJourneyWorker } from '../worker';
import { createActivities } from '../activities';
import { openDatabase } from '../store/db';
import { migrateToLatest } from '../store/migrations';
import { TaskStore } from '../store/tasks';
import { Outbox } from '../store/outbox';
import { RetentionStore } from '../store/retention';
import { StaffPseudonyms } from '../store/staff-pseudonyms';
import { JourneyReadModel } from '../store/journeys';
import { findPolicy } from '../domain/policies';
import { JOURNEY_WORKFLOW, type StartJourneyInput } from '../workflows/definitions';

export interface WorkerMemoryOptions {
  /** Active journeys started (each runs its first workflow task and then sleeps on a timer). */
  journeys: number;
  /** The worker's sticky cache (WorkerOptions.maxCachedWorkflows); undefined: the SDK's default. */
  maxCachedWorkflows?: number;
  /** Concurrent starts (default 50). */
  concurrency?: number;
  /** false: the domain evaluated per workflow (worker/index.ts sharedWorkflowModules), the baseline. */
  shareModules?: boolean;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface WorkerMemoryResult {
  journeys: number;
  maxCachedWorkflows: number | 'sdk-default';
  shareModules: boolean;
  /** Journeys in the cache when measured (Worker.getStatus().numCachedWorkflows). */
  cachedWorkflows: number;
  /** Growth of the process's resident set from an idle worker to `journeys` started journeys (bytes). */
  rssBytes: number;
  /** Growth of this thread's V8 heap after a full GC (bytes); the workflows' own heap is in a worker thread. */
  mainHeapBytes: number;
  /** rssBytes / cachedWorkflows, in MB (2^20 bytes). */
  rssMbPerCachedJourney: number;
  /** This process's V8 heap limit (MB), as --max-old-space-size or KOERS_HEAP_MB sets it. */
  heapLimitMb: number;
  /** Seconds from the first start to the last journey's first task. */
  loadSeconds: number;
}

const MB = 2 ** 20;

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function settle(worker: Worker, idleMs = 1500): Promise<void> {
  let idleSince = Date.now();
  for (;;) {
    const status = worker.getStatus();
    if (status.numInFlightWorkflowActivations > 0 || status.numInFlightActivities > 0) idleSince = Date.now();
    if (Date.now() - idleSince >= idleMs) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function snapshot(): { rss: number; heap: number } {
  gc();
  gc();
  return { rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed };
}

/** Runs one measurement on its own dev server and store; everything it starts is stopped before it resolves. */
export async function measureWorkerMemory(options: WorkerMemoryOptions): Promise<WorkerMemoryResult> {
  const log = options.log ?? (() => undefined);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koers-worker-memory-'));
  const port = 21_000 + Math.floor(Math.random() * 9_000);
  const server = await startDevServer({ port, uiPort: port + 1000, dbFile: path.join(dir, 'temporal.db'), namespace: 'default' });
  const db = openDatabase(`sqlite:${path.join(dir, 'koers.db')}`);
  const stops: Array<() => Promise<unknown>> = [async () => server.stop(), async () => db.destroy()];
  try {
    await migrateToLatest(db);
    const dataConverter = koersDataConverter(new EncryptionCodec([derivedPayloadKey(crypto.randomBytes(32).toString('base64url'))]));
    const connection = await Connection.connect({ address: server.address });
    stops.unshift(() => connection.close());
    const client = new Client({ connection, dataConverter });
    const taskQueue = 'worker-memory';
    const firstTaskDone = new Set<string>();
    const activities = createActivities({ db, tasks: new TaskStore(db), outbox: new Outbox(db), journeys: new JourneyReadModel(db), recipients: {}, retention: new RetentionStore(db), staffPseudonyms: new StaffPseudonyms(db) });
    // A journey's first step syncs its tasks: by the one local activity, or by the activity of journeys recorded before it.
    const { syncJourney, syncJourneyTasks } = activities;
    activities.syncJourney = async (input) => {
      const result = await syncJourney(input);
      firstTaskDone.add(input.journeyId);
      return result;
    };
    activities.syncJourneyTasks = async (input) => {
      const result = await syncJourneyTasks(input);
      firstTaskDone.add(input.journeyId);
      return result;
    };
    const nativeConnection = await NativeConnection.connect({ address: server.address });
    stops.unshift(() => nativeConnection.close());
    const worker = await createJourneyWorker({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      activities,
      dataConverter,
      workflowBundle: await bundleWorkflows({ shareModules: options.shareModules }),
      maxCachedWorkflows: options.maxCachedWorkflows,
    });
    const running = worker.run();
    stops.unshift(async () => {
      worker.shutdown();
      await running;
    });

    const policy = findPolicy('borger-odoorn')!;
    const start = (i: number) => {
      const input: StartJourneyInput = {
        journeyId: `mem-${i}`,
        municipality: 'borger-odoorn',
        regime: 'wi2021',
        permitGrantedOn: '2026-06-01',
        birthDate: '1990-05-01',
        policy,
      };
      const pairs = journeySearchAttributePairs({ municipality: 'borger-odoorn', phase: 'intake', regime: 'wi2021', overdue: false, caseworker: { role: policy.defaultCaseworkerRole } });
      return client.workflow.start(JOURNEY_WORKFLOW, {
        workflowId: input.journeyId,
        taskQueue,
        args: [input],
        typedSearchAttributes: new TypedSearchAttributes(pairs.filter((pair): pair is SearchAttributePair => pair.value !== null)),
      });
    };

    // Warm up: the workflow context, the bundle and the SDK's pools exist before the baseline.
    const warmUp = 20;
    await Promise.all(Array.from({ length: warmUp }, (_, i) => start(-1 - i)));
    while (firstTaskDone.size < warmUp) await new Promise((resolve) => setTimeout(resolve, 100));
    await settle(worker);
    const before = snapshot();
    const cachedBefore = worker.getStatus().numCachedWorkflows;

    const loadStarted = Date.now();
    const concurrency = options.concurrency ?? 50;
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < options.journeys) await start(next++);
      }),
    );
    let lastLog = 0;
    while (firstTaskDone.size < options.journeys + warmUp) {
      if (Date.now() - lastLog > 5000) {
        log(`  ${firstTaskDone.size - warmUp}/${options.journeys} journeys ran their first task; ${worker.getStatus().numCachedWorkflows} cached`);
        lastLog = Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const loadSeconds = (Date.now() - loadStarted) / 1000;
    await settle(worker);
    const after = snapshot();
    const cachedWorkflows = worker.getStatus().numCachedWorkflows;
    const added = cachedWorkflows - cachedBefore;
    const rssBytes = after.rss - before.rss;
    return {
      journeys: options.journeys,
      maxCachedWorkflows: options.maxCachedWorkflows ?? 'sdk-default',
      shareModules: options.shareModules !== false,
      cachedWorkflows,
      rssBytes,
      mainHeapBytes: after.heap - before.heap,
      rssMbPerCachedJourney: added > 0 ? rssBytes / added / MB : NaN,
      heapLimitMb: Math.round(v8.getHeapStatistics().heap_size_limit / MB),
      loadSeconds,
    };
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const journeys = Number(process.argv[2] ?? 200);
  const cache = process.argv[3] === undefined || process.argv[3] === 'default' ? undefined : Number(process.argv[3]);
  const shareModules = process.argv[4] !== 'unshared';
  Runtime.install({ telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } }, logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m: string) => console.error(m) } });
  measureWorkerMemory({ journeys, maxCachedWorkflows: cache, shareModules, log: console.log })
    .then((result) => {
      console.log(JSON.stringify(result, null, 2));
      process.exit(0);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
