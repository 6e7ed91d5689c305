/**
 * Staff ids as Temporal sees them. A journey's caseworker id becomes a search attribute (so admins can
 * list a caseworker's journeys), and a search attribute is stored in clear: the API hands the journey
 * a keyed pseudonym instead (Identity.staffPseudonym) and records here which staff id it stands for.
 * The task projection and the API's answers turn it back; the pseudonym of a value never recorded
 * (a journey assigned before pseudonyms) is the value itself.
 */
import type { Db } from './db';

export class StaffPseudonyms {
  constructor(private readonly db: Db) {}

  /** The same pseudonyms on another executor: a transaction its caller has opened (`inTransaction` in db.ts). */
  using(db: Db): StaffPseudonyms {
    return new StaffPseudonyms(db);
  }

  /** Records that `pseudonym` stands for `staffId` (idempotent). */
  async remember(pseudonym: string, staffId: string): Promise<void> {
    await this.db
      .insertInto('staff_pseudonyms')
      .values({ pseudonym, staff_id: staffId, created_at: new Date().toISOString() })
      .onConflict((oc) => oc.column('pseudonym').doNothing())
      .execute();
  }

  /** The staff id behind each value that is a recorded pseudonym; other values map to themselves. */
  async reveal(values: Iterable<string | undefined>): Promise<Map<string, string>> {
    const wanted = [...new Set([...values].filter((v): v is string => typeof v === 'string' && v.length > 0))];
    const found = new Map(wanted.map((v) => [v, v]));
    if (wanted.length === 0) return found;
    const rows = await this.db.selectFrom('staff_pseudonyms').select(['pseudonym', 'staff_id']).where('pseudonym', 'in', wanted).execute();
    for (const row of rows) found.set(row.pseudonym, row.staff_id);
    return found;
  }
}
