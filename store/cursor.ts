/**
 * Keyset page tokens: the last row's sort key, base64url JSON, with a check of 11 characters keyed by
 * the list's name, so a forged, edited or another list's token is refused at once (400) instead of
 * answering a page nobody asked for. Used by the journeys list (store/journeys.ts) and the timeline
 * (api/audit-store.ts).
 */
import crypto from 'node:crypto';

function check(list: string, body: string): string {
  return crypto.createHash('sha256').update(list).update(body).digest('base64url').slice(0, 11);
}

/** The token of `key` (strings) in the list named `list`. */
export function encodeCursor(list: string, key: string[]): string {
  const body = Buffer.from(JSON.stringify(key)).toString('base64url');
  return `${body}.${check(list, body)}`;
}

/** The key of `length` strings in `cursor`, or null when it is not one {@link encodeCursor} made for `list`. */
export function decodeCursor(list: string, cursor: string, length: number): string[] | null {
  const match = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{11})$/.exec(cursor);
  if (!match || check(list, match[1]!) !== match[2]) return null;
  try {
    const key = JSON.parse(Buffer.from(match[1]!, 'base64url').toString('utf8')) as unknown;
    return Array.isArray(key) && key.length === length && key.every((k) => typeof k === 'string') ? (key as string[]) : null;
  } catch {
    return null;
  }
}
