/**
 * The processing log's table (issue 23, Logboek Dataverwerkingen): one row per processing of personal
 * data, written once and never changed. This module has an insert and reads, and nothing else: no
 * update, no delete (docs/processing-log.md, "Retention"). The door is processing-log/index.ts.
 */
import type { Db, ProcessingLogTable } from './db';

/** A record as written: the table's columns. */
export type ProcessingRecordRow = ProcessingLogTable;

/** Which records a privacy officer asks for: one person (by BSN key, journey reference, or both), a period, activities. */
export interface ProcessingLogQuery {
  /** Keyed hash of the person's BSN (api/identity.ts bsnKey). */
  subjectKey?: string;
  /** The journey's erasure reference (store/erasure-ref.ts). */
  journeyRef?: string;
  /** Instants, ISO-8601 UTC: records that started at or after `from` and before `until`. */
  from?: string;
  until?: string;
  activities?: readonly string[];
}

/** Rows of one page, newest first, and the cursor of the next page (none: the last). */
export interface ProcessingLogPage {
  items: ProcessingRecordRow[];
  next?: string;
}

export class ProcessingLogStore {
  constructor(private readonly db: Db) {}

  /**
   * Appends one record; resolves when the database has it (the Logboek confirms every write). A second
   * record of the same trace and operation is refused by the primary key (throws).
   */
  async append(row: ProcessingRecordRow): Promise<void> {
    await this.db.insertInto('processing_log').values(row).execute();
  }

  /**
   * One page of the records of a person: those whose BSN key or journey reference is given (either
   * matches), filtered by period and activities, newest first (start time, then trace and operation).
   * No person given: no records (the log is read per person).
   */
  async page(query: ProcessingLogQuery, pageSize: number, cursor?: string): Promise<ProcessingLogPage> {
    if (!query.subjectKey && !query.journeyRef) return { items: [] };
    if (query.activities && query.activities.length === 0) return { items: [] };
    const after = cursor === undefined ? undefined : decodeProcessingLogCursor(cursor);
    if (cursor !== undefined && after === undefined) throw new RangeError('not a processing log cursor');
    const rows = await this.db
      .selectFrom('processing_log')
      .selectAll()
      .where((eb) =>
        eb.or([
          ...(query.subjectKey ? [eb('data_subject_key', '=', query.subjectKey)] : []),
          ...(query.journeyRef ? [eb('journey_ref', '=', query.journeyRef)] : []),
        ]),
      )
      .$if(query.from !== undefined, (qb) => qb.where('start_time', '>=', query.from!))
      .$if(query.until !== undefined, (qb) => qb.where('start_time', '<', query.until!))
      .$if(query.activities !== undefined, (qb) => qb.where('activity', 'in', query.activities as string[]))
      .$if(after !== undefined, (qb) =>
        qb.where((eb) =>
          eb.or([
            eb('start_time', '<', after!.startTime),
            eb.and([eb('start_time', '=', after!.startTime), eb('trace_id', '<', after!.traceId)]),
            eb.and([eb('start_time', '=', after!.startTime), eb('trace_id', '=', after!.traceId), eb('operation_id', '<', after!.operationId)]),
          ]),
        ),
      )
      .orderBy('start_time', 'desc')
      .orderBy('trace_id', 'desc')
      .orderBy('operation_id', 'desc')
      .limit(pageSize + 1)
      .execute();
    const items = rows.slice(0, pageSize);
    const last = items[items.length - 1];
    return rows.length > pageSize && last ? { items, next: encodeCursor(last) } : { items };
  }

  /** The records of one trace, in the order they started: what one request did. */
  async trace(traceId: string): Promise<ProcessingRecordRow[]> {
    return this.db.selectFrom('processing_log').selectAll().where('trace_id', '=', traceId).orderBy('start_time').orderBy('operation_id').execute();
  }
}

function encodeCursor(row: ProcessingRecordRow): string {
  return Buffer.from(JSON.stringify([row.start_time, row.trace_id, row.operation_id])).toString('base64url');
}

/** The key in `cursor`, or undefined when it is not one this store gave (the API refuses it as a bad parameter). */
export function decodeProcessingLogCursor(cursor: string): { startTime: string; traceId: string; operationId: string } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || !parsed.every((p) => typeof p === 'string')) return undefined;
  const [startTime, traceId, operationId] = parsed as [string, string, string];
  return { startTime, traceId, operationId };
}
