/**
 * The zaken Koers keeps (table `zaken`, migration 0010_i23z_zaken) and the outbox messages a journey
 * step queues for them, on the step's own transaction (activities/journey-sync.ts): the step and its
 * zaak messages commit together or not at all, and a retried step finds its messages queued and its
 * rows advanced, so it queues nothing twice.
 *
 * Each zaak is a sequence in the outbox (key: the zaak's id): the dispatcher delivers its messages one
 * after the other, each only once the one before was delivered (store/dispatcher.ts).
 *
 * Personal data: the rows hold the journey id, the municipality and the zaak's URL; the BSN travels
 * only sealed, in a `zaak-rol` message's payload. An erasure ({@link ZaakRegistration.erase}) drops
 * what was not delivered yet, queues the zaak's end and archive action, and unlinks the row from the
 * journey; the row goes when the archive action was delivered.
 */
import { randomUUID } from 'node:crypto';
import type { Db, ZakenTable } from '../../store/db';
import { Outbox } from '../../store/outbox';
import { amsterdamDateOf } from '../../domain/dates';
import { planStep, type JourneyStep, type ZaakMessage, type ZaakRecord } from './plan';

/** The channel the zaak messages go by (store/dispatcher.ts channels). */
export const ZAKEN_CHANNEL = 'zaken' as const;

export class ZaakRegistration {
  constructor(
    private readonly configured: (municipality: string) => boolean,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Queues what `step` changes for the journey's zaak, on `trx` (the step's transaction); returns the
   * number of messages queued. A municipality without a zaak registration queues nothing.
   */
  async recordStep(trx: Db, step: Omit<JourneyStep, 'at' | 'today'>): Promise<number> {
    const rows = await trx.selectFrom('zaken').selectAll().where('journey_id', '=', step.journeyId).orderBy('created_at', 'desc').orderBy('next_sequence', 'desc').execute();
    if (rows.length === 0 && !this.configured(step.municipality)) return 0;
    const at = this.now();
    // Only a run's first write carries the BSN ciphertext; a zaak made later (after a move) takes it from the row.
    const bsnSealed = step.bsnSealed ?? (await trx.selectFrom('journeys').select('bsn_ciphertext').where('journey_id', '=', step.journeyId).executeTakeFirst())?.bsn_ciphertext ?? undefined;
    const plan = planStep({ ...step, ...(bsnSealed ? { bsnSealed } : {}), at: at.toISOString(), today: amsterdamDateOf(at.getTime()) }, rows[0] && toRecord(rows[0]), this.configured, randomUUID, rows.length);
    const stamp = at.toISOString();
    for (const record of plan.records) {
      const row = toRow(record, stamp);
      await trx
        .insertInto('zaken')
        .values(row)
        .onConflict((oc) => oc.column('id').doUpdateSet({ phase: row.phase, final_date: row.final_date, rol: row.rol, state: row.state, next_sequence: row.next_sequence, updated_at: stamp }))
        .execute();
    }
    await enqueue(trx, plan.messages.map(({ message, sequence, idempotencyKey }) => ({ message, sequence, idempotencyKey })), at);
    return plan.messages.length;
  }

  /**
   * A journey whose run stopped without finishing (failed, terminated, timed out, cancelled: the monitor's
   * status, worker/monitor.ts), on `trx`: its open zaak ends `closed` (chain/zaken/plan.ts), with the
   * municipality and phase of its read-model row. Idempotent: a zaak that ended already queues nothing.
   * A journey without a row (started before the read model) or without a zaak queues nothing. Returns
   * the number of messages queued.
   */
  async recordStop(trx: Db, journeyId: string, runStatus: string): Promise<number> {
    const row = await trx.selectFrom('journeys').select(['municipality', 'phase']).where('journey_id', '=', journeyId).executeTakeFirst();
    if (!row) return 0;
    const zaken = await trx.selectFrom('zaken').select('id').where('journey_id', '=', journeyId).executeTakeFirst();
    // A journey that stopped before it had a zaak gets none now (as a finished one does not).
    if (!zaken) return 0;
    return this.recordStep(trx, { journeyId, municipality: row.municipality, phase: row.phase, runStatus });
  }

  /**
   * The erasure of a journey (store/retention.ts ErasureStep, in the erasure's transaction): messages
   * not delivered yet are dropped (a BSN must not leave after the erasure); a zaak the registration has
   * is ended (`closed`, when still open) and given its archive action dated today; the row no longer
   * names the journey. A zaak never created is forgotten at once.
   */
  readonly erase = async (trx: Db, journeyId: string): Promise<void> => {
    const rows = await trx.selectFrom('zaken').selectAll().where('journey_id', '=', journeyId).execute();
    const at = this.now();
    for (const row of rows) {
      await trx.deleteFrom('outbox').where('sequence_key', '=', row.id).where('status', '!=', 'delivered').execute();
      if (row.zaak_url === null) {
        await trx.deleteFrom('zaken').where('id', '=', row.id).execute();
        continue;
      }
      let next = Number(row.next_sequence);
      const messages: { message: ZaakMessage; sequence: number; idempotencyKey: string }[] = [];
      const queue = (message: ZaakMessage) => {
        messages.push({ message, sequence: next, idempotencyKey: `zaak:${row.id}:${next}` });
        next += 1;
      };
      if (row.state === 'open') queue({ kind: 'zaak-end', zaakId: row.id, municipality: row.municipality, end: 'closed', datumStatusGezet: at.toISOString() });
      if (row.state !== 'archived') queue({ kind: 'zaak-archive', zaakId: row.id, municipality: row.municipality, archiefactiedatum: amsterdamDateOf(at.getTime()) });
      await trx.updateTable('zaken').set({ journey_id: null, identificatie: null, state: 'archived', next_sequence: next, updated_at: at.toISOString() }).where('id', '=', row.id).execute();
      await enqueue(trx, messages, at);
    }
  };
}

/** The zaak the channel works on: its municipality and, once created, its URL and uuid. */
export interface KeptZaak {
  id: string;
  /** Absent once the journey was erased. */
  journeyId?: string;
  municipality: string;
  zaakUrl?: string;
  zaakUuid?: string;
}

/** What the channel reads and writes of the `zaken` table. */
export class KeptZaken {
  constructor(private readonly db: Db) {}

  async get(id: string): Promise<KeptZaak | undefined> {
    const row = await this.db.selectFrom('zaken').select(['id', 'journey_id', 'municipality', 'zaak_url', 'zaak_uuid']).where('id', '=', id).executeTakeFirst();
    return row && { id: row.id, ...(row.journey_id ? { journeyId: row.journey_id } : {}), municipality: row.municipality, ...(row.zaak_url ? { zaakUrl: row.zaak_url } : {}), ...(row.zaak_uuid ? { zaakUuid: row.zaak_uuid } : {}) };
  }

  /** Records the zaak's URL and uuid as the Zaken API gave them. */
  async created(id: string, zaakUrl: string, zaakUuid: string): Promise<void> {
    await this.db.updateTable('zaken').set({ zaak_url: zaakUrl, zaak_uuid: zaakUuid, updated_at: new Date().toISOString() }).where('id', '=', id).execute();
  }

  /** Forgets an erased journey's zaak once its archive action was delivered. */
  async forget(id: string): Promise<void> {
    await this.db.deleteFrom('zaken').where('id', '=', id).where('state', '=', 'archived').execute();
  }

  /** The zaak rows of a journey, oldest first (tests, the administrator). */
  async ofJourney(journeyId: string): Promise<KeptZaak[]> {
    const rows = await this.db.selectFrom('zaken').select(['id']).where('journey_id', '=', journeyId).orderBy('created_at').execute();
    return (await Promise.all(rows.map((r) => this.get(r.id)))).filter((z): z is KeptZaak => z !== undefined);
  }
}

async function enqueue(trx: Db, messages: { message: ZaakMessage; sequence: number; idempotencyKey: string }[], at: Date): Promise<void> {
  const outbox = new Outbox(trx, { now: () => at });
  for (const { message, sequence, idempotencyKey } of messages) {
    await outbox.enqueue({
      idempotencyKey,
      kind: message.kind,
      channel: ZAKEN_CHANNEL,
      recipient: message.municipality,
      subject: message.kind,
      body: '',
      payload: message,
      sequence: { key: message.zaakId, n: sequence },
    });
  }
}

function toRecord(row: ZakenTable): ZaakRecord {
  return {
    id: row.id,
    journeyId: row.journey_id ?? '',
    municipality: row.municipality,
    identificatie: row.identificatie ?? '',
    ...(row.phase !== null ? { phase: row.phase } : {}),
    ...(row.final_date !== null ? { finalDate: row.final_date } : {}),
    rol: Number(row.rol) === 1,
    state: row.state as ZaakRecord['state'],
    nextSequence: Number(row.next_sequence),
  };
}

function toRow(record: ZaakRecord, at: string): ZakenTable {
  return {
    id: record.id,
    journey_id: record.journeyId,
    municipality: record.municipality,
    identificatie: record.identificatie,
    zaak_url: null,
    zaak_uuid: null,
    phase: record.phase ?? null,
    final_date: record.finalDate ?? null,
    rol: record.rol ? 1 : 0,
    state: record.state,
    next_sequence: record.nextSequence,
    created_at: at,
    updated_at: at,
  };
}
