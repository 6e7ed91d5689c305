import { clockOf, useJourneyHarness } from '../helpers/journey-harness';
import { addDays, addWeeks } from '../../domain/dates';
import { nextFinalDate } from '../../domain/clocks';
import { projectSignal, type JourneyState } from '../../workflows/definitions';

/** The journey projects itself into the store's read model (issue 12): ordered by its seq, also across continue-as-new. */
const t = useJourneyHarness();

describe('read model', () => {
  it('writes the view the query answers, with a seq that keeps growing across continue-as-new', async () => {
    const today = await t.h.today();
    const permit = addDays(today, -100);
    const handle = await t.h.start({ regime: 'wi2013', permitGrantedOn: permit, maxHistoryEvents: 40 });
    const firstRunId = (await handle.describe()).runId;
    const first = await t.h.eventually(() => t.h.readModel.get<JourneyState>(handle.workflowId), (row) => row !== undefined);
    // A Wi2013 term runs from the permit with no plan needed: the phase is `inburgering` from the start (v1.2, domain/phase.ts).
    expect(first).toMatchObject({ municipality: 'borger-odoorn', regime: 'wi2013', runStatus: 'running', phase: 'inburgering' });

    await t.h.send(handle, 'nl.koers.brp.registered', addDays(permit, 5), {}, 'brp-1');
    // Duplicates change nothing: no write, however many (they do grow the history to a continue-as-new).
    for (let i = 0; i < 30; i++) await t.h.send(handle, 'nl.koers.brp.registered', addDays(permit, 5), {}, 'brp-1');
    await t.h.send(handle, 'nl.koers.bijstand.applied', addDays(permit, 6), {}, 'bijstand-1');
    await t.env.sleep('2 days');
    const state = await t.h.until(handle, (s) => s.events.length === 2);
    expect((await handle.describe()).runId).not.toBe(firstRunId);
    const row = await t.h.eventually(() => t.h.readModel.get<JourneyState>(handle.workflowId), (r) => r?.view.today === state.today && r.view.events.length === 2);
    // The row is what the query answers on the same day.
    expect(row?.view).toEqual(state);
    expect(row?.phase).toBe(state.phase);
    expect(row?.nextFinalDate).toBe(nextFinalDate(state.clocks));
    // A continued run goes on counting from the carried seq: its writes outrank the first run's.
    expect(row!.seq).toBeGreaterThan(first!.seq);
    expect(await t.h.readModel.deadlines(handle.workflowId)).toEqual(
      expect.arrayContaining([{ clock: 'intake', finalDate: clockOf(state, 'intake')!.finalDate, open: true }]),
    );
    await t.h.finish(handle);
  });

  it('writes `completed` as its last word when the journey ends', async () => {
    const today = await t.h.today();
    const permit = addDays(today, -200);
    const handle = await t.h.start({ regime: 'wi2021', permitGrantedOn: permit, birthDate: '1995-02-01' });
    const notified = addDays(permit, 14);
    await t.h.send(handle, 'nl.koers.brp.registered', notified);
    await t.h.send(handle, 'nl.koers.duo.notified', notified);
    await t.h.send(handle, 'nl.koers.pip.established', addWeeks(notified, 6), { leerroute: 'b1' });
    await t.h.until(handle, (s) => clockOf(s, 'inburgering')?.status === 'running');
    await t.h.send(handle, 'nl.koers.diploma.recognised', today, { diploma: 'mbo2-plus' });
    expect(await handle.result()).toMatchObject({ phase: 'not-plichtig' });
    const row = await t.h.readModel.get<JourneyState>(handle.workflowId);
    expect(row).toMatchObject({ runStatus: 'completed', phase: 'not-plichtig' });
    expect(row?.view.clocks.filter((c) => c.name === 'inburgering')).toEqual([expect.objectContaining({ status: 'waived' })]);
    await t.h.record('read-model-completed', handle);
  });

  it('writes its whole row again when asked (signal project), as a journey started before the read model does', async () => {
    const today = await t.h.today();
    const handle = await t.h.start({ regime: 'wi2021', permitGrantedOn: addDays(today, -30) });
    const first = await t.h.eventually(() => t.h.readModel.get<JourneyState>(handle.workflowId), (row) => (row?.seq ?? 0) > 0);
    // Gone from the store (as if it had never been written): the journey's own memory says it wrote it.
    await t.h.readModel.delete(handle.workflowId);
    await handle.signal(projectSignal);
    const back = await t.h.eventually(() => t.h.readModel.get<JourneyState>(handle.workflowId), (row) => row !== undefined);
    expect(back!.seq).toBeGreaterThan(first!.seq);
    expect(back!.view).toEqual(first!.view);
    // Asked again with the row in place: written again, the same state under a higher seq.
    await handle.signal(projectSignal);
    const again = await t.h.eventually(() => t.h.readModel.get<JourneyState>(handle.workflowId), (row) => (row?.seq ?? 0) > back!.seq);
    expect(again!.view).toEqual(first!.view);
    await t.h.record('read-model-project', handle);
    await t.h.finish(handle);
  });
});
