/**
 * A person's reminders and escalations, as the outbox keeps them (store/outbox.ts): those of the
 * municipalities the key may see and, for a key with teams, of its teams (the role a notification is
 * addressed to, domain/types.ts PlannedNotification.recipientRole); an admin sees all. Nothing personal
 * is in them: the journey id, its municipality, the clock and its dates (activities/notifications.ts).
 */
import { z } from 'zod';
import type { OutboxMessage } from '../store/outbox';
import { mayAccessMunicipality, type Principal } from './auth';
import type { ApiContext } from './context';
import { route, type RouteDef } from './route';
import { MyNotification, MyNotificationList } from './schemas';

/** How many of the newest reminders and escalations are looked through for a person's own. */
export const NOTIFICATIONS_SCANNED = 2000;

interface Payload {
  journeyId?: string;
  municipality?: string;
  notification?: { kind?: string; clock?: string; recipientRole?: string; dueOn?: string; finalDate?: string };
}

/** One outbox message as the signed-in person's notification; undefined when it is not theirs. */
export function asMyNotification(principal: Principal, m: OutboxMessage): z.output<typeof MyNotification> | undefined {
  const payload = (m.payload ?? {}) as Payload;
  if (typeof payload.journeyId !== 'string' || typeof payload.municipality !== 'string') return undefined;
  if (m.kind !== 'reminder' && m.kind !== 'escalation') return undefined;
  if (!mayAccessMunicipality(principal, payload.municipality)) return undefined;
  const role = payload.notification?.recipientRole;
  // A key with teams sees what is addressed to them; a team lead also the escalations to team leads.
  const teams = [...(principal.teams ?? []), ...(principal.role === 'team-lead' ? ['team-lead'] : [])];
  if (principal.role !== 'admin' && teams.length > 0 && (role === undefined || !teams.includes(role))) return undefined;
  const n = payload.notification ?? {};
  return {
    id: m.id,
    kind: m.kind,
    journeyId: payload.journeyId,
    municipality: payload.municipality,
    ...(n.clock ? { clock: n.clock } : {}),
    ...(role ? { recipientRole: role } : {}),
    ...(n.dueOn ? { dueOn: n.dueOn } : {}),
    ...(n.finalDate ? { finalDate: n.finalDate } : {}),
    status: m.status === 'delivered' ? 'sent' : m.status === 'dead' ? 'failed' : 'pending',
    createdAt: m.createdAt,
  };
}

export function notificationRoutes(ctx: ApiContext): RouteDef[] {
  const outbox = ctx.outbox;
  if (!outbox) return [];
  return [
    route(
      {
        method: 'get',
        path: '/v1/notifications/mine',
        operationId: 'listMyNotifications',
        summary: 'My reminders and escalations, newest first',
        description:
          "Those of my municipalities and, for a key with teams, addressed to one of my teams (an admin: all). Looked for among the newest reminders and escalations the outbox keeps.",
        tags: ['caseworker'],
        query: z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
        responses: { 200: { description: 'My notifications', schema: MyNotificationList } },
      },
      async ({ principal, query }) => {
        const messages = await outbox.listRecent(['reminder', 'escalation'], NOTIFICATIONS_SCANNED);
        const mine = messages.map((m) => asMyNotification(principal, m)).filter((n) => n !== undefined);
        return { status: 200, body: { notifications: mine.slice(0, query.limit), routed: ctx.notificationsRouted !== false } };
      },
    ),
  ];
}
