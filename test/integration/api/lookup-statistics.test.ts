import { apiHarness, cloudEvent, eventually, type ApiHarness } from './harness';

/** The operations the web app needed: a task by id, a journey by person reference, the dashboard's figures. */
describe('task by id, journey lookup by person reference, statistics', () => {
  let h: ApiHarness;
  let journeyId: string;
  let personRef: string;

  beforeAll(async () => {
    h = await apiHarness({ worker: true });
    personRef = h.personRef();
    journeyId = await h.createJourney({ personRef, permitGrantedOn: '2025-03-14' });
    for (const type of ['nl.koers.duo.notified', 'nl.koers.brp.registered']) {
      expect((await h.as('partnerBrp').post(`/v1/journeys/${journeyId}/events`, cloudEvent(type, { occurredOn: '2025-04-01' }))).status).toBe(202);
    }
    await h.settled(journeyId);
  });

  afterAll(() => h?.stop());

  it('finds a journey by municipality + personRef for whoever may see it, and no one else', async () => {
    const found = await h.as('admin').post('/v1/journeys/lookup', { municipality: 'borger-odoorn', personRef });
    expect(found.status).toBe(200);
    expect(found.body).toEqual({ journeyId, location: `/v1/journeys/${journeyId}` });
    expect((await h.as('caseworker').post('/v1/journeys/lookup', { municipality: 'borger-odoorn', personRef })).body.journeyId).toBe(journeyId);
    // Another municipality's caseworker: the same 404 as a journey that does not exist.
    const other = await h.as('caseworkerOther').post('/v1/journeys/lookup', { municipality: 'borger-odoorn', personRef });
    expect(other.status).toBe(404);
    expect((await h.as('admin').post('/v1/journeys/lookup', { municipality: 'borger-odoorn', personRef: 'nobody' })).status).toBe(404);
    expect((await h.as('partnerBrp').post('/v1/journeys/lookup', { municipality: 'borger-odoorn', personRef })).status).toBe(403);
    const bad = await h.as('admin').post('/v1/journeys/lookup', { municipality: 'borger-odoorn', personRef: 'not a ref!' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'personRef' })]);
    // The personRef is personal data: never in a log line.
    expect(JSON.stringify(h.logs)).not.toContain(personRef);
  });

  it('reads one task by id, within the caller\'s municipalities', async () => {
    const taskId = `${journeyId}:draw-up-pip`;
    const task = await eventually(() => h.as('caseworker').get(`/v1/tasks/${encodeURIComponent(taskId)}`), (r) => r.status === 200);
    expect(task.body).toEqual(expect.objectContaining({ taskId, kind: 'draw-up-pip', status: 'open', overdue: true, dueDate: '2025-06-10' }));
    expect((await h.as('caseworkerOther').get(`/v1/tasks/${encodeURIComponent(taskId)}`)).status).toBe(404);
  });

  it("gives administrators the dashboard's figures over this Koers's journeys", async () => {
    const stats = await h.as('admin').get('/v1/statistics?municipality=borger-odoorn');
    expect(stats.status).toBe(200);
    expect(stats.body).toEqual(expect.objectContaining({ journeys: 1, unavailable: 0 }));
    expect(stats.body.municipalities).toEqual([expect.objectContaining({ key: 'borger-odoorn', journeys: 1, overdueClocks: 1 })]);
    expect(stats.body.steps.pip).toEqual({ overdue: 1 });
    expect((await h.as('admin').get('/v1/statistics?municipality=midden-drenthe')).body.journeys).toBe(0);
    expect((await h.as('caseworker').get('/v1/statistics')).status).toBe(403);
    expect((await h.as('admin').get('/v1/statistics?regime=wi1999')).status).toBe(400);
  });
});
