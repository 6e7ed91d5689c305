/**
 * Delivers the outbox. Each round claims a batch of due messages under a lease, sends them, and marks
 * each delivered, or schedules a retry with exponential backoff, or moves it to `dead` after the last
 * attempt, keeping the error for the administrator (listDead, retryDead).
 *
 * Several dispatchers may run at once:
 * - PostgreSQL: the claim selects with `FOR UPDATE SKIP LOCKED`, so instances take disjoint batches
 *   without waiting on each other.
 * - SQLite: the claim is one `UPDATE … RETURNING` statement, which SQLite runs under its single
 *   database write lock, so two claims cannot interleave (and in one process Kysely's SQLite driver
 *   serialises all queries on its one connection anyway).
 *
 * Guarantee: at-least-once with a dedupe key. A message is marked only after it was sent, and only by
 * the dispatcher whose lease token is still on the row. If a dispatcher dies between send and mark,
 * its lease runs out and another dispatcher sends the message again: with the same idempotency key
 * (the `Idempotency-Key` header; the e-mail Message-ID), so receivers can drop the duplicate. Sending
 * fewer than once is not possible short of the row being deleted; sending twice needs a crash (or a
 * send slower than the lease) in that window.
 *
 * Why not one Temporal activity per notification (retries, visibility, no second scheduler)? Considered
 * and kept this way on purpose (issue 9):
 * - The outbox is written by the journey's `sendNotifications` activity, and by the journey monitor
 *   and daily digests, in the same store transaction as the rest of their work; an activity per message
 *   would make every reminder a workflow command, adding history events to journeys that run for years
 *   (issue 12 counts history events per milestone) for a delivery the journey has no decision to make on.
 * - A dead letter must stay until an administrator retries it (GET /v1/dead-letters, POST …/retry),
 *   days later: a failed activity's retry state lives in the journey's history and cannot be queued
 *   again from outside without a signal and more workflow code.
 * - Receivers de-duplicate on the idempotency key either way, so Temporal's exactly-once scheduling
 *   would buy no stronger guarantee than this at-least-once-with-key.
 * What needs SQL stays here: the dedupe on the key, the lease, the dead-letter list an admin queries.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { databaseKind, type DatabaseKind, type KoersDatabase } from './db';
import { toMessage, type ChannelName, type Outbox, type OutboxMessage } from './outbox';

/** A delivery channel. Throwing means "not delivered"; the dispatcher retries later. */
export interface Channel {
  send(message: OutboxMessage): Promise<void>;
}

export interface RetryPolicy {
  /** Delay before the second attempt (default 30 s). */
  baseDelayMs: number;
  /** Each further delay is multiplied by this (default 2). */
  factor: number;
  /** Upper bound for one delay (default 6 h). */
  maxDelayMs: number;
  /** After this many failed attempts the message is dead (default 8). */
  maxAttempts: number;
}

export interface DispatcherOptions extends Partial<RetryPolicy> {
  channels: Partial<Record<ChannelName, Channel>>;
  now?: () => Date;
  /** Messages claimed per round (default 20). */
  batchSize?: number;
  /** How long a claim holds before another dispatcher may take the message over (default 5 min). Longer than a send's timeout. */
  leaseMs?: number;
  /** Called with errors of the loop itself (not delivery failures, which are recorded on the message). */
  onError?: (error: unknown) => void;
}

export interface RoundResult {
  claimed: number;
  delivered: number;
  retried: number;
  dead: number;
}

export const defaultRetryPolicy: RetryPolicy = { baseDelayMs: 30_000, factor: 2, maxDelayMs: 6 * 3600_000, maxAttempts: 8 };

/** Delay after the `attempt`-th failed attempt (1-based): base · factor^(attempt-1), capped. */
export function backoffDelayMs(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.baseDelayMs * policy.factor ** Math.max(0, attempt - 1), policy.maxDelayMs);
}

export class Dispatcher {
  readonly policy: RetryPolicy;
  private readonly kind: DatabaseKind;
  private readonly now: () => Date;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  constructor(
    private readonly outbox: Outbox,
    private readonly options: DispatcherOptions,
  ) {
    this.policy = {
      baseDelayMs: options.baseDelayMs ?? defaultRetryPolicy.baseDelayMs,
      factor: options.factor ?? defaultRetryPolicy.factor,
      maxDelayMs: options.maxDelayMs ?? defaultRetryPolicy.maxDelayMs,
      maxAttempts: options.maxAttempts ?? defaultRetryPolicy.maxAttempts,
    };
    if (this.policy.maxAttempts < 1 || this.policy.factor < 1 || this.policy.baseDelayMs < 0) {
      throw new Error('invalid retry policy');
    }
    this.kind = databaseKind(outbox.db);
    this.now = options.now ?? (() => new Date());
    this.batchSize = options.batchSize ?? 20;
    this.leaseMs = options.leaseMs ?? 5 * 60_000;
  }

  /** One round: claim due messages, send them, record the outcome. */
  async runOnce(): Promise<RoundResult> {
    const claimed = await this.claim();
    const result: RoundResult = { claimed: claimed.length, delivered: 0, retried: 0, dead: 0 };
    await Promise.all(
      claimed.map(async ({ message, token }) => {
        const outcome = await this.deliver(message, token);
        result[outcome] += 1;
      }),
    );
    return result;
  }

  /** Runs rounds until {@link stop}; a full batch is followed at once by the next round. */
  start(intervalMs = 5_000): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = async () => {
      let busy = false;
      try {
        const round = this.runOnce();
        this.running = round;
        busy = (await round).claimed >= this.batchSize;
      } catch (error) {
        this.options.onError?.(error);
      }
      if (!this.stopped) this.timer = setTimeout(() => void tick(), busy ? 0 : intervalMs);
    };
    this.timer = setTimeout(() => void tick(), 0);
  }

  /** Stops the loop and waits for the round in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  listDead(limit?: number): Promise<OutboxMessage[]> {
    return this.outbox.listDead(limit);
  }

  retryDead(id: string): Promise<OutboxMessage> {
    return this.outbox.retryDead(id);
  }

  private async claim(): Promise<{ message: OutboxMessage; token: string }[]> {
    const db = this.outbox.db;
    const at = this.now();
    const nowIso = at.toISOString();
    const token = randomUUID();
    // Due: pending and its time has come, or claimed by a dispatcher whose lease ran out (it crashed);
    // and, for a message in a sequence, every earlier one of its sequence delivered (a dead one holds the
    // rest back until an administrator retries it: a zaak's status never goes before its zaak).
    const due = (eb: ExpressionBuilder<KoersDatabase, 'outbox'>): Expression<SqlBool> =>
      eb.and([
        eb.or([
          eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', nowIso)]),
          eb.and([eb('status', '=', 'sending'), eb('locked_until', '<=', nowIso)]),
        ]),
        eb.not(
          eb.exists(
            eb
              .selectFrom('outbox as earlier')
              .select('earlier.id')
              .whereRef('earlier.sequence_key', '=', 'outbox.sequence_key')
              .whereRef('earlier.sequence', '<', 'outbox.sequence')
              .where('earlier.status', '!=', 'delivered'),
          ),
        ),
      ]);
    let pick = db.selectFrom('outbox').select('id').where(due).orderBy('next_attempt_at').orderBy('id').limit(this.batchSize);
    if (this.kind === 'postgres') pick = pick.forUpdate().skipLocked();
    const rows = await db
      .updateTable('outbox')
      .set({
        status: 'sending',
        lock_token: token,
        locked_until: new Date(at.getTime() + this.leaseMs).toISOString(),
        attempts: sql`attempts + 1`,
        updated_at: nowIso,
      })
      .where('id', 'in', pick)
      // Re-checked on the locked row: under READ COMMITTED another instance may have changed it.
      .where(due)
      .returningAll()
      .execute();
    return rows.map((r) => ({ message: toMessage(r), token }));
  }

  private async deliver(message: OutboxMessage, token: string): Promise<'delivered' | 'retried' | 'dead'> {
    const db = this.outbox.db;
    try {
      const channel = this.options.channels[message.channel];
      if (!channel) throw new Error(`no ${message.channel} channel configured`);
      await channel.send(message);
    } catch (error) {
      const at = this.now();
      const lastError = describe(error);
      const dead = message.attempts >= this.policy.maxAttempts;
      await db
        .updateTable('outbox')
        .set(
          dead
            ? { status: 'dead', lock_token: null, locked_until: null, last_error: lastError, updated_at: at.toISOString() }
            : {
                status: 'pending',
                lock_token: null,
                locked_until: null,
                last_error: lastError,
                next_attempt_at: new Date(at.getTime() + backoffDelayMs(this.policy, message.attempts)).toISOString(),
                updated_at: at.toISOString(),
              },
        )
        .where('id', '=', message.id)
        .where('lock_token', '=', token)
        .execute();
      return dead ? 'dead' : 'retried';
    }
    const at = this.now().toISOString();
    // Guarded by our lease token: if the lease ran out and another dispatcher took over, its outcome wins.
    await db
      .updateTable('outbox')
      .set({ status: 'delivered', delivered_at: at, lock_token: null, locked_until: null, last_error: null, updated_at: at })
      .where('id', '=', message.id)
      .where('lock_token', '=', token)
      .execute();
    return 'delivered';
  }
}

function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 2000);
}
