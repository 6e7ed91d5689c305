/** The audit trail on both databases: idempotent by journey + source + id, also when two instances race. */
import { AuditStore, migrateAuditStore } from '../../../api/audit-store';
import { migrateToLatest } from '../../../store/migrations';
import { describeEachDatabase } from '../../unit/store/databases';

const entry = (id: string, journeyId = 'j-1') => ({
  source: 'urn:nl:duo',
  id,
  journeyId,
  type: 'nl.koers.exam.passed',
  occurredOn: '2026-01-20',
  actor: { name: 'duo', role: 'partner' },
  keyId: 'abcdef012345',
  correction: false,
  receivedAt: new Date('2026-02-01T09:30:00Z').toISOString(),
});

describeEachDatabase('event audit trail', (t) => {
  it('records an event once per journey; the second receipt sees the first', async () => {
    await migrateAuditStore(t.db());
    await migrateAuditStore(t.db()); // idempotent at start-up
    const audit = new AuditStore(t.db());
    const first = await audit.record(entry('duo-1'));
    expect(first.created).toBe(true);
    expect(first.entry.signalledAt).toBeUndefined();
    const second = await audit.record({ ...entry('duo-1'), receivedAt: new Date().toISOString() });
    expect(second).toEqual({ created: false, entry: first.entry });
    await audit.markSignalled('j-1', 'urn:nl:duo', 'duo-1', '2026-02-01T09:30:01.000Z');
    expect((await audit.forJourney('j-1'))[0]).toMatchObject({ id: 'duo-1', signalledAt: '2026-02-01T09:30:01.000Z', actor: { name: 'duo', role: 'partner' }, keyId: 'abcdef012345' });
    // Another journey (the API decides whether the caller may know of the first) has its own row.
    expect(await audit.otherJourneysWith('urn:nl:duo', 'duo-1', 'j-2')).toEqual(['j-1']);
    expect((await audit.record(entry('duo-1', 'j-2'))).created).toBe(true);
    expect(await audit.forJourney('j-2')).toHaveLength(1);
  });

  it('lives beside the store’s tables with a migration history of its own', async () => {
    await migrateToLatest(t.db());
    await migrateAuditStore(t.db());
    const audit = new AuditStore(t.db());
    await audit.record(entry('duo-2'));
    expect(await migrateToLatest(t.db())).toEqual([]);
  });

  it('lets exactly one of many concurrent receipts create the row', async () => {
    await migrateAuditStore(t.db());
    const stores = t.kind === 'postgres' ? [t.db(), t.openAnother(), t.openAnother()] : [t.db()];
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => new AuditStore(stores[i % stores.length]!).record(entry('race-1'))));
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });
}, { migrate: false });
