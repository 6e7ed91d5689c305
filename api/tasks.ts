/**
 * The caseworker's inbox: my tasks, my team's tasks, and claim / unclaim / reassign / complete.
 * The task store owns who holds a task; completing also tells the journey (taskCompletedSignal),
 * after the store has recorded it, so a retry finds the completion and signals again (the workflow
 * ignores a task key it has seen).
 */
import { z } from 'zod';
import { TASK_SOURCE, taskFormsOn, taskOutcome } from '../domain/task-forms';
import { admitOrRefuse } from './journeys';
import { isTaskOverdue, type Task, type TaskFilter } from '../store/tasks';
import { taskCompletedSignal, type TaskCompletion } from '../workflows/definitions';
import { inTransaction } from '../store/db';
import { mayAccessMunicipality, type Principal } from './auth';
import { may } from '../identity/permissions';
import { visibleJourney, type ApiContext } from './context';
import { Problem, fieldErrors, notFound } from './problem';
import { route, type RouteDef } from './route';
import type { Request, Response } from 'express';
import { recordingPages } from './processing';
import { allPages, CSV_RESPONSE, EXPORT_PAGE_SIZE, ExportLang, sendCsv, wordOf, type CsvColumn } from './export';
import { municipalityName } from '../web/format';
import { CompleteTaskBody, CompleteTaskDoc, ReassignTaskBody, RedistributionBody, RedistributionResult, Task as TaskSchema, TaskHistory, TaskPage, TaskQuery, taskIdSchema } from './schemas';
import { isTeamLead, type NotAssignable } from '../staff/directory';
import { NOT_ASSIGNABLE, requireColleague } from './staff';

const TaskParams = z.strictObject({ taskId: taskIdSchema });
/** The list's filters and order, without its paging: an export has every row. */
const TaskExportQuery = TaskQuery.omit({ pageSize: true, cursor: true, counts: true }).extend(ExportLang.shape);

/** The columns of a task list's CSV: the list's fields (the assignee and completer are staff, no personal data). */
const TASK_COLUMNS: Array<CsvColumn<ReturnType<typeof presentTask>>> = [
  ['taskId', (t) => t.taskId],
  ['journeyId', (t) => t.journeyId],
  ['kind', (t) => t.kind, wordOf('kind')],
  ['municipality', (t) => t.municipality, municipalityName],
  ['candidateGroup', (t) => t.candidateGroup, wordOf('role')],
  ['assignee', (t) => t.assignee],
  ['clock', (t) => t.clock, wordOf('clock')],
  ['followUpDate', (t) => t.followUpDate],
  ['dueDate', (t) => t.dueDate],
  ['status', (t) => t.status, wordOf('taskStatus')],
  ['overdue', (t) => t.overdue],
  ['completedBy', (t) => t.completedBy],
  ['completedAt', (t) => t.completedAt],
];
const json = (schema: z.ZodType) => ({ 'application/json': schema });

export function taskRoutes(ctx: ApiContext): RouteDef[] {
  const present = (task: Task) => presentTask(task, ctx.today());

  async function visibleTask(principal: Principal, taskId: string): Promise<Task> {
    const task = await ctx.tasks.getTask(taskId);
    if (!task || !mayAccessMunicipality(principal, task.municipality)) throw notFound('task');
    // An open task follows its journey: after a move's 202 the journey's municipality decides (store/journeys.ts
    // `move`), even should a step of the journey from before the move still be writing the task.
    if (task.status === 'open' || task.status === 'claimed') {
      const journey = await ctx.journeys.run(task.journeyId);
      if (journey && !mayAccessMunicipality(principal, journey.municipality)) throw notFound('task');
    }
    return task;
  }

  async function list(principal: Principal, query: z.output<typeof TaskQuery>, scope: Pick<TaskFilter, 'assignee' | 'candidateGroups'>) {
    const [page, counts] = await Promise.all([listPage(principal, query, scope), query.counts ? countList(principal, query, scope) : undefined]);
    return { status: 200, body: { tasks: page.tasks, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}), ...(counts ? { counts } : {}) } };
  }

  /** Every task the list's filters find, as CSV, page by page (api/export.ts). */
  async function exportList(req: Request, res: Response, principal: Principal, query: z.output<typeof TaskExportQuery>, scope: Pick<TaskFilter, 'assignee' | 'candidateGroups'>, name: string) {
    // Each task names its journey: an export of the persons' data, recorded per journey (api/processing.ts).
    const rows = allPages(
      recordingPages(
        ctx,
        { req, principal },
        async (cursor) => {
        const page = await listPage(principal, { ...query, pageSize: EXPORT_PAGE_SIZE, ...(cursor ? { cursor } : {}) }, scope);
        return { items: page.tasks, ...(page.nextCursor ? { next: page.nextCursor } : {}) };
        },
        (task) => task.journeyId,
      ),
    );
    await sendCsv(res, `${name}-${ctx.today()}.csv`, TASK_COLUMNS, rows, query.lang);
    return { status: 200 };
  }

  /** The store's filter for a list's query in `scope`, or undefined when the caller may see none of it. */
  function listFilter(principal: Principal, query: z.output<typeof TaskExportQuery>, scope: Pick<TaskFilter, 'assignee' | 'candidateGroups'>): TaskFilter | undefined {
    // My tasks stay mine: a behandelaar filter narrows them (to none, for another's name); it never lists another's.
    if (scope.assignee !== undefined && query.assignee !== undefined && query.assignee !== scope.assignee) return undefined;
    if (query.excludeMine && scope.assignee === principal.name) return undefined;
    let municipalities: string[] | undefined = may(principal, 'allMunicipalities') ? undefined : principal.municipalities;
    if (query.municipality) municipalities = municipalities === undefined || municipalities.includes(query.municipality) ? [query.municipality] : [];
    if (municipalities && municipalities.length === 0) return undefined;
    return {
      ...scope,
      ...(municipalities ? { municipalities } : {}),
      ...(query.kind ? { kind: query.kind } : {}),
      ...(query.status ? { status: query.status } : {}),
      ...(query.dueBefore ? { dueBefore: query.dueBefore } : {}),
      ...(query.overdue !== undefined ? { overdue: query.overdue } : {}),
      ...(query.journeyId ? { journeyId: query.journeyId } : {}),
      ...(query.assignee ? { assignee: query.assignee } : {}),
      ...(query.assigned !== undefined ? { assigned: query.assigned } : {}),
      ...(query.excludeMine ? { notAssignee: principal.name } : {}),
      today: ctx.today(),
    };
  }

  async function listPage(principal: Principal, query: z.output<typeof TaskQuery>, scope: Pick<TaskFilter, 'assignee' | 'candidateGroups'>) {
    const filter = listFilter(principal, query, scope);
    if (!filter) return { tasks: [] };
    const page = await ctx.tasks.listTasks({ ...filter, sort: query.sort, order: query.order, limit: query.pageSize, ...(query.cursor ? { cursor: query.cursor } : {}) });
    return { tasks: page.tasks.map(present), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  /** How many tasks the list's filters find over all pages, and how many are overdue today: counted by the database. */
  async function countList(principal: Principal, query: z.output<typeof TaskQuery>, scope: Pick<TaskFilter, 'assignee' | 'candidateGroups'>) {
    const filter = listFilter(principal, query, scope);
    return filter ? ctx.tasks.countTasks(filter) : { total: 0, overdue: 0 };
  }
  // A team lead sees the whole team's work (to hand it out); a caseworker the tasks of their candidate groups.
  const teamScope = (principal: Principal, query: { journeyId?: string }): Pick<TaskFilter, 'candidateGroups'> =>
    principal.teams?.length && !query.journeyId && !isTeamLead(principal) ? { candidateGroups: principal.teams as TaskFilter['candidateGroups'] } : {};

  /** The team lead's bulk hand-over (`POST /v1/tasks/redistribution`): checked whole, then done whole. */
  async function redistribute(principal: Principal, body: z.output<typeof RedistributionBody>) {
    // Who may is the permissions table's `redistributeTasks` (team leads, admins); whose tasks, the municipalities.
    const municipalities = may(principal, 'allMunicipalities') ? undefined : principal.municipalities;
    let selected: Array<{ taskId: string; field: string; task?: Task }>;
    if (body.taskIds) {
      selected = await Promise.all(
        body.taskIds.map(async (taskId, i) => {
          const task = await ctx.tasks.getTask(taskId);
          return { taskId, field: `taskIds.${i}`, ...(task && mayAccessMunicipality(principal, task.municipality) ? { task } : {}) };
        }),
      );
    } else {
      selected = [];
      let cursor: string | undefined;
      do {
        const page = await ctx.tasks.listTasks({ assignee: body.holder!, status: 'claimed', ...(municipalities ? { municipalities } : {}), limit: 500, ...(cursor ? { cursor } : {}) });
        selected.push(...page.tasks.map((task) => ({ taskId: task.id, field: 'holder', task })));
        cursor = page.nextCursor;
      } while (cursor);
    }
    type Refusal = { field: string; reason: string; refusal: 'not-found' | 'closed' | 'changed' | NotAssignable; status: 409 | 422 };
    const refusals = new Map<string, Refusal>();
    for (const { taskId, field, task } of selected) {
      if (!task) refusals.set(taskId, { field, reason: 'no such task', refusal: 'not-found', status: 422 });
      else if (task.status !== 'open' && task.status !== 'claimed') refusals.set(taskId, { field, reason: `the task is ${task.status}`, refusal: 'closed', status: 409 });
    }
    const assigneeErrors: Array<{ path: string; message: string }> = [];
    if (body.assignee) {
      const places = [...new Set(selected.flatMap(({ task }) => (task ? [task.municipality] : [])))];
      for (const municipality of places) {
        const found = await ctx.staff.assignable(body.assignee, municipality);
        if (found.ok) continue;
        assigneeErrors.push({ path: 'assignee', message: `${NOT_ASSIGNABLE[found.reason]} (${municipality})` });
        for (const { taskId, field, task } of selected) if (task?.municipality === municipality && !refusals.has(taskId)) refusals.set(taskId, { field, reason: NOT_ASSIGNABLE[found.reason], refusal: found.reason, status: 422 });
      }
    }
    const refused = () =>
      selected.map(({ taskId, task }) => {
        const refusal = refusals.get(taskId);
        return refusal ? { taskId, outcome: 'refused' as const, reason: refusal.reason, refusal: refusal.refusal } : { taskId, outcome: 'not-done' as const, ...(task?.assignee ? { from: task.assignee } : {}) };
      });
    if (refusals.size > 0 || assigneeErrors.length > 0) {
      const status = [...refusals.values()].some((r) => r.status === 422) || assigneeErrors.length > 0 ? 422 : 409;
      // Each wrong field once: a task that does not exist or is closed by its index, a colleague who cannot take the work as `assignee`.
      const taskErrors = [...refusals.values()].filter((r) => (r.refusal === 'not-found' || r.refusal === 'closed') && r.field !== 'holder');
      const errors = [...assigneeErrors, ...taskErrors.map((r) => ({ path: r.field, message: r.reason }))];
      throw new Problem(status, status === 422 ? 'Invalid request' : 'Conflict', 'Nothing was redistributed: see each task\'s outcome.', errors, { outcomes: refused() });
    }
    try {
      const outcomes = await ctx.tasks.redistribute(
        selected.map(({ taskId, task }) => ({ taskId, version: task!.version })),
        body.pool ? null : body.assignee!,
        principal.name,
        body.reason,
      );
      const changed = outcomes.filter((o) => o.outcome !== 'unchanged').length;
      ctx.logger.info({ tasks: selected.length, changed, toPool: body.pool === true, byHolder: body.holder !== undefined }, 'tasks redistributed');
      return { status: 200, body: { changed, outcomes } };
    } catch (err) {
      // A task changed between the check and the transaction: it rolled back, nothing changed.
      if ((err as Error).name !== 'ConflictError') throw err;
      const taskId = String((err as { details?: { taskId?: unknown } }).details?.taskId ?? '');
      refusals.set(taskId, { field: selected.find((s) => s.taskId === taskId)?.field ?? 'taskIds', reason: 'the task changed meanwhile', refusal: 'changed', status: 409 });
      throw new Problem(409, 'Conflict', 'Nothing was redistributed: a task changed meanwhile; see each task\'s outcome.', undefined, { outcomes: refused() });
    }
  }

  const listDescription =
    'Filters: kind, status (default open and claimed), dueBefore, overdue, journeyId, assignee (the behandelaar), assigned, excludeMine. With `counts=true` the answer also says how many tasks the filters find over all pages and how many are overdue today, counted by the database. Sorted by due date ascending unless `sort`/`order` say otherwise; paged by `cursor`.';

  return [
    route(
      {
        method: 'get',
        path: '/v1/tasks/mine',
        operationId: 'listMyTasks',
        summary: 'My tasks: the ones assigned to me',
        description: listDescription,
        tags: ['tasks'],
        query: TaskQuery,
        responses: { 200: { description: 'A page of tasks', schema: TaskPage } },
      },
      async ({ principal, query }) => list(principal, query, { assignee: principal.name }),
    ),
    route(
      {
        method: 'get',
        path: '/v1/tasks/team',
        operationId: 'listTeamTasks',
        summary: "My team's tasks: those of my teams in my municipalities",
        description: `${listDescription} A key without \`teams\` sees every team's tasks of its municipalities; with \`journeyId\`, every team's tasks of that journey (as the journey itself lists its open tasks). A team lead sees every team's tasks of its municipalities: the work it distributes.`,
        tags: ['tasks'],
        query: TaskQuery,
        responses: { 200: { description: 'A page of tasks', schema: TaskPage } },
      },
      async ({ principal, query }) => list(principal, query, teamScope(principal, query)),
    ),
    route(
      {
        method: 'get',
        path: '/v1/tasks/mine/export',
        operationId: 'exportMyTasks',
        summary: 'My tasks as CSV: every one the filters find',
        description: `The rows and fields of \`GET /v1/tasks/mine\`, all of them, streamed. ${listDescription.replace(/; paged by `cursor`/, '')}`,
        tags: ['tasks'],
        query: TaskExportQuery,
        responses: { 200: CSV_RESPONSE },
      },
      async ({ req, res, principal, query }) => exportList(req, res, principal, query, { assignee: principal.name }, 'mijn-taken'),
    ),
    route(
      {
        method: 'get',
        path: '/v1/tasks/team/export',
        operationId: 'exportTeamTasks',
        summary: "My team's tasks as CSV: every one the filters find",
        description: 'The rows and fields of `GET /v1/tasks/team`, all of them, streamed.',
        tags: ['tasks'],
        query: TaskExportQuery,
        responses: { 200: CSV_RESPONSE },
      },
      async ({ req, res, principal, query }) => exportList(req, res, principal, query, teamScope(principal, query), 'teamtaken'),
    ),
    route(
      {
        method: 'get',
        path: '/v1/tasks/{taskId}',
        operationId: 'getTask',
        summary: 'One task, open or closed',
        tags: ['tasks'],
        params: TaskParams,
        responses: { 200: { description: 'The task', schema: TaskSchema } },
      },
      async ({ principal, params }) => ({ status: 200, body: present(await visibleTask(principal, params.taskId)) }),
    ),
    route(
      {
        method: 'post',
        path: '/v1/tasks/{taskId}/claim',
        operationId: 'claimTask',
        summary: 'Take an open task',
        tags: ['tasks'],
        params: TaskParams,
        responses: { 200: { description: 'The task, now mine', schema: TaskSchema }, 409: { description: 'Someone else holds it, or it is closed', contentType: 'application/problem+json' } },
      },
      async ({ principal, params }) => {
        await visibleTask(principal, params.taskId);
        return { status: 200, body: present(await ctx.tasks.claim(params.taskId, principal.name)) };
      },
    ),
    route(
      {
        method: 'post',
        path: '/v1/tasks/{taskId}/unclaim',
        operationId: 'unclaimTask',
        summary: 'Give a task I hold back to its team',
        tags: ['tasks'],
        params: TaskParams,
        responses: { 200: { description: 'The task, open again', schema: TaskSchema }, 409: { description: 'Someone else holds it, or it is closed', contentType: 'application/problem+json' } },
      },
      async ({ principal, params }) => {
        await visibleTask(principal, params.taskId);
        return { status: 200, body: present(await ctx.tasks.unclaim(params.taskId, principal.name)) };
      },
    ),
    route(
      {
        method: 'post',
        path: '/v1/tasks/{taskId}/reassign',
        operationId: 'reassignTask',
        summary: 'Hand a task to a colleague',
        description:
          "Allowed to its current holder, to a team lead and to admins (identity/permissions.ts `reassignAnyTask`). The assignee must be an active colleague in the staff directory who serves the task's municipality (422 naming `assignee` otherwise).",
        tags: ['tasks'],
        params: TaskParams,
        body: { content: json(ReassignTaskBody), schema: ReassignTaskBody },
        responses: {
          200: { description: 'The task, reassigned', schema: TaskSchema },
          409: { description: 'The task is closed', contentType: 'application/problem+json' },
          422: { description: 'Not a colleague who may take this task (unknown, inactive, or of another municipality)', contentType: 'application/problem+json' },
        },
      },
      async ({ principal, params, body }) => {
        const task = await visibleTask(principal, params.taskId);
        if (!may(principal, 'reassignAnyTask') && task.assignee !== principal.name) {
          throw new Problem(403, 'Forbidden', 'Only the holder of a task, a team lead or an admin may reassign it.');
        }
        await requireColleague(ctx.staff, body.assignee, task.municipality, 'assignee');
        return { status: 200, body: present(await ctx.tasks.reassign(params.taskId, body.assignee, principal.name, body.reason)) };
      },
    ),
    route(
      {
        method: 'get',
        path: '/v1/tasks/{taskId}/history',
        operationId: 'getTaskHistory',
        summary: "A task's history: who took, handed on, released or completed it, when and why",
        tags: ['tasks'],
        params: TaskParams,
        responses: { 200: { description: 'Oldest first', schema: TaskHistory } },
      },
      async ({ principal, params }) => {
        await visibleTask(principal, params.taskId);
        const events = (await ctx.tasks.taskHistory(params.taskId)).map((e) => {
          const detail = (e.detail ?? {}) as { from?: unknown; to?: unknown; reason?: unknown };
          const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
          const [from, to, reason] = [text(detail.from), text(detail.to), text(detail.reason)];
          return { at: e.at, type: e.type, ...(e.actor ? { actor: e.actor } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}), ...(reason ? { reason } : {}) };
        });
        return { status: 200, body: { taskId: params.taskId, events } };
      },
    ),
    route(
      {
        method: 'post',
        path: '/v1/tasks/redistribution',
        operationId: 'redistributeTasks',
        summary: "Hand many tasks to a colleague or back to the team pool at once (a team lead's verdelen / vrijgeven)",
        description:
          'For team leads and admins. The tasks are named (`taskIds`) or are every task a colleague holds in the caller\'s municipalities (`holder`: an absence handled in one action); they go to `assignee` (an active colleague serving each task\'s municipality) or back to their team pool (`pool: true`). ' +
          "The `reason` lands in each changed task's history. All or nothing: when any task is refused (unknown or of another municipality: 422; closed, or changed while this ran: 409), nothing changes and `outcomes` says per task why.",
        tags: ['tasks'],
        body: { content: json(RedistributionBody), schema: RedistributionBody },
        responses: {
          200: { description: 'Every task as it went', schema: RedistributionResult },
          409: { description: 'A task is closed or changed meanwhile: nothing changed (`outcomes` per task)', contentType: 'application/problem+json' },
          422: { description: 'A task or the assignee refused: nothing changed (`errors` and `outcomes` per task)', contentType: 'application/problem+json' },
        },
      },
      async ({ principal, body }) => redistribute(principal, body),
    ),
    route(
      {
        method: 'post',
        path: '/v1/tasks/{taskId}/complete',
        operationId: 'completeTask',
        summary: 'Complete a task I hold, with the form for its kind',
        description: 'The form is validated for the task kind (422 naming each field); the journey is then told and moves on.',
        tags: ['tasks'],
        params: TaskParams,
        body: { content: json(CompleteTaskDoc), schema: CompleteTaskBody },
        responses: {
          200: { description: 'The task, completed', schema: TaskSchema },
          409: { description: 'Not claimed by me, or closed', contentType: 'application/problem+json' },
        },
      },
      async ({ principal, params, body }) => {
        const task = await visibleTask(principal, params.taskId);
        // Only a running journey takes a completion, refused before the store keeps the form (and its notes);
        // a retry of a completion the store has answers as before.
        if (task.status !== 'completed' && !(await visibleJourney(ctx, principal, task.journeyId)).running) throw Problem.journeyEnded();
        // The store's form for the kind, checked here first so every wrong field is named under `form.`.
        const parsed = (taskFormsOn(ctx.today())[task.kind] as z.ZodType).safeParse(body.form);
        if (!parsed.success) throw new Problem(422, 'Invalid request', `Invalid ${task.kind} form.`, fieldErrors(parsed.error, 'form'));
        const form = parsed.data;
        // The fact the form establishes must be one the journey admits (a PIP not before the permit).
        const fact = taskOutcome(task.kind, form as Record<string, unknown>, ctx.today()).fact;
        if (fact) {
          const { dateField, ...event } = fact;
          await admitOrRefuse(ctx, principal, task.journeyId, { ...event, source: TASK_SOURCE, id: task.key, receivedAt: new Date(ctx.now()).toISOString() }, (field) =>
            field === 'data.occurredOn' && dateField ? `form.${dateField}` : `form.${field.replace(/^data\./, '')}`,
          );
        }
        // The completion and the signal it owes the journey commit together; the signal is then delivered
        // at once, or (Temporal slow or away) by the relay until Temporal has it: never one without the other.
        const { completion, signalId } = await inTransaction(ctx.journeySignals.db, async (trx) => {
          const completion = await ctx.tasks.using(trx).complete(params.taskId, principal.name, form);
          const arg: TaskCompletion = { taskKey: completion.taskKey, completedBy: completion.completedBy, completedOn: completion.completedOn, form: completion.form as Record<string, unknown> };
          const signalId = await ctx.journeySignals.using(trx).enqueue({ dedupeKey: `${taskCompletedSignal.name}:${completion.taskId}`, journeyId: completion.journeyId, signal: taskCompletedSignal.name, arg });
          return { completion, signalId };
        });
        const queued = await ctx.journeySignals.get(signalId);
        const delivered = queued ? await ctx.relay.deliver(queued) : true;
        ctx.logger.info({ journeyId: completion.journeyId, kind: completion.kind, delivered }, 'task completed');
        const done = await ctx.tasks.getTask(params.taskId);
        return { status: 200, body: present(done!) };
      },
    ),
  ];
}

export function presentTask(task: Task, today: string) {
  return {
    taskId: task.id,
    journeyId: task.journeyId,
    key: task.key,
    kind: task.kind,
    municipality: task.municipality,
    candidateGroup: task.candidateGroup,
    ...(task.assignee ? { assignee: task.assignee } : {}),
    ...(task.clock ? { clock: task.clock } : {}),
    followUpDate: task.followUpDate,
    dueDate: task.dueDate,
    status: task.status,
    overdue: isTaskOverdue(task, today),
    ...(task.completedBy ? { completedBy: task.completedBy } : {}),
    ...(task.completedAt ? { completedAt: task.completedAt } : {}),
    // What the caseworker answered, so the task shows it again once done.
    ...(task.status === 'completed' && task.form && typeof task.form === 'object' ? { form: task.form as Record<string, unknown> } : {}),
  };
}
