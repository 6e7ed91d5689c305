import crypto from 'node:crypto';
import { CASEWORKER_ROLES } from '../domain/vocabulary';
import fs from 'node:fs';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { Problem } from './problem';
import { DEFAULT_FAILED_SIGN_IN_LIMIT } from '../platform/config';

import { may, ROLES, type Role } from '../identity/permissions';

/** The roles and what each may do live in identity/permissions.ts (one table); re-exported for the key file. */
export { ROLES, type Role };

/** A caseworker key's teams are the journey's caseworker roles (domain/vocabulary.ts). */
export const CASEWORKER_TEAMS = CASEWORKER_ROLES;

/** A staff id: what tasks are assigned to and journeys filtered by (a caseworker key's `name`). */
export const staffIdSchema = z.string().regex(/^[A-Za-z0-9_.@-]{1,128}$/, 'must be 1-128 characters of A-Z, a-z, 0-9, _ . @ or -');

/** A plain key's least length: 22 characters of base64url carry 128 bits (`npm run keys:mint` makes 43). */
export const MIN_KEY_LENGTH = 22;

const KeyEntrySchema = z.strictObject({
  // A plain key must be long enough not to be guessed; a "sha256:<hex>" entry is the hash itself.
  key: z.union([
    z.string().regex(/^sha256:[0-9a-fA-F]{64}$/),
    z
      .string()
      .min(MIN_KEY_LENGTH, `a key needs at least ${MIN_KEY_LENGTH} characters (128 bits): mint one with npm run keys:mint`)
      .refine((key) => new Set(key).size >= 10, 'a key needs at least 10 different characters: mint one with npm run keys:mint'),
  ]),
  role: z.enum(ROLES),
  /** For a caseworker also the staff id tasks are assigned to: a pseudonymous id, not a person's name. */
  name: z.string().min(1).max(128),
  municipalities: z.array(z.string().min(1)).default([]),
  eventTypes: z.array(z.string().min(1)).default([]),
  /** Optional addition to the contract: the caseworker teams (candidate groups) whose tasks are "my team's tasks". */
  teams: z.array(z.enum(CASEWORKER_TEAMS)).optional(),
  /** Who answers for the key (a person or team, for the security officer); required in production mode. */
  owner: z.string().min(1).max(200).optional(),
  /** What the key is for; required in production mode. */
  purpose: z.string().min(1).max(500).optional(),
  /** From this instant (RFC 3339, or a date meaning its start in UTC) the key no longer works; required in production mode. */
  expiresAt: z.union([z.iso.datetime({ offset: true }), z.iso.date()]).optional(),
  /**
   * A partner key: the CloudEvents `source` values it may send under (exact, or a prefix ending in `*`),
   * so no partner can send first under another's source; required for a partner key in production mode.
   */
  sources: z.array(z.string().min(1).max(512)).optional(),
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
  /** The CloudEvents sources a partner key may send under; absent: any (development key files). */
  sources?: string[];
  /** Epoch ms from which the key no longer works. */
  expiresAtMs?: number;
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

/** Thrown for a key set production mode refuses; the message names the entry and field, never a key. */
export class KeyFileError extends Error {}

/** Production mode (KOERS_MODE=production): only hashes on disk, and every key with its owner, purpose, expiry (and a partner's sources). */
function checkProduction(entries: z.output<typeof KeyFileSchema>): void {
  entries.forEach((entry, index) => {
    const at = `entry ${index + 1} (${entry.name})`;
    if (!entry.key.startsWith('sha256:')) throw new KeyFileError(`${at}: production mode takes only "sha256:<hex>" keys (npm run keys:mint prints one)`);
    for (const field of ['owner', 'purpose', 'expiresAt'] as const) if (entry[field] === undefined) throw new KeyFileError(`${at}: production mode needs ${field}`);
    if (entry.role === 'partner' && !entry.sources?.length) throw new KeyFileError(`${at}: production mode needs the sources a partner key may send under`);
  });
}

function indexByHash(entries: ApiKeyEntry[], production = false): Map<string, Principal> {
  const byHash = new Map<string, Principal>();
  const parsed = KeyFileSchema.parse(entries);
  if (production) checkProduction(parsed);
  for (const entry of parsed) {
    const hash = entry.key.startsWith('sha256:') ? entry.key.slice('sha256:'.length).toLowerCase() : sha256(entry.key);
    byHash.set(hash, {
      ...(entry.sources ? { sources: entry.sources } : {}),
      ...(entry.expiresAt ? { expiresAtMs: Date.parse(entry.expiresAt.length === 10 ? `${entry.expiresAt}T00:00:00Z` : entry.expiresAt) } : {}),
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
    // Node's message quotes the text around the error, which may be a key: only where it is.
    const where = /position (\d+)/.exec((err as Error).message)?.[1];
    const reason = (err as NodeJS.ErrnoException).code ?? (where !== undefined ? `not valid JSON (at character ${where})` : 'not valid JSON');
    throw new KeyFileError(`KOERS_API_KEYS_FILE ${file}: ${reason}`);
  }
  const parsed = KeyFileSchema.safeParse(raw);
  if (!parsed.success) throw new KeyFileError(`KOERS_API_KEYS_FILE ${file}: ${parsed.error.issues[0]!.path.join('.')} ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

/** A key's `sources` entry against an event's source: exact, or a prefix when the entry ends in `*`. */
export const sourceMatches = (pattern: string, source: string): boolean => (pattern.endsWith('*') ? source.startsWith(pattern.slice(0, -1)) : source === pattern);

/**
 * API keys, kept only as SHA-256 hashes (a key may be given as "sha256:<hex>" in the file). The set
 * can be replaced while the API runs (`reloadFrom`): a key removed from the file stops working at the
 * next request after the reload.
 */
export interface ApiKeysOptions {
  /** KOERS_MODE=production: see {@link checkProduction}. */
  production?: boolean;
  now?: () => number;
}

export class ApiKeys {
  private byHash: Map<string, Principal>;
  private readonly lastUsed = new Map<string, number>();
  private readonly now: () => number;
  private readonly production: boolean;
  /** False after a reload failed: the keys in force are the previous file's (health says so, api/meta.ts). */
  current = true;

  constructor(entries: ApiKeyEntry[], options: ApiKeysOptions = {}) {
    this.production = options.production ?? false;
    this.now = options.now ?? Date.now;
    this.byHash = indexByHash(entries, this.production);
  }

  static fromFile(file: string, options: ApiKeysOptions = {}): ApiKeys {
    return new ApiKeys(readKeyFile(file), options);
  }

  /** Replaces every key with the file's; a file that does not parse throws and leaves the keys as they were. */
  reloadFrom(file: string): void {
    try {
      this.byHash = indexByHash(readKeyFile(file), this.production);
      this.current = true;
    } catch (err) {
      this.current = false;
      if (err instanceof KeyFileError || err instanceof z.ZodError) throw new KeyFileError(err instanceof z.ZodError ? `KOERS_API_KEYS_FILE ${file}: ${err.issues[0]!.path.join('.')} ${err.issues[0]!.message}` : err.message);
      throw err;
    }
  }

  /** The key's principal; an expired key is none, from its expiry on. Notes when the key was last used. */
  find(key: string): Principal | undefined {
    return this.live(sha256(key), true);
  }

  /** The principal of a key known only by its SHA-256 (hex), if the key is still configured and not expired. */
  findByHash(hash: string): Principal | undefined {
    return this.live(hash, false);
  }

  /** The live keys carrying `name` (a caseworker's staff id): a calendar feed serves only while one is. */
  findByName(name: string): Principal[] {
    return [...this.byHash.keys()].map((hash) => this.live(hash, false)).filter((p): p is Principal => p?.name === name);
  }

  /** When a key (by its keyId) was last used since this process started, epoch ms. */
  lastUsedAt(keyId: string): number | undefined {
    return this.lastUsed.get(keyId);
  }

  private live(hash: string, use: boolean): Principal | undefined {
    const principal = this.byHash.get(hash);
    if (!principal || (principal.expiresAtMs !== undefined && this.now() >= principal.expiresAtMs)) return undefined;
    if (use) this.lastUsed.set(principal.keyId, this.now());
    return principal;
  }

  /**
   * Whether `principal` may send events under CloudEvents `source` (issue 24, fault 5: idempotency is per
   * journey + source + id, so whoever sends first under a source decides what its ids mean). A key bound
   * to sources uses only those; a key bound to none (staff keys; partner keys of a development key file)
   * uses any source no live key is bound to, so neither an admin nor a caseworker can send first under a
   * partner's source. A source is bound to a key by an exact entry or a prefix ending in `*`.
   */
  mayUseSource(principal: Pick<Principal, 'sources'>, source: string): boolean {
    if (principal.sources) return principal.sources.some((pattern) => sourceMatches(pattern, source));
    for (const hash of this.byHash.keys()) {
      const other = this.live(hash, false);
      if (other?.sources?.some((pattern) => sourceMatches(pattern, source))) return false;
    }
    return true;
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
 * Failed sign-ins per source address (BIO: limit and log them): past `limit` failures within
 * `windowMs` an address's further failures are refused (429) until its window ends; a valid key still passes.
 */
export class SignInGuard {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();

  constructor(
    /** Failures allowed per window; 0: no limit (counted and logged all the same). */
    readonly limit = DEFAULT_FAILED_SIGN_IN_LIMIT,
    readonly windowMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the address may try again; 0 when it may now. */
  blockedFor(address: string): number {
    const entry = this.failures.get(address);
    if (!entry || entry.resetAt <= this.now()) return 0;
    return this.limit > 0 && entry.count >= this.limit ? Math.ceil((entry.resetAt - this.now()) / 1000) : 0;
  }

  /** Counts a failure from `address`; returns the failures in its window so far. */
  fail(address: string): number {
    const at = this.now();
    let entry = this.failures.get(address);
    if (!entry || entry.resetAt <= at) {
      // Old windows go as new failures come, so the map stays as small as the addresses failing now.
      for (const [key, value] of this.failures) if (value.resetAt <= at) this.failures.delete(key);
      entry = { count: 0, resetAt: at + this.windowMs };
      this.failures.set(address, entry);
    }
    entry.count += 1;
    return entry.count;
  }
}

/** What `authenticate` does beside answering 401 or 429: count and log the failure with its source address. */
export interface SignInFailureHooks {
  guard: SignInGuard;
  onFailure: (failure: { address: string; failures: number; limited: boolean }) => void;
}

/**
 * The bearer key's principal; `delegated` resolves a token the web app hands to its own in-process
 * calls for a signed-in person (identity/delegation.ts), who has no key.
 */
export function authenticate(keys: ApiKeys, delegated?: (token: string) => Principal | undefined, failures?: SignInFailureHooks): RequestHandler {
  return (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const principal = match ? (keys.find(match[1]!) ?? delegated?.(match[1]!)) : undefined;
    if (principal) {
      // A valid key is never locked out: one client failing behind a shared address (a proxy, a NAT)
      // must not stop a partner beside it; guessing a 128-bit key is what the limit slows down.
      req.principal = principal;
      return next();
    }
    const address = req.ip ?? 'unknown';
    const wait = failures?.guard.blockedFor(address) ?? 0;
    if (wait > 0) {
      failures!.onFailure({ address, failures: failures!.guard.limit, limited: true });
      const problem = new Problem(429, 'Too many requests', 'Too many failed sign-ins from this address; try again later.');
      problem.retryAfterSeconds = wait;
      throw problem;
    }
    if (failures) failures.onFailure({ address, failures: failures.guard.fail(address), limited: false });
    throw new Problem(401, 'Unauthorized', 'A valid "Authorization: Bearer <key>" header is required.');
  };
}

/** Admins see every municipality; everyone else only their own. */
export const mayAccessMunicipality = (principal: Principal, municipality: string): boolean =>
  may(principal, 'allMunicipalities') || principal.municipalities.includes(municipality);
