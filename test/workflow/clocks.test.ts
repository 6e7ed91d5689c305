import { clockOf, useJourneyHarness } from '../helpers/journey-harness';
import { addDays, addMonths, addWeeks, addYears, dayAfter } from '../../domain/dates';
import { statutoryTermEnd } from '../../domain/termijnenwet';

/** Each row of the rules doc's clock table, proven on the real test server with time skipping. */
const t = useJourneyHarness();

const clock = clockOf;

describe('Wi2013 clocks (Borger-Odoorn)', () => {
  it('runs every clock of the table from its anchor, settles each by its milestone', async () => {
    const permit = await t.h.today();
    const handle = await t.h.start({ regime: 'wi2013', permitGrantedOn: permit, birthDate: '1979-06-01' });

    let state = await t.h.until(handle, (s) => s.clocks.length > 0);
    expect(clock(state, 'inburgering')).toMatchObject({ status: 'running', startsOn: permit, finalDate: addYears(permit, 3) });
    expect(clock(state, 'family-reunification')).toMatchObject({ status: 'running', startsOn: permit, finalDate: addMonths(permit, 3) });
    expect(clock(state, 'intake')).toBeUndefined(); // listed once its start is known
    // v1.2: the Wi2013 term runs from the permit (Wi2013 art. 7(1)), so the person is in the inburgering.
    expect(state.phase).toBe('inburgering');

    const registered = addDays(permit, 7);
    await t.h.advanceTo(registered);
    await t.h.send(handle, 'nl.koers.brp.registered', registered);
    await t.h.send(handle, 'nl.koers.bijstand.applied', registered);
    state = await t.h.until(handle, (s) => clock(s, 'intake') !== undefined && clock(s, 'participatieverklaring') !== undefined);
    expect(clock(state, 'participatieverklaring')).toMatchObject({ status: 'running', startsOn: registered, finalDate: addYears(registered, 1) });
    expect(clock(state, 'maatschappelijke-begeleiding')).toMatchObject({ status: 'running', startsOn: registered, finalDate: addMonths(registered, 18) });
    expect(clock(state, 'intake')).toMatchObject({ status: 'running', startsOn: registered, finalDate: addDays(registered, 14) });
    expect(state.openTasks.map((t) => t.kind)).toContain('hold-intake');

    const intake = addDays(registered, 10);
    await t.h.advanceTo(intake);
    await t.h.send(handle, 'nl.koers.intake.held', intake);
    state = await t.h.until(handle, (s) => clock(s, 'intake')?.status === 'met');
    expect(clock(state, 'intake')).toMatchObject({ status: 'met', settledOn: intake });
    expect(clock(state, 'reintegration-start')).toMatchObject({ status: 'running', startsOn: intake, finalDate: addMonths(intake, 3) });
    expect(state.openTasks.map((t) => t.kind)).not.toContain('hold-intake');

    // The family-reunification window ends after 3 months, without escalation: it is a window.
    await t.h.advanceTo(addDays(addMonths(permit, 3), 2));
    state = await t.h.until(handle, (s) => clock(s, 'family-reunification')?.status === 'ended');
    expect(clock(state, 'reintegration-start')?.status).toBe('running');

    // Alphabetisation adds 2 years to the term; DUO's extension then sets the final date.
    const alfa = await t.h.today();
    await t.h.send(handle, 'nl.koers.alphabetisation.started', alfa);
    state = await t.h.until(handle, (s) => clock(s, 'inburgering')?.finalDate === addYears(permit, 5));
    const extended = addMonths(addYears(permit, 5), 6);
    await t.h.send(handle, 'nl.koers.extension.granted', alfa, { newFinalDate: extended });
    state = await t.h.until(handle, (s) => clock(s, 'inburgering')?.finalDate === extended);

    await t.h.send(handle, 'nl.koers.participatieverklaring.signed', alfa);
    await t.h.send(handle, 'nl.koers.exemption.granted', alfa);
    state = await t.h.until(handle, (s) => clock(s, 'inburgering')?.status === 'waived');
    expect(clock(state, 'participatieverklaring')?.status).toBe('met');
    expect(state.phase).toBe('exempted');
    await t.h.record('wi2013-clock-table', handle);
    await t.h.finish(handle);
  });

  it('counts 3 years from a leap day to 28 February (month-end clamping)', async () => {
    const handle = await t.h.start({ regime: 'wi2013', permitGrantedOn: '2024-02-29' });
    const state = await t.h.until(handle, (s) => s.clocks.length > 0);
    expect(clock(state, 'inburgering')).toMatchObject({ startsOn: '2024-02-29', finalDate: '2027-02-28' });
    expect(clock(state, 'family-reunification')).toMatchObject({ finalDate: '2024-05-29', status: 'ended' });
    await t.h.finish(handle);
  });
});

describe('Wi2021 clocks (Midden-Drenthe)', () => {
  it('starts the PIP clock at the later of DUO notification and BRP registration, and the term the day after the PIP', async () => {
    const permit = await t.h.today();
    const handle = await t.h.start({ municipality: 'midden-drenthe', regime: 'wi2021', permitGrantedOn: permit, birthDate: '1998-01-15' });
    await t.h.until(handle, (s) => s.clocks.length > 0);

    const notified = addDays(permit, 3);
    const registered = addDays(permit, 20);
    await t.h.advanceTo(registered);
    // Out of order on purpose: the later anchor is reported first.
    await t.h.send(handle, 'nl.koers.brp.registered', registered);
    await t.h.send(handle, 'nl.koers.duo.notified', notified);
    await t.h.send(handle, 'nl.koers.bijstand.applied', registered);
    let state = await t.h.until(handle, (s) => clock(s, 'pip') !== undefined && clock(s, 'ontzorgen') !== undefined);
    expect(clock(state, 'pip')).toMatchObject({ status: 'running', startsOn: registered, finalDate: statutoryTermEnd(registered, { weeks: 10 }).finalDate });
    expect(clock(state, 'ontzorgen')).toMatchObject({ status: 'running', startsOn: registered, finalDate: addMonths(registered, 6) });
    expect(clock(state, 'inburgering')).toBeUndefined();
    expect(state.openTasks.map((t) => t.kind)).toContain('draw-up-pip');

    const pip = addWeeks(registered, 6);
    await t.h.advanceTo(pip);
    await t.h.send(handle, 'nl.koers.intake.held', addWeeks(registered, 4));
    await t.h.send(handle, 'nl.koers.pip.established', pip, { leerroute: 'b1' });
    state = await t.h.until(handle, (s) => clock(s, 'inburgering') !== undefined);
    for (const name of ['inburgering', 'participatieverklaring', 'map'] as const) {
      expect(clock(state, name)).toMatchObject({ status: 'running', startsOn: dayAfter(pip), finalDate: addYears(pip, 3) });
    }
    expect(clock(state, 'pip')).toMatchObject({ status: 'met', settledOn: pip });
    expect(state.phase).toBe('inburgering');

    // Plicht met needs all three: the leerroute result, the PVT and the MAP.
    const later = addMonths(pip, 14);
    await t.h.advanceTo(later);
    await t.h.send(handle, 'nl.koers.exam.passed', later, { route: 'b1' });
    await t.h.send(handle, 'nl.koers.participatieverklaring.signed', later);
    state = await t.h.until(handle, (s) => clock(s, 'participatieverklaring')?.status === 'met');
    expect(state.phase).toBe('inburgering');
    await t.h.send(handle, 'nl.koers.map.completed', later);
    state = await t.h.until(handle, (s) => s.phase === 'plicht-met');
    expect(clock(state, 'inburgering')?.status).toBe('met');
    await t.h.record('wi2021-clock-table', handle);
    await t.h.finish(handle);
  });
});
