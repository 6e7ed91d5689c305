/**
 * Retention and erasure of a journey's personal data (AVG art. 5 lid 1 onder e, art. 17). A journey
 * that ended is recorded with the date from which its personal data goes (the policy's retention,
 * domain/policy.ts `erasureDueOn`); erasing it removes the task forms' contents here and the journey's
 * runs in Temporal. After an erasure no row links to the person (issue 24, fault 3); per table:
 *
 * - `tasks`, `task_events`: the journey's tasks and their history are deleted (kinds, dates, who held
 *   them, the forms' notes: together a record of the person's case).
 * - `api_event_audit` (the event audit trail): deleted; its types and dates (an exemption, bijstand)
 *   are the person's case. The erasure record below counts what was received.
 * - `outbox`: every message naming the journey is deleted (delivered or not: a reminder for an erased
 *   journey must not go out, and a delivered one is the receiver's record, not ours).
 * - `journey_signals`: signals still owed to the journey are deleted.
 * - `journeys`, `journey_deadlines`, `journey_clocks` (read model), `person_index`: deleted.
 * - `journey_retention` (this table): the record of the erasure itself, which AVG art. 5 lid 2 and
 *   art. 12 lid 3 require (the controller shows that and when it erased, on which ground, by which key):
 *   municipality, dates, ground and key fingerprint, keyed by the erasure reference (./erasure-ref.ts) instead of the
 *   journey id, so nothing in the store holds the id (which the secret and the personRef recompute).
 *   Only whoever holds both finds the record again, which is what answering the person needs.
 * - `calendar_tokens`, `staff_pseudonyms`, `policy_versions`, web sessions: hold nothing of the person.
 *
 * On SQLite deleted content is overwritten (`secure_delete`, store/db.ts) and the write-ahead log is
 * truncated after an erasure, so the file itself no longer holds it either.
 */
import { sql } from 'kysely';
import { erasureRef } from './erasure-ref';
import { databaseKind, type Db, type JourneyRetentionTable } from './db';
import { JourneyReadModel } from './journeys';

export interface RetentionEntry {
  journeyId: string;
  municipality: string;
  endedOn: string;
  endReason: string;
  eraseAfter: string;
  retentionBasis: string;
  erasedAt?: string;
  erasureGround?: string;
  erasedBy?: string;
}

const toEntry = (r: JourneyRetentionTable): RetentionEntry => ({
  journeyId: r.journey_id,
  municipality: r.municipality,
  endedOn: r.ended_on,
  endReason: r.end_reason,
  eraseAfter: r.erase_after,
  retentionBasis: r.retention_basis,
  ...(r.erased_at ? { erasedAt: r.erased_at } : {}),
  ...(r.erasure_ground ? { erasureGround: r.erasure_ground } : {}),
  ...(r.erased_by ? { erasedBy: r.erased_by } : {}),
});

/** What else an erasure deletes in the same transaction: a record kept outside the store's tables (the API's event audit trail). */
export type ErasureStep = (trx: Db, journeyId: string) => Promise<void>;

export class RetentionStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
    /** The event audit trail's `forgetJourney` (api/audit-store.ts) wherever that trail is migrated on `db`. */
    private readonly alsoErase: readonly ErasureStep[] = [],
  ) {}

  /**
   * Records that a journey ended. A journey that reopened (contract v1.2) and ended again is recorded
   * anew from its last end, since its retention runs from the end of the file, not from an end that a
   * later milestone undid; an end on the same day or earlier (a retry, an older run listed after the
   * newer one) changes nothing. An erased journey's record is kept under its erasure reference and is
   * never touched. Returns the row as stored.
   */
  async recordEnded(entry: Pick<RetentionEntry, 'journeyId' | 'municipality' | 'endedOn' | 'endReason' | 'eraseAfter' | 'retentionBasis'>): Promise<RetentionEntry> {
    const erased = await this.db.selectFrom('journey_retention').select('journey_id').where('journey_id', '=', erasureRef(entry.journeyId)).executeTakeFirst();
    if (erased) return (await this.get(entry.journeyId))!;
    await this.db
      .insertInto('journey_retention')
      .values({
        journey_id: entry.journeyId,
        municipality: entry.municipality,
        ended_on: entry.endedOn,
        end_reason: entry.endReason,
        erase_after: entry.eraseAfter,
        retention_basis: entry.retentionBasis,
        erased_at: null,
        erasure_ground: null,
        erased_by: null,
        created_at: this.now().toISOString(),
      })
      .onConflict((oc) =>
        oc
          .column('journey_id')
          .doUpdateSet((eb) => ({
            ended_on: eb.ref('excluded.ended_on'),
            end_reason: eb.ref('excluded.end_reason'),
            erase_after: eb.ref('excluded.erase_after'),
            retention_basis: eb.ref('excluded.retention_basis'),
          }))
          .where('journey_retention.ended_on', '<', (eb) => eb.ref('excluded.ended_on'))
          .where('journey_retention.erased_at', 'is', null),
      )
      .execute();
    return (await this.get(entry.journeyId))!;
  }

  /** The record of a journey, also once erased (then kept under its erasure reference); `journeyId` is the one asked for. */
  async get(journeyId: string): Promise<RetentionEntry | undefined> {
    const row =
      (await this.db.selectFrom('journey_retention').selectAll().where('journey_id', '=', journeyId).executeTakeFirst()) ??
      (await this.db.selectFrom('journey_retention').selectAll().where('journey_id', '=', erasureRef(journeyId)).executeTakeFirst());
    return row ? { ...toEntry(row), journeyId } : undefined;
  }

  /** Journeys whose retention has passed on `today` (`YYYY-MM-DD`) and are not erased yet, oldest first. */
  async dueForErasure(today: string, limit = 500): Promise<RetentionEntry[]> {
    const rows = await this.db
      .selectFrom('journey_retention')
      .selectAll()
      .where('erased_at', 'is', null)
      .where('erase_after', '<=', today)
      .orderBy('erase_after')
      .limit(limit)
      .execute();
    return rows.map(toEntry);
  }

  /**
   * Erases what the store holds of the journey's personal data (the completed tasks' forms: their notes
   * are free text about the person; the read model's row with the BSN ciphertext) and records the erasure. Idempotent: erasing twice keeps the first record.
   */
  async markErased(journeyId: string, ground: string, erasedBy: string): Promise<RetentionEntry> {
    const at = this.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      // The tasks, their history and forms go whole (see the table list at the top of this file).
      const tasks = trx.selectFrom('tasks').select('id').where('journey_id', '=', journeyId);
      await trx.deleteFrom('task_events').where('task_id', 'in', tasks).execute();
      await trx.deleteFrom('tasks').where('journey_id', '=', journeyId).execute();
      for (const step of this.alsoErase) await step(trx, journeyId);
      const mentions = `%${journeyId.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
      await trx
        .deleteFrom('outbox')
        .where((eb) => eb.or([sql<boolean>`payload like ${mentions} escape '\\'`, sql<boolean>`body like ${mentions} escape '\\'`, sql<boolean>`subject like ${mentions} escape '\\'`]))
        .execute();
      await trx.deleteFrom('journey_signals').where('journey_id', '=', journeyId).execute();
      // The read model's row holds the BSN ciphertext and the journey's facts: it goes whole (store/journeys.ts).
      await new JourneyReadModel(trx).delete(journeyId);
      // The person index holds the sealed reference and name and the keyed BSN: they go, and the reference and BSN are free again (issue 21).
      await trx.deleteFrom('person_index').where('journey_id', '=', journeyId).execute();
      await trx
        .updateTable('journey_retention')
        .set({ journey_id: erasureRef(journeyId), erased_at: at, erasure_ground: ground, erased_by: erasedBy })
        .where('journey_id', '=', journeyId)
        .where('erased_at', 'is', null)
        .execute();
    });
    // The write-ahead log still holds the deleted pages' old content until it is checkpointed and truncated.
    if (databaseKind(this.db) === 'sqlite') await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(this.db);
    return (await this.get(journeyId))!;
  }
}
