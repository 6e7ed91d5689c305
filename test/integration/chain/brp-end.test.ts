/**
 * A journey ends for a reason outside the law's milestones (issue 23): the BRP says the person died, the
 * journey page proposes the end, a caseworker confirms it. Against both official documents at once: the
 * BRP API Personen 2.7.0 (Prism behind the BRP mock, brp-mock.ts) and the Zaken API 1.5.1 (Prism behind
 * the recording proxy, helpers/zaken-mock.ts); every request Koers sent satisfies them (`violations()` empty).
 * Also: a journey whose run is terminated closes its zaak through the monitor.
 */
import { parseBrpSettings } from '../../../chain/brp';
import { KeptZaken, type ZaakRegistration } from '../../../chain/zaken';
import type { Dispatcher } from '../../../store/dispatcher';
import { inTransaction } from '../../../store/db';
import { JourneyMonitor } from '../../../worker/monitor';
import { brpDate, brpTestSettings, startBrpMock, type BrpMock } from '../../helpers/brp-mock';
import { startZakenDelivery, startZakenMock, zaakRegistrationOf, type ZakenMock } from '../../helpers/zaken-mock';
import { apiHarness, cloudEvent, eventually, type ApiHarness } from '../api/harness';
import { messagesOf } from '../../../web/messages';

describe('a journey ended because the BRP says the person died', () => {
  let brp: BrpMock;
  let zakenApi: ZakenMock;
  let h: ApiHarness;
  let dispatcher: Dispatcher;
  let zaken: ZaakRegistration;
  const config = () => zakenApi.config();
  const alive = { gemeenteVanInschrijving: { code: '1681', omschrijving: 'Borger-Odoorn' } };
  const died = { ...alive, overlijden: { datum: brpDate('2025-10-12') }, opschortingBijhouding: { reden: { code: 'O', omschrijving: 'overlijden' }, datum: brpDate('2025-10-12') } };

  beforeAll(async () => {
    brp = await startBrpMock();
    zakenApi = await startZakenMock();
    zaken = zaakRegistrationOf(config());
    h = await apiHarness({ worker: true, zaken, brp: parseBrpSettings(brpTestSettings(brp.url)) });
    dispatcher = startZakenDelivery(h, config());
  }, 300_000);

  afterAll(async () => {
    await dispatcher?.stop();
    await h?.stop();
    await zakenApi?.stop();
    await brp?.stop();
  });

  afterEach(() => {
    expect(brp.prism.violations()).toEqual([]);
    expect(zakenApi.prism.violations()).toEqual([]);
  });

  const zakenMessages = () => h.db.selectFrom('outbox').select(['kind', 'status', 'sequence_key']).where('channel', '=', 'zaken').execute();
  const allDelivered = () => eventually(zakenMessages, (rows) => rows.length > 0 && rows.every((r) => r.status === 'delivered'), 120_000);
  /** The journey's zaak once the Zaken API created it: Koers's id and its URL. */
  const zaakOf = async (journeyId: string) => {
    const kept = await eventually(() => new KeptZaken(h.db).ofJourney(journeyId), (z) => z.length > 0 && z[0]!.zaakUrl !== undefined, 60_000);
    return { id: kept[0]!.id, url: kept[0]!.zaakUrl! };
  };
  const confirm = (journeyId: string) => h.as('caseworker').post(`/v1/journeys/${journeyId}/brp-proposal/confirmation`, { kind: 'end', reason: 'deceased' });
  const tasksOf = async (journeyId: string) => (await h.tasks.listTasks({ journeyId, status: 'all', limit: 500 })).tasks;

  it('proposes the end, refuses a stale confirmation, ends the journey on the confirmation (clocks, tasks, read model, zaak, audit, processing log), ignores a second one, and runs again when an administrator withdraws the end', async () => {
    const bsn = h.bsn();
    brp.persons.set(bsn, alive);
    const journeyId = await h.createJourney({ bsn }, 'caseworker');
    expect((await h.as('admin').post(`/v1/journeys/${journeyId}/events`, cloudEvent('nl.koers.bijstand.applied', { occurredOn: '2025-04-01' }), 'application/cloudevents+json')).status).toBe(202);
    const running = await eventually(() => h.as('caseworker').get(`/v1/journeys/${journeyId}`), (r) => r.body.openTasks?.length > 0);
    expect(running.body.status).toBe('running');
    const openKeys = (await eventually(() => tasksOf(journeyId), (tasks) => tasks.some((t) => t.status === 'open'))).filter((t) => t.status === 'open' || t.status === 'claimed').map((t) => t.key);
    const zaakUrl = (await zaakOf(journeyId)).url;
    await allDelivered();

    // The BRP says the person died: a proposal, nothing changes by itself.
    brp.persons.set(bsn, died);
    expect((await h.as('caseworker').get(`/v1/journeys/${journeyId}/brp-proposal`)).body).toEqual({ journeyId, proposal: { kind: 'end', reason: 'deceased', on: '2025-10-12' } });

    // The BRP corrects itself before the caseworker confirms: the confirmation from the stale page is a 409 and changes nothing.
    brp.persons.set(bsn, alive);
    const length = await h.settled(journeyId);
    const stale = await confirm(journeyId);
    expect(stale.status).toBe(409);
    expect(stale.headers['content-type']).toContain('application/problem+json');
    expect(stale.body.code).toBe('brp-proposal-stale');
    expect(await h.settled(journeyId)).toBe(length);
    expect((await h.as('caseworker').get(`/v1/journeys/${journeyId}`)).body).toMatchObject({ status: 'running' });
    expect((await h.processingLog.records({ subject: { bsn }, activities: ['person-correction'] }, 100)).items).toEqual([]);

    // The BRP says it again and the caseworker confirms: the journey ends for that reason.
    brp.persons.set(bsn, died);
    const confirmed = await confirm(journeyId);
    expect(confirmed.status).toBe(202);
    expect(confirmed.body).toEqual({ journeyId, confirmed: { kind: 'end', reason: 'deceased', on: '2025-10-12' } });
    const ended = await eventually(() => h.as('caseworker').get(`/v1/journeys/${journeyId}`), (r) => r.body.status === 'completed', 30_000);
    expect(ended.body.ended).toEqual({ reason: 'deceased', on: '2025-10-12', confirmedOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), confirmedBy: 'cw-anna' });
    expect(ended.body.openTasks).toEqual([]);
    expect(ended.body.clocks.filter((c: { status: string }) => c.status === 'running' || c.status === 'overdue')).toEqual([]);
    // No more proposal for a journey that ended.
    expect((await h.as('caseworker').get(`/v1/journeys/${journeyId}/brp-proposal`)).body).toEqual({ journeyId });
    // The list says the end as GET does, and finds it with `ended=true` only (finding 1 of the second trial).
    const listed = async (query: string) => ((await h.as('admin').get(`/v1/journeys?pageSize=100&${query}`)).body.journeys as Array<{ journeyId: string; ended?: unknown }>).find((j) => j.journeyId === journeyId);
    expect(await listed('ended=true')).toMatchObject({ status: 'COMPLETED', ended: { reason: 'deceased', on: '2025-10-12' } });
    expect(await listed('ended=false')).toBeUndefined();
    expect(await listed('status=running')).toBeUndefined();
    expect((await h.as('admin').get('/v1/journeys/count?ended=true')).body.count).toBeGreaterThanOrEqual(1);

    // Its open tasks are cancelled, and their history says why.
    const tasks = await tasksOf(journeyId);
    for (const key of openKeys) {
      const task = tasks.find((t) => t.key === key)!;
      expect(task.status).toBe('cancelled');
      const history = await h.as('caseworker').get(`/v1/tasks/${task.id}/history`);
      expect(history.body.events.at(-1)).toMatchObject({ type: 'cancelled', reason: 'journey ended: deceased' });
    }

    // Accountable: the event audit (the timeline) names who confirmed it; one processing-log record of the confirmation.
    const timeline = await h.as('admin').get(`/v1/journeys/${journeyId}/events`);
    expect(timeline.body.events.filter((e: { type: string }) => e.type === 'nl.koers.journey.ended')).toEqual([
      expect.objectContaining({ source: 'urn:nl:koers:brp', occurredOn: '2025-10-12', actor: expect.objectContaining({ name: 'cw-anna' }), applied: true }),
    ]);
    const corrections = (await h.processingLog.records({ subject: { bsn }, activities: ['person-correction'] }, 100)).items;
    expect(corrections).toEqual([expect.objectContaining({ statusCode: 1, name: 'POST /v1/journeys/{journeyId}/brp-proposal/confirmation', actor: 'cw-anna' })]);

    // The zaak gets the resultaat for "deceased", then its eindstatus (einddatum); validated by Prism.
    await allDelivered();
    const settings = config().municipalities['borger-odoorn']!;
    const resultaat = zakenApi.sent.filter((s) => (s.method === 'POST' && s.path === '/resultaten' && s.body?.zaak === zaakUrl) || (s.method === 'PATCH' && s.path.startsWith('/resultaten/')));
    expect(resultaat.map((s) => s.body?.resultaattype)).toEqual([settings.resultaattypen.deceased]);
    const closing = zakenApi.sent.filter((s) => s.method === 'POST' && s.path === '/statussen' && s.body?.zaak === zaakUrl && s.body?.statustype === settings.eindstatustype);
    expect(closing).toHaveLength(1);
    expect(zakenApi.sent.indexOf(resultaat[0]!)).toBeLessThan(zakenApi.sent.indexOf(closing[0]!));

    // A second confirmation changes nothing: the journey ended (409), no signal, no record, no zaak message.
    const sentBefore = zakenApi.sent.length;
    const historyBefore = await h.settled(journeyId);
    const outboxBefore = (await zakenMessages()).length;
    const again = await confirm(journeyId);
    expect(again.status).toBe(409);
    expect(await h.settled(journeyId)).toBe(historyBefore);
    expect((await zakenMessages()).length).toBe(outboxBefore);
    expect((await h.processingLog.records({ subject: { bsn }, activities: ['person-correction'] }, 100)).items).toHaveLength(1);
    expect(zakenApi.sent.length).toBe(sentBefore);

    // The end was a mistake: an administrator withdraws it (a caseworker may not), and the journey runs again.
    expect((await h.as('caseworker').post(`/v1/journeys/${journeyId}/end-withdrawal`, { reason: 'BRP: overlijden ten onrechte geregistreerd' })).status).toBe(403);
    const refused = await h.as('admin').post(`/v1/journeys/${journeyId}/end-withdrawal`, {});
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([expect.objectContaining({ path: 'reason' })]);
    const withdrawn = await h.as('admin').post(`/v1/journeys/${journeyId}/end-withdrawal`, { reason: 'BRP: overlijden ten onrechte geregistreerd' });
    expect(withdrawn.status).toBe(202);
    expect(withdrawn.body).toEqual({ journeyId, withdrawn: ended.body.ended });
    const again2 = await eventually(() => h.as('caseworker').get(`/v1/journeys/${journeyId}`), (r) => r.body.status === 'running' && r.body.ended === undefined && r.body.openTasks.length > 0, 30_000);
    // Withdrawn: the list no longer says it ended.
    expect(await listed('ended=true')).toBeUndefined();
    expect((await listed('ended=false'))?.ended).toBeUndefined();
    expect(again2.body.openTasks.map((t: { taskId: string }) => t.taskId).sort()).toEqual(tasks.filter((t) => openKeys.includes(t.key)).map((t) => t.id).sort());
    const withdrawnEntry = (await h.as('admin').get(`/v1/journeys/${journeyId}/events`)).body.events.filter((e: { type: string; correction?: boolean }) => e.type === 'nl.koers.journey.ended' && e.correction);
    expect(withdrawnEntry).toEqual([expect.objectContaining({ reason: 'BRP: overlijden ten onrechte geregistreerd', withdrawn: true, applied: true })]);
    expect((await h.processingLog.records({ subject: { bsn }, activities: ['person-correction'] }, 100)).items).toHaveLength(2);
    // The privacy officer's page says what each of the person's operations did, in words (web/messages.ts).
    const catalogue = messagesOf('nl') as Record<string, string>;
    const names = new Set((await h.processingLog.records({ subject: { bsn } }, 200)).items.map((r) => r.name));
    expect([...names].filter((name) => !(`processingLog.operation.${name}` in catalogue))).toEqual([]);
    // The zaak reopens: a status for the journey's phase after its eindstatus.
    await allDelivered();
    const statuses = zakenApi.sent.filter((s) => s.method === 'POST' && s.path === '/statussen' && s.body?.zaak === zaakUrl).map((s) => String(s.body?.statustype));
    expect(statuses.at(-1)).toBe(settings.statustypen[again2.body.phase as keyof typeof settings.statustypen]);
    expect(statuses.indexOf(settings.eindstatustype)).toBeLessThan(statuses.length - 1);
    // Nothing left to withdraw.
    const none = await h.as('admin').post(`/v1/journeys/${journeyId}/end-withdrawal`, { reason: 'nogmaals' });
    expect(none.status).toBe(409);
    expect(none.body.code).toBe('journey-not-ended');
  }, 600_000);

  it('closes the zaak of a journey whose run was terminated, once, through the monitor', async () => {
    const bsn = h.bsn();
    brp.persons.set(bsn, alive);
    const journeyId = await h.createJourney({ bsn }, 'caseworker');
    const zaak = await zaakOf(journeyId);
    await allDelivered();
    await h.client.workflow.getHandle(journeyId).terminate('stopped by an administrator');
    const monitor = new JourneyMonitor({
      client: h.client,
      outbox: h.outbox,
      journeys: h.journeys,
      taskQueue: h.taskQueue,
      lookbackMs: 10 * 60_000,
      batchSize: 1000,
      zaakStopped: (id, status) => inTransaction(h.db, (trx) => zaken.recordStop(trx, id, status)),
    });
    const settings = config().municipalities['borger-odoorn']!;
    const resultaten = () => zakenApi.sent.filter((s) => (s.method === 'POST' && s.path === '/resultaten' && s.body?.zaak === zaak.url) || (s.method === 'PATCH' && s.path.startsWith('/resultaten/')));
    const ends = async () => (await zakenMessages()).filter((r) => r.sequence_key === zaak.id && r.kind === 'zaak-end');
    const patchesBefore = resultaten().length;
    // Visibility is eventually consistent: a round sees the terminated run soon after.
    await eventually(
      async () => {
        await monitor.round();
        return ends();
      },
      (rows) => rows.length > 0,
      60_000,
    );
    await allDelivered();
    expect(resultaten().slice(patchesBefore).map((s) => s.body?.resultaattype)).toEqual([settings.resultaattypen.closed]);
    expect(zakenApi.sent.filter((s) => s.method === 'POST' && s.path === '/statussen' && s.body?.zaak === zaak.url && s.body?.statustype === settings.eindstatustype)).toHaveLength(1);
    expect((await h.as('admin').get(`/v1/journeys/${journeyId}`)).body.status).toBe('terminated');
    // Another round (its overlap sees the run again) queues nothing more.
    const queued = (await zakenMessages()).length;
    await monitor.round();
    expect((await zakenMessages()).length).toBe(queued);
    expect(await ends()).toHaveLength(1);
  }, 600_000);
});
