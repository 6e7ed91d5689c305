/**
 * The zaken in the store (chain/zaken/registration.ts) and their order in the outbox: a step queues
 * each change once, a zaak's messages go one after the other (a dead one holds the rest), an erasure
 * drops what did not leave and queues the end and the archive action without naming the journey.
 */
import { KeptZaken, ZaakRegistration, ZAKEN_CHANNEL, type ZaakMessage } from '../../../chain/zaken';
import { Dispatcher, type Channel } from '../../../store/dispatcher';
import { Outbox, type OutboxMessage } from '../../../store/outbox';
import { inTransaction } from '../../../store/db';
import { describeEachDatabase } from '../store/databases';

const configured = (m: string) => m === 'borger-odoorn' || m === 'midden-drenthe';
const step = (over: Record<string, unknown> = {}) => ({ journeyId: 'j-zaak-1', municipality: 'borger-odoorn', phase: 'arrival', runStatus: 'running', inburgeringFinalDate: '2028-03-14', ...over });

describeEachDatabase('the zaken of journeys in the store', (t) => {
  let clock = Date.parse('2026-01-05T09:00:00Z');
  const now = () => new Date(clock);

  it('queues each change once, in order per zaak, and a retried step queues nothing again', async () => {
    const registration = new ZaakRegistration(configured, now);
    const db = t.db();
    expect(await inTransaction(db, (trx) => registration.recordStep(trx, step({ bsnSealed: 'v1.sealed-bsn' })))).toBe(3);
    expect(await inTransaction(db, (trx) => registration.recordStep(trx, step({ bsnSealed: 'v1.sealed-bsn' })))).toBe(0);
    clock += 60_000;
    expect(await inTransaction(db, (trx) => registration.recordStep(trx, step({ phase: 'intake' })))).toBe(1);
    const rows = await db.selectFrom('outbox').select(['kind', 'channel', 'sequence', 'sequence_key', 'payload']).orderBy('sequence').execute();
    expect(rows.map((r) => [r.kind, Number(r.sequence)])).toEqual([
      ['zaak-create', 1],
      ['zaak-rol', 2],
      ['zaak-status', 3],
      ['zaak-status', 4],
    ]);
    expect(new Set(rows.map((r) => r.channel))).toEqual(new Set([ZAKEN_CHANNEL]));
    // The BSN only sealed; the zaak's messages keyed by Koers's zaak id.
    // (No digit pattern: a zaak id is a UUID, whose hex may hold nine digits in a row.)
    const payloads = rows.map((r) => JSON.parse(r.payload) as Record<string, unknown>);
    expect(payloads.flatMap((p) => Object.keys(p))).not.toContain('bsn');
    expect(payloads.filter((p) => 'bsnSealed' in p).map((p) => p.bsnSealed)).toEqual(['v1.sealed-bsn']);
    const [zaak] = await new KeptZaken(db).ofJourney('j-zaak-1');
    expect(new Set(rows.map((r) => r.sequence_key))).toEqual(new Set([zaak!.id]));
  });

  it('delivers a zaak’s messages one after the other; a dead one holds the later ones until it is retried', async () => {
    const db = t.db();
    const registration = new ZaakRegistration(configured, now);
    await inTransaction(db, (trx) => registration.recordStep(trx, step({ journeyId: 'j-a' })));
    await inTransaction(db, (trx) => registration.recordStep(trx, step({ journeyId: 'j-b' })));
    clock += 60_000;
    await inTransaction(db, (trx) => registration.recordStep(trx, step({ journeyId: 'j-a', phase: 'intake' })));
    const sent: ZaakMessage[] = [];
    let down = true;
    const zaken: Channel = {
      async send(message: OutboxMessage) {
        const payload = message.payload as ZaakMessage;
        if (down && payload.kind === 'zaak-create' && (await new KeptZaken(db).ofJourney('j-a')).some((z) => z.id === payload.zaakId)) throw new Error('Zaken API unreachable');
        sent.push(payload);
      },
    };
    const outbox = new Outbox(db, { now });
    const dispatcher = new Dispatcher(outbox, { channels: { zaken }, now, maxAttempts: 1, baseDelayMs: 0 });
    for (let round = 0; round < 4; round++) await dispatcher.runOnce();
    // j-b went through; j-a's create is dead and its statuses wait behind it.
    const [a] = await new KeptZaken(db).ofJourney('j-a');
    expect(sent.filter((m) => m.zaakId === a!.id)).toEqual([]);
    expect(sent.map((m) => m.kind)).toEqual(['zaak-create', 'zaak-status']);
    const dead = await outbox.listDead();
    expect(dead.map((m) => m.kind)).toEqual(['zaak-create']);
    expect(await outbox.countDead()).toEqual([{ channel: 'zaken', kind: 'zaak-create', count: 1 }]);
    down = false;
    await dispatcher.retryDead(dead[0]!.id);
    for (let round = 0; round < 4; round++) await dispatcher.runOnce();
    expect(sent.filter((m) => m.zaakId === a!.id).map((m) => m.kind === 'zaak-status' ? m.phase : m.kind)).toEqual(['zaak-create', 'arrival', 'intake']);
  });

  it('on an erasure drops what did not leave, ends and archives a created zaak, and no longer names the journey', async () => {
    const db = t.db();
    const registration = new ZaakRegistration(configured, now);
    await inTransaction(db, (trx) => registration.recordStep(trx, step({ journeyId: 'j-gone', bsnSealed: 'v1.sealed-bsn' })));
    const kept = new KeptZaken(db);
    const [zaak] = await kept.ofJourney('j-gone');
    // The create went out and was answered; the rol and status did not leave yet.
    await db.updateTable('outbox').set({ status: 'delivered' }).where('sequence_key', '=', zaak!.id).where('sequence', '=', 1).execute();
    await kept.created(zaak!.id, 'https://zaken.test.example/api/v1/zaken/7c1f', '7c1f');
    await inTransaction(db, (trx) => registration.erase(trx, 'j-gone'));
    const rows = await db.selectFrom('outbox').select(['kind', 'status', 'payload']).where('sequence_key', '=', zaak!.id).orderBy('sequence').execute();
    expect(rows.map((r) => [r.kind, r.status])).toEqual([
      ['zaak-create', 'delivered'],
      ['zaak-end', 'pending'],
      ['zaak-archive', 'pending'],
    ]);
    expect(JSON.parse(rows[1]!.payload)).toMatchObject({ end: 'closed' });
    expect(rows.slice(1).map((r) => r.payload).join()).not.toContain('j-gone');
    expect(await kept.ofJourney('j-gone')).toEqual([]);
    expect(await db.selectFrom('zaken').select('journey_id').where('id', '=', zaak!.id).executeTakeFirst()).toEqual({ journey_id: null });
    // A zaak never created goes with its messages.
    await inTransaction(db, (trx) => registration.recordStep(trx, step({ journeyId: 'j-gone-2' })));
    await inTransaction(db, (trx) => registration.erase(trx, 'j-gone-2'));
    expect(await db.selectFrom('zaken').selectAll().where('journey_id', '=', 'j-gone-2').execute()).toEqual([]);
    expect((await db.selectFrom('outbox').select('id').where('kind', '=', 'zaak-create').execute()).length).toBe(1);
  });
});
