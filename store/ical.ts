/**
 * A caseworker's calendar: an iCalendar (RFC 5545) feed with an all-day event on the due date (fatale
 * datum) of each task they hold, subscribed to by URL. Calendar apps cannot send credentials, so the
 * URL carries a per-user secret token; only its SHA-256 is stored, and issuing a new one revokes the
 * old. The events name journeys by id only, like every notification text.
 */
import { createHash, randomBytes } from 'node:crypto';
import ical, { ICalCalendarMethod } from 'ical-generator';
import type { LocalDate } from '../domain/types';
import type { Db } from './db';
import type { Task, TaskStore } from './tasks';
import { formatDate, taskKindLabels, type Lang } from './texts';

export interface CalendarFeedOptions {
  lang?: Lang;
  /** Product domain for event UIDs (default `koers`). */
  domain?: string;
}

function nextDay(date: LocalDate): LocalDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/**
 * The feed of `userId`'s open tasks, as iCalendar text (`text/calendar; charset=utf-8`); with
 * `municipalities` only those municipalities' tasks (the scope of the user's key).
 */
export async function calendarFeed(store: TaskStore, userId: string, options: CalendarFeedOptions & { municipalities?: readonly string[] } = {}): Promise<string> {
  const lang = options.lang ?? 'nl';
  const tasks: Task[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listTasks({ assignee: userId, limit: 500, ...(options.municipalities && { municipalities: options.municipalities }), ...(cursor && { cursor }) });
    tasks.push(...page.tasks);
    cursor = page.nextCursor;
  } while (cursor);

  const calendar = ical({
    name: lang === 'en' ? `Koers tasks of ${userId}` : `Koers-taken van ${userId}`,
    prodId: { company: 'Koers', product: 'tasks', language: lang.toUpperCase() },
    method: ICalCalendarMethod.PUBLISH,
    // No calendar time zone: the events are all-day dates, and with one set DTSTAMP came out as local
    // time without `Z`, which RFC 5545 §3.8.7.2 forbids (parsers read it as floating time).
    // Clients poll; an hour keeps them current without hammering the API.
    ttl: 3600,
  });
  for (const t of tasks) {
    const kind = taskKindLabels[lang][t.kind];
    calendar.createEvent({
      // Stable per task, so a moved due date updates the event instead of adding one.
      id: `${t.id}@${options.domain ?? 'koers'}`,
      start: t.dueDate,
      end: nextDay(t.dueDate),
      allDay: true,
      // When the task last changed, not when the feed was asked for: an unchanged feed is the same
      // text, so its ETag holds and a calendar app's If-None-Match gets a 304.
      stamp: new Date(t.updatedAt),
      summary: lang === 'en' ? `Final date: ${kind} (journey ${t.journeyId})` : `Fatale datum: ${kind} (traject ${t.journeyId})`,
      description:
        lang === 'en'
          ? `Target date: ${formatDate(t.followUpDate, 'en')}\nFinal date: ${formatDate(t.dueDate, 'en')}\nTask: ${t.id}`
          : `Streefdatum: ${formatDate(t.followUpDate)}\nFatale datum: ${formatDate(t.dueDate)}\nTaak: ${t.id}`,
    });
  }
  return calendar.toString();
}

export interface CalendarTokensOptions {
  now?: () => Date;
}

function hash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Per-user secret tokens for feed URLs (`/calendar/<token>.ics`). */
export class CalendarTokens {
  private readonly now: () => Date;

  constructor(
    private readonly db: Db,
    options: CalendarTokensOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** A new token for `userId`, returned in plain this once; the previous one stops working. */
  async issueToken(userId: string): Promise<string> {
    if (!userId) throw new Error('userId is required');
    const token = randomBytes(32).toString('base64url');
    const at = this.now().toISOString();
    await this.db
      .insertInto('calendar_tokens')
      .values({ user_id: userId, token_hash: hash(token), created_at: at })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ token_hash: hash(token), created_at: at }))
      .execute();
    return token;
  }

  /**
   * The user a token belongs to; a lookup by hash, so no timing leak of the stored value. A token
   * issued more than `maxAgeMs` ago has expired (none: it does not expire).
   */
  async userForToken(token: string, maxAgeMs?: number): Promise<string | undefined> {
    if (!token || token.length > 200) return undefined;
    const row = await this.db.selectFrom('calendar_tokens').select(['user_id', 'created_at']).where('token_hash', '=', hash(token)).executeTakeFirst();
    if (!row || (maxAgeMs !== undefined && Date.parse(row.created_at) + maxAgeMs <= this.now().getTime())) return undefined;
    return row.user_id;
  }

  async revoke(userId: string): Promise<void> {
    await this.db.deleteFrom('calendar_tokens').where('user_id', '=', userId).execute();
  }
}
