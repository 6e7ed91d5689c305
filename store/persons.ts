/**
 * The person index: which journey a person has in a municipality. It keeps the contract's rule "the
 * same personRef in the same municipality again is a 409" true where Temporal's workflow-id
 * uniqueness cannot: after a move (the journey id was derived from the first municipality) and after
 * the retention period has removed a closed run. Persons are stored as a keyed hash of the personRef
 * (Identity.personKey), never in clear.
 */
import type { Db } from './db';

export type PersonClaim =
  /** The index now names `journeyId` for this person here (new, or claimed by an earlier try of the same create that did not start it). */
  | { claimed: true }
  /** The person already has a journey here (started, or moved in), or this journey id belongs to the person elsewhere. */
  | { claimed: false; journeyId: string };

export class PersonIndex {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Records that the person `personKey` has journey `journeyId` in `municipality`, before the journey
   * is started ({@link started} after). Idempotent for the same triple until then, so a create retried
   * after a failed start goes on; once started, the entry is a conflict even when Temporal has forgotten
   * the run. Concurrent claims are safe: the primary key (municipality, person_key) and the unique journey_id decide.
   */
  async claim(municipality: string, personKey: string, journeyId: string): Promise<PersonClaim> {
    const at = this.now().toISOString();
    await this.db
      .insertInto('person_index')
      .values({ municipality, person_key: personKey, journey_id: journeyId, created_at: at, updated_at: at })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const existing = await this.db
      .selectFrom('person_index')
      .select(['municipality', 'person_key', 'journey_id', 'started_at'])
      .where((eb) => eb.or([eb.and([eb('municipality', '=', municipality), eb('person_key', '=', personKey)]), eb('journey_id', '=', journeyId)]))
      .execute();
    const mine = existing.find((row) => row.municipality === municipality && row.person_key === personKey && row.journey_id === journeyId);
    if (mine) return mine.started_at === null ? { claimed: true } : { claimed: false, journeyId };
    // Another journey of this person here first; else this id is the person's journey that moved away.
    const other = existing.find((row) => row.municipality === municipality && row.person_key === personKey) ?? existing[0];
    if (!other) throw new Error('person index: claim neither inserted nor found');
    return { claimed: false, journeyId: other.journey_id };
  }

  /** Marks the claimed entry as a journey Temporal has (idempotent). */
  async started(journeyId: string): Promise<void> {
    const at = this.now().toISOString();
    await this.db.updateTable('person_index').set({ started_at: at, updated_at: at }).where('journey_id', '=', journeyId).where('started_at', 'is', null).execute();
  }

  /**
   * Moves the journey's entry to `municipality`. Returns `moved` (also when the journey was indexed
   * nowhere: journeys started before the index existed), or the journey the person already has there.
   */
  async move(journeyId: string, municipality: string): Promise<{ moved: true } | { moved: false; journeyId: string }> {
    const row = await this.db.selectFrom('person_index').select(['person_key', 'municipality']).where('journey_id', '=', journeyId).executeTakeFirst();
    if (!row || row.municipality === municipality) return { moved: true };
    const taken = await this.db
      .selectFrom('person_index')
      .select('journey_id')
      .where('municipality', '=', municipality)
      .where('person_key', '=', row.person_key)
      .executeTakeFirst();
    if (taken) return { moved: false, journeyId: taken.journey_id };
    try {
      await this.db.updateTable('person_index').set({ municipality, updated_at: this.now().toISOString() }).where('journey_id', '=', journeyId).execute();
    } catch (err) {
      // A concurrent claim took (municipality, person) between the read and the update: the key says no.
      const again = await this.db.selectFrom('person_index').select('journey_id').where('municipality', '=', municipality).where('person_key', '=', row.person_key).executeTakeFirst();
      if (again && again.journey_id !== journeyId) return { moved: false, journeyId: again.journey_id };
      throw err;
    }
    return { moved: true };
  }

  /** The municipality the index has for a journey; undefined when it is not indexed. */
  async municipalityOf(journeyId: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('person_index').select('municipality').where('journey_id', '=', journeyId).executeTakeFirst();
    return row?.municipality;
  }
}
