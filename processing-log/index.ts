/**
 * The processing log (issue 23): every processing of personal data Koers does (registering a person,
 * reading or showing a BSN or name, a BRP query, a zaak registration carrying a BSN, an export, an
 * erasure) writes one record as the Logius/MinBZK Logboek Dataverwerkingen describes it ("Component:
 * Logboek"): `trace_id`, `operation_id`, `parent_operation_id`, `status_code`, `name`, `start_time`,
 * `end_time`, `foreign_operation`, and the attributes `dpl.core.processing_activity_id` (a URI in the
 * municipality's register of processing activities, AVG art. 30) and `dpl.core.data_subject_id` (the
 * BSN, sealed). This is the one door to it; the table is store/processing-log.ts, append-only.
 *
 * Use: `log.around({ activity, name, subject, actor }, async (op) => …)` around the processing; a call
 * to another party sends `op.traceparent()` and records the other side's trace with `op.linkForeign`
 * (or `end('ok', foreign)` after `begin`). A processing inside another passes `parent`: one trace per
 * request. Mapping to the specification and configuration: docs/processing-log.md.
 */
import crypto from 'node:crypto';
import type { Identity } from '../api/identity';
import { erasureRef } from '../store/erasure-ref';
import type { Db } from '../store/db';
import { PersonIndex } from '../store/persons';
import { ProcessingLogStore, type ProcessingLogQuery, type ProcessingLogPage, type ProcessingRecordRow } from '../store/processing-log';

/**
 * The processing activities Koers performs, each an entry of the municipality's register of
 * processing activities (AVG art. 30) whose URI is configured per deployment (platform/config.ts
 * KOERS_PROCESSING_ACTIVITIES).
 */
/**
 * What a BSN the log seals itself is bound to (api/identity.ts encryptBsn's journey): none, so a record
 * still opens after its journey was erased and forgotten (the records outlive it, docs/processing-log.md).
 */
const LOG_BINDING = '';

export const PROCESSING_ACTIVITIES = [
  'person-registration',
  'person-read',
  'person-search',
  'person-correction',
  'brp-query',
  'zaak-registration',
  'export',
  'erasure',
  'processing-log-inspection',
] as const;

/** A processing activity from the municipality's register (AVG art. 30); its URI is configured per deployment. */
export type ProcessingActivityKey = (typeof PROCESSING_ACTIVITIES)[number];

/** Where the development defaults point: a register that clearly does not exist (RFC 2606 `.example`). */
export const DEVELOPMENT_REGISTER_BASE = 'https://verwerkingsregister.example/verwerkingsactiviteiten/';

/** The development URI of each activity: {@link DEVELOPMENT_REGISTER_BASE} + its key. Production mode refuses them. */
export const developmentActivityUris = (): Record<ProcessingActivityKey, string> =>
  Object.fromEntries(PROCESSING_ACTIVITIES.map((key) => [key, `${DEVELOPMENT_REGISTER_BASE}${key}`])) as Record<ProcessingActivityKey, string>;

/**
 * Whose data was processed: the BSN when it is at hand (with the journey when there is one), or only the
 * journey, whose BSN the log then looks up in the person index (none: the record names the journey alone).
 */
export type DataSubject = { bsn: string; journeyId?: string } | { journeyId: string };

/** The other party's operation a processing called or was called by (the Logboek's `foreign_operation`). */
export interface ForeignOperation {
  /** 16 bytes, hex. */
  traceId: string;
  /** 8 bytes, hex. */
  operationId: string;
  /** URI of the other party. */
  entity: string;
}

/** One processing under way; `end` writes its one record. */
export interface Operation {
  /** 16 bytes (32 lower-case hex digits), shared by every operation of a trace. */
  readonly traceId: string;
  /** 8 bytes (16 lower-case hex digits). */
  readonly operationId: string;
  /** The W3C `traceparent` header for an outgoing request made by this operation (`00-<trace>-<operation>-01`). */
  traceparent(): string;
  /** Records the other party's operation for the record `end` writes (when it answered with its own trace). */
  linkForeign(foreign: ForeignOperation): void;
  /**
   * Writes the one record: status 1 (ok) or 2 (error), the end time now. Resolves when the store has it;
   * rejects when it could not be written (the processing is then not accounted for: the caller fails)
   * or when the operation was ended before.
   */
  end(status: 'ok' | 'error', foreign?: ForeignOperation): Promise<void>;
}

/** What a processing is: its activity, a name for the operation (e.g. `GET /v1/journeys/{journeyId}`), whose data, by whom. */
export interface BeginInput {
  activity: ProcessingActivityKey;
  /** The operation's name (the Logboek's `name`): a route pattern or a function, never personal data. */
  name: string;
  subject: DataSubject;
  /** Who processed: a staff id or an API key's fingerprint, or `koers` for the service itself. */
  actor: string;
  /** The operation this one is part of: same trace, `parent_operation_id` set. */
  parent?: Operation;
  /** The trace of the request this processing belongs to when it has no parent (api/processing.ts `requestTrace`): one trace per request. */
  trace?: RequestTrace;
}

/**
 * The trace a request's processings join: a new one, or the caller's when the request carried a valid W3C
 * `traceparent` (the municipality's portal or gateway), whose operation is then their `parent_operation_id`.
 */
export interface RequestTrace {
  /** 16 bytes (32 lower-case hex digits). */
  traceId: string;
  /** The calling party's operation (8 bytes, hex), from the incoming `traceparent`'s parent-id. */
  parentOperationId?: string;
}

/** The door: begin a processing and end it, or run one inside {@link around}. */
export interface ProcessingLog {
  begin(input: BeginInput): Operation;
  /** Convenience: begin + run + end(ok|error); rethrows what `run` throws after recording the error. */
  around<T>(input: BeginInput, run: (op: Operation) => Promise<T>): Promise<T>;
  /**
   * One processing of many persons' data at once (a page of an export): one record per subject, all in
   * the input's trace with status ok, written together. Resolves when the store has them all.
   */
  recordEach(input: Omit<BeginInput, 'subject'>, subjects: readonly DataSubject[]): Promise<void>;
}

/** A record as the privacy officer reads it (the API's and the export's fields; the BSN is never given back). */
export interface ProcessingRecord {
  traceId: string;
  operationId: string;
  parentOperationId?: string;
  statusCode: 0 | 1 | 2;
  name: string;
  /** ISO-8601 UTC. */
  startTime: string;
  endTime: string;
  foreignOperation?: ForeignOperation;
  activity: ProcessingActivityKey;
  processingActivityId: string;
  /** Whether the record carries the person's sealed BSN. */
  hasDataSubjectId: boolean;
  actor: string;
}

/** The person whose records are asked for: by BSN, by journey, or both. */
export type RecordsSubject = { bsn: string } | { journeyId: string };

/** Records of one person in a period, for some activities. Instants ISO-8601 UTC; `until` exclusive. */
export interface RecordsQuery {
  subject: RecordsSubject;
  from?: string;
  until?: string;
  activities?: readonly ProcessingActivityKey[];
}

const randomHex = (bytes: number): string => {
  // An all-zero id is invalid in W3C Trace Context; one in 2^64 draws, drawn again.
  for (;;) {
    const hex = crypto.randomBytes(bytes).toString('hex');
    if (/[^0]/.test(hex)) return hex;
  }
};

const STATUS_CODES = { ok: 1, error: 2 } as const;

/** A new W3C trace id: 16 random bytes, hex. */
export const newTraceId = (): string => randomHex(16);

/**
 * The trace and operation of a W3C `traceparent` header (`00-<32 hex>-<16 hex>-<2 hex>`, Trace Context
 * Level 1 §3.2); undefined when the value is none, has the forbidden version `ff`, or names the all-zero
 * trace or operation the specification calls invalid. A later version may append fields (`-…`), which are
 * skipped as §3.2.4 says; version 00 has none.
 */
export function parseTraceparent(header: string | null | undefined): { traceId: string; operationId: string } | undefined {
  const m = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}(-.*)?$/.exec(header?.trim().toLowerCase() ?? '');
  if (!m || m[1] === 'ff' || (m[1] === '00' && m[4] !== undefined)) return undefined;
  return /[^0]/.test(m[2]!) && /[^0]/.test(m[3]!) ? { traceId: m[2]!, operationId: m[3]! } : undefined;
}

/**
 * The trace a request's processings join (api/processing.ts `requestTrace`): the caller's, from the W3C
 * `traceparent` it sent, with its operation as parent; a new trace when it sent none or an invalid one
 * (ignored, never an error: W3C Trace Context §3.2.2.1 says to restart the trace).
 */
export function traceOfRequest(traceparent: string | null | undefined): RequestTrace {
  const incoming = parseTraceparent(traceparent);
  return incoming ? { traceId: incoming.traceId, parentOperationId: incoming.operationId } : { traceId: newTraceId() };
}

/**
 * The other party's operation from the W3C `traceparent` it answered with, as a record's
 * `foreign_operation` with `entity` its URI; undefined when the value is no valid traceparent.
 */
export function foreignOperationOf(traceparent: string | undefined, entity: string): ForeignOperation | undefined {
  const parsed = parseTraceparent(traceparent);
  return parsed ? { ...parsed, entity } : undefined;
}

/** Whether `value` is a W3C trace id (32 lower-case hex digits, not all zero). */
export const isTraceId = (value: string): boolean => /^[0-9a-f]{32}$/.test(value) && /[^0]/.test(value);

/** Whether `value` is a W3C parent-id (16 lower-case hex digits, not all zero). */
const isOperationId = (value: string): boolean => /^[0-9a-f]{16}$/.test(value) && /[^0]/.test(value);

/** The trace a new operation is in and its parent: its parent operation's, else the request's (checked), else a new trace. */
function traceOf(input: Pick<BeginInput, 'parent' | 'trace'>): RequestTrace {
  if (input.parent) return { traceId: input.parent.traceId, parentOperationId: input.parent.operationId };
  const trace = input.trace;
  if (!trace || !isTraceId(trace.traceId)) return { traceId: newTraceId() };
  return trace.parentOperationId && isOperationId(trace.parentOperationId) ? { traceId: trace.traceId, parentOperationId: trace.parentOperationId } : { traceId: trace.traceId };
}

/** The processing log in Koers's own store (store/processing-log.ts). */
export class StoredProcessingLog implements ProcessingLog {
  private readonly store: ProcessingLogStore;
  private readonly persons: PersonIndex;
  private readonly now: () => Date;
  /** Each begun operation's subject lookup, so {@link around} runs its processing only after it (an erasure removes what it reads). */
  private readonly lookups = new WeakMap<Operation, Promise<unknown>>();

  /**
   * `activityUris`: each activity's URI in the register (platform/config.ts `processingActivities`).
   * `identity`: seals the BSN and computes its keyed hash.
   */
  constructor(
    db: Db,
    private readonly identity: Identity,
    private readonly activityUris: Readonly<Record<ProcessingActivityKey, string>>,
    options: { now?: () => Date } = {},
  ) {
    this.store = new ProcessingLogStore(db);
    this.persons = new PersonIndex(db);
    this.now = options.now ?? (() => new Date());
  }

  begin(input: BeginInput): Operation {
    const uri = this.activityUris[input.activity];
    if (!uri) throw new Error(`processing activity ${String(input.activity)} has no URI`);
    const { traceId, parentOperationId } = traceOf(input);
    const operationId = randomHex(8);
    const startTime = this.now().toISOString();
    // Resolved now, not at the end: an erasure ends after the person index has forgotten the journey.
    const subjectLookup = this.subject(input.subject).then(
      (found) => ({ found }),
      (err: unknown) => ({ err }),
    );
    let foreign: ForeignOperation | undefined;
    let ended = false;
    const write = async (status: 'ok' | 'error', endForeign?: ForeignOperation) => {
      if (ended) throw new Error('processing log: operation ended twice');
      ended = true;
      const other = endForeign ?? foreign;
      const looked = await subjectLookup;
      if ('err' in looked) throw looked.err;
      const subject = looked.found;
      const row: ProcessingRecordRow = {
        trace_id: traceId,
        operation_id: operationId,
        parent_operation_id: parentOperationId ?? null,
        status_code: STATUS_CODES[status],
        name: input.name,
        start_time: startTime,
        end_time: this.now().toISOString(),
        foreign_trace_id: other?.traceId ?? null,
        foreign_operation_id: other?.operationId ?? null,
        foreign_entity: other?.entity ?? null,
        activity: input.activity,
        processing_activity_id: uri,
        data_subject_id: subject.bsnSealed ?? null,
        data_subject_key: subject.bsnKey ?? null,
        journey_ref: subject.journeyRef ?? null,
        actor: input.actor,
      };
      await this.store.append(row);
    };
    const op: Operation = {
      traceId,
      operationId,
      traceparent: () => `00-${traceId}-${operationId}-01`,
      linkForeign: (f) => {
        foreign = f;
      },
      end: write,
    };
    this.lookups.set(op, subjectLookup);
    return op;
  }

  async around<T>(input: BeginInput, run: (op: Operation) => Promise<T>): Promise<T> {
    const op = this.begin(input);
    await this.lookups.get(op);
    let result: T;
    try {
      result = await run(op);
    } catch (err) {
      await op.end('error');
      throw err;
    }
    await op.end('ok');
    return result;
  }

  async recordEach(input: Omit<BeginInput, 'subject'>, subjects: readonly DataSubject[]): Promise<void> {
    if (subjects.length === 0) return;
    const uri = this.activityUris[input.activity];
    if (!uri) throw new Error(`processing activity ${String(input.activity)} has no URI`);
    const { traceId, parentOperationId } = traceOf(input);
    const at = this.now().toISOString();
    const journeyIds = subjects.filter((s) => !('bsn' in s)).map((s) => s.journeyId!);
    const found = await this.persons.subjectsOf(journeyIds);
    const rows: ProcessingRecordRow[] = subjects.map((subject) => {
      const person = 'bsn' in subject ? { bsnSealed: this.identity.encryptBsn(LOG_BINDING, subject.bsn), bsnKey: this.identity.bsnKey(subject.bsn) } : (found.get(subject.journeyId) ?? {});
      return {
        trace_id: traceId,
        operation_id: randomHex(8),
        parent_operation_id: parentOperationId ?? null,
        status_code: STATUS_CODES.ok,
        name: input.name,
        start_time: at,
        end_time: at,
        foreign_trace_id: null,
        foreign_operation_id: null,
        foreign_entity: null,
        activity: input.activity,
        processing_activity_id: uri,
        data_subject_id: person.bsnSealed ?? null,
        data_subject_key: person.bsnKey ?? null,
        journey_ref: subject.journeyId ? erasureRef(subject.journeyId) : null,
        actor: input.actor,
      };
    });
    await this.store.appendAll(rows);
  }

  /**
   * One page of a person's records, newest first: by BSN (its keyed hash), or by journey (its erasure
   * reference, and the BSN key the person index has for it while the journey is not erased).
   * Throws RangeError for a cursor this log did not give.
   */
  async records(query: RecordsQuery, pageSize: number, cursor?: string): Promise<{ items: ProcessingRecord[]; next?: string }> {
    const page: ProcessingLogPage = await this.store.page(await this.storeQuery(query), pageSize, cursor);
    return { items: page.items.map(toRecord), ...(page.next ? { next: page.next } : {}) };
  }

  /** The records of one trace in the order they started (what one request did); for tests and the officer's detail. */
  async trace(traceId: string): Promise<ProcessingRecord[]> {
    return (await this.store.trace(traceId)).map(toRecord);
  }

  private async storeQuery(query: RecordsQuery): Promise<ProcessingLogQuery> {
    const filter = { ...(query.from ? { from: query.from } : {}), ...(query.until ? { until: query.until } : {}), ...(query.activities ? { activities: query.activities } : {}) };
    if ('bsn' in query.subject) return { subjectKey: this.identity.bsnKey(query.subject.bsn), ...filter };
    const { bsnKey } = await this.persons.subjectOf(query.subject.journeyId);
    return { journeyRef: erasureRef(query.subject.journeyId), ...(bsnKey ? { subjectKey: bsnKey } : {}), ...filter };
  }

  private async subject(subject: DataSubject): Promise<{ bsnSealed?: string; bsnKey?: string; journeyRef?: string }> {
    const journeyRef = subject.journeyId ? erasureRef(subject.journeyId) : undefined;
    if ('bsn' in subject) return { bsnSealed: this.identity.encryptBsn(LOG_BINDING, subject.bsn), bsnKey: this.identity.bsnKey(subject.bsn), ...(journeyRef ? { journeyRef } : {}) };
    const found = await this.persons.subjectOf(subject.journeyId);
    return { ...found, journeyRef: erasureRef(subject.journeyId) };
  }
}

function toRecord(row: ProcessingRecordRow): ProcessingRecord {
  return {
    traceId: row.trace_id,
    operationId: row.operation_id,
    ...(row.parent_operation_id ? { parentOperationId: row.parent_operation_id } : {}),
    statusCode: row.status_code as 0 | 1 | 2,
    name: row.name,
    startTime: row.start_time,
    endTime: row.end_time,
    ...(row.foreign_trace_id && row.foreign_operation_id && row.foreign_entity ? { foreignOperation: { traceId: row.foreign_trace_id, operationId: row.foreign_operation_id, entity: row.foreign_entity } } : {}),
    activity: row.activity as ProcessingActivityKey,
    processingActivityId: row.processing_activity_id,
    hasDataSubjectId: row.data_subject_id !== null,
    actor: row.actor,
  };
}
