import { amendPolicy } from '../../../domain/policy';
import { findPolicy } from '../../../domain/policies';
import { PolicyVersions } from '../../../store/policies';
import { describeEachDatabase } from './databases';

describeEachDatabase('policy versions', (t) => {
  it('gives the shipped policy until an amendment is recorded, then the latest version; a repeat changes nothing', async () => {
    const policies = new PolicyVersions(t.db());
    const shipped = findPolicy('borger-odoorn')!;
    expect(await policies.current('borger-odoorn')).toEqual(shipped);
    expect(await policies.current('atlantis')).toBeUndefined();

    const v2 = amendPolicy(shipped, { periods: { intake: { days: 28 } } }, '2026-01-01');
    await policies.record(v2, 'raadsbesluit', 'abcdef012345');
    const v3 = amendPolicy(v2, { reminderLeadDays: [7] }, '2026-02-01');
    await policies.record(v3, 'werkinstructie', 'abcdef012345');
    await policies.record({ ...v2, reminderLeadDays: [1] }, 'retried request', 'abcdef012345');

    const current = await policies.current('borger-odoorn');
    expect(current).toEqual(v3);
    // Both amendments are in it: each built on the one before.
    expect([current!.version, current!.periods.intake, current!.reminderLeadDays]).toEqual([3, v2.periods.intake, [7]]);
    expect(await policies.current('midden-drenthe')).toEqual(findPolicy('midden-drenthe'));
  });
});
