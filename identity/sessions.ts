/**
 * Web sessions in the store (SQLite or PostgreSQL, table `web_sessions`): they survive an API restart
 * and every API instance on the same store shares them, so no sticky sessions are needed.
 *
 * The browser's cookie carries a random id (32 bytes, base64url); the store keeps only its SHA-256, so
 * a copy of the database opens no session. Of the identity provider's tokens only sealed copies are
 * kept (api/identity.ts sealSessionSecret). A session ends at the first of: its idle lifetime since the
 * last request, its absolute lifetime since sign-in, sign-out, or the identity provider refusing it
 * (identity/index.ts).
 */
import crypto from 'node:crypto';
import type { Principal } from '../api/auth';
import { inTransaction, type Db } from '../store/db';

/** Defaults of KOERS_SESSION_IDLE_MINUTES and KOERS_SESSION_MAX_HOURS (docs/identity.md). */
export const DEFAULT_SESSION_IDLE_MINUTES = 60;
export const DEFAULT_SESSION_MAX_HOURS = 10;

export interface SessionLifetimes {
  /** A session unused this long (milliseconds) is over. */
  idleMs: number;
  /** A session this old (milliseconds since sign-in) is over, however busy. */
  absoluteMs: number;
}

export type SessionKind = 'oidc' | 'api-key';

/** A live session as the web app sees it (never the cookie's id in the store, never a token in clear). */
export interface StoredSession {
  /** SHA-256 (hex) of the cookie's id: the row's key. */
  idHash: string;
  kind: SessionKind;
  principal: Principal;
  keyHash?: string;
  /** Sealed refresh token (api/identity.ts). */
  refreshToken?: string;
  /** Sealed ID token. */
  idToken?: string;
  /** Epoch milliseconds of the provider's last confirmation (oidc). */
  checkedAt?: number;
  /** Epoch milliseconds. */
  createdAt: number;
}

export interface NewSession {
  kind: SessionKind;
  principal: Principal;
  keyHash?: string;
  refreshToken?: string;
  idToken?: string;
}

/** SHA-256 (hex) of a session id: how the store knows it. */
export const sessionIdHash = (id: string): string => crypto.createHash('sha256').update(id).digest('hex');

/** Last-seen is written at most this often: an idle lifetime to the minute, not a write per request. */
const TOUCH_EVERY_MS = 60_000;

const iso = (ms: number) => new Date(ms).toISOString();

export class WebSessions {
  constructor(
    private readonly db: Db,
    readonly lifetimes: SessionLifetimes,
    private readonly now: () => number = Date.now,
  ) {}

  /** Stores a new session and returns the id for the cookie (the only place it exists in clear). */
  async create(session: NewSession): Promise<{ id: string; session: StoredSession }> {
    const id = crypto.randomBytes(32).toString('base64url');
    const now = this.now();
    const idHash = sessionIdHash(id);
    await this.db.deleteFrom('web_sessions').where('expires_at', '<=', iso(now)).execute();
    await this.db
      .insertInto('web_sessions')
      .values({
        id_hash: idHash,
        kind: session.kind,
        principal: JSON.stringify(session.principal),
        key_hash: session.keyHash ?? null,
        refresh_token: session.refreshToken ?? null,
        id_token: session.idToken ?? null,
        created_at: iso(now),
        last_seen_at: iso(now),
        expires_at: iso(now + this.lifetimes.absoluteMs),
        checked_at: session.kind === 'oidc' ? iso(now) : null,
      })
      .execute();
    return { id, session: { ...session, idHash, createdAt: now, ...(session.kind === 'oidc' ? { checkedAt: now } : {}) } };
  }

  /** The live session for a cookie's id, its idle lifetime renewed; undefined when unknown, idle too long or past its end (then deleted). */
  async find(id: string | undefined): Promise<StoredSession | undefined> {
    if (!id || id.length > 128) return undefined;
    const idHash = sessionIdHash(id);
    const row = await this.db.selectFrom('web_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
    if (!row) return undefined;
    const now = this.now();
    const lastSeen = Date.parse(row.last_seen_at);
    if (Date.parse(row.expires_at) <= now || lastSeen + this.lifetimes.idleMs <= now) {
      await this.endByHash(idHash);
      return undefined;
    }
    if (now - lastSeen >= TOUCH_EVERY_MS) {
      await this.db.updateTable('web_sessions').set({ last_seen_at: iso(now) }).where('id_hash', '=', idHash).execute();
    }
    return {
      idHash,
      kind: row.kind as SessionKind,
      principal: JSON.parse(row.principal) as Principal,
      ...(row.key_hash ? { keyHash: row.key_hash } : {}),
      ...(row.refresh_token ? { refreshToken: row.refresh_token } : {}),
      ...(row.id_token ? { idToken: row.id_token } : {}),
      ...(row.checked_at ? { checkedAt: Date.parse(row.checked_at) } : {}),
      createdAt: Date.parse(row.created_at),
    };
  }

  /**
   * Claims the provider check of a session whose last check was at `checkedAt`: true for exactly one
   * caller (one request of one API instance), so a session is refreshed once, not once per request.
   */
  async claimCheck(session: StoredSession): Promise<boolean> {
    return inTransaction(this.db, async (trx) => {
      const result = await trx
        .updateTable('web_sessions')
        .set({ checked_at: iso(this.now()) })
        .where('id_hash', '=', session.idHash)
        .where('checked_at', '=', iso(session.checkedAt ?? 0))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    });
  }

  /** Records what the provider confirmed: the person's principal now, and the tokens (sealed) it gave. */
  async confirm(idHash: string, principal: Principal, tokens: { refreshToken?: string; idToken?: string }): Promise<void> {
    await this.db
      .updateTable('web_sessions')
      .set({
        principal: JSON.stringify(principal),
        ...(tokens.refreshToken ? { refresh_token: tokens.refreshToken } : {}),
        ...(tokens.idToken ? { id_token: tokens.idToken } : {}),
      })
      .where('id_hash', '=', idHash)
      .execute();
  }

  /** Ends a session by its cookie's id. */
  end(id: string): Promise<void> {
    return this.endByHash(sessionIdHash(id));
  }

  async endByHash(idHash: string): Promise<void> {
    await this.db.deleteFrom('web_sessions').where('id_hash', '=', idHash).execute();
  }
}
