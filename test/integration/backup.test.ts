import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { startKoers, type RunningKoers } from '../../platform/koers';
import { testWorkflowBundle } from '../helpers/bundle-setup';
import { freePort } from '../helpers/ports';

/**
 * Issue 24, fault 8: a backup taken while Koers runs (`npm run backup`) restores (`npm run restore`)
 * into a fresh data directory with every journey and its clocks; a data directory without the secret
 * that sealed it, or with another secret, is refused at start with a clear line and a non-zero exit.
 */
const root = path.resolve(__dirname, '../..');
const script = (name: string, args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, ['-r', '@swc-node/register', `scripts/${name}.ts`, ...args], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });

describe('backup and restore of the embedded deployment', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'koers-backup-'));
  const keysFile = path.join(work, 'keys.json');
  const adminKey = 'backup-admin-key-0123456789';
  const partnerKey = 'backup-partner-key-0123456789';
  const running: RunningKoers[] = [];
  const bundle = testWorkflowBundle();

  const envFor = async (dataDir: string, extra: Record<string, string> = {}) => ({
    PORT: String(await freePort()),
    KOERS_DATA_DIR: dataDir,
    KOERS_API_KEYS_FILE: keysFile,
    KOERS_EMBEDDED_TEMPORAL_PORT: String(await freePort()),
    KOERS_EMBEDDED_TEMPORAL_UI_PORT: String(await freePort()),
    LOG_LEVEL: 'silent',
    ...extra,
  });
  const start = async (env: Record<string, string>) => {
    const koers = await startKoers(loadConfig(env), createLogger('silent'), { workflowBundle: await bundle });
    running.push(koers);
    return koers;
  };
  const call = (url: string, key: string, method = 'GET', body?: unknown) =>
    fetch(url, { method, headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });

  beforeAll(() => {
    fs.writeFileSync(
      keysFile,
      JSON.stringify([
        { key: adminKey, role: 'admin', name: 'backup-admin' },
        { key: partnerKey, role: 'partner', name: 'gemeente BRP', municipalities: ['borger-odoorn'], eventTypes: ['nl.koers.brp.registered'] },
      ]),
    );
  });

  afterAll(async () => {
    for (const koers of running) await koers.stop().catch(() => undefined);
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('restores a backup taken while running: every journey, its clocks, BSN and birth date; never without the secret', async () => {
    const live = path.join(work, 'live');
    const koers = await start(await envFor(live));
    const api = koers.apiUrl!;
    const people = [
      { personRef: 'backup-1', bsn: '123456782', birthDate: '1990-05-01' },
      { personRef: 'backup-2', bsn: '111222333', birthDate: '2009-02-11' },
      { personRef: 'backup-3', bsn: '999999990', birthDate: '1975-12-24' },
    ];
    const ids: string[] = [];
    for (const p of people) {
      const created = await call(`${api}/v1/journeys`, adminKey, 'POST', { ...p, municipality: 'borger-odoorn', permitGrantedOn: '2025-03-14' });
      expect(created.status).toBe(201);
      ids.push(((await created.json()) as { journeyId: string }).journeyId);
    }
    const event = await call(`${api}/v1/journeys/${ids[0]}/events`, partnerKey, 'POST', { specversion: '1.0', id: 'brp-1', source: 'urn:nl:brp:borger-odoorn', type: 'nl.koers.brp.registered', data: { occurredOn: '2025-04-01' } });
    expect(event.status).toBe(202);
    type Journey = { today: string; clocks: Array<{ name: string; finalDate: string; status: string }> };
    const read = async (base: string, id: string) => (await (await call(`${base}/v1/journeys/${id}`, adminKey)).json()) as Journey;
    for (let i = 0; i < 100 && !(await read(api, ids[0]!)).clocks.some((c) => c.name === 'maatschappelijke-begeleiding'); i++) await new Promise((r) => setTimeout(r, 100));
    const before = await Promise.all(ids.map((id) => read(api, id)));
    expect(before[0]!.clocks.some((c) => c.name === 'maatschappelijke-begeleiding')).toBe(true);

    // Online: Koers and its Temporal server keep running (and writing) during the backup.
    const backupDir = path.join(work, 'backup');
    const backup = script('backup', [backupDir], { KOERS_DATA_DIR: live });
    expect(backup.stderr).toBe('');
    expect(backup.status).toBe(0);
    expect(fs.readdirSync(backupDir).sort()).toEqual(['koers.db', 'manifest.json', 'secret.key', 'temporal.db']);
    await koers.stop();
    running.splice(running.indexOf(koers), 1);

    // Without the secret that sealed it: refused, before anything starts, with a line saying what to do.
    const bare = path.join(work, 'without-secret');
    expect(script('restore', [backupDir, bare], {}).status).toBe(0);
    fs.rmSync(path.join(bare, 'secret.key'));
    await expect(start(await envFor(bare))).rejects.toThrow(/holds data but not the secret that sealed it \(secret\.key; KOERS_SECRET_KEY is not set\)/);
    expect(fs.existsSync(path.join(bare, 'secret.key'))).toBe(false);
    // `npm start` exits non-zero with that line.
    const main = spawnSync(process.execPath, ['-r', '@swc-node/register', 'main.ts'], { cwd: root, env: { ...process.env, ...(await envFor(bare)), KOERS_HEAP_MB: '0' }, encoding: 'utf8', timeout: 120_000 });
    expect(main.status).toBe(1);
    expect(main.stderr).toContain('not the secret that sealed it');
    // With another secret: refused too.
    await expect(start(await envFor(bare, { KOERS_SECRET_KEY: 'another-secret-0123456789-0123456789-abcdef' }))).rejects.toThrow(/sealed under another secret/);

    // Restored whole into a fresh directory: every journey and its clocks, the BSN and birth date readable.
    const restoredDir = path.join(work, 'restored');
    const restore = script('restore', [backupDir, restoredDir], {});
    expect(restore.status).toBe(0);
    expect(fs.statSync(restoredDir).mode & 0o777).toBe(0o700);
    for (const name of fs.readdirSync(restoredDir)) expect([name, fs.statSync(path.join(restoredDir, name)).mode & 0o777]).toEqual([name, 0o600]);
    const restored = await start(await envFor(restoredDir));
    const after = await Promise.all(ids.map((id) => read(restored.apiUrl!, id)));
    expect(after.map((j) => ({ ...j, today: '' }))).toEqual(before.map((j) => ({ ...j, today: '' })));
    for (const [i, id] of ids.entries()) {
      const person = (await (await call(`${restored.apiUrl}/v1/journeys/${id}/person`, adminKey)).json()) as { bsn?: string; birthDate?: string };
      expect(person).toMatchObject({ bsn: people[i]!.bsn, birthDate: people[i]!.birthDate });
    }
    // The restored journeys still run: an event after the restore applies.
    const later = await call(`${restored.apiUrl}/v1/journeys/${ids[1]}/events`, partnerKey, 'POST', { specversion: '1.0', id: 'brp-2', source: 'urn:nl:brp:borger-odoorn', type: 'nl.koers.brp.registered', data: { occurredOn: '2025-04-02' } });
    expect(later.status).toBe(202);
    let applied = false;
    for (let i = 0; i < 100 && !applied; i++) {
      applied = (await read(restored.apiUrl!, ids[1]!)).clocks.some((c) => c.name === 'maatschappelijke-begeleiding');
      if (!applied) await new Promise((r) => setTimeout(r, 100));
    }
    expect(applied).toBe(true);
  });
});
