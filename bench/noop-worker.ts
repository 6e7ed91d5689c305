/**
 * A worker for the no-op baseline (bench/noop-workflow.ts), run as its own process like Koers's
 * worker, on its own task queue: `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `BENCH_TASK_QUEUE` (and
 * Koers's `TEMPORAL_TLS_*` for a cluster with mutual TLS).
 * Prints `ready` on stdout once it polls; stops on SIGTERM.
 */
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { loadConfig } from '../platform/config';
import { connectWorker } from '../platform/temporal';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { logging: { filter: { core: 'WARN', other: 'WARN' }, forward: {} } } });
  // The cluster of scripts/temporal-cluster.sh takes only mutual TLS: the same TEMPORAL_TLS_* settings as Koers.
  const connection = await connectWorker(loadConfig(process.env).temporal, process.env.TEMPORAL_ADDRESS!);
  const worker = await Worker.create({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: process.env.BENCH_TASK_QUEUE!,
    workflowsPath: require.resolve('./noop-workflow'),
  });
  const running = worker.run();
  console.log('ready');
  await running;
  await connection.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
