/**
 * Retention and erasure on a Temporal server of this file's own (the sweep erases whatever ended
 * journeys it finds): an admin erases a journey's personal data at once, the nightly sweep erases
 * an ended journey's after its policy's retention period, and both leave a pseudonymous record.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowNotFoundError } from '@temporalio/client';
import { addYears, amsterdamDateOf } from '../../../domain/dates';
import { retentionWorkflow } from '../../../workflows/retention';
import { createLocalEnv } from '../../helpers/temporal-env';
import { apiHarness, cloudEvent, eventually, type ApiHarness } from './harness';

jest.setTimeout(400_000);

describe('retention and erasure of personal data', () => {
  let env: TestWorkflowEnvironment;
  let h: ApiHarness;
  beforeAll(async () => {
    env = await createLocalEnv();
    h = await apiHarness({ worker: true, temporalAddress: env.address });
  });
  afterAll(async () => {
    await h?.stop();
    await env?.teardown();
  });

  // Temporal deletes a closed run asynchronously, after its close has been processed (about a minute on the dev server).
  const gone = (workflowId: string) =>
    eventually(
      () => h.client.workflow.getHandle(workflowId).describe().then(() => false, (err: unknown) => err instanceof WorkflowNotFoundError),
      (isGone) => isGone,
      150_000,
    );

  it('erases a journey at an admin\'s request, ends it if running, records who and why, and deletes its audit trail and tasks', async () => {
    // Wi2013: the application for bijstand opens an intake task (below).
    const journeyId = await h.createJourney({ bsn: '111222333', birthDate: '1979-12-24', permitGrantedOn: '2021-06-01' });
    const event = cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-04-01' }, `erase-${Date.now()}`, 'urn:nl:brp:borger-odoorn');
    expect((await h.as('partnerBrp').post(`/v1/journeys/${journeyId}/events`, event)).status).toBe(202);
    expect((await h.as('partnerBrp').post(`/v1/journeys/${journeyId}/events`, cloudEvent('nl.koers.bijstand.applied', { occurredOn: '2025-05-01' }))).status).toBe(202);
    const activeTasks = () => h.db.selectFrom('tasks').select(['id', 'status']).where('journey_id', '=', journeyId).where('status', 'in', ['open', 'claimed']).execute();
    const [task] = await eventually(activeTasks, (tasks) => tasks.length > 0, 10_000);
    expect(task).toBeDefined();

    expect((await h.as('caseworker').post(`/v1/journeys/${journeyId}/erasure`, { ground: 'consent-withdrawn' })).status).toBe(403);
    expect((await h.as('admin').post(`/v1/journeys/${journeyId}/erasure`, { ground: 'because' })).status).toBe(422);

    const res = await h.as('admin').post(`/v1/journeys/${journeyId}/erasure`, { ground: 'consent-withdrawn' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ journeyId, municipality: 'borger-odoorn', endReason: 'erased-while-running', erasureGround: 'consent-withdrawn' });
    // The key's fingerprint, never the admin's name.
    expect(res.body.erasedBy).toMatch(/^[0-9a-f]{12}$/);
    expect(res.body.erasedAt).toBeDefined();

    // Temporal no longer has the journey (its input held the sealed BSN and the birth date).
    expect(await gone(journeyId)).toBe(true);
    expect((await h.as('admin').get(`/v1/journeys/${journeyId}`)).status).toBe(404);
    // The audit trail goes (its types and dates are the person's case, issue 24); the erasure is on record; again changes nothing.
    expect(await h.audit.forJourney(journeyId)).toEqual([]);
    expect((await h.as('admin').get(`/v1/journeys/${journeyId}/erasure`)).body).toEqual(res.body);
    expect((await h.as('admin').post(`/v1/journeys/${journeyId}/erasure`, { ground: 'objection' })).body).toEqual(res.body);

    // Its tasks went with it: nobody can take one up and write new notes about the person into its form.
    expect(await activeTasks()).toEqual([]);
    expect(await h.db.selectFrom('tasks').select('id').where('journey_id', '=', journeyId).execute()).toEqual([]);
    const url = `/v1/tasks/${task!.id}`;
    expect((await h.as('caseworker').post(`${url}/claim`)).status).not.toBe(200);
    expect((await h.as('admin').post(`${url}/complete`, { form: { heldOn: '2025-04-02', interpreterUsed: false, note: 'notes about the person' } })).status).not.toBe(200);
    expect(await h.db.selectFrom('tasks').select('form').where('journey_id', '=', journeyId).where('form', 'is not', null).execute()).toEqual([]);
  });

  const sweep = (day: string) => h.client.workflow.execute(retentionWorkflow, { workflowId: `retention-${day}-${Date.now()}`, taskQueue: h.taskQueue, args: [{ today: day }] });

  it('the nightly sweep records an ended journey with its retention date and erases it once that date has come', async () => {
    const closed = await h.createJourney({ bsn: h.bsn(), birthDate: '1980-01-02' });
    const running = await h.createJourney({ birthDate: '1980-01-03' });
    await h.client.workflow.getHandle(closed).terminate('closed by an admin');
    // The task projection's forms are erased with it: complete nothing here, the store test covers forms.
    const today = amsterdamDateOf(Date.now());

    // Visibility is eventually consistent: sweep until the closed journey is seen.
    const first = await eventually(async () => {
      await sweep(today);
      return h.retention.get(closed);
    }, (entry) => entry !== undefined, 15_000);
    // The law's retention (domain/policy.ts LEGAL_RETENTION): the bijstand track is not known to the sweep,
    // so the Participatiewet client file's 10 years (Selectielijst gemeenten 2020) bind.
    expect(first).toMatchObject({ journeyId: closed, endReason: 'closed', endedOn: today, eraseAfter: addYears(today, 10) });
    expect(first!.erasedAt).toBeUndefined();
    expect(await h.retention.get(running)).toBeUndefined();
    // Not due yet: still in Temporal.
    expect((await h.client.workflow.getHandle(closed).describe()).status.name).toBe('TERMINATED');

    expect((await sweep(addYears(today, 5))).erased).toBe(0);
    const later = await sweep(addYears(today, 10));
    expect(later.erased).toBeGreaterThanOrEqual(1);
    expect(await h.retention.get(closed)).toMatchObject({ erasureGround: 'retention-period-ended', erasedBy: 'retention' });
    expect(await gone(closed)).toBe(true);
    // A running journey is untouched.
    expect((await h.client.workflow.getHandle(running).describe()).status.name).toBe('RUNNING');
  });

  it('a journey that ended, reopened (contract v1.2) and ended again is kept from its last end, not erased on the first end\'s date', async () => {
    const today = amsterdamDateOf(Date.now());
    const journeyId = await h.createJourney({ bsn: h.bsn(), birthDate: '1985-01-01', permitGrantedOn: '2020-03-02' });
    const post = (type: string, occurredOn: string) => h.as('admin').post(`/v1/journeys/${journeyId}/events`, cloudEvent(type, { occurredOn }, `${type}-${Date.now()}`));
    const status = () => h.client.workflow.getHandle(journeyId).describe().then((d) => d.status.name);
    expect((await post('nl.koers.exemption.granted', '2023-05-01')).status).toBe(202);
    await eventually(status, (s) => s === 'COMPLETED', 20_000);
    await eventually(async () => {
      await sweep(today);
      return h.retention.get(journeyId);
    }, (entry) => entry !== undefined, 15_000);
    // As if that first end were twelve years ago: its ten years have passed.
    await h.db.updateTable('journey_retention').set({ ended_on: addYears(today, -12), erase_after: addYears(today, -2) }).where('journey_id', '=', journeyId).execute();

    // A bijstand application reopens it; an admin closes it again.
    expect((await post('nl.koers.bijstand.applied', today)).status).toBe(202);
    await eventually(status, (s) => s === 'RUNNING', 20_000);
    await h.client.workflow.getHandle(journeyId).terminate('closed by an admin');

    await sweep(today);
    // Its retention runs from its last end (the bijstand track: the Participatiewet file's 10 years); nothing is erased.
    expect(await h.retention.get(journeyId)).toMatchObject({ endedOn: today, eraseAfter: addYears(today, 10) });
    expect((await h.retention.get(journeyId))!.erasedAt).toBeUndefined();
    expect(await status()).toBe('TERMINATED');
  });
});
