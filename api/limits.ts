/**
 * Limits that count what they protect (issue 24, fault 5): the events a key sends, not its requests,
 * and the events a journey takes in a day.
 *
 * - {@link EventRateLimiter}: per API key, events per window (KOERS_EVENT_RATE_LIMIT_PER_MINUTE). A
 *   batch costs its events, so 100 events in one batch cost what 100 single events cost. In memory, per
 *   API process (rate-limiter-flexible); a refused request costs nothing (it did no work).
 * - {@link JourneyEventBudget}: per journey, new events recorded per day (Europe/Amsterdam)
 *   (KOERS_JOURNEY_EVENT_BUDGET_PER_DAY). Counted in the event audit trail, so it holds across restarts
 *   and API processes; a duplicate is never counted nor refused. One journey's history cannot be flooded
 *   by a key that the rate limit still lets through, nor by several keys together.
 *
 * Both answer `429 Too Many Requests` (problem+json) with `Retry-After`: the rate limit for the whole
 * request before any work, the budget per event (a batch answers 207 with a 429 for each event over it).
 */
import type { RequestHandler } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { amsterdamDateOf, amsterdamStartOfDay, dayAfter } from '../domain/dates';
import type { AuditStore } from './audit-store';
import { Problem, sendProblem } from './problem';
import type { ResponseSpec } from './route';

/** Events one batch may hold (CloudEvents batch mode). */
export const MAX_BATCH_EVENTS = 100;

/** The 429 of the events route, as its OpenAPI response (api/route.ts ResponseSpec). */
export const TOO_MANY_EVENTS: ResponseSpec = {
  description:
    "Too many events: this key's events in the current window (a batch costs its events; KOERS_EVENT_RATE_LIMIT_PER_MINUTE), " +
    "or a single event beyond the journey's budget for today (KOERS_JOURNEY_EVENT_BUDGET_PER_DAY; in a batch that event's result is a 429). Nothing changed; try again after `Retry-After` seconds",
  contentType: 'application/problem+json',
  headers: { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 1 } } },
};

/** The events a request to the events route carries: a batch's length (at most {@link MAX_BATCH_EVENTS} counted), otherwise one. */
export function eventsIn(body: unknown, batch: boolean): number {
  return batch && Array.isArray(body) ? Math.min(Math.max(body.length, 1), MAX_BATCH_EVENTS) : 1;
}

export interface EventRateLimitOptions {
  /** Window length, ms (a whole number of seconds). */
  windowMs: number;
  /** Events per key per window; 0: no limit (a bulk feed). */
  limit: number;
  /** Told of a refused request (counted in koers_events_limited_total). */
  onLimited?: (keyId: string, events: number) => void;
}

/** Events per API key per window; see the module's header. */
export class EventRateLimiter {
  private readonly limiter?: RateLimiterMemory;

  constructor(private readonly options: EventRateLimitOptions) {
    if (options.limit > 0) this.limiter = new RateLimiterMemory({ points: options.limit, duration: Math.max(1, Math.round(options.windowMs / 1000)) });
  }

  /**
   * Takes `events` from the key's allowance for the window; a problem (429 with Retry-After) when they do
   * not fit, and then nothing is taken. Undefined: go on.
   */
  async take(keyId: string, events: number): Promise<Problem | undefined> {
    if (!this.limiter) return undefined;
    const { limit, windowMs } = this.options;
    try {
      await this.limiter.consume(keyId, events);
      return undefined;
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      // A refused request did no work: it costs nothing, so a partner's next smaller request still fits.
      await this.limiter.reward(keyId, events);
      this.options.onLimited?.(keyId, events);
      const tooBig = events > limit;
      const problem = new Problem(
        429,
        'Too many requests',
        tooBig
          ? `A request of ${events} events is more than this key may send per ${windowMs / 1000} s (${limit}); send smaller batches.`
          : `At most ${limit} events per ${windowMs / 1000} s per key; a batch counts each of its events.`,
        undefined,
        { limit, windowSeconds: windowMs / 1000 },
      );
      problem.retryAfterSeconds = Math.max(1, Math.ceil((tooBig ? windowMs : refusal.msBeforeNext) / 1000));
      return problem;
    }
  }

  /**
   * Express middleware for the events route (after authentication and body parsing): the request's
   * events ({@link eventsIn}) are taken from its key's allowance, or it is answered 429 before any work.
   */
  readonly middleware: RequestHandler = (req, res, next) => {
    const keyId = req.principal?.keyId ?? 'anonymous';
    this.take(keyId, eventsIn(req.body, req.is('application/cloudevents-batch+json') === 'application/cloudevents-batch+json')).then(
      (problem) => (problem ? sendProblem(res, problem) : next()),
      next,
    );
  };
}

/** New events per journey per day (Europe/Amsterdam); see the module's header. */
export class JourneyEventBudget {
  constructor(
    private readonly audit: Pick<AuditStore, 'countReceived'>,
    /** Events per journey per day; 0: no budget. */
    readonly perDay: number,
  ) {}

  /**
   * Whether the journey may take one more new event now (`nowMs`, epoch ms): undefined if so, else the
   * 429 problem, with Retry-After until the next day starts in Europe/Amsterdam.
   */
  async refusal(journeyId: string, nowMs: number): Promise<Problem | undefined> {
    if (this.perDay <= 0) return undefined;
    const today = amsterdamDateOf(nowMs);
    const from = amsterdamStartOfDay(today);
    const until = amsterdamStartOfDay(dayAfter(today));
    const received = await this.audit.countReceived(journeyId, new Date(from).toISOString(), new Date(until).toISOString());
    if (received < this.perDay) return undefined;
    const problem = new Problem(
      429,
      'Too many events for this journey',
      `This journey has taken ${this.perDay} new events today, its budget for a day; send this event again tomorrow.`,
      undefined,
      { code: 'journey-event-budget', budget: this.perDay },
    );
    problem.retryAfterSeconds = Math.max(1, Math.ceil((until - nowMs) / 1000));
    return problem;
  }
}
