/**
 * Signals a store write owes a journey (a caseworker's completed task): written in the same
 * transaction as the write, so the store never holds a fact the journey will not learn. The API
 * signals at once and acknowledges (deletes) the row when Temporal has the signal; while Temporal is
 * slow or away, api/journey-signals.ts delivers the rows left here until it does. Delivery is
 * at-least-once; the journey drops a repeat (a task key it has completed changes nothing).
 *
 * Rows are deleted once delivered: nothing stays here that links to a person.
 */
import { randomUUID } from 'node:crypto';
import type { Db, JourneySignalsTable } from './db';

/** A signal waiting for its journey. */
export interface PendingSignal {
  id: string;
  dedupeKey: string;
  journeyId: string;
  signal: string;
  arg: unknown;
  attempts: number;
  nextAttemptAt: string;
  lastError?: string;
}

/** How long the writer's own delivery attempt has before the loop takes the row (longer than a Temporal call's deadline). */
export const FIRST_ATTEMPT_MS = 30_000;

/** Delay after the `attempts`-th failed delivery: 1 s doubling to at most 1 minute; never gives up. */
export function redeliveryDelayMs(attempts: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attempts - 1), 60_000);
}

export class JourneySignals {
  constructor(
    readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The same table on another executor: a transaction its caller has opened (`inTransaction` in db.ts). */
  using(db: Db): JourneySignals {
    return new JourneySignals(db, this.now);
  }

  /**
   * Queues a signal unless one with the same dedupe key is queued; returns the row's id either way.
   * The loop leaves it alone for {@link FIRST_ATTEMPT_MS}: the writer's own attempt comes first.
   */
  async enqueue(input: { dedupeKey: string; journeyId: string; signal: string; arg: unknown }): Promise<string> {
    const at = this.now().toISOString();
    const due = new Date(this.now().getTime() + FIRST_ATTEMPT_MS).toISOString();
    const inserted = await this.db
      .insertInto('journey_signals')
      .values({ id: randomUUID(), dedupe_key: input.dedupeKey, journey_id: input.journeyId, signal: input.signal, arg: JSON.stringify(input.arg), attempts: 0, next_attempt_at: due, last_error: null, created_at: at })
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) return inserted.id;
    return (await this.db.selectFrom('journey_signals').select('id').where('dedupe_key', '=', input.dedupeKey).executeTakeFirstOrThrow()).id;
  }

  async get(id: string): Promise<PendingSignal | undefined> {
    const row = await this.db.selectFrom('journey_signals').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toSignal(row);
  }

  /** Rows due for (another) delivery, oldest first. */
  async due(limit = 50): Promise<PendingSignal[]> {
    const rows = await this.db
      .selectFrom('journey_signals')
      .selectAll()
      .where('next_attempt_at', '<=', this.now().toISOString())
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toSignal);
  }

  /** How many signals wait for their journey (a metric). */
  async count(): Promise<number> {
    const row = await this.db.selectFrom('journey_signals').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Temporal has it (or the journey is gone): the row goes. */
  async acknowledge(id: string): Promise<void> {
    await this.db.deleteFrom('journey_signals').where('id', '=', id).execute();
  }

  /** Not delivered this time: the next attempt waits {@link redeliveryDelayMs}. */
  async retryLater(id: string, error: string): Promise<void> {
    const row = await this.db.selectFrom('journey_signals').select('attempts').where('id', '=', id).executeTakeFirst();
    if (!row) return;
    const attempts = Number(row.attempts) + 1;
    await this.db
      .updateTable('journey_signals')
      .set({ attempts, last_error: error.slice(0, 500), next_attempt_at: new Date(this.now().getTime() + redeliveryDelayMs(attempts)).toISOString() })
      .where('id', '=', id)
      .execute();
  }

  /** Everything queued for one journey (erasure). */
  async forgetJourney(journeyId: string): Promise<void> {
    await this.db.deleteFrom('journey_signals').where('journey_id', '=', journeyId).execute();
  }
}

function toSignal(r: JourneySignalsTable): PendingSignal {
  return {
    id: r.id,
    dedupeKey: r.dedupe_key,
    journeyId: r.journey_id,
    signal: r.signal,
    arg: JSON.parse(r.arg) as unknown,
    attempts: Number(r.attempts),
    nextAttemptAt: r.next_attempt_at,
    ...(r.last_error !== null ? { lastError: r.last_error } : {}),
  };
}
