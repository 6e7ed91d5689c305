/**
 * OpenID Connect sign-in for people, with the certified relying-party library `openid-client` (v6):
 * the authorization code flow with PKCE (S256), state and nonce; the provider's refresh grant to
 * re-confirm a signed-in person; RP-initiated sign-out at the provider's end_session_endpoint.
 *
 * The provider's own policies (MFA, password rules, session length at the provider) apply because
 * Koers never sees a password: the person signs in on the provider's page.
 */
import crypto from 'node:crypto';
import * as client from 'openid-client';
import { staffIdSchema, type Principal } from '../api/auth';
import { ROLE_PRECEDENCE, type OidcSettings } from './config';

/** What Koers keeps between sending the browser to the provider and its return (sealed in a short-lived cookie). */
export interface PendingSignIn {
  codeVerifier: string;
  state: string;
  nonce: string;
  /** The web app path to return to. */
  next: string;
  /** Epoch milliseconds: a pending sign-in older than {@link PENDING_SIGN_IN_MS} is refused. */
  startedAt: number;
}

/** A person has this long to sign in at the provider. */
export const PENDING_SIGN_IN_MS = 10 * 60_000;

/** What the provider said about the person at sign-in or at a re-check. */
export interface ProviderAnswer {
  claims: Record<string, unknown>;
  refreshToken?: string;
  idToken?: string;
}

/** Why a person known to the provider cannot use Koers. */
export type Refusal = 'no-role' | 'no-staff-id';

/** A person's display name and team as the provider gives them, for the staff directory (staff/). */
export interface SignedInPerson {
  principal: Principal;
  /** The `name` claim, else the staff id. */
  displayName: string;
}

/**
 * The Koers principal for a provider's claims: the role by {@link ROLE_PRECEDENCE} among the roles the
 * person's groups grant, the municipalities and teams of all their groups added up, the staff id from
 * the configured claim. A person without a role-granting group, or without a usable staff id, is refused.
 */
export function principalFromClaims(claims: Record<string, unknown>, settings: Pick<OidcSettings, 'groupsClaim' | 'staffIdClaim' | 'groupMap' | 'issuer'>): SignedInPerson | Refusal {
  const raw = claims[settings.groupsClaim];
  const groups = Array.isArray(raw) ? raw.filter((g): g is string => typeof g === 'string') : typeof raw === 'string' ? [raw] : [];
  const grants = groups.map((g) => settings.groupMap[g]).filter((g) => g !== undefined);
  const role = ROLE_PRECEDENCE.find((r) => grants.some((g) => g.role === r));
  if (!role) return 'no-role';
  const staffId = staffIdSchema.safeParse(claims[settings.staffIdClaim]);
  if (!staffId.success) return 'no-staff-id';
  const municipalities = [...new Set(grants.flatMap((g) => g.municipalities ?? []))].sort();
  const teams = [...new Set(grants.flatMap((g) => g.teams ?? []))].sort();
  // Names the person in logs and the rate limiter as a key's fingerprint would: never the name itself.
  const keyId = crypto.createHash('sha256').update(`oidc\u0000${settings.issuer}\u0000${String(claims.sub)}`).digest('hex').slice(0, 12);
  return {
    principal: { role, name: staffId.data, municipalities, eventTypes: [], ...(teams.length ? { teams } : {}), keyId },
    displayName: typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim() : staffId.data,
  };
}

/** The provider's configuration, discovered once (retried on the next sign-in when the provider was down). */
export class OidcClient {
  private discovered?: Promise<client.Configuration>;

  constructor(readonly settings: OidcSettings) {}

  private configuration(): Promise<client.Configuration> {
    if (!this.discovered) {
      const insecure = this.settings.issuer.startsWith('http:');
      this.discovered = client
        .discovery(new URL(this.settings.issuer), this.settings.clientId, undefined, client.ClientSecretPost(this.settings.clientSecret), {
          ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
          timeout: 10,
        })
        .catch((err: unknown) => {
          this.discovered = undefined;
          throw err;
        });
    }
    return this.discovered;
  }

  /** Where to send the browser to sign in, and what to keep until it comes back. */
  async startSignIn(next: string, now: number): Promise<{ url: string; pending: PendingSignIn }> {
    const config = await this.configuration();
    const codeVerifier = client.randomPKCECodeVerifier();
    const pending: PendingSignIn = { codeVerifier, state: client.randomState(), nonce: client.randomNonce(), next, startedAt: now };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUrl,
      scope: this.settings.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url: url.href, pending };
  }

  /**
   * Exchanges the code the provider returned (the callback's query string) for tokens, checking state,
   * nonce, PKCE and the ID token. Throws on any mismatch or a provider error.
   */
  async finishSignIn(callbackQuery: string, pending: PendingSignIn): Promise<ProviderAnswer> {
    const config = await this.configuration();
    const currentUrl = new URL(this.settings.redirectUrl);
    currentUrl.search = callbackQuery;
    const tokens = await client.authorizationCodeGrant(config, currentUrl, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    return this.answer(config, tokens);
  }

  /**
   * Asks the provider again (refresh grant): the person's claims now. Throws a `client.ResponseBodyError`
   * when the provider refuses (user disabled, session ended at the provider, token revoked); other
   * errors mean the provider could not be reached.
   */
  async recheck(refreshToken: string): Promise<ProviderAnswer> {
    const config = await this.configuration();
    return this.answer(config, await client.refreshTokenGrant(config, refreshToken));
  }

  /** The provider's sign-out page (RP-initiated logout), or undefined when it has none. */
  async endSessionUrl(idToken: string | undefined, postLogoutRedirectUri: string): Promise<string | undefined> {
    const config = await this.configuration();
    if (!config.serverMetadata().end_session_endpoint) return undefined;
    return client.buildEndSessionUrl(config, {
      post_logout_redirect_uri: postLogoutRedirectUri,
      client_id: this.settings.clientId,
      ...(idToken ? { id_token_hint: idToken } : {}),
    }).href;
  }

  private async answer(config: client.Configuration, tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers): Promise<ProviderAnswer> {
    let claims: Record<string, unknown> = { ...(tokens.claims() ?? {}) };
    // A provider that puts the groups only in the userinfo answer (not in the ID token).
    // A refresh answer may carry no ID token: the userinfo answer is then about the token's own subject.
    if (claims[this.settings.groupsClaim] === undefined && tokens.access_token) {
      claims = { ...claims, ...(await client.fetchUserInfo(config, tokens.access_token, typeof claims.sub === 'string' ? claims.sub : client.skipSubjectCheck)) };
    }
    return { claims, ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}), ...(tokens.id_token ? { idToken: tokens.id_token } : {}) };
  }
}

/** The provider answered and refused (as opposed to not answering at all). */
export const providerRefused = (err: unknown): boolean =>
  err instanceof client.ResponseBodyError || err instanceof client.AuthorizationResponseError || err instanceof client.WWWAuthenticateChallengeError;
