/**
 * The API against the real dev server of the integration global setup: a Temporal client, optionally
 * a worker on a unique task queue with the real activities, and the store on a SQLite file (so a
 * "restart" can reopen it).
 */
import { loadConfig } from '../../../platform/config';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { createApp, type AppDeps, type KoersApp } from '../../../api/app';
import { ApiKeys, SignInGuard, type ApiKeyEntry } from '../../../api/auth';
import { AuditStore, forgetJourneyAudit, migrateAuditStore } from '../../../api/audit-store';
import { Identity } from '../../../api/identity';
import { People } from '../../../identity';
import { StoredProcessingLog } from '../../../processing-log';
import type { OidcSettings } from '../../../identity/config';
import { createActivities } from '../../../activities';
import { openDatabase, type Db } from '../../../store/db';
import { migrateToLatest } from '../../../store/migrations';
import { TaskStore } from '../../../store/tasks';
import { PersonIndex } from '../../../store/persons';
import { Outbox } from '../../../store/outbox';
import { JourneyReadModel } from '../../../store/journeys';
import { PolicyVersions } from '../../../store/policies';
import { CalendarTokens } from '../../../store/ical';
import { RetentionStore } from '../../../store/retention';
import { StaffPseudonyms } from '../../../store/staff-pseudonyms';
import { StaffDirectory } from '../../../staff/directory';
import { createJourneyWorker } from '../../../worker';
import { testWorkflowBundle } from '../../helpers/bundle-setup';
import { testRecipients } from '../../helpers/journey-harness';
import { testCodec, testDataConverter } from '../../helpers/codec';
import { closeClient, connectClient } from '../../../platform/temporal';
import { JourneySignals } from '../../../store/journey-signals';
import { Brp, type BrpSettings } from '../../../chain/brp';
import type { ZaakRegistration } from '../../../chain/zaken';

export const KEYS = {
  admin: 'test-admin-key-0000000000001',
  caseworker: 'test-caseworker-key-00000001',
  caseworker2: 'test-caseworker-key-00000002',
  teamLead: 'test-team-lead-key-000000001',
  caseworkerOther: 'test-caseworker-other-000001',
  partnerBrp: 'test-partner-brp-key-0000001',
  partnerDuo: 'test-partner-duo-key-0000001',
  partnerOther: 'test-partner-other-key-00001',
  hashed: 'test-hashed-admin-key-000001',
  reader: 'test-reader-key-000000000001',
  privacyOfficer: 'test-privacy-officer-key-001',
  teamLeadRole: 'test-team-lead-role-key-0001',
} as const;
export type KeyName = keyof typeof KEYS;

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

export const KEY_ENTRIES: ApiKeyEntry[] = [
  { key: KEYS.admin, role: 'admin', name: 'admin-1' },
  { key: KEYS.caseworker, role: 'caseworker', name: 'cw-anna', municipalities: ['borger-odoorn'] },
  { key: KEYS.caseworker2, role: 'caseworker', name: 'cw-bram', municipalities: ['borger-odoorn'], teams: ['regisseur-werk'] },
  { key: KEYS.teamLead, role: 'caseworker', name: 'cw-lead', municipalities: ['borger-odoorn'], teams: ['team-lead'] },
  { key: KEYS.caseworkerOther, role: 'caseworker', name: 'cw-other', municipalities: ['midden-drenthe'] },
  {
    key: KEYS.partnerBrp,
    role: 'partner',
    name: 'brp-borger-odoorn',
    municipalities: ['borger-odoorn'],
    eventTypes: ['nl.koers.brp.registered', 'nl.koers.bijstand.applied', 'nl.koers.intake.held', 'nl.koers.duo.notified'],
  },
  {
    key: KEYS.partnerDuo,
    role: 'partner',
    name: 'duo',
    municipalities: ['borger-odoorn', 'midden-drenthe'],
    eventTypes: ['nl.koers.exam.passed', 'nl.koers.extension.granted', 'nl.koers.exemption.granted', 'nl.koers.pip.established'],
  },
  { key: KEYS.partnerOther, role: 'partner', name: 'brp-midden-drenthe', municipalities: ['midden-drenthe'], eventTypes: ['nl.koers.brp.registered'] },
  { key: `sha256:${sha256(KEYS.hashed)}`, role: 'admin', name: 'admin-hashed' },
  { key: KEYS.reader, role: 'reader', name: 'rd-rita', municipalities: ['borger-odoorn'] },
  { key: KEYS.privacyOfficer, role: 'privacy-officer', name: 'po-piet', municipalities: ['borger-odoorn'] },
  // The team-lead role itself (KEYS.teamLead is the older form: a caseworker key with team `team-lead`).
  { key: KEYS.teamLeadRole, role: 'team-lead', name: 'tl-tess', municipalities: ['borger-odoorn'] },
];

/** The Web UI origin the test app's codec endpoint allows (CORS). */
export const CODEC_UI_ORIGIN = 'http://127.0.0.1:8233';

/** KOERS_PUBLIC_URL of the test app: calendar-feed links start with it. */
export const PUBLIC_URL = 'https://koers.test.example';

export interface LogLine {
  level: string;
  obj: object;
  msg?: string;
}

export interface HarnessOptions {
  worker?: boolean;
  /** AppDeps.notificationsRouted: false as an installation without notification routing. */
  notificationsRouted?: boolean;
  eventRateLimit?: { windowMs: number; limit: number };
  /** New events per journey per day (AppDeps.journeyEventBudgetPerDay). */
  journeyEventBudgetPerDay?: number;
  /** Another Temporal server than the suite's shared one (a test that erases what it finds). */
  temporalAddress?: string;
  /** Reuse the database file of an earlier harness (a restart). */
  dbFile?: string;
  /** A store URL (PostgreSQL) instead of a SQLite file. */
  databaseUrl?: string;
  now?: () => number;
  /** Deadline of each Temporal call (AppDeps.temporalTimeoutMs). */
  temporalTimeoutMs?: number;
  /** Load shedding past this backlog (AppDeps.maxBacklogSeconds); off by default. */
  maxBacklogSeconds?: number;
  /** People sign in at this OpenID Connect provider (default: development mode, API keys). */
  oidc?: OidcSettings;
  /** Settings of a deployment (AppDeps.trustProxy, AppDeps.metricsToken). */
  trustProxy?: AppDeps['trustProxy'];
  metricsToken?: string;
  signInGuard?: SignInGuard;
  /** The key file's entries (default KEY_ENTRIES). */
  keyEntries?: ApiKeyEntry[];
  /** /health's store-write probe and disk space (AppDeps.health), built on the harness's store and log. */
  health?: (db: Db, logger: { info(obj: object, msg: string): void; error(obj: object, msg: string): void }) => AppDeps['health'];
  /** The deployment's BRP settings (chain/brp; AppDeps.brp, with the harness's processing log); absent: no BRP. */
  brp?: BrpSettings;
  /** The journeys' zaken (chain/zaken), as platform/koers.ts wires them: in the journey's step and in the erasure. */
  zaken?: ZaakRegistration;
}

let sequence = 0;

export async function apiHarness(options: HarnessOptions = {}) {
  const address = options.temporalAddress ?? process.env.KOERS_TEST_TEMPORAL_ADDRESS;
  if (!address) throw new Error('KOERS_TEST_TEMPORAL_ADDRESS is not set: run through the integration project (global setup)');
  const dbFile = options.dbFile ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'koers-api-')), 'koers.db');
  const db: Db = openDatabase(options.databaseUrl ?? `sqlite:${dbFile}`);
  await migrateToLatest(db);
  await migrateAuditStore(db);
  const tasks = new TaskStore(db);
  const outbox = new Outbox(db);
  const journeySignals = new JourneySignals(db);
  const secret = 'test-secret-0123456789-0123456789-abcdef';
  // As `npm start` runs it: birth dates sealed in the read model.
  const journeys = new JourneyReadModel(db, undefined, new Identity(secret));
  const audit = new AuditStore(db);
  const retention = new RetentionStore(db, undefined, [forgetJourneyAudit, ...(options.zaken ? [options.zaken.erase] : [])]);
  const staffPseudonyms = new StaffPseudonyms(db);
  const staff = new StaffDirectory(db);

  const persons = new PersonIndex(db);
  // As `npm start` runs it in development: the activities under the development register's URIs.
  const processingLog = new StoredProcessingLog(db, new Identity(secret), loadConfig({}).processingActivities);

  // The API's own connection settings (platform/temporal.ts), with the tests' payload codec.
  const client: Client = await connectClient({ namespace: 'default' }, address, testDataConverter);
  const taskQueue = `api-test-${process.pid}-${Date.now()}-${++sequence}`;

  let worker: Worker | undefined;
  let workerRun: Promise<void> | undefined;
  let nativeConnection: NativeConnection | undefined;
  const startWorker = async () => {
    nativeConnection = await NativeConnection.connect({ address });
    worker = await createJourneyWorker({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      activities: createActivities({ db, tasks, outbox, journeys, recipients: testRecipients, retention, staffPseudonyms, processingLog, ...(options.zaken ? { zaken: options.zaken } : {}) }),
      workflowBundle: await testWorkflowBundle(),
      dataConverter: testDataConverter,
    });
    workerRun = worker.run();
  };
  const stopWorker = async () => {
    if (worker) {
      worker.shutdown();
      await workerRun;
    }
    await nativeConnection?.close();
    worker = undefined;
    nativeConnection = undefined;
  };
  if (options.worker) await startWorker();

  const logs: LogLine[] = [];
  const logger = {
    info: (obj: object, msg?: string) => logs.push({ level: 'info', obj, msg }),
    warn: (obj: object, msg?: string) => logs.push({ level: 'warn', obj, msg }),
    error: (obj: object, msg?: string) => logs.push({ level: 'error', obj, msg }),
  };
  const keys = new ApiKeys(options.keyEntries ?? KEY_ENTRIES);
  // As `npm start` runs it: the web app's sessions in the store, with the configuration's default lifetimes.
  const people = new People({ db, keys, secrets: new Identity(secret), settings: { ...loadConfig({}).identity, ...(options.oidc ? { oidc: options.oidc } : {}) }, logger, ...(options.now ? { now: options.now } : {}) });
  const app: KoersApp = createApp({
    client,
    taskQueue,
    keys,
    people,
    identity: new Identity(secret),
    logger,
    tasks,
    persons,
    journeys,
    policies: new PolicyVersions(db),
    outbox,
    ...(options.notificationsRouted !== undefined ? { notificationsRouted: options.notificationsRouted } : {}),
    staff,
    journeySignals,
    processingLog,
    audit,
    calendar: { tokens: new CalendarTokens(db), publicUrl: PUBLIC_URL },
    codecEndpoint: { codec: testCodec, corsOrigins: [CODEC_UI_ORIGIN] },
    retention,
    staffPseudonyms,
    // As `npm start` runs it: journeys continue as new past KOERS_MAX_HISTORY_EVENTS' default.
    maxHistoryEvents: loadConfig({}).maxHistoryEvents,
    validateResponses: true,
    ...(options.eventRateLimit ? { eventRateLimit: options.eventRateLimit } : {}),
    ...(options.journeyEventBudgetPerDay !== undefined ? { journeyEventBudgetPerDay: options.journeyEventBudgetPerDay } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.temporalTimeoutMs ? { temporalTimeoutMs: options.temporalTimeoutMs } : {}),
    ...(options.maxBacklogSeconds ? { maxBacklogSeconds: options.maxBacklogSeconds } : {}),
    ...(options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {}),
    // Test files send many wrong keys from one address on purpose; a test of the limit passes its own guard.
    signInGuard: options.signInGuard ?? new SignInGuard(1_000_000),
    ...(options.metricsToken ? { metricsToken: options.metricsToken } : {}),
    ...(options.health ? { health: options.health(db, logger) } : {}),
    ...(options.brp ? { brp: new Brp(options.brp, { processingLog }) } : {}),
  });

  // As `npm start` runs it, with a short round so a test sees redelivery soon after Temporal is back.
  app.koers.relay.start(250);

  const as = (who: KeyName | undefined) => {
    const auth = (r: request.Test) => (who ? r.set('Authorization', `Bearer ${KEYS[who]}`) : r);
    return {
      get: (url: string) => auth(request(app).get(url)),
      post: (url: string, body?: unknown, contentType = 'application/json') => {
        const r = auth(request(app).post(url));
        return body === undefined ? r : r.set('Content-Type', contentType).send(typeof body === 'string' ? body : JSON.stringify(body));
      },
      put: (url: string, body?: unknown, contentType = 'application/json') => {
        const r = auth(request(app).put(url));
        return body === undefined ? r : r.set('Content-Type', contentType).send(typeof body === 'string' ? body : JSON.stringify(body));
      },
    };
  };

  let personRefs = 0;
  const run = `${process.pid}-${Date.now()}-${sequence}`;

  return {
    app,
    /** The processing log the app writes (processing-log/index.ts). */
    processingLog,
    /** The key set in force (reload it from a file to remove or change keys). */
    keys,
    client,
    db,
    dbFile,
    tasks,
    persons,
    journeys,
    outbox,
    staff,
    audit,
    retention,
    taskQueue,
    logs,
    identity: new Identity(secret),
    people,
    as,
    /** A fresh personRef per call, so tests never collide on the shared dev server. */
    personRef: () => `p-${run}-${++personRefs}`,
    /** A fresh BSN (11-proef) per call: one BSN has one journey per municipality (contract v1.2). */
    bsn: () => nextBsn(),
    async createJourney(body: Record<string, unknown> = {}, who: KeyName = 'admin'): Promise<string> {
      const res = await as(who).post('/v1/journeys', {
        personRef: `p-${run}-${++personRefs}`,
        municipality: 'borger-odoorn',
        permitGrantedOn: '2025-03-14',
        birthDate: '1990-05-01',
        ...body,
      });
      if (res.status !== 201) throw new Error(`create journey: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.journeyId as string;
    },
    /**
     * Signs in on the web app with `who`'s key (development mode's key sign-in), for page requests by
     * supertest: the session cookie (`koers_session=…`) and the session's CSRF token for forms.
     */
    async webSession(who: KeyName): Promise<{ cookie: string; csrf: string }> {
      const res = await request(app).post('/app/sign-in').type('form').send({ apiKey: KEYS[who], next: '/app/' });
      const cookie = ((res.headers['set-cookie'] as unknown as string[] | undefined) ?? []).find((c) => c.startsWith('koers_session='))?.split(';')[0];
      if (res.status !== 303 || !cookie) throw new Error(`web sign-in as ${who}: ${res.status}`);
      return { cookie, csrf: new Identity(secret).csrfToken(cookie.slice('koers_session='.length)) };
    },
    /** History length: grows with every signal, update or task; unchanged means nothing reached the journey. */
    async historyLength(journeyId: string): Promise<number> {
      const description = await client.workflow.getHandle(journeyId).describe();
      return description.historyLength;
    },
    /** Waits until the journey has done what it was told (its history stops growing), then its length. */
    async settled(journeyId: string, quietMs = 400): Promise<number> {
      let last = -1;
      for (let i = 0; i < 50; i++) {
        const length = (await client.workflow.getHandle(journeyId).describe()).historyLength;
        if (length === last) return length;
        last = length;
        await new Promise((resolve) => setTimeout(resolve, quietMs));
      }
      return last;
    },
    /** Starts the worker (again); with `stopWorker`, a worker that goes down and comes back. */
    startWorker,
    stopWorker,
    async stop(): Promise<void> {
      await app.koers.relay.stop();
      await stopWorker();
      await closeClient(client);
      await db.destroy();
    },
  };
}

export type ApiHarness = Awaited<ReturnType<typeof apiHarness>>;

let bsnSeed = crypto.randomInt(1_000_000, 9_000_000);
/** A BSN that passes the 11-proef, another on every call (8 digits counted on, the check digit computed; 10 is skipped). */
export function nextBsn(): string {
  for (;;) {
    const head = String(10_000_000 + (bsnSeed++ % 89_999_999));
    const sum = [...head].reduce((acc, digit, i) => acc + Number(digit) * (9 - i), 0);
    if (sum % 11 <= 9) return `${head}${sum % 11}`;
  }
}

/** Polls until `ok`, at most `timeoutMs`; returns the last value either way. */
export async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const cloudEvent = (type: string, data: Record<string, unknown>, id: string = crypto.randomUUID(), source = 'urn:nl:test') => ({
  specversion: '1.0',
  id,
  source,
  type,
  time: new Date().toISOString(),
  data,
});
