/**
 * The Zaken API (ZGW, version 1.5.1) as Koers calls it: every operation Koers uses, nothing else.
 * Each request carries a fresh ZGW JWT (HS256 with the client's secret; claims iss, iat, client_id,
 * user_id, user_representation, per the ZGW "Autorisatie" standard), made with `jose`.
 *
 * Requests go only to the configured base URL: a URL in an answer (the zaak's `url`) is used as the
 * reference the standard makes it, but Koers addresses a resource by its uuid under the base URL, so
 * the credentials never travel to an address the configuration did not name.
 *
 * Errors say the operation and HTTP status, and the names of the fields a 400 refused, never the
 * answer's values (a refusal may echo a BSN): they end in the outbox's `last_error`.
 */
import { SignJWT } from 'jose';
import type { ZakenMunicipality } from './config';
import { parseTraceparent } from '../../processing-log';

/** The Zaken API operations Koers calls (operationId in zaken-api-1.5.1.yaml); docs/chain.md lists them. */
export const ZAKEN_OPERATIONS = ['zaak_list', 'zaak_create', 'zaak_retrieve', 'zaak_partial_update', 'rol_list', 'rol_create', 'status_list', 'status_create', 'resultaat_list', 'resultaat_create', 'resultaat_partial_update'] as const;
export type ZakenOperation = (typeof ZAKEN_OPERATIONS)[number];

/** A refused or failed call: the dispatcher retries it, and after the last attempt it is a dead letter. */
export class ZakenApiError extends Error {
  constructor(
    readonly operation: ZakenOperation,
    readonly status: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'ZakenApiError';
  }
}

/** What the Zaken API answered: the JSON body and, when it answered with a W3C `traceparent`, its operation. */
export interface ZakenAnswer<T> {
  body: T;
  /** The Zaken API's own operation (its `traceparent` answer header), for the processing log's `foreign_operation`. */
  foreign?: { traceId: string; operationId: string };
}

export interface ZaakResource {
  url: string;
  uuid?: string;
  identificatie?: string;
  bronorganisatie?: string;
  archiefnominatie?: string | null;
  archiefactiedatum?: string | null;
}
export interface StatusResource {
  url?: string;
  zaak?: string;
  statustype?: string;
  datumStatusGezet?: string;
}
export interface RolResource {
  url?: string;
  zaak?: string;
  roltype?: string;
  betrokkeneType?: string;
  betrokkeneIdentificatie?: { inpBsn?: string } | null;
}
export interface ResultaatResource {
  url?: string;
  uuid?: string;
  zaak?: string;
  resultaattype?: string;
}

/** The zaken of a paginated list answer (`{count, next, previous, results}`), or of a bare array. */
export function listed<T>(body: unknown): T[] {
  if (Array.isArray(body)) return body as T[];
  const results = (body as { results?: unknown } | null)?.results;
  return Array.isArray(results) ? (results as T[]) : [];
}

/** The uuid of a resource: its `uuid`, else the last segment of its `url`. */
export function uuidOf(resource: { url?: string; uuid?: string }): string {
  if (resource.uuid) return resource.uuid;
  const last = resource.url?.replace(/\/+$/, '').split('/').pop();
  if (!last) throw new Error('the Zaken API answered a resource without url or uuid');
  return last;
}

/** The coordinate system headers the Zaken API requires on every /zaken operation (EPSG:4326, WGS84). */
const CRS = { 'Accept-Crs': 'EPSG:4326', 'Content-Crs': 'EPSG:4326' };

export class ZakenClient {
  private readonly key: Uint8Array;

  constructor(
    private readonly settings: ZakenMunicipality,
    private readonly options: { fetch?: typeof fetch; timeoutMs?: number } = {},
  ) {
    this.key = new TextEncoder().encode(settings.secret);
  }

  /** A ZGW JWT for one request: short-lived by its `iat` (the registration refuses old ones). */
  async token(): Promise<string> {
    const { clientId, userId, userRepresentation } = this.settings;
    return new SignJWT({ client_id: clientId, user_id: userId, user_representation: userRepresentation })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(clientId)
      .setIssuedAt()
      .sign(this.key);
  }

  listZaken(identificatie: string, bronorganisatie: string): Promise<ZakenAnswer<ZaakResource[]>> {
    return this.call<unknown>('zaak_list', 'GET', '/zaken', { query: { identificatie, bronorganisatie }, crs: true }).then((a) => ({ ...a, body: listed<ZaakResource>(a.body) }));
  }
  createZaak(body: Record<string, unknown>): Promise<ZakenAnswer<ZaakResource>> {
    return this.call('zaak_create', 'POST', '/zaken', { body, crs: true });
  }
  getZaak(uuid: string): Promise<ZakenAnswer<ZaakResource>> {
    return this.call('zaak_retrieve', 'GET', `/zaken/${encodeURIComponent(uuid)}`, { crs: true });
  }
  patchZaak(uuid: string, body: Record<string, unknown>): Promise<ZakenAnswer<ZaakResource>> {
    return this.call('zaak_partial_update', 'PATCH', `/zaken/${encodeURIComponent(uuid)}`, { body, crs: true });
  }
  /** `traceparent`: the processing log's operation (W3C Trace Context), so the registration can link its own record to it. */
  listRollen(zaak: string, roltype: string, traceparent?: string): Promise<ZakenAnswer<RolResource[]>> {
    return this.call<unknown>('rol_list', 'GET', '/rollen', { query: { zaak, roltype, betrokkeneType: 'natuurlijk_persoon' }, traceparent }).then((a) => ({ ...a, body: listed<RolResource>(a.body) }));
  }
  createRol(body: Record<string, unknown>, traceparent?: string): Promise<ZakenAnswer<RolResource>> {
    return this.call('rol_create', 'POST', '/rollen', { body, traceparent });
  }
  listStatussen(zaak: string, statustype: string): Promise<ZakenAnswer<StatusResource[]>> {
    return this.call<unknown>('status_list', 'GET', '/statussen', { query: { zaak, statustype } }).then((a) => ({ ...a, body: listed<StatusResource>(a.body) }));
  }
  createStatus(body: Record<string, unknown>): Promise<ZakenAnswer<StatusResource>> {
    return this.call('status_create', 'POST', '/statussen', { body });
  }
  listResultaten(zaak: string): Promise<ZakenAnswer<ResultaatResource[]>> {
    return this.call<unknown>('resultaat_list', 'GET', '/resultaten', { query: { zaak } }).then((a) => ({ ...a, body: listed<ResultaatResource>(a.body) }));
  }
  createResultaat(body: Record<string, unknown>): Promise<ZakenAnswer<ResultaatResource>> {
    return this.call('resultaat_create', 'POST', '/resultaten', { body });
  }
  patchResultaat(uuid: string, body: Record<string, unknown>): Promise<ZakenAnswer<ResultaatResource>> {
    return this.call('resultaat_partial_update', 'PATCH', `/resultaten/${encodeURIComponent(uuid)}`, { body });
  }

  private async call<T>(operation: ZakenOperation, method: string, path: string, options: { query?: Record<string, string>; body?: unknown; crs?: boolean; traceparent?: string | undefined }): Promise<ZakenAnswer<T>> {
    const url = new URL(`${this.settings.baseUrl}${path}`);
    for (const [name, value] of Object.entries(options.query ?? {})) url.searchParams.set(name, value);
    const doFetch = this.options.fetch ?? fetch;
    let response: Response;
    try {
      response = await doFetch(url, {
        method,
        headers: {
          Authorization: `Bearer ${await this.token()}`,
          Accept: 'application/json',
          ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...(options.crs ? CRS : {}),
          ...(options.traceparent ? { traceparent: options.traceparent } : {}),
        },
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new ZakenApiError(operation, undefined, `${operation}: Zaken API unreachable (${err instanceof Error ? err.name : 'error'})`);
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) throw new ZakenApiError(operation, response.status, `${operation}: Zaken API answered HTTP ${response.status}${refusedFields(text)}`);
    const foreign = parseTraceparent(response.headers.get('traceparent'));
    return { body: (text ? JSON.parse(text) : null) as T, ...(foreign ? { foreign } : {}) };
  }
}

/** The names (never the values) of the fields a ValidatieFout refused, e.g. ` (invalid: zaaktype, startdatum)`. */
function refusedFields(text: string): string {
  try {
    const body = JSON.parse(text) as { invalidParams?: { name?: unknown; code?: unknown }[] };
    const names = (body.invalidParams ?? []).map((p) => `${String(p.name)}${typeof p.code === 'string' ? `:${p.code}` : ''}`).filter(Boolean);
    return names.length > 0 ? ` (invalid: ${names.join(', ').slice(0, 500)})` : '';
  } catch {
    return '';
  }
}
