/**
 * The caseworker task inbox: a projection of the tasks each journey wants (DesiredTask), plus the
 * Camunda-Tasklist-like lifecycle open → claimed → completed | cancelled.
 *
 * The journey workflow owns *which* tasks exist (syncJourneyTasks); caseworkers own *who* works on
 * them (claim, unclaim, reassign) and *when* they are done (complete). Completing returns what the
 * journey must be told; the caller signals the workflow, so this module knows nothing of Temporal.
 *
 * Task rows hold no personal data: the journey id is pseudonymous, user ids are staff ids.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Expression, type ExpressionBuilder, type SqlBool, type Transaction } from 'kysely';
import type { CaseworkerRole, ClockName, DesiredTask, LocalDate, TaskKind } from '../domain/types';
import { inTransaction, type Db, type KoersDatabase, type TasksTable } from './db';
import { ConflictError, NotFoundError, ValidationError } from './errors';
import { parseTaskForm } from './task-forms';
import type { TaskForm } from '../domain/task-forms';
import { amsterdamDateOf } from '../domain/dates';
import { taskIdFor } from '../domain/tasks';

export type TaskStatus = 'open' | 'claimed' | 'completed' | 'cancelled';
export const activeStatuses: readonly TaskStatus[] = ['open', 'claimed'];
/** `status in ('open', 'claimed')` with literals: a parameterised list cannot use a partial index. */
const ACTIVE = sql<SqlBool>`status in ('open', 'claimed')`;

/**
 * Is a task overdue on `today` (`YYYY-MM-DD`, Europe/Amsterdam): active (open or claimed) and its due
 * date (the fatale datum, the last day on time) passed, so overdue from the day after. The one rule:
 * {@link overdueTaskOn} says the same in SQL for the filters and counts.
 */
export const isTaskOverdue = (task: Pick<Task, 'status' | 'dueDate'>, today: LocalDate): boolean => (task.status === 'open' || task.status === 'claimed') && task.dueDate < today;

/** {@link isTaskOverdue} in SQL. */
const overdueTaskOn = (today: LocalDate) => sql<SqlBool>`(${ACTIVE} and due_date < ${today})`;

export interface Task {
  id: string;
  journeyId: string;
  key: string;
  kind: TaskKind;
  municipality: string;
  candidateGroup: CaseworkerRole;
  journeyRole?: CaseworkerRole;
  assignee?: string;
  clock?: ClockName;
  /** Streefdatum. */
  followUpDate: LocalDate;
  /** Fatale datum: the last day on which the task is on time. */
  dueDate: LocalDate;
  status: TaskStatus;
  form?: unknown;
  completedBy?: string;
  createdAt: string;
  updatedAt: string;
  completedAt?: string;
  cancelledAt?: string;
  version: number;
}

export interface SyncJourneyTasksInput {
  journeyId: string;
  municipality: string;
  /** The journey's current caseworker role; recorded on its tasks so a team can filter on it. */
  caseworkerRole?: CaseworkerRole;
  tasks: DesiredTask[];
  /**
   * Why active tasks no longer wanted are cancelled, in their history; absent: "no longer needed by the
   * journey". A journey that ended for a reason names it (domain/journey-end.ts cancellationForEnd).
   */
  cancelReason?: string;
}

/** Task keys per effect of one sync. A repeated sync of the same input returns all lists empty. */
export interface SyncResult {
  created: string[];
  updated: string[];
  reopened: string[];
  cancelled: string[];
}

/** What the journey workflow must be told when a caseworker completes a task. */
export interface TaskCompleted<K extends TaskKind = TaskKind> {
  journeyId: string;
  taskId: string;
  taskKey: string;
  kind: K;
  clock?: ClockName;
  completedBy: string;
  /** The day of completion in Europe/Amsterdam. */
  completedOn: LocalDate;
  /** Instant, ISO-8601 UTC. */
  completedAt: string;
  form: TaskForm<K>;
}

export type TaskSort = 'dueDate' | 'followUpDate' | 'createdAt';

export interface TaskFilter {
  /** A user id, or `null` for unassigned tasks. */
  assignee?: string | null;
  /** Only tasks with (true) or without (false) an assignee. */
  assigned?: boolean;
  candidateGroups?: readonly CaseworkerRole[];
  municipalities?: readonly string[];
  journeyId?: string;
  kind?: TaskKind | readonly TaskKind[];
  /** Default: the active ones (open and claimed), as an inbox shows. */
  status?: TaskStatus | readonly TaskStatus[] | 'all';
  /** Due date strictly before this date. */
  dueBefore?: LocalDate;
  /** true: only the tasks overdue on `today` ({@link isTaskOverdue}); false: only those that are not. */
  overdue?: boolean;
  /** Leave out the tasks this staff id holds (the team's table under one's own). */
  notAssignee?: string;
  today?: LocalDate;
  sort?: TaskSort;
  order?: 'asc' | 'desc';
  /** Page size, default 50, at most 500. */
  limit?: number;
  offset?: number;
  /** From a previous page's `nextCursor`; stable under inserts, unlike offset. */
  cursor?: string;
}

/** How many tasks a filter finds (over all its pages), and how many of them are overdue on its `today`. */
export interface TaskCounts {
  total: number;
  overdue: number;
}

export interface TaskPage {
  tasks: Task[];
  /** Present when there are more tasks after this page. */
  nextCursor?: string;
}

export interface TaskStoreOptions {
  now?: () => Date;
}

const sortColumns = { dueDate: 'due_date', followUpDate: 'follow_up_date', createdAt: 'created_at' } as const;
const localDatePattern = /^\d{4}-\d{2}-\d{2}$/;

type Tx = Transaction<KoersDatabase>;

export class TaskStore {
  private readonly now: () => Date;

  constructor(
    private readonly db: Db,
    options: TaskStoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** The same store on another executor: a transaction its caller has opened (`inTransaction` in db.ts). */
  using(db: Db): TaskStore {
    return new TaskStore(db, { now: this.now });
  }

  /**
   * A move (api/journeys.ts): the journey's open and claimed tasks are the new municipality's from now,
   * before the journey has the move (which then hands them to its default team); each one's history says
   * so. Completed and cancelled tasks stay where they were done. Returns the keys it moved.
   */
  async moveJourneyTasks(journeyId: string, municipality: string): Promise<string[]> {
    const at = this.now().toISOString();
    return inTransaction(this.db, async (trx) => {
      const active = await trx.selectFrom('tasks').select(['id', 'key']).where('journey_id', '=', journeyId).where('status', 'in', activeStatuses).where('municipality', '!=', municipality).execute();
      const moved: string[] = [];
      for (const row of active) {
        const done = await trx
          .updateTable('tasks')
          .set({ municipality, updated_at: at, version: sql`version + 1` })
          .where('id', '=', row.id)
          .where('status', 'in', activeStatuses)
          .returning('version')
          .executeTakeFirst();
        if (!done) continue;
        moved.push(row.key);
        await addEvent(trx, row.id, done.version, at, 'updated', null, { municipality });
      }
      return moved;
    });
  }

  /**
   * Cancels the journey's open and claimed tasks, `reason` in each one's history; completed and
   * cancelled ones stay as they are. Returns the keys it cancelled. For an erased journey
   * (store/retention.ts): nobody may work on it, nor write new notes about the person into a form.
   */
  async cancelJourneyTasks(journeyId: string, reason: string): Promise<string[]> {
    const at = this.now().toISOString();
    return inTransaction(this.db, async (trx) => {
      const active = await trx.selectFrom('tasks').select(['id', 'key']).where('journey_id', '=', journeyId).where('status', 'in', activeStatuses).execute();
      const cancelled: string[] = [];
      for (const row of active) if (await cancelActiveTask(trx, row.id, at, reason)) cancelled.push(row.key);
      return cancelled;
    });
  }

  /**
   * Makes the journey's tasks match `tasks`: creates the missing ones, moves the dates (and group,
   * clock, municipality, journey role) of active ones that changed, reopens a cancelled one that is wanted again, and cancels
   * active ones no longer wanted. Completed tasks stay as they are (history); so do cancelled ones
   * that are not wanted. An assignee in a DesiredTask applies when the task is created or reopened:
   * after that, who holds a task is the caseworkers' decision, not the journey's.
   *
   * Idempotent: (journey_id, key) is unique and inserts are `ON CONFLICT DO NOTHING`, so a retried
   * activity, a replayed workflow or two concurrent calls never create a second task.
   */
  async syncJourneyTasks(input: SyncJourneyTasksInput): Promise<SyncResult> {
    const { journeyId, municipality, caseworkerRole } = input;
    validateDesired(input);
    const result: SyncResult = { created: [], updated: [], reopened: [], cancelled: [] };
    await inTransaction(this.db, async (trx) => {
      const at = this.now().toISOString();
      const known = new Set(
        (await trx.selectFrom('tasks').select('key').where('journey_id', '=', journeyId).execute()).map((r) => r.key),
      );
      for (const t of input.tasks) {
        if (known.has(t.key)) continue;
        const id = taskIdFor(journeyId, t.key);
        const inserted = await trx
          .insertInto('tasks')
          .values({
            id,
            journey_id: journeyId,
            key: t.key,
            kind: t.kind,
            municipality,
            candidate_group: t.candidateGroup,
            journey_role: caseworkerRole ?? null,
            assignee: t.assignee ?? null,
            clock: t.clock ?? null,
            follow_up_date: t.followUpDate,
            due_date: t.dueDate,
            status: t.assignee ? 'claimed' : 'open',
            form: null,
            completed_by: null,
            created_at: at,
            updated_at: at,
            completed_at: null,
            cancelled_at: null,
            version: 0,
          })
          .onConflict((oc) => oc.columns(['journey_id', 'key']).doNothing())
          .returning('id')
          .executeTakeFirst();
        // No row back: a concurrent sync inserted it first; the pass below treats it as existing.
        if (inserted) {
          result.created.push(t.key);
          await addEvent(trx, id, 0, at, 'created', null, { key: t.key });
        }
      }

      const rows = await trx.selectFrom('tasks').selectAll().where('journey_id', '=', journeyId).execute();
      const desired = new Map(input.tasks.map((t) => [t.key, t]));
      for (const row of rows) {
        if (result.created.includes(row.key)) continue;
        const want = desired.get(row.key);
        const active = row.status === 'open' || row.status === 'claimed';
        if (!want) {
          if (!active) continue;
          if (await cancelActiveTask(trx, row.id, at, input.cancelReason ?? 'no longer needed by the journey')) result.cancelled.push(row.key);
        } else if (row.status === 'cancelled') {
          const done = await trx
            .updateTable('tasks')
            .set({
              ...desiredColumns(want, municipality, caseworkerRole),
              status: want.assignee ? 'claimed' : 'open',
              assignee: want.assignee ?? null,
              cancelled_at: null,
              updated_at: at,
              version: sql`version + 1`,
            })
            .where('id', '=', row.id)
            .where('status', '=', 'cancelled')
            .returning('version')
            .executeTakeFirst();
          if (done) {
            result.reopened.push(row.key);
            await addEvent(trx, row.id, done.version, at, 'reopened', null, null);
          }
        } else if (active) {
          const next = desiredColumns(want, municipality, caseworkerRole);
          const changed = (Object.keys(next) as (keyof typeof next)[]).filter((c) => row[c] !== next[c]);
          if (changed.length === 0) continue;
          const done = await trx
            .updateTable('tasks')
            .set({ ...next, updated_at: at, version: sql`version + 1` })
            .where('id', '=', row.id)
            .where('status', 'in', activeStatuses)
            .returning('version')
            .executeTakeFirst();
          if (done) {
            result.updated.push(row.key);
            await addEvent(trx, row.id, done.version, at, 'updated', null, Object.fromEntries(changed.map((c) => [c, next[c]])));
          }
        }
      }
    });
    return result;
  }

  /** Takes an open task. Claiming a task you already hold is a no-op; one someone else holds is a ConflictError (409). */
  async claim(taskId: string, userId: string): Promise<Task> {
    return this.transition(taskId, userId, 'claimed', async (trx, at) => {
      const r = await trx
        .updateTable('tasks')
        .set({ status: 'claimed', assignee: userId, updated_at: at, version: sql`version + 1` })
        .where('id', '=', taskId)
        .where('status', '=', 'open')
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) > 0) return { changed: true };
      const task = await this.requireTask(trx, taskId);
      if (task.status === 'claimed' && task.assignee === userId) return { changed: false };
      throw conflict(task, 'claim');
    });
  }

  /** Gives a task you hold back to its candidate group. Unclaiming an open task is a no-op. */
  async unclaim(taskId: string, userId: string): Promise<Task> {
    return this.transition(taskId, userId, 'unclaimed', async (trx, at) => {
      const r = await trx
        .updateTable('tasks')
        .set({ status: 'open', assignee: null, updated_at: at, version: sql`version + 1` })
        .where('id', '=', taskId)
        .where('status', '=', 'claimed')
        .where('assignee', '=', userId)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) > 0) return { changed: true };
      const task = await this.requireTask(trx, taskId);
      if (task.status === 'open') return { changed: false };
      throw conflict(task, 'unclaim');
    });
  }

  /**
   * Hands an active task to `toUserId`, whoever holds it now. Who may do that (a team lead, the
   * current assignee) is the API's decision, and so is whether `toUserId` is a colleague (staff/); the
   * store records `byUserId` and the `reason`, if given, in the task's history.
   */
  async reassign(taskId: string, toUserId: string, byUserId: string, reason?: string): Promise<Task> {
    return this.transition(taskId, byUserId, 'reassigned', async (trx, at) => {
      const task = await this.requireTask(trx, taskId);
      if (task.status === 'claimed' && task.assignee === toUserId) return { changed: false };
      const r = await trx
        .updateTable('tasks')
        .set({ status: 'claimed', assignee: toUserId, updated_at: at, version: sql`version + 1` })
        .where('id', '=', taskId)
        .where('status', 'in', activeStatuses)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) > 0) return { changed: true, detail: { from: task.assignee ?? null, to: toUserId, ...(reason ? { reason } : {}) } };
      throw conflict(await this.requireTask(trx, taskId), 'reassign');
    });
  }

  /**
   * Hands several tasks at once to `to` (a staff id) or back to their team's pool (`to` null): a team
   * lead's "verdelen / vrijgeven". All or nothing, in one transaction: each task must still be active
   * and at the `version` the caller checked it at (a claim, completion or sync since then is a
   * ConflictError naming the task, and nothing changes). `reason` and `byUserId` land in each changed
   * task's history (`reassigned` {from, to, reason} or `released` {from, reason}); a task that already
   * is where it should go is `unchanged` and gets no event.
   */
  async redistribute(
    tasks: ReadonlyArray<{ taskId: string; version: number }>,
    to: string | null,
    byUserId: string,
    reason: string,
  ): Promise<Array<{ taskId: string; outcome: 'reassigned' | 'released' | 'unchanged'; from?: string; to?: string }>> {
    return inTransaction(this.db, async (trx) => {
      const at = this.now().toISOString();
      const outcomes: Array<{ taskId: string; outcome: 'reassigned' | 'released' | 'unchanged'; from?: string; to?: string }> = [];
      for (const { taskId, version } of tasks) {
        const row = await trx.selectFrom('tasks').selectAll().where('id', '=', taskId).executeTakeFirst();
        if (!row) throw new NotFoundError(`task ${taskId} not found`);
        const task = toTask(row);
        if (task.version !== version || (task.status !== 'open' && task.status !== 'claimed')) {
          throw new ConflictError(`cannot redistribute: task ${taskId} changed meanwhile`, { taskId, status: task.status, assignee: task.assignee });
        }
        const from = task.assignee;
        if ((to === null && task.status === 'open') || (to !== null && from === to)) {
          outcomes.push({ taskId, outcome: 'unchanged', ...(from ? { from } : {}), ...(to ? { to } : {}) });
          continue;
        }
        const done = await trx
          .updateTable('tasks')
          .set({ status: to === null ? 'open' : 'claimed', assignee: to, updated_at: at, version: sql`version + 1` })
          .where('id', '=', taskId)
          .where('version', '=', version)
          .returning('version')
          .executeTakeFirst();
        if (!done) throw new ConflictError(`cannot redistribute: task ${taskId} changed meanwhile`, { taskId, status: task.status, assignee: task.assignee });
        if (to === null) {
          await addEvent(trx, taskId, done.version, at, 'released', byUserId, { from: from ?? null, reason });
          outcomes.push({ taskId, outcome: 'released', ...(from ? { from } : {}) });
        } else {
          await addEvent(trx, taskId, done.version, at, 'reassigned', byUserId, { from: from ?? null, to, reason });
          outcomes.push({ taskId, outcome: 'reassigned', ...(from ? { from } : {}), to });
        }
      }
      return outcomes;
    });
  }

  /**
   * Completes a task the user holds, with the form for its kind (task-forms.ts; 400 when invalid).
   * Returns what the journey must be told. A repeated call by the same user (an HTTP retry) returns
   * the first completion again instead of failing.
   */
  async complete(taskId: string, userId: string, formInput: unknown): Promise<TaskCompleted> {
    return inTransaction(this.db, async (trx) => {
      const task = await this.requireTask(trx, taskId);
      if (task.status === 'completed') {
        // A retry of the same completion answers as before; any other is refused, naming the first.
        if (task.completedBy === userId && sameJson(task.form, parseTaskForm(task.kind, formInput))) return completion(task);
        throw new ConflictError(`task was completed by ${task.completedBy ?? 'someone'} at ${task.completedAt ?? '(unknown)'}${task.completedBy === userId ? ' with another form' : ''}`, {
          taskId,
          status: task.status,
          completedBy: task.completedBy,
          completedAt: task.completedAt,
        });
      }
      if (task.status !== 'claimed' || task.assignee !== userId) {
        throw task.status === 'open'
          ? new ConflictError('claim the task before completing it', { taskId, status: task.status })
          : conflict(task, 'complete');
      }
      const form = parseTaskForm(task.kind, formInput);
      const at = this.now().toISOString();
      const r = await trx
        .updateTable('tasks')
        .set({
          status: 'completed',
          form: JSON.stringify(form),
          completed_by: userId,
          completed_at: at,
          updated_at: at,
          version: sql`version + 1`,
        })
        .where('id', '=', taskId)
        .where('version', '=', task.version)
        .where('status', '=', 'claimed')
        .executeTakeFirst();
      // The version guard catches a concurrent change between our read and this write.
      if (Number(r.numUpdatedRows) === 0) throw conflict(await this.requireTask(trx, taskId), 'complete');
      const completed = await this.requireTask(trx, taskId);
      await addEvent(trx, taskId, completed.version, at, 'completed', userId, null);
      return completion(completed);
    });
  }

  async getTask(taskId: string): Promise<Task | undefined> {
    const row = await this.db.selectFrom('tasks').selectAll().where('id', '=', taskId).executeTakeFirst();
    return row && toTask(row);
  }

  /** The task's history: created, updated, claimed, reassigned, completed, … oldest first. */
  async taskHistory(taskId: string): Promise<{ at: string; type: string; actor?: string; detail?: unknown }[]> {
    const rows = await this.db
      .selectFrom('task_events')
      .selectAll()
      .where('task_id', '=', taskId)
      .orderBy('version')
      .execute();
    return rows.map((r) => ({
      at: r.at,
      type: r.type,
      ...(r.actor !== null && { actor: r.actor }),
      ...(r.detail !== null && { detail: JSON.parse(r.detail) as unknown }),
    }));
  }

  /** Filtered, sorted (due date ascending by default) and paged list of tasks. */
  async listTasks(filter: TaskFilter = {}): Promise<TaskPage> {
    const sortKey = filter.sort ?? 'dueDate';
    const column = sortColumns[sortKey];
    if (!column) throw new ValidationError(`unknown sort "${String(sortKey)}"`);
    const desc = filter.order === 'desc';
    const limit = Math.min(Math.max(Math.trunc(filter.limit ?? 50), 1), 500);
    let q = this.filtered(filter).selectAll();
    if (filter.cursor) {
      const [value, id] = decodeCursor(filter.cursor);
      q = q.where((eb: ExpressionBuilder<KoersDatabase, 'tasks'>): Expression<SqlBool> =>
        eb.or([eb(column, desc ? '<' : '>', value), eb.and([eb(column, '=', value), eb('id', desc ? '<' : '>', id)])]),
      );
    } else if (filter.offset) {
      q = q.offset(Math.max(0, Math.trunc(filter.offset)));
    }
    // id breaks ties so that paging is stable.
    const rows = await q
      .orderBy(column, desc ? 'desc' : 'asc')
      .orderBy('id', desc ? 'desc' : 'asc')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit).map(toTask);
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return { tasks: page, ...(last && { nextCursor: encodeCursor(last[column], last.id) }) };
  }

  /**
   * How many tasks `filter` finds over all its pages, and how many of them are overdue on `filter.today`
   * ({@link isTaskOverdue}; 0 without a today): counted by the database, exact at any size. Paging and
   * sorting in the filter are ignored.
   */
  async countTasks(filter: TaskFilter): Promise<TaskCounts> {
    const overdue = filter.today ? sql<number | string>`sum(case when ${overdueTaskOn(filter.today)} then 1 else 0 end)` : sql<number>`0`;
    const row = await this.filtered(filter)
      .select((eb) => [eb.fn.countAll<number | string>().as('total'), overdue.as('overdue')])
      .executeTakeFirstOrThrow();
    return { total: Number(row.total), overdue: Number(row.overdue ?? 0) };
  }

  /** The tasks table narrowed by `filter`'s conditions (not its paging): the one reading of a filter, for lists and counts. */
  private filtered(filter: TaskFilter) {
    if (filter.overdue !== undefined && !filter.today) throw new ValidationError('overdue needs today');
    for (const [name, value] of [
      ['today', filter.today],
      ['dueBefore', filter.dueBefore],
    ] as const) {
      if (value !== undefined && !localDatePattern.test(value)) throw new ValidationError(`${name} must be YYYY-MM-DD`);
    }
    let q = this.db.selectFrom('tasks');
    if (filter.assignee === null) q = q.where('assignee', 'is', null);
    else if (filter.assignee !== undefined) q = q.where('assignee', '=', filter.assignee);
    if (filter.assigned !== undefined) q = q.where('assignee', filter.assigned ? 'is not' : 'is', null);
    const notAssignee = filter.notAssignee;
    if (notAssignee !== undefined) q = q.where((eb) => eb.or([eb('assignee', 'is', null), eb('assignee', '<>', notAssignee)]));
    const status = filter.status ?? activeStatuses;
    const active = status !== 'all' && asArray(status).length === activeStatuses.length && activeStatuses.every((a) => asArray(status).includes(a));
    // The inbox's own question (open and claimed) in the literal form the partial indexes carry (migration 0009_i25_list_indexes), so both databases walk them in due order.
    if (active) q = q.where(ACTIVE);
    for (const [column, values] of [
      ['candidate_group', filter.candidateGroups],
      ['municipality', filter.municipalities],
      ['kind', filter.kind === undefined ? undefined : asArray(filter.kind)],
      ['status', status === 'all' || active ? undefined : asArray(status)],
    ] as const) {
      if (!values) continue;
      // `IN ()` is a syntax error; an empty list matches nothing, as the caller meant.
      q = values.length > 0 ? q.where(column, 'in', [...values]) : q.where(sql<SqlBool>`1 = 0`);
    }
    if (filter.journeyId !== undefined) q = q.where('journey_id', '=', filter.journeyId);
    if (filter.dueBefore) q = q.where('due_date', '<', filter.dueBefore);
    if (filter.overdue !== undefined && filter.today) q = q.where(filter.overdue ? overdueTaskOn(filter.today) : sql<SqlBool>`not ${overdueTaskOn(filter.today)}`);
    return q;
  }

  private async requireTask(trx: Tx | Db, taskId: string): Promise<Task> {
    const row = await trx.selectFrom('tasks').selectAll().where('id', '=', taskId).executeTakeFirst();
    if (!row) throw new NotFoundError(`task ${taskId} not found`);
    return toTask(row);
  }

  private async transition(
    taskId: string,
    actor: string,
    event: string,
    apply: (trx: Tx, at: string) => Promise<{ changed: boolean; detail?: unknown }>,
  ): Promise<Task> {
    return this.db.transaction().execute(async (trx) => {
      const at = this.now().toISOString();
      const { changed, detail } = await apply(trx, at);
      const task = await this.requireTask(trx, taskId);
      if (changed) await addEvent(trx, taskId, task.version, at, event, actor, detail ?? null);
      return task;
    });
  }
}

function desiredColumns(t: DesiredTask, municipality: string, role: CaseworkerRole | undefined) {
  return {
    kind: t.kind as string,
    // A journey that moves to another municipality takes its open tasks along.
    municipality,
    candidate_group: t.candidateGroup as string,
    clock: (t.clock ?? null) as string | null,
    follow_up_date: t.followUpDate,
    due_date: t.dueDate,
    journey_role: (role ?? null) as string | null,
  } satisfies Partial<TasksTable>;
}

function validateDesired({ journeyId, municipality, tasks }: SyncJourneyTasksInput): void {
  if (!journeyId) throw new ValidationError('journeyId is required');
  if (!municipality) throw new ValidationError('municipality is required');
  const seen = new Set<string>();
  for (const t of tasks) {
    if (!t.key) throw new ValidationError('a desired task has no key');
    if (seen.has(t.key)) throw new ValidationError(`desired task key "${t.key}" appears twice`);
    seen.add(t.key);
    if (!localDatePattern.test(t.followUpDate) || !localDatePattern.test(t.dueDate)) {
      throw new ValidationError(`task "${t.key}": dates must be YYYY-MM-DD`);
    }
  }
}

/** Cancels an open or claimed task, recording why in its history; false when it was not active any more. */
async function cancelActiveTask(trx: Db, taskId: string, at: string, reason: string): Promise<boolean> {
  const done = await trx
    .updateTable('tasks')
    .set({ status: 'cancelled', cancelled_at: at, updated_at: at, version: sql`version + 1` })
    .where('id', '=', taskId)
    .where('status', 'in', activeStatuses)
    .returning('version')
    .executeTakeFirst();
  if (done) await addEvent(trx, taskId, done.version, at, 'cancelled', null, { reason });
  return done !== undefined;
}

async function addEvent(trx: Db, taskId: string, version: number, at: string, type: string, actor: string | null, detail: unknown) {
  await trx
    .insertInto('task_events')
    .values({ id: randomUUID(), task_id: taskId, version: Number(version), at, type, actor, detail: detail === null ? null : JSON.stringify(detail) })
    .execute();
}

function conflict(task: Task, action: string): ConflictError {
  const why =
    task.status === 'claimed'
      ? `task is claimed by ${task.assignee ?? 'someone else'}`
      : task.status === 'open'
        ? 'task is not claimed by you'
        : `task is ${task.status}`;
  return new ConflictError(`cannot ${action}: ${why}`, { taskId: task.id, status: task.status, assignee: task.assignee });
}

/** Equal as JSON with keys in any order (a form read back from the store against one parsed anew). */
function sameJson(a: unknown, b: unknown): boolean {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canonical) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : 1)).map(([k, w]) => [k, canonical(w)])) : v;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function completion(task: Task): TaskCompleted {
  return {
    journeyId: task.journeyId,
    taskId: task.id,
    taskKey: task.key,
    kind: task.kind,
    ...(task.clock && { clock: task.clock }),
    completedBy: task.completedBy ?? '',
    completedOn: task.completedAt ? amsterdamDateOf(Date.parse(task.completedAt)) : '',
    completedAt: task.completedAt ?? '',
    form: task.form as TaskForm,
  };
}

function toTask(r: TasksTable): Task {
  return {
    id: r.id,
    journeyId: r.journey_id,
    key: r.key,
    kind: r.kind as TaskKind,
    municipality: r.municipality,
    candidateGroup: r.candidate_group as CaseworkerRole,
    ...(r.journey_role !== null && { journeyRole: r.journey_role as CaseworkerRole }),
    ...(r.assignee !== null && { assignee: r.assignee }),
    ...(r.clock !== null && { clock: r.clock as ClockName }),
    followUpDate: r.follow_up_date,
    dueDate: r.due_date,
    status: r.status as TaskStatus,
    ...(r.form !== null && { form: JSON.parse(r.form) as unknown }),
    ...(r.completed_by !== null && { completedBy: r.completed_by }),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    ...(r.completed_at !== null && { completedAt: r.completed_at }),
    ...(r.cancelled_at !== null && { cancelledAt: r.cancelled_at }),
    version: Number(r.version),
  };
}

function asArray<T>(v: T | readonly T[]): readonly T[] {
  return Array.isArray(v) ? v : [v as T];
}

function encodeCursor(value: string, id: string): string {
  return Buffer.from(JSON.stringify([value, id])).toString('base64url');
}

/** Whether `cursor` is a `nextCursor` this store issued (its shape; the API refuses others as a bad query parameter). */
export function isTaskCursor(cursor: string): boolean {
  try {
    decodeCursor(cursor);
    return true;
  } catch {
    return false;
  }
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') return [v[0], v[1]];
  } catch {
    // fall through to the error below
  }
  throw new ValidationError('invalid cursor');
}
