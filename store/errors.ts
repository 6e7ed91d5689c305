/** Errors the store throws, each with the HTTP status the API maps it to. */

/** The task is in a state that does not allow the action, e.g. someone else holds it (HTTP 409). */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
  readonly status = 409;
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  readonly status = 404;
}

/** Input the caller can fix (HTTP 400); `issues` name the offending fields. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  readonly status = 400;
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

/**
 * The database out of reach for a moment (restart, fail-over, a connection it ended, SQLite's writer
 * lock held too long): the request changed nothing that stays, so the caller may retry it.
 * PostgreSQL SQLSTATE classes 08 (connection exception) and 57P (operator intervention), too many
 * connections (53300), and a database closed to connections (ALLOW_CONNECTIONS false: 55000).
 */
export function databaseUnavailable(err: unknown): boolean {
  const e = (err ?? {}) as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  if (/^08|^57P0[123]$|^53300$/.test(code) || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'SQLITE_BUSY'].includes(code)) return true;
  return typeof e.message === 'string' && /^Connection terminated|Client has encountered a connection error|is not currently accepting connections/.test(e.message);
}
