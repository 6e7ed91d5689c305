import crypto from 'node:crypto';
import { CASEWORKER_ROLES } from '../domain/vocabulary';
import fs from 'node:fs';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { Problem } from './problem';

export type Role = 'admin' | 'caseworker' | 'partner';
export const ROLES = ['admin', 'caseworker', 'partner'] as const satisfies readonly Role[];

/** A caseworker key's teams are the journey's caseworker roles (domain/vocabulary.ts). */
export const CASEWORKER_TEAMS = CASEWORKER_ROLES;

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

/** API keys, kept only as SHA-256 hashes (a key may be given as "sha256:<hex>" in the file). */
export class ApiKeys {
  private readonly byHash = new Map<string, Principal>();

  constructor(entries: ApiKeyEntry[]) {
    for (const entry of KeyFileSchema.parse(entries)) {
      const hash = entry.key.startsWith('sha256:') ? entry.key.slice('sha256:'.length).toLowerCase() : sha256(entry.key);
      this.byHash.set(hash, {
        role: entry.role,
        name: entry.name,
        municipalities: entry.municipalities,
        eventTypes: entry.eventTypes,
        ...(entry.teams ? { teams: entry.teams } : {}),
        keyId: hash.slice(0, 12),
      });
    }
  }

  static fromFile(file: string): ApiKeys {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`KOERS_API_KEYS_FILE ${file}: ${(err as Error).message}`);
    }
    const parsed = KeyFileSchema.safeParse(raw);
    // The message names the entry and field, never the key itself.
    if (!parsed.success) throw new Error(`KOERS_API_KEYS_FILE ${file}: ${parsed.error.issues[0]!.path.join('.')} ${parsed.error.issues[0]!.message}`);
    return new ApiKeys(parsed.data);
  }

  find(key: string): Principal | undefined {
    return this.byHash.get(sha256(key));
  }

  get size(): number {
    return this.byHash.size;
  }
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

export function authenticate(keys: ApiKeys): RequestHandler {
  return (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const principal = match ? keys.find(match[1]!) : undefined;
    if (!principal) throw new Problem(401, 'Unauthorized', 'A valid "Authorization: Bearer <key>" header is required.', undefined, {}, );
    req.principal = principal;
    next();
  };
}

/** Admins see every municipality; everyone else only their own. */
export const mayAccessMunicipality = (principal: Principal, municipality: string): boolean =>
  principal.role === 'admin' || principal.municipalities.includes(municipality);
