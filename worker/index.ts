import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import type { JourneyActivities } from '../activities';
import { failureConverterPath } from '../platform/codec';

export const workflowsPath = require.resolve('../workflows');

/** Bundles the workflow code once; tests and benchmarks reuse the bundle across workers. */
export async function bundleWorkflows(): Promise<WorkflowBundleOption> {
  // The failure converter runs inside the sandbox: it must be in the bundle (see platform/failure-converter.ts).
  const { code } = await bundleWorkflowCode({ workflowsPath, failureConverterPath, logger: quietBundlerLogger });
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
}

export function createJourneyWorker(options: JourneyWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    dataConverter: options.dataConverter,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
  });
}
