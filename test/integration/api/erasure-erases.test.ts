/**
 * Issue 24, fault 3: an erasure erases. After `POST /v1/journeys/{id}/erasure` no byte of the store's
 * database files (the file, its write-ahead log) holds the person's reference, BSN, birth date or the
 * journey id; Temporal has no run of it (`temporal workflow show`, `workflow list`); and the same
 * person can be registered again. A second journey, not erased, shows the grep sees what is there.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { WorkflowNotFoundError } from '@temporalio/client';
import { temporalCliPath } from '../../../platform/tools';
import { apiHarness, cloudEvent, eventually, type ApiHarness } from './harness';

jest.setTimeout(300_000);
const run = promisify(execFile);

describe('erasure', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness({ worker: true });
  });
  afterAll(() => h?.stop());

  const cli = (args: string[]) =>
    run(temporalCliPath(), [...args, '--address', process.env.KOERS_TEST_TEMPORAL_ADDRESS!, '--namespace', 'default'], { timeout: 30_000 }).then(
      (r) => ({ ok: true, out: r.stdout + r.stderr }),
      (err: { stdout?: string; stderr?: string }) => ({ ok: false, out: `${err.stdout ?? ''}${err.stderr ?? ''}` }),
    );
  /** Every database file of the store (the file, -wal, -shm), as bytes. */
  const storeBytes = () => {
    const dir = path.dirname(h.dbFile);
    return fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f)).toString('latin1')).join('\n');
  };

  it('leaves no row, byte or run that links to the person, and the person can be registered again', async () => {
    const person = { personRef: h.personRef(), bsn: '111222333', birthDate: '1979-12-24' };
    const kept = { personRef: h.personRef(), bsn: '123456782', birthDate: '1984-02-29' };
    const create = async (p: typeof person) => {
      const res = await h.as('admin').post('/v1/journeys', { ...p, municipality: 'borger-odoorn', permitGrantedOn: '2021-06-01' });
      expect(res.status).toBe(201);
      return res.body.journeyId as string;
    };
    const journeyId = await create(person);
    const keptId = await create(kept);
    // A case with history: events in the audit trail, a task claimed and completed with a form, its history.
    for (const id of [journeyId, keptId]) {
      expect((await h.as('partnerBrp').post(`/v1/journeys/${id}/events`, cloudEvent('nl.koers.bijstand.applied', { occurredOn: '2025-05-01' }))).status).toBe(202);
    }
    const intake = await eventually(() => h.tasks.listTasks({ journeyId }), (p) => p.tasks.some((t) => t.kind === 'hold-intake'), 15_000);
    const task = intake.tasks.find((t) => t.kind === 'hold-intake')!;
    expect((await h.as('caseworker').post(`/v1/tasks/${task.id}/claim`)).status).toBe(200);
    const done = await h.as('caseworker').post(`/v1/tasks/${task.id}/complete`, { form: { heldOn: '2025-05-10', interpreterUsed: false, note: 'intake gehouden' } });
    expect(done.status).toBe(200);
    await h.settled(journeyId);
    // Before: the store holds the journey (so the grep below can find what is there).
    expect(storeBytes()).toContain(journeyId);

    const erased = await h.as('admin').post(`/v1/journeys/${journeyId}/erasure`, { ground: 'consent-withdrawn' });
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ journeyId, erasureGround: 'consent-withdrawn' });
    // The erasure record answers by the journey id, and erasing again changes nothing.
    expect((await h.as('admin').get(`/v1/journeys/${journeyId}/erasure`)).body).toEqual(erased.body);
    expect((await h.as('admin').post(`/v1/journeys/${journeyId}/erasure`, { ground: 'consent-withdrawn' })).body).toEqual(erased.body);

    // Temporal deletes a run asynchronously (about a minute on the dev server).
    const gone = await eventually(
      () => h.client.workflow.getHandle(journeyId).describe().then(() => false, (err: unknown) => err instanceof WorkflowNotFoundError),
      (isGone) => isGone,
      150_000,
    );
    expect(gone).toBe(true);
    const show = await cli(['workflow', 'show', '-w', journeyId]);
    expect(show.ok).toBe(false);
    expect(show.out).not.toContain(person.birthDate);
    const list = await cli(['workflow', 'list', '--query', `WorkflowId = '${journeyId}' OR WorkflowId STARTS_WITH '${journeyId}-'`]);
    expect(list).toMatchObject({ ok: true });
    expect(list.out).not.toContain(journeyId);

    // No byte of the store's files holds the person or the journey; the journey kept is still there.
    const bytes = storeBytes();
    const found = Object.entries({ journeyId, ...person }).filter(([, value]) => bytes.includes(value)).map(([name]) => name);
    expect(found).toEqual([]);
    expect(bytes).toContain(keptId);

    // The same person can be registered again (the same journey id: municipality + personRef).
    const again = await h.as('admin').post('/v1/journeys', { ...person, municipality: 'borger-odoorn', permitGrantedOn: '2021-06-01' });
    expect([again.status, again.body.journeyId]).toEqual([201, journeyId]);
  });
});
