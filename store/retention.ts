/**
 * Retention and erasure of a journey's personal data (AVG art. 5 lid 1 onder e, art. 17). A journey
 * that ended is recorded with the date from which its personal data goes (the policy's retention,
 * domain/policy.ts `erasureDueOn`); erasing it removes the task forms' contents here and the journey's
 * runs in Temporal (the sealed BSN and the birth date live only in their start input). What stays is
 * pseudonymous: the journey id, the event audit trail (sources, ids, types, dates, key fingerprints),
 * task kinds and dates, and this table's row, which is the record of the erasure itself.
 */
import type { Db, JourneyRetentionTable } from './db';
import { TaskStore } from './tasks';
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

export class RetentionStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Records that a journey ended (idempotent: the first record stands). Returns the row as stored. */
  async recordEnded(entry: Pick<RetentionEntry, 'journeyId' | 'municipality' | 'endedOn' | 'endReason' | 'eraseAfter' | 'retentionBasis'>): Promise<RetentionEntry> {
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
      .onConflict((oc) => oc.column('journey_id').doNothing())
      .execute();
    return (await this.get(entry.journeyId))!;
  }

  async get(journeyId: string): Promise<RetentionEntry | undefined> {
    const row = await this.db.selectFrom('journey_retention').selectAll().where('journey_id', '=', journeyId).executeTakeFirst();
    return row ? toEntry(row) : undefined;
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
      // Open tasks end with the journey's data: a form completed later would hold new notes about the person.
      await new TaskStore(trx, { now: this.now }).cancelJourneyTasks(journeyId, 'the journey was erased');
      await trx.updateTable('tasks').set({ form: null }).where('journey_id', '=', journeyId).where('form', 'is not', null).execute();
      // The read model's row holds the BSN ciphertext and the journey's facts: it goes whole (store/journeys.ts).
      await new JourneyReadModel(trx).delete(journeyId);
      // The person index holds the sealed reference and name and the keyed BSN: they go, and the reference and BSN are free again (issue 21).
      await trx.deleteFrom('person_index').where('journey_id', '=', journeyId).execute();
      await trx
        .updateTable('journey_retention')
        .set({ erased_at: at, erasure_ground: ground, erased_by: erasedBy })
        .where('journey_id', '=', journeyId)
        .where('erased_at', 'is', null)
        .execute();
    });
    return (await this.get(journeyId))!;
  }
}
