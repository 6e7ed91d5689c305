/**
 * The one operation Koers calls on the BRP API Personen 2.7.0: `POST {baseUrl}/personen` with
 * `RaadpleegMetBurgerservicenummer`, the purpose's `fields`, the authentication and the protocollering
 * headers of the deployment (config.ts). The answer is returned to the caller and never kept: no cache,
 * no log line with its content (a log line names the purpose, the status and the duration only).
 */
import type { BrpPurpose, BrpSettings } from './config';
import { BRP_FIELDS, consultBody, personOf } from './mapping';

/** The BRP could not be asked (network, timeout, 429, 5xx): the caller goes on without it. */
export class BrpUnavailable extends Error {}

/** The BRP refused the request (4xx other than 429): a configuration fault (credentials, doelbinding, fields). */
export class BrpRefused extends Error {
  constructor(readonly status: number) {
    super(`BRP refused the request: HTTP ${status}`);
  }
}

/** Who asks, and the trace the request belongs to. */
export interface BrpRequestContext {
  /** `x-gebruiker`: the staff id of the person asking; absent: the service's own check (settings' systemUser). */
  user?: string;
  /** W3C `traceparent` sent with the request, so the BRP's log and Koers's processing log can be joined. */
  traceparent?: string;
}

/** One answer: the person (undefined: the BRP knows no person with this BSN) and the BRP's own trace where it answers one. */
export interface BrpAnswer {
  person?: Record<string, unknown>;
  /** The `traceparent` the BRP answered with, if any (the foreign operation of the processing log). */
  foreignTraceparent?: string;
}

type Fetch = typeof fetch;

/**
 * A client of one deployment's BRP gateway. `fetchImpl` is for tests of the request it builds; the
 * integration tests use the real fetch against Prism.
 */
export class BrpClient {
  private token?: { value: string; expiresAt: number };

  constructor(
    readonly settings: BrpSettings,
    private readonly fetchImpl: Fetch = fetch,
    private readonly now: () => number = Date.now,
  ) {}

  /** The request Koers sends for `bsn` and `purpose` (method, URL, headers, body), without authentication. */
  request(bsn: string, purpose: BrpPurpose, context: BrpRequestContext): { url: string; headers: Record<string, string>; body: string } {
    const p = this.settings.protocollering;
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      accept: 'application/json',
      [p.headers.doelbinding]: p.doelbinding,
      [p.headers.verwerking]: p.verwerking[purpose],
      [p.headers.gebruiker]: headerSafe(context.user ?? p.systemUser),
      ...(p.originOin ? { [p.headers.originOin]: p.originOin } : {}),
      ...(context.traceparent ? { traceparent: context.traceparent } : {}),
    };
    return { url: `${this.settings.baseUrl}/personen`, headers, body: JSON.stringify(consultBody(bsn, BRP_FIELDS[purpose])) };
  }

  /**
   * Consults the BRP about one BSN for `purpose`. Throws {@link BrpUnavailable} (down, slow, busy) or
   * {@link BrpRefused} (the gateway refuses Koers's request).
   */
  async consult(bsn: string, purpose: BrpPurpose, context: BrpRequestContext = {}): Promise<BrpAnswer> {
    const { url, headers, body } = this.request(bsn, purpose, context);
    let response: Response;
    try {
      response = await this.fetchImpl(url, { method: 'POST', headers: { ...headers, ...(await this.authHeaders()) }, body, signal: AbortSignal.timeout(this.settings.timeoutMs) });
    } catch (err) {
      if (err instanceof BrpRefused) throw err;
      throw new BrpUnavailable(`BRP not reached: ${(err as Error).name}`);
    }
    if (response.status === 429 || response.status >= 500) {
      await response.body?.cancel();
      throw new BrpUnavailable(`BRP answered HTTP ${response.status}`);
    }
    if (!response.ok) {
      await response.body?.cancel();
      if (response.status === 401) this.token = undefined;
      throw new BrpRefused(response.status);
    }
    let answer: unknown;
    try {
      answer = await response.json();
    } catch {
      throw new BrpUnavailable('BRP answered no JSON');
    }
    const foreignTraceparent = response.headers.get('traceparent') ?? undefined;
    const person = personOf(answer);
    return { ...(person ? { person } : {}), ...(foreignTraceparent ? { foreignTraceparent } : {}) };
  }

  /** The authentication header: the API key, or a bearer token by client credentials (kept in memory until it nearly expires). */
  private async authHeaders(): Promise<Record<string, string>> {
    const auth = this.settings.auth;
    if (auth.type === 'api-key') return { [auth.header]: auth.key };
    if (!this.token || this.token.expiresAt <= this.now()) {
      const form = new URLSearchParams({ grant_type: 'client_credentials', ...(auth.scope ? { scope: auth.scope } : {}) });
      let response: Response;
      try {
        response = await this.fetchImpl(auth.tokenUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${encodeURIComponent(auth.clientId)}:${encodeURIComponent(auth.clientSecret)}`).toString('base64')}` },
          body: form.toString(),
          signal: AbortSignal.timeout(this.settings.timeoutMs),
        });
      } catch (err) {
        throw new BrpUnavailable(`BRP token endpoint not reached: ${(err as Error).name}`);
      }
      if (response.status === 429 || response.status >= 500) throw new BrpUnavailable(`BRP token endpoint answered HTTP ${response.status}`);
      if (!response.ok) throw new BrpRefused(response.status);
      const token = (await response.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown };
      if (typeof token.access_token !== 'string') throw new BrpRefused(response.status);
      const lifetime = typeof token.expires_in === 'number' ? token.expires_in : 300;
      // Renewed half a minute early, so a request never leaves with a token about to lapse.
      this.token = { value: token.access_token, expiresAt: this.now() + Math.max(0, lifetime - 30) * 1000 };
    }
    return { authorization: `Bearer ${this.token.value}` };
  }
}

/** A header value from a staff id: printable ASCII, at most 242 characters (VNG verwerkingenlog column width). */
function headerSafe(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?').slice(0, 242);
}
