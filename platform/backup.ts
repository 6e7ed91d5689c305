/**
 * Backup and restore of the embedded deployment (docs/operations.md): both SQLite databases copied
 * online with SQLite's backup API (better-sqlite3 `db.backup()`), one step each so the copy is one
 * consistent snapshot while Koers and the Temporal server write, then checked with `integrity_check`;
 * the secret and the development key file beside them; a manifest with each file's SHA-256. A copy of
 * the files themselves (`cp -a`) while running gave a corrupt temporal.db; this does not.
 *
 * A restore goes into an empty directory only, checks every file against the manifest and every
 * database's integrity, and leaves the files 0600 in a 0700 directory.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { DATA_FILES } from './data-dir';

export interface BackupManifest {
  /** ISO-8601 UTC. */
  createdAt: string;
  files: Array<{ name: string; bytes: number; sha256: string }>;
  /** False when KOERS_SECRET_KEY was set: the secret is not in the data directory and must be kept with the backup separately. */
  secretIncluded: boolean;
}

export class BackupError extends Error {}

const MANIFEST = 'manifest.json';

/**
 * Backs up `dataDir` (the embedded deployment; `storeFile`: the store's SQLite file when it lives
 * elsewhere) into `target`, which must not exist or be empty. Safe while Koers runs.
 */
export async function backupDataDir(dataDir: string, target: string, options: { storeFile?: string } = {}): Promise<BackupManifest> {
  emptyDirectory(target);
  const databases = [
    { name: DATA_FILES.store, from: options.storeFile ?? path.join(dataDir, DATA_FILES.store) },
    { name: DATA_FILES.temporal, from: path.join(dataDir, DATA_FILES.temporal) },
  ];
  for (const { name, from } of databases) {
    if (!fs.existsSync(from)) throw new BackupError(`${from} does not exist: nothing to back up (the cluster backs up with pg_dump, docs/operations.md)`);
    const source = new BetterSqlite3(from, { fileMustExist: true });
    try {
      source.pragma('busy_timeout = 10000');
      // All pages in one step: one read transaction, so one consistent snapshot (a step of a few pages
      // would start over whenever the other process writes in between).
      await source.backup(path.join(target, name), { progress: ({ totalPages }) => Math.max(totalPages, 1) * 2 });
    } finally {
      source.close();
    }
    // The copy is one file: out of WAL mode (Koers turns it on again when it opens a restored store).
    const copy = new BetterSqlite3(path.join(target, name), { fileMustExist: true });
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    checkIntegrity(path.join(target, name));
  }
  const secretIncluded = copyIfThere(path.join(dataDir, DATA_FILES.secret), path.join(target, DATA_FILES.secret));
  copyIfThere(path.join(dataDir, DATA_FILES.devKeys), path.join(target, DATA_FILES.devKeys));
  const manifest: BackupManifest = {
    createdAt: new Date().toISOString(),
    files: fs
      .readdirSync(target)
      .sort()
      .map((name) => ({ name, bytes: fs.statSync(path.join(target, name)).size, sha256: sha256(path.join(target, name)) })),
    secretIncluded,
  };
  fs.writeFileSync(path.join(target, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  return manifest;
}

/** Restores a backup into `dataDir`, which must not exist or be empty (never over a live directory). */
export function restoreDataDir(source: string, dataDir: string): BackupManifest {
  const manifestFile = path.join(source, MANIFEST);
  if (!fs.existsSync(manifestFile)) throw new BackupError(`${source} has no ${MANIFEST}: not a backup made by npm run backup`);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as BackupManifest;
  for (const file of manifest.files) {
    const from = path.join(source, path.basename(file.name));
    if (!fs.existsSync(from) || sha256(from) !== file.sha256) throw new BackupError(`${file.name} is missing from the backup or differs from its manifest`);
  }
  for (const name of [DATA_FILES.store, DATA_FILES.temporal]) checkIntegrity(path.join(source, name));
  emptyDirectory(dataDir);
  for (const file of manifest.files) fs.copyFileSync(path.join(source, path.basename(file.name)), path.join(dataDir, path.basename(file.name)));
  for (const name of fs.readdirSync(dataDir)) fs.chmodSync(path.join(dataDir, name), 0o600);
  return manifest;
}

function emptyDirectory(dir: string): void {
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) throw new BackupError(`${dir} is not empty: give a new directory`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
}

function checkIntegrity(file: string): void {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    const result = db.pragma('integrity_check', { simple: true });
    if (result !== 'ok') throw new BackupError(`${path.basename(file)} fails its integrity check: ${String(result).slice(0, 200)}`);
  } finally {
    db.close();
  }
}

function copyIfThere(from: string, to: string): boolean {
  if (!fs.existsSync(from)) return false;
  fs.copyFileSync(from, to);
  fs.chmodSync(to, 0o600);
  return true;
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}
