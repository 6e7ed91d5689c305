/**
 * How the web app calls the API for a signed-in person, who has no API key: for each page request it
 * hands the session's principal to the API under a random token that lives only in this process's
 * memory, for that request only (revoked when the page is drawn, at most {@link DELEGATION_TTL_MS}).
 * The API resolves the bearer token to the principal (api/auth.ts `authenticate`) and then checks the
 * operation's roles exactly as for a key: the web app gains no right the person lacks.
 *
 * The calls go over loopback to the same process (web/api-client.ts), so a token never leaves the
 * machine; a token is useless to another API instance.
 */
import crypto from 'node:crypto';
import type { Principal } from '../api/auth';

/** A page that takes longer than this to draw gets 401 answers from its later API calls. */
export const DELEGATION_TTL_MS = 60_000;

export class Delegations {
  private readonly byToken = new Map<string, { principal: Principal; until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A new token standing for `principal` until revoked or {@link DELEGATION_TTL_MS} passed. */
  issue(principal: Principal): string {
    const token = `koers-delegated.${crypto.randomBytes(32).toString('base64url')}`;
    this.byToken.set(token, { principal, until: this.now() + DELEGATION_TTL_MS });
    return token;
  }

  /** The principal a live token stands for. */
  find(token: string): Principal | undefined {
    const entry = this.byToken.get(token);
    if (!entry) return undefined;
    if (entry.until <= this.now()) {
      this.byToken.delete(token);
      return undefined;
    }
    return entry.principal;
  }

  revoke(token: string): void {
    this.byToken.delete(token);
  }

  get size(): number {
    return this.byToken.size;
  }
}
