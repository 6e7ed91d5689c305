/**
 * A journey: its clocks on a timeline (today marked), the event timeline (who reported what, when),
 * open and completed tasks, instruments, ladder assessments, the pinned policy and its amendments, and
 * the commands the role allows, with the journey's own answer shown when it refuses one.
 */
import type { z } from 'zod';
import { dayNumber, dayOfWeek } from '../../domain/dates';
import { EXTENSION_GROUNDS } from '../../domain/extensions';
import type { Regime } from '../../domain/types';
import type { Journey, Task, Timeline } from '../../api/schemas';
import { EndInstrumentDoc, ExtensionRequestDoc, LadderAssessmentDoc, StartInstrumentDoc } from '../../api/schemas';
import { ApiError, type ApiAnswer, type FieldError } from '../api-client';
import type { Web, WebRoute } from '../app';
import { fields, formValues, objectSchema, optionLabel } from '../forms';
import { amsterdamDateTime, html, type Html } from '../html';
import { alert, csrfField, href, page, statusBadge } from '../layout';
import type { Translate } from '../messages';
import { personFacts, personLabel, personOf } from '../person';
import type { EventType } from '../../domain/events';
import { inboxOrder, loadColleagues, staffName, taskTable } from './inbox';
import { ENDING } from './milestones';
import { ADMIN_ACTIONS, adminCard, sendAdminAction, type AdminAction } from './journey-admin';

export type JourneyView = z.output<typeof Journey>;
type TimelineView = z.output<typeof Timeline>;
type TaskView = z.output<typeof Task>;
type Clock = JourneyView['clocks'][number];

const COMMANDS = {
  ladder: { path: 'ladder-assessments', schema: LadderAssessmentDoc, title: 'action.ladder' },
  extension: { path: 'extension-requests', schema: ExtensionRequestDoc, title: 'action.extension' },
  instrument: { path: 'instruments', schema: StartInstrumentDoc, title: 'action.startInstrument' },
} as const;
type Command = keyof typeof COMMANDS;

/** The clocks as bars from start to final date, the target date ticked, today a vertical line. */
export function clockTimeline(t: Translate, clocks: Clock[], today: string): Html {
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
      <text x="${todayX.toFixed(1)}" y="${height - 4}" text-anchor="middle" fill="#b00020">${t('journey.today')} ${today}</text>
    </svg>
  </figure>`;
}

type Amendment = NonNullable<JourneyView['amendments']>[number];

/**
 * A policy change in words: a move names both municipalities and the reason typed for it; an
 * amendment names the versions and its reason. (A move recorded before its reason was kept carries a
 * generated English sentence, which is not shown.)
 */
function amendmentItem(t: Translate, a: Amendment): Html {
  const moved = a.from.id !== a.to.id;
  const reason = moved && /^moved from /.test(a.reason) ? undefined : a.reason;
  const what = moved
    ? t('journey.moved', { from: a.from.id, to: a.to.id })
    : t('journey.amended', { policy: a.from.id, from: a.from.version, to: a.to.version });
  return html`<li data-amendment="${moved ? 'move' : 'amendment'}">${a.at.slice(0, 10)}: ${what}${reason ? html` — ${reason}` : ''} (${a.amendedBy})</li>`;
}

type ExtensionRequestView = { ground?: string; requestedOn?: string; circumstanceFrom?: string; circumstanceUntil?: string; status?: string };

/**
 * Follow-up of what the municipality asked DUO for: extension requests (filed through this page) and
 * exemption requests (a missed term's review that decided to ask for one), each with its status:
 * granted once DUO's decision is recorded after the request, otherwise waiting for DUO.
 */
function followUpCard(t: Translate, journey: JourneyView, timeline: TimelineView, tasks: TaskView[]): Html {
  const applied = (type: string, from: string) => timeline.events.some((e) => e.type === type && e.applied && !withdrew(e as TimelineEntry) && e.occurredOn >= from);
  const extensions = (journey.extensionRequests ?? []) as ExtensionRequestView[];
  const exemptions = tasks
    .filter((task) => task.status === 'completed' && (task as TaskView & { form?: Record<string, unknown> }).form?.decision === 'exemption-requested')
    .map((task) => ({ requestedOn: (task.completedAt ?? '').slice(0, 10), by: task.completedBy }));
  const item = (kind: string, ground: string, requestedOn: string, granted: boolean) =>
    html`<li data-follow-up="${kind}">${t(`followUp.${kind}`)}${ground ? html` (${ground})` : ''}, ${t('followUp.requestedOn', { date: requestedOn })}: ${statusBadge(t, granted ? 'met' : 'running', t(granted ? 'followUp.granted' : 'followUp.waiting'))}</li>`;
  const items = [
    ...extensions.map((r) => item('extension', r.ground ? optionLabel(t, 'ground', r.ground) : '', r.requestedOn ?? '—', applied('nl.koers.extension.granted', r.requestedOn ?? ''))),
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
export function basisText(t: Translate, clock: Clock): string {
  const basis = clock.basis;
  if (basis === undefined) return '—';
  const anchor = t(`basis.rule.${clock.name}`, { date: longDate(t, basis.anchor.occurredOn), rule: basis.rule });
  const reported = basis.anchor.reportedBy ? ` (${t('basis.reportedBy', { by: basis.anchor.reportedBy })})` : '';
  const adjustments = basis.adjustments.map((a) => {
    const to = a.to ? longDate(t, a.to) : clock.finalDate;
    if (a.kind === 'atw') {
      return a.restDay
        ? t('basis.atw', { to, from: longDate(t, a.restDay.on), restDay: t(`restDay.${a.restDay.kind}`), source: a.source })
        : t('basis.atwShort', { to, source: a.source });
    }
    return t(`basis.${a.kind}`, { to, days: a.days, source: a.source });
  });
  return [anchor + reported, ...adjustments].join('; ');
}

function clockTable(t: Translate, clocks: Clock[]): Html {
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
        <td class="utrecht-table__cell">${c.startsOn}</td><td class="utrecht-table__cell">${c.targetDate}</td><td class="utrecht-table__cell">${c.finalDate}</td>
        <td class="utrecht-table__cell">${statusBadge(t, c.status)}</td><td class="utrecht-table__cell">${c.settledOn ?? '—'}</td>
        <td class="utrecht-table__cell koers-basis">${basisText(t, c)}</td></tr>`,
    )}</tbody></table></div>`;
}

type TimelineEntry = TimelineView['events'][number] & { reason?: string; withdrawn?: boolean; document?: string; note?: string; data?: Record<string, unknown> };

/** Who reported a fact, in words: the person's name and role, or the partner's source. */
const reporter = (t: Translate, e: TimelineEntry): string => (e.actor ? `${e.actor.name} (${t(`role.${e.actor.role}`)})` : e.source);

/** Whether a timeline entry withdrew its milestone (contract v1.2 `data.withdrawn`). */
const withdrew = (e: TimelineEntry): boolean => e.withdrawn === true || e.data?.withdrawn === true;

/**
 * The event timeline: what was reported, when, by whom and from which document; a correction says
 * why and what it replaced (the fact of that type before it), a withdrawal that the fact is gone.
 * The facts that hold now may be corrected, and an ending milestone withdrawn.
 */
function eventTable(web: Web, journeyId: string, timeline: TimelineView): Html {
  const t = web.ctx.t;
  const events = timeline.events as TimelineEntry[];
  if (events.length === 0) return html`<h2 class="utrecht-heading-2">${t('journey.timeline')}</h2><p class="utrecht-paragraph">${t('journey.noEvents')}</p>`;
  // The entry that holds per type: the last one applied (a withdrawal holds nothing).
  const holding = new Map<string, TimelineEntry>();
  for (const e of events) if (e.applied) holding.set(e.type, e);
  const milestoneLink = (e: TimelineEntry, mode: 'correct' | 'withdraw') =>
    html`<a class="utrecht-link koers-inline" href="${href(`/journeys/${journeyId}/milestones?${new URLSearchParams({ type: e.type, mode, occurredOn: e.occurredOn })}`)}">${t(`milestone.action.${mode}`)}</a>`;
  return html`<div class="koers-table-wrap"><table class="utrecht-table" id="events">
    <caption class="utrecht-table__caption"><span class="utrecht-heading-2">${t('journey.timeline')}</span></caption>
    <thead class="utrecht-table__header"><tr class="utrecht-table__row">
      <th class="utrecht-table__header-cell" scope="col">${t('journey.event')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('journey.occurredOn')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('journey.reportedBy')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('journey.document')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('journey.receivedAt')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('task.actions')}</th>
    </tr></thead>
    <tbody class="utrecht-table__body">${events.map((e, i) => {
      const replaced = e.correction ? events.slice(0, i).reverse().find((p) => p.type === e.type && p.applied) : undefined;
      const holds = holding.get(e.type) === e && !withdrew(e);
      return html`<tr class="utrecht-table__row" data-event-type="${e.type}"${withdrew(e) ? html` data-withdrawn="true"` : ''}>
        <td class="utrecht-table__cell">${t(`event.${e.type}`)}
          ${withdrew(e) ? html`<br><strong>${t('journey.withdrawn')}</strong>` : e.correction ? html`<br><strong>${t('journey.correction')}</strong>` : ''}
          ${e.correction && e.reason ? html`<br>${t('journey.correctionReason', { reason: e.reason })}` : ''}
          ${replaced ? html`<br>${t('journey.replaces', { date: replaced.occurredOn, by: reporter(t, replaced) })}` : ''}
          ${e.applied ? '' : html`<br>${statusBadge(t, 'overdue', t('journey.notApplied'))}${e.rejection ? html` ${e.rejection.reason}` : ''}`}
          ${e.note ? html`<br><span class="koers-note">${e.note}</span>` : ''}</td>
        <td class="utrecht-table__cell">${e.occurredOn}</td>
        <td class="utrecht-table__cell">${reporter(t, e)}</td>
        <td class="utrecht-table__cell">${e.document ? t(`option.document.${e.document}`) : '—'}</td>
        <td class="utrecht-table__cell">${amsterdamDateTime(e.receivedAt)}</td>
        <td class="utrecht-table__cell">${holds ? [milestoneLink(e, 'correct'), ENDING.includes(e.type as EventType) ? milestoneLink(e, 'withdraw') : ''] : ''}</td></tr>`;
    })}</tbody></table></div>`;
}

function instrumentsCard(web: Web, journey: JourneyView, state: ActionState): Html {
  const { t } = web.ctx;
  const instruments = journey.instruments ?? [];
  const endSchema = objectSchema(EndInstrumentDoc);
  return html`<section class="koers-card" aria-labelledby="instruments-title"><h2 class="utrecht-heading-2" id="instruments-title">${t('journey.instruments')}</h2>
    ${instruments.length === 0
      ? html`<p class="utrecht-paragraph">${t('journey.noInstruments')}</p>`
      : html`<ul>${instruments.map(
          (i) => html`<li><strong>${i.kind}</strong> ${statusBadge(t, i.status === 'active' ? 'running' : 'ended')} ${i.startedOn} → ${i.endsOn}${i.reassessBy ? html`; ${t('journey.reassessBy')} ${i.reassessBy}` : ''}${i.extensions ? ` (+${i.extensions})` : ''}
          ${i.status === 'active'
            ? html`<details class="koers-details"${state.command === `end:${i.instrumentId}` ? html` open` : ''}><summary>${t('action.endInstrument')}</summary>
              <form method="post" action="${href(`/journeys/${journey.journeyId}/instruments/${encodeURIComponent(i.instrumentId)}/end`)}" novalidate>${csrfField(web.ctx)}
              ${fields(t, endSchema, { idPrefix: `end-${i.instrumentId}`, values: state.command === `end:${i.instrumentId}` ? state.values : { endedOn: web.today }, errors: state.command === `end:${i.instrumentId}` ? state.errors : [] })}
              <button type="submit" class="utrecht-button utrecht-button--secondary-action">${t('action.endInstrument')}</button></form></details>`
            : ''}</li>`,
        )}</ul>`}
  </section>`;
}

/** What the page after a change says it did (`?done=`). */
const DONE = ['accepted', 'registered', 'recorded', 'corrected', 'withdrawn', 'moved', 'caseworker', 'erased', 'dates'];

interface ActionState {
  /** The BSN was asked for (the "show BSN" button): only this answer carries it. */
  showBsn?: boolean;
  command?: string;
  values?: Record<string, unknown>;
  errors?: FieldError[];
  message?: Html | string;
  ok?: boolean;
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
  const { t } = web.ctx;
  const journeyId = journey.journeyId;
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
  const t = ctx.t;
  const journeyId = String(req.params.journeyId);
  const { journey, timeline, tasks } = await loadJourney(web, journeyId);
  const openTasks = tasks.filter((task) => task.status === 'open' || task.status === 'claimed').sort(inboxOrder);
  const doneTasks = tasks.filter((task) => task.status === 'completed').sort((a, b) => (b.completedAt ?? '').localeCompare(a.completedAt ?? ''));
  const today = journey.today ?? web.today;
  const done = typeof req.query.done === 'string' && DONE.includes(req.query.done) ? req.query.done : undefined;
  const back = req.originalUrl.replace(/([?&])(done|lang)=[a-z]+/g, '$1');
  const person = personOf(journey as unknown as Record<string, unknown>);
  const admin = web.session.principal.role === 'admin';
  const colleagues = await loadColleagues(web);
  res.status(state.message && !state.ok ? 422 : 200).type('html').send(
    page(
      { ...ctx, section: web.session.principal.role === 'admin' ? 'admin' : 'inbox' },
      t('journey.title', { id: personLabel(person, journeyId) }),
      html`<h1 class="utrecht-heading-1">${t('journey.title', { id: personLabel(person, journeyId) })}</h1>
      ${done ? alert('ok', t(`done.${done}`)) : ''}
      ${state.message ? alert(state.ok ? 'ok' : 'error', state.message) : ''}
      <dl class="koers-facts koers-card" id="summary">
        ${personFacts(ctx, journeyId, person, { showBsn: state.showBsn === true })}
        <dt>${t('journey.id')}</dt><dd><code>${journeyId}</code></dd>
        <dt>${t('journey.municipality')}</dt><dd>${journey.municipality}</dd>
        <dt>${t('journey.regime')}</dt><dd>${journey.regime}</dd>
        <dt>${t('journey.phase')}</dt><dd>${t(`phase.${journey.phase}`)}</dd>
        <dt>${t('journey.caseworker')}</dt><dd>${journey.caseworker ? `${journey.caseworker.role}${journey.caseworker.id ? ` / ${staffName(colleagues, journey.caseworker.id)}` : ''}` : '—'}</dd>
        <dt>${t('journey.policy')}</dt><dd>${journey.policy ? `${journey.policy.id} v${journey.policy.version}` : '—'}</dd>
        <dt>${t('journey.today')}</dt><dd>${today}</dd>
      </dl>
      <p class="utrecht-paragraph"><a class="utrecht-link" href="${href(`/journeys/${journeyId}/process`)}">${t('journey.processLink')}</a></p>
      ${clockTimeline(t, journey.clocks, today)}
      ${clockTable(t, journey.clocks)}
      ${taskTable(web, openTasks, t('journey.openTasks'), back, { showJourney: false, colleagues })}
      ${taskTable(web, doneTasks, t('journey.completedTasks'), back, { showJourney: false, actions: false })}
      <p class="utrecht-paragraph"><a class="utrecht-button-link utrecht-button-link--html-a utrecht-button-link--primary-action" id="record-milestone" href="${href(`/journeys/${journeyId}/milestones`)}">${t('milestone.record')}</a></p>
      ${eventTable(web, journeyId, timeline)}
      <div class="koers-grid">
        ${instrumentsCard(web, journey, state)}
        <section class="koers-card" aria-labelledby="ladder-title"><h2 class="utrecht-heading-2" id="ladder-title">${t('journey.ladder')}</h2>
          ${(journey.ladder ?? []).length === 0
            ? html`<p class="utrecht-paragraph">${t('journey.noLadder')}</p>`
            : html`<ul>${(journey.ladder ?? []).map((l) => html`<li>${t('journey.rung')} ${l.rung} — ${l.assessedOn} (${l.assessedBy})</li>`)}</ul>`}
        </section>
        <section class="koers-card" aria-labelledby="amendments-title"><h2 class="utrecht-heading-2" id="amendments-title">${t('journey.amendments')}</h2>
          ${(journey.amendments ?? []).length === 0
            ? html`<p class="utrecht-paragraph">${t('journey.noAmendments')}</p>`
            : html`<ul>${(journey.amendments ?? []).map((a) => amendmentItem(t, a))}</ul>`}
        </section>
        ${followUpCard(t, journey, timeline, tasks)}
        <section class="koers-card koers-actions" aria-labelledby="actions-title"><h2 class="utrecht-heading-2" id="actions-title">${t('journey.actions')}</h2>
          ${commandForm(web, journey, 'ladder', state)}
          ${commandForm(web, journey, 'extension', state)}
          ${commandForm(web, journey, 'instrument', state)}
        </section>
        ${admin ? adminCard(web, journey, person, state, colleagues) : ''}
      </div>`,
    ),
  );
}

/** A refusal in plain words: the journey's own reason, then each wrong field. */
function refusal(t: Translate, problem: { detail?: string; title: string }): string {
  return t('action.refused', { detail: problem.detail ?? problem.title });
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
  const schema = commandSchema(command, undefined);
  const body = formValues(schema, req.body ?? {});
  const answer = await afterChange(web, journeyId, () => api.post(`/v1/journeys/${journeyId}/${COMMANDS[command].path}`, body));
  if (answer.ok) return void res.redirect(303, `${href(`/journeys/${journeyId}`)}?done=accepted`);
  if (answer.status === 404 || answer.status === 403) throw new ApiError(answer.problem);
  const values = Object.fromEntries(Object.entries(req.body ?? {}).filter(([k]) => k !== '_csrf'));
  await journeyPage(web, { command, values, errors: answer.problem.errors ?? [], message: refusal(web.ctx.t, answer.problem) });
}

async function endInstrument(web: Web): Promise<void> {
  const { req, res, api } = web;
  const journeyId = String(req.params.journeyId);
  const instrumentId = String(req.params.instrumentId);
  const body = formValues(objectSchema(EndInstrumentDoc), req.body ?? {});
  const answer = await afterChange(web, journeyId, () => api.post(`/v1/journeys/${journeyId}/instruments/${encodeURIComponent(instrumentId)}/end`, body));
  if (answer.ok) return void res.redirect(303, `${href(`/journeys/${journeyId}`)}?done=accepted`);
  const values = Object.fromEntries(Object.entries(req.body ?? {}).filter(([k]) => k !== '_csrf'));
  await journeyPage(web, { command: `end:${instrumentId}`, values, errors: answer.problem.errors ?? [], message: refusal(web.ctx.t, answer.problem) });
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
  // A caseworker who is no colleague of the journey's municipality (staff directory) is said in the page's language.
  const errors = (answer.problem.errors ?? []).map((e) => (action === 'caseworker' && e.path === 'id' ? { ...e, message: web.ctx.t('journey.notAColleague') } : e));
  await journeyPage(web, { command: action, values, errors, message: refusal(web.ctx.t, answer.problem) });
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
  ];
}
