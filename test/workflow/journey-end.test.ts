import { useJourneyHarness } from '../helpers/journey-harness';
import { addDays } from '../../domain/dates';
import { reopenJourney } from '../../api/temporal';
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
