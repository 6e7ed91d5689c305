import fc from 'fast-check';
import { computeClocks as computeClocksWithBasis } from '../../../domain/clocks';
import { applyEvents, initialFacts, type JourneyFacts } from '../../../domain/facts';
import { journeyIsDone, openTracks } from '../../../domain/journey-end';
import { bijstandStatus, searchPeriodFor } from '../../../domain/participatiewet';
import { findPolicy } from '../../../domain/policies';
import type { Clock, ClockName, Regime } from '../../../domain/types';
import { dateIn, ev, eventsAndPermutation, partnerEvent } from './arbitraries';

/** The clocks without their basis (contract v1.2; asserted in clock-basis.test.ts): these tests pin the dates. */
const computeClocks = (...args: Parameters<typeof computeClocksWithBasis>) => computeClocksWithBasis(...args).map(({ basis: _basis, ...clock }) => clock);

const bo = findPolicy('borger-odoorn')!; // applies the search period for applicants under 27
const md = findPolicy('midden-drenthe')!; // does not
const person = (regime: Regime, birthDate: string, more: Partial<JourneyFacts> = {}): JourneyFacts => ({
  ...initialFacts({ regime, permitGrantedOn: regime === 'wi2013' ? '2021-06-15' : '2025-06-01', birthDate }),
  ...more,
});
const byName = (clocks: Clock[]): Partial<Record<ClockName, Clock>> => Object.fromEntries(clocks.map((c) => [c.name, c]));

describe('bijstand-decision clock (Awb art. 4:13; Participatiewet art. 41(4))', () => {
  it('8 weeks from the application, met by a decision either way', () => {
    const applied = person('wi2021', '1980-01-01', { bijstandAppliedOn: '2025-07-01' });
    expect(byName(computeClocks(applied, bo, '2025-07-02'))['bijstand-decision']).toEqual({
      name: 'bijstand-decision',
      status: 'running',
      startsOn: '2025-07-01',
      targetDate: '2025-08-12',
      finalDate: '2025-08-26',
    });
    expect(byName(computeClocks(applied, bo, '2025-08-27'))['bijstand-decision']?.status).toBe('overdue');
    for (const decision of ['granted', 'refused']) {
      const decided = applyEvents(applied, [ev('nl.koers.bijstand.decided', '2025-08-01', { decision })]);
      expect(byName(computeClocks(decided, bo, '2025-09-01'))['bijstand-decision']).toMatchObject({ status: 'met', settledOn: '2025-08-01' });
    }
  });

  it('under 27 and the policy applies the search period: 4 + 8 weeks; otherwise 8', () => {
    const young = person('wi2013', '2000-01-01', { bijstandAppliedOn: '2021-08-02' });
    expect(searchPeriodFor(young, bo)).toEqual({ weeks: 4 });
    expect(byName(computeClocks(young, bo, '2021-08-03'))['bijstand-decision']?.finalDate).toBe('2021-10-25');
    expect(byName(computeClocks(young, md, '2021-08-03'))['bijstand-decision']?.finalDate).toBe('2021-09-27');
    // 27 on the day of the application: no search period
    const turned27 = person('wi2013', '1994-08-02', { bijstandAppliedOn: '2021-08-02' });
    expect(byName(computeClocks(turned27, bo, '2021-08-03'))['bijstand-decision']?.finalDate).toBe('2021-09-27');
    // age unknown: no search period
    expect(searchPeriodFor({ ...initialFacts({ permitGrantedOn: '2021-06-15' }), bijstandAppliedOn: '2021-08-02' }, bo)).toBeUndefined();
  });

  it('a refusal or the outflow waives the intake and the start of re-integration still open', () => {
    const f = applyEvents(person('wi2013', '1980-01-01'), [
      ev('nl.koers.bijstand.applied', '2021-08-02'),
      ev('nl.koers.intake.held', '2021-08-10'),
      ev('nl.koers.bijstand.decided', '2021-09-01', { decision: 'granted' }),
      ev('nl.koers.bijstand.ended', '2021-10-01', { reason: 'work' }),
    ]);
    const c = byName(computeClocks(f, bo, '2021-12-01'));
    expect(c.intake).toMatchObject({ status: 'met', settledOn: '2021-08-10' });
    expect(c['reintegration-start']).toMatchObject({ status: 'waived', settledOn: '2021-10-01', reason: 'bijstand ended (work) on 2021-10-01' });
    expect(f).toMatchObject({ bijstandEndedOn: '2021-10-01', outflowReason: 'work' });
  });
});

describe('bijstandStatus', () => {
  it.each([
    [{}, 'none'],
    [{ bijstandAppliedOn: '2025-07-01' }, 'pending'],
    [{ bijstandAppliedOn: '2025-07-01', bijstandDecision: 'refused', bijstandDecidedOn: '2025-08-01' }, 'refused'],
    [{ bijstandAppliedOn: '2025-07-01', bijstandDecision: 'granted', bijstandDecidedOn: '2025-08-01' }, 'running'],
    [{ bijstandAppliedOn: '2025-07-01', bijstandDecision: 'granted', bijstandDecidedOn: '2025-08-01', bijstandEndedOn: '2026-01-01', outflowReason: 'work' }, 'ended'],
  ] as const)('%j -> %s', (more, status) => {
    expect(bijstandStatus(person('wi2021', '1980-01-01', more))).toBe(status);
  });

  it('the outflow and the decision are order independent', () => {
    fc.assert(
      fc.property(eventsAndPermutation(partnerEvent(['nl.koers.bijstand.applied', 'nl.koers.bijstand.decided', 'nl.koers.bijstand.ended']), 10), ([a, b]) => {
        expect(bijstandStatus(applyEvents(person('wi2021', '1980-01-01'), a))).toBe(bijstandStatus(applyEvents(person('wi2021', '1980-01-01'), b)));
      }),
    );
  });
});

describe('journey end (contract v1.1: only when nothing of any track can still start or run)', () => {
  const end = (f: JourneyFacts, today: string, openTaskCount = 0, activeInstrumentCount = 0) =>
    openTracks({ facts: f, clocks: computeClocks(f, bo, today), today, openTaskCount, activeInstrumentCount });

  it.each([
    ['plicht not settled', {}, ['inburgering']],
    ['exempted, never applied for bijstand', { exemptedOn: '2026-01-01' }, []],
    ['exempted, bijstand pending', { exemptedOn: '2026-01-01', bijstandAppliedOn: '2026-02-01' }, ['bijstand']],
    ['exempted, bijstand running', { exemptedOn: '2026-01-01', bijstandAppliedOn: '2026-02-01', bijstandDecision: 'granted', bijstandDecidedOn: '2026-03-01' }, ['bijstand']],
    ['exempted, bijstand refused', { exemptedOn: '2026-01-01', bijstandAppliedOn: '2026-02-01', bijstandDecision: 'refused', bijstandDecidedOn: '2026-03-01' }, []],
    ['bijstand ended, plicht not settled', { bijstandAppliedOn: '2026-02-01', bijstandEndedOn: '2026-06-01', outflowReason: 'work' }, ['inburgering']],
    ['plicht met, bijstand ended', { examPassedOn: '2026-05-01', participatieverklaringSignedOn: '2026-03-01', mapCompletedOn: '2026-04-01', bijstandAppliedOn: '2026-02-01', bijstandEndedOn: '2026-06-01' }, []],
    ['diploma (not-plichtig)', { diplomaRecognisedOn: '2026-01-10', diploma: 'wo' }, []],
  ] as const)('%s: open %j', (_label, more, open) => {
    expect(end(person('wi2021', '1980-01-01', more), '2026-09-01')).toEqual(open);
  });

  it('a minor is not settled before the plicht starts; a 75-year-old is', () => {
    expect(end(person('wi2021', '2012-03-10'), '2026-01-01')).toEqual(['inburgering']);
    expect(end(person('wi2021', '1950-01-01'), '2026-01-01')).toEqual([]);
  });

  it('open tasks and active instruments keep it running', () => {
    const f = person('wi2021', '1980-01-01', { exemptedOn: '2026-01-01' });
    expect(end(f, '2026-09-01', 1, 1)).toEqual(['tasks', 'instruments']);
    expect(journeyIsDone({ facts: f, clocks: [], today: '2026-09-01', openTaskCount: 0, activeInstrumentCount: 0 })).toBe(true);
  });

  it('journeys on the earlier rules end on plicht-met or exempted, bijstand or not', () => {
    const f = person('wi2021', '1980-01-01', { rules: 'v1.0', exemptedOn: '2026-01-01', bijstandAppliedOn: '2026-02-01' });
    expect(end(f, '2026-09-01')).toEqual([]);
    expect(end(person('wi2021', '1950-01-01', { rules: 'v1.0' }), '2026-09-01')).toEqual(['inburgering']);
  });

  it('property: once done, a journey stays done as time passes without events', () => {
    fc.assert(
      fc.property(fc.array(partnerEvent(), { maxLength: 12 }), dateIn(20_000, 21_000), fc.integer({ min: 1, max: 3000 }), (events, today, days) => {
        const f = applyEvents(person('wi2021', '1980-01-01'), events);
        const later = new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
        if (end(f, today).length === 0) expect(end(f, later)).toEqual([]);
      }),
    );
  });
});
