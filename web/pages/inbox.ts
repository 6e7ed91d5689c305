/**
 * The caseworker's inbox: my tasks and my team's, overdue first then by due date, with claim,
 * unclaim, reassign (to a colleague chosen by name, on the task's page) and complete (the task's own
 * form). Filters live in the URL, the behandelaar among them; the page title starts with the number
 * of overdue tasks. A team lead (and an admin) also gets the tools to distribute the team's work:
 * checkboxes and one form to hand the selected tasks to a colleague or back to the team pool, and one
 * form for a colleague's absence (all tasks they hold), each with a reason for the tasks' history.
 */
import { endReasonOfCancellation } from '../../domain/journey-end';
import type { z } from 'zod';
import { dayNumber } from '../../domain/dates';
import { taskForms, taskFormsOn } from '../../domain/task-forms';
import type { Task, StaffMember } from '../../api/schemas';
import { TASK_KINDS, TASK_STATUSES } from '../../api/schemas';
import type { Web, WebRoute } from '../app';
import { fieldLabel, fields, formValues, objectSchema, optionLabel } from '../forms';
import { formatDate, formatDateTime, formatNumber, municipalityName } from '../format';
import { downloadRoute, exportLink, withQuery } from './exports';
import { html, type Html } from '../html';
import { alert, csrfField, href, page, statusBadge, type PageContext } from '../layout';
import type { Lang, Translate } from '../messages';
import { problemShown, zodErrors, type ShownError } from '../problems';
import { may, mayOpen } from '../../identity/permissions';
import { notificationsCard } from './notifications';
import { personsOf } from '../person';

type TaskView = z.output<typeof Task>;
type Colleague = z.output<typeof StaffMember>;

const FLASH = ['claimed', 'unclaimed', 'reassigned', 'completed', 'redistributed', 'brpMoved', 'deactivated'] as const;

/** The choice "back to the team pool" in a hand-over form: no staff id can look like it. */
const POOL = '*pool';
/** The choice "tasks nobody holds" in the behandelaar filter. */
const UNASSIGNED = '*none';

/**
 * Active colleagues the signed-in user may hand work to, by name (the staff directory); none for a
 * role that may not list them (a privacy officer sees staff ids, as before).
 */
export async function loadColleagues(web: Web): Promise<Colleague[]> {
  const answer = await web.api.get<{ staff: Colleague[] }>('/v1/staff');
  return answer.ok ? answer.body.staff : [];
}

/** A staff id as people know it: the colleague's name where the directory has it. */
export const staffName = (colleagues: readonly Colleague[], id: string | undefined): string => (id ? (colleagues.find((c) => c.id === id)?.name ?? id) : '—');

/** `<option>`s of colleagues by name, those serving `municipality` when given. */
function colleagueOptions(colleagues: readonly Colleague[], municipality?: string, selected?: string): Html[] {
  return colleagues
    .filter((c) => !municipality || c.role === 'admin' || c.municipalities.includes(municipality))
    .map((c) => html`<option value="${c.id}"${selected === c.id ? html` selected` : ''}>${c.name}</option>`);
}

/** May this session distribute the team's work (team lead) or anyone's (admin)? The permissions table says. */
const distributes = (web: Web): boolean => may(web.session.principal, 'reassignAnyTask');

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

/**
 * The persons of the tasks' journeys (web/person.ts personsOf, which logs each reading): the reference
 * and the name where known. A journey registered before the reference was kept is left out.
 */
export async function peopleOf(web: Web, tasks: TaskView[]): Promise<People> {
  const persons = await personsOf(web, tasks.map((task) => task.journeyId));
  const people: People = new Map();
  for (const [id, person] of persons) {
    const shown = [person.personRef, person.name].filter(Boolean).join(' — ');
    if (shown) people.set(id, shown);
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
  /** The behandelaar: a staff id, or UNASSIGNED. */
  assignee?: string;
}

function readFilters(query: Record<string, unknown>): Filters {
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  const kind = text(query.kind);
  const status = text(query.status);
  const dueBefore = text(query.dueBefore);
  const journey = text(query.journey);
  const assignee = text(query.assignee);
  return {
    ...(assignee && (assignee === UNASSIGNED || /^[A-Za-z0-9_.@-]{1,128}$/.test(assignee)) ? { assignee } : {}),
    ...(kind && (TASK_KINDS as readonly string[]).includes(kind) ? { kind } : {}),
    ...(status && [...TASK_STATUSES, 'all'].includes(status) ? { status } : {}),
    ...(dueBefore && /^\d{4}-\d{2}-\d{2}$/.test(dueBefore) ? { dueBefore } : {}),
    ...(journey && /^[A-Za-z0-9_-]{1,64}$/.test(journey) ? { journey } : {}),
  };
}

/**
 * A task's actions: the one that moves it on (claim an open task, complete my own) as a button in the
 * row, the others (hand back, hand over to a colleague chosen by name) in a menu that opens in place (a
 * native <details>, so it works with the keyboard and a screen reader, without a script). One row a
 * line, however many actions.
 */
function taskActions(web: Web, task: TaskView, back: string, options: { menu?: boolean; colleagues?: readonly Colleague[] } = {}): Html {
  const { ctx, session } = web;
  const me = session.principal.name;
  // Only what the role may do (identity/permissions.ts PAGES): a reader is offered no claim (trial finding 7).
  const offers = (verb: string) => mayOpen(session.principal, 'post', `/tasks/:taskId/${verb}`);
  const mayReassign = offers('reassign') && (may(session.principal, 'reassignAnyTask') || task.assignee === me);
  const action = (verb: string, label: string, primary = false) =>
    html`<form method="post" action="${href(`/tasks/${encodeURIComponent(task.taskId)}/${verb}`)}" class="koers-inline">${csrfField(ctx)}<input type="hidden" name="back" value="${back}"><button type="submit" class="utrecht-button utrecht-button--${primary ? 'primary' : 'secondary'}-action">${label}</button></form>`;
  if (task.status === 'completed' || task.status === 'cancelled') return html``;
  const reassignId = `reassign-${task.taskId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const colleagues = options.colleagues;
  const main = html`${task.status === 'open' && offers('claim') ? action('claim', ctx.t('task.claim'), true) : ''}
    ${task.assignee === me && offers('complete') ? html`<a class="utrecht-button-link utrecht-button-link--html-a utrecht-button-link--primary-action koers-inline" href="${href(`/tasks/${encodeURIComponent(task.taskId)}`)}">${ctx.t('task.complete')}</a>` : ''}`;
  const more = html`${task.assignee === me && offers('unclaim') ? action('unclaim', ctx.t('task.unclaim')) : ''}
    ${mayReassign && colleagues
      ? html`<form method="post" action="${href(`/tasks/${encodeURIComponent(task.taskId)}/reassign`)}" class="koers-inline" id="reassign">${csrfField(ctx)}<input type="hidden" name="back" value="${back}">
        <label class="utrecht-form-label" for="${reassignId}">${ctx.t('task.reassign')}</label>
        <select class="utrecht-select utrecht-select--html-select" id="${reassignId}" name="assignee" required>
          <option value="">${ctx.t('form.choose')}</option>
          ${colleagueOptions(colleagues.filter((c) => c.id !== task.assignee), task.municipality)}
        </select>
        <label class="utrecht-form-label" for="${reassignId}-reason">${ctx.t('task.reason')} <span class="utrecht-form-label__optional">${ctx.t('form.optional')}</span></label>
        <input class="utrecht-textbox utrecht-textbox--html-input" id="${reassignId}-reason" name="reason" maxlength="500">
        <button type="submit" class="utrecht-button utrecht-button--secondary-action">${ctx.t('task.reassignSubmit')}</button></form>`
      : mayReassign
        ? html`<a class="utrecht-link koers-inline" href="${href(`/tasks/${encodeURIComponent(task.taskId)}#reassign`)}">${ctx.t('task.reassignLink')}</a>`
        : ''}`;
  if (!(options.menu ?? true) || ((task.assignee !== me || !offers('unclaim')) && !mayReassign)) return html`${main}${more}`;
  return html`<div class="koers-actions-cell">${main}<details class="koers-menu"><summary>${ctx.t('task.actions')}<span class="koers-visually-hidden"> — ${ctx.t('inbox.actionsFor', { kind: ctx.t(`kind.${task.kind}`) })}</span></summary><div class="koers-menu__items">${more}</div></details></div>`;
}

/**
 * Tasks as a table. `people` names each journey's person; `colleagues` shows holders by name;
 * `selectFor` adds a checkbox per active task that belongs to the form with that id (the team lead's
 * hand-over form below the table).
 */
export function taskTable(
  web: Web,
  tasks: TaskView[],
  caption: string,
  back: string,
  options: { showJourney?: boolean; actions?: boolean; people?: People; colleagues?: readonly Colleague[]; selectFor?: string } = {},
): Html {
  const { ctx, today } = web;
  const { t, lang } = ctx;
  const showJourney = options.showJourney ?? true;
  const actions = options.actions ?? true;
  if (tasks.length === 0) return html`<h2 class="utrecht-heading-2">${caption}</h2><p class="utrecht-paragraph">${t('inbox.empty')}</p>`;
  const active = (task: TaskView) => task.status === 'open' || task.status === 'claimed';
  // ONE list of columns: each heading and its cell side by side, so a header can never drift from its cells.
  const columns: Array<TaskColumn | false> = [
    !!options.selectFor && {
      heading: t('task.select'),
      cell: (task) =>
        active(task)
          ? html`<input type="checkbox" class="utrecht-checkbox utrecht-checkbox--html-input" name="taskIds" value="${task.taskId}" form="${options.selectFor ?? ''}" aria-label="${t('task.selectOne', { kind: t(`kind.${task.kind}`), due: formatDate(lang, task.dueDate) })}">`
          : '',
    },
    {
      heading: t('task.kind'),
      wrap: true,
      cell: (task) => (mayOpen(web.session.principal, 'get', '/tasks/:taskId') ? html`<a class="utrecht-link" href="${href(`/tasks/${encodeURIComponent(task.taskId)}`)}">${t(`kind.${task.kind}`)}</a>` : t(`kind.${task.kind}`)),
    },
    // A long reference stays on one line, cut short with its whole text on hover, so a row stays one line high.
    showJourney && { heading: t('inbox.person'), cell: (task) => html`<a class="utrecht-link koers-truncate" title="${personOf(task, options.people)}" href="${href(`/journeys/${task.journeyId}`)}">${personOf(task, options.people)}</a>` },
    showJourney && { heading: t('journey.municipality'), wrap: true, cell: (task) => municipalityName(task.municipality) },
    { heading: t('task.clock'), wrap: true, cell: (task) => (task.clock ? t(`clock.${task.clock}`) : '—') },
    { heading: t('task.followUp'), cell: (task) => formatDate(lang, task.followUpDate, 'short') },
    { heading: t('task.due'), cell: (task) => formatDate(lang, task.dueDate, 'short') },
    { heading: t('task.daysLeft'), wrap: true, cell: (task) => (active(task) ? daysLeft(t, today, task.dueDate, lang) : '—') },
    { heading: t('task.status'), cell: (task) => (task.overdue ? statusBadge(t, 'overdue', t('task.overdue')) : statusBadge(t, task.status, t(`taskStatus.${task.status}`))) },
    { heading: t('task.assignee'), wrap: true, cell: (task) => staffName(options.colleagues ?? [], task.assignee) },
    actions && { heading: t('task.actions'), cell: (task) => taskActions(web, task, back, { colleagues: options.colleagues }) },
  ];
  const shown = columns.filter((c): c is TaskColumn => c !== false);
  const cellClass = (c: TaskColumn) => `utrecht-table__cell${c.wrap ? ' koers-wrap' : ''}`;
  return html`<div class="koers-table-wrap"><table class="utrecht-table koers-table--compact">
    <caption class="utrecht-table__caption"><span class="utrecht-heading-2">${caption}</span></caption>
    <thead class="utrecht-table__header"><tr class="utrecht-table__row">
      ${shown.map((c) => html`<th class="utrecht-table__header-cell${c.wrap ? ' koers-wrap' : ''}" scope="col">${c.heading}</th>`)}
    </tr></thead>
    <tbody class="utrecht-table__body">
    ${tasks.map(
      (task) => html`<tr class="utrecht-table__row${task.overdue ? ' koers-row--overdue' : ''}" data-task-id="${task.taskId}">
        ${shown.map((c) => html`<td class="${cellClass(c)}">${c.cell(task)}</td>`)}
      </tr>`,
    )}
    </tbody></table></div>`;
}

/** One column of a task table: its heading and how a task fills its cell; `wrap` lets long words break onto a second line. */
interface TaskColumn {
  heading: string;
  cell: (task: TaskView) => Html | string;
  wrap?: boolean;
}

function filterForm(ctx: PageContext, filters: Filters, holders: readonly Colleague[]): Html {
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
    <div class="utrecht-form-field"><div class="utrecht-form-field__label"><label class="utrecht-form-label" for="f-assignee">${t('inbox.filter.assignee')}</label></div>
      <div class="utrecht-form-field__input"><select class="utrecht-select utrecht-select--html-select" id="f-assignee" name="assignee"><option value="">${t('inbox.filter.any')}</option>
      <option value="${UNASSIGNED}"${filters.assignee === UNASSIGNED ? html` selected` : ''}>${t('inbox.filter.unassigned')}</option>
      ${colleagueOptions(holders, undefined, filters.assignee)}</select></div></div>
    <button type="submit" class="utrecht-button utrecht-button--secondary-action">${t('inbox.filter.apply')}</button>
  </form>`;
}

/**
 * The API query of both task lists for the page's filters: the page reads its lists with it and the
 * downloads export with it. The behandelaar narrows both: my tasks to none when it names another (or
 * the pool), the team's to theirs.
 */
function taskListQuery(query: Record<string, unknown>): URLSearchParams {
  const filters = readFilters(query);
  return new URLSearchParams({
    ...(filters.kind ? { kind: filters.kind } : {}),
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.dueBefore ? { dueBefore: filters.dueBefore } : {}),
    ...(filters.journey ? { journeyId: filters.journey } : {}),
    ...(filters.assignee === UNASSIGNED ? { assigned: 'false' } : filters.assignee ? { assignee: filters.assignee } : {}),
  });
}

/** The most rows a table of the inbox shows: the API's largest page; beyond it the filters narrow. */
const INBOX_MOST_ROWS = 500;
/**
 * Rows each of the inbox's tables shows at first; "meer taken tonen" shows this many more, up to
 * {@link INBOX_MOST_ROWS} (issue 25: 500 rows a table made a page of megabytes that took seconds to draw).
 */
export const INBOX_ROWS = 50;

/** The rows to show (`rows` in the URL): a multiple of {@link INBOX_ROWS} from it up to {@link INBOX_MOST_ROWS}. */
function shownRows(value: unknown): number {
  const n = typeof value === 'string' && /^\d{1,4}$/.test(value) ? Number(value) : INBOX_ROWS;
  return Math.min(INBOX_MOST_ROWS, Math.max(INBOX_ROWS, Math.ceil(n / INBOX_ROWS) * INBOX_ROWS));
}

/** Under a table that shows fewer than the filters find: how many of how many, and a link that shows more (or asks to narrow the filters). */
function moreRows(ctx: PageContext, url: string, shown: number, total: number, anchor: string): Html {
  if (shown >= total) return html``;
  if (shown >= INBOX_MOST_ROWS) return html`<p class="utrecht-paragraph koers-more">${ctx.t('inbox.shownOfMore', { shown, total })}</p>`;
  const next = new URL(url, 'http://x');
  next.searchParams.set('rows', String(shown + INBOX_ROWS));
  next.searchParams.delete('done');
  next.searchParams.delete('changed');
  return html`<p class="utrecht-paragraph koers-more">${ctx.t('inbox.shown', { shown, total })} <a class="utrecht-link" data-more="${anchor}" href="${`${next.pathname}${next.search}#${anchor}`}">${ctx.t('inbox.more')}</a></p>`;
}

type TaskList = { tasks: TaskView[]; counts: { total: number; overdue: number } };

async function inbox(web: Web): Promise<void> {
  const { req, res, api, ctx } = web;
  const filters = readFilters(req.query as Record<string, unknown>);
  const rows = shownRows(req.query.rows);
  const query = taskListQuery(req.query as Record<string, unknown>);
  // Only the rows shown are read; how many there are and how many are overdue the database counts (issue 25).
  query.set('pageSize', String(rows));
  query.set('counts', 'true');
  const [mine, team, colleagues] = await Promise.all([
    api.read<TaskList>(`/v1/tasks/mine?${query}`),
    // The team's table leaves out what is in mine.
    api.read<TaskList>(`/v1/tasks/team?${query}&excludeMine=true`),
    loadColleagues(web),
  ]);
  // By due date from the API, so (of active tasks) the overdue ones come first; within the page, the inbox's order.
  const myShown = [...mine.tasks].sort(inboxOrder);
  const teamShown = [...team.tasks].sort(inboxOrder);
  // Mine and the team's counted apart: a caseworker answers for the first, a team lead watches the second.
  const myOverdue = mine.counts.overdue;
  const teamOverdue = team.counts.overdue;
  const overdue = myOverdue + teamOverdue;
  const people = await peopleOf(web, [...myShown, ...teamShown]);
  const flash = typeof req.query.done === 'string' && (FLASH as readonly string[]).includes(req.query.done) ? req.query.done : undefined;
  // `*` (the pool filter) is not among the characters a `back` may have: sent encoded.
  const back = req.originalUrl.replace(/([?&])(done|lang)=[a-z]+/g, '$1').replace(/([?&])changed=\d+/g, '$1').replace(/\*/g, '%2A');
  // Whom to filter on: colleagues, and holders who are not (any more): an absent colleague's tasks must stay findable.
  const holders = [...colleagues, ...[...new Set(teamShown.flatMap((task) => (task.assignee && !colleagues.some((c) => c.id === task.assignee) ? [task.assignee] : [])))].map((id) => ({ id, name: id, role: 'caseworker' as const, municipalities: [] }))];
  if (filters.assignee && filters.assignee !== UNASSIGNED && !holders.some((h) => h.id === filters.assignee)) holders.push({ id: filters.assignee, name: filters.assignee, role: 'caseworker', municipalities: [] });
  const lead = distributes(web);
  const title = overdue > 0 ? ctx.t('inbox.titleOverdue', { count: overdue }) : ctx.t('inbox.title');
  res.type('html').send(
    page(
      { ...ctx, section: 'inbox' },
      title,
      html`<h1 class="utrecht-heading-1">${ctx.t('inbox.title')}</h1>
      ${flash ? alert('ok', ctx.t(`task.${flash}`, { count: typeof req.query.changed === 'string' ? req.query.changed : '0' })) : ''}
      ${overdue > 0 ? alert('warning', html`<span id="my-overdue">${ctx.t('inbox.myOverdue', { count: myOverdue })}</span> · <span id="team-overdue">${ctx.t('inbox.teamOverdue', { count: teamOverdue })}</span>`) : ''}
      ${filterForm(ctx, filters, holders)}
      ${exportLink(ctx, '/exports/tasks-mine.csv', { ...filters }, ctx.t('export.mine'))}${exportLink(ctx, '/exports/tasks-team.csv', { ...filters }, ctx.t('export.team'))}
      <div id="mine">${taskTable(web, myShown, ctx.t('inbox.mine'), back, { people, colleagues })}</div>
      ${moreRows(ctx, req.originalUrl, myShown.length, mine.counts.total, 'mine')}
      <div id="team">${taskTable(web, teamShown, ctx.t('inbox.team'), back, { people, colleagues, ...(lead ? { selectFor: 'redistribute' } : {}) })}</div>
      ${moreRows(ctx, req.originalUrl, teamShown.length, team.counts.total, 'team')}
      ${lead ? distributionForms(web, colleagues, holders, back) : ''}
      ${await notificationsCard(web)}`,
    ),
  );
}

/** The team lead's two hand-over forms: the selected tasks, and everything a colleague holds (absence). */
function distributionForms(web: Web, colleagues: readonly Colleague[], holders: readonly Colleague[], back: string): Html {
  const { ctx } = web;
  const t = ctx.t;
  const target = (id: string) => html`<div class="utrecht-form-field"><div class="utrecht-form-field__label"><label class="utrecht-form-label" for="${id}">${t('redistribute.to')}</label></div>
    <div class="utrecht-form-field__input"><select class="utrecht-select utrecht-select--html-select" id="${id}" name="to" required>
      <option value="">${t('form.choose')}</option><option value="${POOL}">${t('redistribute.pool')}</option>${colleagueOptions(colleagues)}</select></div></div>`;
  const reason = (id: string) => html`<div class="utrecht-form-field"><div class="utrecht-form-field__label"><label class="utrecht-form-label" for="${id}">${t('task.reason')}</label></div>
    <div class="utrecht-form-field__input"><textarea class="utrecht-textarea utrecht-textarea--html-textarea" id="${id}" name="reason" rows="2" maxlength="500" required></textarea></div></div>`;
  return html`<div class="koers-grid">
    <form method="post" action="${href('/tasks/redistribution')}" id="redistribute" class="koers-card" aria-labelledby="redistribute-title">
      <h2 class="utrecht-heading-2" id="redistribute-title">${t('redistribute.selectedTitle')}</h2>
      <p class="utrecht-paragraph">${t('redistribute.selectedIntro')}</p>
      ${csrfField(ctx)}<input type="hidden" name="back" value="${back}">
      ${target('redistribute-to')}${reason('redistribute-reason')}
      <button type="submit" class="utrecht-button utrecht-button--primary-action">${t('redistribute.selectedSubmit')}</button>
    </form>
    <form method="post" action="${href('/tasks/redistribution')}" id="absence" class="koers-card" aria-labelledby="absence-title">
      <h2 class="utrecht-heading-2" id="absence-title">${t('redistribute.absenceTitle')}</h2>
      <p class="utrecht-paragraph">${t('redistribute.absenceIntro')}</p>
      ${csrfField(ctx)}<input type="hidden" name="back" value="${back}">
      <div class="utrecht-form-field"><div class="utrecht-form-field__label"><label class="utrecht-form-label" for="absence-holder">${t('redistribute.holder')}</label></div>
        <div class="utrecht-form-field__input"><select class="utrecht-select utrecht-select--html-select" id="absence-holder" name="holder" required>
          <option value="">${t('form.choose')}</option>${colleagueOptions(holders)}</select></div></div>
      ${target('absence-to')}${reason('absence-reason')}
      <button type="submit" class="utrecht-button utrecht-button--primary-action">${t('redistribute.absenceSubmit')}</button>
    </form>
    <form method="post" action="${href('/staff/deactivation')}" id="deactivate" class="koers-card" aria-labelledby="deactivate-title">
      <h2 class="utrecht-heading-2" id="deactivate-title">${t('deactivate.title')}</h2>
      <p class="utrecht-paragraph">${t('deactivate.intro')}</p>
      ${csrfField(ctx)}<input type="hidden" name="back" value="${back}">
      <div class="utrecht-form-field"><div class="utrecht-form-field__label"><label class="utrecht-form-label" for="deactivate-who">${t('deactivate.who')}</label></div>
        <div class="utrecht-form-field__input"><select class="utrecht-select utrecht-select--html-select" id="deactivate-who" name="staffId" required>
          <option value="">${t('form.choose')}</option>${colleagueOptions(colleagues.filter((c) => c.id !== web.session.principal.name))}</select></div></div>
      ${reason('deactivate-reason')}
      <button type="submit" class="utrecht-button utrecht-button--secondary-action">${t('deactivate.submit')}</button>
    </form>
  </div>`;
}

/** POST of "Collega uitschakelen" (offboarding, issue 20 finding 8): the API checks who may; a refusal is said in the page's language. */
async function deactivate(web: Web): Promise<void> {
  const { req, res, api, ctx } = web;
  const t = ctx.t;
  const back = safeBack(req.body?.back);
  const staffId = typeof req.body?.staffId === 'string' ? req.body.staffId : '';
  const reason = typeof req.body?.reason === 'string' ? req.body.reason : '';
  // An empty or malformed choice is answered by the API as 404 (no such colleague): said as "choose a colleague".
  const answer = staffId ? await api.post<{ id: string }>(`/v1/staff/${encodeURIComponent(staffId)}/deactivation`, { reason }) : undefined;
  if (answer?.ok) return void res.redirect(303, withDone(back, 'deactivated'));
  const messages = new Set<string>();
  if (!answer || answer.status === 404) messages.add(t('deactivate.error.who'));
  for (const e of answer?.problem.errors ?? []) if (e.path === 'reason') messages.add(t('redistribute.error.reason'));
  if (messages.size === 0) messages.add(t('deactivate.error.who'));
  res.status(answer?.status ?? 422).type('html').send(
    page(
      { ...ctx, section: 'inbox' },
      t('error.title'),
      html`<h1 class="utrecht-heading-1">${t('deactivate.refusedTitle')}</h1>
      ${alert('error', [...messages].join(' '))}
      <p class="utrecht-paragraph"><a class="utrecht-link" href="${back}">${t('nav.inbox')}</a></p>`,
    ),
  );
}

interface Outcome {
  taskId: string;
  outcome: string;
  refusal?: string;
}

/** POST from either hand-over form: the API does it all or nothing; a refusal is told per task, in the page's language. */
async function redistribute(web: Web): Promise<void> {
  const { req, res, api, ctx } = web;
  const t = ctx.t;
  const back = safeBack(req.body?.back);
  const raw = req.body?.taskIds;
  const taskIds = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String);
  const holder = typeof req.body?.holder === 'string' && req.body.holder !== '' ? req.body.holder : undefined;
  const to = typeof req.body?.to === 'string' ? req.body.to : '';
  const body = {
    ...(holder ? { holder } : { taskIds }),
    ...(to === POOL ? { pool: true } : to ? { assignee: to } : {}),
    reason: typeof req.body?.reason === 'string' ? req.body.reason : '',
  };
  const answer = await api.post<{ changed: number }>('/v1/tasks/redistribution', body);
  if (answer.ok) {
    res.redirect(303, `${withDone(back, 'redistributed')}&changed=${answer.body.changed}`);
    return;
  }
  // Field by field in Dutch (or English): which choice is missing or wrong, and each refused task.
  const messages = new Set<string>();
  for (const e of answer.problem.errors ?? []) {
    const field = e.path.split('.')[0]!;
    if (field === 'taskIds' && !holder) messages.add(taskIds.length === 0 ? t('redistribute.error.noTasks') : t('redistribute.error.taskIds'));
    else if (field === 'assignee' || field === 'pool') messages.add(to ? t('redistribute.error.assignee') : t('redistribute.error.to'));
    else if (field === 'reason') messages.add(t('redistribute.error.reason'));
    else if (field === 'holder') messages.add(t('redistribute.error.holder'));
  }
  const outcomes = ((answer.problem as { outcomes?: Outcome[] }).outcomes ?? []).filter((o) => o.outcome === 'refused');
  res.status(answer.status).type('html').send(
    page(
      { ...ctx, section: 'inbox' },
      t('error.title'),
      html`<h1 class="utrecht-heading-1">${t('redistribute.refusedTitle')}</h1>
      ${alert('error', [t('redistribute.nothingDone'), ...messages].join(' '))}
      ${outcomes.length > 0
        ? html`<ul class="utrecht-unordered-list">${outcomes.map((o) => html`<li>${o.taskId}: ${t(`redistribute.refusal.${o.refusal ?? 'changed'}`)}</li>`)}</ul>`
        : ''}
      <p class="utrecht-paragraph"><a class="utrecht-link" href="${back}">${t('nav.inbox')}</a></p>`,
    ),
  );
}

const safeBack = (back: unknown): string => (typeof back === 'string' && /^\/app\/[A-Za-z0-9/_:.?=&%-]*$/.test(back) ? back : href('/inbox'));
const withDone = (back: string, done: string) => `${back}${back.includes('?') ? '&' : '?'}done=${done}`;

async function taskCommand(web: Web, verb: 'claim' | 'unclaim' | 'reassign'): Promise<void> {
  const { req, res, api, ctx } = web;
  const taskId = String(req.params.taskId);
  const reason = typeof req.body?.reason === 'string' && req.body.reason.trim() !== '' ? req.body.reason : undefined;
  const body = verb === 'reassign' ? { assignee: String(req.body?.assignee ?? ''), ...(reason ? { reason } : {}) } : undefined;
  const answer = await api.post(`/v1/tasks/${encodeURIComponent(taskId)}/${verb}`, body);
  const back = safeBack(req.body?.back);
  if (answer.ok) {
    res.redirect(303, withDone(back, verb === 'claim' ? 'claimed' : verb === 'unclaim' ? 'unclaimed' : 'reassigned'));
    return;
  }
  // A refused colleague is said in the page's language, like every other refusal (problems.ts).
  const colleagueRefused = answer.status === 422 && (answer.problem.errors ?? []).some((e) => e.path === 'assignee');
  const shown = problemShown(ctx.t, ctx.lang, answer.problem);
  const detail = colleagueRefused ? ctx.t('task.notAColleague') : [shown.message, ...shown.errors.map((e) => e.message)].join(' ');
  res.status(answer.status).type('html').send(
    page(ctx, ctx.t('error.title'), html`<h1 class="utrecht-heading-1">${ctx.t('error.title')}</h1>${alert('error', detail)}<p class="utrecht-paragraph"><a class="utrecht-link" href="${back}">${ctx.t('nav.inbox')}</a></p>`),
  );
}

async function taskPage(web: Web, values?: Record<string, unknown>, errors?: ShownError[], message?: string): Promise<void> {
  const { req, res, api, ctx } = web;
  const taskId = String(req.params.taskId);
  const [task, history, colleagues] = await Promise.all([
    api.read<TaskView>(`/v1/tasks/${encodeURIComponent(taskId)}`),
    api.read<TaskHistoryView>(`/v1/tasks/${encodeURIComponent(taskId)}/history`),
    loadColleagues(web),
  ]);
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
        <dt>${ctx.t('task.due')}</dt><dd>${formatDate(ctx.lang, task.dueDate)}${task.status === 'open' || task.status === 'claimed' ? ` (${daysLeft(ctx.t, web.today, task.dueDate, ctx.lang)})` : ''}</dd>
        <dt>${ctx.t('task.status')}</dt><dd>${task.overdue ? statusBadge(ctx.t, 'overdue', ctx.t('task.overdue')) : statusBadge(ctx.t, task.status, ctx.t(`taskStatus.${task.status}`))}</dd>
        <dt>${ctx.t('task.assignee')}</dt><dd>${staffName(colleagues, task.assignee)}</dd>
      </dl>
      ${message ? alert('error', message) : ''}
      ${task.status === 'completed' ? completedAnswers(ctx.t, ctx.lang, schema, task, answers) : ''}
      ${done ? '' : mine && task.status === 'claimed'
        ? html`<form method="post" action="${href(`/tasks/${encodeURIComponent(task.taskId)}/complete`)}" class="koers-card" novalidate>
          ${csrfField(ctx)}
          ${fields(ctx.t, schema, { idPrefix: 'form', values: values ?? {}, errors: errors ?? [], pathPrefix: 'form', hints: emptyDateHints(ctx.t, schema) })}
          <button type="submit" class="utrecht-button utrecht-button--primary-action">${ctx.t('task.completeSubmit')}</button>
        </form>`
        : ''}
      ${task.status === 'open' || task.status === 'claimed' ? html`<div class="utrecht-button-group">${taskActions(web, task, href(`/tasks/${encodeURIComponent(task.taskId)}`), { menu: false, colleagues })}</div>` : ''}
      ${historyTable(ctx.t, ctx.lang, history, colleagues)}`,
    ),
  );
}

interface TaskHistoryView {
  taskId: string;
  events: Array<{ at: string; type: string; actor?: string; from?: string; to?: string; reason?: string }>;
}

/** A task cancelled because its journey ended for a reason (domain/journey-end.ts), in the page's words; '' otherwise. */
function cancelledFor(t: Translate, e: TaskHistoryView['events'][number]): string {
  const reason = e.type === 'cancelled' ? endReasonOfCancellation(e.reason) : undefined;
  return reason ? t('task.history.journeyEnded', { reason: t(`journey.endReason.${reason}`) }) : '';
}

/** Who did what to the task and why (a hand-over's reason, a journey's end), oldest first; holders by name. */
function historyTable(t: Translate, lang: Lang, history: TaskHistoryView, colleagues: readonly Colleague[]): Html {
  return html`<div class="koers-table-wrap"><table class="utrecht-table" id="history">
    <caption class="utrecht-table__caption"><span class="utrecht-heading-2">${t('task.history')}</span></caption>
    <thead class="utrecht-table__header"><tr class="utrecht-table__row">
      <th class="utrecht-table__header-cell" scope="col">${t('task.history.at')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('task.history.what')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('task.history.by')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('task.history.change')}</th>
      <th class="utrecht-table__header-cell" scope="col">${t('task.reason')}</th>
    </tr></thead>
    <tbody class="utrecht-table__body">
    ${history.events.map(
      (e) => html`<tr class="utrecht-table__row">
        <td class="utrecht-table__cell">${formatDateTime(lang, e.at)}</td>
        <td class="utrecht-table__cell">${t(`taskEvent.${e.type}`)}</td>
        <td class="utrecht-table__cell">${e.actor ? staffName(colleagues, e.actor) : t('task.history.journey')}</td>
        <td class="utrecht-table__cell">${e.type === 'reassigned' || e.type === 'released' ? `${staffName(colleagues, e.from)} → ${e.to ? staffName(colleagues, e.to) : t('task.history.pool')}` : ''}</td>
        <td class="utrecht-table__cell">${e.type === 'reassigned' || e.type === 'released' ? (e.reason ?? '') : cancelledFor(t, e)}</td>
      </tr>`,
    )}
    </tbody></table></div>`;
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
          : String(value);
  return html`<section class="koers-card" aria-labelledby="answers-title" id="answers"><h2 class="utrecht-heading-2" id="answers-title">${t('task.answers')}</h2>
    <p class="utrecht-paragraph">${t('task.completedBy', { by: task.completedBy ?? '—', date: task.completedAt ? formatDateTime(lang, task.completedAt) : '—' })}</p>
    <dl class="koers-facts">${Object.entries(answers ?? {}).map(([name, value]) => html`<dt>${fieldLabel(t, name)}</dt><dd data-answer="${name}">${shown(name, value)}</dd>`)}</dl></section>`;
}

/**
 * No date of a task form is filled in for the caseworker: a legal date (the PIP date starts the
 * three-year term, art. 11 Wi2021) is typed, never taken unseen from today (trial finding 2). A
 * required date is required; an optional one that the journey reads as the completion day when left
 * empty (domain/task-forms.ts taskOutcome) says so beside the field.
 */
function emptyDateHints(t: Translate, schema: ReturnType<typeof objectSchema>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, prop] of Object.entries(schema.properties)) if (prop.format === 'date' && !schema.required?.includes(name)) out[name] = t(`task.emptyDate.${name === 'assessedOn' ? 'today' : 'none'}`);
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
    downloadRoute('/exports/tasks-mine.csv', (web) => withQuery('/v1/tasks/mine/export', taskListQuery(web.req.query as Record<string, unknown>))),
    downloadRoute('/exports/tasks-team.csv', (web) => withQuery('/v1/tasks/team/export', taskListQuery(web.req.query as Record<string, unknown>))),
    { method: 'post', path: '/tasks/redistribution', handler: redistribute },
    { method: 'post', path: '/staff/deactivation', handler: deactivate },
    { method: 'get', path: '/tasks/:taskId', handler: (web) => taskPage(web) },
    { method: 'post', path: '/tasks/:taskId/claim', handler: (web) => taskCommand(web, 'claim') },
    { method: 'post', path: '/tasks/:taskId/unclaim', handler: (web) => taskCommand(web, 'unclaim') },
    { method: 'post', path: '/tasks/:taskId/reassign', handler: (web) => taskCommand(web, 'reassign') },
    { method: 'post', path: '/tasks/:taskId/complete', handler: completeTask },
  ];
}
