/**
 * Calendar feeds: a caseworker subscribes their calendar app to a URL that carries a secret token,
 * because calendar apps cannot send a bearer key. The token is the credential: it is shown once,
 * only its hash is stored (store/ical.ts), issuing another revokes it, and the request log names the
 * route pattern, never the path with the token.
 */
import { z } from 'zod';
import { calendarFeed, type CalendarTokens } from '../store/ical';
import type { TaskStore } from '../store/tasks';
import type { Lang } from '../store/texts';
import { notFound } from './problem';
import type { ApiKeys, Principal } from './auth';
import { may } from '../identity/permissions';
import { route, type RouteDef } from './route';
import { components } from './schemas';

/** How long a feed token works after it was issued unless CalendarDeps.tokenDays says otherwise (KOERS_CALENDAR_TOKEN_DAYS). */
export const DEFAULT_CALENDAR_TOKEN_DAYS = 90;

export interface CalendarDeps {
  tokens: CalendarTokens;
  /** A feed serves only while a live key carries its user's name, within that key's municipalities (api/auth.ts). */
  keys?: ApiKeys;
  /** Days a token works after it was issued (default {@link DEFAULT_CALENDAR_TOKEN_DAYS}). */
  tokenDays?: number;
  /** Base URL calendar apps reach the API at (KOERS_PUBLIC_URL), without a trailing slash. */
  publicUrl: string;
  lang?: Lang;
}

const CalendarFeedLink = z.object({
  url: z.url().describe('The feed URL with its secret token; shown this once. Subscribe to it in a calendar app.'),
});
components.add(CalendarFeedLink, { id: 'CalendarFeedLink', description: 'Where your calendar feed is; the URL is the credential, keep it to yourself.' });

/**
 * `<token>.ics`: base64url of 32 random bytes is 43 characters; anything else cannot be a feed. One
 * path parameter for the whole segment keeps the path kebab-case (API Design Rules) and the URL as issued.
 */
const CalendarFeedName = z
  .string()
  .regex(/^[A-Za-z0-9_-]{43}\.ics$/)
  .describe('The secret token of the feed followed by `.ics`, as in the URL `POST /v1/calendar-tokens` answered.');

export function calendarRoutes(deps: CalendarDeps, tasks: TaskStore): RouteDef[] {
  return [
    route(
      {
        method: 'post',
        path: '/v1/calendar-tokens',
        operationId: 'issueCalendarToken',
        summary: 'A new calendar-feed URL for your own tasks (the previous one stops working)',
        description:
          "The feed lists the tasks you hold (your key's `name` is your staff id) as all-day events on their final date. " +
          'The URL carries a secret token and is answered only this once; issue a new one if it is lost or leaked.',
        tags: ['calendar'],
        responses: { 201: { description: 'The feed URL', schema: CalendarFeedLink } },
      },
      async ({ principal }) => {
        const token = await deps.tokens.issueToken(principal.name);
        return { status: 201, body: { url: `${deps.publicUrl}/v1/calendar/${token}.ics` }, headers: { 'Cache-Control': 'no-store' } };
      },
    ),
    route(
      {
        method: 'delete',
        path: '/v1/calendar-tokens',
        operationId: 'revokeCalendarToken',
        summary: 'Revoke your calendar-feed URL: it stops working at once',
        tags: ['calendar'],
        responses: { 204: { description: 'Revoked (or there was none)' } },
      },
      async ({ principal }) => {
        await deps.tokens.revoke(principal.name);
        return { status: 204 };
      },
    ),
    route(
      {
        method: 'get',
        path: '/v1/calendar/{feed}',
        operationId: 'getCalendarFeed',
        summary: 'The iCalendar feed of one caseworker (the token in the path is the credential)',
        description: 'An unknown or revoked token is a 404. The answer carries an `ETag`; a matching `If-None-Match` is a 304 without a body.',
        tags: ['calendar'],
        params: z.strictObject({ feed: CalendarFeedName }),
        responses: {
          200: { description: 'iCalendar (RFC 5545)', contentType: 'text/calendar', headers: { ETag: { description: 'Changes only when the feed does', schema: { type: 'string' } } } },
          304: { description: 'Not modified: the `If-None-Match` given matches the feed' },
        },
      },
      async ({ params }) => {
        const userId = await deps.tokens.userForToken(params.feed.slice(0, -'.ics'.length), (deps.tokenDays ?? DEFAULT_CALENDAR_TOKEN_DAYS) * 86_400_000);
        if (!userId) throw notFound('calendar');
        // The token is a key's delegate: once no live key carries the name (removed, expired), the feed stops.
        const holders: Principal[] | undefined = deps.keys?.findByName(userId);
        if (holders !== undefined && holders.length === 0) throw notFound('calendar');
        const everywhere = holders === undefined || holders.some((p) => may(p, 'allMunicipalities'));
        const municipalities = everywhere ? undefined : [...new Set(holders.flatMap((p) => p.municipalities))];
        const body = await calendarFeed(tasks, userId, { lang: deps.lang, ...(municipalities ? { municipalities } : {}) });
        // Private: the feed is one caseworker's; shared caches must not keep it.
        return { status: 200, body, headers: { 'Content-Type': 'text/calendar; charset=utf-8', 'Cache-Control': 'private, max-age=300' } };
      },
    ),
  ];
}
