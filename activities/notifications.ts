/**
 * Notification activities: the journey hands over the reminders and escalations it decided on; they
 * go into the outbox with idempotency key `<journeyId>:<notification.key>`, so an activity retry or a
 * workflow replay queues nothing twice. Delivery is the Dispatcher's job, outside the workflow.
 */
import type { CaseworkerRole, PlannedNotification } from '../domain/types';
import type { Outbox } from '../store/outbox';
import { notificationText, type Lang, type RecipientAddress } from '../store/texts';

/**
 * Where a role's notifications go: per municipality, with `*` as the fallback for every
 * municipality; or a function for a directory lookup. `{}` routes nothing (see `unrouted`).
 */
export type NotificationRecipients =
  | Record<string, Partial<Record<CaseworkerRole, RecipientAddress>>>
  | ((query: { municipality: string; role: CaseworkerRole }) => RecipientAddress | undefined | Promise<RecipientAddress | undefined>);

export interface SendNotificationsInput {
  journeyId: string;
  municipality: string;
  notifications: PlannedNotification[];
}

export interface SendNotificationsResult {
  /** Notification keys queued by this call. */
  enqueued: string[];
  /** Keys queued before (a retry or replay). */
  duplicates: string[];
  /** Keys with no recipient configured for their role; they stay visible in the workflow history. */
  unrouted: string[];
}

export function createNotificationActivities(outbox: Outbox, recipients: NotificationRecipients, options: { lang?: Lang } = {}) {
  const resolve = async (municipality: string, role: CaseworkerRole): Promise<RecipientAddress | undefined> =>
    typeof recipients === 'function'
      ? recipients({ municipality, role })
      : (recipients[municipality]?.[role] ?? recipients['*']?.[role]);

  return {
    async sendNotifications(input: SendNotificationsInput): Promise<SendNotificationsResult> {
      const result: SendNotificationsResult = { enqueued: [], duplicates: [], unrouted: [] };
      for (const n of input.notifications) {
        const address = await resolve(input.municipality, n.recipientRole);
        if (!address) {
          result.unrouted.push(n.key);
          continue;
        }
        const { created } = await outbox.enqueue({
          idempotencyKey: `${input.journeyId}:${n.key}`,
          kind: n.kind,
          channel: address.channel,
          recipient: address.recipient,
          ...notificationText(input.journeyId, n, options.lang),
          payload: { journeyId: input.journeyId, municipality: input.municipality, notification: n },
        });
        (created ? result.enqueued : result.duplicates).push(n.key);
      }
      return result;
    },
  };
}
