/**
 * The identity door: who a person signed in to the web app is, and for how long.
 *
 * - With an OpenID Connect provider configured (identity/config.ts), people sign in there
 *   (identity/oidc.ts) and Koers keeps a session in the store (identity/sessions.ts) whose principal
 *   comes from the provider's groups; the provider is asked again at least every
 *   KOERS_OIDC_RECHECK_SECONDS, and a refusal (user disabled, signed out at the provider) or a
 *   withdrawn role ends the session at that request.
 * - Without one (development mode), a person signs in with an API key; the session keeps only the
 *   key's hash and ends when the key leaves the key file.
 *
 * The web app calls the API for the session's principal through a delegation token
 * (identity/delegation.ts); what each role may do is identity/permissions.ts.
 */
import type { ApiKeys, Principal } from '../api/auth';
import type { Identity as Secrets } from '../api/identity';
import type { Db } from '../store/db';
import type { IdentitySettings } from './config';
import { Delegations } from './delegation';
import { OidcClient, PENDING_SIGN_IN_MS, principalFromClaims, providerRefused, type PendingSignIn, type Refusal, type SignedInPerson } from './oidc';
import { WebSessions, type SessionKind, type StoredSession } from './sessions';

export { OIDC_CALLBACK_PATH } from './config';
export type { SignedInPerson } from './oidc';

/** A signed-in person's session as a web page sees it. */
export interface WebSession {
  /** The cookie's id: only in this request's memory. */
  id: string;
  kind: SessionKind;
  principal: Principal;
  /** Every form that changes something carries it back (web/app.ts). */
  csrfToken: string;
}

export interface IdentityLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface IdentityDeps {
  db: Db;
  keys: ApiKeys;
  /** The server secret's derived keys: sealing the provider's tokens, CSRF tokens. */
  secrets: Secrets;
  settings: IdentitySettings;
  logger?: IdentityLogger;
  now?: () => number;
  /**
   * Told of every sign-in (OpenID Connect, and an API key's in development mode): the staff directory
   * (staff/) learns colleagues from their sign-ins. A failure is logged and does not stop the sign-in.
   */
  recordStaffSignIn?: (person: SignedInPerson) => Promise<void>;
  /**
   * Told when the provider's groups no longer grant a person any role (offboarded, moved on): the staff
   * directory stops offering them as a colleague. A failure is logged and does not keep the session.
   */
  staffWithdrawn?: (staffId: string) => Promise<void>;
}

export type SignInOutcome = { ok: true; cookieId: string; session: WebSession; next: string } | { ok: false; reason: Refusal | 'invalid' | 'expired' | 'provider' };

export class People {
  readonly sessions: WebSessions;
  readonly delegations: Delegations;
  readonly oidc?: OidcClient;
  private readonly now: () => number;

  constructor(private readonly deps: IdentityDeps) {
    this.now = deps.now ?? Date.now;
    this.sessions = new WebSessions(deps.db, deps.settings.sessions, this.now);
    this.delegations = new Delegations(this.now);
    if (deps.settings.oidc) this.oidc = new OidcClient(deps.settings.oidc);
  }

  /** The provider's name for the sign-in button, when people sign in there. */
  get providerName(): string | undefined {
    return this.deps.settings.oidc?.providerName;
  }

  private view(cookieId: string, session: Pick<StoredSession, 'kind' | 'principal'>): WebSession {
    return { id: cookieId, kind: session.kind, principal: session.principal, csrfToken: this.deps.secrets.csrfToken(cookieId) };
  }

  /**
   * The live session of a cookie's id, with its principal as of now: for a key session the key's
   * current entry; for a provider session re-confirmed when its last check is older than the
   * re-check interval. Undefined (and the session deleted) when it is over.
   */
  async resolve(cookieId: string | undefined): Promise<WebSession | undefined> {
    const stored = await this.sessions.find(cookieId);
    if (!stored) return undefined;
    if (stored.kind === 'api-key') {
      const principal = stored.keyHash ? this.deps.keys.findByHash(stored.keyHash) : undefined;
      if (!principal || principal.role === 'partner') {
        await this.sessions.endByHash(stored.idHash);
        return undefined;
      }
      return this.view(cookieId!, { ...stored, principal });
    }
    const oidc = this.oidc;
    // A provider session after the provider was configured away: over.
    if (!oidc) {
      await this.sessions.endByHash(stored.idHash);
      return undefined;
    }
    if (this.now() - (stored.checkedAt ?? 0) < oidc.settings.recheckMs) return this.view(cookieId!, stored);
    // Exactly one request (of any API instance) re-checks; the others go on with what is stored.
    if (!(await this.sessions.claimCheck(stored))) return this.view(cookieId!, stored);
    if (!stored.refreshToken) return this.endSession(stored, 'no refresh token to re-check with');
    let answer;
    try {
      answer = await oidc.recheck(this.deps.secrets.openSessionSecret(stored.refreshToken));
    } catch (err) {
      if (providerRefused(err)) return this.endSession(stored, 'the provider refused the refresh');
      // Unreachable provider: keep the session, ask again at the next interval (docs/identity.md).
      this.deps.logger?.warn({ err: err instanceof Error ? err.name : String(err) }, 'identity provider not reached to re-check a session');
      return this.view(cookieId!, stored);
    }
    const person = principalFromClaims(answer.claims, oidc.settings);
    if (typeof person === 'string') {
      await this.withdrawStaff(stored.principal.name);
      return this.endSession(stored, `the provider's groups no longer grant a role (${person})`);
    }
    await this.sessions.confirm(stored.idHash, person.principal, this.sealed(answer));
    // The directory follows the provider's groups between sign-ins too (a new team, another municipality).
    await this.recordStaff(person);
    return this.view(cookieId!, { kind: 'oidc', principal: person.principal });
  }

  private async endSession(stored: StoredSession, why: string): Promise<undefined> {
    await this.sessions.endByHash(stored.idHash);
    this.deps.logger?.info({ keyId: stored.principal.keyId, why }, 'web session ended by the identity provider');
    return undefined;
  }

  private sealed(answer: { refreshToken?: string; idToken?: string }): { refreshToken?: string; idToken?: string } {
    return {
      ...(answer.refreshToken ? { refreshToken: this.deps.secrets.sealSessionSecret(answer.refreshToken) } : {}),
      ...(answer.idToken ? { idToken: this.deps.secrets.sealSessionSecret(answer.idToken) } : {}),
    };
  }

  /** Development mode: a session for an API key (not a partner's); refused when a provider is configured. */
  async signInWithKey(apiKey: string): Promise<{ ok: true; cookieId: string; session: WebSession } | { ok: false; reason: 'invalid' | 'partner' }> {
    if (this.oidc) return { ok: false, reason: 'invalid' };
    const principal = apiKey ? this.deps.keys.find(apiKey) : undefined;
    if (!principal) return { ok: false, reason: 'invalid' };
    if (principal.role === 'partner') return { ok: false, reason: 'partner' };
    const { id, session } = await this.sessions.create({ kind: 'api-key', principal, keyHash: this.deps.keys.hashOf(apiKey) });
    // Development mode: the key's name stands in for the person's name in the staff directory.
    await this.recordStaff({ principal, displayName: principal.name });
    return { ok: true, cookieId: id, session: this.view(id, session) };
  }

  /** Starts a provider sign-in: the provider's URL and the sealed state for a short-lived cookie. */
  async startSignIn(next: string): Promise<{ url: string; pendingCookie: string }> {
    const { url, pending } = await this.oidc!.startSignIn(next, this.now());
    return { url, pendingCookie: this.deps.secrets.sealSessionSecret(JSON.stringify(pending)) };
  }

  /** Finishes a provider sign-in from the callback's query string and the pending cookie. */
  async finishSignIn(callbackQuery: string, pendingCookie: string | undefined): Promise<SignInOutcome> {
    const oidc = this.oidc!;
    let pending: PendingSignIn;
    try {
      pending = JSON.parse(this.deps.secrets.openSessionSecret(pendingCookie ?? '')) as PendingSignIn;
    } catch {
      return { ok: false, reason: 'expired' };
    }
    if (this.now() - pending.startedAt > PENDING_SIGN_IN_MS) return { ok: false, reason: 'expired' };
    let answer;
    try {
      answer = await oidc.finishSignIn(callbackQuery, pending);
    } catch (err) {
      this.deps.logger?.warn({ err: err instanceof Error ? `${err.name}: ${err.message}` : String(err) }, 'sign-in at the identity provider failed');
      return { ok: false, reason: 'provider' };
    }
    const person = principalFromClaims(answer.claims, oidc.settings);
    if (typeof person === 'string') return { ok: false, reason: person };
    const { id, session } = await this.sessions.create({ kind: 'oidc', principal: person.principal, ...this.sealed(answer) });
    await this.recordStaff(person);
    this.deps.logger?.info({ keyId: person.principal.keyId, role: person.principal.role }, 'signed in at the identity provider');
    return { ok: true, cookieId: id, session: this.view(id, session), next: pending.next };
  }

  private async withdrawStaff(staffId: string): Promise<void> {
    try {
      await this.deps.staffWithdrawn?.(staffId);
    } catch (err) {
      this.deps.logger?.warn({ err: err instanceof Error ? err.name : String(err) }, 'staff directory not updated when a role was withdrawn');
    }
  }

  private async recordStaff(person: SignedInPerson): Promise<void> {
    if (!this.deps.recordStaffSignIn) return;
    try {
      await this.deps.recordStaffSignIn(person);
    } catch (err) {
      this.deps.logger?.warn({ err: err instanceof Error ? err.name : String(err) }, 'staff directory not updated at sign-in');
    }
  }

  /**
   * Ends the session; for a provider session also the provider's URL that ends the person's session
   * there (RP-initiated logout) and then returns to `afterUrl`.
   */
  async signOut(cookieId: string | undefined, afterUrl: string): Promise<string | undefined> {
    const stored = await this.sessions.find(cookieId);
    if (!stored) return undefined;
    await this.sessions.endByHash(stored.idHash);
    if (stored.kind !== 'oidc' || !this.oidc) return undefined;
    try {
      return await this.oidc.endSessionUrl(stored.idToken ? this.deps.secrets.openSessionSecret(stored.idToken) : undefined, afterUrl);
    } catch {
      return undefined;
    }
  }
}
