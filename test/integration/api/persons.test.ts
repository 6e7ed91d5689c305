/**
 * One journey per person per municipality (contract: the same personRef again is a 409 naming the
 * journey), also after a move and after Temporal's retention has removed a closed run.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { apiHarness, eventually, type ApiHarness } from './harness';

describe('the person index', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness({ worker: true });
  });
  afterAll(() => h.stop());

  const create = (personRef: string, municipality: string) => h.as('admin').post('/v1/journeys', { personRef, municipality, permitGrantedOn: '2025-03-14' });

  it('answers 409 for a person whose journey moved into the municipality (issue 8, fault 5)', async () => {
    const personRef = h.personRef();
    const first = await create(personRef, 'borger-odoorn');
    expect(first.status).toBe(201);
    const journeyId = first.body.journeyId as string;
    expect((await h.as('admin').post(`/v1/journeys/${journeyId}/move`, { municipality: 'midden-drenthe', reason: 'verhuisd' })).status).toBe(202);
    await eventually(() => h.as('admin').get(`/v1/journeys/${journeyId}`), (r) => r.body.municipality === 'midden-drenthe', 3000);

    const again = await create(personRef, 'midden-drenthe');
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ journeyId, location: `/v1/journeys/${journeyId}` });
    // Back where it started: the person's one journey, not a second.
    const back = await create(personRef, 'borger-odoorn');
    expect(back.status).toBe(409);
    expect(back.body.journeyId).toBe(journeyId);

    const rows = await h.db.selectFrom('person_index').selectAll().where('journey_id', '=', journeyId).execute();
    expect(rows).toEqual([expect.objectContaining({ municipality: 'midden-drenthe', person_key: h.identity.personKey(personRef) })]);
    expect(JSON.stringify(rows)).not.toContain(personRef);
  });

  it('refuses to move a journey to a municipality where the person already has one (409), and moves nothing', async () => {
    const personRef = h.personRef();
    const inBo = (await create(personRef, 'borger-odoorn')).body.journeyId as string;
    const inMd = (await create(personRef, 'midden-drenthe')).body.journeyId as string;
    const before = await h.settled(inBo);
    const res = await h.as('admin').post(`/v1/journeys/${inBo}/move`, { municipality: 'midden-drenthe' });
    expect(res.status).toBe(409);
    expect(res.body.journeyId).toBe(inMd);
    expect(await h.historyLength(inBo)).toBe(before);
    expect(await h.persons.municipalityOf(inBo)).toBe('borger-odoorn');
  });

  it('answers 409 after Temporal has removed the closed run of that person', async () => {
    const personRef = h.personRef();
    const journeyId = (await create(personRef, 'borger-odoorn')).body.journeyId as string;
    const handle = h.client.workflow.getHandle(journeyId);
    await handle.terminate('retention test');
    // What the retention period does to a closed run: the server forgets it.
    await h.client.workflowService.deleteWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId: journeyId } });
    // The dev server carries out a deletion about 30 s later.
    const gone = await eventually(() => handle.describe().then(() => false, (err: unknown) => err instanceof WorkflowNotFoundError), (g) => g, 60_000);
    expect(gone).toBe(true);

    const again = await create(personRef, 'borger-odoorn');
    expect(again.status).toBe(409);
    expect(again.body.journeyId).toBe(journeyId);
  });
});
