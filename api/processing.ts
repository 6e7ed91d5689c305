/**
 * How the API records a processing of personal data in the processing log (processing-log/index.ts):
 * the one way a route does it. The record's name is the route's method and path pattern (never the
 * path itself: it would carry a journey id), the actor the caller's name, and every record of one
 * request shares that request's trace.
 */
import type { Request } from 'express';
import { traceOfRequest, type DataSubject, type Operation, type ProcessingActivityKey, type RequestTrace } from '../processing-log';
import type { Principal } from './auth';
import type { ApiContext } from './context';

const traces = new WeakMap<Request, RequestTrace>();

/**
 * The trace of this request: one per request, shared by every record it writes. A request that carries a
 * valid W3C `traceparent` (the municipality's portal or gateway) continues that trace, its operation the
 * records' parent; an invalid one is ignored (a new trace), never an error (docs/processing-log.md).
 */
export function requestTrace(req: Request): RequestTrace {
  let trace = traces.get(req);
  if (!trace) {
    trace = traceOfRequest(req.get('traceparent'));
    traces.set(req, trace);
  }
  return trace;
}

/** The record's name for a route: `GET /v1/journeys/{journeyId}` (the pattern, in the OpenAPI document's form). */
export function operationName(req: Request): string {
  const pattern = req.route ? String(req.baseUrl ?? '') + String(req.route.path) : req.path;
  return `${req.method} ${pattern.replace(/:(\w+)/g, '{$1}')}`;
}

/**
 * Runs `run` as one processing of `subject`'s data by the caller, recorded when it ends (ok, or error
 * when `run` throws). Rejects when the record cannot be written: the answer then fails (503 while the
 * store is down) rather than going out unaccounted for.
 */
export function recordProcessing<T>(
  ctx: Pick<ApiContext, 'processingLog'>,
  from: { req: Request; principal: Principal },
  input: { activity: ProcessingActivityKey; subject: DataSubject; parent?: Operation },
  run: (op: Operation) => Promise<T>,
): Promise<T> {
  return ctx.processingLog.around(
    { ...input, name: operationName(from.req), actor: actorOf(from.principal), ...(input.parent ? {} : { trace: requestTrace(from.req) }) },
    run,
  );
}

/** Who processed, as the record names them: the signed-in person's or the key's name. */
export const actorOf = (principal: Principal): string => principal.name;

/**
 * A page source for an export (api/export.ts `allPages`) that records each page's persons before their
 * rows go out: one `export` record per journey in the page (docs/processing-log.md), in the request's
 * trace. A page whose records cannot be written fails the download (cut off, never silently unaccounted).
 */
export function recordingPages<T>(
  ctx: Pick<ApiContext, 'processingLog'>,
  from: { req: Request; principal: Principal },
  page: (cursor: string | undefined) => Promise<{ items: T[]; next?: string }>,
  journeyOf: (item: T) => string,
): (cursor: string | undefined) => Promise<{ items: T[]; next?: string }> {
  const input = { activity: 'export' as const, name: operationName(from.req), actor: actorOf(from.principal), trace: requestTrace(from.req) };
  return async (cursor) => {
    const result = await page(cursor);
    await ctx.processingLog.recordEach(input, [...new Set(result.items.map(journeyOf))].map((journeyId) => ({ journeyId })));
    return result;
  };
}
