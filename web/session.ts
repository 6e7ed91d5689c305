/**
 * Web sessions live in the store (identity/sessions.ts, through the identity door identity/index.ts):
 * the browser holds only a random id in an httpOnly, SameSite=Strict cookie. Each session has its own
 * CSRF token (derived from its id), which every form that changes something carries back.
 */
import crypto from 'node:crypto';
import type { WebSession } from '../identity';

export type Session = WebSession;

/** Constant-time comparison of the form's CSRF token with the session's. */
export function csrfMatches(session: Session, token: unknown): boolean {
  if (typeof token !== 'string') return false;
  const a = Buffer.from(token);
  const b = Buffer.from(session.csrfToken);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
