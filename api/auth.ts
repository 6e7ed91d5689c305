import crypto from 'node:crypto';
import fs from 'node:fs';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { Problem } from './problem';

export type Role = 'admin' | 'caseworker' | 'partner';

const KeyEntrySchema = z.object({
  key: z.string().min(16, 'a key needs at least 16 characters'),
  role: z.enum(['admin', 'caseworker', 'partner']),
  name: z.string().min(1),
  municipalities: z.array(z.string().min(1)).default([]),
  eventTypes: z.array(z.string().min(1)).default([]),
});
const KeyFileSchema = z.array(KeyEntrySchema);

export interface Principal {
  role: Role;
  name: string;
  municipalities: string[];
  eventTypes: string[];
}

const sha256 = (value: string): string => crypto.createHash('sha256').update(value).digest('hex');

/** API keys, kept only as SHA-256 hashes (a key may be given as "sha256:<hex>" in the file). */
export class ApiKeys {
  private readonly byHash = new Map<string, Principal>();

  constructor(entries: z.input<typeof KeyFileSchema>) {
    for (const entry of KeyFileSchema.parse(entries)) {
      const hash = entry.key.startsWith('sha256:') ? entry.key.slice('sha256:'.length).toLowerCase() : sha256(entry.key);
      this.byHash.set(hash, { role: entry.role, name: entry.name, municipalities: entry.municipalities, eventTypes: entry.eventTypes });
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
    if (!parsed.success) throw new Error(`KOERS_API_KEYS_FILE ${file}: ${parsed.error.issues[0]!.path.join('.')} ${parsed.error.issues[0]!.message}`);
    return new ApiKeys(parsed.data);
  }

  find(key: string): Principal | undefined {
    return this.byHash.get(sha256(key));
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
    const match = /^Bearer (\S+)$/i.exec(header);
    const principal = match ? keys.find(match[1]!) : undefined;
    if (!principal) throw new Problem(401, 'Unauthorized', 'A valid "Authorization: Bearer <key>" header is required.');
    req.principal = principal;
    next();
  };
}

export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.principal || !roles.includes(req.principal.role)) throw new Problem(403, 'Forbidden', `This needs the role ${roles.join(' or ')}.`);
    next();
  };
}

/** Admins see every municipality; everyone else only their own. */
export const mayAccessMunicipality = (principal: Principal, municipality: string): boolean =>
  principal.role === 'admin' || principal.municipalities.includes(municipality);
