/**
 * KOERS_DATA_DIR of the embedded deployment: the store (koers.db), the embedded Temporal server's
 * database (temporal.db), the secret (secret.key) and the development key file. Personal data, so the
 * directory is the owner's alone (0700) and its files 0600, also those an earlier release left readable.
 * A directory that holds data is never given a new secret: what the old one sealed would not open and
 * every person would get a new journey id (docs/operations.md, "Restore").
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from './logger';

/** The files a data directory may hold; the backup copies those that exist (platform/backup.ts). */
export const DATA_FILES = { store: 'koers.db', temporal: 'temporal.db', secret: 'secret.key', devKeys: 'dev-api-keys.json' } as const;

/** Koers will not start: the message says why and what the operator does about it (one line, no secret). */
export class StartRefused extends Error {}

/** Creates the directory 0700 (and narrows an existing one), and narrows its files to 0600. */
export function prepareDataDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    if (fs.statSync(file).isFile()) fs.chmodSync(file, 0o600);
  }
}

/** Whether the directory holds a store or a Temporal database: data some secret sealed. */
export function holdsData(dir: string): boolean {
  return [DATA_FILES.store, DATA_FILES.temporal].some((name) => fs.existsSync(path.join(dir, name)) && fs.statSync(path.join(dir, name)).size > 0);
}

/**
 * The server secret: KOERS_SECRET_KEY, else `secret.key` in the data directory, generated (0600) only
 * when the directory holds no data yet. Throws {@link StartRefused} when the data is there and the secret is not.
 */
export function loadSecret(config: { secretKey?: string; dataDir: string }, logger: Logger): string {
  if (config.secretKey) return config.secretKey;
  const file = path.join(config.dataDir, DATA_FILES.secret);
  if (!fs.existsSync(file)) {
    if (holdsData(config.dataDir)) {
      throw new StartRefused(
        `${config.dataDir} holds data but not the secret that sealed it (${DATA_FILES.secret}; KOERS_SECRET_KEY is not set): restore ${DATA_FILES.secret} from the backup with the data, or set KOERS_SECRET_KEY. A new secret would leave every BSN unreadable and give every person a new journey id.`,
      );
    }
    fs.writeFileSync(file, crypto.randomBytes(32).toString('base64url'), { mode: 0o600 });
    logger.warn({ file }, 'no KOERS_SECRET_KEY: generated a development secret');
  }
  return fs.readFileSync(file, 'utf8').trim();
}

/** The value the store keeps to recognise the secret (store/instance.ts): a keyed hash under a key of its own, never the secret. */
export function secretCheck(secret: string): string {
  const key = Buffer.from(crypto.hkdfSync('sha256', secret, 'koers', 'secret-check', 32));
  return crypto.createHmac('sha256', key).update('koers secret check').digest('base64url');
}
