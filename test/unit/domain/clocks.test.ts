import fc from 'fast-check';
import { computeClocks as computeClocksWithBasis, inburgeringFinalDate, isPlichtMet, isWindowClock, plichtMetOn, pvtRequired } from '../../../domain/clocks';
import { addDays, compareDates, daysBetween } from '../../../domain/dates';
import { applyEvents, initialFacts, type JourneyFacts } from '../../../domain/facts';
import { findPolicy } from '../../../domain/policies';
import type { Clock, ClockName, Regime } from '../../../domain/types';
import { dateIn, ev, partnerEvent } from './arbitraries';

/** The clocks without their basis (contract v1.2; asserted in clock-basis.test.ts): these tests pin the dates. */
const computeClocks = (...args: Parameters<typeof computeClocksWithBasis>) => computeClocksWithBasis(...args).map(({ basis: _basis, ...clock }) => clock);

const bo = findPolicy('borger-odoorn')!;
const md = findPolicy('midden-drenthe')!;

type MoreFacts = Omit<JourneyFacts, 'regime' | 'permitGrantedOn' | 'extensions' | 'corrected'> & { extensions?: JourneyFacts['extensions'] };
const facts = (regime: Regime, permitGrantedOn: string, more: MoreFacts = {}): JourneyFacts => ({
  ...initialFacts({ regime, permitGrantedOn }),
  ...more,
});
const byName = (clocks: Clock[]): Partial<Record<ClockName, Clock>> => Object.fromEntries(clocks.map((c) => [c.name, c]));
const names = (clocks: Clock[]) => clocks.map((c) => c.name);

describe('Wi2013 clocks (journey-rules.md clock table; seed §3.1.4-§3.1.7, §3.3, §4.1)', () => {
  const permit = '2021-06-15';

  it('lists only the clocks whose start is known', () => {
    const clocks = computeClocks(facts('wi2013', permit), bo, '2021-06-20');
    expect(clocks).toEqual([
      { name: 'inburgering', status: 'running', startsOn: '2021-06-15', targetDate: '2023-12-15', finalDate: '2024-06-15' },
      { name: 'family-reunification', status: 'running', startsOn: '2021-06-15', targetDate: '2021-09-15', finalDate: '2021-09-15' },
    ]);
  });

  it('registration and bijstand application start PVT, maatschappelijke begeleiding and the intake', () => {
    const f = facts('wi2013', permit, { brpRegisteredOn: '2021-08-01', bijstandAppliedOn: '2021-08-02' });
    const c = byName(computeClocks(f, bo, '2021-08-05'));
    expect(names(computeClocks(f, bo, '2021-08-05'))).toEqual([
      'intake',
      'participatieverklaring',
      'inburgering',
      'maatschappelijke-begeleiding',
      'family-reunification',
      'bijstand-decision',
    ]);
    expect(c.intake).toEqual({ name: 'intake', status: 'running', startsOn: '2021-08-02', targetDate: '2021-08-13', finalDate: '2021-08-16' });
    expect(c.participatieverklaring).toMatchObject({ startsOn: '2021-08-01', targetDate: '2022-05-01', finalDate: '2022-08-01', status: 'running' });
    expect(c['maatschappelijke-begeleiding']).toMatchObject({ startsOn: '2021-08-01', targetDate: '2023-02-01', finalDate: '2023-02-01' });
    expect(c.pip).toBeUndefined();
    expect(c.ontzorgen).toBeUndefined();
  });

  it.each([
    ['2021-08-16', 'running'], // the final date is still on time
    ['2021-08-17', 'overdue'], // from the next day on
  ])('intake (Borger-Odoorn, 14 days) on %s: %s', (today, status) => {
    const f = facts('wi2013', permit, { bijstandAppliedOn: '2021-08-02' });
    expect(byName(computeClocks(f, bo, today)).intake?.status).toBe(status);
  });

  it('Midden-Drenthe: broad intake within 6 weeks, streefdatum at 4 weeks (Bijlage 7)', () => {
    const f = facts('wi2013', permit, { bijstandAppliedOn: '2021-08-02' });
    expect(byName(computeClocks(f, md, '2021-08-05')).intake).toMatchObject({ targetDate: '2021-08-30', finalDate: '2021-09-13' });
  });

  it('intake held: intake met, re-integration must start within 3 months', () => {
    const f = facts('wi2013', permit, { bijstandAppliedOn: '2021-08-02', intakeHeldOn: '2021-08-20' });
    const c = byName(computeClocks(f, bo, '2021-08-25'));
    expect(c.intake).toMatchObject({ status: 'met', settledOn: '2021-08-20' });
    expect(c['reintegration-start']).toEqual({
      name: 'reintegration-start',
      status: 'running',
      startsOn: '2021-08-20',
      targetDate: '2021-11-06',
      finalDate: '2021-11-20',
    });
  });

  it('a late milestone still meets the clock (met, settled after the final date)', () => {
    const f = facts('wi2013', permit, { bijstandAppliedOn: '2021-08-02', intakeHeldOn: '2021-09-01' });
    expect(byName(computeClocks(f, bo, '2021-09-02')).intake).toMatchObject({ status: 'met', settledOn: '2021-09-01', finalDate: '2021-08-16' });
  });

  it.each<[string, MoreFacts, string]>([
    ['plain: permit + 3 years', {}, '2024-06-15'],
    ['alphabetisation started: + 2 years', { alphabetisationStartedOn: '2022-01-10' }, '2026-06-15'],
    [
      'a granted extension replaces it',
      { extensionFinalDate: '2025-01-31', extensions: [{ grantedOn: '2024-03-01', newFinalDate: '2025-01-31' }] },
      '2025-01-31',
    ],
    [
      'a granted extension replaces the alphabetisation term too',
      {
        alphabetisationStartedOn: '2022-01-10',
        extensionFinalDate: '2026-12-31',
        extensions: [{ grantedOn: '2026-03-01', newFinalDate: '2026-12-31' }],
      },
      '2026-12-31',
    ],
  ])('inburgering final date, %s', (_what, more, final) => {
    const f = facts('wi2013', permit, more);
    expect(inburgeringFinalDate(f)).toBe(final);
    expect(byName(computeClocks(f, bo, '2022-02-01')).inburgering?.finalDate).toBe(final);
  });

  it('leap day: permit 2020-02-29 + 3 years = 2023-02-28, overdue from 2023-03-01', () => {
    const f = facts('wi2013', '2020-02-29');
    expect(byName(computeClocks(f, bo, '2023-02-28')).inburgering).toMatchObject({ finalDate: '2023-02-28', status: 'running' });
    expect(byName(computeClocks(f, bo, '2023-03-01')).inburgering).toMatchObject({ finalDate: '2023-02-28', status: 'overdue' });
    // alphabetisation: one 5-year count, clamped once
    const alpha = { ...f, alphabetisationStartedOn: '2020-09-01' };
    expect(byName(computeClocks(alpha, bo, '2023-03-01')).inburgering).toMatchObject({ finalDate: '2025-02-28', status: 'running' });
  });

  it('backdated: a permit more than 3 years ago is overdue at once', () => {
    const c = byName(computeClocks(facts('wi2013', '2021-01-10'), bo, '2025-01-01'));
    expect(c.inburgering).toMatchObject({ status: 'overdue', finalDate: '2024-01-10' });
    expect(c['family-reunification']).toMatchObject({ status: 'ended', finalDate: '2021-04-10' });
  });

  it('plicht met: the exam, plus the PVT when the plicht started from 1 Oct 2017 (seed §3.1.4)', () => {
    const examOnly = facts('wi2013', permit, { brpRegisteredOn: '2021-08-01', examPassedOn: '2023-05-01', examRoute: 'inburgeringsexamen' });
    expect(isPlichtMet(examOnly)).toBe(false);
    expect(byName(computeClocks(examOnly, bo, '2023-06-01')).inburgering?.status).toBe('running');
    const both = { ...examOnly, participatieverklaringSignedOn: '2022-03-01' };
    expect(plichtMetOn(both)).toBe('2023-05-01');
    const c = byName(computeClocks(both, bo, '2023-06-01'));
    expect(c.inburgering).toMatchObject({ status: 'met', settledOn: '2023-05-01' });
    expect(c.participatieverklaring).toMatchObject({ status: 'met', settledOn: '2022-03-01' });
  });

  it('before 1 Oct 2017 the PVT is no part of the plicht: no PVT clock, the exam alone meets it', () => {
    const f = facts('wi2013', '2017-09-30', { brpRegisteredOn: '2017-11-01', examPassedOn: '2019-05-01', examRoute: 'staatsexamen' });
    expect(pvtRequired(f)).toBe(false);
    const clocks = computeClocks(f, bo, '2019-06-01');
    expect(names(clocks)).not.toContain('participatieverklaring');
    expect(byName(clocks).inburgering).toMatchObject({ status: 'met', settledOn: '2019-05-01' });
    expect(pvtRequired(facts('wi2013', '2017-10-01'))).toBe(true);
  });

  it('exemption waives inburgering and PVT, not the intake, re-integration or the windows', () => {
    const f = facts('wi2013', permit, {
      brpRegisteredOn: '2021-08-01',
      bijstandAppliedOn: '2021-08-02',
      intakeHeldOn: '2021-08-10',
      exemptedOn: '2021-09-01',
    });
    const c = byName(computeClocks(f, bo, '2021-09-02'));
    expect(c.inburgering).toMatchObject({ status: 'waived', settledOn: '2021-09-01' });
    expect(c.participatieverklaring).toMatchObject({ status: 'waived', settledOn: '2021-09-01' });
    expect(c.intake?.status).toBe('met');
    expect(c['reintegration-start']?.status).toBe('running');
    expect(c['maatschappelijke-begeleiding']?.status).toBe('running');
    expect(c['family-reunification']?.status).toBe('running');
  });

  it('exemption after an overdue term waives it; a plicht met before the exemption stays met', () => {
    const late = facts('wi2013', '2018-01-10', { exemptedOn: '2021-06-01' });
    expect(byName(computeClocks(late, bo, '2021-06-02')).inburgering).toMatchObject({ status: 'waived', settledOn: '2021-06-01' });
    const met = facts('wi2013', '2017-01-10', { examPassedOn: '2019-01-10', examRoute: 'inburgeringsexamen', exemptedOn: '2019-06-01' });
    expect(byName(computeClocks(met, bo, '2019-07-01')).inburgering).toMatchObject({ status: 'met', settledOn: '2019-01-10' });
  });
});

describe('Wi2021 clocks (journey-rules.md Wi2021 table)', () => {
  const permit = '2024-01-10';

  it('the PIP clock starts at the later of DUO kennisgeving and BRP registration, once both are known', () => {
    expect(names(computeClocks(facts('wi2021', permit, { duoNotifiedOn: '2024-02-01' }), bo, '2024-02-02'))).toEqual(['family-reunification']);
    const f = facts('wi2021', permit, { duoNotifiedOn: '2024-02-01', brpRegisteredOn: '2024-03-01' });
    // 2024-03-01 + 10 weeks = Friday 10 May 2024, equated with a feestdag (Besluit gelijkstelling 2023-2025):
    // the Algemene termijnenwet runs the term to Monday 13 May (art. 1(1), 3(3), 5).
    expect(byName(computeClocks(f, bo, '2024-03-02')).pip).toEqual({
      name: 'pip',
      status: 'running',
      startsOn: '2024-03-01',
      targetDate: '2024-04-29',
      finalDate: '2024-05-13',
    });
    const g = facts('wi2021', permit, { duoNotifiedOn: '2024-04-01', brpRegisteredOn: '2024-03-01' });
    expect(byName(computeClocks(g, bo, '2024-04-02')).pip).toMatchObject({ startsOn: '2024-04-01', finalDate: '2024-06-10' });
  });

  it('no intake clock under Wi2021 (the brede intake belongs to the PIP clock), but ontzorgen', () => {
    const f = facts('wi2021', permit, { bijstandAppliedOn: '2024-03-05' });
    const c = byName(computeClocks(f, bo, '2024-03-06'));
    expect(c.intake).toBeUndefined();
    expect(c.ontzorgen).toEqual({ name: 'ontzorgen', status: 'running', startsOn: '2024-03-05', targetDate: '2024-09-05', finalDate: '2024-09-05' });
    expect(byName(computeClocks(f, bo, '2024-09-06')).ontzorgen?.status).toBe('ended');
  });

  it('leap day: PIP on 2024-02-29: term from 2024-03-01, final 2027-02-28, overdue from 2027-03-01; PVT and MAP share it', () => {
    const f = facts('wi2021', permit, { duoNotifiedOn: '2024-01-20', brpRegisteredOn: '2024-01-25', pipEstablishedOn: '2024-02-29', leerroute: 'b1', leerrouteChosenOn: '2024-02-29' });
    const onTime = byName(computeClocks(f, bo, '2027-02-28'));
    // Each clock keeps its own policy lead: 6 months for inburgering and MAP, 3 for the PVT.
    for (const [name, targetDate] of [['inburgering', '2026-08-28'], ['participatieverklaring', '2026-11-28'], ['map', '2026-08-28']] as const) {
      expect(onTime[name]).toEqual({ name, status: 'running', startsOn: '2024-03-01', targetDate, finalDate: '2027-02-28' });
    }
    expect(onTime.pip).toMatchObject({ status: 'met', settledOn: '2024-02-29' });
    const late = byName(computeClocks(f, bo, '2027-03-01'));
    for (const name of ['inburgering', 'participatieverklaring', 'map'] as const) expect(late[name]?.status).toBe('overdue');
  });

  it('a later PIP does not move the term: the first PIP counts (Wi2021 art. 11)', () => {
    const f = applyEvents(initialFacts({ permitGrantedOn: permit }), [
      ev('nl.koers.pip.established', '2024-05-01', { leerroute: 'b1' }),
      ev('nl.koers.pip.established', '2024-09-01', { leerroute: 'z' }),
    ]);
    expect(byName(computeClocks(f, bo, '2024-10-01')).inburgering).toMatchObject({ startsOn: '2024-05-02', finalDate: '2027-05-01' });
  });

  it('plicht met: leerroute result AND PVT AND MAP, on the last of them', () => {
    const base = facts('wi2021', permit, { pipEstablishedOn: '2024-05-01', leerroute: 'b1', leerrouteChosenOn: '2024-05-01' });
    const partial = { ...base, examPassedOn: '2026-01-20', examRoute: 'b1' as const, participatieverklaringSignedOn: '2025-01-10' };
    expect(isPlichtMet(partial)).toBe(false);
    expect(byName(computeClocks(partial, bo, '2026-02-01')).inburgering?.status).toBe('running');
    const all = { ...partial, mapCompletedOn: '2026-03-01' };
    expect(byName(computeClocks(all, bo, '2026-03-02')).inburgering).toMatchObject({ status: 'met', settledOn: '2026-03-01' });
  });

  it('onderwijsroute: MAP not required, the MAP clock is waived from the start; exam + PVT meet the plicht', () => {
    const f = facts('wi2021', permit, {
      pipEstablishedOn: '2024-05-01',
      leerroute: 'onderwijs',
      leerrouteChosenOn: '2024-05-01',
      examPassedOn: '2026-06-01',
      examRoute: 'staatsexamen',
      participatieverklaringSignedOn: '2025-01-10',
    });
    const c = byName(computeClocks(f, bo, '2026-06-02'));
    expect(c.map).toMatchObject({ status: 'waived', settledOn: '2024-05-02' });
    expect(c.inburgering).toMatchObject({ status: 'met', settledOn: '2026-06-01' });
  });

  it('switching to the onderwijsroute later waives the MAP from that day; switching back revives it', () => {
    const f = facts('wi2021', permit, { pipEstablishedOn: '2024-05-01', leerroute: 'onderwijs', leerrouteChosenOn: '2025-02-01' });
    expect(byName(computeClocks(f, bo, '2025-03-01')).map).toMatchObject({ status: 'waived', settledOn: '2025-02-01' });
    expect(byName(computeClocks({ ...f, leerroute: 'b1' }, bo, '2025-03-01')).map?.status).toBe('running');
  });

  it('a granted extension moves inburgering, PVT and MAP together', () => {
    const f = facts('wi2021', permit, {
      pipEstablishedOn: '2024-05-01',
      extensionFinalDate: '2027-09-01',
      extensions: [{ grantedOn: '2027-03-01', newFinalDate: '2027-09-01' }],
    });
    const c = byName(computeClocks(f, bo, '2027-05-02'));
    for (const [name, targetDate] of [['inburgering', '2027-03-01'], ['participatieverklaring', '2027-06-01'], ['map', '2027-03-01']] as const) {
      expect(c[name]).toMatchObject({ status: 'running', finalDate: '2027-09-01', targetDate });
    }
  });

  it('exemption before the PIP waives the PIP clock too (the PIP is for an inburgeringsplichtige)', () => {
    const f = facts('wi2021', permit, { duoNotifiedOn: '2024-02-01', brpRegisteredOn: '2024-02-05', exemptedOn: '2024-03-01' });
    expect(byName(computeClocks(f, bo, '2024-06-01')).pip).toMatchObject({ status: 'waived', settledOn: '2024-03-01' });
  });

  it('backdated: a kennisgeving and registration reported late make the PIP overdue at once', () => {
    const f = facts('wi2021', permit, { duoNotifiedOn: '2024-01-15', brpRegisteredOn: '2024-01-20' });
    // 10 weeks end on Saturday 30 March 2024; Sunday, then Easter Monday: the Atw runs it to Tuesday 2 April.
    expect(byName(computeClocks(f, bo, '2024-06-01')).pip).toMatchObject({ status: 'overdue', finalDate: '2024-04-02' });
  });

  it('maatschappelijke begeleiding: 18 months from registration, then ended', () => {
    const f = facts('wi2021', permit, { brpRegisteredOn: '2024-01-31' });
    expect(byName(computeClocks(f, bo, '2025-07-31'))['maatschappelijke-begeleiding']).toMatchObject({ status: 'running', finalDate: '2025-07-31' });
    expect(byName(computeClocks(f, bo, '2025-08-01'))['maatschappelijke-begeleiding']?.status).toBe('ended');
  });
});

describe('clocks: properties', () => {
  const journey = fc.record({
    regime: fc.constantFrom<Regime>('wi2013', 'wi2021'),
    permit: dateIn(17_532, 19_722), // 2018..2023
    events: fc.array(partnerEvent(), { maxLength: 20 }),
    today: dateIn(17_532, 23_011),
    policy: fc.constantFrom(bo, md),
  });

  it('dates are ordered, statuses consistent, and windows never overdue', () => {
    fc.assert(
      fc.property(journey, ({ regime, permit, events, today, policy }) => {
        const f = applyEvents(initialFacts({ regime, permitGrantedOn: permit }), events);
        const clocks = computeClocks(f, policy, today);
        expect(new Set(names(clocks)).size).toBe(clocks.length);
        for (const c of clocks) {
          expect(compareDates(c.targetDate, c.finalDate)).toBeLessThanOrEqual(0);
          if (compareDates(c.startsOn, c.finalDate) <= 0) expect(compareDates(c.startsOn, c.targetDate)).toBeLessThanOrEqual(0);
          if (isWindowClock(c.name) && c.settledOn !== undefined) {
            // v1.2: ontzorgen ends with bijstand, and a refusal waives it (Participatiewet art. 56a).
            expect(c.name).toBe('ontzorgen');
            expect(['ended', 'waived']).toContain(c.status);
          } else if (isWindowClock(c.name)) {
            expect(c.targetDate).toBe(c.finalDate);
            expect(c.status).toBe(compareDates(today, c.finalDate) > 0 ? 'ended' : 'running');
          } else {
            expect(['running', 'met', 'overdue', 'waived']).toContain(c.status);
            if (c.status === 'overdue') expect(compareDates(today, c.finalDate)).toBeGreaterThan(0);
            if (c.status === 'running') expect(compareDates(today, c.finalDate)).toBeLessThanOrEqual(0);
          }
          expect(c.settledOn !== undefined).toBe(c.status === 'met' || c.status === 'waived' || (c.name === 'ontzorgen' && c.reason !== undefined));
        }
        if (regime === 'wi2013') expect(names(clocks)).not.toContain('pip');
        else expect(names(clocks)).not.toContain('intake');
      }),
      { numRuns: 500 },
    );
  });

  it('every clock explains its final date (contract v1.2 basis): an anchor, a rule, and adjustments that chain to the final date', () => {
    fc.assert(
      fc.property(journey, ({ regime, permit, events, today, policy }) => {
        const f = applyEvents(initialFacts({ regime, permitGrantedOn: permit }), events);
        for (const c of computeClocksWithBasis(f, policy, today)) {
          expect(c.basis).toBeDefined();
          const { anchor, rule, adjustments } = c.basis!;
          expect([c.name, rule.length > 0, anchor.event.length > 0]).toEqual([c.name, true, true]);
          for (const a of adjustments) {
            // Only a correction may shorten a term; whatever moved it, its days are the days between (by hand).
            expect([c.name, a.kind, a.days >= 0 || a.kind === 'correction', a.source.length > 0]).toEqual([c.name, a.kind, true, true]);
            if (a.from !== undefined && a.to !== undefined) expect([c.name, a.kind, a.days]).toEqual([c.name, a.kind, daysBetween(a.from, a.to)]);
          }
          // Each adjustment starts where the one before it ended, and the last one ends on the final date.
          const chained = adjustments.filter((a) => a.to !== undefined);
          for (let i = 1; i < chained.length; i++) if (chained[i]!.from !== undefined) expect([c.name, chained[i]!.from]).toEqual([c.name, chained[i - 1]!.to]);
          if (chained.length > 0) expect([c.name, chained[chained.length - 1]!.to]).toEqual([c.name, c.finalDate]);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('time only moves a clock forward: running -> overdue/ended, never back', () => {
    fc.assert(
      fc.property(journey, fc.integer({ min: 1, max: 2000 }), ({ regime, permit, events, today, policy }, days) => {
        fc.pre(compareDates(today, permit) >= 0); // a journey lives from its permit on
        const f = applyEvents(initialFacts({ regime, permitGrantedOn: permit }), events);
        const now = byName(computeClocks(f, policy, today));
        const later = addDays(today, days);
        for (const c of computeClocks(f, policy, later)) {
          const before = now[c.name]!;
          expect({ ...c, status: undefined }).toEqual({ ...before, status: undefined });
          if (before.status !== 'running') expect(c.status).toBe(before.status);
        }
      }),
    );
  });
});
