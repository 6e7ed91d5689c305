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
  const forward = serverLogForwarder(options.logger);
  const remember = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 50) output.shift();
    forward(chunk);
  };
  child.stdout.on('data', remember);
  child.stderr.on('data', remember);
  let exited = false;
  let stopping = false;
  child.once('exit', (code, signal) => {
    exited = true;
    // The journeys stop with it: an operator must hear of it at once, not from the next failing request.
    if (!stopping) options.logger?.error({ code, signal }, 'embedded Temporal server exited');
  });

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
    stop: () => {
      stopping = true;
      return stopChild(child);
    },
  };
}

/** Temporal's JSON log levels that an operator must see (the server runs with `--log-level warn`). */
const SERVER_LEVELS: Record<string, 'warn' | 'error'> = { warn: 'warn', error: 'error', dpanic: 'error', panic: 'error', fatal: 'error' };

/**
 * Passes the embedded server's output on to Koers's log, line by line: its JSON log lines at their own
 * level (warn, error) with the server's fields under `temporal`, other lines as warnings. Without this a
 * full disk or a corrupt temporal.db showed nowhere but in the server's memory.
 */
export function serverLogForwarder(logger: Logger | undefined): (chunk: Buffer | string) => void {
  let pending = '';
  return (chunk) => {
    if (!logger) return;
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!.slice(-16_384);
    for (const line of lines.map((l) => l.trim()).filter(Boolean)) {
      let entry: Record<string, unknown> | undefined;
      try {
        const parsed = JSON.parse(line) as unknown;
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) entry = parsed as Record<string, unknown>;
      } catch {
        entry = undefined;
      }
      if (!entry) {
        logger.warn({ line: line.slice(0, 2000) }, 'embedded Temporal server');
        continue;
      }
      const { level, msg, ts: _ts, ...fields } = entry;
      const mapped = SERVER_LEVELS[String(level)];
      if (mapped) logger[mapped]({ temporal: fields }, `embedded Temporal server: ${String(msg ?? '')}`.slice(0, 500));
    }
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
