/**
 * Web sessions: the API key a user signed in with stays in this process's memory; the browser holds
 * only a random session id in an httpOnly, SameSite=Strict cookie. Each session has its own CSRF
 * token, which every form that changes something carries back.
 *
 * Sessions live in memory: a restart signs everyone out, and several API instances need sticky
 * sessions (docs/web-app.md says why that trade-off was made).
 */
import crypto from 'node:crypto';
import type { Principal } from '../api/auth';

export interface Session {
  id: string;
  /** The API key itself: sent as the bearer key on the user's behalf, never to the browser. */
  apiKey: string;
  principal: Principal;
  csrfToken: string;
  /** Epoch milliseconds after which the session is gone. */
  expiresAt: number;
}

/** Idle timeout: each request moves it on. */
export const SESSION_IDLE_MS = 8 * 60 * 60 * 1000;

export class Sessions {
  private readonly byId = new Map<string, Session>();

  constructor(private readonly now: () => number = Date.now) {}

  create(apiKey: string, principal: Principal): Session {
    this.sweep();
    const session: Session = {
      id: crypto.randomBytes(32).toString('base64url'),
      apiKey,
      principal,
      csrfToken: crypto.randomBytes(32).toString('base64url'),
      expiresAt: this.now() + SESSION_IDLE_MS,
    };
    this.byId.set(session.id, session);
    return session;
  }

  /** The live session for an id, its idle timeout renewed; undefined when unknown or expired. */
  find(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.byId.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= this.now()) {
      this.byId.delete(id);
      return undefined;
    }
    session.expiresAt = this.now() + SESSION_IDLE_MS;
    return session;
  }

  end(id: string): void {
    this.byId.delete(id);
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, session] of this.byId) if (session.expiresAt <= now) this.byId.delete(id);
  }
}

/** Constant-time comparison of the form's CSRF token with the session's. */
export function csrfMatches(session: Session, token: unknown): boolean {
  if (typeof token !== 'string') return false;
  const a = Buffer.from(token);
  const b = Buffer.from(session.csrfToken);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
