/**
 * The privacy officer's view of the processing log (issue 23; processing-log/index.ts): every processing
 * of one person's data, found by BSN or journey, filtered by period and activity, as JSON pages or a CSV
 * download. The BSN travels in the body, never in a URL. Reading the log is itself a processing of the
 * person's data and is recorded (activity `processing-log-inspection`). There is no route that changes
 * or deletes a record.
 */
import { z } from 'zod';
import { addDays, amsterdamStartOfDay } from '../domain/dates';
import type { ProcessingRecord, RecordsQuery } from '../processing-log';
import type { ApiContext } from './context';
import { allPages, CSV_RESPONSE, EXPORT_PAGE_SIZE, ExportLang, sendCsv, wordOf, type CsvColumn } from './export';
import { recordProcessing } from './processing';
import { route, type RouteDef } from './route';
import { ProcessingLogExportBody, ProcessingLogPageSchema, ProcessingLogSearchBody } from './schemas';

const json = (schema: z.ZodType) => ({ 'application/json': schema });

/** The columns of the CSV download: the Logboek's fields by their own names (docs/processing-log.md). */
export const PROCESSING_LOG_COLUMNS: Array<CsvColumn<ProcessingRecord>> = [
  ['start_time', (r) => r.startTime],
  ['end_time', (r) => r.endTime],
  ['activity', (r) => r.activity, wordOf('processingLog.activity')],
  ['dpl.core.processing_activity_id', (r) => r.processingActivityId],
  ['name', (r) => r.name, wordOf('processingLog.operation'), 'csv.operation'],
  ['status_code', (r) => r.statusCode, wordOf('processingLog.status')],
  ['actor', (r) => r.actor],
  ['trace_id', (r) => r.traceId],
  ['operation_id', (r) => r.operationId],
  ['parent_operation_id', (r) => r.parentOperationId],
  ['foreign_operation.trace_id', (r) => r.foreignOperation?.traceId],
  ['foreign_operation.operation_id', (r) => r.foreignOperation?.operationId],
  ['foreign_operation.entity', (r) => r.foreignOperation?.entity],
  ['dpl.core.data_subject_id', (r) => (r.hasDataSubjectId ? 'versleuteld' : '')],
];

type QueryBody = z.output<typeof ProcessingLogExportBody>;

/** The door's query for a body: days (Europe/Amsterdam) as instants, `until` through the end of its day. */
export function recordsQuery(body: QueryBody): RecordsQuery {
  return {
    subject: body.bsn ? { bsn: body.bsn } : { journeyId: body.journeyId! },
    ...(body.from ? { from: new Date(amsterdamStartOfDay(body.from)).toISOString() } : {}),
    ...(body.until ? { until: new Date(amsterdamStartOfDay(addDays(body.until, 1))).toISOString() } : {}),
    ...(body.activities ? { activities: body.activities } : {}),
  };
}

/**
 * A record with its other party named as configured (the BRP by its base URL, chain/brp), so a reader
 * sees "BRP" where the Logboek keeps the party's URI; the URI itself stays in the record and the CSV.
 */
function withParty(ctx: ApiContext, record: ProcessingRecord): ProcessingRecord & { foreignOperation?: { party?: 'brp' } } {
  const other = record.foreignOperation;
  if (!other || !ctx.brp || other.entity !== ctx.brp.settings.baseUrl) return record;
  return { ...record, foreignOperation: { ...other, party: 'brp' } };
}

export function processingLogRoutes(ctx: ApiContext): RouteDef[] {
  const subjectOf = (body: QueryBody) => (body.bsn ? { bsn: body.bsn, ...(body.journeyId ? { journeyId: body.journeyId } : {}) } : { journeyId: body.journeyId! });
  return [
    route(
      {
        method: 'post',
        path: '/v1/processing-log/search',
        operationId: 'searchProcessingLog',
        summary: "Every processing of one person's data, by BSN or journey, in a period, of some activities (privacy officer)",
        description:
          'The processing log (Logboek Dataverwerkingen, docs/processing-log.md): one record per processing, newest first, in pages. ' +
          'The person by `bsn` (compared as a keyed hash) or `journeyId`; the BSN travels in the body, never in a URL and is never returned. ' +
          'Reading the log is recorded too (activity `processing-log-inspection`). The log cannot be changed or deleted through the API.',
        tags: ['administration'],
        body: { content: json(ProcessingLogSearchBody), schema: ProcessingLogSearchBody },
        responses: { 200: { description: 'One page of records, possibly none', schema: ProcessingLogPageSchema } },
      },
      async ({ req, principal, body }) => {
        const page = await recordProcessing(ctx, { req, principal }, { activity: 'processing-log-inspection', subject: subjectOf(body) }, () =>
          ctx.processingLog.records(recordsQuery(body), body.pageSize, body.cursor),
        );
        return { status: 200, body: { records: page.items.map((r) => withParty(ctx, r)), ...(page.next ? { nextCursor: page.next } : {}) } };
      },
    ),

    route(
      {
        method: 'post',
        path: '/v1/processing-log/export',
        operationId: 'exportProcessingLog',
        summary: "Every processing of one person's data as CSV (privacy officer), with the Logboek's field names",
        description:
          'The records `POST /v1/processing-log/search` finds, all of them, newest first, streamed page by page (api/export.ts); ' +
          'the columns carry the Logboek Dataverwerkingen field names. Recorded as `processing-log-inspection`.',
        tags: ['administration'],
        query: ExportLang,
        body: { content: json(ProcessingLogExportBody), schema: ProcessingLogExportBody },
        responses: { 200: CSV_RESPONSE },
      },
      async ({ req, res, principal, body, query: { lang } }) => {
        const query = recordsQuery(body);
        await recordProcessing(ctx, { req, principal }, { activity: 'processing-log-inspection', subject: subjectOf(body) }, async () => {
          const rows = allPages((cursor) => ctx.processingLog.records(query, EXPORT_PAGE_SIZE, cursor));
          await sendCsv(res, `verwerkingen-${ctx.today()}.csv`, PROCESSING_LOG_COLUMNS, rows, lang);
        });
        return { status: 200 };
      },
    ),
  ];
}
