/**
 * Issue 24, fault 1: Temporal is no back door. Whoever reaches the Temporal frontend with the real
 * Temporal CLI (no Koers key, so no sealed payload) and signals a journey changes nothing: the
 * journey records the signal as rejected with its reason and keeps running; an Update is refused; a
 * journey started around the API fails at once. A real dev server, the real CLI (platform/tools.ts).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import crypto from 'node:crypto';
import { temporalCliPath } from '../../../platform/tools';
import { stateQuery, JOURNEY_WORKFLOW } from '../../../workflows/definitions';
import { apiHarness, cloudEvent, eventually, type ApiHarness } from './harness';

const run = promisify(execFile);

describe('a signal sent around the API (Temporal CLI)', () => {
  let h: ApiHarness;
  const address = () => process.env.KOERS_TEST_TEMPORAL_ADDRESS!;
  const cli = (args: string[]) =>
    run(temporalCliPath(), [...args, '--address', address(), '--namespace', 'default'], { timeout: 30_000 }).then(
      (r) => ({ ok: true, out: r.stdout + r.stderr }),
      (err: { stdout?: string; stderr?: string }) => ({ ok: false, out: `${err.stdout ?? ''}${err.stderr ?? ''}` }),
    );
  const state = (journeyId: string) => h.client.workflow.getHandle(journeyId).query(stateQuery);

  beforeAll(async () => {
    h = await apiHarness({ worker: true });
  });
  afterAll(() => h.stop());

  it('changes nothing: the journey records it as rejected with the reason, and keeps running', async () => {
    const journeyId = await h.createJourney();
    await h.settled(journeyId);
    const before = await state(journeyId);
    const timelineBefore = (await h.as('admin').get(`/v1/journeys/${journeyId}/events`)).body;

    // A forged ladder assessment and a forged milestone, as JSON (what the CLI sends).
    const forgedLadder = await cli(['workflow', 'signal', '-w', journeyId, '--name', 'ladderAssessed', '--input', JSON.stringify({ rung: 6, assessedOn: '2025-04-01', assessedBy: 'mallory' })]);
    expect(forgedLadder).toMatchObject({ ok: true });
    const forgedEvent = { source: 'urn:nl:test', id: `forged-${crypto.randomUUID()}`, type: 'nl.koers.brp.registered', occurredOn: '2025-04-01', receivedAt: new Date().toISOString() };
    expect(await cli(['workflow', 'signal', '-w', journeyId, '--name', 'event', '--input', JSON.stringify(forgedEvent)])).toMatchObject({ ok: true });
    // A payload that claims Koers's encryption with a key id Koers has, but no valid ciphertext.
    const fakeSealed = await cli([
      'workflow', 'signal', '-w', journeyId, '--name', 'ladderAssessed',
      '--input-meta', 'encoding=binary/encrypted', '--input-meta', 'encryption-key-id=test-2',
      '--input-base64', '--input', crypto.randomBytes(64).toString('base64'),
    ]);
    expect(fakeSealed).toMatchObject({ ok: true });

    const after = await eventually(() => state(journeyId), (s) => s.rejectedMessages.length >= before.rejectedMessages.length + 3, 10_000);
    expect(after.rejectedMessages.slice(before.rejectedMessages.length)).toEqual([
      { at: expect.any(String), message: 'ladderAssessed', reason: 'refused: not encrypted by Koers' },
      { at: expect.any(String), message: 'event', reason: 'refused: not encrypted by Koers' },
      { at: expect.any(String), message: 'ladderAssessed', reason: 'refused: encrypted payload does not authenticate' },
    ]);
    // Nothing else changed: no ladder entry, no milestone, the same clocks, the same timeline.
    expect(after.ladder).toEqual(before.ladder);
    expect(after.milestones).toEqual(before.milestones);
    expect(after.clocks).toEqual(before.clocks);
    expect(after.events).toEqual(before.events);
    const journey = (await h.as('admin').get(`/v1/journeys/${journeyId}`)).body;
    expect(journey.ladder).toEqual([]);
    expect((await h.as('admin').get(`/v1/journeys/${journeyId}/events`)).body).toEqual(timelineBefore);

    // An Update around the API is refused by its validator (the reason travels sealed, as every failure
    // message does) and leaves no trace.
    const update = await cli(['workflow', 'update', 'execute', '-w', journeyId, '--name', 'requestExtension', '--input', JSON.stringify({ clock: 'pip', reason: 'x', requestedBy: 'mallory' })]);
    expect(update.ok).toBe(false);
    expect((await state(journeyId)).extensionRequests).toEqual(before.extensionRequests);

    // The journey keeps running: messages through the API still apply.
    expect((await h.as('caseworker').post(`/v1/journeys/${journeyId}/ladder-assessments`, { rung: 5, assessedOn: '2025-06-01' })).status).toBe(202);
    expect((await h.as('partnerBrp').post(`/v1/journeys/${journeyId}/events`, cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-04-02' }))).status).toBe(202);
    const moved = await eventually(() => state(journeyId), (s) => s.ladder.length === 1 && s.events.length === before.events.length + 1, 10_000);
    expect(moved.ladder).toEqual([{ rung: 5, assessedOn: '2025-06-01', assessedBy: 'cw-anna' }]);
    expect((await h.client.workflow.getHandle(journeyId).describe()).status.name).toBe('RUNNING');
  });

  it('fails a journey workflow started around the API at once, on its first workflow task', async () => {
    const workflowId = `forged-${crypto.randomUUID()}`;
    const started = await cli(['workflow', 'start', '--type', JOURNEY_WORKFLOW, '--task-queue', h.taskQueue, '-w', workflowId, '--input', JSON.stringify({ journeyId: workflowId, municipality: 'borger-odoorn' })]);
    expect(started).toMatchObject({ ok: true });
    const handle = h.client.workflow.getHandle(workflowId);
    const closed = await eventually(() => handle.describe(), (d) => d.status.name !== 'RUNNING', 10_000);
    expect(closed.status.name).toBe('FAILED');
    await expect(handle.result()).rejects.toMatchObject({ cause: { type: 'RefusedPayload', message: 'workflow not started by Koers: not encrypted by Koers' } });
  });
});
