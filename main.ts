/**
 * `npm start`: the whole of Koers on one machine (embedded Temporal dev server, worker, API), or one
 * part of it (KOERS_ROLE=api|worker) against a cluster named by TEMPORAL_ADDRESS.
 */
import { loadConfig, ConfigError } from './platform/config';
import { createLogger } from './platform/logger';
import { startKoers } from './platform/koers';

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
  const logger = createLogger(config.logLevel);
  const koers = await startKoers(config, logger);
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
