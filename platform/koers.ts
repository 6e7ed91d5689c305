import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Server } from 'node:http';
import type { Worker, WorkflowBundleOption } from '@temporalio/worker';
import type { Config } from './config';
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
import { Outbox } from '../store/outbox';

export interface RunningKoers {
  apiUrl?: string;
  temporalAddress: string;
  temporalUiUrl?: string;
  stop(): Promise<void>;
}

/** Starts the parts the config asks for, in dependency order; `stop` ends them in reverse. */
export async function startKoers(config: Config, logger: Logger, options: { workflowBundle?: WorkflowBundleOption } = {}): Promise<RunningKoers> {
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => logger.error({ err }, 'stop failed'));
  };
  try {
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

    const db = openDatabase(config.databaseUrl);
    stops.push(() => db.destroy());
    await migrateToLatest(db);
    await migrateAuditStore(db);
    const tasks = new TaskStore(db);
    const outbox = new Outbox(db);

    let worker: Worker | undefined;
    if (config.role !== 'api') {
      const connection = await connectWorker(config.temporal, temporalAddress);
      worker = await createJourneyWorker({
        connection,
        namespace: config.temporal.namespace,
        taskQueue: config.taskQueue,
        activities: createActivities({ tasks, outbox, recipients: {} }),
        workflowBundle: options.workflowBundle,
      });
      const running = worker.run();
      stops.push(async () => {
        worker!.shutdown();
        await running;
        await connection.close();
      });
      logger.info({ taskQueue: config.taskQueue }, 'worker started');
    }

    let apiUrl: string | undefined;
    if (config.role !== 'worker') {
      const client = await connectClient(config.temporal, temporalAddress);
      stops.push(() => client.connection.close());
      const app = createApp({
        client,
        taskQueue: config.taskQueue,
        keys: loadApiKeys(config, logger),
        tasks,
        outbox,
        audit: new AuditStore(db),
        identity: new Identity(loadSecret(config, logger)),
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
