/**
 * `npm run bench` (issue 12): Koers end to end on this machine, every figure a ratio or a percentile
 * measured in the same run, with the machine's load before and after each section.
 *
 *   npm run bench                 full run (about 30-45 minutes on 2 cores)
 *   npm run bench -- --quick      smaller populations (under 5 minutes)
 *   npm run bench -- --national   event latency up to 100,000 active journeys (hours; run by hand)
 *   options: --label <name> (file name suffix, e.g. `before`), --cluster / --no-cluster,
 *            --sections a,b (domain, memory, start, latency, history, inbox, pages, cluster; with cluster,
 *              the named ones of start, history, latency run on the cluster too, and only those),
 *            --cluster-parts start,latency (only these parts on the cluster, whatever --sections runs elsewhere),
 *            --page-levels 1000,10000 (journeys in the store while the pages section loads pages in Chromium),
 *            --page-loads 10 (loads per page and level)
 *            --store postgres (Koers's store on a throwaway PostgreSQL of scripts/test-postgres.sh instead of
 *            SQLite, for the dev-server sections: e.g. `--national --sections pages --page-levels 100000 --store postgres`)
 *            --levels 1000,3000 and --cache 1000 (active journeys of the latency section, its small cache)
 *
 * Writes `bench/results/<YYYY-MM-DD>[-quick][-<label>].json` and a `.md` summary next to it.
 * Koers runs as separate API and worker processes (`KOERS_ROLE`) against a Temporal dev server this
 * script starts (or the PostgreSQL cluster of `scripts/temporal-cluster.sh`), loaded over HTTP with
 * bounded concurrency; 429/503 answers are honoured (`Retry-After`) and counted as shed requests.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { closeClient, connectClient } from '../platform/temporal';
import { loadConfig } from '../platform/config';
import { temporal } from '@temporalio/proto';
import { startDevServer, type DevServer } from '../platform/dev-server';
import { openDatabase, type Db } from '../store/db';
import { migrateToLatest } from '../store/migrations';
import { TaskStore } from '../store/tasks';
import { CASEWORKER_ROLES, TASK_KINDS } from '../domain/vocabulary';
import type { DesiredTask } from '../domain/types';
import { freePort } from '../test/helpers/ports';
import { pagesSection } from './pages';
import { startKoersProcess } from '../test/helpers/koers-process';
import {
  ADMIN_KEY, CASEWORKER, CASEWORKER_KEY, MUNICIPALITY, PARTNER_KEY,
  cpuBusy, cpuByGroup, eachBounded, latencyHistogram, loadSample, machine, percentiles, request, round, rssBytes, shed, sleep, startDeployment,
  type KoersDeployment, type LoadSample,
} from './harness';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = flag('quick');
const national = flag('national');
const mode = national ? 'national' : quick ? 'quick' : 'full';
const root = path.resolve(__dirname, '..');
/** The cluster of issue 12 point 5; KOERS_BENCH_CLUSTER_SCRIPT may name another checkout's copy. */
const clusterScript = process.env.KOERS_BENCH_CLUSTER_SCRIPT ?? path.join(root, 'scripts/temporal-cluster.sh');

/**
 * Population sizes per mode. `levels`: active journeys at which the dev server's event latency is
 * measured; `clusterLevels`: the same on the PostgreSQL cluster (the national 100,000 run there only).
 */
const plan = {
  quick: { pageLevels: [1_000, 10_000], pageLoads: 10, domainJourneys: 20_000, startJourneys: 200, levels: [200, 1_000], cache: 200, eventsPerSecond: 20, eventSeconds: 15, historyJourneys: 2, inboxTasks: 20_000, inboxRequests: 200, touchFactor: 2, clusterLevels: [200] },
  full: { pageLevels: [1_000, 10_000], pageLoads: 30, domainJourneys: 100_000, startJourneys: 1_000, levels: [1_000, 10_000], cache: 1_000, eventsPerSecond: 20, eventSeconds: 30, historyJourneys: 3, inboxTasks: 100_000, inboxRequests: 500, touchFactor: 3, clusterLevels: [1_000] },
  national: { pageLevels: [1_000, 10_000, 100_000], pageLoads: 30, domainJourneys: 100_000, startJourneys: 1_000, levels: [1_000, 10_000], cache: 1_000, eventsPerSecond: 20, eventSeconds: 60, historyJourneys: 3, inboxTasks: 100_000, inboxRequests: 500, touchFactor: 3, clusterLevels: [1_000, 10_000, 100_000] },
}[mode];
// `--levels 1000,3000`, `--cluster-levels 1000` and `--cache 1000` override the plan's active-journey levels and small cache.
if (option('levels')) plan.levels = option('levels')!.split(',').map(Number);
if (option('cluster-levels')) plan.clusterLevels = option('cluster-levels')!.split(',').map(Number);
if (option('cache')) plan.cache = Number(option('cache'));
if (option('page-levels')) plan.pageLevels = option('page-levels')!.split(',').map(Number);
if (option('page-loads')) plan.pageLoads = Number(option('page-loads'));
const START_CONCURRENCY = 10;

const allSections = ['domain', 'memory', 'replay', 'start', 'latency', 'history', 'inbox', 'pages', 'cluster'] as const;
type SectionName = (typeof allSections)[number];
const chosen = new Set<string>(option('sections')?.split(',') ?? allSections);
const runSection = (name: SectionName) => chosen.has(name) && !(name === 'cluster' && flag('no-cluster')) && !(name === 'cluster' && quick && !flag('cluster'));

/** One section's figures with the machine's load around them. */
interface Section {
  figures: Record<string, unknown>;
  loadBefore: LoadSample;
  loadAfter: LoadSample;
  seconds: number;
}
const results: Record<string, Section | { skipped: string }> = {};

/** Written after every section, so a run cut short still leaves what it measured (`complete: false`). */
let writeResults: (complete: boolean) => void = () => undefined;

async function section(name: string, work: (progress: (figures: Record<string, unknown>) => void) => Promise<Record<string, unknown>>): Promise<void> {
  const loadBefore = loadSample();
  const started = Date.now();
  console.log(`\n== ${name} (load ${loadBefore.loadavg.join(' ')})`);
  // What a long section has measured so far, in the file in case the run is cut short.
  const progress = (figures: Record<string, unknown>) => {
    results[name] = { figures: { ...figures, partial: true }, loadBefore, loadAfter: loadSample(), seconds: round((Date.now() - started) / 1000, 1) };
    writeResults(false);
  };
  try {
    const figures = await work(progress);
    results[name] = { figures, loadBefore, loadAfter: loadSample(), seconds: round((Date.now() - started) / 1000, 1) };
  } catch (err) {
    console.error(`section ${name} failed:`, err);
    results[name] = { figures: { error: err instanceof Error ? err.message : String(err) }, loadBefore, loadAfter: loadSample(), seconds: round((Date.now() - started) / 1000, 1) };
  }
  console.log(JSON.stringify(results[name]));
  writeResults(false);
}

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
const today = daysAgo(0);

// ---------------------------------------------------------------- domain (today's pure benchmark)

/** bench/run.ts as a child process (its own heap, `--expose-gc`), its printed ratios parsed. */
function domainSection(): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '-r', '@swc-node/register', 'bench/run.ts'], {
      cwd: root,
      env: { ...process.env, BENCH_JOURNEYS: String(plan.domainJourneys) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`bench/run.ts exited ${code}`));
      const number = (re: RegExp) => Number(re.exec(out)?.[1]);
      resolve({
        journeys: plan.domainJourneys,
        wakeUpPerJourneyMicroseconds: number(/wake-up: clocks.*?ms\s+([\d.]+) µs\/journey/),
        wakeUpToStructuredCloneTimeRatio: number(/wake-up \/ baseline time ratio:\s+([\d.]+)/),
        factsBytesPerJourney: number(/facts in memory:\s+(\d+)/),
        factsToClonedFactsMemoryRatio: number(/facts \/ cloned-facts memory:\s+([\d.]+)/),
      });
    });
  });
}

// ---------------------------------------------------------------- worker memory (the capacity work's measurement)

const workerMemoryScript = path.join(root, 'bench/worker-memory.ts');

/**
 * bench/worker-memory.ts (a worker in its own process with a fixed cache; RSS per cached journey) at the
 * cache size, and with the active set larger than the cache. Without that script, the latency
 * section's own RSS figures of the KOERS_ROLE=worker process stand alone.
 */
async function workerMemorySection(): Promise<Record<string, unknown>> {
  if (!fs.existsSync(workerMemoryScript)) return { skipped: 'no bench/worker-memory.ts in this build: see latency.memory for the worker process RSS' };
  const runOnce = (journeys: number, cache: number) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const child = spawn(process.execPath, ['--expose-gc', '-r', '@swc-node/register', workerMemoryScript, String(journeys), String(cache)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.once('error', reject);
      child.once('exit', (code) => {
        const json = out.slice(out.lastIndexOf('\n{\n') + 1);
        if (code !== 0) return reject(new Error(`worker-memory.ts exited ${code}: ${out.slice(-500)}`));
        resolve(JSON.parse(json) as Record<string, unknown>);
      });
    });
  return {
    atCacheSize: await runOnce(plan.cache, plan.cache),
    activeSetLargerThanCache: await runOnce(plan.cache * plan.touchFactor, plan.cache),
  };
}

/** bench/replay.ts as a child process: CPU per replay of each recorded history, and per history event. */
async function replaySection(): Promise<Record<string, unknown>> {
  const out = await runScript(process.execPath, ['-r', '@swc-node/register', path.join(root, 'bench/replay.ts'), String(quick ? 10 : 30)], {});
  const figures = JSON.parse(out.slice(out.indexOf('{'))) as { histories: Array<{ history: string; events: number; cpuMsPerReplay: number }>; fixedCpuMsPerReplay: number; cpuMsPerHistoryEvent: number };
  const runCost = (events: number) => round(figures.fixedCpuMsPerReplay + figures.cpuMsPerHistoryEvent * events, 0);
  return {
    method: 'CPU ms (user + system) per replay of each recorded history of the replay suite (a cache miss replays the run), and a least-squares line through them; the bundle is built outside the measured time',
    ...figures,
    // What one cache miss costs at the end of a run, from the line: Koers's run length and Temporal's suggestion (4,096 events).
    cpuMsPerCacheMissAt200Events: runCost(200),
    cpuMsPerCacheMissAt4096Events: runCost(4096),
  };
}

// ---------------------------------------------------------------- a Koers under test

/** The milestones a journey receives in order, with the day after the permit each happened. */
const STEPS_WI2021 = [
  { type: 'nl.koers.duo.notified', field: 'duoNotifiedOn', after: 7 },
  { type: 'nl.koers.brp.registered', field: 'brpRegisteredOn', after: 14 },
  { type: 'nl.koers.bijstand.applied', field: 'bijstandAppliedOn', after: 15 },
  { type: 'nl.koers.intake.held', field: 'intakeHeldOn', after: 30 },
  { type: 'nl.koers.pip.established', field: 'pipEstablishedOn', after: 60, data: { leerroute: 'b1' } },
  { type: 'nl.koers.reintegration.started', field: 'reintegrationStartedOn', after: 80, data: { instrument: 'vrijwilligerswerk' } },
  { type: 'nl.koers.participatieverklaring.signed', field: 'participatieverklaringSignedOn', after: 300 },
  { type: 'nl.koers.map.completed', field: 'mapCompletedOn', after: 500 },
  { type: 'nl.koers.exam.passed', field: 'examPassedOn', after: 800, data: { route: 'b1' } },
];
const STEPS_WI2013 = STEPS_WI2021.filter((s) => s.type !== 'nl.koers.duo.notified' && s.type !== 'nl.koers.map.completed').map((s) =>
  s.type === 'nl.koers.exam.passed' ? { ...s, data: { route: 'inburgeringsexamen' } } : s,
);
type Step = (typeof STEPS_WI2021)[number];

interface ActiveJourney {
  journeyId: string;
  permitGrantedOn: string;
  /** Index of the next step to send. */
  next: number;
}

/** Everything the sections share about one Koers under test. */
interface Target {
  name: string;
  temporalAddress: string;
  namespace: string;
  koers: KoersDeployment;
  db: Db;
  client: Client;
  /** Journeys created so far, in order. */
  journeys: ActiveJourney[];
  runId: string;
  /** personRefs handed out so far (a refused create does not reuse its number). */
  personRefs: number;
  workerBaselineRss?: number;
}

/** Creates `count` journeys over HTTP at bounded concurrency; returns the time until the last 201. */
/** One point of a long load: journeys created so far, seconds since it began, the load then. */
type LoadPoint = { created: number; seconds: number; loadavg1: number };

async function createJourneys(t: Target, count: number, permitGrantedOn: string, regime?: 'wi2013' | 'wi2021'): Promise<{ journeys: ActiveJourney[]; seconds: number; startedAt: number; refused: number; timeline: LoadPoint[] }> {
  const first = t.personRefs;
  t.personRefs += count;
  const journeys: ActiveJourney[] = [];
  const timeline: LoadPoint[] = [];
  let refused = 0;
  const startedAt = Date.now();
  await eachBounded(Array.from({ length: count }, (_, i) => first + i), START_CONCURRENCY, async (n) => {
    const res = await request(t.koers.base, ADMIN_KEY, 'POST', '/v1/journeys', { personRef: `bench-${t.runId}-${n}`, municipality: MUNICIPALITY, permitGrantedOn, birthDate: '1990-05-01', ...(regime ? { regime } : {}) }, 'createJourney');
    if (res.status !== 201) {
      refused += 1;
      if (refused <= 3) console.error(`create journey: ${res.status} ${JSON.stringify(res.body)}`);
      return;
    }
    journeys.push({ journeyId: res.body.journeyId as string, permitGrantedOn, next: 0 });
    // A long load (the national run) reports its pace every 5,000 journeys.
    if (journeys.length % 5_000 === 0) {
      timeline.push({ created: journeys.length, seconds: round((Date.now() - startedAt) / 1000, 1), loadavg1: round(os.loadavg()[0]!, 2) });
      console.log(`  ${JSON.stringify({ ...timeline.at(-1), shed })}`);
    }
  });
  const seconds = (Date.now() - startedAt) / 1000;
  t.journeys.push(...journeys);
  return { journeys, seconds, startedAt, refused, timeline };
}

/**
 * Waits until every journey has its first task in the store (the worker ran its first workflow task
 * and the task-sync activity); returns the store's time of the last journey's first task.
 */
async function firstTasksVisible(t: Target, journeyIds: string[], timeoutMs: number): Promise<{ lastFirstTaskAt?: number; withTasks: number }> {
  const wanted = new Set(journeyIds);
  const deadline = Date.now() + timeoutMs;
  let firstTaskAt = new Map<string, string>();
  for (;;) {
    const rows = await t.db.selectFrom('tasks').select(['journey_id']).select((eb) => eb.fn.min('created_at').as('first')).groupBy('journey_id').execute();
    firstTaskAt = new Map(rows.filter((r) => wanted.has(r.journey_id)).map((r) => [r.journey_id, String(r.first)]));
    if (firstTaskAt.size >= wanted.size || Date.now() > deadline) break;
    await sleep(500);
  }
  const times = [...firstTaskAt.values()].map((at) => Date.parse(at));
  return { withTasks: firstTaskAt.size, ...(times.length ? { lastFirstTaskAt: Math.max(...times) } : {}) };
}

/** The worker has finished its backlog: every journey's first task is in the store (at most 30 minutes). */
async function drain(t: Target, journeys: ActiveJourney[]): Promise<number> {
  const started = Date.now();
  await firstTasksVisible(t, journeys.map((j) => j.journeyId), 30 * 60_000);
  return (Date.now() - started) / 1000;
}

// ---------------------------------------------------------------- start throughput

async function startSection(t: Target): Promise<Record<string, unknown>> {
  const n = plan.startJourneys;
  // The no-op baseline: its own worker process and task queue on the same server, started directly.
  const noopQueue = `bench-noop-${t.runId}`;
  const noop = spawn(process.execPath, ['-r', '@swc-node/register', 'bench/noop-worker.ts'], {
    cwd: root,
    env: { ...process.env, ...tlsSettings(t.koers.env), TEMPORAL_ADDRESS: t.temporalAddress, TEMPORAL_NAMESPACE: t.namespace, BENCH_TASK_QUEUE: noopQueue },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    noop.stdout.on('data', (c: Buffer) => c.toString().includes('ready') && resolve());
    noop.once('exit', (code) => reject(new Error(`no-op worker exited ${code}`)));
  });
  const noopStarted = Date.now();
  const handles: string[] = [];
  await eachBounded(Array.from({ length: n }, (_, i) => i), START_CONCURRENCY, async (i) => {
    const handle = await t.client.workflow.start('noopWorkflow', { taskQueue: noopQueue, workflowId: `bench-noop-${t.runId}-${i}` });
    handles.push(handle.workflowId);
  });
  const noopStartSeconds = (Date.now() - noopStarted) / 1000;
  await eachBounded(handles, 50, async (id) => void (await t.client.workflow.getHandle(id).result()));
  const noopCompleteSeconds = (Date.now() - noopStarted) / 1000;
  noop.kill('SIGTERM');

  // Journeys within the family-reunification window, so the first workflow task projects a task.
  const created = await createJourneys(t, n, daysAgo(10));
  const visible = await firstTasksVisible(t, created.journeys.map((j) => j.journeyId), 30 * 60_000);
  const endToEndSeconds = visible.lastFirstTaskAt ? (visible.lastFirstTaskAt - created.startedAt) / 1000 : NaN;
  const noopStartRate = n / noopStartSeconds;
  const noopCompleteRate = n / noopCompleteSeconds;
  const httpStartRate = created.journeys.length / created.seconds;
  const endToEndRate = visible.withTasks / endToEndSeconds;
  return {
    journeys: n,
    concurrency: START_CONCURRENCY,
    noopStartsPerSecond: round(noopStartRate, 1),
    noopCompletedPerSecond: round(noopCompleteRate, 1),
    journeyHttp201PerSecond: round(httpStartRate, 1),
    journeyFirstTasksVisiblePerSecond: round(endToEndRate, 1),
    journeysRefused: created.refused,
    journeysWithTasks: visible.withTasks,
    httpStartToNoopStartRatio: round(httpStartRate / noopStartRate),
    endToEndToNoopCompletedRatio: round(endToEndRate / noopCompleteRate),
    endToEndToHttpStartRatio: round(endToEndRate / httpStartRate),
  };
}

/** The TEMPORAL_TLS_* settings of a deployment's environment (the cluster's mutual TLS). */
const tlsSettings = (env: Record<string, string>) => Object.fromEntries(Object.entries(env).filter(([key]) => key.startsWith('TEMPORAL_TLS_')));

// ---------------------------------------------------------------- event latency

/** The CloudEvent of a journey's next milestone, dated after its permit and never after today. */
function nextEvent(j: ActiveJourney, steps: Step[], runId: string) {
  const step = steps[j.next]!;
  const permit = Date.parse(`${j.permitGrantedOn}T12:00:00Z`);
  // Journeys started days ago get their milestones squeezed into the days since the permit, in order.
  const span = Math.max(1, Math.floor((Date.now() - permit) / 86_400_000));
  const after = Math.min(step.after, Math.floor((span * (j.next + 1)) / (steps.length + 1)));
  const occurredOn = new Date(permit + after * 86_400_000).toISOString().slice(0, 10);
  return { step, occurredOn, event: { specversion: '1.0', id: `bench-${runId}-${j.journeyId.slice(-12)}-${j.next}`, source: 'urn:nl:bench', type: step.type, time: new Date().toISOString(), data: { occurredOn, ...step.data } } };
}

/** A milestone is visible when the admin's GET shows it (milestones), or, if it shows none, when the clocks change. */
function shows(body: Record<string, unknown>, field: string, occurredOn: string): boolean {
  const milestones = body.milestones as Record<string, unknown> | undefined;
  return milestones?.[field] === occurredOn;
}

/**
 * Sends milestones at a steady rate to random active journeys and measures POST → visible in
 * `GET /v1/journeys/{id}` (polled 50 ms apart, then a tenth of the time waited so far, at most 1 s apart; up to 60 s).
 */
async function eventLatency(t: Target, active: ActiveJourney[], eventsPerSecond: number, seconds: number) {
  const visible = latencyHistogram();
  // The same per 15 s of sending: a worker warming up or a backlog building shows as a trend.
  const visibleByWindow: ReturnType<typeof latencyHistogram>[] = [];
  const accepted = latencyHistogram();
  const getLatency = latencyHistogram();
  const statuses: Record<string, number> = {};
  const processes = () => cpuByGroup({ worker: t.koers.worker.child.pid, api: t.koers.api.child.pid });
  const cpuBefore = processes();
  const shedBefore = { ...shed };
  let notVisible = 0;
  const busy = new Set<string>();
  const total = eventsPerSecond * seconds;
  const rand = seeded(7);
  const inFlight: Promise<void>[] = [];
  const started = Date.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / eventsPerSecond;
    if (due > Date.now()) await sleep(due - Date.now());
    let j: ActiveJourney | undefined;
    for (let tries = 0; tries < 20 && !j; tries++) {
      const candidate = active[Math.floor(rand() * active.length)]!;
      if (!busy.has(candidate.journeyId) && candidate.next < STEPS_WI2021.length) j = candidate;
    }
    if (!j) continue;
    const journey = j;
    busy.add(journey.journeyId);
    const { step, occurredOn, event } = nextEvent(journey, STEPS_WI2021, t.runId);
    journey.next += 1;
    inFlight.push(
      (async () => {
        const sent = Date.now();
        const res = await request(t.koers.base, PARTNER_KEY, 'POST', `/v1/journeys/${journey.journeyId}/events`, event, 'postEvent');
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        accepted.recordValue(Math.max(1, Date.now() - sent));
        if (res.status !== 202) {
          if ((statuses[res.status] ?? 0) <= 3) {
            console.error(`event ${step.type}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
            // The API logged the cause of a 5xx: its last error lines go with the run's output.
            if (res.status >= 500) console.error(t.koers.api.logs.join('').split('\n').filter((l) => l.includes('"level":50') || l.includes('"level":"error"')).slice(-2).join('\n').slice(0, 3000));
          }
          busy.delete(journey.journeyId);
          return;
        }
        for (;;) {
          const asked = Date.now();
          const got = await request(t.koers.base, ADMIN_KEY, 'GET', `/v1/journeys/${journey.journeyId}`, undefined, 'getJourney');
          getLatency.recordValue(Math.max(1, Date.now() - asked));
          if (got.status === 200 && shows(got.body, step.field, occurredOn)) {
            visible.recordValue(Math.max(1, Date.now() - sent));
            const window = Math.floor((sent - started) / 15_000);
            (visibleByWindow[window] ??= latencyHistogram()).recordValue(Math.max(1, Date.now() - sent));
            break;
          }
          if (Date.now() - sent > 60_000) {
            notVisible += 1;
            break;
          }
          // Polling costs the server (a GET is a query): 50 ms apart at first, then a tenth of the wait so far (≤ 1 s).
          await sleep(Math.min(1000, Math.max(50, (Date.now() - sent) / 10)));
        }
        busy.delete(journey.journeyId);
      })(),
    );
  }
  const sendSeconds = (Date.now() - started) / 1000;
  await Promise.all(inFlight);
  const cpuAfter = processes();
  const events = Object.values(statuses).reduce((a, b) => a + b, 0);
  return {
    activeJourneys: active.length,
    eventsSent: events,
    targetEventsPerSecond: eventsPerSecond,
    achievedEventsPerSecond: round(inFlight.length / sendSeconds, 1),
    answers: statuses,
    // 429/503 answers waited out (Retry-After) and retried while sending: they are in postTo202 and postToVisible.
    retried: Object.fromEntries(Object.entries(shed).filter(([key, n]) => n > (shedBefore[key] ?? 0)).map(([key, n]) => [key, n - (shedBefore[key] ?? 0)])),
    notVisibleWithin60s: notVisible,
    postToVisible: percentiles(visible),
    postToVisibleBy15sOfSending: Array.from(visibleByWindow, (h) => (h ? percentiles(h) : { count: 0 })),
    postTo202: percentiles(accepted),
    getJourney: percentiles(getLatency),
    // Where the machine's CPU went, per event, from the first send until the last one was seen (GET polling included).
    cpuMsPerEvent: Object.fromEntries(Object.keys(cpuAfter).map((group) => [group, round(((cpuAfter[group] ?? 0) - (cpuBefore[group] ?? 0)) / Math.max(1, events), 1)])),
  };
}

/**
 * Waits (at most 3 minutes, 30 s in a quick run) until the machine is at most half busy over 5 s: the
 * latency at N active journeys is the steady state's, not the tail of the load that created them.
 * Returns what it waited and how busy the machine was when measuring began.
 */
async function settle(): Promise<{ settleSeconds: number; cpuBusyWhenMeasuringStarted: number }> {
  const started = Date.now();
  const limitMs = quick ? 30_000 : 180_000;
  let busy = await cpuBusy(5000);
  while (busy > 0.5 && Date.now() - started < limitMs) busy = await cpuBusy(5000);
  return { settleSeconds: round((Date.now() - started) / 1000, 1), cpuBusyWhenMeasuringStarted: round(busy, 2) };
}

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const mib = (bytes: number | undefined) => (bytes === undefined ? undefined : round(bytes / 2 ** 20, 1));

/** Whether this build reads KOERS_MAX_CACHED_WORKFLOWS (the capacity work); before it, the SDK's default cache applies. */
function cacheSettingHonoured(): boolean {
  return fs.readFileSync(path.join(root, 'platform/config.ts'), 'utf8').includes('KOERS_MAX_CACHED_WORKFLOWS');
}

async function latencySection(t: Target, levels: number[], cache: number, progress: (figures: Record<string, unknown>) => void = () => undefined): Promise<Record<string, unknown>> {
  const perLevel: Record<string, unknown>[] = [];
  const figures: Record<string, unknown> = { cacheSettingHonoured: cacheSettingHonoured(), defaultCache: perLevel };
  for (const level of levels) {
    const missing = level - t.journeys.length;
    let createSeconds = 0;
    let drainSeconds = 0;
    let createTimeline: LoadPoint[] = [];
    if (missing > 0) {
      console.log(`creating ${missing} journeys (to ${level} active)`);
      const created = await createJourneys(t, missing, daysAgo(10));
      createSeconds = created.seconds;
      createTimeline = created.timeline;
      drainSeconds = await drain(t, created.journeys);
    }
    const active = t.journeys.slice(0, level);
    const settled = await settle();
    const rss = rssBytes(t.koers.worker.child.pid);
    const load = loadSample();
    console.log(`event latency at ${level} active journeys (default cache)`);
    const latency = await eventLatency(t, active, plan.eventsPerSecond, plan.eventSeconds);
    perLevel.push({
      level,
      cache: figures.cacheSettingHonoured ? 'Koers default (KOERS_MAX_CACHED_WORKFLOWS unset)' : 'SDK default',
      createdNow: Math.max(0, missing),
      createSeconds: round(createSeconds, 1),
      drainAfterCreateSeconds: round(drainSeconds, 1),
      createdPerSecondIncludingDrain: missing > 0 ? round(missing / (createSeconds + drainSeconds), 1) : undefined,
      ...settled,
      ...(createTimeline.length > 1 ? { createTimeline } : {}),
      workerRssMiB: mib(rss),
      workerRssAboveBaselinePerJourneyMiB: rss && t.workerBaselineRss ? round((rss - t.workerBaselineRss) / 2 ** 20 / level) : undefined,
      load,
      ...latency,
    });
    console.log(JSON.stringify(perLevel.at(-1)));
    progress(figures);
  }

  // The worker restarted with a cache smaller than the active set: latency while every journey's next
  // task finds it cold (RSS per cached journey is the memory section's: a GET no longer loads a journey).
  const largest = levels.at(-1)!;
  const restartedAt = Date.now();
  await t.koers.restartWorker({ KOERS_MAX_CACHED_WORKFLOWS: String(cache) });
  figures.workerRestartSeconds = round((Date.now() - restartedAt) / 1000, 1);
  await sleep(5000);
  console.log(`event latency at ${largest} active journeys, cache ${cache}`);
  figures.smallCache = { level: largest, maxCachedWorkflows: cache, load: loadSample(), ...(await eventLatency(t, t.journeys.slice(0, largest), plan.eventsPerSecond, plan.eventSeconds)) };
  figures.workerRssAfterSmallCacheRunMiB = mib(rssBytes(t.koers.worker.child.pid));
  return figures;
}

// ---------------------------------------------------------------- history per milestone and per journey

async function historyOf(t: Target, journeyId: string): Promise<{ events: number; bytes: number }> {
  const history = await t.client.workflow.getHandle(journeyId).fetchHistory();
  return { events: history.events?.length ?? 0, bytes: temporal.api.history.v1.History.encode(history).finish().length };
}

/** Waits until a journey's history stops growing for 3 s (its activities and timers settled), at most 2 minutes. */
async function settledHistory(t: Target, journeyId: string) {
  let last = await historyOf(t, journeyId);
  const deadline = Date.now() + 120_000;
  for (;;) {
    await sleep(3000);
    const now = await historyOf(t, journeyId);
    if (now.events === last.events || Date.now() > deadline) return now;
    last = now;
  }
}

async function historySection(t: Target): Promise<Record<string, unknown>> {
  const regimes = [
    // Permits about three years and a month ago, so every milestone lies in the past.
    { regime: 'wi2021' as const, permitGrantedOn: daysAgo(1125), steps: STEPS_WI2021 },
    { regime: 'wi2013' as const, permitGrantedOn: '2021-10-01', steps: STEPS_WI2013 },
  ];
  const out: Record<string, unknown> = {
    method:
      'Each journey is created with a permit about three years ago and sent every milestone of a whole journey in order, dated in the past (occurredOn), on the dev server in real time; ' +
      'each is read back before the next is sent. The history is then fetched (client fetchHistory) once it stops growing. Bytes are the encoded protobuf History as Temporal returns it (payloads compressed and encrypted by the codec). ' +
      'Not included: timers that would fire during three real years (reminders, wake-ups on due days) — the journey sees those days as already past, so overdue escalations fire at once instead.',
  };
  await Promise.all(regimes.map(async (r) => {
    const rows: Record<string, number>[] = [];
    // The journeys of a regime run side by side; each one's milestones in order.
    await Promise.all(Array.from({ length: plan.historyJourneys }, async (_, k) => {
      const { journeys } = await createJourneys(t, 1, r.permitGrantedOn, r.regime);
      const j = journeys[0];
      if (!j) return;
      // Wait until the first workflow task has run (the GET's query answers).
      for (let i = 0; i < 600; i++) {
        if ((await request(t.koers.base, ADMIN_KEY, 'GET', `/v1/journeys/${j.journeyId}`)).status === 200) break;
        await sleep(100);
      }
      const atStart = await settledHistory(t, j.journeyId);
      let acceptedMilestones = 0;
      for (let s = 0; s < r.steps.length; s++) {
        const step = r.steps[s]!;
        const occurredOn = new Date(Date.parse(`${r.permitGrantedOn}T12:00:00Z`) + step.after * 86_400_000).toISOString().slice(0, 10);
        const res = await request(t.koers.base, PARTNER_KEY, 'POST', `/v1/journeys/${j.journeyId}/events`, { specversion: '1.0', id: `bench-${t.runId}-h-${r.regime}-${k}-${s}`, source: 'urn:nl:bench', type: step.type, time: new Date().toISOString(), data: { occurredOn, ...step.data } }, 'postEvent');
        if (res.status !== 202) {
          console.error(`history ${r.regime} ${step.type}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
          continue;
        }
        acceptedMilestones += 1;
        for (let i = 0; i < 600; i++) {
          const got = await request(t.koers.base, ADMIN_KEY, 'GET', `/v1/journeys/${j.journeyId}`);
          if (got.status === 200 && shows(got.body, step.field, occurredOn)) break;
          await sleep(100);
        }
      }
      const atEnd = await settledHistory(t, j.journeyId);
      const description = await t.client.workflow.getHandle(j.journeyId).describe();
      rows.push({ milestones: acceptedMilestones, eventsAtStart: atStart.events, bytesAtStart: atStart.bytes, events: atEnd.events, bytes: atEnd.bytes, running: description.status.name === 'RUNNING' ? 1 : 0 });
    }));
    const mean = (f: (row: Record<string, number>) => number) => (rows.length ? rows.reduce((a, row) => a + f(row), 0) / rows.length : NaN);
    out[r.regime] = {
      journeys: rows.length,
      milestonesPerJourney: mean((x) => x.milestones!),
      eventsPerJourney: round(mean((x) => x.events!), 1),
      bytesPerJourney: Math.round(mean((x) => x.bytes!)),
      eventsAtCreation: round(mean((x) => x.eventsAtStart!), 1),
      bytesAtCreation: Math.round(mean((x) => x.bytesAtStart!)),
      eventsPerMilestone: round(mean((x) => (x.events! - x.eventsAtStart!) / Math.max(1, x.milestones!)), 2),
      bytesPerMilestone: Math.round(mean((x) => (x.bytes! - x.bytesAtStart!) / Math.max(1, x.milestones!))),
      stillRunningAfterLastMilestone: rows.reduce((a, x) => a + x.running!, 0),
    };
  }));
  return out;
}

// ---------------------------------------------------------------- inbox with 100,000 tasks

/** Synthetic journeys' tasks straight into a store: five per journey, one in fifty assigned to the bench caseworker, a third in its municipality. */
async function fillInbox(url: string, tasks: number): Promise<{ seconds: number; mine: number }> {
  const db = openDatabase(url);
  await migrateToLatest(db);
  const store = new TaskStore(db);
  const rand = seeded(11);
  const municipalities = [MUNICIPALITY, 'midden-drenthe', 'elders'];
  let mine = 0;
  const journeys = Math.ceil(tasks / 5);
  const started = Date.now();
  await eachBounded(Array.from({ length: journeys }, (_, i) => i), url.startsWith('sqlite:') ? 1 : 8, async (i) => {
    const desired: DesiredTask[] = Array.from({ length: 5 }, (_, k) => {
      const due = daysAgo(Math.floor(rand() * 400) - 200);
      const assigned = rand() < 0.02;
      if (assigned) mine += 1;
      return {
        key: `bench-${k}`,
        kind: TASK_KINDS[(i + k) % TASK_KINDS.length]!,
        candidateGroup: CASEWORKER_ROLES[(i + k) % CASEWORKER_ROLES.length]!,
        ...(assigned ? { assignee: CASEWORKER } : {}),
        followUpDate: due,
        dueDate: due,
      };
    });
    await store.syncJourneyTasks({ journeyId: `bench-inbox-${i.toString(36).padStart(8, '0')}`, municipality: municipalities[i % 3]!, tasks: desired });
  });
  const seconds = (Date.now() - started) / 1000;
  await db.destroy();
  return { seconds, mine };
}

async function inboxOn(t: Target, kind: string, url: string): Promise<Record<string, unknown>> {
  const filled = await fillInbox(url, plan.inboxTasks);
  // An API process of its own on this store, on the same Temporal server (the inbox reads only the store).
  const port = await freePort();
  const api = startKoersProcess('api', { ...t.koers.env, PORT: String(port), KOERS_DATABASE_URL: url }, 300_000);
  await api.ready;
  const base = `http://127.0.0.1:${port}`;
  const figures: Record<string, unknown> = { store: kind, tasks: plan.inboxTasks, insertSeconds: round(filled.seconds, 1), assignedToCaseworker: filled.mine, requests: plan.inboxRequests, concurrency: 4 };
  for (const [name, url2] of [
    ['mine', '/v1/tasks/mine'],
    ['team', '/v1/tasks/team'],
    ['teamOverdue', '/v1/tasks/team?overdue=true'],
  ] as const) {
    const h = latencyHistogram();
    let count = 0;
    await eachBounded(Array.from({ length: plan.inboxRequests }, (_, i) => i), 4, async () => {
      const sent = Date.now();
      const res = await request(base, CASEWORKER_KEY, 'GET', url2, undefined, 'inbox');
      h.recordValue(Math.max(1, Date.now() - sent));
      if (res.status !== 200) throw new Error(`${url2}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      count = (res.body.tasks as unknown[]).length;
    });
    figures[name] = { ...percentiles(h), tasksOnPage: count };
  }
  await api.kill('SIGTERM');
  return figures;
}

async function inboxSection(t: Target, dir: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { sqlite: await inboxOn(t, 'sqlite', `sqlite:${path.join(dir, 'inbox.db')}`) };
  if (quick) return out;
  const state = path.join(dir, 'postgres.state');
  let url: string;
  try {
    url = await runScript('bash', ['scripts/test-postgres.sh', 'start'], { KOERS_TEST_POSTGRES_STATE: state });
  } catch (err) {
    out.postgres = { skipped: `no PostgreSQL: ${(err as Error).message.slice(0, 200)}` };
    return out;
  }
  try {
    out.postgres = await inboxOn(t, 'postgres', url.trim().split('\n').at(-1)!);
  } finally {
    await runScript('bash', ['scripts/test-postgres.sh', 'stop'], { KOERS_TEST_POSTGRES_STATE: state }).catch(() => undefined);
  }
  return out;
}

function runScript(command: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')} exited ${code}: ${err.slice(-500)}`))));
  });
}

// ---------------------------------------------------------------- targets

/** `temporalTls`: the cluster script's TEMPORAL_TLS_* lines (its cluster takes only mutual TLS). */
async function openTarget(name: string, temporalAddress: string, dir: string, databaseUrl: string, namespace = 'default', temporalTls: Record<string, string> = {}): Promise<Target> {
  const runId = crypto.randomBytes(4).toString('hex');
  const koers = await startDeployment({ temporalAddress, namespace, dir, databaseUrl, taskQueue: `bench-${runId}`, temporalTls });
  await sleep(5000);
  const tls = loadConfig({ TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_NAMESPACE: namespace, ...temporalTls }).temporal;
  const client = await connectClient(tls, temporalAddress);
  return {
    name,
    temporalAddress,
    namespace,
    koers,
    db: openDatabase(databaseUrl),
    client,
    journeys: [],
    runId,
    personRefs: 0,
    workerBaselineRss: rssBytes(koers.worker.child.pid),
  };
}

async function closeTarget(t: Target): Promise<void> {
  await t.koers.stop();
  await t.db.destroy();
  await closeClient(t.client);
}

async function clusterSection(dir: string, progress: (figures: Record<string, unknown>) => void): Promise<Record<string, unknown>> {
  const env = { KOERS_CLUSTER_STATE: path.join(dir, 'temporal-cluster.state') };
  const printed = await runScript('bash', [clusterScript, 'start'], env);
  const settings = Object.fromEntries(printed.split('\n').map((l) => /^([A-Z_]+)=(.*)$/.exec(l.trim())).filter((m) => m !== null).map((m) => [m[1]!, m[2]!]));
  const address = settings.TEMPORAL_ADDRESS;
  const storeUrl = settings.KOERS_DATABASE_URL ?? Object.values(settings).find((v) => /^postgres(ql)?:\/\//.test(v));
  if (!address) throw new Error(`cluster script printed no TEMPORAL_ADDRESS: ${printed.slice(0, 300)}`);
  const clusterDir = path.join(dir, 'koers-on-cluster');
  fs.mkdirSync(clusterDir, { recursive: true });
  const tls = Object.fromEntries(Object.entries(settings).filter(([key]) => key.startsWith('TEMPORAL_TLS_')));
  const t = await openTarget('cluster', address, clusterDir, storeUrl ?? `sqlite:${path.join(clusterDir, 'koers.db')}`, settings.TEMPORAL_NAMESPACE, tls);
  try {
    const out: Record<string, unknown> = { temporalAddress: address, store: storeUrl ? 'postgres' : 'sqlite' };
    // `--cluster-parts start,latency` (or `--sections cluster,start,latency`) runs only those parts on the cluster (a run of minutes); else all of them.
    const parts = option('cluster-parts')?.split(',') ?? ['start', 'history', 'latency'].filter((s) => chosen.has(s));
    const part = (name: SectionName) => parts.length === 0 || parts.includes(name);
    if (part('start')) {
      out.start = await startSection(t);
      progress(out);
    }
    if (part('history')) {
      out.history = await historySection(t);
      progress(out);
    }
    if (!part('latency')) return out;
    // The cache after the restart: half the smallest level (quick, full), or the plan's 1,000 (national).
    const cache = Math.min(plan.cache, Math.max(1, Math.floor(plan.clusterLevels.at(-1)! / 2)));
    out.latency = await latencySection(t, plan.clusterLevels, cache, (latency) => progress({ ...out, latency }));
    return out;
  } finally {
    await closeTarget(t);
    await runScript('bash', [clusterScript, 'stop'], env).catch(() => undefined);
  }
}

// ---------------------------------------------------------------- run and report

async function main(): Promise<void> {
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koers-bench-'));
  const info: Record<string, unknown> & { machine: ReturnType<typeof machine> } = { mode, plan, startedAt: new Date().toISOString(), machine: machine(), loadAtStart: loadSample(), argv };
  console.log(`Koers end-to-end benchmark (${mode}) in ${dir}\n${JSON.stringify(info)}`);
  const label = option('label');
  const name = `${today}${mode === 'full' ? '' : `-${mode}`}${label ? `-${label}` : ''}`;
  const outDir = path.join(root, 'bench/results');
  fs.mkdirSync(outDir, { recursive: true });
  writeResults = (complete) => {
    const report = { ...info, complete, finishedAt: new Date().toISOString(), seconds: round((Date.now() - started) / 1000, 1), loadAtEnd: loadSample(), shedRequests: shed, sections: results };
    fs.writeFileSync(path.join(outDir, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
    fs.writeFileSync(path.join(outDir, `${name}.md`), markdown(report));
  };
  if (runSection('domain')) await section('domain', domainSection);
  if (runSection('memory')) await section('memory', workerMemorySection);
  if (runSection('replay')) await section('replay', replaySection);

  let server: DevServer | undefined;
  let t: Target | undefined;
  let storeUrl: string | undefined;
  try {
    if (['start', 'latency', 'history', 'inbox', 'pages'].some((s) => runSection(s as SectionName))) {
      server = await startDevServer({ port: await freePort(), uiPort: await freePort(), dbFile: path.join(dir, 'temporal.db'), namespace: 'default' });
      // `--store postgres`: the national pages level on PostgreSQL, as a deployment at that scale runs.
      if (option('store') === 'postgres') {
        const printed = await runScript('bash', ['scripts/test-postgres.sh', 'start'], { KOERS_TEST_POSTGRES_STATE: path.join(dir, 'store-postgres.state') });
        storeUrl = printed.trim().split('\n').at(-1)!;
      }
      info.store = storeUrl ? 'postgres' : 'sqlite';
      t = await openTarget('dev-server', server.address, dir, storeUrl ?? `sqlite:${path.join(dir, 'koers.db')}`);
      const target = t;
      // Cheap sections first; the latency section creates the large active sets and takes longest.
      if (runSection('start')) await section('start', () => startSection(target));
      if (runSection('history')) await section('history', () => historySection(target));
      if (runSection('inbox')) await section('inbox', () => inboxSection(target, dir));
      // Pages in Chromium over a population written into this deployment's store (bench/pages.ts).
      if (runSection('pages')) await section('pages', (progress) => pagesSection({ base: target.koers.base, db: target.db, levels: plan.pageLevels, loads: plan.pageLoads, today }, progress));
      if (runSection('latency')) await section('latency', (progress) => latencySection(target, plan.levels, plan.cache, progress));
    }
  } finally {
    if (t) await closeTarget(t);
    await server?.stop();
    if (storeUrl) await runScript('bash', ['scripts/test-postgres.sh', 'stop'], { KOERS_TEST_POSTGRES_STATE: path.join(dir, 'store-postgres.state') }).catch(() => undefined);
  }
  if (!runSection('cluster')) results.cluster = { skipped: quick ? 'skipped: quick run (use --cluster)' : 'skipped: not chosen' };
  else if (!fs.existsSync(clusterScript)) results.cluster = { skipped: 'skipped: no cluster script (scripts/temporal-cluster.sh)' };
  else await section('cluster', (progress) => clusterSection(dir, progress));

  writeResults(true);
  console.log(`\nwrote bench/results/${name}.json and .md in ${round((Date.now() - started) / 1000, 1)} s`);
  fs.rmSync(dir, { recursive: true, force: true });
}

/** The summary: every section's figures as a flat table, with the load around it. */
function markdown(report: Record<string, unknown> & { sections: typeof results; machine: ReturnType<typeof machine> }): string {
  const lines = [
    `# Koers benchmark ${report.startedAt as string} (${mode})${report.complete ? '' : ' — INCOMPLETE: the run stopped before its last section'}`,
    '',
    `Commit ${report.machine.gitCommit} (${report.machine.gitBranch}${report.machine.gitDirty ? ', uncommitted changes' : ''}), Node ${report.machine.node}, ${report.machine.cpus} CPUs (${report.machine.cpuModel}), ${report.machine.totalMemoryMiB} MiB.${report.store ? ` Koers's store: ${report.store as string}.` : ''}`,
    `Took ${report.seconds as number} s. Load (1/5/15 min) at start ${(report.loadAtStart as LoadSample).loadavg.join(' / ')}, at end ${(report.loadAtEnd as LoadSample).loadavg.join(' / ')}. The machine is shared: read the load next to each figure.`,
    `Requests answered 429/503 and retried after their Retry-After, by operation and status (503: shed by back-pressure, or Temporal too slow to answer by the API's deadline; 429: a key's rate limit; \`network\`: no answer): ${JSON.stringify(report.shedRequests)}.`,
    '',
  ];
  for (const [name, s] of Object.entries(report.sections)) {
    lines.push(`## ${name}`, '');
    if ('skipped' in s) {
      lines.push(s.skipped, '');
      continue;
    }
    lines.push(`${s.seconds} s; load before ${s.loadBefore.loadavg.join(' / ')}, after ${s.loadAfter.loadavg.join(' / ')}.`, '', '| figure | value |', '|---|---|');
    for (const [key, value] of flatten(s.figures)) lines.push(`| ${key} | ${value} |`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

function flatten(value: unknown, prefix = ''): Array<[string, string]> {
  if (value === undefined) return [];
  if (value === null || typeof value !== 'object') return [[prefix, String(value)]];
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object')) return [[prefix, value.join(' / ')]];
  return Object.entries(value).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
