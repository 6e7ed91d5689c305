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
