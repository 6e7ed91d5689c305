/**
 * Webhook delivery: POST of a JSON body, signed so the receiver knows it came from Koers and was not
 * replayed later:
 *   X-Koers-Timestamp: <unix seconds>
 *   X-Koers-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
 *   Idempotency-Key:   <outbox idempotency key> (the same on every attempt: dedupe on it)
 * Receivers check with {@link verifyWebhookSignature} on the raw body bytes, before parsing.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Channel } from '../dispatcher';
import type { OutboxMessage } from '../outbox';

export interface WebhookChannelOptions {
  secret: string;
  now?: () => Date;
  /** Per request (default 10 s); keep it well under the dispatcher's lease. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * True when `signature` is ours for this timestamp and body and the timestamp lies within
 * `toleranceSec` of `now` (either side, for clock skew); an old captured request is refused.
 */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string,
  body: string | Buffer,
  signature: string,
  toleranceSec: number,
  now: Date | number = Date.now(),
): boolean {
  if (!/^\d{1,15}$/.test(timestamp)) return false;
  const nowSec = Math.floor((typeof now === 'number' ? now : now.getTime()) / 1000);
  if (Math.abs(nowSec - Number(timestamp)) > toleranceSec) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, Buffer.isBuffer(body) ? body.toString('utf8') : body));
  const given = Buffer.from(signature);
  // Constant time, so the signature cannot be guessed byte by byte from response times.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The JSON a webhook receiver gets. */
export interface WebhookBody {
  id: string;
  idempotencyKey: string;
  kind: OutboxMessage['kind'];
  subject: string;
  body: string;
  payload: unknown;
  createdAt: string;
}

export function createWebhookChannel(options: WebhookChannelOptions): Channel {
  if (!options.secret) throw new Error('webhook secret is required');
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? (() => new Date());
  return {
    async send(message) {
      const body = JSON.stringify({
        id: message.id,
        idempotencyKey: message.idempotencyKey,
        kind: message.kind,
        subject: message.subject,
        body: message.body,
        payload: message.payload,
        createdAt: message.createdAt,
      } satisfies WebhookBody);
      const timestamp = String(Math.floor(now().getTime() / 1000));
      const response = await doFetch(message.recipient, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-Koers-Timestamp': timestamp,
          'X-Koers-Signature': signWebhook(options.secret, timestamp, body),
          'Idempotency-Key': message.idempotencyKey,
        },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      // Drain the body so the connection is reused; its content does not matter.
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) throw new Error(`webhook ${message.recipient} answered HTTP ${response.status}`);
    },
  };
}
