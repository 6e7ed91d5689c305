/**
 * The caseworker's inbox: my tasks, my team's tasks, and claim / unclaim / reassign / complete.
 * The task store owns who holds a task; completing also tells the journey (taskCompletedSignal),
 * after the store has recorded it, so a retry finds the completion and signals again (the workflow
 * ignores a task key it has seen).
 */
import { z } from 'zod';
import { TASK_SOURCE, taskFormsOn, taskOutcome } from '../domain/task-forms';
import { admitOrRefuse } from './journeys';
import type { Task, TaskFilter } from '../store/tasks';
import { taskCompletedSignal, type TaskCompletion } from '../workflows/definitions';
import { inTransaction } from '../store/db';
import { mayAccessMunicipality, type Principal } from './auth';
import { may } from '../identity/permissions';
import { visibleJourney, type ApiContext } from './context';
import { Problem, fieldErrors, notFound } from './problem';
import { route, type RouteDef } from './route';
import { CompleteTaskBody, CompleteTaskDoc, ReassignTaskBody, Task as TaskSchema, TaskPage, TaskQuery, taskIdSchema } from './schemas';

const TaskParams = z.strictObject({ taskId: taskIdSchema });
const json = (schema: z.ZodType) => ({ 'application/json': schema });

export function taskRoutes(ctx: ApiContext): RouteDef[] {
  const present = (task: Task) => presentTask(task, ctx.today());

  async function visibleTask(principal: Principal, taskId: string): Promise<Task> {
    const task = await ctx.tasks.getTask(taskId);
    if (!task || !mayAccessMunicipality(principal, task.municipality)) throw notFound('task');
    return task;
  }

  async function list(principal: Principal, query: z.output<typeof TaskQuery>, scope: Pick<TaskFilter, 'assignee' | 'candidateGroups'>) {
    let municipalities: string[] | undefined = may(principal, 'allMunicipalities') ? undefined : principal.municipalities;
    if (query.municipality) municipalities = municipalities === undefined || municipalities.includes(query.municipality) ? [query.municipality] : [];
    if (municipalities && municipalities.length === 0) return { status: 200, body: { tasks: [] } };
    const page = await ctx.tasks.listTasks({
      ...scope,
      ...(municipalities ? { municipalities } : {}),
      ...(query.kind ? { kind: query.kind } : {}),
      ...(query.status ? { status: query.status } : {}),
      ...(query.dueBefore ? { dueBefore: query.dueBefore } : {}),
      ...(query.overdue !== undefined ? { overdue: query.overdue } : {}),
      ...(query.journeyId ? { journeyId: query.journeyId } : {}),
      today: ctx.today(),
      sort: query.sort,
      order: query.order,
      limit: query.pageSize,
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    const tasks = page.tasks.map(present);
    // overdue=false is "not overdue": the store only filters for true.
    const filtered = query.overdue === false ? tasks.filter((t) => !t.overdue) : tasks;
    return { status: 200, body: { tasks: filtered, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) } };
  }

  const listDescription = 'Filters: kind, status (default open and claimed), dueBefore, overdue, journeyId. Sorted by due date ascending unless `sort`/`order` say otherwise; paged by `cursor`.';

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
        description: `${listDescription} A key without \`teams\` sees every team's tasks of its municipalities; with \`journeyId\`, every team's tasks of that journey (as the journey itself lists its open tasks).`,
        tags: ['tasks'],
        query: TaskQuery,
        responses: { 200: { description: 'A page of tasks', schema: TaskPage } },
      },
      async ({ principal, query }) =>
        list(principal, query, principal.teams?.length && !query.journeyId ? { candidateGroups: principal.teams as TaskFilter['candidateGroups'] } : {}),
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
        description: 'Allowed to its current holder, to a team lead and to admins (identity/permissions.ts `reassignAnyTask`).',
        tags: ['tasks'],
        params: TaskParams,
        body: { content: json(ReassignTaskBody), schema: ReassignTaskBody },
        responses: { 200: { description: 'The task, reassigned', schema: TaskSchema }, 409: { description: 'The task is closed', contentType: 'application/problem+json' } },
      },
      async ({ principal, params, body }) => {
        const task = await visibleTask(principal, params.taskId);
        if (!may(principal, 'reassignAnyTask') && task.assignee !== principal.name) {
          throw new Problem(403, 'Forbidden', 'Only the holder of a task, a team lead or an admin may reassign it.');
        }
        return { status: 200, body: present(await ctx.tasks.reassign(params.taskId, body.assignee, principal.name)) };
      },
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
  const active = task.status === 'open' || task.status === 'claimed';
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
    overdue: active && task.dueDate < today,
    ...(task.completedBy ? { completedBy: task.completedBy } : {}),
    ...(task.completedAt ? { completedAt: task.completedAt } : {}),
    // What the caseworker answered, so the task shows it again once done.
    ...(task.status === 'completed' && task.form && typeof task.form === 'object' ? { form: task.form as Record<string, unknown> } : {}),
  };
}
