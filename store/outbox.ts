/**
 * The notification outbox: a reminder, escalation or digest is first written here (in the caller's
 * activity), then delivered by the Dispatcher (dispatcher.ts). Writing is idempotent on
 * `idempotencyKey`, so an activity retry or a workflow replay never queues a second message.
 *
 * Delivery is at-least-once with a dedupe key: the key travels with every delivery attempt
 * (`Idempotency-Key` header on webhooks, `Message-ID` and `Idempotency-Key` on e-mail), so a
 * receiver that sees a message twice after a dispatcher crash between send and mark can drop it.
 */
import { randomUUID } from 'node:crypto';
import type { Db, OutboxTable } from './db';
import { ConflictError, NotFoundError, ValidationError } from './errors';

/**
 * `journey-failure`: a journey stopped or stopped making progress (worker/monitor.ts), for the administrators.
 * `zaak-…`: the journey as a zaak in the municipality's zaak registration (chain/zaken, channel `zaken`).
 */
export type OutboxKind = 'reminder' | 'escalation' | 'digest' | 'journey-failure' | ZaakMessageKind;
/** What the journey's zaak is told (chain/zaken/messages.ts): one kind per Zaken API change. */
export type ZaakMessageKind = 'zaak-create' | 'zaak-rol' | 'zaak-status' | 'zaak-update' | 'zaak-end' | 'zaak-archive';
export type ChannelName = 'webhook' | 'email' | 'zaken';
/** pending → sending (claimed under a lease) → delivered, or back to pending for a retry, or dead. */
export type OutboxStatus = 'pending' | 'sending' | 'delivered' | 'dead';

export interface EnqueueInput {
  idempotencyKey: string;
  kind: OutboxKind;
  channel: ChannelName;
  /** Webhook URL or e-mail address; a role's address, never a statushouder's. */
  recipient: string;
  subject: string;
  body: string;
  /** JSON-serialisable; sent as the webhook body's `payload`. No personal data. */
  payload?: unknown;
  /** Not delivered before this instant (default: now). */
  notBefore?: Date;
  /** Delivered only after every message of the same key with a lower number was delivered (dispatcher.ts). */
  sequence?: { key: string; n: number };
}

export interface OutboxMessage {
  id: string;
  idempotencyKey: string;
  kind: OutboxKind;
  channel: ChannelName;
  recipient: string;
  subject: string;
  body: string;
  payload: unknown;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError?: string;
  createdAt: string;
  updatedAt: string;
  deliveredAt?: string;
  sequence?: { key: string; n: number };
}

export interface OutboxOptions {
  now?: () => Date;
}

const kinds: readonly OutboxKind[] = ['reminder', 'escalation', 'digest', 'journey-failure', 'zaak-create', 'zaak-rol', 'zaak-status', 'zaak-update', 'zaak-end', 'zaak-archive'];
const channels: readonly ChannelName[] = ['webhook', 'email', 'zaken'];

export class Outbox {
  private readonly now: () => Date;

  constructor(
    readonly db: Db,
    options: OutboxOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** The same outbox on another executor: a transaction its caller has opened (`inTransaction` in db.ts). */
  using(db: Db): Outbox {
    return new Outbox(db, { now: this.now });
  }

  /**
   * Queues a message unless one with the same idempotency key exists (then the first one wins and
   * `created` is false). `ON CONFLICT DO NOTHING` on the unique key makes concurrent calls safe too.
   */
  async enqueue(input: EnqueueInput): Promise<{ id: string; created: boolean }> {
    if (!input.idempotencyKey) throw new ValidationError('idempotencyKey is required');
    if (!kinds.includes(input.kind)) throw new ValidationError(`unknown kind "${input.kind}"`);
    if (!channels.includes(input.channel)) throw new ValidationError(`unknown channel "${input.channel}"`);
    if (!input.recipient) throw new ValidationError('recipient is required');
    const at = this.now().toISOString();
    const inserted = await this.db
      .insertInto('outbox')
      .values({
        id: randomUUID(),
        idempotency_key: input.idempotencyKey,
        kind: input.kind,
        channel: input.channel,
        recipient: input.recipient,
        subject: input.subject,
        body: input.body,
        payload: JSON.stringify(input.payload ?? null),
        status: 'pending',
        attempts: 0,
        next_attempt_at: (input.notBefore ?? this.now()).toISOString(),
        locked_until: null,
        lock_token: null,
        last_error: null,
        created_at: at,
        updated_at: at,
        delivered_at: null,
        ...(input.sequence ? { sequence_key: input.sequence.key, sequence: input.sequence.n } : {}),
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) return { id: inserted.id, created: true };
    const existing = await this.db
      .selectFrom('outbox')
      .select('id')
      .where('idempotency_key', '=', input.idempotencyKey)
      .executeTakeFirstOrThrow();
    return { id: existing.id, created: false };
  }

  async get(id: string): Promise<OutboxMessage | undefined> {
    const row = await this.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toMessage(row);
  }

  async getByKey(idempotencyKey: string): Promise<OutboxMessage | undefined> {
    const row = await this.db.selectFrom('outbox').selectAll().where('idempotency_key', '=', idempotencyKey).executeTakeFirst();
    return row && toMessage(row);
  }

  /** Messages that exhausted their attempts, newest first, with the last error: the administrator's view. */
  /** The newest messages of these kinds, whatever their state, newest first (a person's reminders and escalations in the app). */
  async listRecent(kinds: readonly OutboxKind[], limit = 500): Promise<OutboxMessage[]> {
    const rows = await this.db
      .selectFrom('outbox')
      .selectAll()
      .where('kind', 'in', [...kinds])
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toMessage);
  }

  /** Dead letters per channel and kind, for /metrics (api/metrics.ts): an administrator has work while any is above 0. */
  async countDead(): Promise<{ channel: string; kind: string; count: number }[]> {
    const rows = await this.db
      .selectFrom('outbox')
      .select(['channel', 'kind', (eb) => eb.fn.countAll<number | string>().as('count')])
      .where('status', '=', 'dead')
      .groupBy(['channel', 'kind'])
      .execute();
    return rows.map((r) => ({ channel: r.channel, kind: r.kind, count: Number(r.count) }));
  }

  async listDead(limit = 100): Promise<OutboxMessage[]> {
    const rows = await this.db
      .selectFrom('outbox')
      .selectAll()
      .where('status', '=', 'dead')
      .orderBy('updated_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toMessage);
  }

  /**
   * Puts a dead message back in the queue with a fresh set of attempts, due now. The last error is
   * kept until it succeeds. A message that is pending already is returned as is (a double click);
   * one being sent or delivered is a ConflictError.
   */
  async retryDead(id: string): Promise<OutboxMessage> {
    const at = this.now().toISOString();
    const r = await this.db
      .updateTable('outbox')
      .set({ status: 'pending', attempts: 0, next_attempt_at: at, locked_until: null, lock_token: null, updated_at: at })
      .where('id', '=', id)
      .where('status', '=', 'dead')
      .executeTakeFirst();
    const message = await this.get(id);
    if (!message) throw new NotFoundError(`outbox message ${id} not found`);
    if (Number(r.numUpdatedRows) === 0 && message.status !== 'pending') {
      throw new ConflictError(`outbox message ${id} is ${message.status}, not dead`, { id, status: message.status });
    }
    return message;
  }
}

export function toMessage(r: OutboxTable): OutboxMessage {
  return {
    id: r.id,
    idempotencyKey: r.idempotency_key,
    kind: r.kind as OutboxKind,
    channel: r.channel as ChannelName,
    recipient: r.recipient,
    subject: r.subject,
    body: r.body,
    payload: JSON.parse(r.payload) as unknown,
    status: r.status as OutboxStatus,
    attempts: Number(r.attempts),
    nextAttemptAt: r.next_attempt_at,
    ...(r.last_error !== null && { lastError: r.last_error }),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    ...(r.delivered_at !== null && { deliveredAt: r.delivered_at }),
    ...(r.sequence_key != null && r.sequence != null && { sequence: { key: r.sequence_key, n: Number(r.sequence) } }),
  };
}
