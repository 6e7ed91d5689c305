/**
 * Load shedding on the routes that give the workers work (starting a journey, reporting events): when
 * a new task on the journeys' task queue would wait longer than KOERS_MAX_BACKLOG_SECONDS, such a
 * request is answered `503 Service Unavailable` with `Retry-After` (problem+json), instead of a 201/202
 * whose effect would show only after the backlog, against the contract's "visible within a second".
 *
 * 503, not 429: the backlog belongs to the service, not to the caller; 429 stays the per-key rate limit.
 * The backlog is read from Temporal (api/temporal.ts `backlog`) at most once per {@link BACKLOG_CACHE_MS},
 * shared by every request meanwhile; a reading that fails or is late lets traffic through (fail open:
 * Temporal out of reach is answered 503 by the Temporal call itself, and the stats must never block it).
 */
import type { RequestHandler } from 'express';
import type { QueueBacklog, TaskQueueBacklog } from './temporal';
import type { ApiMetrics } from './metrics';
import { Problem, sendProblem } from './problem';
import type { ResponseSpec } from './route';

/** The 503 of a route that sheds load, as its OpenAPI response (api/route.ts ResponseSpec). */
export const SHED_OR_UNAVAILABLE: ResponseSpec = {
  description: 'Temporal cannot be reached, or the workers are behind (the oldest waiting task is older than the configured backlog limit): nothing changed; try again after `Retry-After` seconds',
  contentType: 'application/problem+json',
  headers: { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 1 } } },
};

/** How long one backlog reading serves every request (ms). */
export const BACKLOG_CACHE_MS = 1000;

/** Retry-After bounds (seconds): soon enough to notice recovery, long enough not to hammer a busy worker. */
export const MIN_RETRY_AFTER_SECONDS = 1;
export const MAX_RETRY_AFTER_SECONDS = 60;

export type ShedVerdict = { shed: false } | { shed: true; retryAfterSeconds: number };

/**
 * How long a task added now would wait for a worker (seconds): per queue type, the oldest waiting
 * task's age, unless the workers hand out the whole backlog sooner at their current dispatch rate;
 * the longer of the workflow and the activity queue.
 *
 * The age alone is not enough: the PostgreSQL cluster (server 1.29.1) was seen to report a backlog of
 * 4 tasks aged 124 minutes on a queue its workers emptied at 30 tasks a second, and a few tasks left
 * behind in one partition make the age climb while everything else flows. With no dispatch at all
 * (no worker polling) the age is all there is.
 */
export function backlogWaitSeconds(backlog: TaskQueueBacklog): number {
  return Math.max(...[backlog.workflow, backlog.activity].map(queueWaitSeconds));
}

function queueWaitSeconds({ ageSeconds, count, dispatchPerSecond }: QueueBacklog): number {
  if (count <= 0) return 0;
  return dispatchPerSecond > 0 ? Math.min(ageSeconds, count / dispatchPerSecond) : ageSeconds;
}

/**
 * Whether to shed, from the backlog ({@link backlogWaitSeconds}) and the threshold (seconds; 0 turns
 * shedding off). Retry-After is how far the wait is over the threshold, at least {@link MIN_RETRY_AFTER_SECONDS}
 * and at most {@link MAX_RETRY_AFTER_SECONDS}: the further behind the workers are, the longer a client waits.
 * Unknown backlog (undefined): never shed.
 */
export function shedVerdict(backlog: TaskQueueBacklog | undefined, maxBacklogSeconds: number): ShedVerdict {
  if (!backlog || maxBacklogSeconds <= 0) return { shed: false };
  const waitSeconds = backlogWaitSeconds(backlog);
  if (waitSeconds <= maxBacklogSeconds) return { shed: false };
  const over = Math.ceil(waitSeconds - maxBacklogSeconds);
  return { shed: true, retryAfterSeconds: Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(MIN_RETRY_AFTER_SECONDS, over)) };
}

export interface BackPressureOptions {
  /** Reads the backlog (TemporalGateway.backlog). */
  readBacklog: () => Promise<TaskQueueBacklog>;
  /** KOERS_MAX_BACKLOG_SECONDS; 0: never shed (and never read). */
  maxBacklogSeconds: number;
  metrics: ApiMetrics;
  now?: () => number;
  /** A reading that failed (logged by the caller; traffic goes on). */
  onReadError?: (err: unknown) => void;
}

export class BackPressure {
  private reading?: { at: number; backlog: TaskQueueBacklog | undefined };
  private refreshing?: Promise<void>;
  private readonly now: () => number;

  constructor(private readonly options: BackPressureOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The verdict for a request now: a reading at most {@link BACKLOG_CACHE_MS} old, or a fresh one. */
  async verdict(): Promise<ShedVerdict> {
    if (this.options.maxBacklogSeconds <= 0) return { shed: false };
    if (!this.reading || this.now() - this.reading.at >= BACKLOG_CACHE_MS) {
      // One reading at a time; requests arriving meanwhile wait for the same one.
      this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined));
      await this.refreshing;
    }
    return shedVerdict(this.reading?.backlog, this.options.maxBacklogSeconds);
  }

  private async refresh(): Promise<void> {
    let backlog: TaskQueueBacklog | undefined;
    try {
      backlog = await this.options.readBacklog();
      this.options.metrics.backlogAge.set(backlogWaitSeconds(backlog));
    } catch (err) {
      // Fail open; the next request after the cache period tries again.
      this.options.onReadError?.(err);
    }
    this.reading = { at: this.now(), backlog };
  }

  /**
   * Express middleware for a route that gives the workers work: a 503 with Retry-After while the
   * backlog is over the threshold, counted in `koers_load_shed_total` by route pattern.
   */
  readonly middleware: RequestHandler = (req, res, next) => {
    this.verdict().then(
      (verdict) => {
        if (!verdict.shed) return next();
        this.options.metrics.loadShed.inc({ method: req.method, route: String(req.baseUrl ?? '') + String(req.route?.path ?? '') });
        sendProblem(
          res,
          Problem.unavailable(
            'Service busy',
            `The workers are more than ${this.options.maxBacklogSeconds} s behind; nothing was changed. Try again after ${verdict.retryAfterSeconds} s.`,
            verdict.retryAfterSeconds,
          ),
        );
      },
      // verdict() does not reject (reading errors are caught); should it, the request goes through.
      () => next(),
    );
  };
}
