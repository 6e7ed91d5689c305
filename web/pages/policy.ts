/**
 * A municipality's policy as it stands (amendments included) and its amendments: who changed what,
 * when and why. Read from `GET /v1/policies/{municipality}`; the settings a caseworker asks about are
 * shown in words, not as the policy file.
 */
import type { z } from 'zod';
import type { MunicipalityPolicy } from '../../api/schemas';
import type { Web, WebRoute } from '../app';
import { optionLabel } from '../forms';
import { legalCitation } from '../problems';
import { formatDate, formatDateTime, formatNumber, municipalityName } from '../format';
import { html, type Html } from '../html';
import { page } from '../layout';
import type { Translate } from '../messages';

type PolicyView = z.output<typeof MunicipalityPolicy>;
type Period = Partial<Record<'days' | 'weeks' | 'months' | 'years', number>>;

/** A period of the policy in words: `{ months: 3 }` → "3 maanden". */
export function periodText(t: Translate, period: Period): string {
  return (['years', 'months', 'weeks', 'days'] as const)
    .filter((unit) => typeof period[unit] === 'number')
    .map((unit) => t(`policy.period.${unit}`, { count: period[unit]! }))
    .join(' + ');
}

async function policyPage(web: Web): Promise<void> {
  const { req, res, ctx, api } = web;
  const { t } = ctx;
  const municipality = String(req.params.municipality);
  const { policy, amendments } = await api.read<PolicyView>(`/v1/policies/${encodeURIComponent(municipality)}`);
  const p = policy as { id: string; name?: string; version: number; effectiveFrom: string; defaultCaseworkerRole?: string; periods?: Record<string, Period>; reminderLeadDays?: number[]; escalation?: { role?: string }; instruments?: Record<string, { source?: string }> };
  const title = t('policy.title', { municipality: municipalityName(p.id) });
  const row = (label: string, value: Html | string) => html`<dt>${label}</dt><dd>${value}</dd>`;
  res.type('html').send(
    page(
      { ...ctx, section: web.session.principal.role === 'admin' ? 'admin' : 'inbox' },
      title,
      html`<h1 class="utrecht-heading-1">${title}</h1>
      <dl class="koers-facts koers-card" id="policy">
        ${row(t('policy.name'), p.name ?? p.id)}
        ${row(t('policy.version'), String(p.version))}
        ${row(t('policy.effectiveFrom'), formatDate(ctx.lang, p.effectiveFrom))}
        ${p.defaultCaseworkerRole ? row(t('policy.defaultCaseworkerRole'), optionLabel(t, 'role', p.defaultCaseworkerRole)) : ''}
        ${Object.entries(p.periods ?? {}).map(([name, period]) => row(t(`policyPeriod.${name}`), periodText(t, period)))}
        ${p.reminderLeadDays ? row(t('policy.reminders'), p.reminderLeadDays.map((d) => formatNumber(ctx.lang, d)).join(', ')) : ''}
        ${p.escalation?.role ? row(t('policy.escalation'), optionLabel(t, 'role', p.escalation.role)) : ''}
      </dl>
      <h2 class="utrecht-heading-2">${t('policy.instruments')}</h2>
      <ul>${Object.entries(p.instruments ?? {}).map(([kind, spec]) => html`<li><strong>${optionLabel(t, 'instrument', kind)}</strong>${spec.source ? html` — ${legalCitation(ctx.lang, spec.source)}` : ''}</li>`)}</ul>
      <h2 class="utrecht-heading-2">${t('policy.amendments')}</h2>
      ${amendments.length === 0
        ? html`<p class="utrecht-paragraph">${t('policy.noAmendments')}</p>`
        : html`<div class="koers-table-wrap"><table class="utrecht-table" id="amendments">
          <thead class="utrecht-table__header"><tr class="utrecht-table__row">
            <th class="utrecht-table__header-cell" scope="col">${t('policy.version')}</th>
            <th class="utrecht-table__header-cell" scope="col">${t('policy.effectiveFrom')}</th>
            <th class="utrecht-table__header-cell" scope="col">${t('field.reason')}</th>
            <th class="utrecht-table__header-cell" scope="col">${t('journey.assessedBy')}</th>
            <th class="utrecht-table__header-cell" scope="col">${t('journey.receivedAt')}</th>
          </tr></thead>
          <tbody class="utrecht-table__body">${amendments.map(
            (a) => html`<tr class="utrecht-table__row"><td class="utrecht-table__cell">${a.version}</td><td class="utrecht-table__cell">${formatDate(ctx.lang, a.effectiveFrom)}</td>
              <td class="utrecht-table__cell">${a.reason}</td><td class="utrecht-table__cell">${a.amendedBy}</td><td class="utrecht-table__cell">${formatDateTime(ctx.lang, a.at)}</td></tr>`,
          )}</tbody></table></div>`}`,
    ),
  );
}

export function policyRoutes(): WebRoute[] {
  return [{ method: 'get', path: '/policies/:municipality', handler: policyPage }];
}
