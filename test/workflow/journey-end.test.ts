import { useJourneyHarness } from '../helpers/journey-harness';
import { addDays } from '../../domain/dates';
import { reopenJourney, withdrawJourneyEnd } from '../../api/temporal';
import { endJourneySignal, JOURNEY_ENDED, type JourneyState } from '../../workflows/definitions';

/**
 * A journey ends for a reason outside the law's milestones (the BRP says the person died) on the
 * time-skipping server: its clocks stop, its open tasks are cancelled naming the reason, it completes
 * with `ended` in the read model, and no later milestone reopens it. Records a history for the replay
 * test (behaviour behind `patched('journey-end-reason')`).
 */
const t = useJourneyHarness();

describe('a journey ended for a reason (the BRP: died)', () => {
  it('stops its clocks, cancels its open tasks with the reason, completes with it, sends nothing more, and takes no later milestone', async () => {
    const today = await t.h.today();
    const handle = await t.h.start({ regime: 'wi2013', permitGrantedOn: addDays(today, -100), birthDate: '1990-05-01' });
    await t.h.send(handle, 'nl.koers.bijstand.applied', addDays(today, -90));
    await t.h.send(handle, 'nl.koers.brp.registered', addDays(today, -95));
    await t.h.until(handle, (s) => s.openTasks.length > 0 && s.clocks.some((c) => c.status === 'overdue'));
    const all = async () => (await t.h.tasks.listTasks({ journeyId: handle.workflowId, status: 'all', limit: 500 })).tasks;
    const open = await t.h.eventually(all, (tasks) => tasks.some((task) => task.status === 'open'));
    const openKeys = open.filter((task) => task.status === 'open' || task.status === 'claimed').map((task) => task.key);
    expect(openKeys.length).toBeGreaterThan(0);
    const notificationsBefore = (await t.h.notifications(handle)).length;

    const ending = { id: 'brp-end:deceased:x', reason: 'deceased' as const, on: addDays(today, -3), confirmedBy: 'cw-1', confirmedOn: today };
    await handle.signal(endJourneySignal, ending);
    // A resent confirmation changes nothing.
    await handle.signal(endJourneySignal, ending);
    const outcome = await handle.result();
    expect(outcome.finishedOn).toBe(today);

    const row = await t.h.eventually(() => t.h.readModel.get<JourneyState>(handle.workflowId), (r) => r?.runStatus === 'completed');
    expect(row?.view.ended).toEqual({ reason: 'deceased', on: ending.on, confirmedOn: today, confirmedBy: 'cw-1' });
    expect(row?.view.openTasks).toEqual([]);
    expect(row?.view.clocks.filter((c) => c.status === 'running' || c.status === 'overdue')).toEqual([]);
    expect(row?.view.events.filter((e) => e.type === JOURNEY_ENDED)).toHaveLength(1);
    expect(row?.nextFinalDate).toBeUndefined();

    const tasks = await all();
    for (const key of openKeys) {
      const task = tasks.find((x) => x.key === key)!;
      expect(task.status).toBe('cancelled');
      const history = await t.h.tasks.taskHistory(task.id);
      expect(history.at(-1)).toMatchObject({ type: 'cancelled', detail: { reason: 'journey ended: deceased' } });
    }

    // Months later: no reminder or escalation was queued after the end.
    await t.h.advanceTo(addDays(today, 200));
    expect((await t.h.notifications(handle)).length).toBe(notificationsBefore);

    // A partner's later milestone does not reopen a journey that ended for a reason.
    const event = { source: 'urn:test', id: 'late-1', type: 'nl.koers.intake.held' as const, occurredOn: today, data: { occurredOn: today }, receivedAt: new Date().toISOString() };
    expect(await reopenJourney(t.env.client, t.h.taskQueue, handle.workflowId, event)).toBe(false);
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    await t.h.record('journey-end-deceased', handle);
  });
});

describe('an end withdrawn by an administrator (a correction, contract v1.2)', () => {
  it('runs the journey again with its clocks and tasks, and shows the end as withdrawn with what it replaced', async () => {
    const today = await t.h.today();
    const handle = await t.h.start({ regime: 'wi2013', permitGrantedOn: addDays(today, -100), birthDate: '1990-05-01' });
    await t.h.send(handle, 'nl.koers.bijstand.applied', addDays(today, -90));
    const before = await t.h.until(handle, (s) => s.openTasks.length > 0);
    await handle.signal(endJourneySignal, { id: 'brp-end:emigrated:x', reason: 'emigrated', confirmedBy: 'cw-1', confirmedOn: today });
    await handle.result();

    const withdrawal = { id: 'withdraw-1', reason: 'BRP: vertrek ten onrechte geregistreerd', withdrawnBy: 'admin-1', withdrawnOn: today };
    expect(await withdrawJourneyEnd(t.env.client, t.h.taskQueue, handle.workflowId, withdrawal)).toBe(true);
    const reopened = t.env.client.workflow.getHandle(handle.workflowId);
    const after = await t.h.until(reopened, (s) => s.ended === undefined && s.openTasks.length > 0);
    expect((await reopened.describe()).status.name).toBe('RUNNING');
    expect(after.clocks.map((c) => [c.name, c.status])).toEqual(before.clocks.map((c) => [c.name, c.status]));
    expect(after.openTasks.map((task) => task.key)).toEqual(before.openTasks.map((task) => task.key));
    expect(after.events.at(-1)).toMatchObject({ type: JOURNEY_ENDED, correction: true, withdrawn: true, reason: withdrawal.reason, replaced: { ended: { reason: 'emigrated', confirmedOn: today } } });
    // The tasks the end cancelled are open again in the store.
    const keys = new Set(before.openTasks.map((task) => task.key));
    await t.h.eventually(
      async () => (await t.h.tasks.listTasks({ journeyId: handle.workflowId, status: 'all', limit: 500 })).tasks.filter((task) => keys.has(task.key)),
      (tasks) => tasks.length === keys.size && tasks.every((task) => task.status === 'open' || task.status === 'claimed'),
    );
    // Nothing left to withdraw: a second withdrawal finds no end.
    expect(await withdrawJourneyEnd(t.env.client, t.h.taskQueue, handle.workflowId, { ...withdrawal, id: 'withdraw-2' })).toBe(true);
    const again = await t.h.until(reopened, (s) => s.events.length === after.events.length);
    expect(again.events.filter((e) => e.id === 'withdraw-2')).toEqual([]);
    await t.h.record('journey-end-withdrawn', reopened);
    await t.h.finish(reopened);
  });
});
