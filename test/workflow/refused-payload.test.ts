import { Client } from '@temporalio/client';
import { useJourneyHarness, clockOf } from '../helpers/journey-harness';
import { addDays } from '../../domain/dates';
import { eventSignal, ladderAssessedSignal } from '../../workflows/definitions';

/**
 * Issue 24, fault 1 on the time-skipping server: a signal whose payload Koers did not seal (sent by a
 * client without Koers's codec, as the Temporal CLI or the Web UI would) is recorded as rejected and
 * changes nothing; a sealed one still applies. The history is recorded for the replay test, so the
 * `refuse-unsealed-payloads` patch keeps replaying as it ran.
 */
const t = useJourneyHarness();

describe('a signal Koers did not seal', () => {
  it('is recorded as rejected with the reason, changes nothing, and sealed signals still apply', async () => {
    const today = await t.h.today();
    const handle = await t.h.start({ regime: 'wi2013', permitGrantedOn: addDays(today, -100), birthDate: '1990-05-01' });
    const before = await t.h.until(handle, (s) => clockOf(s, 'inburgering') !== undefined);

    // Around Koers's doors: the same server, a client with Temporal's default (plain JSON) payloads.
    const around = new Client({ connection: t.env.connection, namespace: t.env.namespace ?? 'default' }).workflow.getHandle(handle.workflowId);
    await around.signal(ladderAssessedSignal, { rung: 6, assessedOn: today, assessedBy: 'mallory' });
    await around.signal(eventSignal, {
      source: 'urn:nl:koers:forged',
      id: 'forged-1',
      type: 'nl.koers.bijstand.applied',
      occurredOn: addDays(today, -90),
      data: { occurredOn: addDays(today, -90) },
      receivedAt: new Date(await t.env.currentTimeMs()).toISOString(),
    });
    const refused = await t.h.until(handle, (s) => s.rejectedMessages.length === before.rejectedMessages.length + 2);
    expect(refused.rejectedMessages.slice(before.rejectedMessages.length)).toEqual([
      { at: expect.any(String), message: 'ladderAssessed', reason: 'refused: not encrypted by Koers' },
      { at: expect.any(String), message: 'event', reason: 'refused: not encrypted by Koers' },
    ]);
    expect(refused.ladder).toEqual(before.ladder);
    expect(refused.events).toEqual(before.events);
    expect(refused.milestones).toEqual(before.milestones);
    expect(refused.clocks).toEqual(before.clocks);

    // Through Koers (sealed by the codec): applied as ever.
    await handle.signal(ladderAssessedSignal, { rung: 5, assessedOn: today, assessedBy: 'cw-1' });
    await t.h.send(handle, 'nl.koers.bijstand.applied', addDays(today, -90));
    const applied = await t.h.until(handle, (s) => s.ladder.length === 1 && clockOf(s, 'intake') !== undefined);
    expect(applied.ladder).toEqual([{ rung: 5, assessedOn: today, assessedBy: 'cw-1' }]);
    expect(applied.rejectedMessages).toHaveLength(before.rejectedMessages.length + 2);
    await t.h.record('refused-unsealed-signal', handle);
    await t.h.finish(handle);
  });
});
