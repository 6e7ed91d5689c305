import { spawn, ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { temporalCliPath } from './tools';
import { searchAttributeCliArgs } from './search-attributes';
import type { Logger } from './logger';

export interface DevServerOptions {
  /** Interface the server and its UI listen on (default loopback). */
  ip?: string;
  port: number;
  uiPort: number;
  /** SQLite file the server persists to; workflows survive a restart. */
  dbFile: string;
  namespace: string;
  /** The UI's remote codec (`…/codec` of Koers's API), so administrators see decoded payloads. */
  uiCodecEndpoint?: string;
  logger?: Logger;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  /** The server's process (a test freezes it with SIGSTOP to stall Temporal). */
  pid: number | undefined;
  stop(): Promise<void>;
}

/**
 * Runs the real Temporal server (the CLI's dev server: SQLite persistence, Web UI) as a child process,
 * with Koers's search attributes registered, and resolves once it answers gRPC.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  fs.mkdirSync(path.dirname(options.dbFile), { recursive: true });
  const args = [
    'server', 'start-dev',
    '--ip', options.ip ?? '127.0.0.1',
    '--port', String(options.port),
    '--ui-port', String(options.uiPort),
    '--db-filename', options.dbFile,
    '--namespace', options.namespace,
    '--log-format', 'json',
    '--log-level', 'warn',
    ...(options.uiCodecEndpoint ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : []),
    ...searchAttributeCliArgs(),
  ];
  const child = spawn(temporalCliPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const remember = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 50) output.shift();
  };
  child.stdout.on('data', remember);
  child.stderr.on('data', remember);
  let exited = false;
  child.once('exit', () => (exited = true));

  // Listening on every interface still answers on loopback; a specific address answers only there.
  const host = !options.ip || options.ip === '0.0.0.0' || options.ip === '::' ? '127.0.0.1' : options.ip;
  const address = `${host.includes(':') ? `[${host}]` : host}:${options.port}`;
  try {
    await waitUntilServing(address, () => exited, 60_000);
  } catch (err) {
    await stopChild(child);
    throw new Error(`Temporal dev server did not start on ${address}: ${(err as Error).message}\n${output.join('').slice(-2000)}`);
  }
  options.logger?.info({ address, ui: `http://127.0.0.1:${options.uiPort}`, bindAddress: options.ip ?? '127.0.0.1' }, 'embedded Temporal server started');
  return {
    address,
    uiUrl: `http://${host.includes(':') ? `[${host}]` : host}:${options.uiPort}`,
    pid: child.pid,
    stop: () => stopChild(child),
  };
}

async function waitUntilServing(address: string, hasExited: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (hasExited()) throw new Error('the server process exited');
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`timed out: ${String(lastError)}`);
}

/** SIGTERM lets the server close its SQLite file cleanly; SIGKILL only if it hangs. */
function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
