/**
 * `npm run reseal`: re-seals every sealed value in the store under the current sealing key
 * (KOERS_SEALING_KEYS' first, else the secret's), after a key was put in front (README, "Key rotation";
 * store/reseal.ts). Reads the same settings as `npm start`; safe beside a running Koers and safe to repeat.
 * Prints the counts; exits 1 when a value opened under no configured key.
 */
import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';
import { loadSecret } from '../platform/data-dir';
import { Keyring } from '../platform/sealing';
import { openDatabase } from '../store/db';
import { migrateToLatest } from '../store/migrations';
import { resealStore } from '../store/reseal';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const keyring = new Keyring(loadSecret(config, logger), config.sealingKeys);
  const db = openDatabase(config.databaseUrl);
  try {
    await migrateToLatest(db);
    const counts = await resealStore(db, keyring);
    logger.info({ keyId: keyring.currentKeyId, ...counts }, 'store re-sealed');
    if (counts.failed > 0) process.exitCode = 1;
  } finally {
    await db.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(`koers reseal: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
