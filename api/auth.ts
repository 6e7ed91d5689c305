import crypto from 'node:crypto';
import { CASEWORKER_ROLES } from '../domain/vocabulary';
import fs from 'node:fs';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { Problem } from './problem';

import { may, ROLES, type Role } from '../identity/permissions';

/** The roles and what each may do live in identity/permissions.ts (one table); re-exported for the key file. */
export { ROLES, type Role };

/** A caseworker key's teams are the journey's caseworker roles (domain/vocabulary.ts). */
export const CASEWORKER_TEAMS = CASEWORKER_ROLES;

/** A staff id: what tasks are assigned to and journeys filtered by (a caseworker key's `name`). */
export const staffIdSchema = z.string().regex(/^[A-Za-z0-9_.@-]{1,128}$/, 'must be 1-128 characters of A-Z, a-z, 0-9, _ . @ or -');

const KeyEntrySchema = z.strictObject({
  // A plain key must be long enough not to be guessed; a "sha256:<hex>" entry is the hash itself.
  key: z.union([z.string().regex(/^sha256:[0-9a-fA-F]{64}$/), z.string().min(16, 'a key needs at least 16 characters')]),
  role: z.enum(ROLES),
  /** For a caseworker also the staff id tasks are assigned to: a pseudonymous id, not a person's name. */
  name: z.string().min(1).max(128),
  municipalities: z.array(z.string().min(1)).default([]),
  eventTypes: z.array(z.string().min(1)).default([]),
  /** Optional addition to the contract: the caseworker teams (candidate groups) whose tasks are "my team's tasks". */
  teams: z.array(z.enum(CASEWORKER_TEAMS)).optional(),
}).superRefine((entry, ctx) => {
  // A caseworker's name is the staff id their claimed tasks carry: one the API could not take back
  // (reassign, filter by caseworker) would strand those tasks.
  const staffId = entry.role === 'caseworker' || entry.role === 'team-lead' ? staffIdSchema.safeParse(entry.name) : undefined;
  if (staffId && !staffId.success) {
    ctx.addIssue({ code: 'custom', path: ['name'], message: `a caseworker name is a staff id: ${staffId.error.issues[0]!.message}` });
  }
});
const KeyFileSchema = z.array(KeyEntrySchema);
export type ApiKeyEntry = z.input<typeof KeyEntrySchema>;

export interface Principal {
  role: Role;
  name: string;
  municipalities: string[];
  eventTypes: string[];
  teams?: string[];
  /** First 12 hex digits of the key's SHA-256: names the key in the audit trail and the rate limiter without revealing it. */
  keyId: string;
}

const sha256 = (value: string): string => crypto.createHash('sha256').update(value).digest('hex');

/**
 * A key's role. Before the team-lead role existed a team lead was a caseworker key with the team
 * `team-lead`; such a key is a team lead (identity/permissions.ts), so old key files keep working.
 */
const keyRole = (entry: { role: Role; teams?: readonly string[] }): Role =>
  entry.role === 'caseworker' && entry.teams?.includes('team-lead') ? 'team-lead' : entry.role;

function indexByHash(entries: ApiKeyEntry[]): Map<string, Principal> {
  const byHash = new Map<string, Principal>();
  for (const entry of KeyFileSchema.parse(entries)) {
    const hash = entry.key.startsWith('sha256:') ? entry.key.slice('sha256:'.length).toLowerCase() : sha256(entry.key);
    byHash.set(hash, {
      role: keyRole(entry),
      name: entry.name,
      municipalities: entry.municipalities,
      eventTypes: entry.eventTypes,
      ...(entry.teams ? { teams: entry.teams } : {}),
      keyId: hash.slice(0, 12),
    });
  }
  return byHash;
}

/** Reads and checks a key file; the error names the file, the entry and the field, never a key. */
function readKeyFile(file: string): ApiKeyEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`KOERS_API_KEYS_FILE ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = KeyFileSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`KOERS_API_KEYS_FILE ${file}: ${parsed.error.issues[0]!.path.join('.')} ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

/**
 * API keys, kept only as SHA-256 hashes (a key may be given as "sha256:<hex>" in the file). The set
 * can be replaced while the API runs (`reloadFrom`): a key removed from the file stops working at the
 * next request after the reload.
 */
export class ApiKeys {
  private byHash: Map<string, Principal>;

  constructor(entries: ApiKeyEntry[]) {
    this.byHash = indexByHash(entries);
  }

  static fromFile(file: string): ApiKeys {
    return new ApiKeys(readKeyFile(file));
  }

  /** Replaces every key with the file's; a file that does not parse throws and leaves the keys as they were. */
  reloadFrom(file: string): void {
    this.byHash = indexByHash(readKeyFile(file));
  }

  find(key: string): Principal | undefined {
    return this.byHash.get(sha256(key));
  }

  /** The principal of a key known only by its SHA-256 (hex), if the key is still configured. */
  findByHash(hash: string): Principal | undefined {
    return this.byHash.get(hash);
  }

  /** The SHA-256 (hex) a key is known by. */
  hashOf(key: string): string {
    return sha256(key);
  }

  get size(): number {
    return this.byHash.size;
  }
}

/**
 * Reloads the keys when the file changes (polled every `intervalMs`, so an editor's atomic replace
 * and a mounted secret's symlink swap are seen too) and on SIGHUP. A broken file keeps the previous
 * keys and is reported. Returns the function that stops watching.
 */
export function watchApiKeysFile(
  keys: ApiKeys,
  file: string,
  onReload: (outcome: { ok: true; keys: number; trigger: string } | { ok: false; error: string; trigger: string }) => void,
  intervalMs = 1000,
): () => void {
  const reload = (trigger: string) => {
    try {
      keys.reloadFrom(file);
      onReload({ ok: true, keys: keys.size, trigger });
    } catch (err) {
      onReload({ ok: false, error: (err as Error).message, trigger });
    }
  };
  const onChange = (current: fs.Stats, previous: fs.Stats) => {
    if (current.mtimeMs !== previous.mtimeMs || current.size !== previous.size || current.ino !== previous.ino) reload('change');
  };
  const onHup = () => reload('SIGHUP');
  fs.watchFile(file, { interval: intervalMs, persistent: false }, onChange);
  process.on('SIGHUP', onHup);
  return () => {
    fs.unwatchFile(file, onChange);
    process.off('SIGHUP', onHup);
  };
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

/**
 * The bearer key's principal; `delegated` resolves a token the web app hands to its own in-process
 * calls for a signed-in person (identity/delegation.ts), who has no key.
 */
export function authenticate(keys: ApiKeys, delegated?: (token: string) => Principal | undefined): RequestHandler {
  return (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const principal = match ? (keys.find(match[1]!) ?? delegated?.(match[1]!)) : undefined;
    if (!principal) throw new Problem(401, 'Unauthorized', 'A valid "Authorization: Bearer <key>" header is required.', undefined, {}, );
    req.principal = principal;
    next();
  };
}

/** Admins see every municipality; everyone else only their own. */
export const mayAccessMunicipality = (principal: Principal, municipality: string): boolean =>
  may(principal, 'allMunicipalities') || principal.municipalities.includes(municipality);
