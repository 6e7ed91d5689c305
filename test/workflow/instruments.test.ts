import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { useJourneyHarness } from '../helpers/journey-harness';
import { addDays, addMonths, addYears, dayAfter } from '../../domain/dates';
import {
  endInstrumentUpdate,
  ladderAssessedSignal,
  startInstrumentUpdate,
  type InstrumentRequest,
  type InstrumentState,
} from '../../workflows/definitions';
import { extendInstrumentUpdate } from '../../workflows/instrument';
import type { LadderRung } from '../../domain/types';

/** Re-integration instruments as child workflows: eligibility, maximum durations, extensions, reassessments. */
const t = useJourneyHarness();

async function journeyAt(rung: LadderRung, age: number, maxHistoryEvents?: number): Promise<WorkflowHandle> {
  const today = await t.h.today();
  const handle = await t.h.start({ regime: 'wi2013', permitGrantedOn: addDays(today, -60), birthDate: addYears(today, -age), maxHistoryEvents });
  await handle.signal(ladderAssessedSignal, { rung, assessedOn: today, assessedBy: 'cw-1' });
  await t.h.until(handle, (s) => s.ladder.length === 1);
  return handle;
}

const request = (kind: InstrumentRequest['kind'], startedOn: string, extra: Partial<InstrumentRequest> = {}): InstrumentRequest => ({
  kind,
  startedOn,
  requestedBy: 'cw-1',
  hasStartkwalificatie: false,
  generalBijstand: true,
  ...extra,
});

const rejection = async (promise: Promise<unknown>): Promise<string> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause as { message: string; details?: unknown[] };
  return `${cause.message} ${JSON.stringify(cause.details ?? [])}`;
};

describe('werkstage', () => {
  it('lasts 3 months, takes one 3-month extension, refuses a second, and ends by itself', async () => {
    const handle = await journeyAt(5, 35);
    const start = await t.h.today();
    const started = await handle.executeUpdate(startInstrumentUpdate, { args: [request('werkstage', start)] });
    expect(started).toMatchObject({ kind: 'werkstage', startedOn: start, endsOn: addDays(addMonths(start, 3), -1), status: 'active' });

    const child = t.env.client.workflow.getHandle(started.instrumentId);
    const extended: InstrumentState = await child.executeUpdate(extendInstrumentUpdate, { args: [{ reassessedOn: start, extendedBy: 'cw-1' }] });
    expect(extended.endsOn).toBe(addDays(addMonths(start, 6), -1));
    expect(extended.extensions).toBe(1);
    expect(await rejection(child.executeUpdate(extendInstrumentUpdate, { args: [{ reassessedOn: start, extendedBy: 'cw-1' }] }))).toMatch(/extension/i);

    await t.h.advanceTo(dayAfter(extended.endsOn));
    const state = await t.h.until(handle, (s) => s.instruments[0]?.status === 'ended');
    expect(state.instruments[0]).toMatchObject({ endedOn: extended.endsOn, extensions: 1 });
    await t.h.finish(handle);
  });

  it('is for people close to the labour market only', async () => {
    const handle = await journeyAt(1, 35);
    expect(await rejection(handle.executeUpdate(startInstrumentUpdate, { args: [request('werkstage', await t.h.today())] }))).toMatch(/distance|afstand/i);
    expect((await t.h.state(handle)).instruments).toEqual([]);
    await t.h.finish(handle);
  });
});

describe('an instrument across continue-as-new', () => {
  it('keeps running when the journey continues as new, and answers the new run', async () => {
    const handle = await journeyAt(5, 35, 60);
    const start = await t.h.today();
    const started = await handle.executeUpdate(startInstrumentUpdate, { args: [request('werkstage', start)] });
    const firstRunId = (await handle.describe()).runId;
    // Duplicate reports fill the history until the journey continues as new.
    for (let i = 0; i < 40; i++) await t.h.send(handle, 'nl.koers.brp.registered', addDays(start, -50), {}, 'brp-1');
    await t.env.sleep('1 day');
    const current = t.env.client.workflow.getHandle(handle.workflowId);
    expect((await current.describe()).runId).not.toBe(firstRunId);
    expect((await t.h.state(current)).instruments).toEqual([expect.objectContaining({ instrumentId: started.instrumentId, status: 'active' })]);

    // The new run ends it, and the child's report reaches the new run.
    const endedOn = addDays(start, 10);
    const ended = await current.executeUpdate(endInstrumentUpdate, { args: [{ instrumentId: started.instrumentId, endedOn, reason: 'found a job', endedBy: 'cw-1' }] });
    expect(ended).toMatchObject({ status: 'ended', endedOn, endReason: 'found a job' });
    expect((await t.h.state(current)).instruments).toEqual([expect.objectContaining({ status: 'ended', endedOn })]);
    await t.h.finish(current);
  });
});

describe('proefplaatsing', () => {
  it('needs an employer committing to a job of at least 6 months, and lasts at most 6 months', async () => {
    const handle = await journeyAt(5, 40);
    const today = await t.h.today();
    expect(await rejection(handle.executeUpdate(startInstrumentUpdate, { args: [request('proefplaatsing', today)] }))).toMatch(/employer|werkgever/i);
    expect(await rejection(handle.executeUpdate(startInstrumentUpdate, { args: [request('proefplaatsing', today, { employerJobCommitmentMonths: 3 })] }))).toMatch(/employer|werkgever/i);
    const started = await handle.executeUpdate(startInstrumentUpdate, { args: [request('proefplaatsing', today, { employerJobCommitmentMonths: 12 })] });
    expect(started.endsOn).toBe(addDays(addMonths(today, 6), -1));
    const child = t.env.client.workflow.getHandle(started.instrumentId);
    expect(await rejection(child.executeUpdate(extendInstrumentUpdate, { args: [{ reassessedOn: today, extendedBy: 'cw-1' }] }))).toMatch(/extension|maximum/i);
    const ended = await handle.executeUpdate(endInstrumentUpdate, { args: [{ instrumentId: started.instrumentId, endedOn: addDays(today, 1), reason: 'hired', endedBy: 'cw-1' }] });
    expect(ended).toMatchObject({ status: 'ended', endedOn: addDays(today, 1), endReason: 'hired' });
    await t.h.finish(handle);
  });
});

describe('participatieplaats', () => {
  it('is for 27 and older in general bijstand far from the labour market', async () => {
    const young = await journeyAt(2, 25);
    expect(await rejection(young.executeUpdate(startInstrumentUpdate, { args: [request('participatieplaats', await t.h.today())] }))).toMatch(/27/);
    const close = await journeyAt(6, 40);
    expect(await rejection(close.executeUpdate(startInstrumentUpdate, { args: [request('participatieplaats', await t.h.today())] }))).toMatch(/distance|afstand/i);
    await t.h.finish(young);
    await t.h.finish(close);
  });

  it('lasts 2 years, asks a reassessment before expiry, extends by a year at most twice', async () => {
    const handle = await journeyAt(2, 45);
    const start = await t.h.today();
    const started = await handle.executeUpdate(startInstrumentUpdate, { args: [request('participatieplaats', start)] });
    expect(started.endsOn).toBe(addDays(addYears(start, 2), -1));
    expect(started.reassessBy).toBeDefined();
    expect(started.milestones?.map((m) => m.kind)).toEqual(expect.arrayContaining(['offer-scholing', 'premium']));

    // Before expiry the journey opens a reassessment task.
    await t.h.advanceTo(started.reassessBy!);
    const state = await t.h.until(handle, (s) => s.openTasks.some((t) => t.kind === 'reassess-instrument'));
    expect(state.openTasks.find((t) => t.kind === 'reassess-instrument')).toMatchObject({ dueDate: started.endsOn });

    const child = t.env.client.workflow.getHandle(started.instrumentId);
    const once: InstrumentState = await child.executeUpdate(extendInstrumentUpdate, { args: [{ reassessedOn: await t.h.today(), extendedBy: 'cw-1' }] });
    expect(once.endsOn).toBe(addDays(addYears(start, 3), -1));
    await t.h.advanceTo(once.reassessBy!);
    const twice: InstrumentState = await child.executeUpdate(extendInstrumentUpdate, { args: [{ reassessedOn: await t.h.today(), extendedBy: 'cw-1' }] });
    expect(twice.endsOn).toBe(addDays(addYears(start, 4), -1));
    // The last term: nothing left to reassess for, and a third extension is refused.
    expect(twice.reassessBy).toBeUndefined();
    await t.h.advanceTo(addDays(twice.endsOn, -7));
    expect(await rejection(child.executeUpdate(extendInstrumentUpdate, { args: [{ reassessedOn: await t.h.today(), extendedBy: 'cw-1' }] }))).toMatch(/extension|maximum/i);
    await t.h.record('participatieplaats', handle);
    await t.h.finish(handle);
  });
});
