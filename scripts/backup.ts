/**
 * `npm run backup -- <directory>`: an online backup of the embedded deployment's KOERS_DATA_DIR (both
 * SQLite databases, the secret) into a new directory (platform/backup.ts; docs/operations.md). Reads
 * the same settings as `npm start`. For the cluster (PostgreSQL) use pg_dump (docs/operations.md).
 */
import { loadConfig } from '../platform/config';
import { backupDataDir } from '../platform/backup';

async function main(): Promise<void> {
  const target = process.argv[2];
  if (!target) throw new Error('usage: npm run backup -- <new directory>');
  const config = loadConfig();
  if (!config.databaseUrl.startsWith('sqlite:') || config.temporal.address) {
    throw new Error('the store or Temporal is not the embedded one: back up PostgreSQL with pg_dump (docs/operations.md)');
  }
  const manifest = await backupDataDir(config.dataDir, target, { storeFile: config.databaseUrl.slice('sqlite:'.length) });
  console.log(JSON.stringify({ backup: target, ...manifest }));
  if (!manifest.secretIncluded) console.error('koers backup: KOERS_SECRET_KEY is set, so the secret is not in the backup: keep it with the backup yourself');
}

main().catch((err: unknown) => {
  console.error(`koers backup: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
