/**
 * `npm run bench:accounting` (issue 25): what one journey start and one event cost, counted, not timed.
 * Koers runs as the bench runs it (an API and a worker process, the Temporal dev server) on a
 * throwaway PostgreSQL (scripts/test-postgres.sh) that logs every statement with the process that sent
 * it (`PGAPPNAME`). For `N` starts and then `N` events (each read back before the next phase) it counts:
 * the SQL statements of each process by kind and table, the API's Temporal calls (its /metrics), the
 * history events of a journey (client fetchHistory) and the CPU of each process. Prints JSON.
 *
 *   node -r @swc-node/register bench/accounting.ts [N=20]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { startDevServer } from '../platform/dev-server';
import { startKoersProcess } from '../test/helpers/koers-process';
import { freePort } from '../test/helpers/ports';
import { ADMIN_KEY, MUNICIPALITY, PARTNER_KEY, request, round, sleep, writeKeysFile } from './harness';

const N = Number(process.argv[2] ?? 20);
const root = path.resolve(__dirname, '..');
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

/** Statements of the PostgreSQL log since `offset`, as `app|kind table` counts (BEGIN/COMMIT counted as such). */
function statementsSince(logFile: string, offset: number): { counts: Record<string, Record<string, number>>; end: number } {
  const text = fs.readFileSync(logFile, 'utf8');
  const counts: Record<string, Record<string, number>> = {};
  for (const line of text.slice(offset).split('\n')) {
    const m = /^([^|]*)\|.*?(?:LOG:\s+(?:statement|execute [^:]*):\s+)(.*)$/.exec(line);
    if (!m) continue;
    const app = m[1] || 'other';
    const sql = m[2]!.trim();
    const kind = /^(\w+)/.exec(sql)?.[1]?.toLowerCase() ?? '?';
    const table = /\b(?:from|into|update)\s+"?(\w+)"?/i.exec(sql)?.[1] ?? '';
    const key = `${kind}${table ? ` ${table}` : ''}`;
    (counts[app] ??= {})[key] = (counts[app]![key] ?? 0) + 1;
  }
  return { counts, end: text.length };
}

function perUnit(counts: Record<string, Record<string, number>>, n: number) {
  return Object.fromEntries(
    Object.entries(counts).map(([app, byKind]) => [app, { total: round(Object.values(byKind).reduce((a, b) => a + b, 0) / n, 2), ...Object.fromEntries(Object.entries(byKind).sort().map(([k, v]) => [k, round(v / n, 2)])) }]),
  );
}

async function temporalCalls(base: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^koers_temporal_client_requests_total\{([^}]*)\} (\d+)/gm)) {
    const op = /operation="([^"]+)"/.exec(m[1]!)?.[1] ?? '?';
    out[op] = (out[op] ?? 0) + Number(m[2]);
  }
  return out;
}

/**
 * CPU ms (user + system, with ended children's) of each process tree named by its root pid: this run's own
 * API, worker, Temporal server and PostgreSQL only, not the other processes of a shared machine.
 */
function cpuOfTrees(roots: Record<string, number | undefined>): Record<string, number> {
  const parents = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(f[1]));
      ticks.set(Number(entry), Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]));
    } catch {
      // Gone between the listing and the read.
    }
  }
  const out: Record<string, number> = {};
  for (const [name, root] of Object.entries(roots)) {
    if (!root) continue;
    let total = 0;
    for (const [pid, t] of ticks) {
      for (let p: number | undefined = pid; p; p = parents.get(p)) {
        if (p === root) {
          total += t;
          break;
        }
        if (p === 1) break;
      }
    }
    out[name] = total * 10; // USER_HZ 100
  }
  return out;
}

const diff = (a: Record<string, number>, b: Record<string, number>, n: number) =>
  Object.fromEntries(Object.keys(b).filter((k) => (b[k] ?? 0) !== (a[k] ?? 0)).map((k) => [k, round(((b[k] ?? 0) - (a[k] ?? 0)) / n, 2)]));

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koers-accounting-'));
  const pgState = path.join(dir, 'pg.state');
  const pgEnv = { ...process.env, KOERS_TEST_POSTGRES_STATE: pgState };
  const url = execFileSync('bash', ['scripts/test-postgres.sh', 'start'], { cwd: root, env: pgEnv, encoding: 'utf8' }).trim().split('\n').at(-1)!;
  const pgDir = /DIR=(.*)/.exec(fs.readFileSync(pgState, 'utf8'))![1]!.replace(/^'|'$/g, '');
  const logFile = path.join(pgDir, 'server.log');
  const psql = (sql: string) => execFileSync('psql', [url, '-qAtc', sql], { encoding: 'utf8' });
  psql(`ALTER SYSTEM SET log_statement = 'all'`);
  psql(`ALTER SYSTEM SET log_line_prefix = '%a|'`);
  psql('SELECT pg_reload_conf()');
  const server = await startDevServer({ port: await freePort(), uiPort: await freePort(), dbFile: path.join(dir, 'temporal.db'), namespace: 'default' });
  const port = await freePort();
  const env: Record<string, string> = {
    PORT: String(port),
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: 'default',
    KOERS_DATA_DIR: dir,
    KOERS_DATABASE_URL: url,
    KOERS_API_KEYS_FILE: writeKeysFile(dir),
    KOERS_SECRET_KEY: 'bench-secret-key-0123456789-0123456789',
    KOERS_TASK_QUEUE: 'accounting',
    KOERS_EVENT_RATE_LIMIT_PER_MINUTE: '0',
    KOERS_JOURNEY_EVENT_BUDGET_PER_DAY: '0',
  };
  const worker = startKoersProcess('worker', { ...env, PGAPPNAME: 'worker' }, 300_000);
  const api = startKoersProcess('api', { ...env, PGAPPNAME: 'api' }, 300_000);
  const base = `http://127.0.0.1:${port}`;
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  try {
    await Promise.all([worker.ready, api.ready]);
    const postmaster = Number(fs.readFileSync(path.join(pgDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const cpu = () => cpuOfTrees({ koersApi: api.child.pid, koersWorker: worker.child.pid, temporalServer: server.pid, postgres: postmaster });
    let ref = 0;
    const start = async () => {
      const res = await request(base, ADMIN_KEY, 'POST', '/v1/journeys', { personRef: `acc-${ref++}`, municipality: MUNICIPALITY, permitGrantedOn: daysAgo(10), birthDate: '1990-05-01' });
      if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.journeyId as string;
    };
    const sendEvent = async (journeyId: string, k: number) => {
      const res = await request(base, PARTNER_KEY, 'POST', `/v1/journeys/${journeyId}/events`, { specversion: '1.0', id: `acc-${k}-${journeyId.slice(-8)}`, source: 'urn:nl:bench', type: 'nl.koers.duo.notified', time: new Date().toISOString(), data: { occurredOn: daysAgo(3) } });
      if (res.status !== 202) throw new Error(`event: ${res.status} ${JSON.stringify(res.body)}`);
    };
    // The journey's first task in the store / its event in the read model, asked by psql (not counted: app "psql").
    const firstTasks = (ids: string[]) => Number(psql(`SELECT count(DISTINCT journey_id) FROM tasks WHERE journey_id IN (${ids.map((id) => `'${id}'`).join(',')})`));
    const shown = (ids: string[]) => Number(psql(`SELECT count(*) FROM journeys WHERE journey_id IN (${ids.map((id) => `'${id}'`).join(',')}) AND view LIKE '%duoNotifiedOn%'`));
    const until = async (done: () => boolean) => {
      for (let i = 0; i < 600 && !done(); i++) await sleep(100);
    };

    // Warm up (a first call pays for connections, caches, JIT).
    const warm = [await start(), await start()];
    await until(() => firstTasks(warm) === warm.length);
    await Promise.all(warm.map((id, k) => sendEvent(id, k)));
    await until(() => shown(warm) === warm.length);
    await sleep(3000);

    // Idle: what the processes do on their own (the worker's monitor, the relay) over the same time is subtracted by eye.
    let log = statementsSince(logFile, 0);
    const idleStarted = Date.now();
    await sleep(5000);
    const idle = statementsSince(logFile, log.end);
    const idleSeconds = (Date.now() - idleStarted) / 1000;

    // N starts, one after another, each until its first task is in the store.
    log = idle;
    let calls = await temporalCalls(base);
    let cpuAt = cpu();
    let t0 = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < N; i++) {
      const id = await start();
      ids.push(id);
      await until(() => firstTasks([id]) === 1);
    }
    const startSeconds = (Date.now() - t0) / 1000;
    await sleep(1500);
    const starts = statementsSince(logFile, log.end);
    const startCalls = diff(calls, await temporalCalls(base), N);
    const startCpu = diff(cpuAt, cpu(), N);

    // N events, one after another, each until the read model shows it.
    calls = await temporalCalls(base);
    cpuAt = cpu();
    t0 = Date.now();
    for (const [k, id] of ids.entries()) {
      await sendEvent(id, 100 + k);
      await until(() => shown([id]) === 1);
    }
    const eventSeconds = (Date.now() - t0) / 1000;
    await sleep(1500);
    const events = statementsSince(logFile, starts.end);
    const eventCalls = diff(calls, await temporalCalls(base), N);
    const eventCpu = diff(cpuAt, cpu(), N);

    // N reads (GET /v1/journeys/{id}) of what the events made visible.
    calls = await temporalCalls(base);
    for (const id of ids) if ((await request(base, ADMIN_KEY, 'GET', `/v1/journeys/${id}`)).status !== 200) throw new Error('get');
    await sleep(1500);
    const gets = statementsSince(logFile, events.end);
    const getCalls = diff(calls, await temporalCalls(base), N);

    // One journey's history: what its start and its event wrote in Temporal.
    const history = await client.workflow.getHandle(ids[0]!).fetchHistory();
    const types = (history.events ?? []).map((e) => String(e.eventType).replace('EVENT_TYPE_', ''));
    const markers = (history.events ?? []).filter((e) => e.markerRecordedEventAttributes).map((e) => e.markerRecordedEventAttributes!.markerName);
    console.log(JSON.stringify({
      journeys: N,
      idle: { seconds: round(idleSeconds, 1), statements: perUnit(idle.counts, 1) },
      start: { secondsEach: round(startSeconds / N, 3), sqlPerStart: perUnit(starts.counts, N), temporalCallsFromApi: startCalls, cpuMsPerStart: startCpu },
      event: { secondsEachPostToRow: round(eventSeconds / N, 3), sqlPerEvent: perUnit(events.counts, N), temporalCallsFromApi: eventCalls, cpuMsPerEvent: eventCpu },
      get: { sqlPerGet: perUnit(gets.counts, N), temporalCallsFromApi: getCalls },
      history: { events: types.length, types, markers },
    }, null, 2));
  } finally {
    await Promise.all([api.kill('SIGTERM'), worker.kill('SIGTERM')]);
    await connection.close();
    await server.stop();
    execFileSync('bash', ['scripts/test-postgres.sh', 'stop'], { cwd: root, env: pgEnv });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
