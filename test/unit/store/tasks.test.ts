import type { DesiredTask } from '../../../domain/types';
import { ConflictError, NotFoundError, ValidationError } from '../../../store/errors';
import { isTaskOverdue, TaskStore, type TaskFilter } from '../../../store/tasks';
import { taskIdFor } from '../../../domain/tasks';
import { describeEachDatabase } from './databases';

const intake: DesiredTask = {
  key: 'intake',
  kind: 'hold-intake',
  candidateGroup: 'regisseur-werk',
  clock: 'intake',
  followUpDate: '2026-05-04',
  dueDate: '2026-05-11',
};
const ladder: DesiredTask = {
  key: 'ladder-1',
  kind: 'assess-ladder',
  candidateGroup: 'sociaal-werker-participatie',
  followUpDate: '2026-06-01',
  dueDate: '2026-06-15',
};
const base = { journeyId: 'j-1', municipality: 'borger-odoorn' };

describeEachDatabase('TaskStore', (t) => {
  let clock = Date.parse('2026-04-27T08:00:00Z');
  const now = () => new Date(clock);
  const store = () => new TaskStore(t.db(), { now });
  const count = async () => Number((await t.db().selectFrom('tasks').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  beforeEach(() => {
    clock = Date.parse('2026-04-27T08:00:00Z');
  });

  describe('syncJourneyTasks', () => {
    it('creates the desired tasks with a deterministic id, and a second identical call changes nothing', async () => {
      const s = store();
      expect(await s.syncJourneyTasks({ ...base, caseworkerRole: 'regisseur-werk', tasks: [intake, ladder] })).toEqual({
        created: ['intake', 'ladder-1'],
        updated: [],
        reopened: [],
        cancelled: [],
      });
      expect(await s.syncJourneyTasks({ ...base, caseworkerRole: 'regisseur-werk', tasks: [intake, ladder] })).toEqual({
        created: [],
        updated: [],
        reopened: [],
        cancelled: [],
      });
      expect(await count()).toBe(2);
      const task = await s.getTask(taskIdFor('j-1', 'intake'));
      expect(task).toMatchObject({
        journeyId: 'j-1',
        key: 'intake',
        kind: 'hold-intake',
        status: 'open',
        candidateGroup: 'regisseur-werk',
        journeyRole: 'regisseur-werk',
        clock: 'intake',
        followUpDate: '2026-05-04',
        dueDate: '2026-05-11',
        createdAt: '2026-04-27T08:00:00.000Z',
      });
      expect(task?.assignee).toBeUndefined();
    });

    it('never creates a second task when called concurrently (retries racing a slow first attempt)', async () => {
      const s = store();
      const other = t.kind === 'postgres' ? new TaskStore(t.openAnother(), { now }) : s;
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => (i % 2 ? other : s).syncJourneyTasks({ ...base, tasks: [intake, ladder] })),
      );
      expect(await count()).toBe(2);
      expect(results.flatMap((r) => r.created).sort()).toEqual(['intake', 'ladder-1']);
    });

    it('moves dates of active tasks, cancels unwanted ones, keeps completed ones, reopens a wanted-again one', async () => {
      const s = store();
      await s.syncJourneyTasks({ ...base, tasks: [intake, ladder] });
      const ladderId = taskIdFor('j-1', 'ladder-1');
      const intakeId = taskIdFor('j-1', 'intake');
      await s.claim(ladderId, 'anna');
      await s.complete(ladderId, 'anna', { rung: 3 });

      clock += 3600_000;
      const moved = { ...intake, followUpDate: '2026-05-06', dueDate: '2026-05-13' };
      expect(await s.syncJourneyTasks({ ...base, tasks: [moved] })).toEqual({ created: [], updated: ['intake'], reopened: [], cancelled: [] });
      expect(await s.getTask(intakeId)).toMatchObject({ followUpDate: '2026-05-06', dueDate: '2026-05-13', status: 'open' });
      expect(await s.getTask(ladderId)).toMatchObject({ status: 'completed' });

      expect(await s.syncJourneyTasks({ ...base, tasks: [] })).toEqual({ created: [], updated: [], reopened: [], cancelled: ['intake'] });
      expect(await s.getTask(intakeId)).toMatchObject({ status: 'cancelled', cancelledAt: '2026-04-27T09:00:00.000Z' });
      expect(await s.syncJourneyTasks({ ...base, tasks: [] })).toEqual({ created: [], updated: [], reopened: [], cancelled: [] });

      expect(await s.syncJourneyTasks({ ...base, tasks: [moved] })).toEqual({ created: [], updated: [], reopened: ['intake'], cancelled: [] });
      const reopened = await s.getTask(intakeId);
      expect(reopened).toMatchObject({ status: 'open' });
      expect(reopened?.cancelledAt).toBeUndefined();
      expect((await s.taskHistory(intakeId)).map((e) => e.type)).toEqual(['created', 'updated', 'cancelled', 'reopened']);
    });

    it('cancels a claimed task the journey no longer needs, and leaves other journeys alone', async () => {
      const s = store();
      await s.syncJourneyTasks({ ...base, tasks: [intake] });
      await s.syncJourneyTasks({ ...base, journeyId: 'j-2', tasks: [intake] });
      await s.claim(taskIdFor('j-1', 'intake'), 'anna');
      expect((await s.syncJourneyTasks({ ...base, tasks: [] })).cancelled).toEqual(['intake']);
      expect(await s.getTask(taskIdFor('j-1', 'intake'))).toMatchObject({ status: 'cancelled', assignee: 'anna' });
      expect(await s.getTask(taskIdFor('j-2', 'intake'))).toMatchObject({ status: 'open' });
    });

    it('moves active tasks along when the journey moves to another municipality or caseworker role', async () => {
      const s = store();
      await s.syncJourneyTasks({ ...base, caseworkerRole: 'regisseur-werk', tasks: [intake, ladder] });
      await s.claim(taskIdFor('j-1', 'ladder-1'), 'anna');
      await s.complete(taskIdFor('j-1', 'ladder-1'), 'anna', { rung: 2 });
      const moved = await s.syncJourneyTasks({ ...base, municipality: 'midden-drenthe', caseworkerRole: 'sociaal-werker-participatie', tasks: [intake, ladder] });
      expect(moved.updated).toEqual(['intake']);
      expect(await s.getTask(taskIdFor('j-1', 'intake'))).toMatchObject({ municipality: 'midden-drenthe', journeyRole: 'sociaal-werker-participatie' });
      // History stays where it happened.
      expect(await s.getTask(taskIdFor('j-1', 'ladder-1'))).toMatchObject({ municipality: 'borger-odoorn', status: 'completed' });
    });

    it('creates a pre-assigned task as claimed, and does not take a claim away on later syncs', async () => {
      const s = store();
      await s.syncJourneyTasks({ ...base, tasks: [{ ...intake, assignee: 'bert' }] });
      const id = taskIdFor('j-1', 'intake');
      expect(await s.getTask(id)).toMatchObject({ status: 'claimed', assignee: 'bert' });
      await s.reassign(id, 'anna', 'lead');
      await s.syncJourneyTasks({ ...base, tasks: [{ ...intake, assignee: 'bert' }] });
      expect(await s.getTask(id)).toMatchObject({ assignee: 'anna' });
    });

    it('rejects duplicate keys and malformed dates in one call', async () => {
      await expect(store().syncJourneyTasks({ ...base, tasks: [intake, intake] })).rejects.toBeInstanceOf(ValidationError);
      await expect(store().syncJourneyTasks({ ...base, tasks: [{ ...intake, dueDate: '11-05-2026' }] })).rejects.toBeInstanceOf(ValidationError);
      expect(await count()).toBe(0);
    });
  });

  describe('lifecycle', () => {
    const id = taskIdFor('j-1', 'intake');
    const form = { heldOn: '2026-05-05', interpreterUsed: true };

    it('open → claimed → completed, returning what the journey must be told', async () => {
      const s = store();
      await s.syncJourneyTasks({ ...base, tasks: [intake] });
      expect(await s.claim(id, 'anna')).toMatchObject({ status: 'claimed', assignee: 'anna' });
      // Claiming your own task again is a no-op.
      expect(await s.claim(id, 'anna')).toMatchObject({ status: 'claimed', assignee: 'anna' });
      clock = Date.parse('2026-05-05T22:30:00Z'); // already 6 May in Amsterdam
      const done = await s.complete(id, 'anna', form);
      expect(done).toEqual({
        journeyId: 'j-1',
        taskId: id,
        taskKey: 'intake',
        kind: 'hold-intake',
        clock: 'intake',
        completedBy: 'anna',
        completedOn: '2026-05-06',
        completedAt: '2026-05-05T22:30:00.000Z',
        form,
      });
      expect(await s.getTask(id)).toMatchObject({ status: 'completed', completedBy: 'anna', form });
      // A retried HTTP request by the same user gets the same answer.
      expect(await s.complete(id, 'anna', form)).toEqual(done);
      expect((await s.taskHistory(id)).map((e) => [e.type, e.actor])).toEqual([
        ['created', undefined],
        ['claimed', 'anna'],
        ['completed', 'anna'],
      ]);
    });

    it("409 when claiming someone else's task, unclaiming or completing it", async () => {
      const s = store();
      await s.syncJourneyTasks({ ...base, tasks: [intake] });
      await s.claim(id, 'anna');
      const error = await s.claim(id, 'bert').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toMatchObject({ status: 409, details: { taskId: id, status: 'claimed', assignee: 'anna' } });
      await expect(s.unclaim(id, 'bert')).rejects.toMatchObject({ status: 409 });
      await expect(s.complete(id, 'bert', form)).rejects.toMatchObject({ status: 409 });
      expect(await s.getTask(id)).toMatchObject({ assignee: 'anna', status: 'claimed' });
    });

    it('only one of two concurrent claims wins', async () => {
      const s = store();
      await s.syncJourneyTasks({ ...base, tasks: [intake] });
      const other = t.kind === 'postgres' ? new TaskStore(t.openAnother(), { now }) : s;
      const outcomes = await Promise.allSettled([s.claim(id, 'anna'), other.claim(id, 'bert')]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const rejected = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(rejected?.reason).toBeInstanceOf(ConflictError);
    });

    it('unclaim returns the task to the group; reassign moves it; completing needs a claim', async () => {
      const s = store();
      await s.syncJourneyTasks({ ...base, tasks: [intake] });
      await expect(s.complete(id, 'anna', form)).rejects.toThrow(/claim the task/);
      await s.claim(id, 'anna');
      expect(await s.unclaim(id, 'anna')).toMatchObject({ status: 'open' });
      expect((await s.unclaim(id, 'anna')).status).toBe('open'); // no-op
      expect(await s.reassign(id, 'bert', 'lead')).toMatchObject({ status: 'claimed', assignee: 'bert' });
      expect(await s.reassign(id, 'carla', 'lead')).toMatchObject({ assignee: 'carla' });
      await s.complete(id, 'carla', form);
      await expect(s.reassign(id, 'bert', 'lead')).rejects.toMatchObject({ status: 409, message: /completed/ });
      await expect(s.claim(id, 'bert')).rejects.toMatchObject({ status: 409 });
      const history = await s.taskHistory(id);
      expect(history.filter((e) => e.type === 'reassigned').map((e) => [e.actor, e.detail])).toEqual([
        ['lead', { from: null, to: 'bert' }],
        ['lead', { from: 'bert', to: 'carla' }],
      ]);
    });

    it('a cancelled task can be neither claimed nor completed', async () => {
      const s = store();
      await s.syncJourneyTasks({ ...base, tasks: [intake] });
      await s.claim(id, 'anna');
      await s.syncJourneyTasks({ ...base, tasks: [] });
      await expect(s.complete(id, 'anna', form)).rejects.toMatchObject({ status: 409, message: /cancelled/ });
      await expect(s.claim(id, 'anna')).rejects.toMatchObject({ status: 409 });
    });

    it('validates the completion form per kind and leaves the task claimed when invalid', async () => {
      const s = store();
      await s.syncJourneyTasks({ ...base, tasks: [intake, ladder] });
      const ladderId = taskIdFor('j-1', 'ladder-1');
      await s.claim(id, 'anna');
      await s.claim(ladderId, 'anna');
      const error = await s.complete(id, 'anna', { heldOn: '2026-02-30', interpreterUsed: 'yes' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((i) => i.path).sort()).toEqual(['heldOn', 'interpreterUsed']);
      await expect(s.complete(ladderId, 'anna', { rung: 7 })).rejects.toMatchObject({ status: 400 });
      expect(await s.getTask(id)).toMatchObject({ status: 'claimed' });
      expect((await s.complete(ladderId, 'anna', { rung: 4 })).form).toEqual({ rung: 4 });
    });

    it('404 for an unknown task', async () => {
      await expect(store().claim('nope', 'anna')).rejects.toBeInstanceOf(NotFoundError);
      expect(await store().getTask('nope')).toBeUndefined();
    });
  });

  describe('listTasks', () => {
    const seed = async (s: TaskStore) => {
      const day = (d: number) => `2026-05-${String(d).padStart(2, '0')}`;
      for (let j = 1; j <= 4; j++) {
        await s.syncJourneyTasks({
          journeyId: `j-${j}`,
          municipality: j <= 2 ? 'borger-odoorn' : 'midden-drenthe',
          tasks: [
            { ...intake, followUpDate: day(j), dueDate: day(10 + j) },
            { ...ladder, followUpDate: day(j + 1), dueDate: day(20 - j) },
          ],
        });
      }
      await s.claim(taskIdFor('j-1', 'intake'), 'anna');
      await s.claim(taskIdFor('j-3', 'ladder-1'), 'anna');
      await s.claim(taskIdFor('j-2', 'intake'), 'bert');
      await s.complete(taskIdFor('j-2', 'intake'), 'bert', { heldOn: '2026-05-02', interpreterUsed: false });
    };
    const keys = (tasks: { journeyId: string; key: string }[]) => tasks.map((x) => `${x.journeyId}/${x.key}`);

    it('shows active tasks by due date ascending by default', async () => {
      const s = store();
      await seed(s);
      const { tasks, nextCursor } = await s.listTasks();
      expect(keys(tasks)).toEqual(['j-1/intake', 'j-3/intake', 'j-4/intake', 'j-4/ladder-1', 'j-3/ladder-1', 'j-2/ladder-1', 'j-1/ladder-1']);
      expect(tasks.map((x) => x.dueDate)).toEqual([...tasks.map((x) => x.dueDate)].sort());
      expect(nextCursor).toBeUndefined();
    });

    it('filters by assignee, unassigned, group, municipality, journey, kind, status, dueBefore and overdue', async () => {
      const s = store();
      await seed(s);
      expect(keys((await s.listTasks({ assignee: 'anna' })).tasks)).toEqual(['j-1/intake', 'j-3/ladder-1']);
      expect((await s.listTasks({ assignee: null })).tasks).toHaveLength(5);
      expect((await s.listTasks({ candidateGroups: ['sociaal-werker-participatie'] })).tasks).toHaveLength(4);
      expect((await s.listTasks({ candidateGroups: [] })).tasks).toHaveLength(0);
      expect(keys((await s.listTasks({ municipalities: ['borger-odoorn'] })).tasks)).toEqual(['j-1/intake', 'j-2/ladder-1', 'j-1/ladder-1']);
      expect(keys((await s.listTasks({ journeyId: 'j-2', status: 'all' })).tasks)).toEqual(['j-2/intake', 'j-2/ladder-1']);
      expect(keys((await s.listTasks({ kind: 'hold-intake' })).tasks)).toEqual(['j-1/intake', 'j-3/intake', 'j-4/intake']);
      expect(keys((await s.listTasks({ status: 'completed' })).tasks)).toEqual(['j-2/intake']);
      expect(keys((await s.listTasks({ dueBefore: '2026-05-14' })).tasks)).toEqual(['j-1/intake', 'j-3/intake']);
      // Due 13 May is still on time on the 13th and overdue from the 14th.
      expect(keys((await s.listTasks({ overdue: true, today: '2026-05-13' })).tasks)).toEqual(['j-1/intake']);
      expect(keys((await s.listTasks({ overdue: true, today: '2026-05-14' })).tasks)).toEqual(['j-1/intake', 'j-3/intake']);
      await expect(s.listTasks({ overdue: true })).rejects.toBeInstanceOf(ValidationError);
    });

    it('counts what a filter finds and its overdue tasks as the list and each task say, on any day', async () => {
      const s = store();
      await seed(s);
      const filters: TaskFilter[] = [{}, { status: 'all' }, { assignee: 'anna' }, { notAssignee: 'anna' }, { municipalities: ['midden-drenthe'] }, { kind: 'hold-intake' }, { overdue: true }, { overdue: false }, { status: 'completed' }];
      for (const today of ['2026-05-10', '2026-05-13', '2026-05-14', '2026-05-19', '2026-06-30']) {
        for (const filter of filters) {
          const listed = (await s.listTasks({ ...filter, today, limit: 500 })).tasks;
          expect({ filter, today, ...(await s.countTasks({ ...filter, today })) }).toEqual({ filter, today, total: listed.length, overdue: listed.filter((x) => isTaskOverdue(x, today)).length });
          if (filter.overdue !== undefined) expect(listed.every((x) => isTaskOverdue(x, today) === filter.overdue)).toBe(true);
        }
      }
      // Not held by anna: the pool and bert's.
      expect(keys((await s.listTasks({ notAssignee: 'anna' })).tasks)).toEqual(['j-3/intake', 'j-4/intake', 'j-4/ladder-1', 'j-2/ladder-1', 'j-1/ladder-1']);
      expect(await s.countTasks({ today: '2026-05-14' })).toEqual({ total: 7, overdue: 2 });
      expect(await s.countTasks({})).toEqual({ total: 7, overdue: 0 });
    });

    it('pages with a cursor and with limit/offset, in both orders', async () => {
      const s = store();
      await seed(s);
      const all = keys((await s.listTasks({ status: 'all' })).tasks);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await s.listTasks({ status: 'all', limit: 3, ...(cursor && { cursor }) });
        seen.push(...keys(page.tasks));
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      expect(seen).toEqual(all);
      expect(pages).toBe(3);
      expect(keys((await s.listTasks({ status: 'all', limit: 2, offset: 2 })).tasks)).toEqual(all.slice(2, 4));
      const desc = await s.listTasks({ status: 'all', order: 'desc', limit: 5 });
      const rest = await s.listTasks({ status: 'all', order: 'desc', cursor: desc.nextCursor! });
      expect([...keys(desc.tasks), ...keys(rest.tasks)]).toEqual([...all].reverse());
      const byFollowUp = (await s.listTasks({ sort: 'followUpDate' })).tasks.map((x) => x.followUpDate);
      expect(byFollowUp).toEqual([...byFollowUp].sort());
      await expect(s.listTasks({ cursor: 'garbage' })).rejects.toBeInstanceOf(ValidationError);
    });
  });
});
