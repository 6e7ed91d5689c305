/**
 * `npm start` as child processes for the fault tests: an API and a worker (KOERS_ROLE) against one
 * Temporal server and one store, each of which can be killed (SIGKILL: no shutdown code runs) and
 * started again. Logs are kept per process for the failure message.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

export interface KoersProcess {
  readonly role: 'api' | 'worker';
  child: ChildProcess;
  logs: string[];
  /** Resolves when it can serve: the API answers /health with 200, the worker has logged "worker started". */
  ready: Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function startKoersProcess(role: 'api' | 'worker', env: Record<string, string>, readyTimeoutMs = 120_000): KoersProcess {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'main.ts'], {
    cwd: root,
    env: { ...process.env, ...env, KOERS_ROLE: role, LOG_LEVEL: 'info', KOERS_WORKER_METRICS_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const remember = (chunk: Buffer) => {
    logs.push(chunk.toString());
    if (logs.length > 400) logs.shift();
  };
  child.stdout!.on('data', remember);
  child.stderr!.on('data', remember);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const ready = (async () => {
    const deadline = Date.now() + readyTimeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`koers ${role} exited: ${logs.join('').slice(-2000)}`);
      if (role === 'api') {
        const ok = await fetch(`http://127.0.0.1:${env.PORT}/health`).then((r) => r.ok, () => false);
        if (ok) return;
      } else if (logs.join('').includes('"msg":"worker started"')) {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`koers ${role} not ready in ${readyTimeoutMs} ms: ${logs.join('').slice(-2000)}`);
  })();
  ready.catch(() => undefined);

  return {
    role,
    child,
    logs,
    ready,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
