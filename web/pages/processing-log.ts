/**
 * The privacy officer's page of the processing log (issue 23): every processing of one person's data,
 * found by BSN or journey id, filtered by period and kind, and the download of all of them as CSV. The
 * question travels in POST bodies to the API (`POST /v1/processing-log/search`, `/export`), never in a
 * URL (it may hold a BSN); the API records the inspection itself.
 */
import type { Web, WebRoute } from '../app';
import { formatDateTime } from '../format';
import { html, type Html } from '../html';
import { alert, csrfField, href, page } from '../layout';
import { problemShown, type ShownError } from '../problems';
import type { Translate } from '../messages';
import { PROCESSING_ACTIVITIES, type ProcessingRecord } from '../../processing-log';
import { exportButton, streamDownload } from './exports';

/** What the form asks: the person (BSN or journey id), the period (`YYYY-MM-DD`), the kinds. */
interface Asked {
  bsn?: string;
  journeyId?: string;
  from?: string;
  until?: string;
  activities: string[];
}

/** The records shown on the page at most; the download has every one. */
const SHOWN = 200;

function askedOf(body: Record<string, unknown> | undefined): Asked {
  const text = (name: string) => (typeof body?.[name] === 'string' && body[name].trim() !== '' ? body[name].trim() : undefined);
  const ticked = ([] as unknown[]).concat(body?.activities ?? []).filter((a): a is string => typeof a === 'string' && (PROCESSING_ACTIVITIES as readonly string[]).includes(a));
  const bsn = text('bsn')?.replace(/[\s.]/g, '');
  const journeyId = text('journeyId');
  const from = text('from');
  const until = text('until');
  return { ...(bsn ? { bsn } : {}), ...(journeyId ? { journeyId } : {}), ...(from ? { from } : {}), ...(until ? { until } : {}), activities: ticked };
}

/** The API's body for a question. */
const apiBody = (asked: Asked) => ({
  ...(asked.bsn ? { bsn: asked.bsn } : {}),
  ...(asked.journeyId ? { journeyId: asked.journeyId } : {}),
  ...(asked.from ? { from: asked.from } : {}),
  ...(asked.until ? { until: asked.until } : {}),
  ...(asked.activities.length > 0 ? { activities: asked.activities } : {}),
});

interface Shown {
  asked: Asked;
  records?: ProcessingRecord[];
  more?: boolean;
  message?: string;
  errors?: ShownError[];
}

/**
 * What a record's operation did, in the page's language (`processingLog.operation.<name>`); an operation the
 * catalogue does not describe yet is shown by its Logboek name, so no record is ever hidden.
 */
function operationText(t: Translate, name: string): Html | string {
  const key = `processingLog.operation.${name}`;
  const text = t(key);
  return text === key ? html`<code>${name}</code>` : text;
}

/** The other party as the configuration names it ("BRP"), its address in a title; an unnamed one by its address. */
function otherParty(t: Translate, other: (ProcessingRecord['foreignOperation'] & { party?: string }) | undefined): Html | string {
  if (!other) return '—';
  return other.party ? html`<span title="${other.entity}">${t(`processingLog.party.${other.party}`)}</span>` : other.entity;
}

async function logPage(web: Web, shown: Shown = { asked: { activities: [] } }): Promise<void> {
  const { res, ctx } = web;
  const { t, lang } = ctx;
  const { asked } = shown;
  const errorOf = (field: string) => shown.errors?.find((e) => e.path === field)?.message;
  const field = (name: 'bsn' | 'journeyId' | 'from' | 'until', type: 'text' | 'date', extra: Html = html``) => {
    const error = errorOf(name);
    return html`<div class="utrecht-form-field${error ? ' utrecht-form-field--invalid' : ''}"><div class="utrecht-form-field__label"><label class="utrecht-form-label" for="pl-${name}">${t(`processingLog.${name}`)}</label></div>
      ${error ? html`<div class="utrecht-form-field-error-message" id="pl-${name}-error">${error}</div>` : ''}
      <div class="utrecht-form-field__input"><input class="utrecht-textbox utrecht-textbox--html-input" type="${type}" id="pl-${name}" name="${name}" autocomplete="off" value="${asked[name] ?? ''}"${error ? html` aria-invalid="true" aria-describedby="pl-${name}-error"` : ''}${extra}></div></div>`;
  };
  let results: Html = html``;
  if (shown.records) {
    results =
      shown.records.length === 0
        ? alert('info', t('processingLog.none'))
        : html`<div class="koers-table-wrap"><table class="utrecht-table" id="processing-records">
          <caption class="utrecht-table__caption"><span class="utrecht-heading-2">${t('processingLog.results', { count: shown.records.length })}</span></caption>
          <thead class="utrecht-table__header"><tr class="utrecht-table__row">
            <th class="utrecht-table__header-cell" scope="col">${t('processingLog.when')}</th>
            <th class="utrecht-table__header-cell" scope="col">${t('processingLog.activity')}</th>
            <th class="utrecht-table__header-cell" scope="col">${t('processingLog.operation')}</th>
            <th class="utrecht-table__header-cell" scope="col">${t('processingLog.actor')}</th>
            <th class="utrecht-table__header-cell" scope="col">${t('processingLog.status')}</th>
            <th class="utrecht-table__header-cell" scope="col">${t('processingLog.other')}</th>
            <th class="utrecht-table__header-cell" scope="col">${t('processingLog.trace')}</th>
          </tr></thead>
          <tbody class="utrecht-table__body">${shown.records.map(
            (r) => html`<tr class="utrecht-table__row" data-activity="${r.activity}">
              <td class="utrecht-table__cell">${formatDateTime(lang, r.startTime)}</td>
              <td class="utrecht-table__cell"><a class="utrecht-link" href="${r.processingActivityId}" title="${t('processingLog.register')}">${t(`processingLog.activity.${r.activity}`)}</a></td>
              <td class="utrecht-table__cell" data-operation="${r.name}">${operationText(t, r.name)}</td>
              <td class="utrecht-table__cell">${r.actor}</td>
              <td class="utrecht-table__cell">${t(`processingLog.status.${r.statusCode}`)}</td>
              <td class="utrecht-table__cell">${otherParty(t, r.foreignOperation)}</td>
              <td class="utrecht-table__cell"><code>${r.traceId.slice(0, 8)}</code></td></tr>`,
          )}</tbody></table></div>
          ${shown.more ? html`<p class="utrecht-paragraph">${t('processingLog.more')}</p>` : ''}
          <p class="utrecht-paragraph" id="processing-self">${t('processingLog.self')}</p>
          ${exportButton(ctx, '/processing-log/export.csv', { bsn: asked.bsn, journeyId: asked.journeyId, from: asked.from, until: asked.until, activities: asked.activities }, t('processingLog.export'))}`;
  }
  res.status(shown.message ? 422 : 200).type('html').send(
    page(
      { ...ctx, section: 'processing-log' },
      t('processingLog.title'),
      html`<h1 class="utrecht-heading-1">${t('processingLog.title')}</h1>
      <p class="utrecht-paragraph">${t('processingLog.intro')}</p>
      ${shown.message ? alert('error', shown.message) : ''}
      <form method="post" action="${href('/processing-log')}" class="koers-card" style="max-width:40rem" novalidate>${csrfField(ctx)}
        <p class="utrecht-paragraph">${t('processingLog.personHint')}</p>
        ${field('bsn', 'text', html` inputmode="numeric" maxlength="11"`)}
        ${field('journeyId', 'text', html` maxlength="64"`)}
        ${field('from', 'date')}
        ${field('until', 'date')}
        <fieldset class="utrecht-form-fieldset"><legend class="utrecht-form-fieldset__legend">${t('processingLog.activities')}</legend>
          <div class="utrecht-form-field__description">${t('processingLog.activitiesHint')}</div>
          ${PROCESSING_ACTIVITIES.map(
            (a) => html`<div class="utrecht-form-field utrecht-form-field--checkbox"><input type="checkbox" class="utrecht-checkbox utrecht-checkbox--html-input" id="pl-activity-${a}" name="activities" value="${a}"${asked.activities.includes(a) ? html` checked` : ''}>
              <label class="utrecht-form-label utrecht-form-label--checkbox" for="pl-activity-${a}">${t(`processingLog.activity.${a}`)}</label></div>`,
          )}
        </fieldset>
        <button type="submit" class="utrecht-button utrecht-button--primary-action">${t('processingLog.submit')}</button>
      </form>
      ${results}`,
    ),
  );
}

async function showRecords(web: Web): Promise<void> {
  const asked = askedOf(web.req.body as Record<string, unknown> | undefined);
  const answer = await web.api.post<{ records: ProcessingRecord[]; nextCursor?: string }>('/v1/processing-log/search', { ...apiBody(asked), pageSize: SHOWN });
  if (answer.ok) return logPage(web, { asked, records: answer.body.records, more: answer.body.nextCursor !== undefined });
  const shown = problemShown(web.ctx.t, web.ctx.lang, answer.problem);
  await logPage(web, { asked, errors: shown.errors, message: shown.message });
}

const download = (web: Web) => streamDownload(web, '/v1/processing-log/export', apiBody(askedOf(web.req.body as Record<string, unknown> | undefined)));

export function processingLogRoutes(): WebRoute[] {
  return [
    { method: 'get', path: '/processing-log', handler: (web) => logPage(web) },
    { method: 'post', path: '/processing-log', handler: showRecords },
    { method: 'post', path: '/processing-log/export.csv', handler: download },
  ];
}
