import { clockOf, useJourneyHarness } from '../helpers/journey-harness';
import { addDays, addPeriod, addYears, dayAfter } from '../../domain/dates';
import type { LadderRung } from '../../domain/types';
import { findPolicy } from '../../domain/policies';
import { ladderAssessedSignal, taskCompletedSignal } from '../../workflows/definitions';

/** Tasks, reminders and escalations as the journey decides them, projected into the real store. */
const t = useJourneyHarness();

const clock = clockOf;

describe('a missed intake', () => {
  it('reminds, escalates to the team lead, takes the late completion, and moves on', async () => {
    const policy = findPolicy('borger-odoorn')!;
    const today = await t.h.today();
    const handle = await t.h.start({ regime: 'wi2013', permitGrantedOn: addDays(today, -3) });
    await t.h.send(handle, 'nl.koers.bijstand.applied', today);
    let state = await t.h.until(handle, (s) => s.openTasks.some((t) => t.kind === 'hold-intake'));
    const intake = clock(state, 'intake')!;
    const task = state.openTasks.find((t) => t.kind === 'hold-intake')!;
    expect(task).toMatchObject({ followUpDate: intake.targetDate, dueDate: intake.finalDate });
    const stored = await t.h.eventually(() => t.h.tasks.getTask(task.taskId), (t) => t !== undefined);
    expect(stored).toMatchObject({ status: 'open', kind: 'hold-intake', dueDate: intake.finalDate });

    // Up to the target date: the policy's reminders (those not already past when the clock started).
    await t.h.advanceTo(intake.targetDate);
    // Borger-Odoorn reminds 14 and 3 days before the target date; 14 days before lies before the
    // application itself, so only the 3-day reminder is due.
    const reminders = (await t.h.eventually(() => t.h.notifications(handle), (all) => all.some((n) => n.kind === 'reminder'))).filter((n) => n.kind === 'reminder');
    expect(reminders.map((n) => n.key)).toEqual([`reminder:intake:${intake.finalDate}:3d`]);
    expect((await t.h.notifications(handle)).some((n) => n.kind === 'escalation')).toBe(false);

    // The day after the final date: overdue, and one escalation to the team lead.
    await t.h.advanceTo(dayAfter(intake.finalDate));
    state = await t.h.until(handle, (s) => clock(s, 'intake')?.status === 'overdue');
    await t.env.sleep('3 days');
    const escalations = (await t.h.eventually(() => t.h.notifications(handle), (all) => all.some((n) => n.kind === 'escalation'))).filter((n) => n.kind === 'escalation');
    expect(escalations).toEqual([expect.objectContaining({ recipient: expect.stringContaining(policy.escalation.role) })]);
    expect(state.openTasks.map((t) => t.taskId)).toContain(task.taskId);

    // The caseworker completes the task late, as the API does: store first, then the journey.
    const heldOn = addDays(intake.finalDate, 2);
    await t.h.tasks.claim(task.taskId, 'cw-7');
    await t.h.tasks.complete(task.taskId, 'cw-7', { heldOn, interpreterUsed: true });
    await handle.signal(taskCompletedSignal, { taskKey: task.key, completedBy: 'cw-7', completedOn: await t.h.today(), form: { heldOn, interpreterUsed: true } });
    state = await t.h.until(handle, (s) => clock(s, 'intake')?.status === 'met');
    expect(clock(state, 'intake')?.settledOn).toBe(heldOn);
    expect(clock(state, 'reintegration-start')).toMatchObject({ status: 'running', startsOn: heldOn });
    expect(state.openTasks.map((t) => t.kind)).toEqual(expect.arrayContaining(['start-reintegration']));
    expect(state.openTasks.map((t) => t.kind)).not.toContain('hold-intake');
    // The journey's next projection keeps the completed task closed and opens the next one in the store.
    const next = state.openTasks.find((t) => t.kind === 'start-reintegration')!;
    expect(await t.h.eventually(() => t.h.tasks.getTask(next.taskId), (t) => t?.status === 'open')).toMatchObject({ status: 'open', dueDate: clock(state, 'reintegration-start')!.finalDate });
    expect((await t.h.tasks.getTask(task.taskId))?.status).toBe('completed');
    await t.h.record('missed-intake', handle);
    await t.h.finish(handle);
  });
});

describe('a missed inburgering term', () => {
  it('escalates and opens a review task for the team lead, never an automatic fine', async () => {
    const today = await t.h.today();
    const permit = addDays(addYears(today, -3), -1);
    const handle = await t.h.start({ regime: 'wi2013', permitGrantedOn: permit });
    const state = await t.h.until(handle, (s) => clock(s, 'inburgering')?.status === 'overdue' && s.openTasks.some((t) => t.kind === 'review-missed-term'));
    const review = state.openTasks.find((t) => t.kind === 'review-missed-term')!;
    const policy = findPolicy('borger-odoorn')!;
    const missedOn = dayAfter(addYears(permit, 3));
    // A review by the policy's escalation role within its period, decided by a person (domain/task-forms.ts).
    expect(review).toMatchObject({ candidateGroup: policy.escalation.role, followUpDate: missedOn, dueDate: addPeriod(missedOn, policy.escalation.reviewWithin) });
    expect(clock(state, 'inburgering')?.finalDate).toBe(addYears(permit, 3));
    const escalations = (await t.h.eventually(() => t.h.notifications(handle), (all) => all.some((n) => n.kind === 'escalation'))).filter(
      (n) => n.kind === 'escalation' && n.key.includes('inburgering'),
    );
    expect(escalations).toHaveLength(1);
    await t.h.finish(handle);
  });
});

describe('the participation ladder', () => {
  it('routes rungs 1-2 to a sociaal werker participatie and 3-6 to a regisseur werk (Borger-Odoorn counts rung 3 as short)', async () => {
    const today = await t.h.today();
    const handle = await t.h.start({ regime: 'wi2013', permitGrantedOn: addDays(today, -10) });
    const expected = ['sociaal-werker-participatie', 'sociaal-werker-participatie', 'regisseur-werk', 'regisseur-werk', 'regisseur-werk', 'regisseur-werk'];
    for (const [index, role] of expected.entries()) {
      await handle.signal(ladderAssessedSignal, { rung: (index + 1) as LadderRung, assessedOn: today, assessedBy: 'cw-1' });
      const state = await t.h.until(handle, (s) => s.ladder.length === index + 1);
      expect([index + 1, state.caseworker.role]).toEqual([index + 1, role]);
    }
    await t.h.finish(handle);
  });

  it("records the assess-ladder form's own day ('Beoordeeld op'), the completion day without one; a day after the completion is none", async () => {
    const today = await t.h.today();
    const handle = await t.h.start({ regime: 'wi2013', permitGrantedOn: addDays(today, -40) });
    await t.h.send(handle, 'nl.koers.intake.held', addDays(today, -20));
    const state = await t.h.until(handle, (s) => s.openTasks.some((task) => task.key === 'assess-ladder:intake'));
    expect(state.ladder).toEqual([]);
    const complete = (form: Record<string, unknown>) => handle.signal(taskCompletedSignal, { taskKey: 'assess-ladder:intake', completedBy: 'cw-1', completedOn: today, form });
    await complete({ rung: 4, assessedOn: addDays(today, -6) });
    const assessed = await t.h.until(handle, (s) => s.ladder.length === 1);
    expect(assessed.ladder[0]).toMatchObject({ rung: 4, assessedOn: addDays(today, -6), assessedBy: 'cw-1' });
    expect(assessed.openTasks.map((task) => task.key)).not.toContain('assess-ladder:intake');
    await t.h.record('ladder-assessed-on', handle);
    await t.h.finish(handle);
  });
});
