/**
 * Issue 24, fault 10: a move leaves no window. After `POST /v1/journeys/{id}/move` answers 202, every
 * access check sees the new municipality: the old municipality's caseworker, team lead and partner are
 * refused every write (404, as for a journey they cannot see) and every read, and nothing of what they
 * tried reaches the journey. The worker is stopped before the move, so the journey cannot have written
 * the move itself: what the store says then is what the move wrote before its 202.
 */
import { apiHarness, cloudEvent, eventually, type ApiHarness } from './harness';

describe('a move is in force for every access check before its 202', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness({ worker: true });
  });
  afterAll(() => h?.stop());

  it("refuses the old municipality's writes and reads right after the 202, and the journey applies none of them", async () => {
    const journeyId = await h.createJourney({ permitGrantedOn: '2021-06-01' });
    const events = `/v1/journeys/${journeyId}/events`;
    expect((await h.as('partnerBrp').post(events, cloudEvent('nl.koers.bijstand.applied', { occurredOn: '2025-05-01' }, `${journeyId}-applied`, 'urn:nl:brp'))).status).toBe(202);
    const { tasks } = await eventually(() => h.tasks.listTasks({ journeyId }), (p) => p.tasks.some((t) => t.kind === 'hold-intake'), 15_000);
    const task = tasks.find((t) => t.kind === 'hold-intake')!;
    await h.settled(journeyId);
    await h.stopWorker();

    const moved = await h.as('admin').post(`/v1/journeys/${journeyId}/move`, { municipality: 'midden-drenthe', reason: 'verhuisd' });
    expect(moved.status).toBe(202);

    const intake = (id: string, source: string) => cloudEvent('nl.koers.intake.held', { occurredOn: '2025-05-10' }, `${journeyId}-${id}`, source);
    const attempts: Array<[string, () => PromiseLike<{ status: number }>]> = [
      ['partner event', () => h.as('partnerBrp').post(events, intake('partner', 'urn:nl:brp'))],
      ['partner batch', () => h.as('partnerBrp').post(events, [intake('batch', 'urn:nl:brp')], 'application/cloudevents-batch+json')],
      [
        'partner binary',
        () =>
          h
            .as('partnerBrp')
            .post(events, JSON.stringify({ occurredOn: '2025-05-10' }))
            .set({ 'ce-specversion': '1.0', 'ce-id': `${journeyId}-binary`, 'ce-source': 'urn:nl:brp', 'ce-type': 'nl.koers.intake.held' }),
      ],
      ['caseworker event', () => h.as('caseworker').post(events, intake('staff', 'urn:nl:koers:staff:brief'))],
      ['claim', () => h.as('caseworker').post(`/v1/tasks/${task.id}/claim`)],
      ['complete', () => h.as('caseworker').post(`/v1/tasks/${task.id}/complete`, { form: { heldOn: '2025-05-10', interpreterUsed: false } })],
      ['reassign', () => h.as('teamLeadRole').post(`/v1/tasks/${task.id}/reassign`, { assignee: 'cw-anna' })],
      ['ladder', () => h.as('caseworker').post(`/v1/journeys/${journeyId}/ladder-assessments`, { rung: 3, assessedOn: '2025-06-01' })],
      ['instrument', () => h.as('caseworker').post(`/v1/journeys/${journeyId}/instruments`, { kind: 'werkstage', startedOn: '2025-06-01', hasStartkwalificatie: false, generalBijstand: true })],
      ['caseworker assignment', () => h.as('teamLeadRole').put(`/v1/journeys/${journeyId}/caseworker`, { role: 'regisseur-werk', id: 'cw-anna' })],
      ['erasure', () => h.as('privacyOfficer').post(`/v1/journeys/${journeyId}/erasure`, { ground: 'consent-withdrawn' })],
      ['journey', () => h.as('caseworker').get(`/v1/journeys/${journeyId}`)],
      ['journey as partner', () => h.as('partnerBrp').get(`/v1/journeys/${journeyId}`)],
      ['timeline', () => h.as('caseworker').get(`/v1/journeys/${journeyId}/events`)],
      ['person', () => h.as('caseworker').get(`/v1/journeys/${journeyId}/person`)],
      ['task', () => h.as('caseworker').get(`/v1/tasks/${task.id}`)],
    ];
    const answers: Array<[string, number]> = [];
    for (const [name, attempt] of attempts) answers.push([name, (await attempt()).status]);
    // A batch answers 404 as a whole: the journey is invisible before any event is looked at.
    expect(answers).toEqual(attempts.map(([name]) => [name, 404]));
    // The new municipality sees the journey and its open task at once.
    expect((await h.as('caseworkerOther').get(`/v1/journeys/${journeyId}`)).status).toBe(200);
    expect((await h.as('caseworkerOther').get(`/v1/tasks/${task.id}`)).status).toBe(200);
    expect((await h.tasks.listTasks({ journeyId, municipalities: ['borger-odoorn'], status: 'open' })).tasks).toEqual([]);

    // The journey takes the move; none of the refused writes reached it.
    await h.startWorker();
    const after = await eventually(
      async () => (await h.as('caseworkerOther').get(`/v1/journeys/${journeyId}`)).body,
      (j) => j.municipality === 'midden-drenthe' && j.policy?.id === 'midden-drenthe',
      15_000,
    );
    expect(after.milestones.intakeHeldOn).toBeUndefined();
    expect(after.ladder).toEqual(expect.not.arrayContaining([expect.objectContaining({ rung: 3 })]));
    expect((await h.audit.forJourney(journeyId)).map((e) => e.id)).toEqual([`${journeyId}-applied`]);
    const held = await h.tasks.getTask(task.id);
    expect([held?.status, held?.assignee, held?.municipality]).toEqual(['open', undefined, 'midden-drenthe']);
    expect((await h.journeys.get(journeyId))?.municipality).toBe('midden-drenthe');
    expect(await h.retention.get(journeyId)).toBeUndefined();
  });
});
