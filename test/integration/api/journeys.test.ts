/**
 * Journeys and partner events end to end: the API, a worker with the real activities, the real dev
 * server. Events are idempotent by source + id across restarts; the 202 is durable and readable
 * within a second; the BSN is shown only where it may be.
 */
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import type { StartJourneyInput } from '../../../workflows/definitions';
import { apiHarness, cloudEvent, eventually, type ApiHarness } from './harness';

type Clock = { name: string; status: string; startsOn: string; finalDate: string };
type JourneyBody = { journeyId: string; municipality: string; clocks: Clock[]; openTasks: unknown[]; [k: string]: unknown };

describe('journeys and partner events', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness({ worker: true });
  });
  afterAll(() => h.stop());

  const read = async (journeyId: string, who: Parameters<ApiHarness['as']>[0] = 'admin') => (await h.as(who).get(`/v1/journeys/${journeyId}`)).body as JourneyBody;
  /** Event signals in the history; signals wait in a buffer while a workflow task runs, so it polls for `atLeast`. */
  const signals = async (journeyId: string, atLeast = 1) => {
    const count = async () => {
      const history = await h.client.workflow.getHandle(journeyId).fetchHistory();
      return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'event').length;
    };
    return eventually(count, (n) => n >= atLeast, 3000);
  };

  it('creates a journey (201, Location), and a second create for the same person is a 409 naming it', async () => {
    const personRef = h.personRef();
    const body = { personRef, municipality: 'borger-odoorn', permitGrantedOn: '2021-06-01' };
    const created = await h.as('caseworker').post('/v1/journeys', body);
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`/v1/journeys/${created.body.journeyId}`);
    expect(created.body).toEqual({ journeyId: expect.stringMatching(/^j-/), municipality: 'borger-odoorn', regime: 'wi2013', policy: { id: 'borger-odoorn', version: 1 } });
    expect(created.body.journeyId).not.toContain(personRef);
    const again = await h.as('admin').post('/v1/journeys', body);
    expect(again.status).toBe(409);
    expect(again.body.journeyId).toBe(created.body.journeyId);
    const journey = await read(created.body.journeyId);
    expect(journey).toMatchObject({ journeyId: created.body.journeyId, municipality: 'borger-odoorn', regime: 'wi2013' });
    // Its runs stay short (KOERS_MAX_HISTORY_EVENTS): a cache miss replays at most that much.
    const history = await h.client.workflow.getHandle(created.body.journeyId).fetchHistory();
    const input = await decodeFromPayloadsAtIndex<StartJourneyInput>(h.client.workflow.options.loadedDataConverter, 0, history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads);
    expect(input.maxHistoryEvents).toBe(200);
    expect(journey.clocks.find((c) => c.name === 'inburgering')).toMatchObject({ startsOn: '2021-06-01', finalDate: '2024-06-01', status: 'overdue' });
  });

  it('shows the BSN only on its own journey, only to admins and caseworkers, and stores it only encrypted', async () => {
    const journeyId = await h.createJourney({ bsn: '111222333' });
    expect((await read(journeyId, 'admin')).bsn).toBe('111222333');
    expect((await read(journeyId, 'caseworker')).bsn).toBe('111222333');
    const partner = await read(journeyId, 'partnerBrp');
    expect(partner.bsn).toBeUndefined();
    expect(Object.keys(partner).sort()).toEqual(['clocks', 'inburgeringsplicht', 'journeyId', 'municipality', 'openTasks', 'phase', 'regime', 'status']);
    expect((await read(await h.createJourney(), 'admin')).bsn).toBeUndefined();

    const history = JSON.stringify(await h.client.workflow.getHandle(journeyId).fetchHistory());
    expect(history).not.toContain('111222333');
    const description = await h.client.workflow.getHandle(journeyId).describe();
    expect(JSON.stringify(description.raw)).not.toContain('111222333');
    const timeline = await h.as('admin').get(`/v1/journeys/${journeyId}/events`);
    expect(JSON.stringify(timeline.body)).not.toContain('111222333');
    const list = await h.as('admin').get('/v1/journeys?municipality=borger-odoorn&pageSize=100');
    expect(JSON.stringify(list.body)).not.toContain('111222333');
    expect(JSON.stringify(h.logs)).not.toContain('111222333');
  });

  it('accepts a CloudEvent with 202 after Temporal has it, readable within a second', async () => {
    const journeyId = await h.createJourney({ permitGrantedOn: '2025-03-14' });
    const event = cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-04-01' }, 'brp-4711', 'urn:nl:brp:borger-odoorn');
    const res = await h.as('partnerBrp').post(`/v1/journeys/${journeyId}/events`, event, 'application/cloudevents+json');
    const acceptedAt = Date.now();
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ duplicate: false });
    const journey = await eventually(() => read(journeyId), (j) => j.clocks.some((c) => c.name === 'maatschappelijke-begeleiding'), 1000);
    expect(Date.now() - acceptedAt).toBeLessThan(1000);
    expect(journey.clocks.find((c) => c.name === 'maatschappelijke-begeleiding')).toMatchObject({ startsOn: '2025-04-01', finalDate: '2026-10-01' });
  });

  it('answers the same source + id again with 200 duplicate, also after a restart, and nothing changes', async () => {
    const journeyId = await h.createJourney();
    const event = cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-04-01' }, 'brp-dup-1', 'urn:nl:brp:borger-odoorn');
    expect((await h.as('partnerBrp').post(`/v1/journeys/${journeyId}/events`, event)).status).toBe(202);
    await signals(journeyId, 1);
    await eventually(() => read(journeyId), (j) => j.clocks.some((c) => c.name === 'maatschappelijke-begeleiding'), 2000);
    // The read model is written inside the workflow task that applies the event; the task completes (and
    // upserts search attributes) just after: wait for the history to settle before taking its length.
    const history = await h.settled(journeyId);
    const again = await h.as('partnerBrp').post(`/v1/journeys/${journeyId}/events`, event);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ duplicate: true });
    // Another key, even an admin's: it is still the same event.
    expect((await h.as('admin').post(`/v1/journeys/${journeyId}/events`, event)).body).toEqual({ duplicate: true });

    // A restart: a new process (app, audit store) on the same database.
    const restarted = await apiHarness({ dbFile: h.dbFile });
    try {
      const afterRestart = await restarted.as('partnerBrp').post(`/v1/journeys/${journeyId}/events`, event);
      expect(afterRestart.status).toBe(200);
      expect(afterRestart.body).toEqual({ duplicate: true });
    } finally {
      await restarted.stop();
    }
    expect(await h.historyLength(journeyId)).toBe(history);
    expect(await signals(journeyId)).toBe(1);
  });

  it('signals again an event recorded by an attempt that died before Temporal had it', async () => {
    const journeyId = await h.createJourney();
    const event = cloudEvent('nl.koers.bijstand.applied', { occurredOn: '2025-05-01' }, 'crash-1', 'urn:nl:gemeente');
    // What a process leaves behind when it dies between the insert and the signal.
    await h.audit.record({
      source: event.source,
      id: event.id,
      journeyId,
      type: event.type,
      occurredOn: '2025-05-01',
      actor: { name: 'brp-borger-odoorn', role: 'partner' },
      keyId: 'deadbeef0000',
      correction: false,
      receivedAt: new Date().toISOString(),
    });
    const res = await h.as('partnerBrp').post(`/v1/journeys/${journeyId}/events`, event);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ duplicate: false });
    const [entry] = await h.audit.forJourney(journeyId);
    expect(entry!.signalledAt).toBeDefined();
    const journey = await eventually(() => read(journeyId), (j) => (j.milestones as { bijstandAppliedOn?: string }).bijstandAppliedOn === '2025-05-01', 1000);
    expect((journey.milestones as { bijstandAppliedOn?: string }).bijstandAppliedOn).toBe('2025-05-01');
    expect((await h.as('partnerBrp').post(`/v1/journeys/${journeyId}/events`, event)).status).toBe(200);
  });

  it('refuses a source + id already used for another journey (409)', async () => {
    const [a, b] = [await h.createJourney(), await h.createJourney()];
    const event = cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-04-01' }, 'shared-id', 'urn:nl:brp:borger-odoorn');
    expect((await h.as('partnerBrp').post(`/v1/journeys/${a}/events`, event)).status).toBe(202);
    const res = await h.as('partnerBrp').post(`/v1/journeys/${b}/events`, event);
    expect(res.status).toBe(409);
    expect(await signals(b, 0)).toBe(0);
  });

  it('does not tell a partner that another municipality\'s journey has used a source + id', async () => {
    const ours = await h.createJourney({ municipality: 'midden-drenthe' });
    const theirs = await h.createJourney();
    const event = cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-04-01' }, `cross-${Date.now()}`, 'urn:nl:brp:shared');
    expect((await h.as('partnerBrp').post(`/v1/journeys/${theirs}/events`, event)).status).toBe(202);
    // The midden-drenthe partner cannot see the borger-odoorn journey: its event is simply new.
    expect((await h.as('partnerOther').post(`/v1/journeys/${ours}/events`, event)).status).toBe(202);
    expect((await h.as('partnerOther').post(`/v1/journeys/${ours}/events`, event)).body).toEqual({ duplicate: true });
  });

  it('answers a batch per event, in order', async () => {
    const journeyId = await h.createJourney();
    const first = cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-04-01' }, 'batch-1', 'urn:nl:brp:borger-odoorn');
    const batch = [
      first,
      first,
      cloudEvent('nl.koers.bijstand.applied', { occurredOn: '2025-04-15' }, 'batch-2', 'urn:nl:brp:borger-odoorn'),
      cloudEvent('nl.koers.exam.passed', { occurredOn: '2025-04-15', route: 'b1' }, 'batch-3'),
      cloudEvent('nl.koers.intake.held', { occurredOn: '2199-01-01' }, 'batch-4'),
    ];
    const res = await h.as('partnerBrp').post(`/v1/journeys/${journeyId}/events`, batch, 'application/cloudevents-batch+json');
    expect(res.status).toBe(207);
    expect(res.body.results.map((r: { status: number }) => r.status)).toEqual([202, 200, 202, 403, 422]);
    expect(res.body.results[1]).toMatchObject({ index: 1, id: 'batch-1', duplicate: true });
    expect(res.body.results[4].problem.errors).toEqual([{ path: '4.data.occurredOn', message: expect.stringContaining('future') }]);
    expect(await signals(journeyId, 2)).toBe(2);
  });

  it('records who sent what with which key in the timeline; an admin correction (contract v1.2: asked for) is a correction', async () => {
    const journeyId = await h.createJourney();
    await h.as('partnerBrp').post(`/v1/journeys/${journeyId}/events`, cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-04-01' }, 'tl-1', 'urn:nl:brp'));
    await h
      .as('admin')
      .post(`/v1/journeys/${journeyId}/events`, { ...cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-04-03' }, 'tl-2', 'urn:nl:koers:admin'), koerscorrection: true, koersreason: 'brief BRP' });
    const timeline = await eventually(
      async () => (await h.as('caseworker').get(`/v1/journeys/${journeyId}/events`)).body,
      (t) => t.events?.length === 2 && t.events.every((e: { applied: boolean }) => e.applied),
      2000,
    );
    expect(timeline.events).toEqual([
      expect.objectContaining({ id: 'tl-1', source: 'urn:nl:brp', actor: { name: 'brp-borger-odoorn', role: 'partner' }, keyId: expect.stringMatching(/^[0-9a-f]{12}$/), applied: true }),
      expect.objectContaining({ id: 'tl-2', actor: { name: 'admin-1', role: 'admin' }, correction: true, applied: true }),
    ]);
    const journey = await read(journeyId);
    expect((journey.milestones as { brpRegisteredOn?: string }).brpRegisteredOn).toBe('2025-04-03');
  });

  it('lists and counts journeys by municipality, status, phase, regime, overdue, next final date and caseworker (admin)', async () => {
    const staff = `cw-list-${Date.now()}`;
    await h.staff.recordSignIn({ id: staff, name: staff, role: 'caseworker', municipalities: ['borger-odoorn'] });
    const overdue = await h.createJourney({ permitGrantedOn: '2021-06-01' });
    const fresh = await h.createJourney({ permitGrantedOn: '2025-03-14' });
    for (const journeyId of [overdue, fresh]) {
      expect((await h.as('admin').put(`/v1/journeys/${journeyId}/caseworker`, { role: 'regisseur-werk', id: staff })).status).toBe(202);
    }
    const list = async (query: string) => (await h.as('admin').get(`/v1/journeys?caseworkerId=${staff}&${query}`)).body;
    const both = await eventually(() => list('municipality=borger-odoorn'), (b) => b.journeys?.length === 2, 10_000);
    expect(both.journeys.map((j: { journeyId: string }) => j.journeyId).sort()).toEqual([overdue, fresh].sort());
    expect(both.journeys[0]).toMatchObject({ status: 'RUNNING', municipality: 'borger-odoorn', caseworker: { role: 'regisseur-werk', id: staff } });
    const late = await eventually(() => list('overdue=true'), (b) => b.journeys?.length === 1, 10_000);
    expect(late.journeys.map((j: { journeyId: string }) => j.journeyId)).toEqual([overdue]);
    expect((await list('regime=wi2013')).journeys.map((j: { journeyId: string }) => j.journeyId)).toEqual([overdue]);
    expect((await list('regime=wi2021&caseworkerRole=regisseur-werk')).journeys.map((j: { journeyId: string }) => j.journeyId)).toEqual([fresh]);
    expect((await list('nextFinalDateBefore=2025-01-01')).journeys.map((j: { journeyId: string }) => j.journeyId)).toEqual([overdue]);
    expect((await list('municipality=midden-drenthe')).journeys).toEqual([]);
    const page = await list('pageSize=1');
    expect(page.journeys).toHaveLength(1);
    const next = await list(`pageSize=1&pageToken=${page.nextPageToken}`);
    expect(next.journeys).toHaveLength(1);
    expect(next.journeys[0].journeyId).not.toBe(page.journeys[0].journeyId);
    expect((await h.as('admin').get(`/v1/journeys/count?caseworkerId=${staff}`)).body).toMatchObject({ count: 2 });
    expect((await h.as('admin').get(`/v1/journeys/count?caseworkerId=${staff}&overdue=true`)).body).toMatchObject({ count: 1 });
    expect((await h.as('admin').get('/v1/journeys?phase=nonsense')).status).toBe(400);
  });

  it('reassigns the caseworker of a journey (admin)', async () => {
    await h.staff.recordSignIn({ id: 'cw-sam', name: 'cw-sam', role: 'caseworker', municipalities: ['borger-odoorn'] });
    const journeyId = await h.createJourney();
    const res = await h.as('admin').put(`/v1/journeys/${journeyId}/caseworker`, { role: 'statushouder-specialist', id: 'cw-sam' });
    expect(res.status).toBe(202);
    const journey = await eventually(() => read(journeyId), (j) => (j.caseworker as { id?: string }).id === 'cw-sam', 1000);
    expect(journey.caseworker).toEqual({ role: 'statushouder-specialist', id: 'cw-sam' });
  });

  it("shows who holds each open task as the inbox does, also for tasks open before a caseworker was assigned", async () => {
    const journeyId = await h.createJourney({ permitGrantedOn: '2021-06-01' });
    await h.as('partnerBrp').post(`/v1/journeys/${journeyId}/events`, cloudEvent('nl.koers.bijstand.applied', { occurredOn: '2025-05-01' }));
    const [task] = (await eventually(() => h.tasks.listTasks({ journeyId }), (p) => p.tasks.length > 0, 5000)).tasks;
    expect(task!.assignee).toBeUndefined();
    await h.staff.recordSignIn({ id: 'cw-sam', name: 'cw-sam', role: 'caseworker', municipalities: ['borger-odoorn'] });
    expect((await h.as('admin').put(`/v1/journeys/${journeyId}/caseworker`, { role: task!.candidateGroup, id: 'cw-sam' })).status).toBe(202);
    const journey = await eventually(() => read(journeyId), (j) => (j.caseworker as { id?: string }).id === 'cw-sam', 5000);
    // The task was open before: nobody holds it, in the store and so on the journey.
    expect((await h.tasks.getTask(task!.id))!.assignee).toBeUndefined();
    expect((journey.openTasks as Array<{ taskId: string; assignee?: string }>).find((t) => t.taskId === task!.id)).not.toHaveProperty('assignee');
    // Claimed in the store: the journey shows its holder.
    await h.tasks.claim(task!.id, 'cw-anna');
    expect(((await read(journeyId)).openTasks as Array<{ taskId: string; assignee?: string }>).find((t) => t.taskId === task!.id)).toMatchObject({ assignee: 'cw-anna' });
  });

  it('moves a journey to another municipality: tasks follow, history stays, access follows', async () => {
    const journeyId = await h.createJourney({ permitGrantedOn: '2021-06-01' });
    await h.as('partnerBrp').post(`/v1/journeys/${journeyId}/events`, cloudEvent('nl.koers.bijstand.applied', { occurredOn: '2025-05-01' }, 'move-1'));
    await eventually(() => h.tasks.listTasks({ journeyId }), (p) => p.tasks.length > 0, 5000);
    const res = await h.as('admin').post(`/v1/journeys/${journeyId}/move`, { municipality: 'midden-drenthe', reason: 'verhuisd' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ journeyId, from: 'borger-odoorn', to: 'midden-drenthe', policy: { id: 'midden-drenthe', version: 1 }, reason: 'verhuisd' });
    const moved = await eventually(() => read(journeyId), (j) => j.municipality === 'midden-drenthe', 2000);
    expect(moved.policy).toEqual({ id: 'midden-drenthe', version: 1 });
    const tasks = await eventually(() => h.tasks.listTasks({ journeyId }), (p) => p.tasks.length > 0 && p.tasks.every((t) => t.municipality === 'midden-drenthe'), 5000);
    expect(tasks.tasks.every((t) => t.municipality === 'midden-drenthe')).toBe(true);
    expect((await h.as('caseworker').get(`/v1/journeys/${journeyId}`)).status).toBe(404);
    expect((await h.as('caseworkerOther').get(`/v1/journeys/${journeyId}`)).status).toBe(200);
    const timeline = (await h.as('caseworkerOther').get(`/v1/journeys/${journeyId}/events`)).body;
    expect(timeline.events.map((e: { id: string }) => e.id)).toContain('move-1');
    expect((await h.as('admin').post(`/v1/journeys/${journeyId}/move`, { municipality: 'midden-drenthe' })).status).toBe(409);
    expect((await h.as('admin').post(`/v1/journeys/${journeyId}/move`, { municipality: 'atlantis' })).status).toBe(422);
  });

  it('amends the policy of matching running journeys: a dry run first that changes nothing, then for real', async () => {
    const staff = `cw-amend-${Date.now()}`;
    await h.staff.recordSignIn({ id: staff, name: staff, role: 'caseworker', municipalities: ['borger-odoorn'] });
    const journeyId = await h.createJourney({ permitGrantedOn: '2021-06-01' });
    await h.as('partnerBrp').post(`/v1/journeys/${journeyId}/events`, cloudEvent('nl.koers.bijstand.applied', { occurredOn: '2025-05-01' }));
    await h.as('admin').put(`/v1/journeys/${journeyId}/caseworker`, { role: 'regisseur-werk', id: staff });
    const before = await eventually(() => read(journeyId), (j) => j.clocks.some((c) => c.name === 'intake'), 2000);
    expect(before.clocks.find((c) => c.name === 'intake')!.finalDate).toBe('2025-05-15');
    const amendment = { municipality: 'borger-odoorn', patch: { periods: { intake: { days: 28 } } }, effectiveFrom: '2026-01-01', reason: 'raadsbesluit', filter: { caseworkerId: staff } };
    await eventually(async () => (await h.as('admin').get(`/v1/journeys/count?caseworkerId=${staff}`)).body.count, (n) => n === 1, 10_000);

    const history = await h.settled(journeyId);
    const dry = await h.as('admin').post('/v1/policy-amendments', amendment);
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, matched: 1, applied: 0, policy: { id: 'borger-odoorn', version: 2, effectiveFrom: '2026-01-01' } });
    expect(dry.body.journeys).toEqual([
      {
        journeyId,
        from: { id: 'borger-odoorn', version: 1 },
        to: { id: 'borger-odoorn', version: 2 },
        clockChanges: [expect.objectContaining({ clock: 'intake', before: expect.objectContaining({ finalDate: '2025-05-15' }), after: expect.objectContaining({ finalDate: '2025-05-29' }) })],
      },
    ]);
    expect(await h.historyLength(journeyId)).toBe(history);

    const applied = await h.as('admin').post('/v1/policy-amendments', { ...amendment, dryRun: false });
    expect(applied.status).toBe(202);
    expect(applied.body).toMatchObject({ dryRun: false, matched: 1, amendmentId: expect.stringMatching(/^policy-amendment-borger-odoorn-v2-/) });
    expect(applied.headers.location).toBe(`/v1/policy-amendments/${applied.body.amendmentId}`);
    const report = await eventually(async () => (await h.as('admin').get(applied.headers.location as string)).body, (r) => r.status === 'completed', 10_000);
    expect(report).toEqual({ policy: { id: 'borger-odoorn', version: 2, effectiveFrom: '2026-01-01' }, status: 'completed', matched: 1, amended: [journeyId], failed: [] });
    const after = await eventually(() => read(journeyId), (j) => (j.policy as { version: number }).version === 2, 2000);
    expect(after.clocks.find((c) => c.name === 'intake')!.finalDate).toBe('2025-05-29');
    expect(after.amendments).toEqual([expect.objectContaining({ from: { id: 'borger-odoorn', version: 1 }, to: { id: 'borger-odoorn', version: 2 }, reason: 'raadsbesluit', amendedBy: 'admin-1' })]);

    // The next amendment builds on this one (it used to start from the shipped policy and undo it), and a
    // journey started now starts with the amended policy.
    const next = await h.as('admin').post('/v1/policy-amendments', { ...amendment, patch: { reminderLeadDays: [7] } });
    expect(next.body).toMatchObject({ policy: { id: 'borger-odoorn', version: 3 }, matched: 1 });
    expect(next.body.journeys).toEqual([expect.objectContaining({ from: { id: 'borger-odoorn', version: 2 }, clockChanges: [] })]);
    const started = await h.createJourney({ permitGrantedOn: '2021-06-01' });
    await h.as('partnerBrp').post(`/v1/journeys/${started}/events`, cloudEvent('nl.koers.bijstand.applied', { occurredOn: '2025-05-01' }));
    const fresh = await eventually(() => read(started), (j) => j.clocks.some((c) => c.name === 'intake'), 5000);
    expect([fresh.policy, fresh.clocks.find((c) => c.name === 'intake')!.finalDate]).toEqual([{ id: 'borger-odoorn', version: 2 }, '2025-05-29']);

    const invalid = await h.as('admin').post('/v1/policy-amendments', { ...amendment, patch: { periods: { intake: { days: -1 } } } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.errors[0].path).toBe('patch.periods.intake.days');
  });

  it('lists dead letters and queues one again (admin)', async () => {
    const { id } = await h.outbox.enqueue({ idempotencyKey: `dead-${Date.now()}`, kind: 'reminder', channel: 'webhook', recipient: 'http://127.0.0.1:9/team', subject: 's', body: 'b' });
    await h.db.updateTable('outbox').set({ status: 'dead', attempts: 8, last_error: 'HTTP 500' }).where('id', '=', id).execute();
    const list = await h.as('admin').get('/v1/dead-letters');
    expect(list.status).toBe(200);
    expect(list.body.messages).toEqual([expect.objectContaining({ id, status: 'dead', attempts: 8, lastError: 'HTTP 500' })]);
    const retried = await h.as('admin').post(`/v1/dead-letters/${id}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ id, status: 'pending', attempts: 0 });
    expect((await h.as('admin').post(`/v1/dead-letters/${id}/retry`)).status).toBe(200);
    await h.db.updateTable('outbox').set({ status: 'delivered' }).where('id', '=', id).execute();
    expect((await h.as('admin').post(`/v1/dead-letters/${id}/retry`)).status).toBe(409);
    expect((await h.as('admin').post('/v1/dead-letters/00000000-0000-0000-0000-000000000000/retry')).status).toBe(404);
  });

  it('exposes HTTP and Temporal client metrics by route pattern, without ids', async () => {
    const res = await h.as(undefined).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/koers_http_requests_total\{method="POST",route="\/v1\/journeys\/:journeyId\/events",status="202"\} \d+/);
    expect(res.text).toMatch(/koers_temporal_client_requests_total\{operation="signal",outcome="ok"\} \d+/);
    expect(res.text).toMatch(/koers_partner_events_total\{type="nl.koers.brp.registered",outcome="duplicate"\} \d+/);
    expect(res.text).not.toMatch(/j-[A-Za-z0-9_-]{10,}/);
  });
});
