/**
 * `npm run restore -- <backup directory> <new data directory>`: checks a backup made by `npm run backup`
 * (manifest checksums, SQLite integrity) and restores it into an empty directory; start Koers with
 * KOERS_DATA_DIR set to it (docs/operations.md).
 */
import { restoreDataDir } from '../platform/backup';

try {
  const [source, target] = process.argv.slice(2);
  if (!source || !target) throw new Error('usage: npm run restore -- <backup directory> <new data directory>');
  const manifest = restoreDataDir(source, target);
  console.log(JSON.stringify({ restored: target, from: source, createdAt: manifest.createdAt, files: manifest.files.map((f) => f.name) }));
  if (!manifest.secretIncluded) console.error('koers restore: the backup holds no secret.key: start with the KOERS_SECRET_KEY that sealed this data');
} catch (err) {
  console.error(`koers restore: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
