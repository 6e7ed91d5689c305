/**
 * Prometheus metrics of the API. A registry per app (not prom-client's global one), so several apps
 * in one process (tests) do not collide. Labels carry route patterns and outcomes, never ids or
 * personal data.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Seconds; the same scale for HTTP and Temporal calls, so their histograms compare. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class ApiMetrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'koers_http_requests_total',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'koers_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly temporalRequests = new Counter({
    name: 'koers_temporal_client_requests_total',
    help: 'Temporal client calls made by the API, by operation and outcome',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly temporalDuration = new Histogram({
    name: 'koers_temporal_client_request_duration_seconds',
    help: 'Latency of Temporal client calls made by the API',
    labelNames: ['operation'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly partnerEvents = new Counter({
    name: 'koers_partner_events_total',
    help: 'Partner events by type and outcome (accepted, duplicate, rejected)',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly keyFileRejected = new Counter({
    name: 'koers_api_keys_file_rejected_total',
    help: 'Reloads of KOERS_API_KEYS_FILE refused (the previous keys stay in force); alert on any',
    registers: [this.registry],
  });

  readonly failedSignIns = new Counter({
    name: 'koers_failed_sign_ins_total',
    help: 'Requests refused for a missing, unknown or expired API key',
    registers: [this.registry],
  });

  readonly loadShed = new Counter({
    name: 'koers_load_shed_total',
    help: 'Requests answered 503 because the workers are behind (KOERS_MAX_BACKLOG_SECONDS), by method and route pattern',
    labelNames: ['method', 'route'] as const,
    registers: [this.registry],
  });

  readonly eventsLimited = new Counter({
    name: 'koers_events_limited_total',
    help: "Events answered 429 (api/limits.ts), by limit: key-rate (a key's events per window) or journey-budget (a journey's new events per day)",
    labelNames: ['limit'] as const,
    registers: [this.registry],
  });

  readonly backlogAge = new Gauge({
    name: 'koers_task_queue_backlog_age_seconds',
    help: "How long a new task on the journeys' task queue would wait at the last reading, in seconds: the oldest waiting task's age, or less when the workers clear the backlog sooner (the load-shedding input)",
    registers: [this.registry],
  });

  private journeyCounts?: () => Promise<Partial<Record<string, number>>>;
  private deadLetterCounts?: () => Promise<{ channel: string; kind: string; count: number }[]>;

  /**
   * The outbox's dead letters (messages past their last attempt) by channel and kind, read from the
   * store at each scrape: above 0 an administrator has work (GET /v1/dead-letters). Channel `zaken`:
   * changes the municipality's zaak registration has not received.
   */
  readonly deadLetters = new Gauge({
    name: 'koers_outbox_dead_letters',
    help: 'Outbox messages that exhausted their attempts, by channel and kind (GET /v1/dead-letters); alert on any',
    labelNames: ['channel', 'kind'] as const,
    registers: [this.registry],
    collect: async () => {
      if (!this.deadLetterCounts) return;
      this.deadLetters.reset();
      try {
        for (const { channel, kind, count } of await this.deadLetterCounts()) this.deadLetters.set({ channel, kind }, count);
      } catch {
        // The store out of reach: no series this scrape.
      }
    },
  });

  /** Where {@link deadLetters} reads its counts (store/outbox.ts `countDead`). */
  observeDeadLetters(counts: () => Promise<{ channel: string; kind: string; count: number }[]>): void {
    this.deadLetterCounts = counts;
  }

  /**
   * Journeys by run status, read from Temporal at each scrape: `failed`, `terminated` and `timed-out`
   * above 0 want an administrator (alert on them). No series while Temporal cannot be read, so a stale
   * count never looks current (alert on its absence too).
   */
  readonly journeys = new Gauge({
    name: 'koers_journeys',
    help: 'Journeys by run status (running, completed, failed, terminated, timed-out, canceled), each journey once',
    labelNames: ['status'] as const,
    registers: [this.registry],
    collect: async () => {
      if (!this.journeyCounts) return;
      this.journeys.reset();
      try {
        for (const [status, count] of Object.entries(await this.journeyCounts())) this.journeys.set({ status }, count ?? 0);
      } catch {
        // Temporal out of reach: no series this scrape.
      }
    },
  });

  /** Where {@link journeys} reads its counts (the app's Temporal gateway); every status named is reported, 0 included. */
  observeJourneys(counts: () => Promise<Partial<Record<string, number>>>, statuses: readonly string[]): void {
    this.journeyCounts = async () => ({ ...Object.fromEntries(statuses.map((s) => [s, 0])), ...(await counts()) });
  }

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'koers_api_' });
  }

  /** Times a Temporal call; the outcome is the error's class name so failures are told apart without details. */
  async timeTemporal<T>(operation: string, call: () => Promise<T>): Promise<T> {
    const stop = this.temporalDuration.startTimer({ operation });
    try {
      const result = await call();
      this.temporalRequests.inc({ operation, outcome: 'ok' });
      return result;
    } catch (err) {
      this.temporalRequests.inc({ operation, outcome: err instanceof Error ? err.name : 'error' });
      throw err;
    } finally {
      stop();
    }
  }
}

/**
 * Reads another Prometheus endpoint on this machine, for `/metrics` to append: the worker's Temporal
 * metrics when the worker runs in this process with the SDK runtime's Prometheus exporter
 * (`Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress } } } })`). A slow or
 * absent exporter yields nothing rather than failing the scrape.
 */
export function prometheusScraper(url: string, timeoutMs = 1000): () => Promise<string> {
  return async () => {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      return res.ok ? await res.text() : '';
    } catch {
      return '';
    }
  };
}
