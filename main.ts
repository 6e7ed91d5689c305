/**
 * `npm start`: the whole of Koers on one machine (embedded Temporal dev server, worker, API), or one
 * part of it (KOERS_ROLE=api|worker) against a cluster named by TEMPORAL_ADDRESS.
 */
import { Runtime } from '@temporalio/worker';
import { loadConfig, ConfigError, type Config } from './platform/config';
import { createLogger, temporalLogger, type Logger } from './platform/logger';
import { startKoers } from './platform/koers';
import { prometheusScraper } from './api/metrics';
import { runWithHeapLimit } from './platform/heap';

/**
 * The SDK's own logs go into the same JSON stream. The worker's Temporal metrics come from the SDK runtime's own Prometheus exporter, which must be
 * installed before the first connection (here, not in startKoers: tests install their own runtime).
 * With the API in this process it listens on loopback only and /metrics appends it; a worker-only
 * process exposes it on KOERS_BIND_ADDRESS for Prometheus to scrape directly.
 */
function installRuntime(config: Config, logger: Logger): (() => Promise<string>) | undefined {
  const sdkLogs = { logger: temporalLogger(logger), telemetryOptions: { logging: { filter: { core: 'WARN', other: 'WARN' }, forward: {} } } } as const;
  if (config.role === 'api' || config.workerMetricsPort === 0) {
    Runtime.install(sdkLogs);
    return undefined;
  }
  // With the API in this process only /metrics reads it; a worker-only process listens where KOERS_BIND_ADDRESS says.
  const host = config.role === 'all' ? '127.0.0.1' : config.bindAddress;
  try {
    Runtime.install({ ...sdkLogs, telemetryOptions: { ...sdkLogs.telemetryOptions, metrics: { prometheus: { bindAddress: `${host}:${config.workerMetricsPort}` } } } });
  } catch (err) {
    // A taken port (a second instance on this machine) costs the worker metrics, not the service.
    logger.warn({ port: config.workerMetricsPort, err: err instanceof Error ? err.message : String(err) }, 'worker metrics exporter not started');
    Runtime.install(sdkLogs);
    return undefined;
  }
  return config.role === 'all' ? prometheusScraper(`http://127.0.0.1:${config.workerMetricsPort}/metrics`) : undefined;
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`koers: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  // KOERS_HEAP_MB: Node sets its heap limit only at start, so this may run main.ts again in a child.
  if (runWithHeapLimit(config.heapMb)) return;
  const logger = createLogger(config.logLevel);
  const koers = await startKoers(config, logger, { extraMetrics: installRuntime(config, logger) });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    koers
      .stop()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(`koers: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
