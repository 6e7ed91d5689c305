/**
 * Administrators: find a journey by municipality + the municipality's own person reference (the API
 * derives the id), list journeys by municipality, phase, regime, overdue and next final date (stopped
 * or failed ones stand out), and the dashboard with the seed's questions as charts.
 */
import type { z } from 'zod';
import { addDays, addPeriod, amsterdamDateOf, isBefore } from '../../domain/dates';
import { latestPolicies } from '../../domain/policies';
import type { JourneyList, Statistics } from '../../api/schemas';
import { downloadRoute, exportLink, withQuery } from './exports';
import { searchForm } from './search';
import { personCells, personHeaderCells, personsOf } from '../person';
import { PHASES, REGIMES } from '../../api/schemas';
import type { Web, WebRoute } from '../app';
import { formatDate, formatMonth, formatNumber, formatShare, journeyStateText, municipalityName } from '../format';
import { html, jsonScript, type Html } from '../html';
import { href, page, statusBadge } from '../layout';
import type { Lang, Translate } from '../messages';

type StatisticsView = z.output<typeof Statistics>;
type Bucket = StatisticsView['municipalities'][number];

const municipalities = () => latestPolicies().map((p) => p.id).sort();

const select = (t: Translate, id: string, label: string, options: Array<[string, string]>, value: string | undefined) =>
  html`<div class="utrecht-form-field"><div class="utrecht-form-field__label"><label class="utrecht-form-label" for="${id}">${label}</label></div>
    <div class="utrecht-form-field__input"><select class="utrecht-select utrecht-select--html-select" id="${id}" name="${id.replace(/^(f|find)-/, '')}"><option value="">${t('inbox.filter.any')}</option>
    ${options.map(([v, text]) => html`<option value="${v}"${value === v ? html` selected` : ''}>${text}</option>`)}</select></div></div>`;

const queryText = (value: unknown, pattern: RegExp): string | undefined => (typeof value === 'string' && pattern.test(value) ? value : undefined);

/** The journey list's filters from the page's URL: the page and its download read the list with them. */
function journeyFilters(query: Web['req']['query']) {
  const filters = {
    municipality: queryText(query.municipality, /^[a-z0-9-]{1,64}$/),
    phase: queryText(query.phase, /^[a-z-]{1,20}$/),
    regime: queryText(query.regime, /^wi20(13|21)$/),
    overdue: queryText(query.overdue, /^(true|false)$/),
    nextFinalDateBefore: queryText(query.nextFinalDateBefore, /^\d{4}-\d{2}-\d{2}$/),
    state: queryText(query.state, /^(running|ended|completed)$/) as JourneyState | undefined,
    // The dashboard's links (trial 2 finding 3): a month of the permit, or overdue clocks of a month.
    permitMonth: queryText(query.permitMonth, /^\d{4}-\d{2}$/),
    deadlineFrom: queryText(query.deadlineFrom, /^\d{4}-\d{2}-\d{2}$/),
    deadlineTo: queryText(query.deadlineTo, /^\d{4}-\d{2}-\d{2}$/),
  };
  const given = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const { state, ...rest } = given;
  return { filters, given, api: { ...rest, ...(state ? STATE_FILTERS[state as JourneyState] : {}) } };
}

/** The list's states (finding 1 of the second trial) as the API's filters: an end for a reason is neither running nor completed. */
type JourneyState = 'running' | 'ended' | 'completed';
const STATE_FILTERS: Record<JourneyState, Record<string, string>> = {
  running: { status: 'running', ended: 'false' },
  ended: { ended: 'true' },
  completed: { status: 'completed', ended: 'false' },
};

/** The dashboard's filters from the page's URL: the page and its downloads ask the API with them. */
function dashboardFilters(query: Web['req']['query']): Record<string, string> {
  const municipality = queryText(query.municipality, /^[a-z0-9-]{1,64}$/);
  const regime = queryText(query.regime, /^wi20(13|21)$/);
  return { ...(municipality ? { municipality } : {}), ...(regime ? { regime } : {}) };
}

async function adminPage(web: Web): Promise<void> {
  const { req, res, ctx, api } = web;
  const { t, lang } = ctx;
  const { filters, given, api: asked } = journeyFilters(req.query);
  const pageToken = queryText(req.query.pageToken, /^[A-Za-z0-9_.-]{1,2048}$/);
  // A page at a time with the total, so no journey is silently past the end of the list.
  const [list, total] = await Promise.all([
    api.read<z.output<typeof JourneyList>>(`/v1/journeys?${new URLSearchParams({ pageSize: '100', ...asked, ...(pageToken ? { pageToken } : {}) })}`),
    api.read<{ count: number }>(`/v1/journeys/count?${new URLSearchParams(asked)}`),
  ]);
  // Who each row is (trial finding 5): the reference, name and dates, as the search and the inbox show them.
  const persons = await personsOf(web, list.journeys.map((j) => j.journeyId));
  const nextPage = list.nextPageToken ? href(`/admin?${new URLSearchParams({ ...given, pageToken: list.nextPageToken })}`) : undefined;
  const failed = (status: string) => ['FAILED', 'TERMINATED', 'TIMED_OUT', 'CANCELLED'].includes(status);
  res.status(200).type('html').send(
    page(
      { ...ctx, section: 'admin' },
      t('admin.title'),
      html`<h1 class="utrecht-heading-1">${t('admin.title')}</h1>
      <section class="koers-card" aria-labelledby="find-title">
        <h2 class="utrecht-heading-2" id="find-title">${t('admin.find')}</h2>
        ${searchForm(ctx)}
      </section>
      <h2 class="utrecht-heading-2">${t('admin.list')}</h2>
      <form method="get" action="${href('/admin')}" class="koers-filters" aria-label="${t('inbox.filters')}">
        ${select(t, 'f-municipality', t('journey.municipality'), municipalities().map((m) => [m, municipalityName(m)]), filters.municipality)}
        ${select(t, 'f-phase', t('journey.phase'), PHASES.map((p) => [p, t(`phase.${p}`)]), filters.phase)}
        ${select(t, 'f-regime', t('journey.regime'), REGIMES.map((r) => [r, t(`regime.${r}`)]), filters.regime)}
        ${select(t, 'f-overdue', t('admin.overdue'), [['true', t('yes')], ['false', t('no')]], filters.overdue)}
        ${select(t, 'f-state', t('admin.state'), (['running', 'ended', 'completed'] as const).map((v) => [v, t(`admin.state.${v}`)]), filters.state)}
        <div class="utrecht-form-field"><div class="utrecht-form-field__label"><label class="utrecht-form-label" for="f-nextFinalDateBefore">${t('admin.nextFinalDateBefore')}</label></div>
          <div class="utrecht-form-field__input"><input class="utrecht-textbox utrecht-textbox--html-input" type="date" id="f-nextFinalDateBefore" name="nextFinalDateBefore" value="${filters.nextFinalDateBefore ?? ''}"></div></div>
        <button type="submit" class="utrecht-button utrecht-button--secondary-action">${t('inbox.filter.apply')}</button>
      </form>
      ${filters.permitMonth ? html`<p class="utrecht-paragraph" id="permit-month-filter">${t('admin.permitMonthFilter', { month: formatMonth(lang, filters.permitMonth) })}</p>` : ''}
      ${filters.deadlineFrom || filters.deadlineTo
        ? html`<p class="utrecht-paragraph" id="deadline-filter">${t('admin.deadlineFilter', { from: filters.deadlineFrom ? formatDate(lang, filters.deadlineFrom) : '—', to: filters.deadlineTo ? formatDate(lang, filters.deadlineTo) : '—' })}</p>`
        : ''}
      <p class="utrecht-paragraph" id="journey-count">${t('admin.count', { count: formatNumber(lang, total.count) })}</p>
      ${exportLink(ctx, '/exports/journeys.csv', given)}
      ${list.journeys.length === 0
        ? html`<p class="utrecht-paragraph">${t('admin.noJourneys')}</p>`
        : html`<div class="koers-table-wrap"><table class="utrecht-table" id="journeys">
          <thead class="utrecht-table__header"><tr class="utrecht-table__row">
            ${personHeaderCells(ctx)}
            <th class="utrecht-table__header-cell" scope="col">${t('journey.municipality')}</th>
            <th class="utrecht-table__header-cell" scope="col">${t('journey.regime')}</th>
            <th class="utrecht-table__header-cell" scope="col">${t('journey.phase')}</th>
            <th class="utrecht-table__header-cell" scope="col">${t('admin.overdue')}</th>
            <th class="utrecht-table__header-cell" scope="col">${t('admin.nextFinalDate')}</th>
            <th class="utrecht-table__header-cell" scope="col">${t('admin.executionStatus')}</th>
            <th class="utrecht-table__header-cell" scope="col">${t('admin.startedAt')}</th>
          </tr></thead>
          <tbody class="utrecht-table__body">${list.journeys.map(
            (j) => html`<tr class="utrecht-table__row${failed(j.status) || j.overdue ? ' koers-row--overdue' : ''}">
              ${personCells(ctx, j.journeyId, persons.get(j.journeyId) ?? {})}
              <td class="utrecht-table__cell">${j.municipality ? municipalityName(j.municipality) : '—'}</td><td class="utrecht-table__cell">${j.regime ? t(`regime.${j.regime}`) : '—'}</td>
              <td class="utrecht-table__cell">${j.phase ? t(`phase.${j.phase}`) : '—'}</td>
              <td class="utrecht-table__cell">${j.overdue ? statusBadge(t, 'overdue') : t('no')}</td>
              <td class="utrecht-table__cell koers-nowrap">${formatDate(lang, j.nextFinalDate, 'short')}</td>
              <td class="utrecht-table__cell" data-state>${failed(j.status) ? html`<span class="koers-status koers-status--failed">${t('admin.failed')}: ${journeyStateText(t, j.status)}</span>` : journeyStateText(t, j.status, j.ended)}</td>
              <td class="utrecht-table__cell koers-nowrap">${formatDate(lang, amsterdamDateOf(Date.parse(j.startedAt)), 'short')}</td></tr>`,
          )}</tbody></table></div>`}
      ${nextPage ? html`<p class="utrecht-paragraph"><a class="utrecht-link" id="next-page" rel="next" href="${nextPage}">${t('admin.nextPage')}</a></p>` : ''}`,
    ),
  );
}

/**
 * The journeys behind a dashboard figure: the admin list with the matching filter (a municipality's
 * row; a month row by the month the figure counts: the permit's for the journeys, the final date's for
 * the overdue clocks, up to yesterday since a clock is overdue from the day after its final date).
 */
const journeysLink = (filters: Record<string, string | undefined>): string =>
  href(`/admin?${new URLSearchParams(Object.entries(filters).filter((e): e is [string, string] => e[1] !== undefined))}`);

type Filters = Record<string, string | undefined>;

/** The list filters behind a row's journeys and behind its overdue clocks. */
interface RowLinks {
  journeys: (b: Bucket) => Filters;
  overdue: (b: Bucket) => Filters;
}

/** A month's overdue clocks: open deadlines whose final date is in that month and before `today`. */
export function overdueInMonth(month: string, today: string): Filters {
  const first = `${month}-01`;
  const last = addDays(addPeriod(first, { months: 1 }), -1);
  const yesterday = addDays(today, -1);
  return { overdue: 'true', deadlineFrom: first, deadlineTo: isBefore(yesterday, last) ? yesterday : last };
}

function bucketTable(t: Translate, lang: Lang, id: string, caption: string, keyLabel: string, buckets: Bucket[], links: RowLinks): Html {
  const show = (v: number | undefined) => (v === undefined ? '—' : formatNumber(lang, v));
  const share = (s: { yes: number; total: number }) => `${formatShare(lang, s.yes, s.total)} (${formatNumber(lang, s.yes)}/${formatNumber(lang, s.total)})`;
  return html`<div class="koers-table-wrap"><table class="utrecht-table" id="${id}">
    <caption class="utrecht-table__caption"><span class="utrecht-heading-3">${caption}</span></caption>
    <thead class="utrecht-table__header"><tr class="utrecht-table__row">
      <th class="utrecht-table__header-cell" scope="col">${keyLabel}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('dashboard.journeys')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('dashboard.permitToIntake')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('dashboard.reintegrationWithin3Months')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('dashboard.pvtOnTime')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('dashboard.overdueClocks')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('dashboard.deadlines')}</th>
    </tr></thead>
    <tbody class="utrecht-table__body">${buckets.map(
      (b) => {
        const keyText = id === 'by-month' ? formatMonth(lang, b.key) : municipalityName(b.key);
        return html`<tr class="utrecht-table__row" data-key="${b.key}"><th class="utrecht-table__header-cell" scope="row">${keyText}</th>
        <td class="utrecht-table__cell"><a class="utrecht-link" href="${journeysLink(links.journeys(b))}" aria-label="${t('dashboard.showJourneys', { key: keyText })}: ${show(b.journeys)}">${show(b.journeys)}</a></td>
        <td class="utrecht-table__cell">${show(b.permitToIntakeMedianDays)}</td>
        <td class="utrecht-table__cell">${share(b.reintegrationWithin3Months)}</td>
        <td class="utrecht-table__cell">${share(b.participatieverklaringOnTime)}</td>
        <td class="utrecht-table__cell">${b.overdueClocks > 0 ? html`<a class="utrecht-link koers-overdue-link" href="${journeysLink(links.overdue(b))}" aria-label="${t('dashboard.overdueLink', { clocks: show(b.overdueClocks) })}">${show(b.overdueClocks)}</a>` : show(b.overdueClocks)}</td>
        <td class="utrecht-table__cell">${show(b.deadlines.within30)} / ${show(b.deadlines.within60)} / ${show(b.deadlines.within90)}</td></tr>`;
      },
    )}</tbody></table></div>`;
}

/**
 * What each column counts and which month a figure falls in: the workbook's Toelichting texts
 * (api/statistics.ts), so the page and the download explain the same way (trial 2 finding 3).
 */
function columnsExplained(t: Translate): Html {
  const rows: Array<[string, string]> = [
    [t('dashboard.month'), t('workbook.explain.month')],
    [t('dashboard.journeys'), t('workbook.explain.journeys')],
    [t('dashboard.permitToIntake'), t('workbook.explain.permitToIntake')],
    [t('dashboard.reintegrationWithin3Months'), t('workbook.explain.reintegration')],
    [t('dashboard.pvtOnTime'), t('workbook.explain.pvt')],
    [t('dashboard.overdueClocks'), `${t('workbook.explain.overdue')} ${t('dashboard.overdueUnit')}`],
    [t('dashboard.deadlines'), t('workbook.explain.within')],
  ];
  return html`<section class="koers-card" aria-labelledby="explained-title" id="columns-explained"><h2 class="utrecht-heading-3" id="explained-title">${t('dashboard.explained')}</h2>
    <dl class="koers-explained">${rows.map(([term, text]) => html`<dt>${term}</dt><dd>${text}</dd>`)}</dl></section>`;
}

async function dashboard(web: Web): Promise<void> {
  const { req, res, ctx, api } = web;
  const { t, lang } = ctx;
  const filters = dashboardFilters(req.query);
  const { municipality, regime } = filters;
  const stats = await api.read<StatisticsView>(withQuery('/v1/statistics', filters));
  const chart = (id: string, title: string) =>
    html`<section class="koers-card"><h2 class="utrecht-heading-3" id="${id}-title">${title}</h2><div class="koers-chart"><canvas id="${id}" role="img" aria-labelledby="${id}-title"></canvas></div></section>`;
  const labels = {
    permitToIntake: t('dashboard.permitToIntake'),
    reintegration: t('dashboard.reintegrationWithin3Months'),
    pvt: t('dashboard.pvtOnTime'),
    overdue: t('dashboard.overdueClocks'),
    within: [30, 60, 90].map((days) => t('dashboard.within', { days })),
    days: t('dashboard.days'),
    share: t('dashboard.share'),
    months: stats.months.map((b) => formatMonth(lang, b.key)),
    places: stats.municipalities.map((b) => municipalityName(b.key)),
  };
  res.type('html').send(
    page(
      { ...ctx, section: 'dashboard' },
      t('dashboard.title'),
      html`<h1 class="utrecht-heading-1">${t('dashboard.title')}</h1>
      <p class="utrecht-paragraph">${t('dashboard.intro')} ${t('dashboard.sample', { count: formatNumber(lang, stats.journeys) })} (${t('journey.today')} ${formatDate(lang, stats.today)})</p>
      <p class="utrecht-paragraph" id="dashboard-scope">${t('dashboard.scope', { count: formatNumber(lang, stats.unavailable) })}</p>
      ${exportLink(ctx, '/exports/dashboard.csv', filters)}${exportLink(ctx, '/exports/dashboard.xlsx', filters, t('export.xlsx'))}
      <form method="get" action="${href('/dashboard')}" class="koers-filters" aria-label="${t('inbox.filters')}">
        ${select(t, 'f-municipality', t('journey.municipality'), municipalities().map((m) => [m, municipalityName(m)]), municipality)}
        ${select(t, 'f-regime', t('journey.regime'), REGIMES.map((r) => [r, t(`regime.${r}`)]), regime)}
        <button type="submit" class="utrecht-button utrecht-button--secondary-action">${t('inbox.filter.apply')}</button>
      </form>
      <div class="koers-grid">
        ${chart('chart-permit-to-intake', labels.permitToIntake)}
        ${chart('chart-reintegration', labels.reintegration)}
        ${chart('chart-pvt', labels.pvt)}
        ${chart('chart-overdue', `${labels.overdue} — ${t('dashboard.perMunicipality')}`)}
        ${chart('chart-deadlines', `${t('dashboard.deadlines')} — ${t('dashboard.perMunicipality')}`)}
      </div>
      ${jsonScript('dashboard-data', { stats, labels, lang })}
      ${bucketTable(t, lang, 'by-municipality', t('dashboard.perMunicipality'), t('journey.municipality'), stats.municipalities, {
        journeys: (b) => ({ municipality: b.key, regime }),
        overdue: (b) => ({ municipality: b.key, regime, overdue: 'true' }),
      })}
      ${bucketTable(t, lang, 'by-month', t('dashboard.perMonth'), t('dashboard.month'), stats.months, {
        journeys: (b) => ({ municipality, regime, permitMonth: b.key }),
        overdue: (b) => ({ municipality, regime, ...overdueInMonth(b.key, stats.today) }),
      })}
      ${columnsExplained(t)}`,
      { scripts: html`<script src="${href('/assets/dashboard.js')}" defer></script>` },
    ),
  );
}

export function adminRoutes(): WebRoute[] {
  return [
    { method: 'get', path: '/admin', handler: (web) => adminPage(web) },
    { method: 'get', path: '/dashboard', handler: dashboard },
    downloadRoute('/exports/journeys.csv', (web) => withQuery('/v1/journeys/export', journeyFilters(web.req.query).api)),
    downloadRoute('/exports/dashboard.csv', (web) => withQuery('/v1/statistics/export', dashboardFilters(web.req.query))),
    // The workbook's headings in the page's language (`streamDownload` asks with it).
    downloadRoute('/exports/dashboard.xlsx', (web) => withQuery('/v1/statistics/workbook', dashboardFilters(web.req.query))),
  ];
}
