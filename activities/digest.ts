/**
 * The daily digest: one message per caseworker listing their claimed tasks that need attention. The
 * date comes from the workflow (fixed when it started), so a retry after midnight still builds the
 * digest of the day it was meant for; `digest:<user>:<date>` keys make a second run that day queue
 * nothing.
 */
import type { LocalDate } from '../domain/types';
import type { Outbox } from '../store/outbox';
import type { TaskStore } from '../store/tasks';
import { buildDailyDigests, type DigestResult, type Lang, type RecipientAddress } from '../store/texts';

/** Where each caseworker's digest goes, by staff id; or a function for a directory lookup. */
export type DigestRecipients = Record<string, RecipientAddress> | ((userId: string) => RecipientAddress | undefined | Promise<RecipientAddress | undefined>);

export interface SendDailyDigestsInput {
  /** The day the digest is for, Europe/Amsterdam. */
  date: LocalDate;
}

export function createDigestActivities(tasks: TaskStore, outbox: Outbox, users: DigestRecipients, options: { lang?: Lang } = {}) {
  const recipientForUser = typeof users === 'function' ? users : (userId: string) => (Object.hasOwn(users, userId) ? users[userId] : undefined);
  return {
    async sendDailyDigests(input: SendDailyDigestsInput): Promise<DigestResult> {
      return buildDailyDigests(tasks, input.date, { outbox, recipientForUser, lang: options.lang });
    },
  };
}
