/**
 * The web app is a client of the API like any other: every page reads and writes through the API's
 * own operations with the signed-in user's key, so roles, validation and the journey's answers are
 * the API's, with no second source of truth. Calls go over loopback to the same server.
 */
import type { Request } from 'express';

export interface FieldError {
  path: string;
  message: string;
}

export interface ProblemBody {
  status: number;
  title: string;
  detail?: string;
  errors?: FieldError[];
}

export type ApiAnswer<T> = { ok: true; status: number; body: T } | { ok: false; status: number; problem: ProblemBody };

export class ApiClient {
  /** `traceparent`: the page request's W3C header, passed on so the API's processing-log records join its trace. */
  constructor(
    private readonly base: string,
    private readonly apiKey: string,
    private readonly traceparent?: string,
  ) {}

  /** The API on the address and port this request came in on (loopback when bound to every interface), in the request's trace. */
  static forRequest(req: Request, apiKey: string): ApiClient {
    let host = req.socket.localAddress ?? '127.0.0.1';
    if (host.startsWith('::ffff:')) host = host.slice('::ffff:'.length);
    if (host === '::' || host === '0.0.0.0') host = '127.0.0.1';
    if (host.includes(':')) host = `[${host}]`;
    return new ApiClient(`http://${host}:${req.socket.localPort}`, apiKey, req.get('traceparent'));
  }

  /** Headers of every call: the user's key, and the page request's trace when it came with one (the API checks it). */
  private headers(extra: Record<string, string>): Record<string, string> {
    return { authorization: `Bearer ${this.apiKey}`, ...(this.traceparent ? { traceparent: this.traceparent } : {}), ...extra };
  }

  get<T>(path: string): Promise<ApiAnswer<T>> {
    return this.call<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<ApiAnswer<T>> {
    return this.call<T>('POST', path, body);
  }

  put<T>(path: string, body?: unknown): Promise<ApiAnswer<T>> {
    return this.call<T>('PUT', path, body);
  }

  /** Like get, but an answer other than 2xx is thrown (a page that cannot be drawn without it). */
  async read<T>(path: string): Promise<T> {
    const answer = await this.get<T>(path);
    if (!answer.ok) throw new ApiError(answer.problem);
    return answer.body;
  }

  /**
   * A GET (or, with `body`, a POST of JSON) whose answer is streamed on (a CSV export): the response
   * with its body unread; an answer other than 2xx is thrown like {@link read} does.
   */
  async stream(path: string, body?: unknown): Promise<globalThis.Response & { body: NonNullable<globalThis.Response['body']> }> {
    const res = await fetch(`${this.base}${path}`, {
      headers: this.headers(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(body !== undefined ? { method: 'POST', body: JSON.stringify(body) } : {}),
    });
    if (!res.ok || !res.body) {
      const text = await res.text();
      const problem = (text ? JSON.parse(text) : { title: res.statusText }) as ProblemBody;
      throw new ApiError({ ...problem, status: res.status });
    }
    return res as globalThis.Response & { body: NonNullable<globalThis.Response['body']> };
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> {
    const headers = this.headers({ accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) });
    const res = await fetch(`${this.base}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (res.ok) return { ok: true, status: res.status, body: parsed as T };
    const problem = (parsed ?? { title: res.statusText }) as ProblemBody;
    return { ok: false, status: res.status, problem: { ...problem, status: res.status } };
  }
}

/** An API answer a page could not do without; the web app's error handler shows it. */
export class ApiError extends Error {
  constructor(readonly problem: ProblemBody) {
    super(problem.detail ?? problem.title);
  }
}
