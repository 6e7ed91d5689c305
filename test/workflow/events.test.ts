import { WorkflowUpdateFailedError } from '@temporalio/client';
import { clockOf, useJourneyHarness } from '../helpers/journey-harness';
import { addDays } from '../../domain/dates';
import { findPolicy } from '../../domain/policies';
import { amendPolicySignal, DEFAULT_MAX_HISTORY_EVENTS, requestExtensionUpdate, type JourneyState } from '../../workflows/definitions';

/** How events behave: idempotent, order-independent, backdated; and state across continue-as-new. */
const t = useJourneyHarness();

const clock = clockOf;
const withoutLogs = (s: JourneyState) => ({ clocks: s.clocks, phase: s.phase, milestones: s.milestones, openTasks: s.openTasks });

describe('partner events', () => {
  it('ignores a duplicate (same source and id): nothing changes', async () => {
    const today = await t.h.today();
    const handle = await t.h.start({ regime: 'wi2013', permitGrantedOn: addDays(today, -30) });
    const first = await t.h.send(handle, 'nl.koers.brp.registered', addDays(today, -20), {}, 'brp-1');
    const once = await t.h.until(handle, (s) => s.events.length === 1);
    // Same source + id, even with other data: a duplicate, not a correction.
    await t.h.send(handle, 'nl.koers.brp.registered', addDays(today, -5), {}, first.id);
    await t.h.send(handle, 'nl.koers.bijstand.applied', addDays(today, -2), {}, 'bijstand-1');
    const after = await t.h.until(handle, (s) => s.events.length === 2);
    expect(after.events.map((e) => e.id)).toEqual(['brp-1', 'bijstand-1']);
    expect(clock(after, 'participatieverklaring')).toEqual(clock(once, 'participatieverklaring'));
    expect(after.milestones.brpRegisteredOn).toBe(addDays(today, -20));
    await t.h.finish(handle);
  });

  it('gives the same journey whatever order the events arrive in', async () => {
    const today = await t.h.today();
    const permit = addDays(today, -200);
    const events = [
      ['nl.koers.exam.passed', addDays(today, -1), { route: 'inburgeringsexamen' }],
      ['nl.koers.brp.registered', addDays(permit, 10), {}],
      ['nl.koers.bijstand.applied', addDays(permit, 12), {}],
      ['nl.koers.intake.held', addDays(permit, 20), {}],
      ['nl.koers.participatieverklaring.signed', addDays(today, -3), {}],
    ] as const;
    const forward = await t.h.start({ regime: 'wi2013', permitGrantedOn: permit });
    const backward = await t.h.start({ regime: 'wi2013', permitGrantedOn: permit });
    for (const [type, on, data] of events) await t.h.send(forward, type, on, data);
    for (const [type, on, data] of [...events].reverse()) await t.h.send(backward, type, on, data);
    const a = await t.h.until(forward, (s) => s.events.length === events.length);
    const b = await t.h.until(backward, (s) => s.events.length === events.length);
    expect(withoutLogs(b)).toEqual({ ...withoutLogs(a), openTasks: withoutLogs(a).openTasks.map((t) => ({ ...t, taskId: t.taskId.replace(forward.workflowId, backward.workflowId) })) });
    expect(a.phase).toBe('plicht-met');
    await t.h.finish(forward);
    await t.h.finish(backward);
  });

  it('makes a clock overdue at once when a backdated event puts its final date in the past, and escalates', async () => {
    const today = await t.h.today();
    const handle = await t.h.start({ regime: 'wi2013', permitGrantedOn: addDays(today, -60) });
    const applied = addDays(today, -30); // Borger-Odoorn: intake within 14 days
    await t.h.send(handle, 'nl.koers.bijstand.applied', applied);
    const state = await t.h.until(handle, (s) => clock(s, 'intake')?.status === 'overdue');
    expect(clock(state, 'intake')).toMatchObject({ finalDate: addDays(applied, 14) });
    const escalations = (await t.h.eventually(() => t.h.notifications(handle), (all) => all.some((n) => n.kind === 'escalation'))).filter((n) => n.kind === 'escalation');
    expect(escalations).toEqual([expect.objectContaining({ recipient: expect.stringContaining('team-lead') })]);
    // Reminders before a target date that has already passed would be noise: none is sent.
    expect((await t.h.notifications(handle)).filter((n) => n.kind === 'reminder' && n.key.startsWith('reminder:intake:'))).toEqual([]);
    await t.h.finish(handle);
  });
});

describe('extension requests (Update with validator)', () => {
  it('rejects an invalid ground or date without recording anything, and accepts a valid one', async () => {
    const today = await t.h.today();
    const handle = await t.h.start({ regime: 'wi2013', permitGrantedOn: addDays(today, -400) });
    await t.h.until(handle, (s) => s.clocks.length > 0);

    const rejected = handle.executeUpdate(requestExtensionUpdate, {
      args: [{ ground: 'too-busy', requestedOn: today, requestedBy: 'cw-1' }],
    });
    await expect(rejected).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    await expect(
      handle.executeUpdate(requestExtensionUpdate, {
        args: [{ ground: 'illness', requestedOn: addDays(today, 10), requestedBy: 'cw-1' }],
      }),
    ).rejects.toMatchObject({ cause: { type: 'InvalidExtensionRequest', details: [{ field: 'requestedOn' }] } });
    expect((await t.h.state(handle)).extensionRequests).toEqual([]);

    const accepted = await handle.executeUpdate(requestExtensionUpdate, {
      args: [{ ground: 'illness', requestedOn: today, circumstanceFrom: addDays(today, -120), circumstanceUntil: addDays(today, -1), requestedBy: 'cw-1' }],
    });
    expect(accepted).toEqual({ accepted: true });
    expect((await t.h.state(handle)).extensionRequests).toHaveLength(1);
    await t.h.finish(handle);
  });
});

describe('years of history', () => {
  it('continues as new mid-journey with facts, logs and the dedupe set intact', async () => {
    const today = await t.h.today();
    const permit = addDays(today, -100);
    const handle = await t.h.start({ regime: 'wi2013', permitGrantedOn: permit, maxHistoryEvents: 40 });
    const firstRunId = (await handle.describe()).runId;
    await t.h.send(handle, 'nl.koers.brp.registered', addDays(permit, 5), {}, 'brp-1');
    // Many duplicate reports: each is a signal in history, none a change.
    for (let i = 0; i < 30; i++) await t.h.send(handle, 'nl.koers.brp.registered', addDays(permit, 5), {}, 'brp-1');
    await t.h.send(handle, 'nl.koers.bijstand.applied', addDays(permit, 6), {}, 'bijstand-1');
    await t.env.sleep('2 days');
    const state = await t.h.until(handle, (s) => s.events.length === 2);
    const described = await t.env.client.workflow.getHandle(handle.workflowId).describe();
    expect(described.runId).not.toBe(firstRunId);
    expect(state.events.map((e) => e.id)).toEqual(['brp-1', 'bijstand-1']);
    expect(state.milestones).toMatchObject({ brpRegisteredOn: addDays(permit, 5), bijstandAppliedOn: addDays(permit, 6) });
    // The dedupe set crossed over too.
    await t.h.send(t.env.client.workflow.getHandle(handle.workflowId), 'nl.koers.brp.registered', addDays(permit, 9), {}, 'brp-1');
    await t.env.sleep('1 hour');
    const after = await t.h.state(t.env.client.workflow.getHandle(handle.workflowId));
    expect(after.events).toHaveLength(2);
    expect(after.milestones.brpRegisteredOn).toBe(addDays(permit, 5));
    await t.h.finish(t.env.client.workflow.getHandle(handle.workflowId));
  });
});

describe('history limit of journeys started before it was pinned', () => {
  it('a journey whose input has no maxHistoryEvents continues as new past the default, not past 10,000', async () => {
    const permit = addDays(await t.h.today(), -100);
    const handle = await t.h.start({ regime: 'wi2013', permitGrantedOn: permit });
    const firstRunId = (await handle.describe()).runId;
    await t.h.send(handle, 'nl.koers.brp.registered', addDays(permit, 5), {}, 'brp-1');
    const current = t.env.client.workflow.getHandle(handle.workflowId);
    // Duplicate reports: each adds a signal and usually a workflow task to the history, no change.
    for (let sent = 0; (await current.describe()).runId === firstRunId; sent++) {
      if (sent > 2 * DEFAULT_MAX_HISTORY_EVENTS) throw new Error('the run never continued as new');
      await t.h.send(current, 'nl.koers.brp.registered', addDays(permit, 5), {}, 'brp-1');
      await t.env.sleep('1 second');
    }
    const firstRunHandle = t.env.client.workflow.getHandle(handle.workflowId, firstRunId);
    await t.h.record('history-limit-default', firstRunHandle);
    const firstRun = await firstRunHandle.fetchHistory();
    expect(firstRun.events!.length).toBeGreaterThan(DEFAULT_MAX_HISTORY_EVENTS);
    expect(firstRun.events!.length).toBeLessThan(DEFAULT_MAX_HISTORY_EVENTS + 40);
    const state = await t.h.until(current, (s) => s.events.length === 1);
    expect(state.milestones.brpRegisteredOn).toBe(addDays(permit, 5));
    await t.h.finish(current);
  });
});

describe('policy pinning', () => {
  it('keeps the pinned policy until an explicit, logged amendment', async () => {
    const today = await t.h.today();
    const handle = await t.h.start({ regime: 'wi2013', permitGrantedOn: addDays(today, -10) });
    await t.h.send(handle, 'nl.koers.bijstand.applied', addDays(today, -1));
    let state = await t.h.until(handle, (s) => clock(s, 'intake') !== undefined);
    expect(clock(state, 'intake')?.finalDate).toBe(addDays(today, 13));
    const base = findPolicy('borger-odoorn')!;
    const amended = { ...base, version: base.version + 100, periods: { ...base.periods, intake: { weeks: 4 } } };
    await handle.signal(amendPolicySignal, { policy: amended, reason: 'verordening 2027', amendedBy: 'admin-1' });
    state = await t.h.until(handle, (s) => s.amendments.length === 1);
    expect(state.policy).toEqual({ id: 'borger-odoorn', version: base.version + 100 });
    expect(state.amendments[0]).toMatchObject({ from: { version: base.version }, to: { version: base.version + 100 }, reason: 'verordening 2027', amendedBy: 'admin-1' });
    expect(clock(state, 'intake')?.finalDate).toBe(addDays(addDays(today, -1), 28));
    await t.h.finish(handle);
  });
});
