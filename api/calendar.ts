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
import { route, type RouteDef } from './route';
import { components } from './schemas';

export interface CalendarDeps {
  tokens: CalendarTokens;
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
        const userId = await deps.tokens.userForToken(params.feed.slice(0, -'.ics'.length));
        if (!userId) throw notFound('calendar');
        const body = await calendarFeed(tasks, userId, { lang: deps.lang });
        // Private: the feed is one caseworker's; shared caches must not keep it.
        return { status: 200, body, headers: { 'Content-Type': 'text/calendar; charset=utf-8', 'Cache-Control': 'private, max-age=300' } };
      },
    ),
  ];
}
