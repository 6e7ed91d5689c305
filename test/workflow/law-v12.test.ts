import { clockOf, useJourneyHarness } from '../helpers/journey-harness';
import { addDays, addWeeks, addYears } from '../../domain/dates';
import { reopenJourney } from '../../api/temporal';
import { PersonIndex } from '../../store/persons';
import type { JourneyEvent } from '../../domain/events';

/**
 * The law, v1.2 (issue 22) on the real test server with time skipping: a journey that ended reopens
 * under the same id, the Awb 4:15 suspension with the Atw after it, and a leerroute switch that does
 * not move the Wi2021 term.
 */
const t = useJourneyHarness();

describe('a journey that ended reopens (contract v1.2)', () => {
  it('an exempted Wi2013 journey ends; a bijstand application two years later runs it again with its facts, timeline, tasks and person index', async () => {
    const today = await t.h.today();
    const permit = addYears(today, -6);
    const handle = await t.h.start({ regime: 'wi2013', permitGrantedOn: permit < '2022-01-01' ? permit : '2021-06-01', birthDate: '1985-01-01' });
    const persons = new PersonIndex(t.h.db);
    expect(await persons.claim('borger-odoorn', 'person-key-1', handle.workflowId)).toEqual({ claimed: true });
    await persons.started(handle.workflowId);

    await t.h.send(handle, 'nl.koers.exemption.granted', addYears(today, -2));
    expect(await handle.result()).toMatchObject({ phase: 'exempted' });
    const firstRun = (await handle.describe()).runId;

    // Past the end: the journey stays ended until a milestone comes.
    await t.h.advanceTo(addDays(today, 30));
    expect((await handle.describe()).status.name).toBe('COMPLETED');

    const appliedOn = await t.h.today();
    const event: JourneyEvent = {
      source: 'urn:test',
      id: 'bijstand-after-exemption',
      type: 'nl.koers.bijstand.applied',
      occurredOn: appliedOn,
      data: { occurredOn: appliedOn },
      receivedAt: new Date().toISOString(),
      actor: { name: 'test caseworker', role: 'caseworker' },
    };
    expect(await reopenJourney(t.env.client, t.h.taskQueue, handle.workflowId, event)).toBe(true);

    const running = t.env.client.workflow.getHandle(handle.workflowId);
    const state = await t.h.until(running, (s) => s.milestones.bijstandAppliedOn === appliedOn);
    expect((await running.describe()).status.name).toBe('RUNNING');
    expect((await running.describe()).runId).not.toBe(firstRun);
    // The facts and the timeline of the ended run are carried; the new track's clocks and task run.
    expect(state.milestones.exemptedOn).toBe(addYears(today, -2));
    expect(state.events.map((e) => e.type)).toEqual(['nl.koers.exemption.granted', 'nl.koers.bijstand.applied']);
    expect(clockOf(state, 'inburgering')?.status).toBe('waived');
    expect(clockOf(state, 'bijstand-decision')).toMatchObject({ status: 'running', startsOn: appliedOn });
    expect(clockOf(state, 'intake')).toMatchObject({ status: 'running', startsOn: appliedOn });
    expect(state.openTasks.map((task) => task.kind)).toContain('hold-intake');
    // The ended run's history stays reachable under the same id.
    const firstHistory = await t.env.client.workflow.getHandle(handle.workflowId, firstRun).fetchHistory();
    expect(firstHistory.events?.length).toBeGreaterThan(0);
    // The person index still names the same journey: a second journey for the person stays a conflict.
    expect(await persons.claim('borger-odoorn', 'person-key-1', 'j-another')).toMatchObject({ claimed: false, journeyId: handle.workflowId });
    // The read model follows: the row is running again.
    const row = await t.h.eventually(() => t.h.readModel.get(handle.workflowId), (r) => r?.runStatus === 'running');
    expect(row?.runStatus).toBe('running');
    await t.h.record('law-v12-reopen', running);
    await t.h.finish(running);
  });
});

describe('a withdrawal reopens a journey that ended on the withdrawn milestone (contract v1.2)', () => {
  it('the exemption it ended on is withdrawn: the inburgering runs again', async () => {
    const today = await t.h.today();
    const handle = await t.h.start({ regime: 'wi2013', permitGrantedOn: '2021-06-01', birthDate: '1985-01-01' });
    await t.h.send(handle, 'nl.koers.exemption.granted', addDays(today, -10));
    expect(await handle.result()).toMatchObject({ phase: 'exempted' });
    await t.h.advanceTo(addDays(today, 7));
    const withdrawal: JourneyEvent = {
      source: 'urn:test:admin',
      id: 'withdraw-exemption',
      type: 'nl.koers.exemption.granted',
      occurredOn: await t.h.today(),
      data: { occurredOn: await t.h.today(), withdrawn: true },
      receivedAt: new Date().toISOString(),
      actor: { name: 'test admin', role: 'admin' },
      correction: true,
      reason: 'exemption granted to the wrong person',
    };
    expect(await reopenJourney(t.env.client, t.h.taskQueue, handle.workflowId, withdrawal)).toBe(true);
    const running = t.env.client.workflow.getHandle(handle.workflowId);
    const state = await t.h.until(running, (s) => s.milestones.exemptedOn === undefined && s.events.length === 2);
    expect((await running.describe()).status.name).toBe('RUNNING');
    expect(state.phase).not.toBe('exempted');
    expect(clockOf(state, 'inburgering')?.status).toBe('overdue');
    await t.h.finish(running);
  });
});

describe('the bijstand decision term (Awb art. 4:13, 4:15; Algemene termijnenwet)', () => {
  it('a request to complete suspends the term until the completion; arrival order and duplicates do not matter', async () => {
    const today = await t.h.today();
    const handle = await t.h.start({ regime: 'wi2021', permitGrantedOn: addYears(today, -1), birthDate: '1985-01-01', municipality: 'midden-drenthe' });
    const appliedOn = addDays(today, -20);
    await t.h.send(handle, 'nl.koers.bijstand.applied', appliedOn);
    // Completion first, then the request (out of order), the request twice (same source + id).
    await t.h.send(handle, 'nl.koers.bijstand.completed', addDays(appliedOn, 12));
    await t.h.send(handle, 'nl.koers.bijstand.completion-requested', addDays(appliedOn, 5), { respondBy: addDays(appliedOn, 19) }, 'request-1');
    await t.h.send(handle, 'nl.koers.bijstand.completion-requested', addDays(appliedOn, 5), { respondBy: addDays(appliedOn, 19) }, 'request-1');
    const state = await t.h.until(handle, (s) => (clockOf(s, 'bijstand-decision')?.basis?.adjustments ?? []).some((a) => a.kind === 'suspension'));
    const decision = clockOf(state, 'bijstand-decision')!;
    // Suspended from the day after the request to the completion: 7 days; then the Atw on the result.
    const suspended = addDays(addWeeks(appliedOn, 8), 7);
    expect(decision.basis?.adjustments[0]).toMatchObject({ kind: 'suspension', days: 7, from: addWeeks(appliedOn, 8), to: suspended });
    expect(decision.finalDate >= suspended).toBe(true);
    expect(decision.basis?.anchor).toEqual({ event: 'nl.koers.bijstand.applied', occurredOn: appliedOn, reportedBy: 'test partner' });
    await t.h.record('law-v12-suspension', handle);
    await t.h.finish(handle);
  });
});

describe('Wi2021 art. 11(3): a leerroute switch', () => {
  it('keeps the term of the first PIP and makes the MAP due again on the B1 route', async () => {
    const today = await t.h.today();
    const permit = addWeeks(today, -40);
    const handle = await t.h.start({ regime: 'wi2021', permitGrantedOn: permit, birthDate: '1985-01-01' });
    await t.h.send(handle, 'nl.koers.brp.registered', addWeeks(permit, 4));
    await t.h.send(handle, 'nl.koers.duo.notified', addWeeks(permit, 7));
    const firstPip = addWeeks(permit, 15);
    await t.h.send(handle, 'nl.koers.pip.established', firstPip, { leerroute: 'onderwijs' });
    let state = await t.h.until(handle, (s) => clockOf(s, 'map')?.status === 'waived');
    await t.h.send(handle, 'nl.koers.pip.established', addDays(today, -1), { leerroute: 'b1' });
    state = await t.h.until(handle, (s) => s.milestones.leerroute === 'b1');
    for (const name of ['inburgering', 'map'] as const) expect(clockOf(state, name)).toMatchObject({ startsOn: addDays(firstPip, 1), finalDate: addYears(firstPip, 3), status: 'running' });
    expect(state.openTasks.map((task) => task.kind)).toContain('offer-map');
    await t.h.record('law-v12-leerroute-switch', handle);
    await t.h.finish(handle);
  });
});
