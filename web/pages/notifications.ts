/**
 * The signed-in person's reminders and escalations (GET /v1/notifications/mine), listed in the inbox:
 * what the journeys sent them by mail or webhook, also where they work.
 */
import type { z } from 'zod';
import type { MyNotificationList } from '../../api/schemas';
import type { Web } from '../app';
import { formatDate, formatDateTime, municipalityName } from '../format';
import { html, type Html } from '../html';
import { href, statusBadge } from '../layout';

type Notifications = z.output<typeof MyNotificationList>;

export async function notificationsCard(web: Web): Promise<Html> {
  const { t, lang } = web.ctx;
  const answer = await web.api.get<Notifications>('/v1/notifications/mine?limit=50');
  // A server without an outbox has no such list: the inbox is still the inbox.
  if (!answer.ok) return html``;
  const list = answer.body.notifications;
  // Without routing no reminder is kept: say so, rather than an empty list that looks like nothing is late (finding 14).
  if (list.length === 0) return html`<h2 class="utrecht-heading-2" id="notifications">${t('inbox.notifications')}</h2><p class="utrecht-paragraph" id="notifications-empty">${t(answer.body.routed === false ? 'inbox.notificationsUnrouted' : 'inbox.noNotifications')}</p>`;
  const statusClass: Record<string, string> = { pending: 'open', sent: 'completed', failed: 'overdue' };
  return html`<div class="koers-table-wrap"><table class="utrecht-table koers-table--compact" id="notifications">
    <caption class="utrecht-table__caption"><span class="utrecht-heading-2">${t('inbox.notifications')}</span></caption>
    <thead class="utrecht-table__header"><tr class="utrecht-table__row">
      <th class="utrecht-table__header-cell" scope="col">${t('notification.kind')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('notification.about')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('journey.municipality')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('task.clock')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('task.due')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('notification.sentAt')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('notification.status')}</th>
    </tr></thead>
    <tbody class="utrecht-table__body">${list.map(
      (n) => html`<tr class="utrecht-table__row${n.kind === 'escalation' ? ' koers-row--overdue' : ''}" data-notification-kind="${n.kind}">
        <td class="utrecht-table__cell">${t(`notification.${n.kind}`)}</td>
        <td class="utrecht-table__cell"><a class="utrecht-link" href="${href(`/journeys/${n.journeyId}`)}">${n.journeyId.slice(0, 12)}…</a></td>
        <td class="utrecht-table__cell">${municipalityName(n.municipality)}</td>
        <td class="utrecht-table__cell">${n.clock ? t(`clock.${n.clock}`) : '—'}</td>
        <td class="utrecht-table__cell koers-nowrap">${formatDate(lang, n.finalDate, 'short')}</td>
        <td class="utrecht-table__cell koers-nowrap">${formatDateTime(lang, n.createdAt)}</td>
        <td class="utrecht-table__cell">${statusBadge(t, statusClass[n.status] ?? 'open', t(`notificationStatus.${n.status}`))}</td></tr>`,
    )}</tbody></table></div>`;
}
