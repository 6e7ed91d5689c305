/**
 * A worker for the no-op baseline (bench/noop-workflow.ts), run as its own process like Koers's
 * worker, on its own task queue: `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `BENCH_TASK_QUEUE`.
 * Prints `ready` on stdout once it polls; stops on SIGTERM.
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { logging: { filter: { core: 'WARN', other: 'WARN' }, forward: {} } } });
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
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
