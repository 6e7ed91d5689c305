/**
 * The staff directory behind every hand-over of work, and the team lead's tools: the team's work by
 * behandelaar, many tasks to a colleague or the pool at once, a colleague's absence in one action.
 */
import { recordStaffSignIn } from '../../../staff/directory';
import { apiHarness, type ApiHarness } from './harness';

describe('staff directory and the team lead', () => {
  let h: ApiHarness;
  let run = 0;

  beforeAll(async () => {
    h = await apiHarness();
  });
  afterAll(() => h.stop());

  /** Tasks of a journey of its own, straight in the task store (no workflow needed to hand them around). */
  async function tasks(count: number, municipality = 'borger-odoorn'): Promise<string[]> {
    const journeyId = `j-staff-${process.pid}-${Date.now()}-${++run}`;
    await h.tasks.syncJourneyTasks({
      journeyId,
      municipality,
      caseworkerRole: 'regisseur-werk',
      tasks: Array.from({ length: count }, (_, i) => ({
        key: `check-family-reunification-${i}`,
        kind: 'check-family-reunification' as const,
        candidateGroup: 'regisseur-werk' as const,
        followUpDate: '2025-04-10',
        dueDate: `2025-05-${String(10 + (i % 18)).padStart(2, '0')}`,
      })),
    });
    return Array.from({ length: count }, (_, i) => `${journeyId}:check-family-reunification-${i}`);
  }

  it('knows staff from their keys\' first use and offers active colleagues of my municipalities by name', async () => {
    for (const who of ['caseworker', 'caseworker2', 'teamLead', 'caseworkerOther', 'admin', 'partnerBrp'] as const) await h.as(who).get('/v1/tasks/mine');
    expect(await h.staff.find('cw-anna')).toMatchObject({ role: 'caseworker', municipalities: ['borger-odoorn'], active: true });
    expect(await h.staff.find('cw-lead')).toMatchObject({ role: 'team-lead', municipalities: ['borger-odoorn'] });
    expect(await h.staff.find('cw-bram')).toMatchObject({ role: 'caseworker', team: 'regisseur-werk' });
    // A partner is a machine, not staff.
    expect(await h.staff.find('brp-borger-odoorn')).toBeUndefined();

    const list = await h.as('caseworker').get('/v1/staff');
    expect(list.status).toBe(200);
    const ids = (list.body.staff as Array<{ id: string }>).map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining(['cw-anna', 'cw-bram', 'cw-lead']));
    expect(ids).not.toContain('cw-other');
    expect((await h.as('caseworker').get('/v1/staff?municipality=midden-drenthe')).body.staff).toEqual([]);
    expect((await h.as('admin').get('/v1/staff?municipality=midden-drenthe')).body.staff.map((s: { id: string }) => s.id)).toContain('cw-other');
    expect((await h.as('caseworker').get('/v1/staff?team=regisseur-werk')).body.staff.map((s: { id: string }) => s.id)).toContain('cw-bram');
    expect((await h.as('partnerBrp').get('/v1/staff')).status).toBe(403);
    // Names are an employee's personal data: never in a log line.
    await h.staff.recordSignIn({ id: 'cw-named', name: 'Fenna Hoekstra', role: 'caseworker', municipalities: ['borger-odoorn'] });
    expect((await h.as('caseworker').get('/v1/staff')).body.staff).toContainEqual(expect.objectContaining({ id: 'cw-named', name: 'Fenna Hoekstra' }));
    expect(JSON.stringify(h.logs)).not.toContain('Fenna');
  });

  it('refuses to hand a task to a mistyped, inactive or foreign staff id (issue 21): 422 naming assignee, and the task stays with its holder', async () => {
    const [taskId] = await tasks(1);
    expect((await h.as('caseworker').post(`/v1/tasks/${taskId}/claim`)).status).toBe(200);
    await h.staff.recordSignIn({ id: 'cw-left', name: 'Vertrokken', role: 'caseworker', municipalities: ['borger-odoorn'] });
    await h.staff.deactivate('cw-left');
    for (const assignee of ['cw-anuok', 'cw-left', 'cw-other']) {
      const res = await h.as('caseworker').post(`/v1/tasks/${taskId}/reassign`, { assignee });
      expect([assignee, res.status]).toEqual([assignee, 422]);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.errors).toEqual([{ path: 'assignee', message: expect.any(String) }]);
    }
    // Nothing changed: the holder still holds it, and an admin can still take it back.
    expect((await h.as('caseworker').get(`/v1/tasks/${taskId}`)).body).toMatchObject({ status: 'claimed', assignee: 'cw-anna' });
    expect((await h.as('caseworker').post(`/v1/tasks/${taskId}/reassign`, { assignee: 'cw-bram', reason: 'Bram kent de familie' })).status).toBe(200);
    const history = (await h.as('caseworker').get(`/v1/tasks/${taskId}/history`)).body.events as Array<Record<string, string>>;
    expect(history.at(-1)).toMatchObject({ type: 'reassigned', actor: 'cw-anna', from: 'cw-anna', to: 'cw-bram', reason: 'Bram kent de familie' });
  });

  it("refuses a journey's caseworker id that is no active colleague of its municipality (422 naming id)", async () => {
    const journeyId = await h.createJourney();
    const before = await h.historyLength(journeyId);
    const res = await h.as('admin').put(`/v1/journeys/${journeyId}/caseworker`, { role: 'regisseur-werk', id: 'cw-anuok' });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ path: 'id', message: expect.any(String) }]);
    expect((await h.as('admin').put(`/v1/journeys/${journeyId}/caseworker`, { role: 'regisseur-werk', id: 'cw-other' })).status).toBe(422);
    expect(await h.historyLength(journeyId)).toBe(before);
    expect((await h.as('admin').put(`/v1/journeys/${journeyId}/caseworker`, { role: 'regisseur-werk', id: 'cw-bram' })).status).toBe(202);
  });

  it("lists the team's work by behandelaar, and the pool", async () => {
    const ids = await tasks(3);
    await h.tasks.claim(ids[0]!, 'cw-anna');
    await h.tasks.claim(ids[1]!, 'cw-bram');
    const team = async (query: string) => ((await h.as('teamLead').get(`/v1/tasks/team?pageSize=500&${query}`)).body.tasks as Array<{ taskId: string; assignee?: string }>).filter((t) => ids.includes(t.taskId));
    expect((await team('assignee=cw-anna')).map((t) => t.taskId)).toEqual([ids[0]]);
    expect((await team('assignee=cw-bram')).map((t) => t.taskId)).toEqual([ids[1]]);
    expect((await team('assigned=false')).map((t) => t.taskId)).toEqual([ids[2]]);
    expect((await team('')).map((t) => t.taskId).sort()).toEqual([...ids].sort());
    expect((await h.as('teamLead').get('/v1/tasks/team?assignee=not%20an%20id')).status).toBe(400);
  });

  it('hands many tasks to a colleague, or back to the pool, at once; the reason lands in each history', async () => {
    const ids = await tasks(4);
    await h.tasks.claim(ids[0]!, 'cw-anna');
    await h.tasks.claim(ids[1]!, 'cw-bram');
    const res = await h.as('teamLead').post('/v1/tasks/redistribution', { taskIds: ids, assignee: 'cw-bram', reason: 'Werkverdeling week 19' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      changed: 3,
      outcomes: [
        { taskId: ids[0], outcome: 'reassigned', from: 'cw-anna', to: 'cw-bram' },
        { taskId: ids[1], outcome: 'unchanged', from: 'cw-bram', to: 'cw-bram' },
        { taskId: ids[2], outcome: 'reassigned', to: 'cw-bram' },
        { taskId: ids[3], outcome: 'reassigned', to: 'cw-bram' },
      ],
    });
    for (const id of [ids[0]!, ids[2]!, ids[3]!]) {
      expect((await h.as('caseworker').get(`/v1/tasks/${id}/history`)).body.events.at(-1)).toMatchObject({ type: 'reassigned', actor: 'cw-lead', to: 'cw-bram', reason: 'Werkverdeling week 19' });
    }
    const back = await h.as('teamLead').post('/v1/tasks/redistribution', { taskIds: ids.slice(0, 2), pool: true, reason: 'Terug naar de voorraad' });
    expect(back.body.outcomes).toEqual([
      { taskId: ids[0], outcome: 'released', from: 'cw-bram' },
      { taskId: ids[1], outcome: 'released', from: 'cw-bram' },
    ]);
    expect((await h.as('caseworker').get(`/v1/tasks/${ids[0]}`)).body).toMatchObject({ status: 'open' });
    expect((await h.as('caseworker').get(`/v1/tasks/${ids[0]}`)).body).not.toHaveProperty('assignee');
    expect((await h.as('caseworker').get(`/v1/tasks/${ids[1]}/history`)).body.events.at(-1)).toMatchObject({ type: 'released', from: 'cw-bram', reason: 'Terug naar de voorraad' });
  });

  it("handles a colleague's absence in one action: every task they hold, and nothing else", async () => {
    await h.staff.recordSignIn({ id: 'cw-absent', name: 'Afwezig', role: 'caseworker', municipalities: ['borger-odoorn'] });
    const ids = await tasks(5);
    for (const id of ids.slice(0, 4)) await h.tasks.claim(id, 'cw-absent');
    await h.staff.deactivate('cw-absent');
    const res = await h.as('teamLead').post('/v1/tasks/redistribution', { holder: 'cw-absent', assignee: 'cw-anna', reason: 'Ziekte van een collega' });
    expect(res.status).toBe(200);
    expect(res.body.changed).toBe(4);
    expect(res.body.outcomes.map((o: { taskId: string }) => o.taskId).sort()).toEqual(ids.slice(0, 4).sort());
    expect((await h.tasks.listTasks({ assignee: 'cw-absent' })).tasks).toEqual([]);
    expect((await h.tasks.getTask(ids[4]!))!.status).toBe('open');
  });

  it('does all or nothing, with an outcome per task; only team leads and admins may', async () => {
    const ids = await tasks(3);
    const [foreign] = await tasks(1, 'midden-drenthe');
    await h.tasks.claim(ids[0]!, 'cw-anna');
    await h.tasks.claim(ids[1]!, 'cw-anna');
    await h.tasks.complete(ids[1]!, 'cw-anna', { checkedOn: '2025-04-12', applicationFiled: false });
    const snapshot = async () => Promise.all(ids.map(async (id) => (await h.tasks.getTask(id))!.version));
    const before = await snapshot();

    // A closed task: 409, nothing changed, each task's outcome said.
    const closed = await h.as('teamLead').post('/v1/tasks/redistribution', { taskIds: ids, assignee: 'cw-bram', reason: 'verdelen' });
    expect(closed.status).toBe(409);
    expect(closed.body.outcomes).toEqual([
      { taskId: ids[0], outcome: 'not-done', from: 'cw-anna' },
      { taskId: ids[1], outcome: 'refused', reason: expect.stringContaining('completed'), refusal: 'closed' },
      { taskId: ids[2], outcome: 'not-done' },
    ]);
    // A task of another municipality is none of the lead's: as if it did not exist (422, naming it).
    const elsewhere = await h.as('teamLead').post('/v1/tasks/redistribution', { taskIds: [ids[0], foreign], assignee: 'cw-bram', reason: 'verdelen' });
    expect(elsewhere.status).toBe(422);
    expect(elsewhere.body.errors).toEqual([{ path: 'taskIds.1', message: 'no such task' }]);
    // A mistyped colleague: 422 naming assignee.
    const mistyped = await h.as('teamLead').post('/v1/tasks/redistribution', { taskIds: [ids[0], ids[2]], assignee: 'cw-anuok', reason: 'verdelen' });
    expect(mistyped.status).toBe(422);
    expect(mistyped.body.errors).toEqual([{ path: 'assignee', message: expect.any(String) }]);
    expect(mistyped.body.outcomes.map((o: { refusal: string }) => o.refusal)).toEqual(['unknown', 'unknown']);
    // Bad bodies name every wrong field.
    const bad = await h.as('teamLead').post('/v1/tasks/redistribution', { taskIds: [ids[0], ids[0]], reason: '  ' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['assignee', 'reason', 'taskIds']);
    expect((await h.as('teamLead').post('/v1/tasks/redistribution', { taskIds: [ids[0]], reason: 'x' })).body.errors).toEqual([{ path: 'assignee', message: expect.any(String) }]);
    // Not a team lead: 403.
    expect((await h.as('caseworker').post('/v1/tasks/redistribution', { taskIds: [ids[0]], pool: true, reason: 'x' })).status).toBe(403);
    expect((await h.as('partnerBrp').post('/v1/tasks/redistribution', { taskIds: [ids[0]], pool: true, reason: 'x' })).status).toBe(403);
    expect(await snapshot()).toEqual(before);
    // An admin may.
    expect((await h.as('admin').post('/v1/tasks/redistribution', { taskIds: [ids[0]], pool: true, reason: 'x' })).status).toBe(200);
  });
  it('deactivates a colleague who left (offboarding): no longer offered or given work, the reason kept; a new sign-in reactivates', async () => {
    await h.staff.recordSignIn({ id: 'cw-vera', name: 'Vera Vertrekt', role: 'caseworker', team: 'regisseur-werk', municipalities: ['borger-odoorn'] });
    await h.staff.recordSignIn({ id: 'cw-md-left', name: 'Elders Vertrokken', role: 'caseworker', municipalities: ['midden-drenthe'] });
    const offered = async () => ((await h.as('teamLead').get('/v1/staff')).body.staff as Array<{ id: string }>).map((s) => s.id);
    expect(await offered()).toContain('cw-vera');

    // Only team leads and admins; a reason is asked for; an unknown id, or one of another municipality, is 404.
    expect((await h.as('caseworker').post('/v1/staff/cw-vera/deactivation', { reason: 'uit dienst' })).status).toBe(403);
    const noReason = await h.as('teamLead').post('/v1/staff/cw-vera/deactivation', { reason: ' ' });
    expect(noReason.status).toBe(422);
    expect(noReason.body.errors).toEqual([{ path: 'reason', message: expect.any(String) }]);
    for (const id of ['cw-anuok', 'cw-md-left']) {
      const res = await h.as('teamLead').post(`/v1/staff/${id}/deactivation`, { reason: 'uit dienst' });
      expect([id, res.status]).toEqual([id, 404]);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect(await h.staff.find('cw-md-left')).toMatchObject({ active: true });
    expect(await offered()).toContain('cw-vera');

    const res = await h.as('teamLead').post('/v1/staff/cw-vera/deactivation', { reason: 'Uit dienst per 1 december' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: 'cw-vera', active: false, deactivatedAt: expect.any(String) });
    expect(await offered()).not.toContain('cw-vera');
    // No task can be handed to her any more.
    const [taskId] = await tasks(1);
    expect((await h.as('teamLead').post('/v1/tasks/redistribution', { taskIds: [taskId], assignee: 'cw-vera', reason: 'verdelen' })).status).toBe(422);
    // Again: changes nothing. An admin may too, anywhere.
    expect((await h.as('teamLead').post('/v1/staff/cw-vera/deactivation', { reason: 'nogmaals' })).body.deactivatedAt).toBe(res.body.deactivatedAt);
    expect((await h.as('admin').post('/v1/staff/cw-md-left/deactivation', { reason: 'Uit dienst' })).status).toBe(200);
    expect(await h.staff.find('cw-md-left')).toMatchObject({ active: false });

    // Signing in again through the identity provider makes her a colleague again.
    await recordStaffSignIn(h.staff, { role: 'caseworker', name: 'cw-vera', municipalities: ['borger-odoorn'], teams: ['regisseur-werk'] }, 'Vera Vertrekt');
    expect(await offered()).toContain('cw-vera');
  });
});
