import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CaseworkerRoleSchema } from '../domain/vocabulary';
import type { CaseworkerRole } from '../domain/types';
import type { RecipientAddress } from '../store/texts';
import { DEFAULT_MAX_HISTORY_EVENTS } from '../workflows/definitions';
import { parsePayloadKeys, PayloadKeyError, type PayloadKey } from './codec';
import { identitySettings, IdentityEnvSchema } from '../identity/config';
import { DEVELOPMENT_REGISTER_BASE, developmentActivityUris, PROCESSING_ACTIVITIES, type ProcessingActivityKey } from '../processing-log';

/** Events one API key may send per minute (a batch counts its events) unless KOERS_EVENT_RATE_LIMIT_PER_MINUTE says otherwise. */
export const DEFAULT_EVENT_RATE_LIMIT_PER_MINUTE = 600;
/** New events one journey takes per day (Europe/Amsterdam) unless KOERS_JOURNEY_EVENT_BUDGET_PER_DAY says otherwise: far above what a journey's partners and staff send (api/limits.ts). */
export const DEFAULT_JOURNEY_EVENT_BUDGET_PER_DAY = 200;
/** Failed sign-ins one source address may make per 15 minutes unless KOERS_FAILED_SIGN_IN_LIMIT says otherwise (api/auth.ts SignInGuard). */
export const DEFAULT_FAILED_SIGN_IN_LIMIT = 20;

const port = z.coerce.number().int().min(1).max(65535);
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Every setting Koers reads from the environment; nothing else reads process.env. */
const EnvSchema = z.object({
  PORT: port.default(3000),
  KOERS_ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  KOERS_DATA_DIR: z.string().min(1).default('data'),
  KOERS_DATABASE_URL: z
    .string()
    .regex(/^(sqlite:|postgres(ql)?:\/\/)/, 'must start with sqlite: or postgres://')
    .optional(),
  KOERS_API_KEYS_FILE: z.string().min(1).optional(),
  // Derives journey ids and the BSN encryption key; the embedded default keeps one under KOERS_DATA_DIR.
  KOERS_SECRET_KEY: z.string().min(32, 'needs at least 32 characters').optional(),
  KOERS_TASK_QUEUE: z.string().min(1).default('koers-journeys'),
  // Payload encryption keys, `id:base64key,…`: the first encrypts, all decrypt (see platform/codec.ts).
  KOERS_PAYLOAD_KEYS: z
    .string()
    .transform((value, ctx) => {
      try {
        return parsePayloadKeys(value);
      } catch (err) {
        if (!(err instanceof PayloadKeyError)) throw err;
        ctx.addIssue({ code: 'custom', message: err.message });
        return z.NEVER;
      }
    })
    .optional(),
  // Sealing roots for personal data at rest, `id:base64key,…` (platform/sealing.ts): the first seals, all
  // open, and the secret's own root always opens. Rotation: add one in front, `npm run reseal`, drop the old.
  KOERS_SEALING_KEYS: z
    .string()
    .transform((value, ctx) => {
      try {
        const keys = parsePayloadKeys(value);
        const reserved = keys.find((k) => k.id === 'secret' || k.id === 'legacy');
        if (reserved) throw new PayloadKeyError(`key id "${reserved.id}" is reserved`);
        return keys;
      } catch (err) {
        if (!(err instanceof PayloadKeyError)) throw err;
        ctx.addIssue({ code: 'custom', message: err.message });
        return z.NEVER;
      }
    })
    .optional(),
  // Free space under KOERS_DATA_DIR below which /health answers degraded (MB; 0: not checked).
  KOERS_MIN_FREE_DISK_MB: z.coerce.number().int().min(0).max(10_000_000).default(256),
  // Where the API, the embedded Temporal server and its UI, and the worker metrics listen. Loopback by
  // default: only a container or cluster deployment opens them (0.0.0.0).
  KOERS_BIND_ADDRESS: z.union([z.ipv4(), z.ipv6()], { message: 'must be an IP address (127.0.0.1, 0.0.0.0, ::)' }).default('127.0.0.1'),
  // Origins of the Temporal Web UI that may call the codec endpoint (comma-separated); the embedded UI's by default.
  KOERS_CODEC_CORS_ORIGINS: z
    .string()
    .transform((value) => value.split(',').map((s) => s.trim().replace(/\/+$/, '')).filter(Boolean))
    .pipe(z.array(z.url({ protocol: /^https?$/, message: 'each origin must be an http(s) URL' })))
    .optional(),
  // A request whose headers and body have not arrived within this many seconds is cut off (slow-body clients).
  KOERS_REQUEST_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(15),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Without TEMPORAL_ADDRESS Koers runs its own embedded dev server, persisted under KOERS_DATA_DIR.
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d+$/, 'must be host:port')
    .optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TLS: flag.default(false),
  TEMPORAL_TLS_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_CA_PATH: z.string().min(1).optional(),
  // The name in the frontend's certificate when it differs from TEMPORAL_ADDRESS's host (an IP address,
  // a load balancer); host-name verification stays on.
  TEMPORAL_TLS_SERVER_NAME: z.string().regex(/^[A-Za-z0-9.-]+$/, 'must be a host name').optional(),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  KOERS_EMBEDDED_TEMPORAL_PORT: port.default(7233),
  KOERS_EMBEDDED_TEMPORAL_UI_PORT: port.default(8233),
  // Who gets reminders, escalations and digests; without it nothing is routed (see loadNotifications).
  KOERS_NOTIFICATIONS_FILE: z.string().min(1).optional(),
  // Each municipality's Zaken API (chain/zaken/config.ts); without it no journey is a zaak.
  KOERS_ZAKEN_CONFIG: z.string().min(1).optional(),
  KOERS_WEBHOOK_SECRET: z.string().min(16, 'needs at least 16 characters').optional(),
  KOERS_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/\S+$/, 'must start with smtp:// or smtps://')
    .optional(),
  KOERS_MAIL_FROM: z
    .string()
    .regex(/^(?:[^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/, 'must be an address, optionally as "Name <address>"')
    .optional(),
  KOERS_DIGEST_TIME: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (Europe/Amsterdam)')
    .default('07:00'),
  // Calendar-feed links are handed to apps outside this machine, so they need the address those apps reach.
  KOERS_PUBLIC_URL: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
  // Journeys a worker keeps in its sticky cache: its memory is about this times the cost of one
  // cached journey (bench/worker-memory.ts); a journey outside it replays its history on its next task.
  KOERS_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(10).max(100_000).default(1000),
  // A journey continues as new past this many history events: a journey outside a worker's cache
  // replays its run on its next task, at about a millisecond of CPU per event (bench replay section).
  // Pinned in each journey's input at start.
  KOERS_MAX_HISTORY_EVENTS: z.coerce.number().int().min(50).max(10_000).default(DEFAULT_MAX_HISTORY_EVENTS),
  // The process's V8 old-space limit in MB (--max-old-space-size, also each worker thread's); main.ts
  // restarts Node with it. 0: Node's own default (a share of the machine's memory).
  KOERS_HEAP_MB: z.coerce.number().int().refine((mb) => mb === 0 || (mb >= 256 && mb <= 65_536), 'must be 0 or 256-65536').default(1024),
  // Starts and events are answered 503 while a new task on the task queue would wait longer than this
  // (seconds): the workers are behind and the change would not show within a second. 0: never.
  KOERS_MAX_BACKLOG_SECONDS: z.coerce.number().int().min(0).max(3600).default(5),
  // Events one API key may send per minute, a batch counting each of its events (429 beyond): one partner cannot crowd out the rest.
  // A bulk feed (DUO for a whole region) needs more than the default; 0 turns the limit off.
  KOERS_EVENT_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(DEFAULT_EVENT_RATE_LIMIT_PER_MINUTE),
  // New events one journey takes per day, Europe/Amsterdam (429 beyond, per event in a batch; api/limits.ts):
  // one sender, or several, cannot flood a journey's history. A duplicate is never counted. 0: no budget.
  KOERS_JOURNEY_EVENT_BUDGET_PER_DAY: z.coerce.number().int().min(0).max(1_000_000).default(DEFAULT_JOURNEY_EVENT_BUDGET_PER_DAY),
  KOERS_FAILED_SIGN_IN_LIMIT: z.coerce.number().int().min(0).max(1_000_000).default(DEFAULT_FAILED_SIGN_IN_LIMIT),
  // 0 turns the worker's Prometheus exporter off.
  KOERS_WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  // People's sign-in (OpenID Connect) and web sessions: identity/config.ts, docs/identity.md.
  ...IdentityEnvSchema,
  // The TLS proxy in front of the API (express `trust proxy`): a hop count or the proxies' addresses
  // (IP, CIDR, or loopback / linklocal / uniquelocal, comma-separated). Its X-Forwarded-Proto and -For are
  // believed, so cookies get `Secure` and HSTS is sent behind TLS. Unset: no proxy is trusted.
  KOERS_TRUST_PROXY: z
    .string()
    .regex(/^(\d{1,2}|(loopback|linklocal|uniquelocal|[0-9a-fA-F.:]+(\/\d{1,3})?)(\s*,\s*(loopback|linklocal|uniquelocal|[0-9a-fA-F.:]+(\/\d{1,3})?))*)$/, 'must be a hop count or proxy addresses (IP, CIDR, loopback, linklocal, uniquelocal), comma-separated')
    .optional(),
  // Bearer token for /metrics and the details of /health; without it they answer anyone on the API port.
  KOERS_METRICS_TOKEN: z.string().min(32, 'needs at least 32 characters').optional(),
  // `production` refuses what only a development machine may have: no key file (a generated development
  // admin), plain keys on disk, keys without owner, purpose and expiry, partner keys without sources.
  KOERS_MODE: z.enum(['development', 'production']).default('development'),
  // Days a calendar-feed token works after it was issued (api/calendar.ts).
  KOERS_CALENDAR_TOKEN_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  // The BRP API Personen gateway of this deployment (chain/brp/config.ts, README "Configuration"); none: no BRP.
  KOERS_BRP_FILE: z.string().min(1).optional(),
  // The processing log (docs/processing-log.md): each processing activity's URI in the municipality's register
  // of processing activities (AVG art. 30), `activity=URI` comma-separated, every activity named. Unset: the
  // development register under https://verwerkingsregister.example/ (refused in production mode).
  KOERS_PROCESSING_ACTIVITIES: z
    .string()
    .transform((value, ctx) => {
      const uris: Partial<Record<ProcessingActivityKey, string>> = {};
      for (const entry of value.split(',').map((s) => s.trim()).filter(Boolean)) {
        const at = entry.indexOf('=');
        const key = entry.slice(0, at).trim();
        const uri = entry.slice(at + 1).trim();
        if (at < 0 || !(PROCESSING_ACTIVITIES as readonly string[]).includes(key)) {
          ctx.addIssue({ code: 'custom', message: `"${at < 0 ? entry : key}" is no processing activity (${PROCESSING_ACTIVITIES.join(', ')}); write activity=URI` });
          return z.NEVER;
        }
        if (!z.url({ protocol: /^https?$/ }).safeParse(uri).success) {
          ctx.addIssue({ code: 'custom', message: `${key}: must be an http(s) URI in the register of processing activities` });
          return z.NEVER;
        }
        uris[key as ProcessingActivityKey] = uri;
      }
      const missing = PROCESSING_ACTIVITIES.filter((key) => !uris[key]);
      if (missing.length > 0) {
        ctx.addIssue({ code: 'custom', message: `no URI for ${missing.join(', ')}` });
        return z.NEVER;
      }
      return uris as Record<ProcessingActivityKey, string>;
    })
    .optional(),
});

/** Settings docker-compose.yml passes as `${NAME:-}`: empty when the operator sets none, which means unset. */
const COMPOSE_OPTIONAL = ['KOERS_PAYLOAD_KEYS', 'KOERS_SEALING_KEYS', 'KOERS_BRP_FILE', 'KOERS_ZAKEN_CONFIG'] as const;

export type Config = ReturnType<typeof loadConfig>;

export class ConfigError extends Error {}

/** Validates the environment; the error message is one line naming the wrong setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  // Compose passes `${KOERS_PAYLOAD_KEYS:-}` as an empty string when the operator sets none.
  const unset = Object.fromEntries(COMPOSE_OPTIONAL.filter((name) => env[name] === '').map((name) => [name, undefined]));
  const parsed = EnvSchema.safeParse({ ...env, ...unset });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    // The variable's name; a list setting's entry number goes into the message.
    const [name, ...within] = issue.path;
    throw new ConfigError(`invalid setting ${String(name)}: ${within.length ? `entry ${Number(within[0]) + 1}: ` : ''}${issue.message}`);
  }
  const e = parsed.data;
  if ((e.TEMPORAL_TLS_CERT_PATH === undefined) !== (e.TEMPORAL_TLS_KEY_PATH === undefined)) {
    throw new ConfigError('invalid setting TEMPORAL_TLS_CERT_PATH: TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together');
  }
  if (e.KOERS_MODE === 'production' && e.TEMPORAL_ADDRESS !== undefined && e.TEMPORAL_TLS_CERT_PATH === undefined && e.TEMPORAL_API_KEY === undefined) {
    // Whoever reaches a cluster without TLS can signal, terminate or delete any journey around the API.
    throw new ConfigError(
      'invalid setting TEMPORAL_TLS_CERT_PATH: production mode (KOERS_MODE) refuses a Temporal cluster without mutual TLS; set TEMPORAL_TLS_CA_PATH, TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH (docs/deployment.md)',
    );
  }
  if (e.KOERS_MODE === 'production' && e.KOERS_ROLE !== 'worker' && e.KOERS_API_KEYS_FILE === undefined) {
    throw new ConfigError('invalid setting KOERS_API_KEYS_FILE: production mode (KOERS_MODE) needs a key file; there is no development admin');
  }
  const processingActivities = e.KOERS_PROCESSING_ACTIVITIES ?? developmentActivityUris();
  if (e.KOERS_MODE === 'production' && Object.values(processingActivities).some((uri) => uri.startsWith(DEVELOPMENT_REGISTER_BASE))) {
    throw new ConfigError('invalid setting KOERS_PROCESSING_ACTIVITIES: production mode (KOERS_MODE) needs the URI of every processing activity in the municipality\'s register');
  }
  const dataDir = path.resolve(e.KOERS_DATA_DIR);
  const publicUrl = (e.KOERS_PUBLIC_URL ?? `http://127.0.0.1:${e.PORT}`).replace(/\/+$/, '');
  const [digestHour, digestMinute] = e.KOERS_DIGEST_TIME.split(':').map(Number) as [number, number];
  return {
    port: e.PORT,
    role: e.KOERS_ROLE,
    dataDir,
    databaseUrl: e.KOERS_DATABASE_URL ?? `sqlite:${path.join(dataDir, 'koers.db')}`,
    apiKeysFile: e.KOERS_API_KEYS_FILE,
    secretKey: e.KOERS_SECRET_KEY,
    taskQueue: e.KOERS_TASK_QUEUE,
    /** undefined: one key derived from the secret (embedded setup). */
    payloadKeys: e.KOERS_PAYLOAD_KEYS as PayloadKey[] | undefined,
    /** KOERS_SEALING_KEYS; empty: the secret's own sealing keys seal (platform/sealing.ts). */
    sealingKeys: (e.KOERS_SEALING_KEYS ?? []) as PayloadKey[],
    /** /health degrades below this much free space under dataDir (MB; 0: not checked). */
    minFreeDiskMb: e.KOERS_MIN_FREE_DISK_MB,
    bindAddress: e.KOERS_BIND_ADDRESS,
    codecCorsOrigins: e.KOERS_CODEC_CORS_ORIGINS ?? [`http://127.0.0.1:${e.KOERS_EMBEDDED_TEMPORAL_UI_PORT}`, `http://localhost:${e.KOERS_EMBEDDED_TEMPORAL_UI_PORT}`],
    requestTimeoutMs: e.KOERS_REQUEST_TIMEOUT_SECONDS * 1000,
    logLevel: e.LOG_LEVEL,
    temporal: {
      /** undefined: start the embedded dev server. */
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      tls: e.TEMPORAL_TLS || [e.TEMPORAL_TLS_CERT_PATH, e.TEMPORAL_TLS_CA_PATH, e.TEMPORAL_TLS_SERVER_NAME, e.TEMPORAL_API_KEY].some((v) => v !== undefined),
      tlsCertPath: e.TEMPORAL_TLS_CERT_PATH,
      tlsKeyPath: e.TEMPORAL_TLS_KEY_PATH,
      tlsCaPath: e.TEMPORAL_TLS_CA_PATH,
      tlsServerName: e.TEMPORAL_TLS_SERVER_NAME,
      /** KOERS_MODE=production: the cluster must answer with TLS (checked at start, platform/temporal.ts checkTemporalTls). */
      requireTls: e.KOERS_MODE === 'production',
      /**
       * Where the embedded server and its Web UI listen: KOERS_BIND_ADDRESS, but loopback in production
       * mode, because the embedded server has no TLS and no authorizer.
       */
      embeddedBindAddress: e.KOERS_MODE === 'production' ? '127.0.0.1' : e.KOERS_BIND_ADDRESS,
      apiKey: e.TEMPORAL_API_KEY,
      embeddedPort: e.KOERS_EMBEDDED_TEMPORAL_PORT,
      embeddedUiPort: e.KOERS_EMBEDDED_TEMPORAL_UI_PORT,
    },
    notifications: {
      file: e.KOERS_NOTIFICATIONS_FILE,
      webhookSecret: e.KOERS_WEBHOOK_SECRET,
      smtpUrl: e.KOERS_SMTP_URL,
      mailFrom: e.KOERS_MAIL_FROM,
      /** Local time in Europe/Amsterdam. */
      digestTime: { hour: digestHour, minute: digestMinute },
    },
    publicUrl,
    /** The JSON file with each municipality's Zaken API settings (chain/zaken/config.ts); absent: no zaken. */
    zakenConfigFile: e.KOERS_ZAKEN_CONFIG,
    /** People's sign-in and web sessions (identity/config.ts). */
    identity: identitySettings(e, publicUrl, (message) => new ConfigError(message)),
    workerMetricsPort: e.KOERS_WORKER_METRICS_PORT,
    maxCachedWorkflows: e.KOERS_MAX_CACHED_WORKFLOWS,
    /** History events after which a journey's run continues as new (pinned in its input at start). */
    maxHistoryEvents: e.KOERS_MAX_HISTORY_EVENTS,
    /** MB; 0: Node's default. */
    heapMb: e.KOERS_HEAP_MB,
    maxBacklogSeconds: e.KOERS_MAX_BACKLOG_SECONDS,
    /** Events per API key per minute, a batch counting its events; 0: no limit. */
    eventRateLimitPerMinute: e.KOERS_EVENT_RATE_LIMIT_PER_MINUTE,
    /** New events per journey per day (Europe/Amsterdam); 0: no budget. */
    journeyEventBudgetPerDay: e.KOERS_JOURNEY_EVENT_BUDGET_PER_DAY,
    /** Failed sign-ins per source address per 15 minutes before 429; 0: no limit. */
    failedSignInLimit: e.KOERS_FAILED_SIGN_IN_LIMIT,
    /** express `trust proxy`: hops, or the proxies' addresses; undefined: none trusted. */
    trustProxy: e.KOERS_TRUST_PROXY === undefined ? undefined : /^\d+$/.test(e.KOERS_TRUST_PROXY) ? Number(e.KOERS_TRUST_PROXY) : e.KOERS_TRUST_PROXY.split(',').map((s) => s.trim()),
    /** Bearer token for /metrics and /health's details; undefined: open. */
    metricsToken: e.KOERS_METRICS_TOKEN,
    /** KOERS_MODE=production: the checks a security officer asks for (README, Configuration). */
    production: e.KOERS_MODE === 'production',
    calendarTokenDays: e.KOERS_CALENDAR_TOKEN_DAYS,
    /** The BRP settings file (chain/brp/config.ts `loadBrpSettings`, read at start); undefined: no BRP. */
    brpFile: e.KOERS_BRP_FILE,
    /** Each processing activity's URI in the register of processing activities (processing-log/index.ts). */
    processingActivities,
  };
}

/** Names of the variables a deployment must consider; the compose test checks them against docker-compose.yml. */
export const configVariableNames = Object.keys(EnvSchema.shape);

const Address = z.discriminatedUnion('channel', [
  z.strictObject({ channel: z.literal('webhook'), recipient: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }) }),
  z.strictObject({ channel: z.literal('email'), recipient: z.email({ message: 'must be an e-mail address' }) }),
]);

const NotificationsFileSchema = z.strictObject({
  /** Per municipality (or `*` for every one): where each caseworker role's reminders and escalations go. */
  roles: z.record(z.union([z.literal('*'), z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a municipality slug or *')]), z.partialRecord(CaseworkerRoleSchema, Address)).default({}),
  /** Per staff id (an API key's `name`): where that caseworker's daily digest goes. */
  users: z.record(z.string().min(1).max(128), Address).default({}),
  /** Where the administrators hear of a journey that failed, was terminated, timed out or keeps failing its workflow task. */
  admin: Address.optional(),
  lang: z.enum(['nl', 'en']).default('nl'),
});

export interface NotificationSettings {
  roles: Record<string, Partial<Record<CaseworkerRole, RecipientAddress>>>;
  users: Record<string, RecipientAddress>;
  admin?: RecipientAddress;
  lang: 'nl' | 'en';
}

const noNotifications: NotificationSettings = { roles: {}, users: {}, lang: 'nl' };

/**
 * The notifications file's routing, checked against the channels it needs: a webhook recipient needs
 * KOERS_WEBHOOK_SECRET, an e-mail recipient KOERS_SMTP_URL and KOERS_MAIL_FROM. `raw` is the parsed
 * JSON; errors are one line naming the setting and the field, never a recipient.
 */
export function parseNotifications(raw: unknown, config: Pick<Config, 'notifications'>, options: { requireChannels?: boolean } = {}): NotificationSettings {
  const source = `invalid setting KOERS_NOTIFICATIONS_FILE: ${config.notifications.file ?? '(file)'}`;
  const parsed = NotificationsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const [where, message] =
      issue.code === 'unrecognized_keys'
        ? [[...issue.path, issue.keys[0]].join('.'), 'unknown field']
        : [issue.path.join('.') || '(top level)', issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message];
    throw new ConfigError(`${source}: ${where}: ${message}`);
  }
  const settings = parsed.data as NotificationSettings;
  if (options.requireChannels ?? true) {
    const addresses = [...Object.values(settings.roles).flatMap((byRole) => Object.values(byRole)), ...Object.values(settings.users), ...(settings.admin ? [settings.admin] : [])];
    const uses = (channel: RecipientAddress['channel']) => addresses.some((a) => a?.channel === channel);
    const { webhookSecret, smtpUrl, mailFrom } = config.notifications;
    if (uses('webhook') && !webhookSecret) throw new ConfigError('invalid setting KOERS_WEBHOOK_SECRET: required because KOERS_NOTIFICATIONS_FILE has a webhook recipient');
    if (uses('email') && !smtpUrl) throw new ConfigError('invalid setting KOERS_SMTP_URL: required because KOERS_NOTIFICATIONS_FILE has an e-mail recipient');
    if (uses('email') && !mailFrom) throw new ConfigError('invalid setting KOERS_MAIL_FROM: required because KOERS_NOTIFICATIONS_FILE has an e-mail recipient');
  }
  return settings;
}

/** Reads KOERS_NOTIFICATIONS_FILE (nothing routed without it). */
export function loadNotifications(config: Pick<Config, 'notifications'>, options: { requireChannels?: boolean } = {}): NotificationSettings {
  const file = config.notifications.file;
  if (!file) return noNotifications;
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`invalid setting KOERS_NOTIFICATIONS_FILE: ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  return parseNotifications(raw, config, options);
}
