import path from 'node:path';
import express, { type RequestHandler } from 'express';
import swaggerUiDist from 'swagger-ui-dist';
import { isGrpcServiceError, type Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { TaskStore } from '../store/tasks';
import type { JourneyReadModel } from '../store/journeys';
import type { PolicyVersions } from '../store/policies';
import type { PersonIndex } from '../store/persons';
import type { Outbox } from '../store/outbox';
import type { JourneySignals } from '../store/journey-signals';
import { JourneySignalRelay } from './journey-signals';
import { amsterdamDateOf } from '../domain/dates';
import { DEFAULT_EVENT_RATE_LIMIT_PER_MINUTE, DEFAULT_JOURNEY_EVENT_BUDGET_PER_DAY } from '../platform/config';
import { authenticate, SignInGuard, type ApiKeys, type SignInFailureHooks } from './auth';
import type { AuditStore } from './audit-store';
import type { ApiContext, ApiLogger } from './context';
import type { Identity } from './identity';
import { ApiMetrics } from './metrics';
import { buildOpenApiDocument, type DocumentInfo } from './openapi';
import { Problem, problemHandler } from './problem';
import { databaseUnavailable } from '../store/errors';
import { expressPath, mountRoutes, type RouteDef } from './route';
import { JOURNEY_STATUSES, TemporalGateway } from './temporal';
import { BackPressure } from './back-pressure';
import { EventRateLimiter, JourneyEventBudget } from './limits';
import { metaRoutes, type MetaDeps } from './meta';
import { journeyRoutes } from './journeys';
import { personRoutes } from './persons';
import { brpRoutes } from './brp';
import { eventRoutes } from './events';
import { taskRoutes } from './tasks';
import { commandRoutes } from './commands';
import { adminRoutes } from './admin';
import { notificationRoutes } from './notifications';
import { calendarRoutes, type CalendarDeps } from './calendar';
import { codecRouter } from './codec';
import { erasureRoutes } from './erasure';
import { processingLogRoutes } from './processing-log';
import type { RetentionStore } from '../store/retention';
import type { StaffPseudonyms } from '../store/staff-pseudonyms';
import { statisticsRoutes } from './statistics';
import type { StaffDirectory } from '../staff/directory';
import { recordKeyStaff, staffRoutes } from './staff';
import { webApp } from '../web/app';
import type { People } from '../identity';
import type { Brp } from '../chain/brp';
import type { StoredProcessingLog } from '../processing-log';

export const API_VERSION = '1.0.0';

// gRPC status codes (grpc/doc/statuscodes.md).
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;

/**
 * Media types a body may have; anything else is a 415 before it is read. JSON in any of its forms
 * (`+json`, `<type>/json`): a CloudEvent in binary mode carries its data's own JSON media type; each
 * route still names the types it takes.
 */
export const JSON_MEDIA_TYPES = ['application/json', '+json', '*/json'];

/** The swagger-ui-dist files the docs page (api/meta.ts) loads. */
const SWAGGER_UI_FILES = ['swagger-ui.css', 'swagger-ui-bundle.js'];

/** Documents anyone may fetch from a browser on another origin (API Design Rules: /core/doc-openapi). */
const CORS_PATHS = new Set(['/v1/openapi.json']);

export interface AppDeps {
  client: Client;
  taskQueue: string;
  keys: ApiKeys;
  identity: Identity;
  logger: ApiLogger;
  tasks: TaskStore;
  /** Which journey each person has per municipality (store/persons.ts); migrated with the store. */
  persons: PersonIndex;
  /** The journeys read model the journeys write (store/journeys.ts); migrated with the store. */
  journeys: JourneyReadModel;
  /** The amended policy versions (store/policies.ts); migrated with the store. */
  policies: PolicyVersions;
  outbox?: Outbox;
  /** False when no routing of reminders is configured (KOERS_NOTIFICATIONS_FILE): none are kept, the in-app list stays empty. */
  notificationsRouted?: boolean;
  /** The staff directory (staff/directory.ts); migrated with the store. */
  staff: StaffDirectory;
  /** Signals a store write owes a journey, until Temporal has them (store/journey-signals.ts); migrated with the store. */
  journeySignals: JourneySignals;
  /** The event audit trail; run `migrateAuditStore(db)` once before (audit-store.ts). */
  audit: AuditStore;
  now?: () => number;
  /** Events per key per window, a batch counting its events (default 600 a minute; KOERS_EVENT_RATE_LIMIT_PER_MINUTE); limit 0: no limit. */
  eventRateLimit?: { windowMs: number; limit: number };
  /** New events per journey per day, Europe/Amsterdam (default 200; KOERS_JOURNEY_EVENT_BUDGET_PER_DAY); 0: no budget (api/limits.ts). */
  journeyEventBudgetPerDay?: number;
  metrics?: ApiMetrics;
  /** Deadline of each Temporal call (default 10 s); past it the request is a 503. */
  temporalTimeoutMs?: number;
  /**
   * Starts and events are answered 503 (Retry-After) while a new task on the task queue would wait
   * longer than this many seconds (api/back-pressure.ts; KOERS_MAX_BACKLOG_SECONDS). Default 0: never.
   */
  maxBacklogSeconds?: number;
  /** History events after which a new journey's runs continue as new (KOERS_MAX_HISTORY_EVENTS); default: the workflow's. */
  maxHistoryEvents?: number;
  /** Deadline of a journey query (default 3 s): what a GET waits for a journey whose worker is down. */
  temporalQueryTimeoutMs?: number;
  extraMetrics?: () => Promise<string>;
  /** Calendar feeds (api/calendar.ts); without it their routes are not mounted. */
  calendar?: CalendarDeps;
  /** Check each answer against its schema (tests). */
  validateResponses?: boolean;
  /** The contact the OpenAPI document names for this deployment (default: the Koers project's). */
  contact?: DocumentInfo['contact'];
  /** Staff ids reach Temporal (the caseworker search attribute) only as pseudonyms recorded here. */
  staffPseudonyms?: StaffPseudonyms;
  /** Retention records: the erasure routes (api/erasure.ts) are mounted with it. */
  retention?: RetentionStore;
  /** express `trust proxy` (KOERS_TRUST_PROXY): hops or the proxies' addresses; absent: no proxy is believed. */
  trustProxy?: number | string[];
  /** Bearer token for /metrics and the details of /health (KOERS_METRICS_TOKEN); absent: they answer anyone. */
  metricsToken?: string;
  /** /health's store-write probe and disk space (api/meta.ts); absent: not checked. */
  health?: Pick<MetaDeps, 'probeStoreWrite' | 'diskSpace'>;
  /** Failed sign-ins per source address (default: 20 per 15 minutes). */
  signInGuard?: SignInGuard;
  /** The codec endpoint for the Temporal Web UI and CLI at /codec (api/codec.ts); not mounted without it. */
  codecEndpoint?: { codec: PayloadCodec; corsOrigins: string[] };
  /** The BRP API Personen of this deployment (chain/brp); absent: no BRP, the pages work without it. */
  brp?: Brp;
  /** The identity door (identity/index.ts): the web app at /app is mounted with it, and its delegation tokens authenticate the web app's calls. */
  people?: People;
  /** The processing log (processing-log/index.ts): every processing of personal data writes a record; migrated with the store. */
  processingLog: StoredProcessingLog;
}

/** Placeholder contact of a deployment that names none; an operator sets its own (AppDeps.contact). */
const DEFAULT_CONTACT: DocumentInfo['contact'] = { name: 'Koers', email: 'koers@example.org', url: 'https://example.org/koers' };

/** The client wraps gRPC errors (ServiceError with the gRPC error as cause); either way the code tells. */
function temporalUnreachable(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isGrpcServiceError(e) && (e.code === GRPC_UNAVAILABLE || e.code === GRPC_DEADLINE_EXCEEDED)) return true;
  }
  return false;
}

export interface KoersApp extends express.Express {
  /** `relay`: start it where the API serves (its loop delivers what Temporal did not take at once); stop it on shutdown. */
  koers: { routes: RouteDef[]; document: Record<string, unknown>; metrics: ApiMetrics; relay: JourneySignalRelay };
}

export function createApp(deps: AppDeps): KoersApp {
  const now = deps.now ?? Date.now;
  const metrics = deps.metrics ?? new ApiMetrics();
  const temporal = new TemporalGateway(deps.client, metrics, deps.taskQueue, { timeoutMs: deps.temporalTimeoutMs, queryTimeoutMs: deps.temporalQueryTimeoutMs });
  const ctx: ApiContext = {
    temporal,
    backPressure: new BackPressure({
      readBacklog: () => temporal.backlog(),
      maxBacklogSeconds: deps.maxBacklogSeconds ?? 0,
      metrics,
      now,
      onReadError: (err) => deps.logger.warn({ err: err instanceof Error ? err.name : String(err) }, 'task queue backlog not read; not shedding load'),
    }),
    identity: deps.identity,
    audit: deps.audit,
    tasks: deps.tasks,
    persons: deps.persons,
    journeys: deps.journeys,
    policies: deps.policies,
    outbox: deps.outbox,
    ...(deps.notificationsRouted !== undefined ? { notificationsRouted: deps.notificationsRouted } : {}),
    staff: deps.staff,
    journeySignals: deps.journeySignals,
    processingLog: deps.processingLog,
    relay: new JourneySignalRelay(deps.journeySignals, temporal, deps.logger),
    keys: deps.keys,
    eventBudget: new JourneyEventBudget(deps.audit, deps.journeyEventBudgetPerDay ?? DEFAULT_JOURNEY_EVENT_BUDGET_PER_DAY),
    logger: deps.logger,
    metrics,
    now,
    today: () => amsterdamDateOf(now()),
    ...(deps.staffPseudonyms ? { staffPseudonyms: deps.staffPseudonyms } : {}),
    ...(deps.maxHistoryEvents ? { maxHistoryEvents: deps.maxHistoryEvents } : {}),
    ...(deps.brp ? { brp: deps.brp } : {}),
  };

  // From the read model: one grouped count in the store, no visibility query per scrape.
  metrics.observeJourneys(() => ctx.journeys.countByStatus(), [...JOURNEY_STATUSES]);
  // Dead letters of every channel (the zaak registration's among them), counted in the store per scrape.
  if (deps.outbox) {
    const outbox = deps.outbox;
    metrics.observeDeadLetters(() => outbox.countDead());
  }

  const limits = deps.eventRateLimit ?? { windowMs: 60_000, limit: DEFAULT_EVENT_RATE_LIMIT_PER_MINUTE };
  // Limit 0: no limiter at all (a bulk feed), not one that refuses everything. Per key, not per address:
  // partners may share egress addresses, and a key is what we trust. A batch costs its events (api/limits.ts).
  const eventLimiters: RequestHandler[] =
    limits.limit > 0 ? [new EventRateLimiter({ ...limits, onLimited: (_keyId, events) => metrics.eventsLimited.inc({ limit: 'key-rate' }, events) }).middleware] : [];

  let document: Record<string, unknown> = {};
  const routes: RouteDef[] = [
    ...metaRoutes({ client: deps.client, metrics, document: () => document, extraMetrics: deps.extraMetrics, ...(deps.metricsToken ? { metricsToken: deps.metricsToken } : {}), keysCurrent: () => deps.keys.current, ...deps.health }),
    // Before the journey routes: /v1/journeys/search and /duplicates are no journey ids.
    ...personRoutes(ctx),
    ...brpRoutes(ctx),
    ...journeyRoutes(ctx),
    // Shedding first: a request shed while the workers are behind does no work and does not count against the key's limit.
    ...eventRoutes(ctx, [ctx.backPressure.middleware, ...eventLimiters]),
    ...commandRoutes(ctx),
    ...taskRoutes(ctx),
    ...staffRoutes(ctx),
    ...adminRoutes(ctx),
    ...notificationRoutes(ctx),
    ...statisticsRoutes(ctx),
    ...(deps.calendar ? calendarRoutes({ keys: deps.keys, ...deps.calendar }, deps.tasks) : []),
    ...(deps.retention ? erasureRoutes(ctx, deps.retention) : []),
    ...processingLogRoutes(ctx),
  ];
  document = buildOpenApiDocument(routes, { version: API_VERSION, contact: deps.contact ?? DEFAULT_CONTACT });

  const app = express() as unknown as KoersApp;
  app.koers = { routes, document, metrics, relay: ctx.relay };
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // `/v1/journeys/` is not `/v1/journeys` (API Design Rules: /core/no-trailing-slash): a 404.
  app.set('strict routing', true);
  // Behind the TLS proxy: req.secure and req.ip from its X-Forwarded-* headers (cookies get Secure, HSTS is sent).
  // After the settings above: Express 5 builds its router, with them, at the first app.use.
  if (deps.trustProxy !== undefined) app.set('trust proxy', deps.trustProxy);
  app.use((req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (req.secure) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    next();
  });

  // Request log and HTTP metrics: the route pattern, never the path itself, the query or the body.
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.setHeader('API-Version', API_VERSION);
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const routePattern: string = req.route ? String(req.baseUrl ?? '') + String(req.route.path) : res.statusCode === 404 ? '(unmatched)' : '(middleware)';
      const labels = { method: req.method, route: routePattern, status: String(res.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, seconds);
      deps.logger.info(
        { method: req.method, route: routePattern, status: res.statusCode, durationMs: Math.round(seconds * 1000), ...(req.principal ? { keyId: req.principal.keyId } : {}) },
        'request',
      );
    });
    next();
  });

  if (deps.codecEndpoint) app.use('/codec', codecRouter({ ...deps.codecEndpoint, keys: deps.keys, logger: deps.logger, now }));

  app.use('/v1/docs/assets', express.static(path.join(__dirname, 'docs-assets'), { index: false }));
  // Only the two files the docs page loads, not swagger-ui-dist's folder (its demo page among them).
  app.use('/v1/docs/assets', (req, res, next) => {
    const file = req.path.slice(1);
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !SWAGGER_UI_FILES.includes(file)) return next();
    res.sendFile(path.join(swaggerUiDist.getAbsoluteFSPath(), file));
  });

  // The document is public, so any origin may read it; its preflight needs no credentials either.
  app.use((req, res, next) => {
    if (!CORS_PATHS.has(req.path)) return next();
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (req.method !== 'OPTIONS') return next();
    res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS');
    const requested = req.headers['access-control-request-headers'];
    if (requested) res.setHeader('Access-Control-Allow-Headers', requested);
    res.setHeader('Access-Control-Max-Age', '86400');
    res.status(204).end();
  });

  // The web app for caseworkers and administrators (web/): a client of the routes below, same origin.
  if (deps.people) app.use('/app', webApp({ people: deps.people, now, brpMunicipalities: deps.brp ? Object.keys(deps.brp.settings.municipalities) : [] }));
  app.use((req, res, next) => (req.method === 'GET' && req.path === '/' ? res.redirect(303, '/app/') : next()));
  // Browsers ask every origin for /favicon.ico: the web app's icon, not a 404.
  app.use((req, res, next) => (req.method === 'GET' && req.path === '/favicon.ico' ? res.redirect(301, '/app/assets/favicon.svg') : next()));

  // A calendar feed's token is its credential (calendar apps send no bearer key); the route checks it.
  const isPublic = (req: express.Request) =>
    (req.method === 'GET' || req.method === 'HEAD') &&
    (req.path === '/openapi.json' || req.path === '/docs' || req.path === '/docs/' || (deps.calendar !== undefined && /^\/calendar\/[^/]+\.ics$/.test(req.path)));
  const delegated = deps.people ? (token: string) => deps.people!.delegations.find(token) : undefined;
  // Failed sign-ins are counted and logged per source address (req.ip: the proxy's client with KOERS_TRUST_PROXY).
  const signIns: SignInFailureHooks = {
    guard: deps.signInGuard ?? new SignInGuard(),
    onFailure: ({ address, failures, limited }) => {
      metrics.failedSignIns.inc();
      deps.logger.warn({ address, failures, limited }, limited ? 'sign-in refused: too many failures from this address' : 'sign-in failed');
    },
  };
  const authenticated = authenticate(deps.keys, delegated, signIns);
  app.use('/v1', (req, res, next) => (isPublic(req) ? next() : authenticated(req, res, next)));
  // With an identity provider, people are recorded by their sign-ins there (identity/) and keys are
  // machines, never colleagues; without one (development mode) a key stands for a person.
  if (!deps.people?.oidc) app.use('/v1', recordKeyStaff(deps.staff, deps.logger));
  app.use('/v1', (req, _res, next) => {
    // req.is is false for a body of another type or of none declared; "Content-Length: 0" is no body.
    if (req.headers['content-length'] !== '0' && req.is(JSON_MEDIA_TYPES) === false) throw new Problem(415, 'Unsupported media type', 'Send JSON: application/json, or the media type the operation names.');
    next();
  });
  // Batches may be larger than single requests; body-parser skips a body an earlier parser has read.
  app.use('/v1', express.json({ limit: '1mb', strict: true, type: 'application/cloudevents-batch+json' }));
  app.use('/v1', express.json({ limit: '64kb', strict: true, type: JSON_MEDIA_TYPES }));

  mountRoutes(app, routes, {
    today: ctx.today,
    validateResponses: deps.validateResponses,
    onResponseMismatch: (operationId, status, error) => deps.logger.error({ operationId, status, issues: error.issues.map((i) => i.path.join('.')) }, 'response outside its schema'),
  });

  // A path that exists, asked with a method it has not: 405 naming the methods it has (RFC 9110 §15.5.6).
  const methodsByPath = new Map<RegExp, Set<string>>();
  for (const { spec } of routes) {
    const pattern = new RegExp(`^${expressPath(spec.path).replace(/[.]/g, '\\.').replace(/:\w+/g, '[^/]+')}$`);
    const known = [...methodsByPath.keys()].find((p) => p.source === pattern.source);
    const methods = known ? methodsByPath.get(known)! : new Set<string>();
    methods.add(spec.method.toUpperCase());
    if (spec.method === 'get') methods.add('HEAD');
    if (!known) methodsByPath.set(pattern, methods);
  }
  app.use((req, res, next) => {
    // A concrete path before a templated one that also matches it (OpenAPI 3.1, "Path Templating Matching"):
    // /v1/tasks/redistribution is that resource, not a task called "redistribution".
    const params = (pattern: RegExp) => pattern.source.split('[^/]+').length;
    const allowed = [...methodsByPath].filter(([pattern]) => pattern.test(req.path)).sort(([a], [b]) => params(a) - params(b))[0]?.[1];
    if (!allowed) return next(new Problem(404, 'Not found', 'No such resource.'));
    res.setHeader('Allow', [...allowed].join(', '));
    next(new Problem(405, 'Method not allowed', `This resource answers ${[...allowed].join(', ')}.`));
  });
  // Temporal out of reach is the service's trouble, not a bug: 503, so callers retry.
  app.use((err: unknown, _req: express.Request, _res: express.Response, next: express.NextFunction) => {
    if (temporalUnreachable(err)) {
      deps.logger.warn({}, 'Temporal unavailable');
      return next(Problem.unavailable('Service unavailable', 'Temporal cannot be reached; try again shortly.'));
    }
    if (databaseUnavailable(err)) {
      deps.logger.warn({ code: (err as { code?: string }).code }, 'database unavailable');
      return next(Problem.unavailable('Service unavailable', 'The database cannot be reached; try again shortly.'));
    }
    next(err);
  });
  app.use(problemHandler((err) => deps.logger.error({ err: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) }, 'unhandled error')));
  return app;
}
