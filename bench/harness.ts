/**
 * What the end-to-end benchmark (bench/index.ts) runs Koers with: a Temporal server (the embedded
 * dev server, or a cluster named by an address), Koers as separate API and worker processes
 * (`KOERS_ROLE`, as a deployment runs them), an HTTP client that honours back-pressure, and the
 * figures every section records with its own (machine load, process memory).
 */
import { EVENT_TYPES } from '../domain/events';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build as buildHistogram, type Histogram } from 'hdr-histogram-js';
import { startKoersProcess, type KoersProcess } from '../test/helpers/koers-process';
import { freePort } from '../test/helpers/ports';

export const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';
export const PARTNER_KEY = 'bench-partner-key-0123456789abcdef';
export const CASEWORKER_KEY = 'bench-caseworker-key-0123456789abcdef';
/** The caseworker's staff id: `GET /v1/tasks/mine` lists the tasks assigned to it. */
export const CASEWORKER = 'bench-caseworker';
export const MUNICIPALITY = 'borger-odoorn';


/** Writes the benchmark's API keys file: an admin, a partner of every event type, one caseworker. */
export function writeKeysFile(dir: string): string {
  const file = path.join(dir, 'api-keys.json');
  fs.writeFileSync(
    file,
    JSON.stringify([
      { key: ADMIN_KEY, role: 'admin', name: 'bench-admin' },
      { key: PARTNER_KEY, role: 'partner', name: 'bench-partner', municipalities: [MUNICIPALITY], eventTypes: [...EVENT_TYPES] },
      { key: CASEWORKER_KEY, role: 'caseworker', name: CASEWORKER, municipalities: [MUNICIPALITY] },
    ]),
  );
  return file;
}

/** Machine load at one moment: `os.loadavg()` (1, 5, 15 minutes) and the time. */
export interface LoadSample {
  at: string;
  loadavg: [number, number, number];
}

export function loadSample(): LoadSample {
  const [a, b, c] = os.loadavg();
  return { at: new Date().toISOString(), loadavg: [round(a!, 2), round(b!, 2), round(c!, 2)] };
}

/** The machine and code the figures belong to. */
export function machine() {
  const git = (args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: path.resolve(__dirname, '..'), encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  };
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    totalMemoryMiB: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    gitCommit: git(['rev-parse', 'HEAD']),
    gitBranch: git(['rev-parse', '--abbrev-ref', 'HEAD']),
    gitDirty: git(['status', '--porcelain', '--untracked-files=no']) !== '',
  };
}

export const round = (value: number, digits = 3): number => Number(value.toFixed(digits));

/** A latency histogram in milliseconds (HdrHistogram, 3 significant digits, up to 10 minutes). */
export function latencyHistogram(): Histogram {
  return buildHistogram({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000, numberOfSignificantValueDigits: 3 });
}

/** p50/p95/p99/max and the count of a histogram in milliseconds; empty when nothing was recorded. */
export function percentiles(h: Histogram) {
  if (h.totalCount === 0) return { count: 0 };
  return {
    count: h.totalCount,
    p50Ms: h.getValueAtPercentile(50),
    p95Ms: h.getValueAtPercentile(95),
    p99Ms: h.getValueAtPercentile(99),
    maxMs: h.maxValue,
  };
}

/**
 * Resident set size in bytes of a process and its descendants (a Koers process may run itself again in
 * a child Node, e.g. to set its heap limit), from /proc (Linux); undefined when the process is gone.
 */
export function rssBytes(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  const own = procRss(pid);
  if (own === undefined) return undefined;
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/<pid>/stat, after the parenthesised command name (which may hold spaces).
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone between the listing and the read.
    }
  }
  let total = own;
  const queue = [...(children.get(pid) ?? [])];
  while (queue.length) {
    const child = queue.pop()!;
    total += procRss(child) ?? 0;
    queue.push(...(children.get(child) ?? []));
  }
  return total;
}

function procRss(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system, ms) of every process on the machine, grouped by what it is, from /proc/<pid>/stat. */
export type CpuByGroup = Record<string, number>;

const TICK_MS = 10; // USER_HZ is 100 on Linux

/**
 * The CPU each part of the system used so far: the Koers worker and API (their processes and the
 * children they run), the Temporal server (dev server or cluster), PostgreSQL, this benchmark, the rest.
 */
export function cpuByGroup(koers: { worker?: number; api?: number }): CpuByGroup {
  const out: CpuByGroup = {};
  const parents = new Map<number, number>();
  const stats: Array<{ pid: number; ticks: number; command: string }> = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
      // Its own user + system time and that of its children that have ended (cutime + cstime): a
      // PostgreSQL backend that exits hands its CPU to the postmaster, so a group's total never falls.
      stats.push({ pid: Number(entry), ticks: Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]), command: fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ') });
    } catch {
      // Gone between the listing and the read.
    }
  }
  const under = (pid: number, root: number | undefined): boolean => {
    for (let p: number | undefined = pid; p && root; p = parents.get(p)) if (p === root) return true;
    return false;
  };
  for (const { pid, ticks, command } of stats) {
    const group = under(pid, koers.worker) ? 'koersWorker'
      : under(pid, koers.api) ? 'koersApi'
      : /temporal-server|temporal server start-dev/.test(command) ? 'temporalServer'
      : /^(\S*\/)?postgres[: ]/.test(command) ? 'postgres' // the postmaster (…/bin/postgres -D …) and its backends (postgres: …)
      : pid === process.pid ? 'bench'
      : 'other';
    out[group] = (out[group] ?? 0) + ticks * TICK_MS;
  }
  return out;
}

/** Share of the machine's CPU time that was busy over `ms` (0–1), from /proc/stat. */
export async function cpuBusy(ms: number): Promise<number> {
  const read = () => fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  const a = read();
  await sleep(ms);
  const b = read();
  const delta = b.map((v, i) => v - a[i]!);
  const total = delta.reduce((x, y) => x + y, 0);
  const idle = delta[3]! + delta[4]!;
  return total > 0 ? 1 - idle / total : 0;
}

/** Runs `fn` over `items`, `limit` at a time. */
export async function eachBounded<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await fn(items[index]!, index);
      }
    }),
  );
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Requests answered 429/503 and retried after `Retry-After`, per operation and status (`postEvent 503`):
 * 503 shed by back-pressure or Temporal did not answer by the API's deadline, 429 a key's rate limit;
 * `network`: no answer.
 */
export const shed: Record<string, number> = {};

/**
 * One HTTP request to Koers that honours back-pressure: a 429 or 503 is counted in {@link shed} and
 * retried after its `Retry-After` (seconds, at most 10; 1 when absent), up to 10 minutes. Network errors
 * are retried too (counted as `network`). Other answers are returned as they are.
 */
export async function request(base: string, key: string, method: string, url: string, body?: unknown, operation = method): Promise<{ status: number; body: Record<string, unknown> }> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    try {
      const res = await fetch(`${base}${url}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
      const text = await res.text();
      if (res.status !== 429 && res.status !== 503) {
        return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
      }
      const answer = `${operation} ${res.status}`;
      shed[answer] = (shed[answer] ?? 0) + 1;
      const retryAfter = Number(res.headers.get('retry-after'));
      await sleep(Math.min(10, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 1) * 1000);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      shed.network = (shed.network ?? 0) + 1;
      await sleep(500);
    }
    if (Date.now() > deadline) throw new Error(`${method} ${url}: no answer but 429/503 for 10 minutes`);
  }
}

/** Koers as a deployment runs it: one API process and one worker process on one store. */
export interface KoersDeployment {
  base: string;
  env: Record<string, string>;
  api: KoersProcess;
  worker: KoersProcess;
  /** Restarts the worker with extra environment (e.g. a cache size); resolves when it polls. */
  restartWorker(extraEnv: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

/**
 * An API and a worker process against `temporalAddress`. `temporalTls`: the TEMPORAL_TLS_* settings a
 * cluster with mutual TLS needs (the lines scripts/temporal-cluster.sh prints).
 */
export async function startDeployment(options: { temporalAddress: string; namespace: string; dir: string; databaseUrl: string; taskQueue: string; workerEnv?: Record<string, string>; temporalTls?: Record<string, string> }): Promise<KoersDeployment> {
  const port = await freePort();
  const env: Record<string, string> = {
    PORT: String(port),
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_NAMESPACE: options.namespace,
    KOERS_DATA_DIR: options.dir,
    KOERS_DATABASE_URL: options.databaseUrl,
    KOERS_API_KEYS_FILE: writeKeysFile(options.dir),
    KOERS_SECRET_KEY: 'bench-secret-key-0123456789-0123456789',
    KOERS_TASK_QUEUE: options.taskQueue,
    // The bench is one partner sending 20+ events a second, more than a key's default 600 a minute:
    // a 429 here would measure the limiter's window, not the journeys (the limit has its own test).
    KOERS_EVENT_RATE_LIMIT_PER_MINUTE: '0',
    ...options.temporalTls,
    // Likewise the journey's budget per day: the history section sends hundreds of events to one journey.
    KOERS_JOURNEY_EVENT_BUDGET_PER_DAY: '0',
  };
  const deployment: KoersDeployment = {
    base: `http://127.0.0.1:${port}`,
    env,
    worker: startKoersProcess('worker', { ...env, ...options.workerEnv }, 300_000),
    api: startKoersProcess('api', env, 300_000),
    async restartWorker(extraEnv) {
      await deployment.worker.kill('SIGTERM');
      deployment.worker = startKoersProcess('worker', { ...env, ...extraEnv }, 300_000);
      await deployment.worker.ready;
    },
    async stop() {
      await Promise.all([deployment.api.kill('SIGTERM'), deployment.worker.kill('SIGTERM')]);
    },
  };
  await Promise.all([deployment.worker.ready, deployment.api.ready]);
  return deployment;
}
