/**
 * The caseworker's inbox: my tasks and my team's, overdue first then by due date, with claim,
 * unclaim, reassign and complete (the task's own form). Filters live in the URL; the page title
 * starts with the number of overdue tasks.
 */
import type { z } from 'zod';
import { dayNumber } from '../../domain/dates';
import { taskForms, taskFormsOn } from '../../domain/task-forms';
import type { Task } from '../../api/schemas';
import { TASK_KINDS, TASK_STATUSES } from '../../api/schemas';
import type { Web, WebRoute } from '../app';
import { fieldLabel, fields, formValues, objectSchema, optionLabel } from '../forms';
import { formatDate, formatDateTime, formatNumber, municipalityName } from '../format';
import { html, type Html } from '../html';
import { alert, csrfField, href, page, statusBadge, type PageContext } from '../layout';
import type { Lang, Translate } from '../messages';
import { problemShown, zodErrors, type ShownError } from '../problems';
import { may } from '../../identity/permissions';
import { notificationsCard } from './notifications';

type TaskView = z.output<typeof Task>;

const FLASH = ['claimed', 'unclaimed', 'reassigned', 'completed'] as const;

/** Overdue first, then by due date, then by follow-up date: what needs doing first comes first. */
export function inboxOrder(a: TaskView, b: TaskView): number {
  return Number(b.overdue) - Number(a.overdue) || a.dueDate.localeCompare(b.dueDate) || a.followUpDate.localeCompare(b.followUpDate) || a.taskId.localeCompare(b.taskId);
}

export function daysLeft(t: Translate, today: string, dueDate: string, lang: Lang = 'nl'): string {
  const days = dayNumber(dueDate) - dayNumber(today);
  return days < 0 ? t('task.daysLate', { days: formatNumber(lang, -days) }) : t('task.daysToGo', { days: formatNumber(lang, days) });
}

/** Who each journey is about, as the inbox shows it: the municipality's reference and the name where known. */
export type People = Map<string, string>;

/** How many journeys' persons one inbox page looks up (the rows beyond show the journey's short id). */
const PEOPLE_PER_PAGE = 60;

/**
 * The persons of the tasks' journeys (GET /v1/journeys/{id}/person, which logs each reading), a few at
 * a time. A journey registered before the reference was kept, or one the lookup fails for, is left out.
 */
export async function peopleOf(web: Web, tasks: TaskView[]): Promise<People> {
  const ids = [...new Set(tasks.map((task) => task.journeyId))].slice(0, PEOPLE_PER_PAGE);
  const people: People = new Map();
  for (let i = 0; i < ids.length; i += 8) {
    await Promise.all(
      ids.slice(i, i + 8).map(async (id) => {
        const answer = await web.api.get<{ personRef?: string; name?: string }>(`/v1/journeys/${encodeURIComponent(id)}/person`);
        if (!answer.ok) return;
        const shown = [answer.body.personRef, answer.body.name].filter(Boolean).join(' — ');
        if (shown) people.set(id, shown);
      }),
    );
  }
  return people;
}

/** Who a task is about: the person's reference (and name) when known, else the journey's short id. */
const personOf = (task: TaskView, people?: People): string => people?.get(task.journeyId) ?? `${task.journeyId.slice(0, 12)}…`;

interface Filters {
  kind?: string;
  status?: string;
  journey?: string;
  dueBefore?: string;
}

function readFilters(query: Record<string, unknown>): Filters {
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  const kind = text(query.kind);
  const status = text(query.status);
  const dueBefore = text(query.dueBefore);
  const journey = text(query.journey);
  return {
    ...(kind && (TASK_KINDS as readonly string[]).includes(kind) ? { kind } : {}),
    ...(status && [...TASK_STATUSES, 'all'].includes(status) ? { status } : {}),
    ...(dueBefore && /^\d{4}-\d{2}-\d{2}$/.test(dueBefore) ? { dueBefore } : {}),
    ...(journey && /^[A-Za-z0-9_-]{1,64}$/.test(journey) ? { journey } : {}),
  };
}

/**
 * A task's actions: the one that moves it on (claim an open task, complete my own) as a button in the
 * row, the others (hand back, reassign) in a menu that opens in place (a native <details>, so it works
 * with the keyboard and a screen reader, without a script). One row a line, however many actions.
 */
function taskActions(web: Web, task: TaskView, back: string, options: { menu?: boolean } = {}): Html {
  const { ctx, session } = web;
  const me = session.principal.name;
  const mayReassign = may(session.principal, 'reassignAnyTask') || task.assignee === me;
  const action = (verb: string, label: string, primary = false) =>
    html`<form method="post" action="${href(`/tasks/${encodeURIComponent(task.taskId)}/${verb}`)}" class="koers-inline">${csrfField(ctx)}<input type="hidden" name="back" value="${back}"><button type="submit" class="utrecht-button utrecht-button--${primary ? 'primary' : 'secondary'}-action">${label}</button></form>`;
  if (task.status === 'completed' || task.status === 'cancelled') return html``;
  const reassignId = `reassign-${task.taskId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const main = html`${task.status === 'open' ? action('claim', ctx.t('task.claim'), true) : ''}
    ${task.assignee === me ? html`<a class="utrecht-button-link utrecht-button-link--html-a utrecht-button-link--primary-action koers-inline" href="${href(`/tasks/${encodeURIComponent(task.taskId)}`)}">${ctx.t('task.complete')}</a>` : ''}`;
  const more = html`${task.assignee === me ? action('unclaim', ctx.t('task.unclaim')) : ''}
    ${mayReassign
      ? html`<form method="post" action="${href(`/tasks/${encodeURIComponent(task.taskId)}/reassign`)}" class="koers-inline">${csrfField(ctx)}<input type="hidden" name="back" value="${back}">
        <label class="utrecht-form-label" for="${reassignId}">${ctx.t('task.reassign')}</label>
        <input class="utrecht-textbox utrecht-textbox--html-input koers-input--short" id="${reassignId}" name="assignee" required maxlength="128">
        <button type="submit" class="utrecht-button utrecht-button--secondary-action">${ctx.t('task.reassignSubmit')}</button></form>`
      : ''}`;
  if (!(options.menu ?? true) || (task.assignee !== me && !mayReassign)) return html`${main}${more}`;
  return html`<div class="koers-actions-cell">${main}<details class="koers-menu"><summary>${ctx.t('task.actions')}<span class="koers-visually-hidden"> — ${ctx.t('inbox.actionsFor', { kind: ctx.t(`kind.${task.kind}`) })}</span></summary><div class="koers-menu__items">${more}</div></details></div>`;
}

export function taskTable(web: Web, tasks: TaskView[], caption: string, back: string, options: { showJourney?: boolean; actions?: boolean; people?: People } = {}): Html {
  const { ctx, today } = web;
  const { t, lang } = ctx;
  const showJourney = options.showJourney ?? true;
  const actions = options.actions ?? true;
  if (tasks.length === 0) return html`<h2 class="utrecht-heading-2">${caption}</h2><p class="utrecht-paragraph">${t('inbox.empty')}</p>`;
  return html`<div class="koers-table-wrap"><table class="utrecht-table koers-table--compact">
    <caption class="utrecht-table__caption"><span class="utrecht-heading-2">${caption}</span></caption>
    <thead class="utrecht-table__header"><tr class="utrecht-table__row">
      <th class="utrecht-table__header-cell" scope="col">${t('task.kind')}</th>
      ${showJourney ? html`<th class="utrecht-table__header-cell" scope="col">${t('inbox.person')}</th><th class="utrecht-table__header-cell" scope="col">${t('journey.municipality')}</th>` : ''}
      ${showJourney ? '' : html`<th class="utrecht-table__header-cell" scope="col">${t('task.clock')}</th>`}
      <th class="utrecht-table__header-cell" scope="col">${t('task.followUp')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('task.due')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('task.daysLeft')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('task.status')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('task.assignee')}</th>
      ${actions ? html`<th class="utrecht-table__header-cell" scope="col">${t('task.actions')}</th>` : ''}
    </tr></thead>
    <tbody class="utrecht-table__body">
    ${tasks.map(
      (task) => html`<tr class="utrecht-table__row${task.overdue ? ' koers-row--overdue' : ''}" data-task-id="${task.taskId}">
        <td class="utrecht-table__cell"><a class="utrecht-link" href="${href(`/tasks/${encodeURIComponent(task.taskId)}`)}">${t(`kind.${task.kind}`)}</a></td>
        ${showJourney ? html`<td class="utrecht-table__cell"><a class="utrecht-link" href="${href(`/journeys/${task.journeyId}`)}">${personOf(task, options.people)}</a></td><td class="utrecht-table__cell">${municipalityName(task.municipality)}</td>` : ''}
        ${showJourney ? '' : html`<td class="utrecht-table__cell">${task.clock ? t(`clock.${task.clock}`) : '—'}</td>`}
        <td class="utrecht-table__cell koers-nowrap">${formatDate(lang, task.followUpDate, 'short')}</td>
        <td class="utrecht-table__cell koers-nowrap">${formatDate(lang, task.dueDate, 'short')}</td>
        <td class="utrecht-table__cell koers-nowrap">${task.status === 'open' || task.status === 'claimed' ? daysLeft(t, today, task.dueDate, lang) : '—'}</td>
        <td class="utrecht-table__cell">${task.overdue ? statusBadge(t, 'overdue', t('task.overdue')) : statusBadge(t, task.status, t(`taskStatus.${task.status}`))}</td>
        <td class="utrecht-table__cell">${task.assignee ?? '—'}</td>
        ${actions ? html`<td class="utrecht-table__cell">${taskActions(web, task, back)}</td>` : ''}
      </tr>`,
    )}
    </tbody></table></div>`;
}

function filterForm(ctx: PageContext, filters: Filters): Html {
  const t = ctx.t;
  return html`<form method="get" action="${href('/inbox')}" class="koers-filters" aria-label="${t('inbox.filters')}">
    <div class="utrecht-form-field"><div class="utrecht-form-field__label"><label class="utrecht-form-label" for="f-kind">${t('inbox.filter.kind')}</label></div>
      <div class="utrecht-form-field__input"><select class="utrecht-select utrecht-select--html-select" id="f-kind" name="kind"><option value="">${t('inbox.filter.any')}</option>
      ${TASK_KINDS.map((k) => html`<option value="${k}"${filters.kind === k ? html` selected` : ''}>${t(`kind.${k}`)}</option>`)}</select></div></div>
    <div class="utrecht-form-field"><div class="utrecht-form-field__label"><label class="utrecht-form-label" for="f-status">${t('inbox.filter.status')}</label></div>
      <div class="utrecht-form-field__input"><select class="utrecht-select utrecht-select--html-select" id="f-status" name="status"><option value="">${t('inbox.filter.any')}</option>
      ${[...TASK_STATUSES, 'all'].map((s) => html`<option value="${s}"${filters.status === s ? html` selected` : ''}>${t(`taskStatus.${s}`)}</option>`)}</select></div></div>
    <div class="utrecht-form-field"><div class="utrecht-form-field__label"><label class="utrecht-form-label" for="f-journey">${t('inbox.filter.journey')}</label></div>
      <div class="utrecht-form-field__input"><input class="utrecht-textbox utrecht-textbox--html-input" id="f-journey" name="journey" value="${filters.journey ?? ''}"></div></div>
    <div class="utrecht-form-field"><div class="utrecht-form-field__label"><label class="utrecht-form-label" for="f-due">${t('inbox.filter.dueBefore')}</label></div>
      <div class="utrecht-form-field__input"><input class="utrecht-textbox utrecht-textbox--html-input" type="date" id="f-due" name="dueBefore" value="${filters.dueBefore ?? ''}"></div></div>
    <button type="submit" class="utrecht-button utrecht-button--secondary-action">${t('inbox.filter.apply')}</button>
  </form>`;
}

async function inbox(web: Web): Promise<void> {
  const { req, res, api, ctx } = web;
  const filters = readFilters(req.query as Record<string, unknown>);
  const query = new URLSearchParams({ pageSize: '500', ...(filters.kind ? { kind: filters.kind } : {}), ...(filters.status ? { status: filters.status } : {}), ...(filters.dueBefore ? { dueBefore: filters.dueBefore } : {}) });
  const [mine, team] = await Promise.all([
    api.read<{ tasks: TaskView[] }>(`/v1/tasks/mine?${query}`),
    api.read<{ tasks: TaskView[] }>(`/v1/tasks/team?${query}`),
  ]);
  const keep = (task: TaskView) => !filters.journey || task.journeyId === filters.journey;
  const myTasks = mine.tasks.filter(keep).sort(inboxOrder);
  const mineIds = new Set(myTasks.map((task) => task.taskId));
  const teamTasks = team.tasks.filter((task) => keep(task) && !mineIds.has(task.taskId)).sort(inboxOrder);
  // Mine and the team's counted apart: a caseworker answers for the first, a team lead watches the second.
  const myOverdue = myTasks.filter((task) => task.overdue).length;
  const teamOverdue = teamTasks.filter((task) => task.overdue).length;
  const overdue = myOverdue + teamOverdue;
  const people = await peopleOf(web, [...myTasks, ...teamTasks]);
  const flash = typeof req.query.done === 'string' && (FLASH as readonly string[]).includes(req.query.done) ? req.query.done : undefined;
  const back = req.originalUrl.replace(/([?&])(done|lang)=[a-z]+/g, '$1');
  const title = overdue > 0 ? ctx.t('inbox.titleOverdue', { count: overdue }) : ctx.t('inbox.title');
  res.type('html').send(
    page(
      { ...ctx, section: 'inbox' },
      title,
      html`<h1 class="utrecht-heading-1">${ctx.t('inbox.title')}</h1>
      ${flash ? alert('ok', ctx.t(`task.${flash}`)) : ''}
      ${overdue > 0 ? alert('warning', html`<span id="my-overdue">${ctx.t('inbox.myOverdue', { count: myOverdue })}</span> · <span id="team-overdue">${ctx.t('inbox.teamOverdue', { count: teamOverdue })}</span>`) : ''}
      ${filterForm(ctx, filters)}
      ${taskTable(web, myTasks, ctx.t('inbox.mine'), back, { people })}
      ${taskTable(web, teamTasks, ctx.t('inbox.team'), back, { people })}
      ${await notificationsCard(web)}`,
    ),
  );
}

const safeBack = (back: unknown): string => (typeof back === 'string' && /^\/app\/[A-Za-z0-9/_:.?=&%-]*$/.test(back) ? back : href('/inbox'));
const withDone = (back: string, done: string) => `${back}${back.includes('?') ? '&' : '?'}done=${done}`;

async function taskCommand(web: Web, verb: 'claim' | 'unclaim' | 'reassign'): Promise<void> {
  const { req, res, api, ctx } = web;
  const taskId = String(req.params.taskId);
  const body = verb === 'reassign' ? { assignee: String(req.body?.assignee ?? '') } : undefined;
  const answer = await api.post(`/v1/tasks/${encodeURIComponent(taskId)}/${verb}`, body);
  const back = safeBack(req.body?.back);
  if (answer.ok) {
    res.redirect(303, withDone(back, verb === 'claim' ? 'claimed' : verb === 'unclaim' ? 'unclaimed' : 'reassigned'));
    return;
  }
  const shown = problemShown(ctx.t, ctx.lang, answer.problem);
  const detail = [shown.message, ...shown.errors.map((e) => e.message)].join(' ');
  res.status(answer.status).type('html').send(
    page(ctx, ctx.t('error.title'), html`<h1 class="utrecht-heading-1">${ctx.t('error.title')}</h1>${alert('error', detail)}<p class="utrecht-paragraph"><a class="utrecht-link" href="${back}">${ctx.t('nav.inbox')}</a></p>`),
  );
}

async function taskPage(web: Web, values?: Record<string, unknown>, errors?: ShownError[], message?: string): Promise<void> {
  const { req, res, api, ctx } = web;
  const taskId = String(req.params.taskId);
  const task = await api.read<TaskView>(`/v1/tasks/${encodeURIComponent(taskId)}`);
  const schema = objectSchema(taskForms[task.kind]);
  const mine = task.assignee === web.session.principal.name;
  const done = task.status === 'completed' || task.status === 'cancelled';
  const title = ctx.t(done ? 'task.viewTitle' : 'task.completeTitle', { kind: ctx.t(`kind.${task.kind}`) });
  const answers = (task as TaskView & { form?: Record<string, unknown> }).form;
  res.status(errors || message ? 422 : 200).type('html').send(
    page(
      { ...ctx, section: 'inbox' },
      title,
      html`<h1 class="utrecht-heading-1">${title}</h1>
      <dl class="koers-facts koers-card">
        <dt>${ctx.t('inbox.person')}</dt><dd><a class="utrecht-link" href="${href(`/journeys/${task.journeyId}`)}">${personOf(task, await peopleOf(web, [task]))}</a></dd>
        <dt>${ctx.t('journey.municipality')}</dt><dd>${municipalityName(task.municipality)}</dd>
        <dt>${ctx.t('task.clock')}</dt><dd>${task.clock ? ctx.t(`clock.${task.clock}`) : '—'}</dd>
        <dt>${ctx.t('task.followUp')}</dt><dd>${formatDate(ctx.lang, task.followUpDate)}</dd>
        <dt>${ctx.t('task.due')}</dt><dd>${formatDate(ctx.lang, task.dueDate)}${done ? '' : ` (${daysLeft(ctx.t, web.today, task.dueDate, ctx.lang)})`}</dd>
        <dt>${ctx.t('task.status')}</dt><dd>${task.overdue ? statusBadge(ctx.t, 'overdue', ctx.t('task.overdue')) : statusBadge(ctx.t, task.status, ctx.t(`taskStatus.${task.status}`))}</dd>
        <dt>${ctx.t('task.assignee')}</dt><dd>${task.assignee ?? '—'}</dd>
      </dl>
      ${message ? alert('error', message) : ''}
      ${task.status === 'completed' ? completedAnswers(ctx.t, ctx.lang, schema, task, answers) : ''}
      ${done ? '' : mine && task.status === 'claimed'
        ? html`<form method="post" action="${href(`/tasks/${encodeURIComponent(task.taskId)}/complete`)}" class="koers-card" novalidate>
          ${csrfField(ctx)}
          ${fields(ctx.t, schema, { idPrefix: 'form', values: values ?? { ...defaultDates(schema, web.today) }, errors: errors ?? [], pathPrefix: 'form' })}
          <button type="submit" class="utrecht-button utrecht-button--primary-action">${ctx.t('task.completeSubmit')}</button>
        </form>`
        : html`<div class="utrecht-button-group">${taskActions(web, task, href(`/tasks/${encodeURIComponent(task.taskId)}`), { menu: false })}</div>`}`,
    ),
  );
}

/** A completed task: who completed it when, and the answers of its form, each under its field's label. */
function completedAnswers(t: Translate, lang: Lang, schema: ReturnType<typeof objectSchema>, task: TaskView, answers: Record<string, unknown> | undefined): Html {
  const shown = (name: string, value: unknown): string =>
    typeof value === 'boolean'
      ? t(value ? 'yes' : 'no')
      : typeof value === 'string' && schema.properties[name]?.enum
        ? optionLabel(t, name, value)
        : typeof value === 'string' && schema.properties[name]?.format === 'date'
          ? formatDate(lang, value)
          : typeof value === 'number'
            ? formatNumber(lang, value)
            : String(value);
  return html`<section class="koers-card" aria-labelledby="answers-title" id="answers"><h2 class="utrecht-heading-2" id="answers-title">${t('task.answers')}</h2>
    <p class="utrecht-paragraph">${t('task.completedBy', { by: task.completedBy ?? '—', date: task.completedAt ? formatDateTime(lang, task.completedAt) : '—' })}</p>
    <dl class="koers-facts">${Object.entries(answers ?? {}).map(([name, value]) => html`<dt>${fieldLabel(t, name)}</dt><dd data-answer="${name}">${shown(name, value)}</dd>`)}</dl></section>`;
}

/** Required date fields start at today: the usual answer, still editable. */
function defaultDates(schema: ReturnType<typeof objectSchema>, today: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, prop] of Object.entries(schema.properties)) if (prop.format === 'date' && schema.required?.includes(name)) out[name] = today;
  return out;
}

async function completeTask(web: Web): Promise<void> {
  const { req, res, api, ctx } = web;
  const taskId = String(req.params.taskId);
  const task = await api.read<TaskView>(`/v1/tasks/${encodeURIComponent(taskId)}`);
  const schema = objectSchema(taskForms[task.kind]);
  const form = formValues(schema, req.body ?? {});
  const values = Object.fromEntries(Object.entries(req.body ?? {}).filter(([k]) => k !== '_csrf'));
  // The API's own schema of the form, dated today, checked here first: every wrong field named at once, in the page's language.
  const parsed = taskFormsOn(web.today)[task.kind].safeParse(form);
  if (!parsed.success) return taskPage(web, values, zodErrors(ctx.t, ctx.lang, parsed.error, 'form'), ctx.t('form.errors'));
  const answer = await api.post(`/v1/tasks/${encodeURIComponent(taskId)}/complete`, { form });
  if (answer.ok) {
    res.redirect(303, `${href('/inbox')}?done=completed`);
    return;
  }
  const shown = problemShown(ctx.t, ctx.lang, answer.problem);
  await taskPage(web, values, shown.errors, shown.message);
}

export function inboxRoutes(): WebRoute[] {
  return [
    { method: 'get', path: '/inbox', handler: inbox },
    { method: 'get', path: '/tasks/:taskId', handler: (web) => taskPage(web) },
    { method: 'post', path: '/tasks/:taskId/claim', handler: (web) => taskCommand(web, 'claim') },
    { method: 'post', path: '/tasks/:taskId/unclaim', handler: (web) => taskCommand(web, 'unclaim') },
    { method: 'post', path: '/tasks/:taskId/reassign', handler: (web) => taskCommand(web, 'reassign') },
    { method: 'post', path: '/tasks/:taskId/complete', handler: completeTask },
  ];
}
