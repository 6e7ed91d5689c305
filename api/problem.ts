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
}

export const fieldErrors = (error: z.ZodError, prefix = ''): FieldError[] =>
  error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)',
    message: issue.message,
  }));

export const invalid = (error: z.ZodError, prefix = '', status = 422): Problem =>
  new Problem(status, 'Invalid request', 'One or more fields are invalid.', fieldErrors(error, prefix));

export function sendProblem(res: Response, problem: Problem): void {
  res
    .status(problem.status)
    .type('application/problem+json')
    .json({
      type: 'about:blank',
      title: problem.title,
      status: problem.status,
      ...(problem.detail ? { detail: problem.detail } : {}),
      ...(problem.errors ? { errors: problem.errors } : {}),
      ...problem.extra,
    });
}

interface BodyParserError extends Error {
  type?: string;
  status?: number;
}

/** Last middleware: known problems as they are, body-parser errors as 4xx, anything else a 500 without internals. */
export function problemHandler(onUnexpected: (err: unknown) => void): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    if (err instanceof Problem) return sendProblem(res, err);
    const parserError = err as BodyParserError;
    if (parserError.type === 'entity.parse.failed') return sendProblem(res, new Problem(400, 'Malformed JSON', 'The body is not valid JSON.', [{ path: '(body)', message: 'not valid JSON' }]));
    if (parserError.type === 'entity.too.large') return sendProblem(res, new Problem(413, 'Body too large', 'The body exceeds the size limit.'));
    if (parserError.type === 'encoding.unsupported' || parserError.type === 'charset.unsupported') return sendProblem(res, new Problem(415, 'Unsupported encoding', parserError.message));
    if (typeof parserError.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
      return sendProblem(res, new Problem(parserError.status, 'Bad request', parserError.message));
    }
    onUnexpected(err);
    return sendProblem(res, new Problem(500, 'Internal error', 'An unexpected error occurred; it has been logged.'));
  };
}
