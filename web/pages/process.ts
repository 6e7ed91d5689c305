/**
 * The process view: the journey's BPMN diagram (generated from the domain, web/process/), rendered
 * read-only by bpmn-js in the browser, with the live state of one journey or, for administrators, the
 * counts per step over all journeys drawn on it. The BPMN file itself is downloadable.
 */
import type { Request, Response } from 'express';
import type { EventType } from '../../domain/events';
import type { Regime } from '../../domain/types';
import { REGIMES } from '../../api/schemas';
import type { Web, WebRoute } from '../app';
import { html, jsonScript, type Html } from '../html';
import { formatDate, formatNumber } from '../format';
import { href, page, statusBadge, type PageContext } from '../layout';
import { translator, type Lang, type Translate } from '../messages';
import { clockElementId, eventElementId, journeyBpmn } from '../process/bpmn';
import { processModel } from '../process/model';
import { clockStatus, loadJourney } from './journey';
import { downloadRoute, exportLink, withQuery } from './exports';

const diagrams = new Map<string, Promise<string>>();

/** The BPMN XML of a regime in a language, generated once per process. */
export function cachedBpmn(regime: Regime, lang: Lang): Promise<string> {
  const key = `${regime}:${lang}`;
  let xml = diagrams.get(key);
  if (!xml) {
    xml = journeyBpmn(regime, translator(lang));
    diagrams.set(key, xml);
    xml.catch(() => diagrams.delete(key));
  }
  return xml;
}

interface DiagramData {
  bpmnUrl: string;
  /** Element id → met | running | overdue | waived | ended. */
  states: Record<string, string>;
  /** Element id → a short text drawn next to it. */
  overlays: Record<string, string>;
}

function diagram(ctx: PageContext, data: DiagramData): Html {
  return html`<ul class="koers-legend" aria-label="${ctx.t('process.legend')}">
      <li class="met">${ctx.t('status.met')}</li><li class="running">${ctx.t('status.running')}</li><li class="overdue">${ctx.t('status.overdue')}</li><li class="waived">${ctx.t('status.waived')}</li>
    </ul>
    <figure class="koers-figure"><div id="diagram" class="koers-diagram"></div><figcaption>${ctx.t('nav.process')}</figcaption></figure>
    <noscript><p class="utrecht-paragraph">${ctx.t('process.noScript')}</p></noscript>
    ${jsonScript('process-data', data)}
    <p class="utrecht-paragraph"><a class="utrecht-link" href="${data.bpmnUrl}" download>${ctx.t('process.download')}</a></p>`;
}

const head = html`<link rel="stylesheet" href="${href('/assets/bpmn/diagram-js.css')}"><link rel="stylesheet" href="${href('/assets/bpmn/bpmn-js.css')}">`;
const scripts = html`<script src="${href('/assets/process.js')}" defer></script>`;

/** The steps of the model as a table: the diagram's text alternative, with a status or counts per step. */
function stepTable(t: Translate, regime: Regime, cell: (clock: string) => Html | string, heading: string): Html {
  const events = (types: EventType[]) => types.map((type) => t(`event.${type}`)).join(', ') || '—';
  return html`<div class="koers-table-wrap"><table class="utrecht-table" id="steps">
    <caption class="utrecht-table__caption">${t('process.title', { regime: t(`regime.${regime}`) })}</caption>
    <thead class="utrecht-table__header"><tr class="utrecht-table__row">
      <th class="utrecht-table__header-cell" scope="col">${t('journey.clock')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('journey.start')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('process.metBy', { events: '' }).replace(/[:\s]+$/, '')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('process.waivedBy', { events: '' }).replace(/[:\s]+$/, '')}</th>
      <th class="utrecht-table__header-cell" scope="col">${heading}</th>
    </tr></thead>
    <tbody class="utrecht-table__body">${processModel(regime).steps.map(
      (s) => html`<tr class="utrecht-table__row" data-step="${s.clock}"><th class="utrecht-table__header-cell" scope="row">${t(`clock.${s.clock}`)}</th>
        <td class="utrecht-table__cell">${s.anchors.length ? events(s.anchors) : t('process.start')}</td>
        <td class="utrecht-table__cell">${events(s.metBy)}</td><td class="utrecht-table__cell">${events(s.waivedBy)}</td>
        <td class="utrecht-table__cell">${cell(s.clock)}</td></tr>`,
    )}</tbody></table></div>`;
}

async function journeyProcess(web: Web): Promise<void> {
  const { req, res, ctx } = web;
  const { t, lang } = ctx;
  const journeyId = String(req.params.journeyId);
  const { journey, timeline } = await loadJourney(web, journeyId);
  const states: Record<string, string> = { Start_permit: 'met' };
  const overlays: Record<string, string> = {};
  for (const clock of journey.clocks) {
    states[clockElementId(clock.name)] = clock.status;
    overlays[clockElementId(clock.name)] = clock.settledOn ? `${t(`status.${clockStatus(clock)}`)} ${formatDate(lang, clock.settledOn, 'short')}` : `${t(`status.${clock.status}`)} · ${formatDate(lang, clock.finalDate, 'short')}`;
  }
  for (const event of timeline.events) if (event.applied) states[eventElementId(event.type as EventType)] = 'met';
  const status = (name: string) => {
    const clock = journey.clocks.find((c) => c.name === name);
    return clock ? statusBadge(t, clockStatus(clock) === 'metLate' ? 'overdue' : clock.status, t(`status.${clockStatus(clock)}`)) : t('status.notStarted');
  };
  res.type('html').send(
    page(
      { ...ctx, section: 'process' },
      t('process.journeyTitle', { id: journeyId.slice(0, 12) }),
      html`<h1 class="utrecht-heading-1">${t('process.journeyTitle', { id: journeyId })}</h1>
      <p class="utrecht-paragraph"><a class="utrecht-link" href="${href(`/journeys/${journeyId}`)}">${t('journey.title', { id: journeyId.slice(0, 12) })}</a> · ${t(`regime.${journey.regime}`)}</p>
      ${diagram(ctx, { bpmnUrl: href(`/process/${journey.regime}.bpmn?lang=${ctx.lang}`), states, overlays })}
      ${stepTable(t, journey.regime, status, t('journey.status'))}`,
      { head, scripts },
    ),
  );
}

/** The regime the overview shows (Wi2021 unless asked otherwise): the page and its download count it. */
const overviewRegime = (query: Web['req']['query']): Regime => (query.regime === 'wi2013' ? 'wi2013' : 'wi2021');

async function overview(web: Web): Promise<void> {
  const { req, res, ctx, api } = web;
  const { t, lang } = ctx;
  const regime = overviewRegime(req.query);
  const overlays: Record<string, string> = {};
  const states: Record<string, string> = {};
  let counts: Record<string, Record<string, number>> = {};
  if (web.session.principal.role === 'admin') {
    // Only the counts per step: the dashboard's other figures are not asked for.
    const statistics = await api.read<{ steps: Record<string, Record<string, number>> }>(`/v1/statistics/steps?regime=${regime}`);
    counts = statistics.steps;
    for (const [clock, byStatus] of Object.entries(counts)) {
      const id = clockElementId(clock as Parameters<typeof clockElementId>[0]);
      overlays[id] = Object.entries(byStatus).map(([s, n]) => `${t(`status.${s}`)} ${formatNumber(lang, n)}`).join(' · ');
      if ((byStatus.overdue ?? 0) > 0) states[id] = 'overdue';
    }
  }
  // Each count leads to the journeys behind it: the admin list of this regime's running journeys, the overdue ones for "te laat".
  const countCell = (clock: string): Html => {
    const entries = Object.entries(counts[clock] ?? {});
    if (entries.length === 0) return html`0`;
    return html`${entries.map(([s, n], i) => {
      const filter = new URLSearchParams({ regime, ...(s === 'overdue' ? { overdue: 'true' } : {}) });
      return html`${i > 0 ? ', ' : ''}<a class="utrecht-link" href="${href(`/admin?${filter}`)}">${t(`status.${s}`)}: ${formatNumber(lang, n)}</a>`;
    })}`;
  };
  res.type('html').send(
    page(
      { ...ctx, section: 'process' },
      t('process.title', { regime: t(`regime.${regime}`) }),
      html`<h1 class="utrecht-heading-1">${t('process.title', { regime: t(`regime.${regime}`) })}</h1>
      <p class="utrecht-paragraph">${t('process.intro')}</p>
      <p class="utrecht-paragraph">${REGIMES.map((r) => (r === regime ? html`<strong>${t(`regime.${r}`)}</strong> ` : html`<a class="utrecht-link" href="${href(`/process?regime=${r}`)}">${t(`regime.${r}`)}</a> `))}</p>
      ${web.session.principal.role === 'admin' ? html`<p class="utrecht-paragraph">${t('process.counts')}</p>${exportLink(ctx, '/exports/process-steps.csv', { regime })}` : ''}
      ${diagram(ctx, { bpmnUrl: href(`/process/${regime}.bpmn?lang=${ctx.lang}`), states, overlays })}
      ${stepTable(t, regime, web.session.principal.role === 'admin' ? countCell : () => '—', web.session.principal.role === 'admin' ? t('dashboard.journeys') : '')}`,
      { head, scripts },
    ),
  );
}

async function download(web: Web): Promise<void> {
  await sendBpmn(web.req, web.res, web.ctx.lang);
}

async function sendBpmn(req: Request, res: Response, lang: Lang): Promise<void> {
  const match = /^(wi2013|wi2021)\.bpmn$/.exec(String(req.params.file));
  if (!match) {
    res.status(404).type('text').send('Not found');
    return;
  }
  const regime = match[1] as Regime;
  res
    .type('application/xml')
    .set('Content-Disposition', `attachment; filename="koers-journey-${regime}.bpmn"`)
    .send(await cachedBpmn(regime, lang));
}

export function processRoutes(): WebRoute[] {
  return [
    { method: 'get', path: '/process', handler: overview },
    downloadRoute('/exports/process-steps.csv', (web) => withQuery('/v1/statistics/steps/export', { regime: overviewRegime(web.req.query) })),
    { method: 'get', path: '/process/:file', handler: download },
    { method: 'get', path: '/journeys/:journeyId/process', handler: journeyProcess },
  ];
}
