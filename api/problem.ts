import type { ErrorRequestHandler, Response } from 'express';
import type { z } from 'zod';

export interface FieldError {
  path: string;
  message: string;
}

/** An RFC 9457 problem; thrown anywhere in a handler, rendered by `problemHandler`. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
  }

  /** Seconds a client should wait before retrying; sent as `Retry-After` (RFC 9110 §10.2.3) on every 503. */
  retryAfterSeconds?: number;

  /** A 503 the caller can retry after `retryAfterSeconds`. */
  static unavailable(title: string, detail: string, retryAfterSeconds = DEFAULT_RETRY_AFTER_SECONDS): Problem {
    const problem = new Problem(503, title, detail);
    problem.retryAfterSeconds = retryAfterSeconds;
    return problem;
  }

  /** 409: a change for a journey that is no longer running; nothing was changed. */
  static journeyEnded(): Problem {
    return new Problem(409, 'Journey ended', 'The journey is no longer running; it accepts no more changes.');
  }
}

/** What a 503 asks of a client that named no better time: a few seconds, long enough for a restart to finish. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** Every issue, each with the dotted path of its field (`data.occurredOn`), so a caller can fix all at once. */
export const fieldErrors = (error: z.ZodError, prefix = ''): FieldError[] => {
  const at = (path: PropertyKey[]) => [prefix, ...path.map(String)].filter(Boolean).join('.') || '(body)';
  return error.issues.flatMap((issue) =>
    // An unknown field is named by its own path, one error each, like any other wrong field.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: at([...issue.path, key]), message: 'unknown field' }))
      : [{ path: at(issue.path), message: issue.message }],
  );
};

export const invalid = (error: z.ZodError, prefix = '', status = 422): Problem =>
  new Problem(status, 'Invalid request', 'One or more fields are invalid.', fieldErrors(error, prefix));

export const notFound = (what = 'resource'): Problem => new Problem(404, 'Not found', `No such ${what}.`);

/** The RFC 9457 members come last, so an extension member can never replace one (`status` is the HTTP status). */
export function problemBody(problem: Problem): Record<string, unknown> {
  return {
    ...problem.extra,
    type: 'about:blank',
    title: problem.title,
    status: problem.status,
    ...(problem.detail ? { detail: problem.detail } : {}),
    ...(problem.errors ? { errors: problem.errors } : {}),
  };
}

export function sendProblem(res: Response, problem: Problem): void {
  // RFC 6750: a 401 names the scheme it wants.
  if (problem.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
  if (problem.status === 503 || problem.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(problem.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS));
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problemBody(problem)));
}

interface HttpishError extends Error {
  type?: string;
  status?: number;
  issues?: FieldError[];
  details?: Record<string, unknown>;
}

/** Errors of the store (ConflictError, NotFoundError, ValidationError) carry their HTTP status. */
function fromStatusError(err: HttpishError): Problem | undefined {
  if (typeof err.status !== 'number' || err.status < 400 || err.status >= 500) return undefined;
  switch (err.name) {
    case 'ConflictError': {
      // The store names the task's state `status`; in a problem that member is the HTTP status code.
      const { status: taskStatus, ...details } = err.details ?? {};
      return new Problem(409, 'Conflict', err.message, undefined, { ...details, ...(taskStatus !== undefined ? { taskStatus } : {}) });
    }
    case 'NotFoundError':
      return new Problem(404, 'Not found', err.message);
    case 'ValidationError':
      return new Problem(422, 'Invalid request', err.message, err.issues?.length ? err.issues : undefined);
    default:
      return new Problem(err.status, 'Bad request', err.message);
  }
}

/** Last middleware: known problems as they are, parser and store errors as 4xx, anything else a 500 without internals. */
export function problemHandler(onUnexpected: (err: unknown) => void): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof Problem) return sendProblem(res, err);
    const e = (err ?? {}) as HttpishError;
    if (e.type === 'entity.parse.failed') return sendProblem(res, new Problem(400, 'Malformed JSON', 'The body is not valid JSON.', [{ path: '(body)', message: 'not valid JSON' }]));
    if (e.type === 'entity.too.large') return sendProblem(res, new Problem(413, 'Body too large', 'The body exceeds the size limit.', [{ path: '(body)', message: 'too large' }]));
    if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') return sendProblem(res, new Problem(415, 'Unsupported encoding', 'Send UTF-8 encoded JSON.'));
    // body-parser's other 4xx (e.g. a body on a request that declared none, aborted uploads) keep their status; its messages hold no internals.
    if (e.type && typeof e.status === 'number' && e.status >= 400 && e.status < 500) return sendProblem(res, new Problem(e.status, 'Bad request', e.message));
    const known = fromStatusError(e);
    if (known) return sendProblem(res, known);
    onUnexpected(err);
    return sendProblem(res, new Problem(500, 'Internal error', 'An unexpected error occurred; it has been logged.'));
  };
}
