import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../helpers/ports';

/** `npm start` as a process: a wrong setting stops it with one line; SIGTERM shuts everything down. */
const root = path.resolve(__dirname, '../..');
const mainArgs = ['-r', '@swc-node/register', 'main.ts'];

const portOpen = (port: number, host = '127.0.0.1'): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect(port, host);
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

  it('in production mode, refuses a Temporal cluster without TLS with one line, before touching the store', () => {
    // The suite's dev server speaks plain gRPC, as a cluster without TLS does.
    const address = process.env.KOERS_TEST_TEMPORAL_ADDRESS!;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koers-prod-'));
    try {
      const certs = path.join(dir, 'tls');
      spawnSync('bash', [path.join(root, 'scripts/temporal-certs.sh'), certs, 'koers'], { stdio: 'ignore' });
      const run = (extra: Record<string, string>) =>
        spawnSync(process.execPath, mainArgs, {
          cwd: root,
          env: {
            ...process.env,
            KOERS_MODE: 'production',
            KOERS_ROLE: 'worker',
            TEMPORAL_ADDRESS: address,
            KOERS_DATA_DIR: path.join(dir, 'data'),
            KOERS_DATABASE_URL: `sqlite:${path.join(dir, 'koers.db')}`,
            KOERS_SECRET_KEY: 'production-test-secret-0123456789-0123456789',
            KOERS_WORKER_METRICS_PORT: '0',
            ...extra,
          },
          encoding: 'utf8',
          timeout: 60_000,
        });
      // Without a client certificate: the settings are refused.
      const unset = run({});
      expect(unset.status).toBe(1);
      expect(unset.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^koers: invalid setting TEMPORAL_TLS_CERT_PATH: production mode \(KOERS_MODE\) refuses a Temporal cluster without mutual TLS/)]);
      // With one, against a frontend that answers in plain text: refused at the handshake.
      const plain = run({
        TEMPORAL_TLS_CA_PATH: path.join(certs, 'ca.pem'),
        TEMPORAL_TLS_CERT_PATH: path.join(certs, 'koers.pem'),
        TEMPORAL_TLS_KEY_PATH: path.join(certs, 'koers-key.pem'),
        TEMPORAL_TLS_SERVER_NAME: 'temporal',
      });
      expect(plain.status).toBe(1);
      expect(plain.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^koers: refusing Temporal at ${address}: it does not speak TLS .*mutual TLS`))]);
      // Nothing ran: no store was created, no worker started.
      expect(fs.existsSync(path.join(dir, 'koers.db'))).toBe(false);
      expect(plain.stdout).not.toMatch(/worker started/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

/** A non-loopback address of this machine, if it has one: what another machine would connect to. */
const outsideAddress = (): string | undefined =>
  Object.values(os.networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

/** Sends headers and a body that never completes; resolves with how the connection ended. */
function slowBody(port: number, key: string): Promise<{ closed: boolean; response: string }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let response = '';
    const giveUp = setTimeout(() => {
      socket.destroy();
      resolve({ closed: false, response });
    }, 60_000);
    socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
    socket.on('close', () => {
      clearTimeout(giveUp);
      resolve({ closed: true, response });
    });
    socket.on('error', () => undefined);
    socket.write(`POST /v1/journeys HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"person`);
  });
}

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
        KOERS_REQUEST_TIMEOUT_SECONDS: '2',
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
      const keysFile = path.join(dataDir, 'dev-api-keys.json');
      const keys = JSON.parse(fs.readFileSync(keysFile, 'utf8')) as Array<{ name: string; key: string; role: string }>;
      expect(keys.every((k) => k.key.startsWith('dev-'))).toBe(true);
      // The caseworker's name is the staff id its claimed tasks carry, so one the API takes back (reassign, filters).
      expect(keys.map((k) => [k.role, k.name])).toEqual([
        ['admin', 'DEVELOPMENT ONLY admin'],
        ['caseworker', 'dev-caseworker'],
      ]);

      // The Web UI decodes through Koers's codec endpoint.
      const uiSettings = (await (await fetch(`http://127.0.0.1:${uiPort}/api/v1/settings`)).json()) as { Codec?: { Endpoint?: string } };
      expect(uiSettings.Codec?.Endpoint).toBe(`http://127.0.0.1:${port}/codec`);

      // Nothing listens beyond loopback unless KOERS_BIND_ADDRESS says so.
      const outside = outsideAddress();
      if (outside) for (const p of [port, temporalPort, uiPort]) expect(await portOpen(p, outside)).toBe(false);

      // A body that never completes is cut off after KOERS_REQUEST_TIMEOUT_SECONDS, not held for minutes.
      const slow = await slowBody(port, keys.find((k) => k.role === 'admin')!.key);
      expect(slow.closed).toBe(true);
      expect(slow.response).toMatch(/^HTTP\/1\.1 408/);

      // SIGHUP reloads the keys file: a removed key stops working, without a restart.
      const caseworker = keys.find((k) => k.role === 'caseworker')!;
      const mine = () => fetch(`http://127.0.0.1:${port}/v1/tasks/mine`, { headers: { Authorization: `Bearer ${caseworker.key}` } }).then((r) => r.status);
      expect(await mine()).toBe(200);
      fs.writeFileSync(keysFile, JSON.stringify(keys.filter((k) => k !== caseworker)));
      child.kill('SIGHUP');
      const reloadDeadline = Date.now() + 10_000;
      while ((await mine()) !== 401 && Date.now() < reloadDeadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await mine()).toBe(401);
      expect(child.exitCode).toBeNull();
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
