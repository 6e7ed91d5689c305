/**
 * A journey: its clocks on a timeline (today marked), the event timeline (who reported what, when),
 * open and completed tasks, instruments, ladder assessments, the pinned policy and its amendments, and
 * the commands the role allows, with the journey's own answer shown when it refuses one.
 */
import type { z } from 'zod';
import { dayNumber, dayOfWeek } from '../../domain/dates';
import { EXTENSION_GROUNDS } from '../../domain/extensions';
import type { Regime } from '../../domain/types';
import { findPolicy } from '../../domain/policies';
import { mayOpen } from '../../identity/permissions';
import type { Journey, Task, Timeline } from '../../api/schemas';
import { EndInstrumentBody, EndInstrumentDoc, ExtensionRequestBody, ExtensionRequestDoc, LadderAssessmentBody, LadderAssessmentDoc, StartInstrumentBody, StartInstrumentDoc } from '../../api/schemas';
import { ApiError, type ApiAnswer, type ProblemBody } from '../api-client';
import type { Web, WebRoute } from '../app';
import { fields, formValues, objectSchema, optionLabel } from '../forms';
import { formatDate, formatDateTime, journeyStateText, municipalityName } from '../format';
import { html, type Html } from '../html';
import { alert, csrfField, href, page, statusBadge } from '../layout';
import type { Lang, Translate } from '../messages';
import { problemShown, zodErrors, type ShownError } from '../problems';
import { isEventType } from '../../domain/events';
import { JOURNEY_ENDED as JOURNEY_ENDED_EVENT } from '../../workflows/definitions';
import { personFacts, personLabel, personOf } from '../person';
import { inboxOrder, loadColleagues, staffName, taskTable } from './inbox';
import { documentOf, ENDING } from './milestones';
import { ADMIN_ACTIONS, adminCard, sendAdminAction, type AdminAction } from './journey-admin';

export type JourneyView = z.output<typeof Journey>;
type TimelineView = z.output<typeof Timeline>;
type TaskView = z.output<typeof Task>;
type Clock = JourneyView['clocks'][number];

const COMMANDS = {
  ladder: { path: 'ladder-assessments', schema: LadderAssessmentDoc, dated: LadderAssessmentBody, title: 'action.ladder' },
  extension: { path: 'extension-requests', schema: ExtensionRequestDoc, dated: ExtensionRequestBody, title: 'action.extension' },
  instrument: { path: 'instruments', schema: StartInstrumentDoc, dated: StartInstrumentBody, title: 'action.startInstrument' },
} as const;
type Command = keyof typeof COMMANDS;

/** Only a running journey takes commands (the API answers 409 otherwise): an ended one offers none. */
const takesCommands = (journey: JourneyView): boolean => journey.status === 'running' || journey.status === 'workflow-task-failing';

/**
 * A clock's status as a reader needs it: a met clock settled after its final date is "met late" (a
 * milestone met years late is not simply "met").
 */
export function clockStatus(clock: Pick<Clock, 'status' | 'settledOn' | 'finalDate'>): string {
  return clock.status === 'met' && clock.settledOn !== undefined && clock.settledOn > clock.finalDate ? 'metLate' : clock.status;
}

/**
 * Who is inburgeringsplichtig, in words: "nog niet inburgeringsplichtig, vanaf 5 mei 2029". One status
 * with the journey's phase (trial finding 11): an exemption ends the plicht (clocks.ts, art. 6 Wi2013 /
 * DUO under Wi2021) and a plicht met is met, so a person in those phases is never "inburgeringsplichtig".
 */
export function plichtText(t: Translate, lang: Lang, plicht: JourneyView['inburgeringsplicht'], phase?: string): string {
  if (phase === 'exempted' || phase === 'plicht-met') return t(`plicht.${phase}`);
  if (!plicht) return '—';
  if (plicht.status === 'plichtig' && plicht.startsOn === undefined) return t('phase.inburgering');
  return t(`plicht.${plicht.status}`, { date: formatDate(lang, plicht.startsOn) });
}

/**
 * Of the timeline's events, which one another replaced: an admin's correction replaces the fact of its
 * type (domain/facts.ts), so every event of that type received before the latest applied correction
 * is replaced by it. Answers event index → the replacing event: its date, when it was received, and
 * whether it withdrew the milestone (then the replaced fact is withdrawn, not corrected).
 */
export function replacedEvents(events: TimelineView['events']): Map<number, { occurredOn: string; receivedAt: string; withdrawn: boolean }> {
  const out = new Map<number, { occurredOn: string; receivedAt: string; withdrawn: boolean }>();
  const latestCorrection = new Map<string, { index: number; receivedAt: string; occurredOn: string; withdrawn: boolean }>();
  events.forEach((e, index) => {
    if (!e.correction || !e.applied) return;
    const current = latestCorrection.get(e.type);
    if (!current || e.receivedAt > current.receivedAt) latestCorrection.set(e.type, { index, receivedAt: e.receivedAt, occurredOn: e.occurredOn, withdrawn: e.withdrawn === true });
  });
  events.forEach((e, index) => {
    const correction = latestCorrection.get(e.type);
    if (correction && index !== correction.index && e.receivedAt <= correction.receivedAt) out.set(index, { occurredOn: correction.occurredOn, receivedAt: correction.receivedAt, withdrawn: correction.withdrawn });
  });
  return out;
}

/** The clocks as bars from start to final date, the target date ticked, today a vertical line. */
export function clockTimeline(t: Translate, clocks: Clock[], today: string, lang: Lang = 'nl'): Html {
  if (clocks.length === 0) return html``;
  const days = clocks.flatMap((c) => [dayNumber(c.startsOn), dayNumber(c.finalDate)]).concat(dayNumber(today));
  const from = Math.min(...days) - 7;
  const to = Math.max(...days) + 7;
  const label = 270;
  const width = 1000;
  const row = 30;
  const x = (d: string) => label + ((dayNumber(d) - from) / (to - from)) * (width - label - 10);
  const height = clocks.length * row + 40;
  const colour: Record<string, string> = { met: '#1b6e2b', running: '#154273', overdue: '#b00020', waived: '#6a6a6a', ended: '#6a6a6a' };
  const todayX = x(today);
  // The label stays inside the chart near either edge (trial 2 finding 10: "Vandaag 7 dece" cut off).
  const todayAnchor = todayX > width - 110 ? 'end' : todayX < label + 110 ? 'start' : 'middle';
  return html`<figure class="koers-timeline">
    <svg viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="timeline-title" xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="13">
      <title id="timeline-title">${t('journey.timelineChart')}</title>
      ${clocks.map((c, i) => {
        const y = 10 + i * row;
        const x1 = x(c.startsOn);
        const x2 = Math.max(x(c.finalDate), x1 + 2);
        return html`<g data-clock="${c.name}" data-status="${c.status}">
          <text x="0" y="${y + 15}" fill="#1a1a1a">${t(`clock.${c.name}`)}</text>
          <rect x="${x1.toFixed(1)}" y="${y + 3}" width="${(x2 - x1).toFixed(1)}" height="16" rx="3" fill="${colour[c.status] ?? '#154273'}" fill-opacity="0.25" stroke="${colour[c.status] ?? '#154273'}" stroke-width="2"></rect>
          <line x1="${x(c.targetDate).toFixed(1)}" x2="${x(c.targetDate).toFixed(1)}" y1="${y}" y2="${y + 22}" stroke="#1a1a1a" stroke-width="2" stroke-dasharray="3 2"></line>
          ${c.settledOn ? html`<circle cx="${x(c.settledOn).toFixed(1)}" cy="${y + 11}" r="5" fill="${colour[c.status] ?? '#1b6e2b'}"></circle>` : ''}
        </g>`;
      })}
      <line x1="${todayX.toFixed(1)}" x2="${todayX.toFixed(1)}" y1="0" y2="${height - 18}" stroke="#b00020" stroke-width="2"></line>
      <text x="${todayX.toFixed(1)}" y="${height - 4}" text-anchor="${todayAnchor}" fill="#b00020">${t('journey.today')} ${formatDate(lang, today)}</text>
    </svg>
  </figure>`;
}

type Amendment = NonNullable<JourneyView['amendments']>[number];

/**
 * A policy change in words: a move names both municipalities and the reason typed for it; an
 * amendment names the versions and its reason. (A move recorded before its reason was kept carries a
 * generated English sentence, which is not shown.)
 */
function amendmentItem(t: Translate, lang: Lang, entry: Amendment): Html {
  // Since contract v1.2 a move says so itself, with the reason typed for it.
  const a = entry as Amendment & { move?: { from: string; to: string; reason?: string } };
  const moved = a.move !== undefined || a.from.id !== a.to.id;
  const reason = a.move ? a.move.reason : moved && /^moved from /.test(a.reason) ? undefined : a.reason;
  const what = moved
    ? t('journey.moved', { from: municipalityName(a.move?.from ?? a.from.id), to: municipalityName(a.move?.to ?? a.to.id) })
    : t('journey.amended', { policy: municipalityName(a.from.id), from: a.from.version, to: a.to.version });
  return html`<li data-amendment="${moved ? 'move' : 'amendment'}">${formatDateTime(lang, a.at)}: ${what}${reason ? html` — ${reason}` : ''} (${a.amendedBy})</li>`;
}

type ExtensionRequestView = { ground?: string; requestedOn?: string; circumstanceFrom?: string; circumstanceUntil?: string; status?: string };

/**
 * Follow-up of what the municipality asked DUO for: extension requests (filed through this page) and
 * exemption requests (a missed term's review that decided to ask for one), each with its status:
 * granted once DUO's decision is recorded after the request, otherwise waiting for DUO.
 */
function followUpCard(t: Translate, lang: Lang, journey: JourneyView, timeline: TimelineView, tasks: TaskView[]): Html {
  const applied = (type: string, from: string) => timeline.events.some((e) => e.type === type && e.applied && !e.withdrawn && e.occurredOn >= from);
  const extensions = (journey.extensionRequests ?? []) as ExtensionRequestView[];
  const exemptions = tasks
    .filter((task) => task.status === 'completed' && (task as TaskView & { form?: Record<string, unknown> }).form?.decision === 'exemption-requested')
    .map((task) => ({ requestedOn: (task.completedAt ?? '').slice(0, 10), by: task.completedBy }));
  const item = (kind: string, ground: string, requestedOn: string, granted: boolean) =>
    html`<li data-follow-up="${kind}">${t(`followUp.${kind}`)}${ground ? html` (${ground})` : ''}, ${t('followUp.requestedOn', { date: formatDate(lang, requestedOn) })}: ${statusBadge(t, granted ? 'met' : 'running', t(granted ? 'followUp.granted' : 'followUp.waiting'))}</li>`;
  const items = [
    ...extensions.map((r) => item('extension', r.ground ? optionLabel(t, 'ground', r.ground) : '', r.requestedOn ?? '', applied('nl.koers.extension.granted', r.requestedOn ?? ''))),
    ...exemptions.map((r) => item('exemption', '', r.requestedOn, applied('nl.koers.exemption.granted', r.requestedOn))),
  ];
  return html`<section class="koers-card" aria-labelledby="follow-up-title" id="follow-up"><h2 class="utrecht-heading-2" id="follow-up-title">${t('followUp.title')}</h2>
    ${items.length === 0 ? html`<p class="utrecht-paragraph">${t('followUp.none')}</p>` : html`<ul>${items}</ul>`}</section>`;
}

/** A date in words: "maandag 1 december 2025" (nl), "Monday 1 December 2025" (en). */
export function longDate(t: Translate, date: string): string {
  const [year, month, day] = date.split('-');
  return t('date.long', { weekday: t(`weekday.${dayOfWeek(date)}`), day: Number(day), month: t(`month.${Number(month)}`), year: year ?? '' });
}

/**
 * A clock's basis in plain words (contract v1.2): the rule from its anchor, who reported that, and each
 * adjustment with its days and source, e.g. "8 weken na de aanvraag van zaterdag 4 oktober 2025 (Awb
 * art. 4:13); verlengd tot maandag 1 december 2025 omdat zaterdag 29 november 2025 een zaterdag is
 * (Algemene termijnenwet art. 1(1))".
 */
export function basisText(t: Translate, clock: Clock, regime?: Regime): string {
  const basis = clock.basis;
  if (basis === undefined) return '—';
  // The rule in words comes from the catalogue, never from the domain's own (English) `basis.rule`
  // (trial finding 6): the inburgeringstermijn's rule differs per regime (Wi2013 art. 7(1), Wi2021 art. 11).
  const termRegime: Regime = regime ?? (basis.anchor.event === 'nl.koers.pip.established' ? 'wi2021' : 'wi2013');
  const anchor = t(`basis.rule.${clock.name}`, { date: longDate(t, basis.anchor.occurredOn), rule: t(`basis.inburgeringRule.${termRegime}`) });
  const reported = basis.anchor.reportedBy ? ` (${t('basis.reportedBy', { by: basis.anchor.reportedBy })})` : '';
  const adjustments = basis.adjustments.map((a) => {
    const to = longDate(t, a.to ?? clock.finalDate);
    if (a.kind === 'atw') {
      return a.restDay
        ? t('basis.atw', { to, from: longDate(t, a.restDay.on), restDay: t(`restDay.${a.restDay.kind}`), source: a.source })
        : t('basis.atwShort', { to, source: a.source });
    }
    return t(`basis.${a.kind}`, { to, days: a.days, source: a.source });
  });
  return [anchor + reported, ...adjustments].join('; ');
}

/**
 * A Wi2021 journey still running without its PIP clock: the inburgering clocks start with the later of
 * DUO's kennisgeving and the BRP registration (journey-rules.md, "pip, Wi2021"), so the page says why
 * they are not there yet (trial 2 finding 10).
 */
function awaitingInburgeringClocks(journey: JourneyView): boolean {
  const m = journey.milestones ?? {};
  const known = m.duoNotifiedOn !== undefined && m.brpRegisteredOn !== undefined;
  return journey.regime === 'wi2021' && !journey.ended && journey.phase === 'arrival' && !known && !journey.clocks.some((c) => c.name === 'pip');
}

function clockTable(t: Translate, lang: Lang, clocks: Clock[], regime?: Regime): Html {
  return html`<div class="koers-table-wrap"><table class="utrecht-table" id="clocks">
    <caption class="utrecht-table__caption"><span class="utrecht-heading-2">${t('journey.clocks')}</span></caption>
    <thead class="utrecht-table__header"><tr class="utrecht-table__row">
      <th class="utrecht-table__header-cell" scope="col">${t('journey.clock')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('journey.start')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('task.followUp')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('task.due')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('journey.status')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('journey.settledOn')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('journey.basis')}</th>
    </tr></thead>
    <tbody class="utrecht-table__body">${clocks.map(
      (c) => html`<tr class="utrecht-table__row" data-clock="${c.name}">
        <th class="utrecht-table__header-cell" scope="row">${t(`clock.${c.name}`)}</th>
        <td class="utrecht-table__cell">${formatDate(lang, c.startsOn)}</td><td class="utrecht-table__cell">${formatDate(lang, c.targetDate)}</td><td class="utrecht-table__cell">${formatDate(lang, c.finalDate)}</td>
        <td class="utrecht-table__cell">${statusBadge(t, clockStatus(c) === 'metLate' ? 'overdue' : c.status, t(`status.${clockStatus(c)}`))}</td><td class="utrecht-table__cell">${formatDate(lang, c.settledOn)}</td>
        <td class="utrecht-table__cell koers-basis">${basisText(t, c, regime)}</td></tr>`,
    )}</tbody></table></div>`;
}

/** The two milestones of the Awb 4:15 suspension of the bijstand decision term (contract v1.2). */
const SUSPENSION_EVENTS = ['nl.koers.bijstand.completion-requested', 'nl.koers.bijstand.completed'] as const;

/**
 * The caseworker's road to the Awb 4:15 suspension while the bijstand decision term runs: record the
 * college's request to complete the application (Awb 4:5) and the completion, each through the
 * milestone form (the API decides who may; either may come first, as the law's facts do).
 */
function suspensionLinks(t: Translate, journeyId: string, clocks: Clock[]): Html {
  const decision = clocks.find((c) => c.name === 'bijstand-decision');
  if (decision === undefined || (decision.status !== 'running' && decision.status !== 'overdue')) return html``;
  return html`<p class="utrecht-paragraph" id="suspension">${SUSPENSION_EVENTS.map(
    (type, i) =>
      html`${i > 0 ? ' · ' : ''}<a class="utrecht-link" data-event-type="${type}" href="${href(`/journeys/${journeyId}/milestones?${new URLSearchParams({ type })}`)}">${t('milestone.title.report', { event: t(`event.${type}`) })}</a>`,
  )}</p>`;
}

/**
 * What an event is, in words: its type; a correction with its reason; a withdrawal as a withdrawal
 * ("Ontheffing verleend ingetrokken op 7 december 2026 — reden"), never as a correction of the fact
 * (trial finding 10).
 */
function eventName(t: Translate, lang: Lang, e: TimelineView['events'][number], endReason?: string): Html {
  const date = formatDate(lang, e.receivedAt.slice(0, 10));
  // The end of a journey is no milestone: its withdrawal says so in its own words, and the end names its reason (finding 4 of the second trial).
  const ownWithdrawal = `event.withdrawal.${e.type}`;
  if (e.withdrawn) return html`${t(ownWithdrawal) !== ownWithdrawal ? t(ownWithdrawal, { date }) : t('journey.withdrawal', { event: t(`event.${e.type}`), date })}${e.reason ? ` — ${t('journey.withdrawalReason', { reason: e.reason })}` : ''}`;
  const ownEnd = `event.ended.${e.type}`;
  const name = endReason && t(ownEnd) !== ownEnd ? t(ownEnd, { reason: t(`journey.endReason.${endReason}`) }) : t(`event.${e.type}`);
  return html`${name}${e.correction ? ` (${t('journey.correction')}${e.reason ? `: ${e.reason}` : ''})` : ''}`;
}

/** Who reported an event: a person with their role in words, or the chain partner's source. */
const reporter = (t: Translate, e: TimelineView['events'][number]): string => {
  if (!e.actor) return e.source;
  const key = `role.${e.actor.role}`;
  const role = t(key);
  return `${e.actor.name} (${role === key ? t('role.partner') : role})`;
};

/**
 * The event timeline: what was reported, when, by whom and from which document; a correction says why,
 * a replaced fact is marked. The facts that hold now may be corrected, and an ending milestone
 * withdrawn (contract v1.2), from the row itself.
 */
/**
 * What a correction of the person's dates changed (`nl.koers.person.corrected`, trial finding 19): per
 * date, from the value it replaced to the value after it (the next correction's replaced value, else the
 * date as it holds now). Dates YYYY-MM-DD.
 */
export function dateChanges(events: TimelineView['events'], index: number, current: { permitGrantedOn?: string; birthDate?: string }): Array<{ field: 'permitGrantedOn' | 'birthDate'; from: string; to?: string }> {
  const e = events[index];
  if (!e || e.type !== 'nl.koers.person.corrected' || !e.replaced) return [];
  const out: Array<{ field: 'permitGrantedOn' | 'birthDate'; from: string; to?: string }> = [];
  for (const field of ['permitGrantedOn', 'birthDate'] as const) {
    const from = e.replaced[field];
    if (typeof from !== 'string') continue;
    const later = events.slice(index + 1).find((x) => x.type === e.type && x.applied && typeof x.replaced?.[field] === 'string');
    const to = later ? (later.replaced![field] as string) : current[field];
    out.push({ field, from, ...(to ? { to } : {}) });
  }
  return out;
}

/**
 * The reason of the end recorded at `index` (the timeline does not carry it): the end a later withdrawal
 * replaced, else the journey's current end (`current`).
 */
function endReasonOf(events: TimelineView['events'], index: number, current: string | undefined): string | undefined {
  const withdrawal = events.slice(index + 1).find((x) => x.type === JOURNEY_ENDED_EVENT && x.withdrawn);
  const replaced = withdrawal?.replaced?.ended as { reason?: unknown } | undefined;
  if (withdrawal) return typeof replaced?.reason === 'string' ? replaced.reason : undefined;
  return current;
}

function eventTable(
  web: Web,
  journeyId: string,
  timeline: TimelineView,
  mayCorrect: boolean,
  current: { permitGrantedOn?: string; birthDate?: string; endReason?: string } = {},
): Html {
  const { t, lang } = web.ctx;
  const replaced = replacedEvents(timeline.events);
  // The entry that holds per type: the last one applied (a withdrawal holds nothing).
  const holding = new Map<string, TimelineView['events'][number]>();
  for (const e of timeline.events) if (e.applied) holding.set(e.type, e);
  const milestoneLink = (e: TimelineView['events'][number], mode: 'correct' | 'withdraw') =>
    html`<a class="utrecht-link koers-inline" href="${href(`/journeys/${journeyId}/milestones?${new URLSearchParams({ type: e.type, mode, occurredOn: e.occurredOn })}`)}">${t(`milestone.action.${mode}`)}</a>`;
  if (timeline.events.length === 0) return html`<h2 class="utrecht-heading-2">${t('journey.timeline')}</h2><p class="utrecht-paragraph">${t('journey.noEvents')}</p>`;
  return html`<div class="koers-table-wrap"><table class="utrecht-table" id="events">
    <caption class="utrecht-table__caption"><span class="utrecht-heading-2">${t('journey.timeline')}</span></caption>
    <thead class="utrecht-table__header"><tr class="utrecht-table__row">
      <th class="utrecht-table__header-cell" scope="col">${t('journey.event')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('journey.occurredOn')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('journey.reportedBy')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('journey.document')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('journey.receivedAt')}</th>
      ${mayCorrect ? html`<th class="utrecht-table__header-cell" scope="col">${t('task.actions')}</th>` : ''}
    </tr></thead>
    <tbody class="utrecht-table__body">${timeline.events.map((e, index) => {
      const replacedBy = replaced.get(index);
      const holds = holding.get(e.type) === e && !e.withdrawn && isEventType(e.type);
      const document = documentOf(e.source);
      return html`<tr class="utrecht-table__row${replacedBy !== undefined ? ' koers-row--replaced' : ''}" data-event-type="${e.type}"${replacedBy !== undefined ? html` data-replaced="true"` : ''}${e.withdrawn ? html` data-withdrawn="true"` : ''}>
        <td class="utrecht-table__cell">${eventName(t, lang, e, e.type === JOURNEY_ENDED_EVENT && !e.withdrawn ? endReasonOf(timeline.events, index, current.endReason) : undefined)}${dateChanges(timeline.events, index, current).map(
          (c) => html`<br><span class="koers-note" data-change="${c.field}">${t('journey.dateChanged', { field: t(`person.${c.field}`), from: formatDate(lang, c.from), to: c.to ? formatDate(lang, c.to) : '—' })}</span>`,
        )}${(e as { note?: string }).note ? html`<br><span class="koers-note" data-note>${t('journey.note', { note: (e as { note?: string }).note ?? '' })}</span>` : ''}
          ${replacedBy !== undefined ? (replacedBy.withdrawn ? html` ${statusBadge(t, 'waived', t('journey.withdrawnOn', { date: formatDate(lang, replacedBy.receivedAt.slice(0, 10)) }))}` : html` ${statusBadge(t, 'waived', t('status.replaced'))} <span class="koers-note">${t('journey.replacedBy', { date: formatDate(lang, replacedBy.occurredOn) })}</span>`) : ''}
          ${e.correction && !e.withdrawn && replacedBy === undefined && e.applied && [...replaced.keys()].some((i) => timeline.events[i]!.type === e.type) ? html` ${statusBadge(t, 'met', t('journey.holds'))}` : ''}</td>
        <td class="utrecht-table__cell">${replacedBy !== undefined ? html`<s>${formatDate(lang, e.occurredOn)}</s>` : formatDate(lang, e.occurredOn)}</td>
        <td class="utrecht-table__cell">${reporter(t, e)}</td>
        <td class="utrecht-table__cell">${document ? t(`option.document.${document}`) : '—'}</td>
        <td class="utrecht-table__cell">${formatDateTime(lang, e.receivedAt)}</td>
        ${mayCorrect ? html`<td class="utrecht-table__cell">${holds ? [milestoneLink(e, 'correct'), (ENDING as readonly string[]).includes(e.type) ? milestoneLink(e, 'withdraw') : ''] : ''}</td>` : ''}</tr>`;
    })}</tbody></table></div>`;
}

function instrumentsCard(web: Web, journey: JourneyView, state: ActionState): Html {
  const { t, lang } = web.ctx;
  const instruments = journey.instruments ?? [];
  const endSchema = objectSchema(EndInstrumentDoc);
  return html`<section class="koers-card" aria-labelledby="instruments-title"><h2 class="utrecht-heading-2" id="instruments-title">${t('journey.instruments')}</h2>
    ${instruments.length === 0
      ? html`<p class="utrecht-paragraph">${t('journey.noInstruments')}</p>`
      : html`<ul>${instruments.map(
          (i) => html`<li><strong>${optionLabel(t, 'instrument', i.kind)}</strong> ${statusBadge(t, i.status === 'active' ? 'running' : 'ended')} ${formatDate(lang, i.startedOn)} – ${formatDate(lang, i.endsOn)}${i.reassessBy ? html`; ${t('journey.reassessBy')} ${formatDate(lang, i.reassessBy)}` : ''}${i.extensions ? ` (${t('journey.extensions')}: ${i.extensions})` : ''}
          ${i.status === 'active' && takesCommands(journey) && mayOpen(web.session.principal, 'post', '/journeys/:journeyId/instruments/:instrumentId/end')
            ? html`<details class="koers-details"${state.command === `end:${i.instrumentId}` ? html` open` : ''}><summary>${t('action.endInstrument')}</summary>
              <form method="post" action="${href(`/journeys/${journey.journeyId}/instruments/${encodeURIComponent(i.instrumentId)}/end`)}" novalidate>${csrfField(web.ctx)}
              ${fields(t, endSchema, { idPrefix: `end-${i.instrumentId}`, values: state.command === `end:${i.instrumentId}` ? state.values : { endedOn: web.today }, errors: state.command === `end:${i.instrumentId}` ? state.errors : [] })}
              <button type="submit" class="utrecht-button utrecht-button--secondary-action">${t('action.endInstrument')}</button></form></details>`
            : ''}</li>`,
        )}</ul>`}
  </section>`;
}

/** What the page after a change says it did (`?done=`). */
const DONE = ['accepted', 'registered', 'recorded', 'corrected', 'withdrawn', 'moved', 'caseworker', 'erased', 'dates', 'brpMoved', 'brpEnded', 'endWithdrawn'];
/** A task handled from the journey's own task table comes back here (`?done=claimed`) and is confirmed too (trial finding 19). */
const TASK_DONE = ['claimed', 'unclaimed', 'reassigned'];

interface ActionState {
  /** The BSN was asked for (the "show BSN" button): only this answer shows it. */
  showBsn?: boolean;
  command?: string;
  values?: Record<string, unknown>;
  errors?: ShownError[];
  message?: Html | string;
  ok?: boolean;
  /** The end of the journey was confirmed without ticking that the BRP's fact was checked (the second step). */
  uncheckedEnd?: boolean;
}

/**
 * A command's form fields; the extension request's ground is a choice of the grounds of the
 * journey's regime (domain/extensions.ts), labelled in words, not a code to type.
 */
function commandSchema(command: Command, regime: Regime | undefined) {
  const schema = objectSchema(COMMANDS[command].schema);
  if (command !== 'extension' || !regime) return schema;
  return { ...schema, properties: { ...schema.properties, ground: { ...schema.properties.ground, enum: [...EXTENSION_GROUNDS[regime]] } } };
}

function commandForm(web: Web, journey: JourneyView, command: Command, state: ActionState): Html {
  const journeyId = journey.journeyId;
  const { t } = web.ctx;
  const spec = COMMANDS[command];
  const schema = commandSchema(command, journey.regime);
  const active = state.command === command;
  const defaults: Record<string, unknown> = command === 'ladder' ? { assessedOn: web.today } : command === 'extension' ? { requestedOn: web.today } : { startedOn: web.today };
  return html`<details class="koers-details"${active ? html` open` : ''}><summary>${t(spec.title)}</summary>
    <form method="post" action="${href(`/journeys/${journeyId}/${command}`)}" novalidate>${csrfField(web.ctx)}
    ${fields(t, schema, { idPrefix: command, values: active ? state.values : defaults, errors: active ? state.errors : [] })}
    <button type="submit" class="utrecht-button utrecht-button--primary-action">${t(spec.title)}</button></form></details>`;
}

export async function loadJourney(web: Web, journeyId: string) {
  const [journey, timeline, tasks] = await Promise.all([
    web.api.read<JourneyView>(`/v1/journeys/${journeyId}`),
    web.api.read<TimelineView>(`/v1/journeys/${journeyId}/events`),
    // All of this journey's tasks, whichever team holds them (not the first page of the key's teams' tasks).
    web.api.read<{ tasks: TaskView[] }>(`/v1/tasks/team?status=all&journeyId=${encodeURIComponent(journeyId)}&pageSize=500`),
  ]);
  return { journey, timeline, tasks: tasks.tasks };
}

async function journeyPage(web: Web, state: ActionState = {}): Promise<void> {
  const { req, res, ctx } = web;
  const { t, lang } = ctx;
  const journeyId = String(req.params.journeyId);
  // Who the person is comes from the person's own operation, which logs each reading (accountable);
  // a role it does not answer sees the journey without the person. The BSN is shown only when asked for.
  // Read beside the journey, not after it: the page waits for one round of reads, not three.
  const [{ journey, timeline, tasks }, found, colleagues] = await Promise.all([
    loadJourney(web, journeyId),
    web.api.get<Record<string, unknown>>(`/v1/journeys/${journeyId}/person`),
    loadColleagues(web),
  ]);
  const openTasks = tasks.filter((task) => task.status === 'open' || task.status === 'claimed').sort(inboxOrder);
  const doneTasks = tasks.filter((task) => task.status === 'completed').sort((a, b) => (b.completedAt ?? '').localeCompare(a.completedAt ?? ''));
  const today = journey.today ?? web.today;
  const done = typeof req.query.done === 'string' && [...DONE, ...TASK_DONE].includes(req.query.done) ? req.query.done : undefined;
  const back = req.originalUrl.replace(/([?&])(done|lang)=[a-z]+/g, '$1');
  const person = personOf({ ...(journey as unknown as Record<string, unknown>), ...(found.ok ? found.body : {}) });
  const mayRecord = mayOpen(web.session.principal, 'get', '/journeys/:journeyId/milestones');
  // The journey's commands the role may send (identity/permissions.ts PAGES): none for a reader or a privacy officer (trial finding 7).
  const commands = (['ladder', 'extension', 'instrument'] as const).filter((command) => mayOpen(web.session.principal, 'post', `/journeys/:journeyId/${command}`));
  res.status(state.message && !state.ok ? 422 : 200).type('html').send(
    page(
      { ...ctx, section: web.session.principal.role === 'admin' ? 'admin' : 'inbox' },
      t('journey.title', { id: personLabel(person, journeyId) }),
      html`<h1 class="utrecht-heading-1">${t('journey.title', { id: personLabel(person, journeyId) })}</h1>
      ${done ? alert('ok', t(TASK_DONE.includes(done) ? `task.${done}` : `done.${done}`)) : ''}
      ${state.message ? alert(state.ok ? 'ok' : 'error', state.message) : ''}
      <dl class="koers-facts koers-card" id="summary">
        ${personFacts(ctx, journeyId, person, { showBsn: state.showBsn === true })}
        <dt>${t('journey.id')}</dt><dd><code>${journeyId}</code></dd>
        <dt>${t('journey.municipality')}</dt><dd>${municipalityName(journey.municipality)}</dd>
        <dt>${t('journey.regime')}</dt><dd>${t(`regime.${journey.regime}`)}</dd>
        <dt>${t('journey.runStatus')}</dt><dd id="journey-state">${journeyStateText(t, journey.status, journey.ended)}</dd>
        <dt>${t('journey.phase')}</dt><dd>${journey.inburgeringsplicht?.status === 'not-yet' ? t('phase.not-yet') : t(`phase.${journey.phase}`)}</dd>
        <dt>${t('journey.plicht')}</dt><dd id="plicht">${plichtText(t, lang, journey.inburgeringsplicht, journey.phase)}</dd>
        <dt>${t('journey.caseworker')}</dt><dd id="caseworker">${journey.caseworker?.id ? staffName(colleagues, journey.caseworker.id) : t('journey.caseworkerUnset')}</dd>
        <dt>${t('journey.team')}</dt><dd id="team">${journey.caseworker?.role ? t(`role.${journey.caseworker.role}`) : '—'}</dd>
        <dt>${t('journey.policy')}</dt><dd>${journey.policy ? (mayOpen(web.session.principal, 'get', '/policies/:municipality') ? html`<a class="utrecht-link" href="${href(`/policies/${journey.municipality}`)}" title="${t('admin.viewPolicy')}">${municipalityName(journey.policy.id)} ${journey.policy.version}</a>` : `${municipalityName(journey.policy.id)} ${journey.policy.version}`) : '—'}</dd>
        <dt>${t('journey.today')}</dt><dd>${formatDate(lang, today)}</dd>
      </dl>
      ${journey.ended ? endedCard(web, journeyId, journey.ended, colleagues) : takesCommands(journey) ? '' : alert('info', t('journey.ended'))}
      ${await brpProposalCard(web, journeyId, journey, timeline, colleagues, state.uncheckedEnd === true)}
      <p class="utrecht-paragraph"><a class="utrecht-link" href="${href(`/journeys/${journeyId}/process`)}">${t('journey.processLink')}</a></p>
      ${awaitingInburgeringClocks(journey) ? html`<p class="utrecht-paragraph" id="awaiting-clocks">${t(journey.milestones?.duoNotifiedOn === undefined ? 'journey.awaitingDuo' : 'journey.awaitingBrp')}</p>` : ''}
      ${clockTimeline(t, journey.clocks, today, lang)}
      ${clockTable(t, lang, journey.clocks, journey.regime)}
      ${mayRecord ? suspensionLinks(t, journeyId, journey.clocks) : ''}
      ${taskTable(web, openTasks, t('journey.openTasks'), back, { showJourney: false, colleagues })}
      ${taskTable(web, doneTasks, t('journey.completedTasks'), back, { showJourney: false, actions: false })}
      ${mayRecord ? html`<p class="utrecht-paragraph"><a class="utrecht-button-link utrecht-button-link--html-a utrecht-button-link--primary-action" id="record-milestone" href="${href(`/journeys/${journeyId}/milestones`)}">${t('milestone.record')}</a></p>` : ''}
      ${eventTable(web, journeyId, timeline, mayRecord, { ...(person.permitGrantedOn ? { permitGrantedOn: person.permitGrantedOn } : {}), ...(person.birthDate ? { birthDate: person.birthDate } : {}), ...(journey.ended ? { endReason: journey.ended.reason } : {}) })}
      <div class="koers-grid">
        ${instrumentsCard(web, journey, state)}
        <section class="koers-card" aria-labelledby="ladder-title"><h2 class="utrecht-heading-2" id="ladder-title">${t('journey.ladder')}</h2>
          ${(journey.ladder ?? []).length === 0
            ? html`<p class="utrecht-paragraph">${t('journey.noLadder')}</p>`
            : html`<ul>${(journey.ladder ?? []).map((l) => html`<li>${t('journey.rung')} ${l.rung} — ${formatDate(lang, l.assessedOn)} (${l.assessedBy})</li>`)}</ul>`}
        </section>
        <section class="koers-card" aria-labelledby="amendments-title"><h2 class="utrecht-heading-2" id="amendments-title">${t('journey.amendments')}</h2>
          ${(journey.amendments ?? []).length === 0
            ? html`<p class="utrecht-paragraph">${t('journey.noAmendments')}</p>`
            : html`<ul>${(journey.amendments ?? []).map((a) => amendmentItem(t, lang, a))}</ul>`}
        </section>
        ${followUpCard(t, lang, journey, timeline, tasks)}
        ${takesCommands(journey) && commands.length > 0
          ? html`<section class="koers-card koers-actions" aria-labelledby="actions-title"><h2 class="utrecht-heading-2" id="actions-title">${t('journey.actions')}</h2>
          ${commands.map((command) => commandForm(web, journey, command, state))}
        </section>`
          : ''}
        ${adminCard(web, journey, person, state, colleagues)}
      </div>`,
    ),
  );
}

/** A refusal in the page's language (problems.ts): the journey's own reason by its code, each wrong field by its field. */
async function refusal(web: Web, journeyId: string, problem: ProblemBody): Promise<{ message: string; errors: ShownError[] }> {
  const journey = await web.api.get<JourneyView>(`/v1/journeys/${journeyId}`);
  const policy = journey.ok && journey.body.policy ? (findPolicy(journey.body.policy.id, journey.body.policy.version) ?? findPolicy(journey.body.policy.id)) : undefined;
  return problemShown(web.ctx.t, web.ctx.lang, problem, policy);
}

/**
 * The form checked here with the API's own (dated) schema first, so every wrong field is named at once
 * in the page's language; undefined when it passes.
 */
function checkForm(web: Web, schema: z.ZodType, body: Record<string, unknown>): ShownError[] | undefined {
  const parsed = schema.safeParse(body);
  return parsed.success ? undefined : zodErrors(web.ctx.t, web.ctx.lang, parsed.error);
}

/**
 * The journey page reads the read model, which the journey writes a moment after it took a command in:
 * the page the caseworker is sent to waits (briefly, up to {@link SHOWN_WITHIN_MS}) until it shows the
 * change, so they see what they just did.
 */
const SHOWN_WITHIN_MS = 2000;

/** Waits for the read model to show a change (up to {@link SHOWN_WITHIN_MS}) after `send` was accepted. */
export async function afterChange<T>(web: Web, journeyId: string, send: () => Promise<ApiAnswer<T>>): Promise<ApiAnswer<T>> {
  const read = async () => {
    const answer = await web.api.get(`/v1/journeys/${journeyId}`);
    return JSON.stringify(answer.ok ? answer.body : answer.status);
  };
  const before = await read();
  const answer = await send();
  if (answer.ok) {
    const deadline = Date.now() + SHOWN_WITHIN_MS;
    while (Date.now() < deadline && (await read()) === before) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return answer;
}

async function runCommand(web: Web, command: Command): Promise<void> {
  const { req, res, api } = web;
  const journeyId = String(req.params.journeyId);
  const schema = objectSchema(COMMANDS[command].schema);
  const body = formValues(schema, req.body ?? {});
  const values = Object.fromEntries(Object.entries(req.body ?? {}).filter(([k]) => k !== '_csrf'));
  const invalid = checkForm(web, COMMANDS[command].dated(web.today), body);
  if (invalid) return journeyPage(web, { command, values, errors: invalid, message: web.ctx.t('form.errors') });
  const answer = await afterChange(web, journeyId, () => api.post(`/v1/journeys/${journeyId}/${COMMANDS[command].path}`, body));
  if (answer.ok) return void res.redirect(303, `${href(`/journeys/${journeyId}`)}?done=accepted`);
  if (answer.status === 404 || answer.status === 403) throw new ApiError(answer.problem);
  const shown = await refusal(web, journeyId, answer.problem);
  await journeyPage(web, { command, values, errors: shown.errors, message: shown.message });
}

async function endInstrument(web: Web): Promise<void> {
  const { req, res, api } = web;
  const journeyId = String(req.params.journeyId);
  const instrumentId = String(req.params.instrumentId);
  const body = formValues(objectSchema(EndInstrumentDoc), req.body ?? {});
  const values = Object.fromEntries(Object.entries(req.body ?? {}).filter(([k]) => k !== '_csrf'));
  const invalid = checkForm(web, EndInstrumentBody(web.today), body);
  if (invalid) return journeyPage(web, { command: `end:${instrumentId}`, values, errors: invalid, message: web.ctx.t('form.errors') });
  const answer = await afterChange(web, journeyId, () => api.post(`/v1/journeys/${journeyId}/instruments/${encodeURIComponent(instrumentId)}/end`, body));
  if (answer.ok) return void res.redirect(303, `${href(`/journeys/${journeyId}`)}?done=accepted`);
  if (answer.status === 404 || answer.status === 403) throw new ApiError(answer.problem);
  const shown = await refusal(web, journeyId, answer.problem);
  await journeyPage(web, { command: `end:${instrumentId}`, values, errors: shown.errors, message: shown.message });
}

async function runAdminAction(web: Web, action: AdminAction): Promise<void> {
  const { req, res, api } = web;
  const journeyId = String(req.params.journeyId);
  const { municipality } = await api.read<JourneyView>(`/v1/journeys/${journeyId}`);
  // After an erasure the journey is gone: nothing to wait for, nowhere to go back to.
  const answer = action === 'erase' ? await sendAdminAction(web, action, journeyId, municipality) : await afterChange(web, journeyId, () => sendAdminAction(web, action, journeyId, municipality));
  if (answer.ok) return void res.redirect(303, action === 'erase' ? `${href('/search')}?done=erased` : `${href(`/journeys/${journeyId}`)}?done=${action === 'dates' ? 'dates' : action === 'move' ? 'moved' : 'caseworker'}`);
  if (answer.status === 404) throw new ApiError(answer.problem);
  const values = Object.fromEntries(Object.entries(req.body ?? {}).filter(([k]) => k !== '_csrf'));
  const other = answer.problem as { journeyId?: unknown; municipality?: unknown };
  if (action === 'move' && answer.status === 409 && typeof other.journeyId === 'string' && other.journeyId !== journeyId) {
    // The person already has a journey there ("One person, one journey per municipality"): name it and link to it (trial finding 12).
    const found = await api.get<Record<string, unknown>>(`/v1/journeys/${encodeURIComponent(other.journeyId)}/person`);
    const person = personOf(found.ok ? found.body : {});
    const where = municipalityName(typeof other.municipality === 'string' ? other.municipality : String(req.body?.municipality ?? ''));
    const message = html`${web.ctx.t('journey.moveExists', { municipality: where, person: personLabel(person, other.journeyId) })} <a class="utrecht-link" id="existing-journey" href="${href(`/journeys/${other.journeyId}`)}">${web.ctx.t('journey.openOther')}</a>`;
    return journeyPage(web, { command: action, values, errors: [], message });
  }
  const shown = await refusal(web, journeyId, answer.problem);
  // A caseworker who is no colleague of the journey's municipality (staff directory) is said in the page's language.
  const errors = shown.errors.map((e) => (action === 'caseworker' && e.path === 'id' ? { ...e, message: web.ctx.t('journey.notAColleague') } : e));
  await journeyPage(web, { command: action, values, errors, message: shown.message });
}

/** The API's BrpProposal (api/schemas.ts): dates YYYY-MM-DD. */
type BrpProposalView =
  | { kind: 'move'; municipality: string; gemeentecode: string; since?: string }
  | { kind: 'end'; reason: 'deceased' | 'emigrated'; on?: string }
  | { kind: 'elsewhere'; gemeentecode: string; name?: string };

/**
 * Issue 23: what the BRP says that the journey does not yet reflect, asked now (GET
 * /v1/journeys/{id}/brp-proposal, for those who work journeys), with a confirmation where the journey
 * can take it. Nothing changes without the caseworker's click; nothing of the answer is kept. Empty for
 * a journey that ended, a role that may not ask, or a municipality without a BRP.
 */
async function brpProposalCard(
  web: Web,
  journeyId: string,
  journey: JourneyView,
  timeline: TimelineView,
  colleagues: Awaited<ReturnType<typeof loadColleagues>>,
  unchecked: boolean,
): Promise<Html | string> {
  if (!takesCommands(journey) || !web.brpMunicipalities.includes(journey.municipality)) return '';
  if (!mayOpen(web.session.principal, 'post', '/journeys/:journeyId/brp-proposal')) return '';
  const { t, lang } = web.ctx;
  const answer = await web.api.get<{ proposal?: BrpProposalView }>(`/v1/journeys/${journeyId}/brp-proposal`);
  if (!answer.ok) return answer.status >= 500 ? alert('warning', t('brp.proposal.unavailable')) : '';
  const proposal = answer.body.proposal;
  if (!proposal) return '';
  const body =
    proposal.kind === 'move'
      ? html`<p class="utrecht-paragraph">${t('brp.proposal.move', { municipality: municipalityName(proposal.municipality), since: proposal.since ? t('brp.proposal.since', { date: formatDate(lang, proposal.since) }) : '' })}</p>
        <form method="post" action="${href(`/journeys/${journeyId}/brp-proposal`)}">${csrfField(web.ctx)}
          <input type="hidden" name="kind" value="move"><input type="hidden" name="municipality" value="${proposal.municipality}">
          <button type="submit" id="brp-confirm" class="utrecht-button utrecht-button--primary-action">${t('brp.proposal.confirmMove')}</button>
        </form>`
      : proposal.kind === 'end'
        ? endProposal(web, journeyId, proposal, withdrawnEndFor(timeline.events, proposal), colleagues, unchecked)
        : html`<p class="utrecht-paragraph">${t('brp.proposal.elsewhere', { name: proposal.name ?? '—', code: proposal.gemeentecode })}</p>`;
  return html`<section class="koers-card" id="brp-proposal" data-kind="${proposal.kind}" aria-labelledby="brp-proposal-title"><h2 class="utrecht-heading-2" id="brp-proposal-title">${t('brp.proposal.title')}</h2>${body}</section>`;
}

/**
 * An end of the journey for this BRP fact (the same reason and day) that an administrator withdrew before:
 * the latest withdrawal's day (YYYY-MM-DD), who (a staff id) and why. Undefined when there was none.
 */
export function withdrawnEndFor(events: TimelineView['events'], fact: { reason: string; on?: string }): { on: string; by?: string; reason?: string } | undefined {
  const same = events.filter((e) => {
    const ended = e.type === JOURNEY_ENDED_EVENT && e.withdrawn ? (e.replaced?.ended as { reason?: string; on?: string } | undefined) : undefined;
    return ended?.reason === fact.reason && ended.on === fact.on;
  });
  const last = same.at(-1);
  return last && { on: last.receivedAt.slice(0, 10), ...(last.actor ? { by: last.actor.name } : {}), ...(last.reason ? { reason: last.reason } : {}) };
}

/**
 * The BRP's death or emigration as a proposal. Confirming it takes two steps (finding 4 of the second
 * trial): the caseworker ticks that they checked it, then confirms; the API still asks the BRP again. An
 * end for the same fact that was withdrawn before is said first, by whom, when and why: the BRP may not
 * have been corrected yet (docs/chain.md, "Proposals").
 */
function endProposal(
  web: Web,
  journeyId: string,
  proposal: Extract<BrpProposalView, { kind: 'end' }>,
  withdrawn: ReturnType<typeof withdrawnEndFor>,
  colleagues: Awaited<ReturnType<typeof loadColleagues>>,
  unchecked: boolean,
): Html {
  const { t, lang } = web.ctx;
  const notice = withdrawn
    ? alert('warning', t('brp.proposal.withdrawnBefore', { by: withdrawn.by ? staffName(colleagues, withdrawn.by) : '—', date: formatDate(lang, withdrawn.on), reason: withdrawn.reason ?? '—' }))
    : '';
  return html`<p class="utrecht-paragraph">${t(`brp.proposal.end.${proposal.reason}`, { on: proposal.on ? t('brp.proposal.on', { date: formatDate(lang, proposal.on) }) : '' })}</p>
    <div id="brp-withdrawn-before">${notice}</div>
    <p class="utrecht-paragraph">${t('brp.proposal.endConfirmIntro')}</p>
    <form method="post" action="${href(`/journeys/${journeyId}/brp-proposal`)}">${csrfField(web.ctx)}
      <input type="hidden" name="kind" value="end"><input type="hidden" name="reason" value="${proposal.reason}">
      <div class="utrecht-form-field utrecht-form-field--checkbox${unchecked ? ' utrecht-form-field--invalid' : ''}">
        <div class="utrecht-form-field__input"><input class="utrecht-checkbox utrecht-checkbox--html-input" type="checkbox" id="brp-checked" name="checked" value="yes" required${unchecked ? html` aria-invalid="true" aria-describedby="brp-checked-error"` : ''}></div>
        <div class="utrecht-form-field__label"><label class="utrecht-form-label" for="brp-checked">${t(withdrawn ? 'brp.proposal.checkedAgain' : 'brp.proposal.checked')}</label></div>
        ${unchecked ? html`<p class="utrecht-form-field-error-message" id="brp-checked-error">${t('brp.proposal.uncheckedError')}</p>` : ''}
      </div>
      <button type="submit" id="brp-confirm" class="utrecht-button utrecht-button--primary-action">${t('brp.proposal.confirmEnd')}</button>
    </form>`;
}

/**
 * A journey that ended for a reason (the BRP's death or emigration): what, when, and who confirmed it; for
 * an administrator, the withdrawal of an end confirmed by mistake (`POST /v1/journeys/{id}/end-withdrawal`).
 */
function endedCard(web: Web, journeyId: string, ended: NonNullable<JourneyView['ended']>, colleagues: Awaited<ReturnType<typeof loadColleagues>>): Html {
  const { t, lang } = web.ctx;
  const on = ended.on ? t('brp.proposal.on', { date: formatDate(lang, ended.on) }) : '';
  const withdraw = mayOpen(web.session.principal, 'post', '/journeys/:journeyId/end-withdrawal')
    ? html`<form method="post" action="${href(`/journeys/${journeyId}/end-withdrawal`)}">${csrfField(web.ctx)}
        <p class="utrecht-paragraph">${t('journey.end.withdrawIntro')}</p>
        <div class="utrecht-form-field"><div class="utrecht-form-field__label"><label class="utrecht-form-label" for="end-withdrawal-reason">${t('journey.end.withdrawReason')}</label></div>
        <div class="utrecht-form-field__input"><textarea class="utrecht-textarea utrecht-textarea--html-textarea" id="end-withdrawal-reason" name="reason" rows="2" maxlength="500" required></textarea></div></div>
        <button type="submit" id="end-withdraw" class="utrecht-button utrecht-button--secondary-action">${t('journey.end.withdraw')}</button></form>`
    : '';
  return html`<section class="koers-card" id="journey-ended" data-reason="${ended.reason}" aria-labelledby="journey-ended-title"><h2 class="utrecht-heading-2" id="journey-ended-title">${t('journey.end.title')}</h2>
    <p class="utrecht-paragraph">${t(`journey.end.${ended.reason}`, { on })}</p>
    <p class="utrecht-paragraph">${t('journey.end.confirmed', { by: staffName(colleagues, ended.confirmedBy), date: formatDate(lang, ended.confirmedOn) })}</p>${withdraw}</section>`;
}

/** An administrator withdraws an end confirmed by mistake; the journey runs again (the API's operation decides). */
async function withdrawEnd(web: Web): Promise<void> {
  const { req, res, api } = web;
  const journeyId = String(req.params.journeyId);
  const reason = typeof (req.body as Record<string, unknown>)?.reason === 'string' ? String((req.body as Record<string, unknown>).reason) : '';
  const answer = await afterChange(web, journeyId, () => api.post(`/v1/journeys/${journeyId}/end-withdrawal`, { reason }));
  if (answer.ok) return void res.redirect(303, `${href(`/journeys/${journeyId}`)}?done=endWithdrawn`);
  if (answer.status === 404) throw new ApiError(answer.problem);
  const shown = await refusal(web, journeyId, answer.problem);
  await journeyPage(web, { message: shown.message });
}

/** The caseworker confirms the BRP's proposal: the API asks the BRP again and applies it only if it still says so. */
async function confirmBrpProposal(web: Web): Promise<void> {
  const { req, res, api } = web;
  const journeyId = String(req.params.journeyId);
  const body = req.body as Record<string, unknown>;
  // The second step of an end: without the tick nothing is sent (the page says why).
  if (body.kind === 'end' && body.checked !== 'yes') return void (await journeyPage(web, { uncheckedEnd: true, message: web.ctx.t('brp.proposal.uncheckedError') }));
  const confirmation = body.kind === 'move' ? { kind: 'move', municipality: body.municipality } : { kind: body.kind, reason: body.reason };
  const answer = await afterChange(web, journeyId, () => api.post(`/v1/journeys/${journeyId}/brp-proposal/confirmation`, confirmation));
  if (answer.ok) {
    if (body.kind === 'end') return void res.redirect(303, `${href(`/journeys/${journeyId}`)}?done=brpEnded`);
    // Handed over to a municipality the caseworker does not work for: the journey is out of their sight now.
    const principal = web.session.principal;
    const stillVisible = principal.role === 'admin' || principal.municipalities.includes(String(body.municipality));
    return void res.redirect(303, stillVisible ? `${href(`/journeys/${journeyId}`)}?done=brpMoved` : `${href('/inbox')}?done=brpMoved`);
  }
  if (answer.status === 404) throw new ApiError(answer.problem);
  const shown = await refusal(web, journeyId, answer.problem);
  await journeyPage(web, { message: shown.message });
}

export function journeyRoutes(): WebRoute[] {
  return [
    { method: 'get', path: '/journeys/:journeyId', handler: (web) => journeyPage(web) },
    { method: 'post', path: '/journeys/:journeyId/bsn', handler: (web) => journeyPage(web, { showBsn: true }) },
    ...ADMIN_ACTIONS.map((action): WebRoute => ({ method: 'post', path: `/journeys/:journeyId/${action}`, handler: (web) => runAdminAction(web, action) })),
    { method: 'post', path: '/journeys/:journeyId/ladder', handler: (web) => runCommand(web, 'ladder') },
    { method: 'post', path: '/journeys/:journeyId/extension', handler: (web) => runCommand(web, 'extension') },
    { method: 'post', path: '/journeys/:journeyId/instrument', handler: (web) => runCommand(web, 'instrument') },
    { method: 'post', path: '/journeys/:journeyId/instruments/:instrumentId/end', handler: endInstrument },
    { method: 'post', path: '/journeys/:journeyId/brp-proposal', handler: confirmBrpProposal },
    { method: 'post', path: '/journeys/:journeyId/end-withdrawal', handler: withdrawEnd },
  ];
}
