/**
 * The person index: which journey a person has in a municipality. It keeps the contract's rule "the
 * same personRef in the same municipality again is a 409" true where Temporal's workflow-id
 * uniqueness cannot: after a move (the journey id was derived from the first municipality) and after
 * the retention period has removed a closed run. Persons are stored as a keyed hash of the personRef
 * (Identity.personKey), never in clear.
 */
import type { Db, PersonIndexTable } from './db';
import { isErased } from './erasure-ref';

export type PersonClaim =
  /** The index now names `journeyId` for this person here (new, or claimed by an earlier try of the same create that did not start it). */
  | { claimed: true }
  /**
   * The person already has a journey here (started, or moved in; by reference or, `by: 'bsn'`, by BSN),
   * or this journey id belongs to the person elsewhere.
   */
  | { claimed: false; journeyId: string; by?: 'personRef' | 'bsn' };

/**
 * What the index keeps about a person besides the reference's key (issue 21, contract v1.2): keyed
 * hashes to find them by (BSN, reference case-insensitively, name words) and the reference and name
 * sealed for the pages. Never anything in clear; the row goes with the journey's erasure.
 */
export interface PersonDetails {
  bsnKey?: string;
  refKey?: string;
  refSealed?: string;
  nameSealed?: string;
  /** Keyed hashes of the name's words. */
  nameKeys?: string[];
}

/** A journey the index found, with what it keeps sealed about the person. */
export interface IndexedPerson {
  journeyId: string;
  municipality: string;
  refSealed?: string;
  nameSealed?: string;
  /** Whether a BSN was recorded (its key; the BSN itself is sealed in the journey). */
  hasBsn: boolean;
}

const toPerson = (row: Pick<PersonIndexTable, 'journey_id' | 'municipality' | 'ref_sealed' | 'name_sealed' | 'bsn_key'>): IndexedPerson => ({
  journeyId: row.journey_id,
  municipality: row.municipality,
  ...(row.ref_sealed ? { refSealed: row.ref_sealed } : {}),
  ...(row.name_sealed ? { nameSealed: row.name_sealed } : {}),
  hasBsn: row.bsn_key !== null,
});

/** At most this many journeys answer one search (a page; the caller narrows the query for more). */
export const SEARCH_LIMIT = 50;

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
  async claim(municipality: string, personKey: string, journeyId: string, details: PersonDetails = {}): Promise<PersonClaim> {
    const at = this.now().toISOString();
    // The same reference in another case or with spaces around it is the same person (trial finding 3):
    // uniqueness uses the normalisation search uses (`refKey`: trimmed, lower-cased), checked before the
    // claim is written. Entries registered before issue 21 have no `ref_key`; see docs/web-app.md.
    if (details.refKey) {
      const sameRef = await this.db
        .selectFrom('person_index')
        .select('journey_id')
        .where('municipality', '=', municipality)
        .where('ref_key', '=', details.refKey)
        .where('journey_id', '!=', journeyId)
        .where('person_key', '!=', personKey)
        .executeTakeFirst();
      if (sameRef) return { claimed: false, journeyId: sameRef.journey_id, by: 'personRef' };
    }
    // Contract v1.2: one journey per BSN per municipality, whatever its reference (the unique index decides races).
    const inserted = await this.db
      .insertInto('person_index')
      .values({ municipality, person_key: personKey, journey_id: journeyId, created_at: at, updated_at: at, ...detailColumns(details) })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    // A new entry, with these details, that no unique key refused: the claim is ours (issue 25: a start
    // read it back and wrote the same details again, two statements of its sixteen).
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return { claimed: true };
    const existing = await this.db
      .selectFrom('person_index')
      .select(['municipality', 'person_key', 'journey_id', 'started_at', 'bsn_key'])
      .where((eb) =>
        eb.or([
          eb.and([eb('municipality', '=', municipality), eb('person_key', '=', personKey)]),
          eb('journey_id', '=', journeyId),
          ...(details.bsnKey ? [eb.and([eb('municipality', '=', municipality), eb('bsn_key', '=', details.bsnKey)])] : []),
        ]),
      )
      .execute();
    const mine = existing.find((row) => row.municipality === municipality && row.person_key === personKey && row.journey_id === journeyId);
    if (mine) {
      if (mine.started_at !== null) return { claimed: false, journeyId, by: 'personRef' };
      // An earlier try of this create claimed the entry: it may have had no BSN, or another one.
      const bsnHolder = details.bsnKey ? existing.find((row) => row.bsn_key === details.bsnKey && row.municipality === municipality && row.journey_id !== journeyId) : undefined;
      if (bsnHolder) return { claimed: false, journeyId: bsnHolder.journey_id, by: 'bsn' };
      if (details.bsnKey !== undefined || details.refSealed !== undefined) {
        await this.db.updateTable('person_index').set({ ...detailColumns(details), updated_at: at }).where('journey_id', '=', journeyId).execute();
      }
      return { claimed: true };
    }
    // Another journey of this person here first (by reference, then by BSN); else this id is the person's journey that moved away.
    const byRef = existing.find((row) => row.municipality === municipality && row.person_key === personKey);
    if (byRef) return { claimed: false, journeyId: byRef.journey_id, by: 'personRef' };
    const byBsn = details.bsnKey ? existing.find((row) => row.municipality === municipality && row.bsn_key === details.bsnKey) : undefined;
    if (byBsn) return { claimed: false, journeyId: byBsn.journey_id, by: 'bsn' };
    const other = existing[0];
    if (!other) throw new Error('person index: claim neither inserted nor found');
    return { claimed: false, journeyId: other.journey_id };
  }

  /**
   * The journeys in `municipality` that a registration would collide with: the one of this reference
   * (its keyed hash) and the one of this BSN (its keyed hash). For the registration page's check before
   * it submits; the create itself decides (409).
   */
  async duplicates(municipality: string, keys: { personKey?: string; refKey?: string; bsnKey?: string }): Promise<Array<{ journeyId: string; matchedOn: Array<'personRef' | 'bsn'> }>> {
    if (!keys.personKey && !keys.bsnKey && !keys.refKey) return [];
    const rows = await this.db
      .selectFrom('person_index')
      .select(['journey_id', 'person_key', 'ref_key', 'bsn_key'])
      .where('municipality', '=', municipality)
      .where('started_at', 'is not', null)
      .where((eb) =>
        eb.or([
          ...(keys.personKey ? [eb('person_key', '=', keys.personKey)] : []),
          ...(keys.refKey ? [eb('ref_key', '=', keys.refKey)] : []),
          ...(keys.bsnKey ? [eb('bsn_key', '=', keys.bsnKey)] : []),
        ]),
      )
      .execute();
    const sameRef = (row: { person_key: string; ref_key: string | null }) => (keys.personKey !== undefined && row.person_key === keys.personKey) || (keys.refKey !== undefined && row.ref_key === keys.refKey);
    return rows.map((row) => ({
      journeyId: row.journey_id,
      matchedOn: [...(sameRef(row) ? ['personRef' as const] : []), ...(keys.bsnKey && row.bsn_key === keys.bsnKey ? ['bsn' as const] : [])],
    }));
  }

  /** The journey the person of this reference key has in `municipality` (also after a move there); undefined when none. */
  async find(municipality: string, personKey: string, refKey?: string): Promise<string | undefined> {
    // The exact reference first; else the same reference in another case (`refKey`, as search normalises it).
    const rows = await this.db
      .selectFrom('person_index')
      .select(['journey_id', 'person_key'])
      .where('municipality', '=', municipality)
      .where('started_at', 'is not', null)
      .where((eb) => eb.or([eb('person_key', '=', personKey), ...(refKey ? [eb('ref_key', '=', refKey)] : [])]))
      .execute();
    return (rows.find((row) => row.person_key === personKey) ?? rows[0])?.journey_id;
  }

  /** Whether the index has an entry for this journey at all (journeys started before it have none). */
  async indexed(journeyId: string): Promise<boolean> {
    return (await this.db.selectFrom('person_index').select('journey_id').where('journey_id', '=', journeyId).executeTakeFirst()) !== undefined;
  }

  /** What the index keeps about a journey's person; undefined when it is not indexed. */
  async person(journeyId: string): Promise<IndexedPerson | undefined> {
    const row = await this.db.selectFrom('person_index').select(['journey_id', 'municipality', 'ref_sealed', 'name_sealed', 'bsn_key']).where('journey_id', '=', journeyId).executeTakeFirst();
    return row ? toPerson(row) : undefined;
  }

  /** {@link person} for many journeys in one query per 500 (a list page's persons); a journey not indexed is left out. */
  async persons(journeyIds: readonly string[]): Promise<Map<string, IndexedPerson>> {
    const found = new Map<string, IndexedPerson>();
    const unique = [...new Set(journeyIds)];
    for (let i = 0; i < unique.length; i += 500) {
      const rows = await this.db.selectFrom('person_index').select(['journey_id', 'municipality', 'ref_sealed', 'name_sealed', 'bsn_key']).where('journey_id', 'in', unique.slice(i, i + 500)).execute();
      for (const row of rows) found.set(row.journey_id, toPerson(row));
    }
    return found;
  }

  /**
   * Journeys matching any of the keys, in the given municipalities (all when `municipalities` is
   * undefined): by reference key, by BSN key, or by name (every name key given must be among the
   * person's). At most {@link SEARCH_LIMIT}, ordered by journey id so pages are stable.
   */
  async search(keys: { refKey?: string; bsnKey?: string; nameKeys?: string[] }, municipalities: readonly string[] | undefined): Promise<Array<IndexedPerson & { matchedOn: Array<'personRef' | 'bsn' | 'name'> }>> {
    if (municipalities !== undefined && municipalities.length === 0) return [];
    const nameKeys = (keys.nameKeys ?? []).filter(Boolean);
    if (!keys.refKey && !keys.bsnKey && nameKeys.length === 0) return [];
    const rows = await this.db
      .selectFrom('person_index')
      .select(['journey_id', 'municipality', 'ref_sealed', 'name_sealed', 'bsn_key', 'ref_key', 'name_keys'])
      .where('started_at', 'is not', null)
      .$if(municipalities !== undefined, (qb) => qb.where('municipality', 'in', municipalities as string[]))
      .where((eb) =>
        eb.or([
          ...(keys.refKey ? [eb('ref_key', '=', keys.refKey)] : []),
          ...(keys.bsnKey ? [eb('bsn_key', '=', keys.bsnKey)] : []),
          // A first filter in SQL; the exact word match follows below (`_` in a key is a LIKE wildcard).
          ...(nameKeys.length > 0 ? [eb.and(nameKeys.map((k) => eb('name_keys', 'like', `%${k}%`)))] : []),
        ]),
      )
      .orderBy('journey_id')
      .limit(SEARCH_LIMIT * 2)
      .execute();
    const found = [];
    for (const row of rows) {
      const words = new Set((row.name_keys ?? '').split(' '));
      const matchedOn = [
        ...(keys.refKey && row.ref_key === keys.refKey ? ['personRef' as const] : []),
        ...(keys.bsnKey && row.bsn_key === keys.bsnKey ? ['bsn' as const] : []),
        ...(nameKeys.length > 0 && nameKeys.every((k) => words.has(k)) ? ['name' as const] : []),
      ];
      if (matchedOn.length > 0) found.push({ ...toPerson(row), matchedOn });
    }
    return found.slice(0, SEARCH_LIMIT);
  }

  /** Forgets the journey's person (its erasure): the reference and the BSN are free for a new journey. */
  async forget(journeyId: string): Promise<void> {
    await this.db.deleteFrom('person_index').where('journey_id', '=', journeyId).execute();
  }

  /**
   * Whether this journey id was erased before (journey_retention, store/retention.ts): a person
   * registered again after an erasure gets a new id, so nothing of the erased journey (its audit trail,
   * its retention record) is joined to the new one.
   */
  async wasErased(journeyId: string): Promise<boolean> {
    // An erased journey's record is kept under its erasure reference, never its id (store/erasure-ref.ts).
    return isErased(this.db, journeyId);
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
    const row = await this.db.selectFrom('person_index').select(['person_key', 'municipality', 'bsn_key', 'ref_key']).where('journey_id', '=', journeyId).executeTakeFirst();
    if (!row || row.municipality === municipality) return { moved: true };
    // The same person there already: by reference (in any case), or by BSN (contract v1.2).
    const taken = await this.db
      .selectFrom('person_index')
      .select('journey_id')
      .where('municipality', '=', municipality)
      .where((eb) => eb.or([eb('person_key', '=', row.person_key), ...(row.ref_key ? [eb('ref_key', '=', row.ref_key)] : []), ...(row.bsn_key ? [eb('bsn_key', '=', row.bsn_key)] : [])]))
      .executeTakeFirst();
    if (taken) return { moved: false, journeyId: taken.journey_id };
    try {
      await this.db.updateTable('person_index').set({ municipality, updated_at: this.now().toISOString() }).where('journey_id', '=', journeyId).execute();
    } catch (err) {
      // A concurrent claim took (municipality, person) between the read and the update: the key says no.
      const again = await this.db
        .selectFrom('person_index')
        .select('journey_id')
        .where('municipality', '=', municipality)
        .where((eb) => eb.or([eb('person_key', '=', row.person_key), ...(row.bsn_key ? [eb('bsn_key', '=', row.bsn_key)] : [])]))
        .executeTakeFirst();
      if (again && again.journey_id !== journeyId) return { moved: false, journeyId: again.journey_id };
      throw err;
    }
    return { moved: true };
  }

  /**
   * The person of a journey as the processing log records them (processing-log/index.ts): the BSN's
   * keyed hash from the index and the BSN sealed as the journey keeps it (the read model's
   * `bsn_ciphertext`). Empty when the journey has no BSN, is not indexed, or was erased.
   */
  async subjectOf(journeyId: string): Promise<{ bsnKey?: string; bsnSealed?: string }> {
    const row = await this.db
      .selectFrom('person_index')
      .leftJoin('journeys', 'journeys.journey_id', 'person_index.journey_id')
      .select(['person_index.bsn_key', 'journeys.bsn_ciphertext'])
      .where('person_index.journey_id', '=', journeyId)
      .executeTakeFirst();
    return { ...(row?.bsn_key ? { bsnKey: row.bsn_key } : {}), ...(row?.bsn_ciphertext ? { bsnSealed: row.bsn_ciphertext } : {}) };
  }

  /** {@link subjectOf} for many journeys in one query (a page of an export); a journey without a BSN or entry is left out. */
  async subjectsOf(journeyIds: readonly string[]): Promise<Map<string, { bsnKey?: string; bsnSealed?: string }>> {
    const found = new Map<string, { bsnKey?: string; bsnSealed?: string }>();
    const unique = [...new Set(journeyIds)];
    for (let i = 0; i < unique.length; i += 500) {
      const rows = await this.db
        .selectFrom('person_index')
        .leftJoin('journeys', 'journeys.journey_id', 'person_index.journey_id')
        .select(['person_index.journey_id', 'person_index.bsn_key', 'journeys.bsn_ciphertext'])
        .where('person_index.journey_id', 'in', unique.slice(i, i + 500))
        .execute();
      for (const row of rows) found.set(row.journey_id, { ...(row.bsn_key ? { bsnKey: row.bsn_key } : {}), ...(row.bsn_ciphertext ? { bsnSealed: row.bsn_ciphertext } : {}) });
    }
    return found;
  }

  /** The municipality the index has for a journey; undefined when it is not indexed. */
  async municipalityOf(journeyId: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('person_index').select('municipality').where('journey_id', '=', journeyId).executeTakeFirst();
    return row?.municipality;
  }
}

function detailColumns(details: PersonDetails): Partial<PersonIndexTable> {
  return {
    ...(details.bsnKey ? { bsn_key: details.bsnKey } : {}),
    ...(details.refKey ? { ref_key: details.refKey } : {}),
    ...(details.refSealed ? { ref_sealed: details.refSealed } : {}),
    ...(details.nameSealed ? { name_sealed: details.nameSealed } : {}),
    ...(details.nameKeys && details.nameKeys.length > 0 ? { name_keys: details.nameKeys.join(' ') } : {}),
  };
}
