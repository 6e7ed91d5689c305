import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Server } from 'node:http';
import nodemailer from 'nodemailer';
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptionsAction, type ScheduleSpec } from '@temporalio/client';
import type { Worker, WorkflowBundleOption } from '@temporalio/worker';
import { loadNotifications, type Config } from './config';
import type { Logger } from './logger';
import { startDevServer, type DevServer } from './dev-server';
import { connectClient, connectWorker } from './temporal';
import { createJourneyWorker } from '../worker';
import { createActivities } from '../activities';
import { createApp } from '../api/app';
import { ApiKeys } from '../api/auth';
import { Identity } from '../api/identity';
import { AuditStore, migrateAuditStore } from '../api/audit-store';
import { openDatabase } from '../store/db';
import { migrateToLatest } from '../store/migrations';
import { TaskStore } from '../store/tasks';
import { PersonIndex } from '../store/persons';
import { Outbox } from '../store/outbox';
import { CalendarTokens } from '../store/ical';
import { Dispatcher, type Channel } from '../store/dispatcher';
import { createWebhookChannel } from '../store/channels/webhook';
import { createEmailChannel } from '../store/channels/email';
import type { ChannelName } from '../store/outbox';
import { dailyDigestWorkflow } from '../workflows/digest';
import { JourneyMonitor } from '../worker/monitor';

/** The Schedule that starts the daily digest; one per namespace and task queue's deployment. */
export const DIGEST_SCHEDULE_ID = 'koers-daily-digest';

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
    fs.mkdirSync(config.dataDir, { recursive: true });
    let devServer: DevServer | undefined;
    if (!config.temporal.address) {
      devServer = await startDevServer({
        port: config.temporal.embeddedPort,
        uiPort: config.temporal.embeddedUiPort,
        dbFile: path.join(config.dataDir, 'temporal.db'),
        namespace: config.temporal.namespace,
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
    const tasks = new TaskStore(db);
    const outbox = new Outbox(db);
    const client = await connectClient(config.temporal, temporalAddress);
    stops.push(() => client.connection.close());

    let worker: Worker | undefined;
    if (config.role !== 'api') {
      const { channels, close } = deliveryChannels(config);
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
        { channels: Object.keys(channels), roleRoutes: Object.values(notifications.roles).reduce((n, byRole) => n + Object.keys(byRole).length, 0), digestRecipients: Object.keys(notifications.users).length },
        'outbox dispatcher started',
      );

      const connection = await connectWorker(config.temporal, temporalAddress);
      worker = await createJourneyWorker({
        connection,
        namespace: config.temporal.namespace,
        taskQueue: config.taskQueue,
        activities: createActivities({ tasks, outbox, recipients: notifications.roles, userRecipients: notifications.users, lang: notifications.lang }),
        workflowBundle: options.workflowBundle,
      });
      const running = worker.run();
      stops.push(async () => {
        // The SDK drains the worker itself on SIGINT/SIGTERM; shutting it down again would throw.
        if (worker!.getState() === 'RUNNING') worker!.shutdown();
        await running;
        await connection.close();
      });
      logger.info({ taskQueue: config.taskQueue }, 'worker started');
      const monitor = new JourneyMonitor({
        client,
        outbox,
        admin: notifications.admin,
        lang: notifications.lang,
        onError: (err) => logger.warn({ err: err instanceof Error ? { name: err.name, message: err.message } : String(err) }, 'journey monitor round failed'),
        onUnrouted: (journeyId, status) => logger.error({ journeyId, status }, 'journey stopped; no admin address in KOERS_NOTIFICATIONS_FILE to tell'),
      });
      monitor.start();
      stops.push(() => monitor.stop());
      await ensureDigestSchedule(client, config, logger);
    }

    let apiUrl: string | undefined;
    if (config.role !== 'worker') {
      const app = createApp({
        client,
        taskQueue: config.taskQueue,
        keys: loadApiKeys(config, logger),
        tasks,
        persons: new PersonIndex(db),
        outbox,
        audit: new AuditStore(db),
        identity: new Identity(loadSecret(config, logger)),
        calendar: { tokens: new CalendarTokens(db), publicUrl: config.publicUrl, lang: notifications.lang },
        extraMetrics: options.extraMetrics,
        logger,
      });
      const server = await new Promise<Server>((resolve) => {
        const s = app.listen(config.port, () => resolve(s));
      });
      stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      const address = server.address();
      apiUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : config.port}`;
      logger.info({ url: apiUrl }, 'API listening');
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

/** Without KOERS_API_KEYS_FILE the embedded setup writes a clearly marked development key file once. */
function loadApiKeys(config: Config, logger: Logger): ApiKeys {
  if (config.apiKeysFile) return ApiKeys.fromFile(config.apiKeysFile);
  const file = path.join(config.dataDir, 'dev-api-keys.json');
  if (!fs.existsSync(file)) {
    const key = () => `dev-${crypto.randomBytes(18).toString('base64url')}`;
    const entries = [
      { key: key(), role: 'admin', name: 'DEVELOPMENT ONLY admin', municipalities: [], eventTypes: [] },
      { key: key(), role: 'caseworker', name: 'DEVELOPMENT ONLY caseworker', municipalities: ['borger-odoorn', 'midden-drenthe'], eventTypes: [] },
    ];
    fs.writeFileSync(file, JSON.stringify(entries, null, 2), { mode: 0o600 });
    logger.warn({ file }, 'no KOERS_API_KEYS_FILE: wrote development API keys (not for production)');
  }
  return ApiKeys.fromFile(file);
}

function loadSecret(config: Config, logger: Logger): string {
  if (config.secretKey) return config.secretKey;
  const file = path.join(config.dataDir, 'secret.key');
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, crypto.randomBytes(32).toString('base64url'), { mode: 0o600 });
    logger.warn({ file }, 'no KOERS_SECRET_KEY: generated a development secret');
  }
  return fs.readFileSync(file, 'utf8').trim();
}
