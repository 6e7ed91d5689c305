import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import type { JourneyActivities } from '../activities';
import { failureConverterPath } from '../platform/codec';

export const workflowsPath = require.resolve('../workflows');

/**
 * Modules evaluated once per worker thread and shared by every workflow in it (reuseV8Context), instead
 * of once per cached workflow: the pure domain with zod, warmed up before the SDK freezes them (see
 * workflows/shared-modules.ts). Evaluated per workflow they were most of a cached journey's memory
 * (bench/worker-memory.ts). Nothing shared may hold per-workflow state or call Temporal's APIs.
 */
/** The workflow interceptors (workflows/interceptors.ts): a payload Koers did not seal reaches no handler. */
export const workflowInterceptorModules = [require.resolve('../workflows/interceptors')];

export const sharedWorkflowModules = [require.resolve('../workflows/shared-modules')];

/**
 * Bundles the workflow code once; tests and benchmarks reuse the bundle across workers. `shareModules:
 * false` evaluates the domain per workflow, as before {@link sharedWorkflowModules}: only the memory
 * benchmark's baseline wants that.
 */
export async function bundleWorkflows(options: { shareModules?: boolean } = {}): Promise<WorkflowBundleOption> {
  // The failure converter runs inside the sandbox: it must be in the bundle (see platform/failure-converter.ts).
  const preloadModules = options.shareModules === false ? [] : sharedWorkflowModules;
  const { code } = await bundleWorkflowCode({ workflowsPath, workflowInterceptorModules, failureConverterPath, preloadModules, logger: quietBundlerLogger });
  return { code };
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

export interface JourneyWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: JourneyActivities;
  workflowBundle?: WorkflowBundleOption;
  /** `koersDataConverter(codec)` (platform/codec.ts): the worker encrypts and decrypts every payload. */
  dataConverter: DataConverter;
  /**
   * Journeys kept in the sticky cache (KOERS_MAX_CACHED_WORKFLOWS): the worker's memory is about this
   * times the cost of one cached journey (bench/worker-memory.ts); a journey outside it replays its
   * history on its next task. Default: the SDK's, derived from the heap limit.
   */
  maxCachedWorkflows?: number;
}

export function createJourneyWorker(options: JourneyWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    dataConverter: options.dataConverter,
    ...(options.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
    // Half the workflow-task polls on the shared queue instead of the SDK's fifth: after a restart or
    // a deploy, and for every journey outside the cache, the next task comes from there.
    nonStickyToStickyPollRatio: 0.5,
    // Without a prebuilt bundle (npm start) the SDK bundles, with the same shared modules as bundleWorkflows.
    // Without a prebuilt bundle the SDK bundles with these interceptors; bundleWorkflows passes the same ones.
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath, bundlerOptions: { preloadModules: sharedWorkflowModules }, interceptors: { workflowModules: workflowInterceptorModules } }),
  });
}
