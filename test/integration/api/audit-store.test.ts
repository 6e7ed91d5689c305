/** The audit trail on both databases: idempotent by source + id, also when two instances race. */
import { sql } from 'kysely';
import { AuditStore, migrateAuditStore } from '../../../api/audit-store';
import { eventKey } from '../../../domain/events';
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
  it('records an event once; the second receipt sees the first', async () => {
    await migrateAuditStore(t.db());
    await migrateAuditStore(t.db()); // idempotent at start-up
    const audit = new AuditStore(t.db());
    const first = await audit.record(entry('duo-1'));
    expect(first.created).toBe(true);
    expect(first.entry.signalledAt).toBeUndefined();
    const second = await audit.record({ ...entry('duo-1', 'j-2'), receivedAt: new Date().toISOString() });
    expect(second).toEqual({ created: false, entry: first.entry });
    await audit.markSignalled('j-1', 'urn:nl:duo', 'duo-1', '2026-02-01T09:30:01.000Z');
    expect((await audit.forJourney('j-1'))[0]).toMatchObject({ id: 'duo-1', signalledAt: '2026-02-01T09:30:01.000Z', actor: { name: 'duo', role: 'partner' }, keyId: 'abcdef012345' });
    expect(await audit.forJourney('j-2')).toEqual([]);
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

describeEachDatabase('event audit trail: keys and claims', (t) => {
  it('keys rows by the domain eventKey, so pairs a joined key would confuse are two rows', async () => {
    await migrateAuditStore(t.db());
    const audit = new AuditStore(t.db());
    const a = await audit.record({ ...entry('b:c'), source: 'a' });
    const b = await audit.record({ ...entry('c'), source: 'a:b' });
    expect([a.created, b.created]).toEqual([true, true]);
    const { rows } = await sql<{ event_key: string }>`select event_key from api_event_audit where source in ('a', 'a:b')`.execute(t.db());
    expect(rows.map((k) => k.event_key).sort()).toEqual([eventKey({ source: 'a', id: 'b:c' }), eventKey({ source: 'a:b', id: 'c' })].sort());
  });

  it('lets exactly one of many concurrent receipts take over an unsignalled event, and none while a live claim holds it', async () => {
    await migrateAuditStore(t.db());
    const stores = t.kind === 'postgres' ? [t.db(), t.openAnother(), t.openAnother()] : [t.db()];
    const event = entry('claim-1');
    const at = (iso: string) => new Date(iso).toISOString();
    await new AuditStore(t.db()).record(event, at('2026-02-01T09:30:00Z'));
    // The first receipt's claim is live: no other may take it.
    const live = await Promise.all(stores.map((db) => new AuditStore(db).claim('j-1', event, at('2026-02-01T09:30:05Z'), at('2026-02-01T09:29:50Z'))));
    expect(live.filter(Boolean)).toHaveLength(0);
    // It lapsed (its holder died): exactly one of twelve concurrent receipts takes over.
    const stale = await Promise.all(Array.from({ length: 12 }, (_, i) => new AuditStore(stores[i % stores.length]!).claim('j-1', event, at('2026-02-01T09:31:00Z'), at('2026-02-01T09:30:45Z'))));
    expect(stale.filter(Boolean)).toHaveLength(1);
    // Released after a failed signal: the next receipt takes it at once; once signalled, nobody.
    const audit = new AuditStore(t.db());
    await audit.release('j-1', event);
    expect(await audit.claim('j-1', event, at('2026-02-01T09:31:01Z'), at('2026-02-01T09:30:46Z'))).toBe(true);
    await audit.markSignalled('j-1', event.source, event.id, at('2026-02-01T09:31:02Z'));
    expect(await audit.claim('j-1', event, at('2026-02-01T10:00:00Z'), at('2026-02-01T09:59:45Z'))).toBe(false);
    expect((await audit.get('j-1', event))?.signalledAt).toBe(at('2026-02-01T09:31:02Z'));
  });
}, { migrate: false });
