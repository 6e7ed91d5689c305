/** Retention records and erasure in the store, on both databases; staff pseudonyms turned back. */
import type { DesiredTask } from '../../../domain/types';
import { taskIdFor } from '../../../domain/tasks';
import { RetentionStore } from '../../../store/retention';
import { erasureRef } from '../../../store/erasure-ref';
import { StaffPseudonyms } from '../../../store/staff-pseudonyms';
import { TaskStore } from '../../../store/tasks';
import { JourneyReadModel } from '../../../store/journeys';
import { describeEachDatabase } from './databases';

const ladder: DesiredTask = { key: 'ladder-1', kind: 'assess-ladder', candidateGroup: 'sociaal-werker-participatie', followUpDate: '2026-06-01', dueDate: '2026-06-15' };
const ended = (journeyId: string, eraseAfter: string) => ({ journeyId, municipality: 'borger-odoorn', endedOn: '2026-01-10', endReason: 'completed', eraseAfter, retentionBasis: 'test basis' });

describeEachDatabase('retention and erasure in the store', (t) => {
  it('records an ended journey once, lists it when due, and erases its tasks with a record of the erasure that does not hold the journey id', async () => {
    const tasks = new TaskStore(t.db());
    const retention = new RetentionStore(t.db(), () => new Date('2028-01-11T02:30:00Z'));
    await tasks.syncJourneyTasks({ journeyId: 'j-1', municipality: 'borger-odoorn', tasks: [ladder] });
    const taskId = taskIdFor('j-1', 'ladder-1');
    await tasks.claim(taskId, 'cw-anna');
    await tasks.complete(taskId, 'cw-anna', { rung: 3, note: 'vertelt over haar familie in Eritrea' });

    expect(await retention.recordEnded(ended('j-1', '2028-01-10'))).toMatchObject({ journeyId: 'j-1', eraseAfter: '2028-01-10' });
    // The first record stands.
    expect((await retention.recordEnded(ended('j-1', '2099-01-01'))).eraseAfter).toBe('2028-01-10');
    await retention.recordEnded(ended('j-2', '2028-06-01'));
    expect((await retention.dueForErasure('2028-01-09')).map((e) => e.journeyId)).toEqual([]);
    expect((await retention.dueForErasure('2028-01-10')).map((e) => e.journeyId)).toEqual(['j-1']);

    const journeys = new JourneyReadModel(t.db());
    await journeys.write({ journeyId: 'j-1', seq: 1, municipality: 'borger-odoorn', regime: 'wi2013', phase: 'plicht-met', runStatus: 'completed', caseworker: {}, bsnCiphertext: 'sealed', view: {}, deadlines: [{ clock: 'inburgering', finalDate: '2028-01-01', open: false }], startedAt: '2025-01-01T00:00:00.000Z' });
    const erased = await retention.markErased('j-1', 'retention-period-ended', 'retention');
    expect(await journeys.get('j-1')).toBeUndefined();
    expect(await journeys.deadlines('j-1')).toEqual([]);
    // A write of the journey still on its way does not bring the row back.
    expect(await journeys.write({ journeyId: 'j-1', seq: 2, municipality: 'borger-odoorn', regime: 'wi2013', phase: 'plicht-met', runStatus: 'completed', caseworker: {}, view: {}, deadlines: [], startedAt: '2025-01-01T00:00:00.000Z' })).toBe(false);
    expect(await journeys.get('j-1')).toBeUndefined();
    expect(erased).toMatchObject({ erasedAt: '2028-01-11T02:30:00.000Z', erasureGround: 'retention-period-ended', erasedBy: 'retention' });
    // The task and its history go whole: kinds, dates and who held it are the person's case.
    expect(await tasks.getTask(taskId)).toBeUndefined();
    expect(await tasks.taskHistory(taskId)).toEqual([]);
    // The record of the erasure is found by the journey id, which it does not hold.
    expect((await t.db().selectFrom('journey_retention').select('journey_id').execute()).map((r) => r.journey_id).sort()).toEqual([erasureRef('j-1'), 'j-2'].sort());
    expect(await retention.get('j-1')).toEqual(erased);
    expect(await retention.dueForErasure('2030-01-01')).toEqual([expect.objectContaining({ journeyId: 'j-2' })]);
    // Erasing again keeps the first record.
    expect(await retention.markErased('j-1', 'objection', 'abcdef012345')).toEqual(erased);
  });

  it('a journey that reopened and ended again (contract v1.2) is kept from its last end; an older or repeated end changes nothing; an erased record stays', async () => {
    const retention = new RetentionStore(t.db(), () => new Date('2031-01-11T02:30:00Z'));
    await retention.recordEnded(ended('j-4', '2031-01-10'));
    // Reopened by a bijstand application, it ended again in 2029: the ten years run from then.
    const again = { ...ended('j-4', '2039-03-01'), endedOn: '2029-03-01', endReason: 'closed', retentionBasis: 'Participatiewet' };
    expect(await retention.recordEnded(again)).toMatchObject({ endedOn: '2029-03-01', endReason: 'closed', eraseAfter: '2039-03-01', retentionBasis: 'Participatiewet' });
    expect(await retention.dueForErasure('2031-01-10')).toEqual([]);
    // The first run, listed after the second, and a retry of the second: the record stands.
    expect((await retention.recordEnded(ended('j-4', '2031-01-10'))).endedOn).toBe('2029-03-01');
    expect((await retention.recordEnded({ ...again, eraseAfter: '2099-01-01' })).eraseAfter).toBe('2039-03-01');
    // Once erased, a later end cannot bring the journey's id back into the store.
    await retention.markErased('j-4', 'consent-withdrawn', 'abcdef012345');
    await retention.recordEnded({ ...again, endedOn: '2030-01-01' });
    expect(await retention.get('j-4')).toMatchObject({ endedOn: '2029-03-01', erasureGround: 'consent-withdrawn' });
  });

  it("deletes an erased journey's open and claimed tasks, so no form about the person can be completed after it", async () => {
    const tasks = new TaskStore(t.db());
    const retention = new RetentionStore(t.db(), () => new Date('2028-01-11T02:30:00Z'));
    const intake: DesiredTask = { key: 'intake', kind: 'hold-intake', candidateGroup: 'regisseur-werk', followUpDate: '2026-05-04', dueDate: '2026-05-11' };
    await tasks.syncJourneyTasks({ journeyId: 'j-3', municipality: 'borger-odoorn', tasks: [ladder, intake] });
    await tasks.claim(taskIdFor('j-3', 'intake'), 'cw-anna');

    await retention.markErased('j-3', 'consent-withdrawn', 'abcdef012345');

    for (const key of ['ladder-1', 'intake']) expect(await tasks.getTask(taskIdFor('j-3', key))).toBeUndefined();
    await expect(tasks.complete(taskIdFor('j-3', 'intake'), 'cw-anna', { heldOn: '2028-01-11', interpreterUsed: false, note: 'nieuwe notities' })).rejects.toThrow();
    expect(await tasks.getTask(taskIdFor('j-3', 'intake'))).toBeUndefined();
  });

  it('turns recorded staff pseudonyms back into staff ids, and leaves other values as they are', async () => {
    const staff = new StaffPseudonyms(t.db());
    await staff.remember('s-abc', 'cw-anna');
    await staff.remember('s-abc', 'cw-anna');
    const ids = await staff.reveal(['s-abc', 'cw-bram', undefined]);
    expect(Object.fromEntries(ids)).toEqual({ 's-abc': 'cw-anna', 'cw-bram': 'cw-bram' });
  });
});
