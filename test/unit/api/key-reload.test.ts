/** A key removed from the keys file stops working within seconds of the change, without a restart (SIGHUP: start.test.ts). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { ApiKeys, authenticate, watchApiKeysFile, type ApiKeyEntry } from '../../../api/auth';
import { problemHandler } from '../../../api/problem';

const admin: ApiKeyEntry = { key: 'reload-admin-key-00000001', role: 'admin', name: 'admin-1' };
const leaver: ApiKeyEntry = { key: 'reload-caseworker-key-0001', role: 'caseworker', name: 'cw-leaver', municipalities: ['borger-odoorn'] };

async function until(ok: () => Promise<boolean>, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ok()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return ok();
}

describe('API keys file reload', () => {
  let dir: string;
  let file: string;
  let keys: ApiKeys;
  let stop: () => void;
  const outcomes: Array<{ ok: boolean; trigger: string }> = [];
  const app = express();

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koers-keys-'));
    file = path.join(dir, 'api-keys.json');
    fs.writeFileSync(file, JSON.stringify([admin, leaver]));
    keys = ApiKeys.fromFile(file);
    outcomes.length = 0;
    stop = watchApiKeysFile(keys, file, (o) => outcomes.push(o), 100);
    // fs.watchFile takes its first stat asynchronously: a write before it would be the baseline, not a change.
    await new Promise((resolve) => setTimeout(resolve, 500));
  });
  afterEach(() => {
    stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  app.get('/v1/ping', (req, res, next) => authenticate(keys)(req, res, next), (_req, res) => res.json({ ok: true }));
  app.use(problemHandler(() => undefined));
  const ping = (key: string) => request(app).get('/v1/ping').set('Authorization', `Bearer ${key}`);

  it('refuses a removed key shortly after the file changes (written in place or replaced)', async () => {
    expect((await ping(leaver.key)).status).toBe(200);
    // An editor or a mounted secret replaces the file rather than writing into it.
    fs.writeFileSync(`${file}.new`, JSON.stringify([admin]));
    fs.renameSync(`${file}.new`, file);
    expect(await until(async () => (await ping(leaver.key)).status === 401)).toBe(true);
    expect((await ping(admin.key)).status).toBe(200);
    expect(outcomes.at(-1)).toMatchObject({ ok: true, trigger: 'change' });
  });

  it('keeps the previous keys when the new file is broken, and says so without a key', async () => {
    fs.writeFileSync(file, '[{"key": "short", "role": "admin", "name": "x"}]');
    expect(await until(async () => outcomes.length > 0)).toBe(true);
    expect(outcomes[0]).toMatchObject({ ok: false, trigger: 'change' });
    expect(JSON.stringify(outcomes)).not.toContain(leaver.key);
    expect((await ping(leaver.key)).status).toBe(200);
  });
});
