import { useJourneyHarness, clockOf } from '../helpers/journey-harness';
import { addDays, addYears } from '../../domain/dates';
import { correctPersonSignal, eventSignal, ladderAssessedSignal, PERSON_CORRECTED, startInstrumentUpdate } from '../../workflows/definitions';

/**
 * Issue 21 on the time-skipping server: corrections that withdraw a milestone (contract v1.2), an
 * administrator's correction of the start dates, and an instrument that meets the re-integration start.
 * Each records a history for the replay test (behaviour behind `patched()`).
 */
const t = useJourneyHarness();

describe('a withdrawal (contract v1.2)', () => {
  it('removes the fact from a running journey, shows what it replaced, and holds against a partner resending it', async () => {
    const today = await t.h.today();
    const handle = await t.h.start({ regime: 'wi2013', permitGrantedOn: addDays(today, -100), birthDate: '1990-05-01' });
    await t.h.send(handle, 'nl.koers.bijstand.applied', addDays(today, -90));
    const before = await t.h.until(handle, (s) => clockOf(s, 'intake') !== undefined);
    const exemption = await t.h.send(handle, 'nl.koers.exemption.granted', addDays(today, -30));
    await t.h.until(handle, (s) => s.milestones.exemptedOn !== undefined);
    await handle.signal(eventSignal, {
      source: 'urn:nl:koers:staff',
      id: 'withdraw-1',
      type: 'nl.koers.exemption.granted',
      occurredOn: addDays(today, -1),
      data: { occurredOn: addDays(today, -1), withdrawn: true },
      receivedAt: new Date(await t.env.currentTimeMs()).toISOString(),
      actor: { name: 'cw-1', role: 'caseworker' },
      correction: true,
      reason: 'vrijstelling van een ander dossier',
    });
    const after = await t.h.until(handle, (s) => s.milestones.exemptedOn === undefined);
    expect(after.phase).toBe(before.phase);
    expect(after.clocks).toEqual(before.clocks);
    expect(after.milestones.corrected).toEqual(['nl.koers.exemption.granted']);
    expect(after.events.at(-1)).toMatchObject({ id: 'withdraw-1', correction: true, withdrawn: true, reason: 'vrijstelling van een ander dossier', replaced: { exemptedOn: exemption.occurredOn } });
    // The partner's stale resend under a new id does not bring the exemption back.
    await t.h.send(handle, 'nl.koers.exemption.granted', addDays(today, -30));
    const resent = await t.h.until(handle, (s) => s.events.length === 4);
    expect(resent.milestones.exemptedOn).toBeUndefined();
    await t.h.record('correction-withdrawal', handle);
    await t.h.finish(handle);
  });
});

describe("an administrator's correction of the start dates (issue 21)", () => {
  it('moves the clocks with the permit date, refuses a birth date after the permit, and records both with what they replaced', async () => {
    const today = await t.h.today();
    const permit = addDays(today, -200);
    const handle = await t.h.start({ regime: 'wi2013', permitGrantedOn: permit, birthDate: '1990-05-01' });
    const before = await t.h.until(handle, (s) => clockOf(s, 'inburgering') !== undefined);
    const corrected = addDays(permit, -10);
    await handle.signal(correctPersonSignal, { id: 'pc-1', permitGrantedOn: corrected, reason: 'beschikking IND', correctedBy: 'admin-1', correctedOn: today });
    const after = await t.h.until(handle, (s) => s.milestones.permitGrantedOn === corrected);
    expect(clockOf(after, 'inburgering')?.finalDate).toBe(addYears(corrected, 3));
    expect(clockOf(before, 'inburgering')?.finalDate).toBe(addYears(permit, 3));
    expect(after.events.at(-1)).toMatchObject({ type: PERSON_CORRECTED, correction: true, reason: 'beschikking IND', replaced: { permitGrantedOn: permit } });

    await handle.signal(correctPersonSignal, { id: 'pc-2', birthDate: addDays(today, -1), reason: 'typfout', correctedBy: 'admin-1', correctedOn: today });
    const refused = await t.h.until(handle, (s) => s.events.length === 2);
    expect(refused.events.at(-1)).toMatchObject({ id: 'pc-2', outcome: 'rejected', rejection: { field: 'birthDate' } });
    expect(refused.milestones.birthDate).toBe('1990-05-01');
    await t.h.record('person-corrected', handle);
    await t.h.finish(handle);
  });
});

describe('an instrument meets the re-integration start (issue 21)', () => {
  it('closes the overdue start-reintegration task when a werkstage starts', async () => {
    const today = await t.h.today();
    const handle = await t.h.start({ regime: 'wi2013', permitGrantedOn: addDays(today, -300), birthDate: addYears(today, -35) });
    await t.h.send(handle, 'nl.koers.bijstand.applied', addDays(today, -250));
    await t.h.send(handle, 'nl.koers.intake.held', addDays(today, -240));
    await t.h.until(handle, (s) => clockOf(s, 'reintegration-start')?.status === 'overdue' && s.openTasks.some((task) => task.kind === 'start-reintegration'));
    await handle.signal(ladderAssessedSignal, { rung: 5, assessedOn: today, assessedBy: 'cw-1' });
    await t.h.until(handle, (s) => s.ladder.length === 1);
    const started = await handle.executeUpdate(startInstrumentUpdate, { args: [{ kind: 'werkstage', startedOn: today, requestedBy: 'cw-1', hasStartkwalificatie: false, generalBijstand: true }] });
    const state = await t.h.until(handle, (s) => clockOf(s, 'reintegration-start')?.status === 'met');
    expect(state.milestones).toMatchObject({ reintegrationStartedOn: today, reintegrationInstrument: 'werkstage' });
    expect(state.openTasks.map((task) => task.kind)).not.toContain('start-reintegration');
    expect(state.events.at(-1)).toMatchObject({ source: 'urn:nl:koers:instruments', id: started.instrumentId, type: 'nl.koers.reintegration.started' });
    await t.h.record('instrument-starts-reintegration', handle);
    await t.h.finish(handle);
  });
});
