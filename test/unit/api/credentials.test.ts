/**
 * Issue 24, fault 4: machine credentials a BIO review accepts. Keys of 128 bits at least; in production
 * mode only hashes on disk, each key with owner, purpose and expiry, a partner key with its sources,
 * and no development admin; an expired key stops at its expiry; a broken key file is refused without
 * a byte of a key in the message and the previous keys stay; failed sign-ins are limited per address.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { ApiKeys, authenticate, KeyFileError, SignInGuard, type ApiKeyEntry } from '../../../api/auth';
import { problemHandler } from '../../../api/problem';
import { ConfigError, loadConfig } from '../../../platform/config';

const sha = (key: string) => `sha256:${crypto.createHash('sha256').update(key).digest('hex')}`;
const minted = () => crypto.randomBytes(32).toString('base64url');

describe('machine credentials', () => {
  it('refuses a key shorter than 128 bits (22 characters) or of few different characters', () => {
    expect(() => new ApiKeys([{ key: 'a'.repeat(16) + 'bcdefg', role: 'admin', name: 'a' }])).toThrow(/at least 10 different characters/);
    expect(() => new ApiKeys([{ key: '0123456789abcdef', role: 'admin', name: 'a' }])).toThrow(/at least 22 characters/);
    expect(new ApiKeys([{ key: minted(), role: 'admin', name: 'a' }]).size).toBe(1);
  });

  it('in production mode takes only hashes, each with owner, purpose and expiry, a partner key with its sources', () => {
    const complete: ApiKeyEntry = { key: sha(minted()), role: 'partner', name: 'duo', owner: 'Team DUO', purpose: 'DUO notices', expiresAt: '2099-01-01', sources: ['urn:nl:duo'] };
    expect(new ApiKeys([complete], { production: true }).size).toBe(1);
    expect(() => new ApiKeys([{ ...complete, key: minted() }], { production: true })).toThrow(/entry 1 \(duo\): production mode takes only "sha256:<hex>" keys/);
    for (const field of ['owner', 'purpose', 'expiresAt', 'sources'] as const) {
      const { [field]: _left, ...without } = complete;
      expect(() => new ApiKeys([without as ApiKeyEntry], { production: true })).toThrow(KeyFileError);
    }
    // No development admin: production mode needs the key file.
    expect(() => loadConfig({ KOERS_MODE: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ KOERS_MODE: 'production' })).toThrow(/KOERS_API_KEYS_FILE: production mode/);
  });

  it('stops an expired key at its expiry, and notes when a key was last used', () => {
    let now = Date.parse('2027-06-30T23:59:59Z');
    const key = minted();
    const keys = new ApiKeys([{ key, role: 'admin', name: 'a', expiresAt: '2027-07-01' }], { now: () => now });
    const principal = keys.find(key);
    expect(principal).toBeDefined();
    expect(keys.lastUsedAt(principal!.keyId)).toBe(now);
    now += 1000;
    expect(keys.find(key)).toBeUndefined();
    expect(keys.findByName('a')).toEqual([]);
  });

  it('refuses a broken key file without a byte of a key in the message, and keeps the previous keys', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koers-credentials-'));
    const file = path.join(dir, 'keys.json');
    const good = minted();
    fs.writeFileSync(file, JSON.stringify([{ key: good, role: 'admin', name: 'a' }]));
    const keys = ApiKeys.fromFile(file);
    const secret = minted();
    for (const broken of [`[{"key": "${secret}", "role": "admin", "name": "a"`, `[{"key": "${secret}" "role": "admin"}]`, `[{"key": "${secret.slice(0, 12)}", "role": "admin", "name": "a"}]`]) {
      fs.writeFileSync(file, broken);
      let message = '';
      try {
        keys.reloadFrom(file);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/^KOERS_API_KEYS_FILE /);
      for (let i = 0; i + 4 <= secret.length; i++) expect(message).not.toContain(secret.slice(i, i + 4));
      expect(keys.current).toBe(false);
      expect(keys.find(good)).toBeDefined();
    }
    fs.writeFileSync(file, JSON.stringify([{ key: good, role: 'admin', name: 'a' }]));
    keys.reloadFrom(file);
    expect(keys.current).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('limits failed sign-ins per source address, never a valid key, and reports each with its address', async () => {
    const good = minted();
    const keys = new ApiKeys([{ key: good, role: 'admin', name: 'a' }]);
    const failures: Array<{ address: string; failures: number; limited: boolean }> = [];
    const guard = new SignInGuard(3, 60_000);
    const app = express();
    app.get('/v1/ping', authenticate(keys, undefined, { guard, onFailure: (f) => failures.push(f) }), (_req, res) => res.json({ ok: true }));
    app.use(problemHandler(() => undefined));
    const ping = (key: string) => request(app).get('/v1/ping').set('Authorization', `Bearer ${key}`);
    for (let i = 0; i < 3; i++) expect((await ping(`wrong-${i}-${minted()}`)).status).toBe(401);
    const limited = await ping(`wrong-3-${minted()}`);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // A valid key from the same address is not locked out (a shared proxy or NAT).
    expect((await ping(good)).status).toBe(200);
    expect(failures.map((f) => [f.failures, f.limited])).toEqual([[1, false], [2, false], [3, false], [3, true]]);
    expect(failures.every((f) => /127\.0\.0\.1|::1/.test(f.address))).toBe(true);
  });
});
