/** The journeys read model on both databases: ordered upserts, deadlines in SQL, erasure. */
import { JourneyReadModel, decodeJourneyCursor, type JourneyProjection } from '../../../store/journeys';
import { describeEachDatabase } from './databases';

const projection = (seq: number, overrides: Partial<JourneyProjection> = {}): JourneyProjection => ({
  journeyId: 'j-1',
  seq,
  municipality: 'borger-odoorn',
  regime: 'wi2021',
  phase: 'intake',
  runStatus: 'running',
  caseworker: { role: 'statushouder-specialist' },
  nextFinalDate: '2026-06-01',
  view: { seq, phase: 'intake' },
  deadlines: [
    { clock: 'pip', finalDate: '2026-06-01', open: true },
    { clock: 'intake', finalDate: '2026-03-01', open: false },
  ],
  startedAt: '2026-01-01T10:00:00.000Z',
  ...overrides,
});

describeEachDatabase('journeys read model', (t) => {
  it('writes only a higher seq: a late write is ignored and a repeat changes nothing', async () => {
    const model = new JourneyReadModel(t.db());
    expect(await model.write(projection(0, { bsnCiphertext: 'sealed-bsn' }))).toBe(true);
    expect(await model.write(projection(2, { phase: 'inburgering', view: { seq: 2 } }))).toBe(true);
    // Late (seq 1 after 2) and repeated (seq 2 again with other content): neither lands.
    expect(await model.write(projection(1, { phase: 'arrival', view: { seq: 1 } }))).toBe(false);
    expect(await model.write(projection(2, { phase: 'arrival', deadlines: [] }))).toBe(false);
    const stored = await model.get('j-1');
    expect(stored).toMatchObject({ seq: 2, phase: 'inburgering', view: { seq: 2 }, bsnCiphertext: 'sealed-bsn', startedAt: '2026-01-01T10:00:00.000Z' });
    expect(await model.deadlines('j-1')).toEqual([
      { clock: 'intake', finalDate: '2026-03-01', open: false },
      { clock: 'pip', finalDate: '2026-06-01', open: true },
    ]);
  });

  it("keeps a move's municipality against the journey's writes from before it, until one carries it (issue 24, fault 10)", async () => {
    const model = new JourneyReadModel(t.db());
    await model.write(projection(1));
    expect(await model.move('j-1', 'midden-drenthe')).toBe(true);
    expect((await model.run('j-1'))?.municipality).toBe('midden-drenthe');
    // A step of the journey from before the move still says the old municipality: the move holds.
    expect(await model.write(projection(2))).toBe(true);
    expect([(await model.run('j-1'))?.municipality, await model.movedTo('j-1')]).toEqual(['midden-drenthe', 'midden-drenthe']);
    // The journey has the move: its write ends the pin, and the journey's writes decide again.
    await model.write(projection(3, { municipality: 'midden-drenthe' }));
    expect(await model.movedTo('j-1')).toBeUndefined();
    await model.write(projection(4, { municipality: 'aa-en-hunze' }));
    expect((await model.run('j-1'))?.municipality).toBe('aa-en-hunze');
    expect(await model.move('j-unknown', 'midden-drenthe')).toBe(false);
  });

  it('carries an end for a reason into the list and its filter, whatever the run status, and forgets it when withdrawn (finding 1 of the second trial)', async () => {
    const model = new JourneyReadModel(t.db());
    const today = '2026-12-07';
    const ended = { reason: 'deceased', on: '2025-10-12', confirmedOn: '2026-12-07', confirmedBy: 'cw-1' };
    await model.write(projection(1, { journeyId: 'j-ended', runStatus: 'running', view: { ended } }));
    await model.write(projection(1, { journeyId: 'j-other', startedAt: '2026-01-02T10:00:00.000Z' }));
    const ids = async (filter: Parameters<JourneyReadModel['list']>[0]) => (await model.list(filter, today, 10)).journeys.map((j) => j.journeyId);
    // Still running (an instrument reporting its end), but ended: the list says so and the filter finds it.
    expect((await model.list({ ended: true }, today, 10)).journeys).toEqual([expect.objectContaining({ journeyId: 'j-ended', runStatus: 'running', ended: { reason: 'deceased', on: '2025-10-12' } })]);
    expect(await ids({ status: 'running', ended: false })).toEqual(['j-other']);
    expect((await model.run('j-ended'))?.ended).toEqual({ reason: 'deceased', on: '2025-10-12' });
    await model.write(projection(2, { journeyId: 'j-ended', runStatus: 'completed', view: { ended } }));
    expect(await ids({ status: 'completed', ended: true })).toEqual(['j-ended']);
    // Withdrawn: the next write has no end, and neither has the row.
    await model.write(projection(3, { journeyId: 'j-ended', runStatus: 'running', view: {} }));
    expect(await ids({ ended: true })).toEqual([]);
    expect((await model.list({}, today, 10)).journeys.find((j) => j.journeyId === 'j-ended')?.ended).toBeUndefined();
  });

  it('keeps a stopped run status against a later workflow write, and a failing task until the journey writes again', async () => {
    const model = new JourneyReadModel(t.db());
    await model.write(projection(1));
    await model.setRunStatus('j-1', 'workflow-task-failing');
    expect((await model.get('j-1'))?.runStatus).toBe('workflow-task-failing');
    await model.write(projection(2));
    expect((await model.get('j-1'))?.runStatus).toBe('running');
    await model.setRunStatus('j-1', 'terminated');
    await model.setRunStatus('j-1', 'workflow-task-failing');
    await model.write(projection(3));
    expect((await model.get('j-1'))?.runStatus).toBe('terminated');
  });

  it('filters on deadlines in a window, overdue on a given day, and counts per municipality and phase', async () => {
    const model = new JourneyReadModel(t.db());
    await model.write(projection(1));
    await model.write(projection(1, { journeyId: 'j-2', municipality: 'midden-drenthe', phase: 'arrival', startedAt: '2026-01-02T10:00:00.000Z', deadlines: [{ clock: 'inburgering', finalDate: '2029-01-01', open: true }] }));
    await model.write(projection(1, { journeyId: 'j-3', startedAt: '2026-01-03T10:00:00.000Z', deadlines: [{ clock: 'pip', finalDate: '2026-05-01', open: false }] }));
    const ids = async (filter: Parameters<JourneyReadModel['list']>[0], today = '2026-04-01') => (await model.list(filter, today, 10)).journeys.map((j) => j.journeyId);
    expect(await ids({ deadlineFrom: '2026-05-15', deadlineTo: '2026-06-30' })).toEqual(['j-1']);
    expect(await ids({ deadlineFrom: '2026-01-01', clock: 'inburgering' })).toEqual(['j-2']);
    // The same rows, another day: j-1's pip deadline has passed by 2026-06-02 without any write.
    expect(await ids({ overdue: true })).toEqual([]);
    expect(await ids({ overdue: true }, '2026-06-02')).toEqual(['j-1']);
    expect(await ids({ overdue: false }, '2026-06-02')).toEqual(['j-3', 'j-2']);
    expect(await model.count({ municipality: 'borger-odoorn' }, '2026-04-01')).toBe(2);
    expect(await model.countByMunicipalityAndPhase({}, '2026-04-01')).toEqual([
      { municipality: 'borger-odoorn', phase: 'intake', count: 2 },
      { municipality: 'midden-drenthe', phase: 'arrival', count: 1 },
    ]);
    expect(await model.countByStatus()).toEqual({ running: 3 });
  });

  it('pages newest first with a keyset cursor and refuses a cursor it did not make', async () => {
    const model = new JourneyReadModel(t.db());
    for (let i = 1; i <= 5; i++) await model.write(projection(1, { journeyId: `j-${i}`, startedAt: `2026-01-0${i}T10:00:00.000Z` }));
    const first = await model.list({}, '2026-04-01', 2);
    expect(first.journeys.map((j) => j.journeyId)).toEqual(['j-5', 'j-4']);
    const second = await model.list({}, '2026-04-01', 2, first.nextCursor);
    expect(second.journeys.map((j) => j.journeyId)).toEqual(['j-3', 'j-2']);
    const third = await model.list({}, '2026-04-01', 2, second.nextCursor);
    expect(third).toEqual({ journeys: [expect.objectContaining({ journeyId: 'j-1' })] });
    expect(decodeJourneyCursor(`${first.nextCursor}x`)).toBeNull();
    await expect(model.list({}, '2026-04-01', 2, 'abc.defghijklmn')).rejects.toThrow(RangeError);
  });

  it('erases the row and its deadlines', async () => {
    const model = new JourneyReadModel(t.db());
    await model.write(projection(1, { bsnCiphertext: 'sealed' }));
    await model.delete('j-1');
    expect(await model.get('j-1')).toBeUndefined();
    expect(await model.deadlines('j-1')).toEqual([]);
  });

  it('tells which journeys have a row, so the monitor asks only the others for theirs', async () => {
    const model = new JourneyReadModel(t.db());
    await model.write(projection(1));
    await model.write(projection(1, { journeyId: 'j-2' }));
    await model.delete('j-2');
    expect(await model.withRows(['j-1', 'j-2', 'j-3'])).toEqual(new Set(['j-1']));
    expect(await model.withRows([])).toEqual(new Set());
  });
});
