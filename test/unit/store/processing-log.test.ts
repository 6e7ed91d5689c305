/** The processing log's door (processing-log/index.ts) on the store: one record per processing, append-only, found per person. */
import fs from 'node:fs';
import path from 'node:path';
import { Identity } from '../../../api/identity';
import { developmentActivityUris, parseTraceparent, StoredProcessingLog, traceOfRequest, type ProcessingActivityKey } from '../../../processing-log';
import { erasureRef } from '../../../store/erasure-ref';
import { PersonIndex } from '../../../store/persons';
import { describeEachDatabase } from './databases';

// On a loaded machine a test here has taken longer than jest's 5 s default; what it checks is no timing.
jest.setTimeout(30_000);

const identity = new Identity('processing-log-test-secret-0123456789-abcdef');
const uris = { ...developmentActivityUris(), 'person-read': 'https://register.gemeente.test/va/17' } as Record<ProcessingActivityKey, string>;
const BSN = '999993653';
const OTHER_BSN = '999990019';

describeEachDatabase('processing log', (t) => {
  let clock = Date.parse('2026-12-07T09:00:00.000Z');
  const now = () => new Date((clock += 1000));
  const log = () => new StoredProcessingLog(t.db(), identity, uris, { now });

  it('writes one record per operation with the Logboek fields, the BSN sealed and its keyed hash', async () => {
    const op = log().begin({ activity: 'person-read', name: 'GET /v1/journeys/{journeyId}', subject: { bsn: BSN, journeyId: 'j-anna' }, actor: 'staff-7' });
    expect(op.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(op.operationId).toMatch(/^[0-9a-f]{16}$/);
    expect(op.traceparent()).toBe(`00-${op.traceId}-${op.operationId}-01`);
    await op.end('ok');
    await expect(op.end('ok')).rejects.toThrow(/ended twice/);

    const rows = await t.db().selectFrom('processing_log').selectAll().execute();
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row).toMatchObject({
      trace_id: op.traceId,
      operation_id: op.operationId,
      parent_operation_id: null,
      status_code: 1,
      name: 'GET /v1/journeys/{journeyId}',
      activity: 'person-read',
      processing_activity_id: 'https://register.gemeente.test/va/17',
      data_subject_key: identity.bsnKey(BSN),
      journey_ref: erasureRef('j-anna'),
      actor: 'staff-7',
    });
    expect(Date.parse(row.end_time)).toBeGreaterThan(Date.parse(row.start_time));
    // Sealed: not the BSN, and it opens to the BSN.
    expect(JSON.stringify(rows)).not.toContain(BSN);
    expect(JSON.stringify(rows)).not.toContain('j-anna');
    // Bound to no journey: the record still opens after its journey was erased and forgotten.
    expect(identity.decryptBsn('', row.data_subject_id!)).toBe(BSN);
  });

  it('keeps a nested processing in its parent trace, records the other party, and an error', async () => {
    const l = log();
    const outcome = l.around({ activity: 'person-registration', name: 'POST /v1/journeys', subject: { bsn: BSN }, actor: 'key-abc' }, async (parent) => {
      const brp = l.begin({ activity: 'brp-query', name: 'POST /personen', subject: { bsn: BSN }, actor: 'key-abc', parent });
      await brp.end('ok', { traceId: 'a'.repeat(32), operationId: 'b'.repeat(16), entity: 'https://brp.test' });
      await l.around({ activity: 'zaak-registration', name: 'POST /zaken', subject: { bsn: BSN }, actor: 'koers', parent }, async (zaak) => {
        zaak.linkForeign({ traceId: 'c'.repeat(32), operationId: 'd'.repeat(16), entity: 'https://zaken.test' });
        throw new Error('Zaken API down');
      });
    });
    await expect(outcome).rejects.toThrow('Zaken API down');

    const [{ trace_id: traceId }] = await t.db().selectFrom('processing_log').select('trace_id').where('activity', '=', 'person-registration').execute() as [{ trace_id: string }];
    const trace = await l.trace(traceId);
    expect(trace.map((r) => [r.activity, r.statusCode])).toEqual([
      ['person-registration', 2],
      ['brp-query', 1],
      ['zaak-registration', 2],
    ]);
    const registration = trace[0]!;
    expect(trace[1]!.parentOperationId).toBe(registration.operationId);
    expect(trace[2]!.parentOperationId).toBe(registration.operationId);
    expect(trace[1]!.foreignOperation).toEqual({ traceId: 'a'.repeat(32), operationId: 'b'.repeat(16), entity: 'https://brp.test' });
    expect(trace[2]!.foreignOperation).toEqual({ traceId: 'c'.repeat(32), operationId: 'd'.repeat(16), entity: 'https://zaken.test' });
    expect(registration.processingActivityId).toBe(uris['person-registration']);
  });

  it("continues the caller's W3C trace (its operation the parent), keeps a nested processing under its own parent, and starts a new trace for an invalid one", async () => {
    const l = log();
    const incoming = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const trace = traceOfRequest(incoming);
    expect(trace).toEqual({ traceId: '0af7651916cd43dd8448eb211c80319c', parentOperationId: 'b7ad6b7169203331' });
    await l.around({ activity: 'person-registration', name: 'POST /v1/journeys', subject: { bsn: BSN }, actor: 'portal', trace }, async (registration) => {
      expect(registration.traceId).toBe(trace.traceId);
      await l.around({ activity: 'brp-query', name: 'POST /personen', subject: { bsn: BSN }, actor: 'portal', parent: registration, trace }, async () => undefined);
    });
    await l.recordEach({ activity: 'export', name: 'GET /v1/journeys/export', actor: 'portal', trace }, [{ bsn: BSN }]);
    const [registration, query, exported] = await l.trace(trace.traceId);
    expect(registration).toMatchObject({ activity: 'person-registration', parentOperationId: 'b7ad6b7169203331' });
    expect(query).toMatchObject({ activity: 'brp-query', parentOperationId: registration!.operationId });
    expect(exported).toMatchObject({ activity: 'export', parentOperationId: 'b7ad6b7169203331' });

    // Invalid: ignored, never an error. A new trace, no parent.
    for (const header of [undefined, '', 'nonsense', '00-00000000000000000000000000000000-b7ad6b7169203331-01', '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01', 'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', '00-0af7651916cd43dd8448eb211c80319-b7ad6b7169203331-01', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01, 00-1af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01']) {
      expect(parseTraceparent(header)).toBeUndefined();
      const fresh = traceOfRequest(header);
      expect(fresh.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(fresh.traceId).not.toBe(trace.traceId);
      expect(fresh.parentOperationId).toBeUndefined();
    }
    // A later version's extra fields are skipped; version 00 has none.
    expect(parseTraceparent('01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-future')).toEqual({ traceId: '0af7651916cd43dd8448eb211c80319c', operationId: 'b7ad6b7169203331' });
    expect(parseTraceparent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-future')).toBeUndefined();
    // A trace handed to the door unchecked is checked there too: a bad parent id is dropped, a bad trace id replaced.
    const op = l.begin({ activity: 'export', name: 'x', subject: { bsn: BSN }, actor: 'a', trace: { traceId: trace.traceId, parentOperationId: 'not-hex' } });
    await op.end('ok');
    expect((await l.trace(trace.traceId)).find((r) => r.operationId === op.operationId)?.parentOperationId).toBeUndefined();
    expect(l.begin({ activity: 'export', name: 'x', subject: { bsn: BSN }, actor: 'a', trace: { traceId: 'Z'.repeat(32) } }).traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('finds a person by BSN or journey, resolving a journey-only subject through the person index, filtered by period and activity', async () => {
    const persons = new PersonIndex(t.db());
    await persons.claim('borger-odoorn', 'k-anna', 'j-anna', { bsnKey: identity.bsnKey(BSN) });
    await persons.started('j-anna');
    const l = log();
    await l.around({ activity: 'person-registration', name: 'POST /v1/journeys', subject: { bsn: BSN, journeyId: 'j-anna' }, actor: 'a' }, async () => undefined);
    const from = new Date(clock + 500).toISOString();
    // Only the journey is known here (a task page): the log finds the BSN's key in the index.
    await l.around({ activity: 'person-read', name: 'GET /app/journeys/{journeyId}', subject: { journeyId: 'j-anna' }, actor: 'b' }, async () => undefined);
    const beforeExport = new Date(clock + 500).toISOString();
    await l.around({ activity: 'export', name: 'GET /v1/journeys/export', subject: { bsn: BSN }, actor: 'c' }, async () => undefined);
    await l.around({ activity: 'person-read', name: 'GET /v1/journeys/{journeyId}', subject: { bsn: OTHER_BSN }, actor: 'd' }, async () => undefined);
    // A journey without a BSN: the record names the journey alone.
    await l.around({ activity: 'person-read', name: 'GET /v1/journeys/{journeyId}', subject: { journeyId: 'j-no-bsn' }, actor: 'e' }, async () => undefined);

    const byBsn = await l.records({ subject: { bsn: BSN } }, 50);
    expect(byBsn.items.map((r) => r.actor)).toEqual(['c', 'b', 'a']);
    const byJourney = await l.records({ subject: { journeyId: 'j-anna' } }, 50);
    expect(byJourney.items.map((r) => r.actor)).toEqual(['c', 'b', 'a']);
    expect((await l.records({ subject: { bsn: BSN }, from }, 50)).items.map((r) => r.actor)).toEqual(['c', 'b']);
    expect((await l.records({ subject: { bsn: BSN }, activities: ['person-read', 'export'], until: beforeExport }, 50)).items.map((r) => r.actor)).toEqual(['b']);
    const noBsn = await l.records({ subject: { journeyId: 'j-no-bsn' } }, 50);
    expect(noBsn.items).toEqual([expect.objectContaining({ actor: 'e', hasDataSubjectId: false })]);

    // Pages: newest first, each record once.
    const first = await l.records({ subject: { bsn: BSN } }, 2);
    expect(first.items.map((r) => r.actor)).toEqual(['c', 'b']);
    const second = await l.records({ subject: { bsn: BSN } }, 2, first.next);
    expect(second).toEqual({ items: [expect.objectContaining({ actor: 'a' })] });
    await expect(l.records({ subject: { bsn: BSN } }, 2, 'forged')).rejects.toThrow(RangeError);
  });

  it('keeps the records through a restart and after the person index forgets the journey (its erasure), without the journey id', async () => {
    const persons = new PersonIndex(t.db());
    await persons.claim('borger-odoorn', 'k-anna', 'j-anna', { bsnKey: identity.bsnKey(BSN) });
    await persons.started('j-anna');
    await log().around({ activity: 'person-read', name: 'GET /app/journeys/{journeyId}', subject: { journeyId: 'j-anna' }, actor: 'a' }, async () => undefined);
    await persons.forget('j-anna');
    // A new door on the same store, as after a restart.
    const again = new StoredProcessingLog(t.db(), identity, uris, { now });
    expect((await again.records({ subject: { journeyId: 'j-anna' } }, 10)).items).toHaveLength(1);
    expect((await again.records({ subject: { bsn: BSN } }, 10)).items).toHaveLength(1);
    expect(JSON.stringify(await t.db().selectFrom('processing_log').selectAll().execute())).not.toContain('j-anna');
  });

  it('refuses a second record of the same operation (the primary key), so a record is never replaced', async () => {
    const l = log();
    const op = l.begin({ activity: 'export', name: 'x', subject: { bsn: BSN }, actor: 'a' });
    await op.end('ok');
    const row = await t.db().selectFrom('processing_log').selectAll().executeTakeFirstOrThrow();
    // The driver's own error code, not `rejects.toThrow()`: better-sqlite3's SqliteError is no Error to jest's
    // realm check in every run, so that matcher has reported a refused insert as "did not throw".
    const refusal = await t.db().insertInto('processing_log').values({ ...row, status_code: 2 }).execute().then(
      () => 'inserted',
      (err: unknown) => String((err as { code?: unknown }).code),
    );
    expect(refusal).toMatch(/^(SQLITE_CONSTRAINT_PRIMARYKEY|23505)$/);
    expect((await t.db().selectFrom('processing_log').select('status_code').execute()).map((r) => r.status_code)).toEqual([1]);
  });
});

describe('processing log in the code', () => {
  it('is never updated or deleted: no statement in Koers changes or removes a record', () => {
    const root = path.resolve(__dirname, '../../..');
    const offending: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (['node_modules', '.git', 'dist', 'data', 'test'].includes(entry.name)) continue;
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name.endsWith('.ts')) {
          const text = fs.readFileSync(full, 'utf8');
          if (/(updateTable|deleteFrom)\(\s*['"]processing_log['"]|\b(update|delete\s+from|truncate(\s+table)?)\s+processing_log\b/i.test(text)) offending.push(path.relative(root, full));
        }
      }
    };
    walk(root);
    expect(offending).toEqual([]);
  });
});
