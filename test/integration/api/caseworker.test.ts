/**
 * The caseworker's endpoints end to end: tasks projected by the journey (real activities, SQLite
 * store), claimed and completed over HTTP, the journey moving on; ladder, extension requests and
 * instruments through the workflow's signal and Updates, with their validators' refusals as 422s.
 */
import { apiHarness, cloudEvent, eventually, type ApiHarness } from './harness';

type Task = { taskId: string; kind: string; candidateGroup: string; dueDate: string; status: string; assignee?: string; overdue: boolean; journeyId: string };

describe('caseworker endpoints', () => {
  let h: ApiHarness;
  let wi2021: string;
  let wi2013: string;

  beforeAll(async () => {
    h = await apiHarness({ worker: true });
    // Wi2021: DUO's notice and the registration start the PIP clock (10 weeks): a draw-up-pip task, overdue by now.
    wi2021 = await h.createJourney({ permitGrantedOn: '2025-03-14' });
    for (const [type, id] of [['nl.koers.duo.notified', 'duo-1'], ['nl.koers.brp.registered', 'brp-1']]) {
      expect((await h.as('partnerBrp').post(`/v1/journeys/${wi2021}/events`, cloudEvent(type!, { occurredOn: '2025-04-01' }, `${wi2021}-${id}`))).status).toBe(202);
    }
    // Wi2013: the bijstand application starts the intake clock (14 days): a hold-intake task.
    wi2013 = await h.createJourney({ permitGrantedOn: '2021-06-01' });
    expect((await h.as('partnerBrp').post(`/v1/journeys/${wi2013}/events`, cloudEvent('nl.koers.bijstand.applied', { occurredOn: '2025-05-01' }))).status).toBe(202);
    await eventually(() => h.tasks.listTasks({}), (p) => p.tasks.some((t) => t.kind === 'draw-up-pip') && p.tasks.some((t) => t.kind === 'hold-intake'), 10_000);
  });
  afterAll(() => h.stop());

  const team = async (who: Parameters<ApiHarness['as']>[0], query = '') => (await h.as(who).get(`/v1/tasks/team?${query}`)).body as { tasks: Task[]; nextCursor?: string };
  const mine = async (who: Parameters<ApiHarness['as']>[0], query = '') => (await h.as(who).get(`/v1/tasks/mine?${query}`)).body as { tasks: Task[] };
  const read = async (journeyId: string) => (await h.as('caseworker').get(`/v1/journeys/${journeyId}`)).body;

  it("lists my team's tasks, sorted by due date, with filters and paging", async () => {
    const all = await team('caseworker');
    expect(all.tasks.length).toBeGreaterThanOrEqual(2);
    const dues = all.tasks.map((t) => t.dueDate);
    expect(dues).toEqual([...dues].sort());
    expect((await team('caseworker', 'order=desc')).tasks.map((t) => t.dueDate)).toEqual([...dues].sort().reverse());

    const pip = (await team('caseworker', 'kind=draw-up-pip')).tasks;
    expect(pip).toEqual([expect.objectContaining({ journeyId: wi2021, kind: 'draw-up-pip', status: 'open', dueDate: '2025-06-10', overdue: true })]);
    expect((await team('caseworker', 'kind=draw-up-pip,hold-intake')).tasks.map((t) => t.kind).sort()).toEqual(['draw-up-pip', 'hold-intake']);
    expect((await team('caseworker', 'dueBefore=2025-06-01&kind=hold-intake,draw-up-pip')).tasks.map((t) => t.kind)).toEqual(['hold-intake']);
    expect((await team('caseworker', 'overdue=true')).tasks.length).toBe(all.tasks.filter((t) => t.overdue).length);
    expect((await team('caseworker', 'overdue=false')).tasks).toEqual([]);
    expect((await team('caseworker', 'status=completed')).tasks).toEqual([]);

    const first = await team('caseworker', 'pageSize=1');
    expect(first.tasks).toHaveLength(1);
    const second = await team('caseworker', `pageSize=1&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(second.tasks[0]!.taskId).not.toBe(first.tasks[0]!.taskId);
    expect(second.tasks[0]!.dueDate >= first.tasks[0]!.dueDate).toBe(true);

    // Teams: a key with teams sees its teams' tasks; a team lead every team's (the work it distributes, the
    // missed term's review that goes to the team lead among them); another municipality sees none.
    const byGroup = (group: string) => all.tasks.filter((t) => t.candidateGroup === group).map((t) => t.taskId);
    expect((await team('caseworker2')).tasks.map((t) => t.taskId)).toEqual(byGroup('regisseur-werk'));
    expect((await team('teamLead')).tasks.map((t) => t.taskId)).toEqual(all.tasks.map((t) => t.taskId));
    expect(byGroup('regisseur-werk').length).toBeGreaterThanOrEqual(2);
    // One journey's tasks are all its teams' (the journey page lists them, as the journey lists its open tasks).
    const ofJourney = all.tasks.filter((t) => t.journeyId === wi2021).map((t) => t.taskId);
    expect((await team('teamLead', `journeyId=${wi2021}`)).tasks.map((t) => t.taskId)).toEqual(ofJourney);
    expect((await team('caseworkerOther')).tasks).toEqual([]);
    expect((await team('admin')).tasks.length).toBe(all.tasks.length);
    expect((await h.as('caseworker').get('/v1/tasks/team?kind=nonsense')).status).toBe(400);
    expect((await h.as('caseworker').get('/v1/tasks/team?dueBefore=2025-02-30')).status).toBe(400);
  });

  it('claims, unclaims and completes a task; the journey moves on', async () => {
    const [task] = (await team('caseworker', 'kind=draw-up-pip')).tasks;
    const url = `/v1/tasks/${task!.taskId}`;
    const claimed = await h.as('caseworker').post(`${url}/claim`);
    expect(claimed.status).toBe(200);
    expect(claimed.body).toMatchObject({ status: 'claimed', assignee: 'cw-anna' });
    expect((await mine('caseworker')).tasks.map((t) => t.taskId)).toEqual([task!.taskId]);
    expect((await mine('caseworker2')).tasks).toEqual([]);
    expect((await h.as('caseworker2').post(`${url}/claim`)).status).toBe(409);
    expect((await h.as('caseworker2').post(`${url}/complete`, { form: { pipDate: '2025-06-01', leerroute: 'b1' } })).status).toBe(409);
    expect((await h.as('caseworker').post(`${url}/unclaim`)).body).toMatchObject({ status: 'open' });
    expect((await h.as('caseworker').post(`${url}/complete`, { form: { pipDate: '2025-06-01', leerroute: 'b1' } })).status).toBe(409);
    expect((await h.as('caseworker').post(`${url}/claim`)).status).toBe(200);

    const invalid = await h.as('caseworker').post(`${url}/complete`, { form: { pipDate: '2025-02-30', leerroute: 'c2', extra: 1 } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['form.extra', 'form.leerroute', 'form.pipDate']);
    expect((await h.tasks.getTask(task!.taskId))!.status).toBe('claimed');
    // A date after today (a typo: 2062 for 2026) would start the legal term decades late: refused like a partner's.
    const tomorrow = new Date(Date.now() + 36 * 3600_000).toISOString().slice(0, 10);
    for (const pipDate of ['2062-10-01', tomorrow]) {
      const future = await h.as('caseworker').post(`${url}/complete`, { form: { pipDate, leerroute: 'b1' } });
      expect([future.status, future.body.errors?.map((e: { path: string; message: string }) => [e.path, e.message.startsWith('must not be in the future')])]).toEqual([422, [['form.pipDate', true]]]);
    }
    expect((await h.tasks.getTask(task!.taskId))!.status).toBe('claimed');

    const done = await h.as('caseworker').post(`${url}/complete`, { form: { pipDate: '2025-06-01', leerroute: 'b1' } });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'completed', completedBy: 'cw-anna', overdue: false });
    // The open tasks follow once the journey has projected them again (an activity), the clock at once.
    const journey = await eventually(
      () => read(wi2021),
      (j) => j.clocks.some((c: { name: string }) => c.name === 'inburgering') && !j.openTasks.some((t: { kind: string }) => t.kind === 'draw-up-pip'),
      3000,
    );
    expect(journey.clocks.find((c: { name: string }) => c.name === 'inburgering')).toMatchObject({ startsOn: '2025-06-02', finalDate: '2028-06-01' });
    expect(journey.openTasks.map((t: { kind: string }) => t.kind)).not.toContain('draw-up-pip');
    const timeline = (await h.as('caseworker').get(`/v1/journeys/${wi2021}/events`)).body;
    expect(timeline.events).toContainEqual(expect.objectContaining({ type: 'nl.koers.pip.established', actor: { name: 'cw-anna', role: 'caseworker' }, applied: true }));
    // A retry of the same completion answers the same.
    expect((await h.as('caseworker').post(`${url}/complete`, { form: { pipDate: '2025-06-01', leerroute: 'b1' } })).status).toBe(200);
  });

  it('records a ladder assessment (202), readable on the journey', async () => {
    const res = await h.as('caseworker').post(`/v1/journeys/${wi2013}/ladder-assessments`, { rung: 5, assessedOn: '2025-06-01' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ journeyId: wi2013, accepted: true });
    const journey = await eventually(() => read(wi2013), (j) => j.ladder.length === 1, 2000);
    expect(journey.ladder).toEqual([{ rung: 5, assessedOn: '2025-06-01', assessedBy: 'cw-anna' }]);
    expect(journey.caseworker.role).toBe('regisseur-werk');
    expect((await h.as('caseworker').post(`/v1/journeys/${wi2013}/ladder-assessments`, { rung: 7, assessedOn: '2025-06-01' })).status).toBe(422);
  });

  it('starts and ends an instrument; an ineligible one is a 422 naming the rule', async () => {
    await eventually(() => read(wi2013), (j) => j.ladder.length === 1, 2000);
    // Rung 5 is a short distance to the labour market: a participatieplaats is for a long one.
    const ineligible = await h.as('caseworker').post(`/v1/journeys/${wi2013}/instruments`, { kind: 'participatieplaats', startedOn: '2025-07-01', hasStartkwalificatie: false, generalBijstand: true });
    expect(ineligible.status).toBe(422);
    expect(ineligible.body).toMatchObject({ reason: 'IneligibleInstrument', rule: expect.stringMatching(/^participatieplaats\./) });
    expect(ineligible.body.errors).toEqual([{ path: 'kind', message: ineligible.body.detail }]);

    const started = await h.as('caseworker').post(`/v1/journeys/${wi2013}/instruments`, { kind: 'werkstage', startedOn: '2025-07-01', hasStartkwalificatie: false, generalBijstand: true });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ kind: 'werkstage', startedOn: '2025-07-01', status: 'active', instrumentId: expect.any(String) });
    const instrumentId = started.body.instrumentId as string;
    const ended = await h.as('caseworker').post(`/v1/journeys/${wi2013}/instruments/${instrumentId}/end`, { endedOn: '2025-08-01', reason: 'werk gevonden' });
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ instrumentId, status: 'ended', endedOn: '2025-08-01' });
    const again = await h.as('caseworker').post(`/v1/journeys/${wi2013}/instruments/${instrumentId}/end`, { endedOn: '2025-08-01', reason: 'nogmaals' });
    expect(again.status).toBe(422);
    expect(again.body.errors[0].path).toBe('instrumentId');

    const noBirthDate = await h.createJourney({ birthDate: undefined });
    const unknownAge = await h.as('caseworker').post(`/v1/journeys/${noBirthDate}/instruments`, { kind: 'vrijwilligerswerk', startedOn: '2025-07-01', hasStartkwalificatie: false, generalBijstand: true });
    expect(unknownAge.status).toBe(422);
    expect(unknownAge.body.errors[0].path).toBe('birthDate');
  });

  it('files an extension request through the Update; the validator refuses with its reason (422)', async () => {
    const noTerm = await h.createJourney({ permitGrantedOn: '2025-03-14' });
    const refused = await h.as('caseworker').post(`/v1/journeys/${noTerm}/extension-requests`, { ground: 'birth', requestedOn: '2025-10-01', circumstanceFrom: '2025-09-01' });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ reason: 'InvalidExtensionRequest', errors: [{ path: 'journey', message: expect.stringContaining('has not started') }] });

    await eventually(() => read(wi2021), (j) => j.clocks.some((c: { name: string }) => c.name === 'inburgering'), 2000);
    const ground = await h.as('caseworker').post(`/v1/journeys/${wi2021}/extension-requests`, { ground: 'lessons', requestedOn: '2025-10-01' });
    expect(ground.status).toBe(422);
    expect(ground.body.errors[0]).toEqual({ path: 'ground', message: expect.stringContaining('not a ground under wi2021') });
    const early = await h.as('caseworker').post(`/v1/journeys/${wi2021}/extension-requests`, { ground: 'illness', requestedOn: '2025-10-01', circumstanceFrom: '2025-07-01', circumstanceUntil: '2025-12-01' });
    expect(early.status).toBe(422);
    expect(early.body.errors[0].path).toBe('requestedOn');

    const filed = await h.as('caseworker').post(`/v1/journeys/${wi2021}/extension-requests`, { ground: 'birth', requestedOn: '2025-10-01', circumstanceFrom: '2025-09-01' });
    expect(filed.status).toBe(200);
    expect(filed.body).toEqual({ accepted: true });
    const journey = await read(wi2021);
    expect(journey.extensionRequests).toEqual([expect.objectContaining({ ground: 'birth', requestedBy: 'cw-anna', status: 'filed' })]);
  });

  it('refuses changes to a journey that has ended (409), and nothing is sent', async () => {
    const journeyId = await h.createJourney();
    await h.client.workflow.getHandle(journeyId).terminate('test: the journey ends');
    for (const [path, body] of [
      ['ladder-assessments', { rung: 3, assessedOn: '2025-06-01' }],
      ['extension-requests', { ground: 'birth', requestedOn: '2025-06-01', circumstanceFrom: '2025-05-01' }],
      ['instruments', { kind: 'werkstage', startedOn: '2025-06-01', hasStartkwalificatie: false, generalBijstand: true }],
    ] as const) {
      const res = await h.as('caseworker').post(`/v1/journeys/${journeyId}/${path}`, body);
      expect([path, res.status]).toEqual([path, 409]);
    }
    const event = await h.as('partnerBrp').post(`/v1/journeys/${journeyId}/events`, cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-04-01' }));
    expect(event.status).toBe(409);
    expect((await h.as('admin').put(`/v1/journeys/${journeyId}/caseworker`, { role: 'regisseur-werk' })).status).toBe(409);
  });
});
