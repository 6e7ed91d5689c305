/**
 * The event audit trail: every partner event the API accepted, with who sent it and with which key.
 * It is also what makes events idempotent by source + id across restarts: insert → signal → mark
 * signalled. A retry that finds the row signalled is a duplicate; a row that was never marked (the
 * process died between insert and signal) is signalled again, which is safe because the workflow
 * dedupes by source + id as well. Who may signal is decided by the database: the insert holds the
 * claim, and a receipt that finds the row unsignalled takes it over only when no live claim holds it
 * (`claim`, one conditional update, atomic on SQLite and PostgreSQL), so two simultaneous receipts
 * cannot both answer "new".
 *
 * Rows are keyed by `event_key`, the domain's `eventKey` (domain/events.ts): an encoding of source
 * + id that no other pair shares.
 *
 * The table belongs to the API, so it has its own migration history (its own Kysely migration table)
 * next to the store's, in the same database. Columns are `text` and `integer` only, so the same
 * migration runs on SQLite and PostgreSQL.
 */
import { Kysely, Migrator, sql, type Migration } from 'kysely';
import { eventKey } from '../domain/events';
import { decodeCursor, encodeCursor } from '../store/cursor';
import { migrateAcrossProcesses } from '../store/migrations';

// Migrations and the shared database handle are schema-agnostic (Kysely's own Migration type takes Kysely<any>).
/* eslint-disable @typescript-eslint/no-explicit-any */

export interface EventAuditTable {
  source: string;
  event_id: string;
  journey_id: string;
  type: string;
  occurred_on: string;
  actor_name: string;
  actor_role: string;
  /** Fingerprint of the API key (see auth.ts); never the key. */
  key_id: string;
  /** 1 for a correction (before contract v1.2: every event an admin sent). */
  correction: number;
  received_at: string;
  signalled_at: string | null;
  /** `eventKey(source, id)`; unique. */
  event_key: string;
  /** RFC 3339 instant the current signalling attempt began; null when none is under way. */
  claimed_at: string | null;
  /** A correction's reason (`koersreason`, contract v1.2); null otherwise. */
  reason: string | null;
  /** The reporter's note (`koersnote`: the letter's reference or a remark), sealed (Identity.sealDetail); null when none. */
  note_sealed: string | null;
}

interface AuditDatabase {
  api_event_audit: EventAuditTable;
}

export interface AuditEntry {
  source: string;
  id: string;
  journeyId: string;
  type: string;
  occurredOn: string;
  actor: { name: string; role: string };
  keyId: string;
  correction: boolean;
  /** A correction's reason (contract v1.2). */
  reason?: string;
  /** The reporter's note (`koersnote`), sealed as the person's details are: it may name the person. */
  noteSealed?: string;
  receivedAt: string;
  signalledAt?: string;
}

const migrations: Record<string, Migration> = {
  '0001_event_audit': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('api_event_audit')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('journey_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('occurred_on', 'text', (c) => c.notNull())
        .addColumn('actor_name', 'text', (c) => c.notNull())
        .addColumn('actor_role', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('correction', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('signalled_at', 'text')
        // CloudEvents 1.0: source + id identify an event; this constraint is the idempotency.
        .addPrimaryKeyConstraint('api_event_audit_pk', ['source', 'event_id'])
        .execute();
      await db.schema.createIndex('api_event_audit_journey_idx').on('api_event_audit').columns(['journey_id', 'received_at']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('api_event_audit').execute();
    },
  },
  // Idempotency per journey: a partner must not learn, from a refusal, that another municipality's
  // journey already has an event with this source + id. The table is rebuilt (SQLite cannot change a
  // primary key in place); every row keeps its values.
  '0002_event_audit_per_journey': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('api_event_audit_v2')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('journey_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('occurred_on', 'text', (c) => c.notNull())
        .addColumn('actor_name', 'text', (c) => c.notNull())
        .addColumn('actor_role', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('correction', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('signalled_at', 'text')
        .addPrimaryKeyConstraint('api_event_audit_v2_pk', ['journey_id', 'source', 'event_id'])
        .execute();
      await sql`insert into api_event_audit_v2 (source, event_id, journey_id, type, occurred_on, actor_name, actor_role, key_id, correction, received_at, signalled_at)
        select source, event_id, journey_id, type, occurred_on, actor_name, actor_role, key_id, correction, received_at, signalled_at from api_event_audit`.execute(db);
      await db.schema.dropTable('api_event_audit').execute();
      await db.schema.alterTable('api_event_audit_v2').renameTo('api_event_audit').execute();
      await db.schema.createIndex('api_event_audit_event_idx').on('api_event_audit').columns(['source', 'event_id']).execute();
      await db.schema.createIndex('api_event_audit_journey_received_idx').on('api_event_audit').columns(['journey_id', 'received_at']).execute();
    },
    async down() {
      throw new Error('0002_event_audit_per_journey cannot be undone: two journeys may now share a source + id');
    },
  },
  // Numbered 0003: it follows the per-journey rebuild of the table (0002) where both are present.
  '0003_event_key_and_claim': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('api_event_audit').addColumn('event_key', 'text').execute();
      await db.schema.alterTable('api_event_audit').addColumn('claimed_at', 'text').execute();
      const rows: Array<{ source: string; event_id: string }> = await db.selectFrom('api_event_audit').select(['source', 'event_id']).execute();
      for (const row of rows) {
        await db
          .updateTable('api_event_audit')
          .set({ event_key: eventKey({ source: row.source, id: row.event_id }) })
          .where('source', '=', row.source)
          .where('event_id', '=', row.event_id)
          .execute();
      }
      await db.schema.createIndex('api_event_audit_event_key_idx').on('api_event_audit').columns(['journey_id', 'event_key']).unique().execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('api_event_audit_event_key_idx').execute();
      await db.schema.alterTable('api_event_audit').dropColumn('claimed_at').execute();
      await db.schema.alterTable('api_event_audit').dropColumn('event_key').execute();
    },
  },
  // Contract v1.2: a correction is asked for explicitly, with a reason the timeline shows.
  '0009_i21a_correction_reason': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('api_event_audit').addColumn('reason', 'text').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('api_event_audit').dropColumn('reason').execute();
    },
  },
  // Issue 21 (trial finding 19): a milestone's note (`koersnote`: the letter's reference or a remark), sealed.
  '0010_i21d_event_note': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('api_event_audit').addColumn('note_sealed', 'text').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('api_event_audit').dropColumn('note_sealed').execute();
    },
  },
};

/** Applies the audit trail's migrations (beside other processes, as the store's); its own migration table keeps it apart from the store's history. */
export async function migrateAuditStore(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'koers_api_migration',
    migrationLockTableName: 'koers_api_migration_lock',
  });
  await migrateAcrossProcesses(async () => {
    const { error } = await migrator.migrateToLatest();
    if (error) throw new Error(`audit trail migration failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  });
}

/** Where a timeline entry sorts: received (RFC 3339 UTC), then source, then id. */
export interface TimelineKey {
  receivedAt: string;
  source: string;
  id: string;
}

const TIMELINE_CURSOR = 'koers-timeline-cursor';

/** The page token after `key` (`nextPageToken` of `GET /v1/journeys/{id}/events`). */
export const encodeTimelineCursor = (key: TimelineKey): string => encodeCursor(TIMELINE_CURSOR, [key.receivedAt, key.source, key.id]);

/** The key in a timeline page token, or null when it is not one {@link encodeTimelineCursor} made. */
export function decodeTimelineCursor(token: string): TimelineKey | null {
  const key = decodeCursor(TIMELINE_CURSOR, token, 3);
  return key ? { receivedAt: key[0]!, source: key[1]!, id: key[2]! } : null;
}

/** Timeline order ({@link TimelineKey}): negative when `a` comes first. */
export const compareTimeline = (a: TimelineKey, b: TimelineKey): number =>
  a.receivedAt !== b.receivedAt ? (a.receivedAt < b.receivedAt ? -1 : 1) : a.source !== b.source ? (a.source < b.source ? -1 : 1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

const toEntry = (r: EventAuditTable): AuditEntry => ({
  source: r.source,
  id: r.event_id,
  journeyId: r.journey_id,
  type: r.type,
  occurredOn: r.occurred_on,
  actor: { name: r.actor_name, role: r.actor_role },
  keyId: r.key_id,
  correction: r.correction === 1,
  ...(r.reason ? { reason: r.reason } : {}),
  ...(r.note_sealed ? { noteSealed: r.note_sealed } : {}),
  receivedAt: r.received_at,
  ...(r.signalled_at ? { signalledAt: r.signalled_at } : {}),
});

/**
 * Deletes a journey's event audit trail (an erasure, store/retention.ts): its types and dates are the
 * person's case. `trx` is the erasure's transaction.
 */
export async function forgetJourneyAudit(trx: Kysely<any>, journeyId: string): Promise<void> {
  await (trx as Kysely<AuditDatabase>).deleteFrom('api_event_audit').where('journey_id', '=', journeyId).execute();
}

export class AuditStore {
  private readonly db: Kysely<AuditDatabase>;

  constructor(db: Kysely<any>) {
    this.db = db as Kysely<AuditDatabase>;
  }

  /**
   * Records the event unless its source + id is known. Returns the row as stored, which is the first
   * receipt's when the event was seen before (`created` false). A created row is claimed by this
   * receipt at `claimedAt` (RFC 3339 UTC, the real time: claims lapse by the clock, not the API's
   * notion of today): signal it, then `markSignalled`, or `release` when signalling failed.
   */
  async record(entry: Omit<AuditEntry, 'signalledAt'>, claimedAt = new Date().toISOString()): Promise<{ entry: AuditEntry; created: boolean }> {
    const key = eventKey(entry);
    const inserted = await this.db
      .insertInto('api_event_audit')
      .values({
        source: entry.source,
        event_id: entry.id,
        event_key: key,
        journey_id: entry.journeyId,
        type: entry.type,
        occurred_on: entry.occurredOn,
        actor_name: entry.actor.name,
        actor_role: entry.actor.role,
        key_id: entry.keyId,
        correction: entry.correction ? 1 : 0,
        reason: entry.reason ?? null,
        note_sealed: entry.noteSealed ?? null,
        received_at: entry.receivedAt,
        signalled_at: null,
        claimed_at: claimedAt,
      })
      .onConflict((oc) => oc.doNothing())
      .returningAll()
      .executeTakeFirst();
    // A new event's row comes back from its insert; only a known one's is read (issue 25: a statement per event).
    if (inserted) return { entry: toEntry(inserted), created: true };
    const row = await this.db.selectFrom('api_event_audit').selectAll().where('journey_id', '=', entry.journeyId).where('event_key', '=', key).executeTakeFirstOrThrow();
    return { entry: toEntry(row), created: false };
  }

  /** The other journeys that already have an event with this source + id. */
  async otherJourneysWith(source: string, id: string, journeyId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('api_event_audit')
      .select('journey_id')
      .where('event_key', '=', eventKey({ source, id }))
      .where('journey_id', '!=', journeyId)
      .execute();
    return rows.map((r) => r.journey_id);
  }

  /** The journey's row of source + id, if recorded. */
  async get(journeyId: string, event: { source: string; id: string }): Promise<AuditEntry | undefined> {
    const row = await this.db.selectFrom('api_event_audit').selectAll().where('journey_id', '=', journeyId).where('event_key', '=', eventKey(event)).executeTakeFirst();
    return row ? toEntry(row) : undefined;
  }

  /**
   * Takes over the signalling of an unsignalled event whose claim is absent or older than
   * `staleBefore` (its holder died or gave up). True for exactly one of concurrent callers.
   * Instants are RFC 3339 UTC (`toISOString`), which order as strings.
   */
  async claim(journeyId: string, event: { source: string; id: string }, at: string, staleBefore: string): Promise<boolean> {
    const result = await this.db
      .updateTable('api_event_audit')
      .set({ claimed_at: at })
      .where('journey_id', '=', journeyId)
      .where('event_key', '=', eventKey(event))
      .where('signalled_at', 'is', null)
      .where((eb) => eb.or([eb('claimed_at', 'is', null), eb('claimed_at', '<', staleBefore)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Gives up a claim after a failed signal, so the next receipt signals at once. */
  async release(journeyId: string, event: { source: string; id: string }): Promise<void> {
    await this.db
      .updateTable('api_event_audit')
      .set({ claimed_at: null })
      .where('journey_id', '=', journeyId)
      .where('event_key', '=', eventKey(event))
      .where('signalled_at', 'is', null)
      .execute();
  }

  async markSignalled(journeyId: string, source: string, id: string, at: string): Promise<void> {
    await this.db
      .updateTable('api_event_audit')
      .set({ signalled_at: at, claimed_at: null })
      .where('journey_id', '=', journeyId)
      .where('event_key', '=', eventKey({ source, id }))
      .where('signalled_at', 'is', null)
      .execute();
  }

  /**
   * How many events the journey recorded with `receivedAt` in [from, until) (RFC 3339 UTC instants,
   * which order as strings): the journey's event budget (api/limits.ts). Read on the (journey, received) index.
   */
  async countReceived(journeyId: string, from: string, until: string): Promise<number> {
    const row = await this.db
      .selectFrom('api_event_audit')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .where('journey_id', '=', journeyId)
      .where('received_at', '>=', from)
      .where('received_at', '<', until)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /**
   * A page of the journey's audit trail in timeline order (received, source, id), after `after` (the
   * last entry of the previous page); at most `limit` entries. Keyset paging on the (journey, received) index.
   */
  async pageForJourney(journeyId: string, after: TimelineKey | undefined, limit: number): Promise<AuditEntry[]> {
    let query = this.db.selectFrom('api_event_audit').selectAll().where('journey_id', '=', journeyId);
    if (after) {
      const { receivedAt, source, id } = after;
      query = query.where((eb) =>
        eb.or([
          eb('received_at', '>', receivedAt),
          eb.and([eb('received_at', '=', receivedAt), eb('source', '>', source)]),
          eb.and([eb('received_at', '=', receivedAt), eb('source', '=', source), eb('event_id', '>', id)]),
        ]),
      );
    }
    const rows = await query.orderBy('received_at').orderBy('source').orderBy('event_id').limit(limit).execute();
    return rows.map(toEntry);
  }

  /** Which of `events` the journey's audit trail has, as their `eventKey`s. */
  async recordedKeys(journeyId: string, events: Array<{ source: string; id: string }>): Promise<Set<string>> {
    if (events.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('api_event_audit')
      .select('event_key')
      .where('journey_id', '=', journeyId)
      .where('event_key', 'in', events.map(eventKey))
      .execute();
    return new Set(rows.map((r) => r.event_key));
  }

  /** The journey's audit trail, oldest first. */
  async forJourney(journeyId: string): Promise<AuditEntry[]> {
    const rows = await this.db
      .selectFrom('api_event_audit')
      .selectAll()
      .where('journey_id', '=', journeyId)
      .orderBy('received_at')
      .orderBy('source')
      .orderBy('event_id')
      .execute();
    return rows.map(toEntry);
  }
}
