/**
 * Failures nobody sees (issue 8, fault 6): a journey whose run failed, was terminated, timed out, or
 * whose workflow task keeps failing shows as such on its page (no stale clocks), in the admin list
 * filter and count, in the `koers_journeys` gauge, and as one message to the administrators. The list
 * and count show each journey once, also after continue-as-new.
 *
 * The journeys here run a stand-in of the journey workflow that breaks like a bug would
 * (test/helpers/broken): the real workflow is built never to fail on data.
 */
import crypto from 'node:crypto';
import { TypedSearchAttributes, type Duration } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { caseworkerIdKey, caseworkerRoleKey, municipalityKey, phaseKey, regimeKey } from '../../platform/search-attributes';
import { JourneyMonitor } from '../../worker/monitor';
import type { BrokenJourneyInput } from '../helpers/broken/workflows';
import { apiHarness, eventually, type ApiHarness } from './api/harness';
import { testDataConverter } from '../helpers/codec';

describe('journeys that stop', () => {
  let h: ApiHarness;
  let nativeConnection: NativeConnection;
  let worker: Worker;
  let workerRun: Promise<void>;
  // Tags this run's journeys, so the shared dev server's other journeys stay out of the counts.
  const tag = `cw-${crypto.randomBytes(4).toString('hex')}`;
  const taskQueue = `broken-${tag}`;
  const ids: Record<BrokenJourneyInput['breaks'] | 'terminated' | 'timed-out', string> = {
    'task-failure': `j-${tag}-task`,
    'run-failure': `j-${tag}-fail`,
    'continue-once': `j-${tag}-can`,
    never: `j-${tag}-never`,
    terminated: `j-${tag}-term`,
    'timed-out': `j-${tag}-timeout`,
  };

  beforeAll(async () => {
    h = await apiHarness();
    nativeConnection = await NativeConnection.connect({ address: process.env.KOERS_TEST_TEMPORAL_ADDRESS! });
    worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowsPath: require.resolve('../helpers/broken/workflows'), dataConverter: testDataConverter });
    workerRun = worker.run();
    const start = async (workflowId: string, breaks: BrokenJourneyInput['breaks'], extra: { workflowExecutionTimeout?: Duration } = {}) => {
      // The row the API writes at start (seq 0); the stand-in never writes one of its own.
      await h.journeys.write({
        journeyId: workflowId,
        seq: 0,
        municipality: 'borger-odoorn',
        regime: 'wi2021',
        phase: 'arrival',
        runStatus: 'running',
        caseworker: { role: 'regisseur-werk', id: h.identity.staffPseudonym(tag) },
        view: {},
        deadlines: [],
        startedAt: new Date().toISOString(),
      });
      return h.client.workflow.start('journeyWorkflow', {
        workflowId,
        taskQueue,
        args: [{ journeyId: workflowId, breaks }],
        typedSearchAttributes: new TypedSearchAttributes([
          { key: municipalityKey, value: 'borger-odoorn' },
          { key: regimeKey, value: 'wi2021' },
          { key: phaseKey, value: 'arrival' },
          { key: caseworkerRoleKey, value: 'regisseur-werk' },
          // Staff ids reach Temporal as pseudonyms (api/identity.ts); the API filters by the pseudonym.
          { key: caseworkerIdKey, value: h.identity.staffPseudonym(tag) },
        ]),
        ...extra,
      });
    };
    await start(ids['task-failure'], 'task-failure');
    await start(ids['run-failure'], 'run-failure');
    await start(ids['continue-once'], 'continue-once');
    await start(ids.never, 'never');
    await (await start(ids.terminated, 'never')).terminate('an administrator stopped it by hand');
    await start(ids['timed-out'], 'never', { workflowExecutionTimeout: '1s' });
  });
  afterAll(async () => {
    for (const id of [ids['task-failure'], ids['continue-once'], ids.never]) await h.client.workflow.getHandle(id).terminate('test over').catch(() => undefined);
    worker?.shutdown();
    await workerRun;
    await nativeConnection?.close();
    await h?.stop();
  });

  // The workflow cannot write that it stopped: the worker's monitor sets it in the read model each round.
  const unrouted = () => new JourneyMonitor({ client: h.client, outbox: h.outbox, journeys: h.journeys, taskQueue, lookbackMs: 10 * 60_000, batchSize: 1000 });
  const get = async (id: string) => {
    await unrouted().round();
    return h.as('admin').get(`/v1/journeys/${id}`);
  };

  it('shows each stopped journey as such, without clocks or tasks presented as live', async () => {
    for (const [id, status] of [
      [ids['run-failure'], 'failed'],
      [ids.terminated, 'terminated'],
      [ids['timed-out'], 'timed-out'],
    ] as const) {
      const res = await eventually(() => get(id), (r) => r.body.status === status, 10_000);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ journeyId: id, status, municipality: 'borger-odoorn', regime: 'wi2021', phase: 'arrival', clocks: [], openTasks: [] });
    }
    // The workflow task is retried with a growing backoff: the third attempt comes after some seconds.
    const failing = await eventually(() => get(ids['task-failure']), (r) => r.body.status === 'workflow-task-failing', 30_000);
    expect(failing.status).toBe(200);
    expect(failing.body).toMatchObject({ status: 'workflow-task-failing', clocks: [], openTasks: [] });
    // A partner sees the status too (it may see this municipality's journeys).
    expect((await h.as('partnerBrp').get(`/v1/journeys/${ids['run-failure']}`)).body.status).toBe('failed');
  });

  it('lists and counts each journey once, filters by status, and counts them in the gauge', async () => {
    await eventually(() => h.client.workflow.getHandle(ids['continue-once']).describe(), (d) => d.runId !== d.raw.workflowExecutionInfo?.firstRunId, 10_000);
    const list = await eventually(
      () => h.as('admin').get(`/v1/journeys?caseworkerId=${tag}&pageSize=100`),
      (r) => r.body.journeys?.length >= 6,
      10_000,
    );
    const listed = list.body.journeys.map((j: { journeyId: string }) => j.journeyId).sort();
    expect(listed).toEqual(Object.values(ids).sort());
    expect((await h.as('admin').get(`/v1/journeys/count?caseworkerId=${tag}`)).body).toEqual({ count: 6, groups: [{ municipality: 'borger-odoorn', phase: 'arrival', count: 6 }] });

    const byStatus = async (status: string) => (await h.as('admin').get(`/v1/journeys?caseworkerId=${tag}&status=${status}`)).body.journeys.map((j: { journeyId: string }) => j.journeyId);
    expect(await byStatus('failed')).toEqual([ids['run-failure']]);
    expect(await byStatus('terminated')).toEqual([ids.terminated]);
    expect(await byStatus('timed-out')).toEqual([ids['timed-out']]);
    expect((await byStatus('running')).sort()).toEqual([ids['task-failure'], ids['continue-once'], ids.never].sort());
    expect((await h.as('admin').get(`/v1/journeys/count?caseworkerId=${tag}&status=failed`)).body).toMatchObject({ count: 1 });
    expect((await h.as('admin').get('/v1/journeys?status=workflow-task-failing')).status).toBe(400);

    const metrics = (await h.as(undefined).get('/metrics')).text;
    const gauge = (status: string) => Number(new RegExp(`^koers_journeys\\{status="${status}"\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? NaN);
    for (const status of ['failed', 'terminated', 'timed-out', 'running']) expect(gauge(status)).toBeGreaterThanOrEqual(1);
    expect(gauge('canceled')).toBeGreaterThanOrEqual(0);
  });

  it('tells the administrators once per stopped journey', async () => {
    const admin = { channel: 'webhook' as const, recipient: 'http://127.0.0.1:9/admin' };
    const monitor = new JourneyMonitor({ client: h.client, outbox: h.outbox, journeys: h.journeys, taskQueue, admin, lookbackMs: 10 * 60_000, batchSize: 1000 });
    await eventually(() => get(ids['task-failure']), (r) => r.body.status === 'workflow-task-failing', 30_000);
    const first = await monitor.round();
    const mine = (queued: string[]) => queued.filter((q) => q.includes(tag)).sort();
    expect(mine(first.queued)).toEqual(
      [`${ids['run-failure']} failed`, `${ids.terminated} terminated`, `${ids['timed-out']} timed-out`, `${ids['task-failure']} workflow-task-failing`].sort(),
    );
    // Another round, or another worker's monitor: nothing twice.
    expect(mine((await monitor.round()).queued)).toEqual([]);
    expect(mine((await new JourneyMonitor({ client: h.client, outbox: h.outbox, journeys: h.journeys, taskQueue, admin, lookbackMs: 10 * 60_000, batchSize: 1000 }).round()).queued)).toEqual([]);
    const rows = await h.db.selectFrom('outbox').selectAll().where('kind', '=', 'journey-failure').execute();
    const ours = rows.filter((r) => r.subject.includes(tag));
    expect(ours).toHaveLength(4);
    expect(ours.every((r) => r.recipient === admin.recipient && r.status === 'pending')).toBe(true);
    expect(ours.find((r) => r.subject.includes(ids['run-failure']))!.subject).toBe(`Traject ${ids['run-failure']} is mislukt`);
  });
});
