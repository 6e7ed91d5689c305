import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import v8 from 'node:v8';
import nodemailer from 'nodemailer';
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptionsAction, type ScheduleSpec } from '@temporalio/client';
import type { Worker, WorkflowBundleOption } from '@temporalio/worker';
import { loadNotifications, type Config } from './config';
import { Brp, loadBrpSettings } from '../chain/brp';
import type { Logger } from './logger';
import { startDevServer, type DevServer } from './dev-server';
import { checkTemporalTls, closeClient, connectClient, connectWorker } from './temporal';
import { EncryptionCodec, derivedPayloadKey, koersDataConverter } from './codec';
import { loadSecret, prepareDataDir, secretCheck, StartRefused } from './data-dir';
import { InstanceStore } from '../store/instance';
import { healthProbes } from './health';
import { createJourneyWorker } from '../worker';
import { createActivities } from '../activities';
import { createApp } from '../api/app';
import { ApiKeys, SignInGuard, watchApiKeysFile } from '../api/auth';
import { Identity } from '../api/identity';
import { People } from '../identity';
import { AuditStore, forgetJourneyAudit, migrateAuditStore } from '../api/audit-store';
import { inTransaction, openDatabase } from '../store/db';
import { migrateToLatest } from '../store/migrations';
import { TaskStore } from '../store/tasks';
import { JourneyReadModel } from '../store/journeys';
import { PolicyVersions } from '../store/policies';
import { PersonIndex } from '../store/persons';
import { Outbox } from '../store/outbox';
import { JourneySignals } from '../store/journey-signals';
import { CalendarTokens } from '../store/ical';
import { Dispatcher, type Channel } from '../store/dispatcher';
import { createWebhookChannel } from '../store/channels/webhook';
import { createEmailChannel } from '../store/channels/email';
import type { ChannelName } from '../store/outbox';
import { dailyDigestWorkflow } from '../workflows/digest';
import { retentionWorkflow } from '../workflows/retention';
import { RetentionStore } from '../store/retention';
import { StaffPseudonyms } from '../store/staff-pseudonyms';
import { recordStaffSignIn, StaffDirectory } from '../staff/directory';
import { JourneyMonitor } from '../worker/monitor';
import { ApiMetrics } from '../api/metrics';
import { KeptZaken, ZaakRegistration, createZakenChannel, loadZakenConfig } from '../chain/zaken';
import { StoredProcessingLog } from '../processing-log';
import { warmBundles } from '../web/assets';

/** The Schedule that starts the daily digest; one per namespace and task queue's deployment. */
export const DIGEST_SCHEDULE_ID = 'koers-daily-digest';
/** The Schedule that erases personal data past its retention, each night. */
export const RETENTION_SCHEDULE_ID = 'koers-retention';

export interface StartOptions {
  workflowBundle?: WorkflowBundleOption;
  /** More Prometheus text for the API's /metrics (the worker runtime's exporter, see main.ts). */
  extraMetrics?: () => Promise<string>;
}

export interface RunningKoers {
  apiUrl?: string;
  temporalAddress: string;
  temporalUiUrl?: string;
  stop(): Promise<void>;
}

/** Starts the parts the config asks for, in dependency order; `stop` ends them in reverse. */
export async function startKoers(config: Config, logger: Logger, options: StartOptions = {}): Promise<RunningKoers> {
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => logger.error({ err }, 'stop failed'));
  };
  try {
    // First, so a wrong file stops start-up before anything runs. Only the worker sends, so only it needs the channels' settings.
    const notifications = loadNotifications(config, { requireChannels: config.role !== 'api' });
    // The BRP's settings too: a wrong file stops start-up; none is a deployment without the BRP.
    const brpSettings = config.role === 'worker' ? undefined : loadBrpSettings(config.brpFile);
    // Checked by every role: a wrong file stops start-up naming each wrong field. The API erases (and so archives zaken) too.
    const zakenConfig = loadZakenConfig(config.zakenConfigFile);
    const zaken = new ZaakRegistration((municipality) => municipality in zakenConfig.municipalities);
    // Everything Koers and the embedded Temporal server write holds personal data: the owner's alone.
    process.umask(0o077);
    prepareDataDir(config.dataDir);
    const secret = refusing(logger, () => loadSecret(config, logger));
    const identity = new Identity(secret, config.sealingKeys);
    // Worker and API must hold the same keys: what one encrypts the other decrypts.
    const codec = new EncryptionCodec(config.payloadKeys ?? [derivedPayloadKey(secret)]);
    const dataConverter = koersDataConverter(codec);
    let devServer: DevServer | undefined;
    // Before anything else reaches the cluster: production mode does not talk to one without TLS.
    if (config.temporal.address && config.temporal.requireTls) await checkTemporalTls(config.temporal, config.temporal.address);
    if (!config.temporal.address) {
      devServer = await startDevServer({
        ip: config.temporal.embeddedBindAddress,
        port: config.temporal.embeddedPort,
        uiPort: config.temporal.embeddedUiPort,
        dbFile: path.join(config.dataDir, 'temporal.db'),
        namespace: config.temporal.namespace,
        // The embedded UI decodes through this process's codec endpoint, for administrators only.
        ...(config.role !== 'worker' ? { uiCodecEndpoint: `${config.publicUrl}/codec` } : {}),
        logger,
      });
      stops.push(() => devServer!.stop());
    }
    const temporalAddress = config.temporal.address ?? devServer!.address;

    const db = openDatabase(config.databaseUrl, {
      // The pool has dropped the connection and reconnects for the next query; an operator may want to know.
      onIdleError: (err) => logger.warn({ err: { name: err.name, message: err.message, code: (err as { code?: string }).code } }, 'database connection lost; reconnecting'),
    });
    stops.push(() => db.destroy());
    await migrateToLatest(db);
    await migrateAuditStore(db);
    const instance = new InstanceStore(db);
    // KOERS_SECRET_KEY changed, or another data directory's secret.key: what the store holds was sealed under another.
    if (!(await instance.matchesSecret(secretCheck(secret)))) {
      refusing(logger, () => {
        throw new StartRefused('the store was sealed under another secret than KOERS_SECRET_KEY or secret.key: start with the secret that sealed it (restore it with the backup)');
      });
    }
    const tasks = new TaskStore(db);
    const outbox = new Outbox(db);
    const journeys = new JourneyReadModel(db, undefined, identity);
    const retention = new RetentionStore(db, undefined, [forgetJourneyAudit, zaken.erase]);
    const staffPseudonyms = new StaffPseudonyms(db);
    // The processing log (Logboek Dataverwerkingen): the API's and the worker's processings of personal data.
    const processingLog = new StoredProcessingLog(db, identity, config.processingActivities);
    const client = await connectClient(config.temporal, temporalAddress, dataConverter);
    stops.push(async () => {
      const left = await closeClient(client);
      if (left.length > 0) logger.warn({ calls: left }, 'Temporal client closed with calls still running');
    });

    let worker: Worker | undefined;
    if (config.role !== 'api') {
      const { channels, close } = deliveryChannels(config);
      if (Object.keys(zakenConfig.municipalities).length > 0) {
        const identity = new Identity(secret);
        channels.zaken = createZakenChannel({ config: zakenConfig, zaken: new KeptZaken(db), unsealBsn: (sealed, journeyId) => identity.decryptBsn(journeyId, sealed), processingLog });
      }
      const dispatcher = new Dispatcher(outbox, {
        channels,
        onError: (err) => logger.error({ err: err instanceof Error ? { name: err.name, message: err.message } : String(err) }, 'outbox dispatcher round failed'),
      });
      dispatcher.start();
      stops.push(async () => {
        await dispatcher.stop();
        close();
      });
      // Counts only: recipients are addresses of staff.
      logger.info(
        { channels: Object.keys(channels), zaakRegistrations: Object.keys(zakenConfig.municipalities), roleRoutes: Object.values(notifications.roles).reduce((n, byRole) => n + Object.keys(byRole).length, 0), digestRecipients: Object.keys(notifications.users).length },
        'outbox dispatcher started',
      );

      const connection = await connectWorker(config.temporal, temporalAddress);
      worker = await createJourneyWorker({
        connection,
        namespace: config.temporal.namespace,
        taskQueue: config.taskQueue,
        activities: createActivities({ db, tasks, outbox, journeys, recipients: notifications.roles, userRecipients: notifications.users, lang: notifications.lang, retention, staffPseudonyms, processingLog, zaken }),
        workflowBundle: options.workflowBundle,
        dataConverter,
        maxCachedWorkflows: config.maxCachedWorkflows,
      });
      const running = worker.run();
      stops.push(async () => {
        // The SDK drains the worker itself on SIGINT/SIGTERM; shutting it down again would throw.
        if (worker!.getState() === 'RUNNING') worker!.shutdown();
        await running;
        await connection.close();
      });
      logger.info({ taskQueue: config.taskQueue, payloadKeyId: codec.currentKeyId, maxCachedWorkflows: config.maxCachedWorkflows, heapLimitMb: Math.round(v8.getHeapStatistics().heap_size_limit / 2 ** 20) }, 'worker started');
      const monitor = new JourneyMonitor({
        client,
        outbox,
        journeys,
        taskQueue: config.taskQueue,
        admin: notifications.admin,
        lang: notifications.lang,
        zaakStopped: (journeyId, status) => inTransaction(db, (trx) => zaken.recordStop(trx, journeyId, status)),
        onError: (err) => logger.warn({ err: err instanceof Error ? { name: err.name, message: err.message } : String(err) }, 'journey monitor round failed'),
        onUnrouted: (journeyId, status) => logger.error({ journeyId, status }, 'journey stopped; no admin address in KOERS_NOTIFICATIONS_FILE to tell'),
      });
      monitor.start();
      stops.push(() => monitor.stop());
      await ensureDigestSchedule(client, config, logger);
      await ensureRetentionSchedule(client, config, logger);
    }

    let apiUrl: string | undefined;
    if (config.role !== 'worker') {
      const keysFile = apiKeysFile(config, logger);
      const keys = ApiKeys.fromFile(keysFile, { production: config.production });
      const apiMetrics = new ApiMetrics();
      // A key removed from the file stops working within seconds, without a restart. A file that is
      // refused is loud: an error line (naming the entry, never a key), a metric, /health's details.
      const stopWatching = watchApiKeysFile(keys, keysFile, (outcome) => {
        if (outcome.ok) return logger.info({ keys: outcome.keys, trigger: outcome.trigger }, 'API keys reloaded');
        apiMetrics.keyFileRejected.inc();
        logger.error({ error: outcome.error, trigger: outcome.trigger }, 'API keys file refused: the previous keys stay in force');
      });
      stops.push(async () => stopWatching());
      const staff = new StaffDirectory(db);
      // People sign in at the municipality's identity provider, or (no provider: development mode) with an API key.
      const people = new People({
        db,
        keys,
        secrets: identity,
        settings: config.identity,
        logger,
        // The staff directory learns colleagues from their sign-ins (a role that works no tasks deactivates them).
        recordStaffSignIn: (person) => recordStaffSignIn(staff, person.principal, person.displayName),
        staffWithdrawn: async (staffId) => void (await staff.deactivate(staffId)),
      });
      logger.info({ signIn: people.oidc ? 'openid-connect' : 'api-key (development mode)' }, 'web sign-in');
      const app = createApp({
        client,
        taskQueue: config.taskQueue,
        keys,
        people,
        tasks,
        persons: new PersonIndex(db),
        journeys,
        policies: new PolicyVersions(db),
        outbox,
        // Without any routing a reminder is never kept (activities/notifications.ts `unrouted`): the inbox says why its list is empty.
        notificationsRouted: Object.keys(notifications.roles).length > 0 || Object.keys(notifications.users).length > 0,
        staff,
        journeySignals: new JourneySignals(db),
        processingLog,
        metrics: apiMetrics,
        audit: new AuditStore(db),
        identity,
        retention,
        staffPseudonyms,
        calendar: { tokens: new CalendarTokens(db), publicUrl: config.publicUrl, lang: notifications.lang, tokenDays: config.calendarTokenDays },
        codecEndpoint: { codec, corsOrigins: config.codecCorsOrigins },
        extraMetrics: options.extraMetrics,
        maxBacklogSeconds: config.maxBacklogSeconds,
        eventRateLimit: { windowMs: 60_000, limit: config.eventRateLimitPerMinute },
        journeyEventBudgetPerDay: config.journeyEventBudgetPerDay,
        signInGuard: new SignInGuard(config.failedSignInLimit),
        maxHistoryEvents: config.maxHistoryEvents,
        ...(brpSettings ? { brp: new Brp(brpSettings, { processingLog }) } : {}),
        ...(config.trustProxy !== undefined ? { trustProxy: config.trustProxy } : {}),
        ...(config.metricsToken ? { metricsToken: config.metricsToken } : {}),
        health: healthProbes({ dataDir: config.dataDir, minFreeDiskMb: config.minFreeDiskMb, embedded: config.databaseUrl.startsWith('sqlite:') || !config.temporal.address }, instance, logger),
        logger,
      });
      const server = http.createServer(
        {
          // A client that trickles its headers or body is cut off, not held open for minutes.
          requestTimeout: config.requestTimeoutMs,
          headersTimeout: Math.min(config.requestTimeoutMs, 10_000),
          connectionsCheckingInterval: 1000,
        },
        app,
      );
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.bindAddress, () => resolve());
      });
      stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      // What a command owed a journey and Temporal did not take at once (api/journey-signals.ts).
      app.koers.relay.start();
      stops.push(() => app.koers.relay.stop());
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      apiUrl = `http://${config.bindAddress === '0.0.0.0' || config.bindAddress === '::' ? '127.0.0.1' : config.bindAddress.includes(':') ? `[${config.bindAddress}]` : config.bindAddress}:${port}`;
      logger.info({ url: apiUrl, bindAddress: config.bindAddress, port }, 'API listening');
      // The web app's browser bundles, built before the first page asks (web/assets.ts); tests build them when a test asks.
      if (process.env.NODE_ENV !== 'test') warmBundles();
    }
    return { apiUrl, temporalAddress, temporalUiUrl: devServer?.uiUrl, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The channels whose settings are present; a message for a missing one fails and ends as a dead letter the admin sees. */
function deliveryChannels(config: Config): { channels: Partial<Record<ChannelName, Channel>>; close: () => void } {
  const channels: Partial<Record<ChannelName, Channel>> = {};
  const { webhookSecret, smtpUrl, mailFrom } = config.notifications;
  if (webhookSecret) channels.webhook = createWebhookChannel({ secret: webhookSecret });
  let close = () => undefined as void;
  if (smtpUrl && mailFrom) {
    const email = createEmailChannel({ transport: nodemailer.createTransport(smtpUrl), from: mailFrom });
    channels.email = email;
    close = () => email.close();
  }
  return { channels, close };
}

/**
 * Creates the Schedule that starts the daily digest at KOERS_DIGEST_TIME in Amsterdam. Every worker
 * instance tries at start; one creates it, the others find it and bring its time and task queue in
 * line with their configuration.
 */
async function ensureDigestSchedule(client: Client, config: Config, logger: Logger): Promise<void> {
  const { hour, minute } = config.notifications.digestTime;
  const spec: ScheduleSpec = { calendars: [{ hour, minute }], timezone: 'Europe/Amsterdam' };
  const action: ScheduleOptionsAction = { type: 'startWorkflow', workflowType: dailyDigestWorkflow, workflowId: DIGEST_SCHEDULE_ID, taskQueue: config.taskQueue, args: [] };
  try {
    // A digest hours late is no morning overview; past the catch-up window a missed run is skipped.
    await client.schedule.create({ scheduleId: DIGEST_SCHEDULE_ID, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '6 hours' } });
    logger.info({ scheduleId: DIGEST_SCHEDULE_ID, hour, minute }, 'daily digest schedule created');
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule
      .getHandle(DIGEST_SCHEDULE_ID)
      .update((previous) => ({ ...previous, spec, action }))
      .catch((updateErr: unknown) => logger.warn({ err: updateErr instanceof Error ? updateErr.message : String(updateErr) }, 'daily digest schedule not updated'));
  }
}

/** The nightly retention sweep at 02:30 in Amsterdam; like the digest, every worker makes sure it exists. */
async function ensureRetentionSchedule(client: Client, config: Config, logger: Logger): Promise<void> {
  const spec: ScheduleSpec = { calendars: [{ hour: 2, minute: 30 }], timezone: 'Europe/Amsterdam' };
  const action: ScheduleOptionsAction = { type: 'startWorkflow', workflowType: retentionWorkflow, workflowId: RETENTION_SCHEDULE_ID, taskQueue: config.taskQueue, args: [] };
  try {
    // A missed night is caught up the next: nothing is lost by skipping.
    await client.schedule.create({ scheduleId: RETENTION_SCHEDULE_ID, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '12 hours' } });
    logger.info({ scheduleId: RETENTION_SCHEDULE_ID }, 'retention schedule created');
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule
      .getHandle(RETENTION_SCHEDULE_ID)
      .update((previous) => ({ ...previous, spec, action }))
      .catch((updateErr: unknown) => logger.warn({ err: updateErr instanceof Error ? updateErr.message : String(updateErr) }, 'retention schedule not updated'));
  }
}

/** The API keys file; without KOERS_API_KEYS_FILE the embedded setup writes a clearly marked development key file once. */
function apiKeysFile(config: Config, logger: Logger): string {
  if (config.apiKeysFile) return config.apiKeysFile;
  const file = path.join(config.dataDir, 'dev-api-keys.json');
  if (!fs.existsSync(file)) {
    const key = () => `dev-${crypto.randomBytes(18).toString('base64url')}`;
    const entries = [
      { key: key(), role: 'admin', name: 'DEVELOPMENT ONLY admin', municipalities: [], eventTypes: [] },
      { key: key(), role: 'caseworker', name: 'dev-caseworker', municipalities: ['borger-odoorn', 'midden-drenthe'], eventTypes: [] },
    ];
    fs.writeFileSync(file, JSON.stringify(entries, null, 2), { mode: 0o600 });
    logger.warn({ file }, 'no KOERS_API_KEYS_FILE: wrote development API keys (not for production)');
  } else {
    // Earlier versions named the development caseworker with spaces, which is no staff id (api/auth.ts).
    const text = fs.readFileSync(file, 'utf8');
    if (text.includes('"DEVELOPMENT ONLY caseworker"')) {
      fs.writeFileSync(file, text.replaceAll('"DEVELOPMENT ONLY caseworker"', '"dev-caseworker"'), { mode: 0o600 });
      logger.warn({ file }, 'development API keys: the caseworker is now named dev-caseworker (a staff id)');
    }
  }
  return file;
}

/** Runs `fn`; a refusal to start is logged as the error line an operator looks for, then thrown on. */
function refusing<T>(logger: Logger, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof StartRefused) logger.error({ reason: err.message }, 'refusing to start');
    throw err;
  }
}
