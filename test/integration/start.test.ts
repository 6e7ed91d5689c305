import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../helpers/ports';

/** `npm start` as a process: a wrong setting stops it with one line; SIGTERM shuts everything down. */
const root = path.resolve(__dirname, '../..');
const mainArgs = ['-r', '@swc-node/register', 'main.ts'];

const portOpen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('npm start as a process', () => {
  it('refuses a wrong setting with one line naming it, and starts nothing', () => {
    const result = spawnSync(process.execPath, mainArgs, {
      cwd: root,
      env: { ...process.env, PORT: 'eighty', KOERS_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'koers-cfg-')) },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^koers: invalid setting PORT: /)]);
  });

  it('serves the API and the Web UI, and shuts down cleanly on SIGTERM', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'koers-start-'));
    const [port, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort()];
    const child = spawn(process.execPath, mainArgs, {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(port),
        KOERS_DATA_DIR: dataDir,
        KOERS_EMBEDDED_TEMPORAL_PORT: String(temporalPort),
        KOERS_EMBEDDED_TEMPORAL_UI_PORT: String(uiPort),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logs: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 90_000;
      let healthy = false;
      while (!healthy && Date.now() < deadline) {
        healthy = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);
        if (!healthy) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(healthy).toBe(true);
      expect((await fetch(`http://127.0.0.1:${uiPort}/`)).status).toBe(200);
      // First start writes clearly marked development keys.
      const keys = JSON.parse(fs.readFileSync(path.join(dataDir, 'dev-api-keys.json'), 'utf8')) as Array<{ name: string }>;
      expect(keys.every((k) => k.name.startsWith('DEVELOPMENT ONLY'))).toBe(true);
      // Every log line, the Temporal SDK's included, is JSON.
      const lines = logs.join('').split('\n').filter((line) => line.trim() !== '');
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
      expect(lines.some((line) => (JSON.parse(line) as { msg?: string }).msg === 'worker started')).toBe(true);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(await portOpen(port)).toBe(false);
      expect(await portOpen(temporalPort)).toBe(false);
      expect(await portOpen(uiPort)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
