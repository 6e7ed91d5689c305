/**
 * The statutes' own conditions (issue 22; journey-rules.md "Statutory terms and the Algemene
 * termijnenwet"; contract v1.2). Each fault of the issue is a case here that failed before.
 */
import { computeClocks } from '../../../domain/clocks';
import { applyEvents, initialFacts, type JourneyFacts } from '../../../domain/facts';
import { inburgeringsplicht } from '../../../domain/inburgeringsplicht';
import { bijstandSuspensions } from '../../../domain/participatiewet';
import { derivePhase } from '../../../domain/phase';
import { findPolicy } from '../../../domain/policies';
import type { Clock, ClockName, Regime } from '../../../domain/types';
import { ev } from './arbitraries';

const md = findPolicy('midden-drenthe')!; // no search period: the decision term is 8 weeks from the application
const start = (regime: Regime, permitGrantedOn: string, birthDate = '1985-01-01', rules?: 'v1.1'): JourneyFacts =>
  initialFacts({ regime, permitGrantedOn, birthDate, ...(rules ? { rules } : {}) });
const clock = (facts: JourneyFacts, today: string, name: ClockName): Clock | undefined => computeClocks(facts, md, today).find((c) => c.name === name);

describe('Wi2013 art. 7(3)(b): the alphabetisation extension, once and only before the term expires (fault 4)', () => {
  it('a course started after the term expired on 2023-03-02 extends nothing', () => {
    const f = applyEvents(start('wi2013', '2020-03-02'), [ev('nl.koers.alphabetisation.started', '2023-06-01')]);
    expect(clock(f, '2023-07-01', 'inburgering')).toMatchObject({ finalDate: '2023-03-02', status: 'overdue' });
    expect(clock(f, '2023-07-01', 'inburgering')?.basis?.adjustments).toEqual([]);
  });

  it('a course started on the last day of the term extends it by two years, once', () => {
    const f = applyEvents(start('wi2013', '2020-03-02'), [ev('nl.koers.alphabetisation.started', '2023-03-02'), ev('nl.koers.alphabetisation.started', '2023-03-01')]);
    expect(clock(f, '2023-07-01', 'inburgering')).toMatchObject({ finalDate: '2025-03-02', status: 'running' });
    expect(clock(f, '2023-07-01', 'inburgering')?.basis?.adjustments).toEqual([
      expect.objectContaining({ kind: 'alphabetisation', days: 731, from: '2023-03-02', to: '2025-03-02', source: 'Wi2013 art. 7(3)(b)' }),
    ]);
  });

  it('journeys on the v1.1 rules keep the extension as they computed it', () => {
    const f = applyEvents(start('wi2013', '2020-03-02', '1985-01-01', 'v1.1'), [ev('nl.koers.alphabetisation.started', '2023-06-01')]);
    expect(clock(f, '2023-07-01', 'inburgering')?.finalDate).toBe('2025-03-02');
  });
});

describe('Wi2021 art. 11(3): a leerroute switch does not move the term; the MAP follows the current leerroute (fault 1)', () => {
  const events = [
    ev('nl.koers.brp.registered', '2023-06-01'),
    ev('nl.koers.duo.notified', '2023-06-20'),
    ev('nl.koers.pip.established', '2023-08-15', { leerroute: 'onderwijs' }),
    ev('nl.koers.pip.established', '2024-09-01', { leerroute: 'b1' }),
  ];
  it.each([
    ['in order', events],
    ['switch reported first', [...events].reverse()],
  ])('%s: term 2023-08-16 to 2026-08-15, MAP due again on the B1 route', (_label, list) => {
    const f = applyEvents(start('wi2021', '2023-05-01'), list);
    for (const name of ['inburgering', 'map', 'participatieverklaring'] as const) {
      expect(clock(f, '2024-09-10', name)).toMatchObject({ startsOn: '2023-08-16', finalDate: '2026-08-15', status: 'running' });
    }
  });

  it('on the onderwijsroute the MAP is waived', () => {
    const f = applyEvents(start('wi2021', '2023-05-01'), events.slice(0, 3));
    expect(clock(f, '2024-09-10', 'map')?.status).toBe('waived');
  });
});

describe('Participatiewet art. 56a: ontzorgen follows the right to bijstand (fault 3)', () => {
  const base = (more: Parameters<typeof ev>[] = []) =>
    applyEvents(start('wi2021', '2025-01-10'), [ev('nl.koers.bijstand.applied', '2025-09-01'), ...more.map((args) => ev(...args))]);

  it('refused 20 days ago: not running (waived, with the refusal as reason)', () => {
    const c = clock(base([['nl.koers.bijstand.decided', '2025-10-11', { decision: 'refused' }]]), '2025-10-31', 'ontzorgen');
    expect(c).toMatchObject({ status: 'waived', settledOn: '2025-10-11' });
    expect(c?.reason).toContain('Participatiewet art. 56a');
  });

  it('pending or granted: running for six months from the application', () => {
    expect(clock(base(), '2025-10-31', 'ontzorgen')).toMatchObject({ status: 'running', finalDate: '2026-03-01' });
    expect(clock(base([['nl.koers.bijstand.decided', '2025-10-11', { decision: 'granted' }]]), '2025-10-31', 'ontzorgen')?.status).toBe('running');
  });

  it('ended on the day bijstand ends, when that comes first', () => {
    const f = base([
      ['nl.koers.bijstand.decided', '2025-10-11', { decision: 'granted' }],
      ['nl.koers.bijstand.ended', '2025-12-15', { reason: 'work' }],
    ]);
    expect(clock(f, '2025-12-20', 'ontzorgen')).toMatchObject({ status: 'ended', finalDate: '2025-12-15', settledOn: '2025-12-15' });
  });

  it('not listed for a person who is not inburgeringsplichtig', () => {
    const f = applyEvents(start('wi2021', '2025-01-10'), [ev('nl.koers.diploma.recognised', '2020-01-01', { diploma: 'wo' }), ev('nl.koers.bijstand.applied', '2025-09-01')]);
    expect(clock(f, '2025-10-31', 'ontzorgen')).toBeUndefined();
  });
});

describe('diplomas per regime (contract v1.2 "Diplomas")', () => {
  it('a staatsexamen NT2 diploma frees a plicht that started before 2015', () => {
    const f = applyEvents(start('wi2013', '2014-06-01'), [ev('nl.koers.diploma.recognised', '2015-03-01', { diploma: 'nt2' })]);
    expect(inburgeringsplicht(f, '2015-04-01')).toMatchObject({ status: 'not-plichtig', freedOn: '2015-03-01' });
  });

  it('for a plicht from 2015 on it meets the language part only: PVT and MAP still apply', () => {
    const f = applyEvents(start('wi2021', '2023-05-01'), [
      ev('nl.koers.brp.registered', '2023-06-01'),
      ev('nl.koers.duo.notified', '2023-06-20'),
      ev('nl.koers.pip.established', '2023-08-15', { leerroute: 'b1' }),
      ev('nl.koers.diploma.recognised', '2024-05-01', { diploma: 'nt2' }),
    ]);
    expect(inburgeringsplicht(f, '2024-06-01').status).toBe('plichtig');
    expect(clock(f, '2024-06-01', 'inburgering')?.status).toBe('running');
    const met = applyEvents(f, [ev('nl.koers.participatieverklaring.signed', '2024-06-01'), ev('nl.koers.map.completed', '2024-07-01')]);
    expect(clock(met, '2024-08-01', 'inburgering')).toMatchObject({ status: 'met', settledOn: '2024-07-01' });
  });

  it('a VMBO diploma is accepted and frees from the plicht', () => {
    const f = applyEvents(start('wi2021', '2023-05-01'), [ev('nl.koers.diploma.recognised', '2024-05-01', { diploma: 'vmbo' })]);
    expect(inburgeringsplicht(f, '2024-06-01')).toMatchObject({ status: 'not-plichtig', freedOn: '2024-05-01' });
  });
});

describe('Leerplichtwet 1969 art. 4a-4b: a minor is obliged from the end of the kwalificatieplicht', () => {
  it('a 16-year-old with a permit is obliged from the 18th birthday, and the reason cites the Leerplichtwet', () => {
    const f = start('wi2021', '2025-06-01', '2009-03-10');
    expect(inburgeringsplicht(f, '2025-07-01')).toMatchObject({ status: 'not-yet', startsOn: '2027-03-10' });
    expect(inburgeringsplicht(f, '2025-07-01').reason).toContain('Leerplichtwet 1969 art. 4a-4b');
  });
});

describe('Awb art. 4:13 with 4:15 and the Algemene termijnenwet: the bijstand decision term', () => {
  it('8 weeks after an application of 4 October 2025 end on Saturday 29 November: Monday 1 December', () => {
    const f = applyEvents(start('wi2021', '2025-01-10'), [ev('nl.koers.bijstand.applied', '2025-10-04')]);
    const c = clock(f, '2025-10-10', 'bijstand-decision');
    expect(c).toMatchObject({ finalDate: '2025-12-01' });
    expect(c?.basis).toEqual({
      anchor: { event: 'nl.koers.bijstand.applied', occurredOn: '2025-10-04' },
      rule: '8 weeks (Awb art. 4:13)',
      adjustments: [expect.objectContaining({ kind: 'atw', days: 2, from: '2025-11-29', to: '2025-12-01', source: 'Algemene termijnenwet art. 1(1)' })],
    });
  });

  it('a request to complete suspends from the next day to the completion; the Atw applies to the result', () => {
    // Applied Monday 2025-09-01: 8 weeks end Monday 2025-10-27. Request 2025-09-10, completed 2025-09-19:
    // suspended 11..19 September = 9 days, to Wednesday 2025-11-05.
    const events = [
      ev('nl.koers.bijstand.applied', '2025-09-01'),
      ev('nl.koers.bijstand.completion-requested', '2025-09-10', { respondBy: '2025-09-24' }),
      ev('nl.koers.bijstand.completed', '2025-09-19'),
    ];
    for (const list of [events, [...events].reverse(), [...events, ...events]]) {
      const f = applyEvents(start('wi2021', '2025-01-10'), list);
      const c = clock(f, '2025-09-20', 'bijstand-decision');
      expect(c?.finalDate).toBe('2025-11-05');
      expect(c?.basis?.adjustments).toEqual([expect.objectContaining({ kind: 'suspension', days: 9, source: 'Awb art. 4:15(1)(a)' })]);
    }
  });

  it('without a completion the suspension ends on respondBy; a result on a Saturday rolls to Monday', () => {
    // Applied Monday 2025-09-01, request 2025-09-10 with respondBy 2025-09-22 (12 days: 11..22 Sept):
    // 2025-10-27 + 12 = Saturday 2025-11-08 -> Monday 2025-11-10.
    const f = applyEvents(start('wi2021', '2025-01-10'), [
      ev('nl.koers.bijstand.applied', '2025-09-01'),
      ev('nl.koers.bijstand.completion-requested', '2025-09-10', { respondBy: '2025-09-22' }),
    ]);
    const c = clock(f, '2025-10-01', 'bijstand-decision');
    expect(c?.finalDate).toBe('2025-11-10');
    expect(c?.basis?.adjustments.map((a) => [a.kind, a.days])).toEqual([['suspension', 12], ['atw', 2]]);
  });

  it('overlapping requests count each day once', () => {
    expect(
      bijstandSuspensions({
        bijstandAppliedOn: '2025-09-01',
        completionRequests: [{ on: '2025-09-10', respondBy: '2025-09-20' }, { on: '2025-09-15', respondBy: '2025-09-25' }],
        completedOn: ['2025-09-22'],
      }),
    ).toEqual([{ from: '2025-09-11', until: '2025-09-22' }]);
  });

  it('the v1.1 rules keep the plain 8 weeks', () => {
    const f = applyEvents(start('wi2021', '2025-01-10', '1985-01-01', 'v1.1'), [ev('nl.koers.bijstand.applied', '2025-10-04')]);
    expect(clock(f, '2025-10-10', 'bijstand-decision')?.finalDate).toBe('2025-11-29');
  });
});

describe('phase (issue 21): a Wi2013 person is not "arriving" years after the permit', () => {
  it('Wi2013, permit five years ago and nothing else reported: inburgering (the term runs from the plicht, Wi2013 art. 7(1))', () => {
    const f = start('wi2013', '2020-03-02');
    expect(derivePhase(f, computeClocks(f, md, '2025-03-10'), '2025-03-10')).toBe('inburgering');
  });

  it('an intake due stays the intake phase', () => {
    const f = applyEvents(start('wi2013', '2020-03-02'), [ev('nl.koers.bijstand.applied', '2025-03-01')]);
    expect(derivePhase(f, computeClocks(f, md, '2025-03-05'), '2025-03-05')).toBe('intake');
  });

  it('Wi2021 before registration and notification is still arriving', () => {
    const f = start('wi2021', '2025-03-02');
    expect(derivePhase(f, computeClocks(f, md, '2025-03-10'), '2025-03-10')).toBe('arrival');
  });
});
