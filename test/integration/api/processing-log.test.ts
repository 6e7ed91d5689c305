/**
 * The processing log (issue 23, Logboek Dataverwerkingen) through the API: registering a person,
 * reading them, a search, an export and an erasure each write their records, with the configured
 * activity URIs and one trace per request; the privacy officer finds them all by BSN or journey, after
 * the erasure too, filters them and downloads them; nobody changes or deletes one.
 */
import request from 'supertest';
import { developmentActivityUris, PROCESSING_ACTIVITIES } from '../../../processing-log';
import { messagesOf } from '../../../web/messages';
import { apiHarness, type ApiHarness } from './harness';

interface RecordBody {
  traceId: string;
  operationId: string;
  parentOperationId?: string;
  statusCode: number;
  name: string;
  startTime: string;
  activity: string;
  processingActivityId: string;
  hasDataSubjectId: boolean;
  actor: string;
}

describe('the processing log', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness({ worker: true });
  });
  afterAll(() => h.stop());

  const search = async (body: Record<string, unknown>) => {
    const res = await h.as('privacyOfficer').post('/v1/processing-log/search', body);
    expect(res.status).toBe(200);
    return res.body.records as RecordBody[];
  };

  it('records a registration, a reading, a search, an export and an erasure, one trace per request, found by BSN and journey after the erasure', async () => {
    const uris = developmentActivityUris();
    const bsn = h.bsn();
    const registered = await h.as('caseworker').post('/v1/journeys', { personRef: h.personRef(), bsn, name: 'Amina Yusuf', municipality: 'borger-odoorn', permitGrantedOn: '2025-03-14' });
    expect(registered.status).toBe(201);
    const journeyId = registered.body.journeyId as string;

    expect((await h.as('caseworker').get(`/v1/journeys/${journeyId}/person`)).body.bsn).toBe(bsn);
    expect((await h.as('caseworker').post('/v1/journeys/search', { q: bsn })).body.journeys).toHaveLength(1);
    const exported = await h.as('admin').get('/v1/journeys/export');
    expect(exported.status).toBe(200);
    expect(exported.text).toContain(journeyId);
    // A partner's reading shows neither BSN nor name: no processing of them, no record.
    expect((await h.as('partnerBrp').get(`/v1/journeys/${journeyId}`)).status).toBe(200);
    expect((await h.as('privacyOfficer').post(`/v1/journeys/${journeyId}/erasure`, { ground: 'consent-withdrawn' })).status).toBe(200);

    const byBsn = await search({ bsn });
    // Newest first; the erasure's subject was looked up before the person index forgot the journey.
    expect(byBsn.map((r) => [r.activity, r.actor, r.statusCode])).toEqual([
      ['erasure', 'po-piet', 1],
      ['export', 'admin-1', 1],
      ['person-search', 'cw-anna', 1],
      ['person-read', 'cw-anna', 1],
      ['person-registration', 'cw-anna', 1],
    ]);
    for (const record of byBsn) {
      expect(record.processingActivityId).toBe(uris[record.activity as keyof typeof uris]);
      expect(record.hasDataSubjectId).toBe(true);
      expect(record.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(record.operationId).toMatch(/^[0-9a-f]{16}$/);
    }
    expect(new Set(byBsn.map((r) => r.traceId)).size).toBe(byBsn.length);
    expect(byBsn.map((r) => r.name)).toEqual([
      'POST /v1/journeys/{journeyId}/erasure',
      'GET /v1/journeys/export',
      'POST /v1/journeys/search',
      'GET /v1/journeys/{journeyId}/person',
      'POST /v1/journeys',
    ]);
    // The journey's id finds the same records after its erasure (by its erasure reference).
    const byJourney = await search({ journeyId });
    expect(byJourney.map((r) => r.operationId)).toEqual(byBsn.map((r) => r.operationId));
    expect(await search({ bsn, activities: ['person-read', 'export'] })).toEqual(byBsn.filter((r) => r.activity === 'person-read' || r.activity === 'export'));
    expect(await search({ bsn, until: '2000-01-01' })).toEqual([]);

    // In the store: the BSN only sealed, never the journey id, the reference or the name.
    const rows = await h.db.selectFrom('processing_log').selectAll().execute();
    const stored = JSON.stringify(rows);
    for (const secret of [bsn, journeyId, 'Amina', 'Yusuf']) expect(stored).not.toContain(secret);
    expect(rows.filter((r) => r.data_subject_key === h.identity.bsnKey(bsn)).every((r) => ['', journeyId].some((bound) => { try { return h.identity.decryptBsn(bound, r.data_subject_id!) === bsn; } catch { return false; } }))).toBe(true);

    // The count of records per activity in this run (the resolution note reports it).
    const counts = Object.fromEntries(PROCESSING_ACTIVITIES.map((a) => [a, rows.filter((r) => r.activity === a).length]));
    process.stdout.write(`processing-log records per activity: ${JSON.stringify(counts)}\n`);
    expect(counts).toMatchObject({ 'person-registration': 1, 'person-read': 1, 'person-search': 1, export: 1, erasure: 1, 'processing-log-inspection': 4 });
    // The privacy officer's page says what each of these operations did, in words (never just its route).
    const catalogue = messagesOf('nl') as Record<string, string>;
    expect([...new Set(rows.map((r) => r.name))].filter((name) => !(`processingLog.operation.${name}` in catalogue))).toEqual([]);
  });

  it("joins the trace of a request that carries a W3C traceparent (the portal's or gateway's), on the API and through the web app; an invalid one starts a new trace and changes nothing else", async () => {
    const bsn = h.bsn();
    const portal = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', operationId: 'a3ce929d0e0e4736' };
    const registered = await h
      .as('caseworker')
      .post('/v1/journeys', { personRef: h.personRef(), bsn, municipality: 'borger-odoorn', permitGrantedOn: '2025-03-14' })
      .set('traceparent', `00-${portal.traceId}-${portal.operationId}-01`);
    expect(registered.status).toBe(201);
    const journeyId = registered.body.journeyId as string;
    // Invalid values are ignored, never refused.
    for (const invalid of ['00-00000000000000000000000000000000-a3ce929d0e0e4736-01', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-a3ce929d0e0e4736-01', 'trace-me']) {
      expect((await h.as('caseworker').get(`/v1/journeys/${journeyId}/person`).set('traceparent', invalid)).status).toBe(200);
    }
    // A page of the web app passes the browser's (or gateway's) trace on to the API calls it makes.
    const { cookie } = await h.webSession('caseworker');
    const gateway = { traceId: '0af7651916cd43dd8448eb211c80319c', operationId: 'b7ad6b7169203331' };
    expect((await request(h.app).get(`/app/journeys/${journeyId}`).set('Cookie', cookie).set('traceparent', `00-${gateway.traceId}-${gateway.operationId}-01`)).status).toBe(200);

    const records = await search({ bsn });
    const registration = records.find((r) => r.activity === 'person-registration')!;
    expect(registration).toMatchObject({ traceId: portal.traceId, parentOperationId: portal.operationId, statusCode: 1 });
    const reads = records.filter((r) => r.activity === 'person-read');
    const apiReads = reads.filter((r) => r.traceId !== gateway.traceId);
    expect(apiReads).toHaveLength(3);
    for (const r of apiReads) {
      expect(r.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect([portal.traceId, '0'.repeat(32)]).not.toContain(r.traceId);
      expect(r.parentOperationId).toBeUndefined();
    }
    expect(new Set(apiReads.map((r) => r.traceId)).size).toBe(3);
    const pageReads = reads.filter((r) => r.traceId === gateway.traceId);
    expect(pageReads.length).toBeGreaterThan(0);
    for (const r of pageReads) expect(r.parentOperationId).toBe(gateway.operationId);
  });

  it('downloads a person\'s records as CSV with the Logboek\'s field names, for the privacy officer only', async () => {
    const bsn = h.bsn();
    const journeyId = await h.createJourney({ bsn });
    await h.as('admin').get(`/v1/journeys/${journeyId}/person`);
    const csv = await h.as('privacyOfficer').post('/v1/processing-log/export', { bsn });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    // No field of these records holds a comma or a quote: a line is its fields.
    const [header, ...lines] = csv.text.replace(/^\uFEFF/, '').trim().split('\n').map((line) => line.split(','));
    const rows = lines.map((line) => Object.fromEntries(header!.map((column, i) => [column, line[i] ?? ''])));
    expect(rows.map((r) => r.activity)).toEqual(['person-read', 'person-registration']);
    expect(Object.keys(rows[0]!)).toEqual(expect.arrayContaining(['trace_id', 'operation_id', 'status_code', 'name', 'start_time', 'end_time', 'dpl.core.processing_activity_id', 'dpl.core.data_subject_id']));
    expect(csv.text).not.toContain(bsn);

    for (const who of ['admin', 'caseworker', 'reader'] as const) expect((await h.as(who).post('/v1/processing-log/search', { bsn })).status).toBe(403);
  });

  it('refuses a question naming no person, two, a wrong BSN or a period backwards (422 problem+json naming each field), and has no route that changes a record', async () => {
    const both = await h.as('privacyOfficer').post('/v1/processing-log/search', { bsn: h.bsn(), journeyId: 'j-x' });
    expect(both.status).toBe(422);
    expect(both.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(both.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'bsn' })]));
    const wrong = await h.as('privacyOfficer').post('/v1/processing-log/search', { bsn: '123456789', from: '2026-02-01', until: '2026-01-01' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['bsn', 'from']));
    const before = await h.db.selectFrom('processing_log').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect([404, 405]).toContain((await h.as('privacyOfficer').get('/v1/processing-log/search')).status);
    expect([404, 405]).toContain((await h.as('privacyOfficer').put('/v1/processing-log/search', {})).status);
    expect([404, 405]).toContain((await h.as('privacyOfficer').get('/v1/processing-log')).status);
    const after = await h.db.selectFrom('processing_log').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });
});
