/**
 * The task projection and the notification outbox live in one relational schema, written with one
 * query builder (Kysely) for both deployments: embedded SQLite (no server; one instance) and
 * PostgreSQL (several API/worker instances). Only the outbox claim differs (see dispatcher.ts).
 *
 * Column types are limited to what both databases treat alike: `text` and `integer`. Instants are
 * ISO-8601 UTC strings (`2026-04-27T08:00:00.000Z`) and calendar dates `YYYY-MM-DD`, so that string
 * comparison is time order in both and no driver converts them behind our back.
 */
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver } from 'kysely';
import { Pool } from 'pg';

export interface TasksTable {
  id: string;
  journey_id: string;
  /** Stable per journey (DesiredTask.key); unique with journey_id, which makes the projection idempotent. */
  key: string;
  kind: string;
  municipality: string;
  candidate_group: string;
  /** The journey's caseworker role when the task was projected, for filtering a team's work. */
  journey_role: string | null;
  assignee: string | null;
  clock: string | null;
  follow_up_date: string;
  due_date: string;
  status: string;
  /** JSON of the validated completion form. */
  form: string | null;
  completed_by: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  cancelled_at: string | null;
  /** Bumped on every change: an optimistic-concurrency guard for read-then-write transitions. */
  version: number;
}

export interface TaskEventsTable {
  id: string;
  task_id: string;
  version: number;
  at: string;
  type: string;
  actor: string | null;
  detail: string | null;
}

export interface OutboxTable {
  id: string;
  idempotency_key: string;
  kind: string;
  channel: string;
  recipient: string;
  subject: string;
  body: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  /** Lease of the dispatcher that claimed the row; a crashed dispatcher's lease simply runs out. */
  locked_until: string | null;
  lock_token: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
  /**
   * Messages with the same key are delivered in `sequence` order, each only after the one before it
   * was delivered (a zaak's status cannot go before the zaak exists); null for messages without an order.
   */
  sequence_key?: string | null;
  sequence?: number | null;
}

export interface CalendarTokensTable {
  user_id: string;
  /** SHA-256 (hex) of the token: a leaked database does not leak working feed URLs. */
  token_hash: string;
  created_at: string;
}

/** One ended journey's retention and, once done, the record of its erasure (store/retention.ts). */
export interface JourneyRetentionTable {
  journey_id: string;
  municipality: string;
  /** `YYYY-MM-DD` (Europe/Amsterdam) the journey ended. */
  ended_on: string;
  /** completed (plicht met, exempted), closed (by an admin), erased-while-running, … */
  end_reason: string;
  /** `YYYY-MM-DD` from which its personal data is erased. */
  erase_after: string;
  retention_basis: string;
  erased_at: string | null;
  /** retention-period-ended, or the AVG art. 17 ground of an admin's erasure. */
  erasure_ground: string | null;
  /** `retention` or the erasing admin key's fingerprint (never a name). */
  erased_by: string | null;
  created_at: string;
}

/** A staff id's pseudonym as Temporal sees it (a search attribute cannot be encrypted), and the id it stands for. */
export interface StaffPseudonymsTable {
  pseudonym: string;
  staff_id: string;
  created_at: string;
}

export interface PersonIndexTable {
  municipality: string;
  /** A keyed hash of the personRef (api/identity.ts personKey), never the personRef itself. */
  person_key: string;
  journey_id: string;
  created_at: string;
  updated_at: string;
  /** When Temporal accepted the journey's start; null while a create has only claimed the entry. */
  started_at: string | null;
  /** Keyed hash of the BSN (api/identity.ts bsnKey); unique per municipality (contract v1.2). Null: no BSN given, or indexed before 0009. */
  bsn_key: string | null;
  /** Keyed hash of the reference trimmed and lower-cased, for a case-insensitive search. */
  ref_key: string | null;
  /** The personRef sealed (AES-256-GCM, api/identity.ts seal), for the pages. */
  ref_sealed: string | null;
  /** The person's name as recorded at registration, sealed. */
  name_sealed: string | null;
  /** Keyed hashes of the name's normalised words, space-separated, for a search by name. */
  name_keys: string | null;
}

/** One journey as the read model holds it (store/journeys.ts): what `GET /v1/journeys/{id}` and the lists need. */
export interface JourneysTable {
  journey_id: string;
  seq: number;
  municipality: string;
  regime: string;
  phase: string;
  /** api/temporal.ts JourneyStatus: running, completed, failed, terminated, timed-out, canceled, workflow-task-failing. */
  run_status: string;
  caseworker_role: string | null;
  /** The staff pseudonym the journey carries (staff-pseudonyms.ts), never a name. */
  caseworker_id: string | null;
  next_final_date: string | null;
  next_wake_up: string | null;
  /** The BSN sealed by api/identity.ts; never in clear. */
  bsn_ciphertext: string | null;
  /** JSON of the journey's view (workflows/definitions.ts JourneyState) on the day it was written. */
  view: string;
  started_at: string;
  updated_at: string;
  /** The figures' columns (store/journey-view.ts ViewFigures; null for a row whose view is not a journey's). */
  view_today: string | null;
  permit_granted_on: string | null;
  intake_held_on: string | null;
  permit_to_intake_days: number | null;
  reintegration_due: string | null;
  reintegration_started_on: string | null;
  /** The phase from `phase_later_on` on, as GET derives it (null: the stored phase stays). */
  phase_later: string | null;
  phase_later_on: string | null;
  /** The municipality a move set until the journey's own write carries it (null: none pending; store/journeys.ts). */
  moved_to: string | null;
  /** domain/journey-end.ts EndReason of a journey that ended for a reason (null: it did not, or the end was withdrawn). */
  end_reason: string | null;
  /** The day of that end as the source dates it, YYYY-MM-DD (null: unknown or not ended). */
  ended_on: string | null;
}

/** A journey's legal deadlines, for "deadlines in a window" and "overdue" in SQL. */
export interface JourneyDeadlinesTable {
  journey_id: string;
  clock: string;
  final_date: string;
  /** 1 running or overdue, 0 met or waived. */
  open: number;
}

/** Every clock of a journey's view with the status GET derives for a later day (store/journey-view.ts). */
export interface JourneyClocksTable {
  journey_id: string;
  clock: string;
  /** The status in the stored view. */
  status: string;
  final_date: string;
  settled_on: string | null;
  /** The status from `lapses_on` on (null: it stays). */
  lapsed_status: string | null;
  lapses_on: string | null;
}

/** An amended version of a municipality's policy (store/policies.ts). */
export interface PolicyVersionsTable {
  policy_id: string;
  version: number;
  /** The whole policy, JSON. */
  policy: string;
  reason: string;
  /** The admin key's fingerprint or name that applied it. */
  amended_by: string;
  created_at: string;
}

/** A signal a store write owes a journey, kept until Temporal has it (store/journey-signals.ts). */
export interface JourneySignalsTable {
  id: string;
  /** One row per fact, e.g. `taskCompleted:<taskId>`: writing it again changes nothing. */
  dedupe_key: string;
  journey_id: string;
  /** The signal's name (workflows/definitions.ts). */
  signal: string;
  /** The signal's argument, JSON. */
  arg: string;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
}

/**
 * A signed-in person's web session (identity/sessions.ts). The browser's cookie holds a random id; the
 * row holds only its SHA-256, and of the identity provider's tokens only sealed copies.
 */
export interface WebSessionsTable {
  /** SHA-256 (hex) of the cookie's id. */
  id_hash: string;
  /** `oidc` (signed in at the identity provider) or `api-key` (development mode, no provider configured). */
  kind: string;
  /** JSON of the principal (api/auth.ts Principal): role, staff id, municipalities, teams. */
  principal: string;
  /** api-key sessions: the key's SHA-256, looked up on every request, so a key taken out of the file ends the session. */
  key_hash: string | null;
  /** oidc sessions: the refresh token, sealed (api/identity.ts sealSessionSecret); null when the provider gave none. */
  refresh_token: string | null;
  /** oidc sessions: the ID token, sealed, for the provider's sign-out (id_token_hint). */
  id_token: string | null;
  created_at: string;
  last_seen_at: string;
  /** The absolute end, whatever the use. */
  expires_at: string;
  /** oidc sessions: when the provider last confirmed the person and their groups. */
  checked_at: string | null;
}

/**
 * A zaak Koers keeps for a journey in a municipality's zaak registration (chain/zaken, migration
 * 0010_i23z_zaken): what was queued for it last (so a step queues only what changed) and, once the
 * Zaken API answered the create, the zaak's URL and uuid.
 */
export interface ZakenTable {
  /** Koers's own id of the zaak (uuid): the outbox's sequence key for its messages. */
  id: string;
  /** Null once the journey was erased (no row links to the person then). */
  journey_id: string | null;
  municipality: string;
  /** The zaak's `identificatie` (unique per bronorganisatie); null once erased. */
  identificatie: string | null;
  zaak_url: string | null;
  zaak_uuid: string | null;
  /** The phase of the last status queued. */
  phase: string | null;
  /** The `uiterlijkeEinddatumAfdoening` last queued (YYYY-MM-DD), or null. */
  final_date: string | null;
  /** 1 once a betrokkene role by BSN was queued. */
  rol: number;
  /** open, closed (its end queued), archived (its archive action queued after an erasure). */
  state: string;
  /** The sequence number of the zaak's next outbox message. */
  next_sequence: number;
  created_at: string;
  updated_at: string;
}

/**
 * One processing of personal data, as the Logboek Dataverwerkingen records it (processing-log/index.ts).
 * Append-only: Koers inserts a row and never updates or deletes one (docs/processing-log.md).
 */
export interface ProcessingLogTable {
  /** 16 bytes, lower-case hex (W3C trace-id). */
  trace_id: string;
  /** 8 bytes, lower-case hex (W3C parent-id of the outgoing request; the Logboek's operation_id). */
  operation_id: string;
  parent_operation_id: string | null;
  /** 0 unknown, 1 ok, 2 error (the Logboek's status_code). */
  status_code: number;
  name: string;
  /** ISO-8601 UTC instants; the Logboek's milliseconds are their epoch values. */
  start_time: string;
  end_time: string;
  foreign_trace_id: string | null;
  foreign_operation_id: string | null;
  /** URI of the other party of a foreign operation. */
  foreign_entity: string | null;
  /** The activity's key (processing-log/index.ts PROCESSING_ACTIVITIES), for filtering. */
  activity: string;
  /** dpl.core.processing_activity_id: the activity's URI in the municipality's register, as configured when written. */
  processing_activity_id: string;
  /** dpl.core.data_subject_id: the BSN sealed (api/identity.ts encryptBsn); null when none is known. */
  data_subject_id: string | null;
  /** Keyed hash of the BSN (api/identity.ts bsnKey, as the person index's), to find a person's records without decrypting. */
  data_subject_key: string | null;
  /** The journey's erasure reference (store/erasure-ref.ts), never its id: an erasure leaves the record and no link to the id. */
  journey_ref: string | null;
  /** Who processed: a staff id or an API key's fingerprint (api/auth.ts Principal), or `koers` for the service itself. */
  actor: string;
}

export interface KoersDatabase {
  zaken: ZakenTable;
  journey_signals: JourneySignalsTable;
  policy_versions: PolicyVersionsTable;
  journeys: JourneysTable;
  journey_deadlines: JourneyDeadlinesTable;
  journey_clocks: JourneyClocksTable;
  tasks: TasksTable;
  task_events: TaskEventsTable;
  outbox: OutboxTable;
  calendar_tokens: CalendarTokensTable;
  journey_retention: JourneyRetentionTable;
  staff_pseudonyms: StaffPseudonymsTable;
  person_index: PersonIndexTable;
  web_sessions: WebSessionsTable;
  processing_log: ProcessingLogTable;
  koers_instance: KoersInstanceTable;
}

/** What the installation knows about itself (store/instance.ts), by name. */
export interface KoersInstanceTable {
  /** `secret-check`, `health-probe`. */
  name: string;
  value: string;
  updated_at: string;
}

export type Db = Kysely<KoersDatabase>;

/**
 * Runs `fn` in a transaction on `db`, or inside the one `db` already is (Kysely cannot nest them): a
 * store method that needs a transaction of its own joins its caller's, so a journey step's writes
 * (activities/journey-sync.ts) commit together. Rolls back and rethrows when `fn` throws.
 */
export function inTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

export type DatabaseKind = 'sqlite' | 'postgres';

const kinds = new WeakMap<object, DatabaseKind>();

/** Which engine a database opened by {@link openDatabase} runs on. */
export function databaseKind(db: object): DatabaseKind {
  const kind = kinds.get(db);
  if (!kind) throw new Error('database was not opened with openDatabase()');
  return kind;
}

export interface OpenOptions {
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
  /** SQLite: how long a writer waits for another process's lock before SQLITE_BUSY (default 5000 ms). */
  busyTimeoutMs?: number;
  /**
   * PostgreSQL: told of an error on a pooled connection outside a query (a server restart, a fail-over, an
   * administrator ending sessions). The pool has already dropped that connection and opens a new one
   * for the next query; the default does nothing more.
   */
  onIdleError?: (err: Error) => void;
}

/**
 * SQLite transactions that take the write lock when they begin (`BEGIN IMMEDIATE`), not at their first
 * write: in WAL mode a transaction that has read and then writes after another process (the API
 * beside the worker) committed fails at once with SQLITE_BUSY, without waiting the busy timeout. The
 * worker's store writes read first (the read model checks erasure, the task sync reads the journey's
 * tasks), so under load between 1 and 5 in a hundred failed and waited out their activity's 1 s retry
 * (event → visible p95 0.19 s, p99 1.13 s; `npm run bench`, 10,000 journeys on the dev server); the
 * API's task claim and completion read first too.
 */
class ImmediateTransactionsSqliteDialect extends SqliteDialect {
  constructor(private readonly dialectConfig: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(dialectConfig);
  }

  override createDriver(): Driver {
    return new (class extends SqliteDriver {
      override async beginTransaction(connection: DatabaseConnection): Promise<void> {
        await connection.executeQuery(CompiledQuery.raw('begin immediate'));
      }
    })(this.dialectConfig);
  }
}

/**
 * Opens `sqlite:<path>` (`sqlite::memory:` for tests) or `postgres://…` / `postgresql://…`.
 * Run {@link migrateToLatest} (migrations.ts) before use.
 */
export function openDatabase(url: string, options: OpenOptions = {}): Db {
  let db: Db;
  let kind: DatabaseKind;
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new Error(`no path in database URL "${url}"`);
    const memory = path === ':memory:';
    if (!memory) {
      // Personal data: the file (and its -wal and -shm, which SQLite creates with the file's mode) is the owner's alone.
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      closeSync(openSync(path, 'a', 0o600));
      chmodSync(path, 0o600);
    }
    const handle = new BetterSqlite3(path);
    // WAL lets readers (API) run beside the writer (worker); the busy timeout makes a second
    // process wait for the write lock instead of failing at once.
    if (!memory) handle.pragma('journal_mode = WAL');
    // Deleted content is overwritten, not left in free pages: an erasure (store/retention.ts) leaves nothing in the file.
    handle.pragma('secure_delete = ON');
    handle.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    handle.pragma('foreign_keys = ON');
    db = new Kysely<KoersDatabase>({ dialect: new ImmediateTransactionsSqliteDialect({ database: handle }) });
    kind = 'sqlite';
  } else if (/^postgres(ql)?:\/\//.test(url)) {
    const pool = new Pool({ connectionString: url, max: options.poolSize ?? 10 });
    // node-postgres emits an idle connection's error on the pool; an EventEmitter's unhandled 'error'
    // ends the process. A restarted database must cost a reconnect (the pool's), never the API or worker.
    // Each connection gets its own listener, which also covers one checked out between two queries (in
    // a transaction): its next query fails, the caller retries, and the pool drops it when it comes back.
    // The pool's own 'error' repeats what that listener has reported.
    const onIdleError = options.onIdleError ?? (() => undefined);
    pool.on('connect', (client) => client.on('error', (err) => onIdleError(err)));
    pool.on('error', () => undefined);
    db = new Kysely<KoersDatabase>({ dialect: new PostgresDialect({ pool }) });
    kind = 'postgres';
  } else {
    throw new Error(`unsupported database URL "${url.replace(/\/\/[^@/]*@/, '//***@')}": use sqlite:<path> or postgres://…`);
  }
  kinds.set(db, kind);
  return db;
}

/** Current instant as stored in the database. */
export function isoNow(now: () => Date): string {
  return now().toISOString();
}
