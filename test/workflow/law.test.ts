import { clockOf, useJourneyHarness } from '../helpers/journey-harness';
import { addDays, addMonths, addWeeks, addYears, dayAfter } from '../../domain/dates';
import { PLICHT_CLOCKS } from '../../domain/clocks';
import { statutoryTermEnd } from '../../domain/termijnenwet';
import { ladderAssessedSignal, startInstrumentUpdate, taskCompletedSignal, type JourneyState } from '../../workflows/definitions';

/**
 * The whole journey under the law (issue 10, contract v1.1) on the real test server with time skipping:
 * who is inburgeringsplichtig and from when, the Participatiewet track, and journeys that end only when
 * every track is done.
 */
const t = useJourneyHarness();

const clock = clockOf;
const plichtClocks = (s: JourneyState) => s.clocks.filter((c) => (PLICHT_CLOCKS as readonly string[]).includes(c.name)).map((c) => c.name);
const kinds = (s: JourneyState) => s.openTasks.map((task) => task.kind);

describe('who is inburgeringsplichtig', () => {
  it('a 13-year-old: no plicht clock until the 18th birthday, then the PIP clock starts on that day', async () => {
    const permit = await t.h.today();
    const birthDate = addYears(permit, -13);
    const eighteen = addYears(birthDate, 18);
    const handle = await t.h.start({ regime: 'wi2021', permitGrantedOn: permit, birthDate });
    await t.h.send(handle, 'nl.koers.brp.registered', permit);
    await t.h.send(handle, 'nl.koers.duo.notified', permit);
    let state = await t.h.until(handle, (s) => s.milestones.duoNotifiedOn !== undefined && s.milestones.brpRegisteredOn !== undefined);
    expect(state.inburgeringsplicht).toMatchObject({ status: 'not-yet', startsOn: eighteen });
    expect(state.phase).toBe('not-plichtig');
    expect(plichtClocks(state)).toEqual([]);
    expect(kinds(state)).not.toContain('draw-up-pip');
    expect(state.nextWakeUp).toBeDefined();

    await t.h.advanceTo(addDays(eighteen, -1));
    state = await t.h.state(handle);
    expect(plichtClocks(state)).toEqual([]);
    expect(state.inburgeringsplicht?.status).toBe('not-yet');

    // The durable timer wakes the journey on the day the plicht starts.
    await t.h.advanceTo(eighteen);
    state = await t.h.until(handle, (s) => clock(s, 'pip') !== undefined);
    // The 10 weeks with the Algemene termijnenwet (v1.2: a weekend or feestdag end runs to the next working day).
    expect(clock(state, 'pip')).toMatchObject({ status: 'running', startsOn: eighteen, finalDate: statutoryTermEnd(eighteen, { weeks: 10 }).finalDate });
    expect(state.inburgeringsplicht).toMatchObject({ status: 'plichtig', startsOn: eighteen });
    expect(state.phase).toBe('intake');
    state = await t.h.until(handle, (s) => kinds(s).includes('draw-up-pip'));
    await t.h.record('law-minor-plicht-at-18', handle);
    await t.h.finish(handle);
  });

  it('a 75-year-old: no plicht clock and no PIP task, ever; the municipal clocks run', async () => {
    const permit = await t.h.today();
    const handle = await t.h.start({ regime: 'wi2021', permitGrantedOn: permit, birthDate: addYears(permit, -75) });
    await t.h.send(handle, 'nl.koers.brp.registered', permit);
    await t.h.send(handle, 'nl.koers.duo.notified', permit);
    await t.h.send(handle, 'nl.koers.bijstand.applied', permit);
    let state = await t.h.until(handle, (s) => clock(s, 'bijstand-decision') !== undefined && clock(s, 'maatschappelijke-begeleiding') !== undefined);
    expect(state.inburgeringsplicht).toMatchObject({ status: 'not-plichtig', reason: expect.stringContaining('AOW art. 7a') });
    expect(state.phase).toBe('not-plichtig');
    expect(plichtClocks(state)).toEqual([]);
    expect(kinds(state)).not.toContain('draw-up-pip');

    await t.h.advanceTo(addYears(permit, 1));
    state = await t.h.state(handle);
    expect(plichtClocks(state)).toEqual([]);
    expect(kinds(state).filter((k) => k === 'draw-up-pip' || k === 'offer-participatieverklaring' || k === 'offer-map')).toEqual([]);
    // v1.2: ontzorgen is for an inburgeringsplichtige only (Participatiewet art. 56a).
    expect(clock(state, 'ontzorgen')).toBeUndefined();
    await t.h.finish(handle);
  });

  it('a diploma after the PIP waives the plicht clocks with that reason, and the journey ends', async () => {
    const permit = addMonths(await t.h.today(), -4); // past the family-reunification window
    const handle = await t.h.start({ regime: 'wi2021', permitGrantedOn: permit, birthDate: '1995-02-01' });
    const notified = addDays(permit, 14);
    await t.h.send(handle, 'nl.koers.brp.registered', notified);
    await t.h.send(handle, 'nl.koers.duo.notified', notified);
    const pip = addWeeks(notified, 6);
    await t.h.send(handle, 'nl.koers.pip.established', pip, { leerroute: 'b1' });
    let state = await t.h.until(handle, (s) => clock(s, 'inburgering')?.status === 'running');

    const diplomaOn = await t.h.today();
    await t.h.send(handle, 'nl.koers.diploma.recognised', diplomaOn, { diploma: 'mbo2-plus' });
    state = await t.h.until(handle, (s) => clock(s, 'inburgering')?.status === 'waived');
    for (const name of ['participatieverklaring', 'inburgering', 'map'] as const) {
      expect(clock(state, name)).toMatchObject({ status: 'waived', settledOn: diplomaOn, reason: expect.stringContaining('MBO diploma') });
    }
    expect(state.inburgeringsplicht).toMatchObject({ status: 'not-plichtig', reason: expect.stringContaining('Wi2021 art. 4') });
    expect(state.phase).toBe('not-plichtig');
    // Nothing of any track is left: no bijstand, no open task.
    expect(await handle.result()).toMatchObject({ phase: 'not-plichtig' });
    await t.h.record('law-diploma-after-pip', handle);
  });
});

describe('the Participatiewet track', () => {
  it('an exempted person who applies for bijstand keeps a running journey: intake, decision and re-integration clocks', async () => {
    const permit = await t.h.today();
    const handle = await t.h.start({ regime: 'wi2021', permitGrantedOn: permit, birthDate: '1985-03-01' });
    await t.h.send(handle, 'nl.koers.exemption.granted', permit);
    const applied = addDays(permit, 10);
    await t.h.advanceTo(applied);
    await t.h.send(handle, 'nl.koers.bijstand.applied', applied);
    let state = await t.h.until(handle, (s) => clock(s, 'bijstand-decision') !== undefined);
    expect(state.phase).toBe('exempted');
    expect(clock(state, 'bijstand-decision')).toMatchObject({ status: 'running', startsOn: applied, finalDate: statutoryTermEnd(applied, { weeks: 8 }).finalDate });

    const intake = addDays(applied, 7);
    await t.h.advanceTo(intake);
    await t.h.send(handle, 'nl.koers.intake.held', intake);
    const decided = addWeeks(applied, 5);
    await t.h.advanceTo(decided);
    await t.h.send(handle, 'nl.koers.bijstand.decided', decided, { decision: 'granted' });
    state = await t.h.until(handle, (s) => clock(s, 'bijstand-decision')?.status === 'met');
    expect(clock(state, 'bijstand-decision')).toMatchObject({ status: 'met', settledOn: decided });
    expect(clock(state, 'reintegration-start')).toMatchObject({ status: 'running', startsOn: intake, finalDate: addMonths(intake, 3) });
    expect(kinds(state)).toEqual(expect.arrayContaining(['start-reintegration', 'assess-ladder']));

    // Past the family-reunification window, with every task done, the running bijstand keeps it open.
    await handle.signal(ladderAssessedSignal, { rung: 4, assessedOn: decided, assessedBy: 'cw-1' });
    const started = addDays(decided, 3);
    await t.h.advanceTo(addMonths(permit, 4));
    await t.h.send(handle, 'nl.koers.reintegration.started', started, { instrument: 'werkstage' });
    state = await t.h.until(handle, (s) => clock(s, 'reintegration-start')?.status === 'met' && s.openTasks.length === 0);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await t.h.record('law-exempted-on-bijstand', handle);
    await t.h.finish(handle);
  });

  it('bijstand ends for work: the outflow is recorded; the journey completes once the inburgering is settled too', async () => {
    const permit = addMonths(await t.h.today(), -4);
    const handle = await t.h.start({ regime: 'wi2021', permitGrantedOn: permit, birthDate: '1990-07-01' });
    const registered = addDays(permit, 10);
    for (const type of ['nl.koers.brp.registered', 'nl.koers.duo.notified', 'nl.koers.bijstand.applied'] as const) await t.h.send(handle, type, registered);
    await t.h.send(handle, 'nl.koers.intake.held', addDays(registered, 7), { leerbaarheidstoets: 'b1-not-feasible' });
    await t.h.send(handle, 'nl.koers.bijstand.decided', addWeeks(registered, 6), { decision: 'granted' });
    let state = await t.h.until(handle, (s) => s.openTasks.some((task) => task.kind === 'draw-up-pip'));
    // The leerbaarheidstoets outcome is advice on the PIP task.
    expect(state.openTasks.find((task) => task.kind === 'draw-up-pip')?.advice).toMatch(/Z-route/);
    const assess = state.openTasks.find((task) => task.kind === 'assess-ladder')!;
    expect(assess.key).toBe('assess-ladder:intake');
    await handle.signal(taskCompletedSignal, { taskKey: assess.key, completedBy: 'cw-1', completedOn: await t.h.today(), form: { rung: 5 } });

    const pip = addWeeks(registered, 8);
    await t.h.send(handle, 'nl.koers.pip.established', pip, { leerroute: 'z' });
    const ended = await t.h.today();
    await t.h.send(handle, 'nl.koers.bijstand.ended', ended, { reason: 'work' });
    state = await t.h.until(handle, (s) => s.milestones.outflowReason === 'work');
    expect(state.milestones).toMatchObject({ bijstandEndedOn: ended, outflowReason: 'work' });
    expect(clock(state, 'reintegration-start')).toMatchObject({ status: 'waived', reason: expect.stringContaining('bijstand ended (work)') });
    expect(state.phase).toBe('inburgering');
    expect((await handle.describe()).status.name).toBe('RUNNING');

    // The plicht met (Z-route result, PVT, MAP): nothing of any track is left.
    const done = dayAfter(ended);
    await t.h.advanceTo(done);
    await t.h.send(handle, 'nl.koers.participatieverklaring.signed', done);
    await t.h.send(handle, 'nl.koers.map.completed', done);
    await t.h.send(handle, 'nl.koers.exam.passed', done, { route: 'z' });
    expect(await handle.result()).toMatchObject({ phase: 'plicht-met' });
    await t.h.record('law-outflow-to-work', handle);
  });
});

describe('roads in', () => {
  it('a reassessment that decides "extend" extends the participatieplaats within its limits', async () => {
    const today = await t.h.today();
    const handle = await t.h.start({ regime: 'wi2013', permitGrantedOn: addDays(today, -60), birthDate: addYears(today, -40) });
    await handle.signal(ladderAssessedSignal, { rung: 2, assessedOn: today, assessedBy: 'cw-1' });
    const started = await handle.executeUpdate(startInstrumentUpdate, {
      args: [{ kind: 'participatieplaats', startedOn: today, hasStartkwalificatie: true, generalBijstand: true, requestedBy: 'cw-1' }],
    });
    expect(started.endsOn).toBe(addDays(addYears(today, 2), -1));
    // The reassessment task opens 4 weeks before it is due (2 months before the term ends).
    await t.h.advanceTo(addWeeks(addMonths(addDays(addYears(today, 2), -1), -2), -4));
    let state = await t.h.until(handle, (s) => s.openTasks.some((task) => task.kind === 'reassess-instrument'), 30_000);
    const task = state.openTasks.find((x) => x.kind === 'reassess-instrument')!;
    await handle.signal(taskCompletedSignal, { taskKey: task.key, completedBy: 'cw-1', completedOn: await t.h.today(), form: { decision: 'extend', assessedOn: await t.h.today() } });
    state = await t.h.until(handle, (s) => s.instruments[0]?.extensions === 1);
    expect(state.instruments[0]).toMatchObject({ status: 'active', extensions: 1, endsOn: addDays(addYears(today, 3), -1) });
    await t.h.finish(handle);
  });
});
