import fc from 'fast-check';
import { computeClocks as computeClocksWithBasis, isPlichtClock, PLICHT_CLOCKS } from '../../../domain/clocks';
import { addYears, compareDates } from '../../../domain/dates';
import { applyEvents, initialFacts, type JourneyFacts } from '../../../domain/facts';
import { inburgeringsplicht, pensionAge, pensionAgeReachedOn, plichtStartOn } from '../../../domain/inburgeringsplicht';
import { derivePhase } from '../../../domain/phase';
import { findPolicy } from '../../../domain/policies';
import { nextWakeUp } from '../../../domain/schedule';
import type { Clock, ClockName, Regime } from '../../../domain/types';
import { dateIn, ev, partnerEvent } from './arbitraries';

/** The clocks without their basis (contract v1.2; asserted in clock-basis.test.ts): these tests pin the dates. */
const computeClocks = (...args: Parameters<typeof computeClocksWithBasis>) => computeClocksWithBasis(...args).map(({ basis: _basis, ...clock }) => clock);

const bo = findPolicy('borger-odoorn')!;
const person = (regime: Regime, permitGrantedOn: string, birthDate?: string, more: Partial<JourneyFacts> = {}): JourneyFacts => ({
  ...initialFacts({ regime, permitGrantedOn, ...(birthDate ? { birthDate } : {}) }),
  ...more,
});
const byName = (clocks: Clock[]): Partial<Record<ClockName, Clock>> => Object.fromEntries(clocks.map((c) => [c.name, c]));
const names = (clocks: Clock[]) => clocks.map((c) => c.name);

describe('pension age (AOW-leeftijd, AOW art. 7a, SVB cohorts)', () => {
  it.each([
    ['1947-12-31', 65, 0],
    ['1948-01-01', 65, 1],
    ['1948-12-01', 65, 2],
    ['1951-06-30', 65, 6],
    ['1952-04-01', 66, 0],
    ['1953-01-01', 66, 4],
    ['1955-08-31', 66, 4],
    ['1955-09-01', 66, 7],
    ['1957-02-28', 66, 10],
    ['1957-03-01', 67, 0],
    ['1960-09-30', 67, 0],
    ['1960-10-01', 67, 3],
    ['1990-05-01', 67, 3],
  ])('born %s: %i years %i months', (born, years, months) => {
    expect(pensionAge(born)).toEqual({ years, months });
  });

  it('is reached on the calendar date (29 Feb + 67 years = 28 Feb)', () => {
    expect(pensionAgeReachedOn('1958-06-15')).toBe('2025-06-15');
    expect(pensionAgeReachedOn('1960-10-01')).toBe('2028-01-01');
  });
});

describe('inburgeringsplicht (Wi2013 art. 3, 5; Wi2021 art. 3, 4; Leerplichtwet 1969 art. 4a)', () => {
  it('an adult is obliged from the permit', () => {
    expect(inburgeringsplicht(person('wi2021', '2025-06-01', '1990-05-01'), '2025-06-02')).toEqual({
      status: 'plichtig',
      reason: 'obliged from the residence permit (Wi2021 art. 3)',
      startsOn: '2025-06-01',
    });
  });

  it('without a birth date the person is taken to be an adult', () => {
    expect(inburgeringsplicht(person('wi2013', '2020-06-01'), '2020-06-01')).toMatchObject({ status: 'plichtig', startsOn: '2020-06-01' });
  });

  it('a 13-year-old is not yet obliged: the plicht starts on the 18th birthday', () => {
    const f = person('wi2021', '2025-06-01', '2012-03-10');
    expect(plichtStartOn(f)).toBe('2030-03-10');
    expect(inburgeringsplicht(f, '2030-03-09')).toMatchObject({ status: 'not-yet', startsOn: '2030-03-10' });
    expect(inburgeringsplicht(f, '2030-03-09').reason).toContain('Leerplichtwet 1969 art. 4a');
    expect(inburgeringsplicht(f, '2030-03-10')).toMatchObject({ status: 'plichtig', startsOn: '2030-03-10' });
  });

  it('a 17-year-old is kwalificatieplichtig until 18; an 18-year-old is obliged from the permit', () => {
    expect(inburgeringsplicht(person('wi2021', '2025-06-01', '2008-01-31'), '2025-06-01')).toMatchObject({ status: 'not-yet', startsOn: '2026-01-31' });
    expect(inburgeringsplicht(person('wi2021', '2025-06-01', '2007-06-01'), '2025-06-01')).toMatchObject({ status: 'plichtig', startsOn: '2025-06-01' });
  });

  it('a 75-year-old is not obliged: pension age reached before the plicht starts', () => {
    const p = inburgeringsplicht(person('wi2021', '2025-06-01', '1950-01-01'), '2025-06-02');
    expect(p).toEqual({ status: 'not-plichtig', reason: 'pension age (AOW-leeftijd 65 years 3 months, AOW art. 7a) reached before the plicht would start on 2025-06-01 (Wi2021 art. 3)' });
    expect(p.startsOn).toBeUndefined();
  });

  it.each([
    ['1958-06-01', 'not-plichtig'], // 67 on 2025-06-01, the permit day
    ['1958-06-02', 'plichtig'], // 67 the day after: obliged (pension age not reached at the start)
  ])('born %s, permit 2025-06-01: %s', (born, status) => {
    expect(inburgeringsplicht(person('wi2021', '2025-06-01', born), '2025-06-10').status).toBe(status);
  });

  it('a diploma obtained before the plicht starts: never obliged; obtained later: freed from then on', () => {
    const before = person('wi2013', '2020-06-01', '1990-05-01', { diplomaRecognisedOn: '2019-07-01', diploma: 'hbo' });
    expect(inburgeringsplicht(before, '2021-01-01')).toEqual({ status: 'not-plichtig', reason: 'HBO diploma taught in Dutch obtained on 2019-07-01 (Wi2013 art. 5)' });
    const later = person('wi2021', '2024-06-01', '1990-05-01', { diplomaRecognisedOn: '2025-07-01', diploma: 'hbo' });
    expect(inburgeringsplicht(later, '2025-08-01')).toEqual({
      status: 'not-plichtig',
      reason: 'HBO diploma taught in Dutch obtained on 2025-07-01 (Wi2021 art. 4)',
      freedOn: '2025-07-01',
    });
  });

  it('a minor with a startkwalificatie before 18 is never obliged', () => {
    const f = person('wi2021', '2025-06-01', '2008-09-01', { diplomaRecognisedOn: '2026-06-30', diploma: 'havo' });
    expect(inburgeringsplicht(f, '2026-07-01')).toMatchObject({ status: 'not-plichtig' });
    expect(inburgeringsplicht(f, '2026-07-01').freedOn).toBeUndefined();
  });
});

describe('the plicht clocks follow the plicht (contract v1.1)', () => {
  const allEvents = [
    ev('nl.koers.brp.registered', '2025-07-01'),
    ev('nl.koers.duo.notified', '2025-07-10'),
    ev('nl.koers.bijstand.applied', '2025-07-02'),
    ev('nl.koers.intake.held', '2025-07-10'),
    ev('nl.koers.pip.established', '2025-08-01', { leerroute: 'b1' }),
  ];

  it.each(['wi2013', 'wi2021'] as const)('%s: a 75-year-old has no plicht clocks, the municipal ones run', (regime) => {
    const f = applyEvents(person(regime, '2025-06-01', '1950-01-01'), allEvents);
    const clocks = computeClocks(f, bo, '2025-09-01');
    expect(names(clocks).filter(isPlichtClock)).toEqual([]);
    expect(names(clocks)).toEqual(expect.arrayContaining(['reintegration-start', 'maatschappelijke-begeleiding', 'family-reunification']));
    expect(derivePhase(f, clocks, '2025-09-01')).toBe('not-plichtig');
  });

  it('Wi2021, a 13-year-old: no plicht clock before the 18th birthday; the PIP clock starts on it', () => {
    const f = applyEvents(person('wi2021', '2025-06-01', '2012-03-10'), [ev('nl.koers.brp.registered', '2025-07-01'), ev('nl.koers.duo.notified', '2025-07-10')]);
    const before = computeClocks(f, bo, '2030-03-09');
    expect(names(before).filter(isPlichtClock)).toEqual([]);
    expect(derivePhase(f, before, '2030-03-09')).toBe('not-plichtig');
    const on = computeClocks(f, bo, '2030-03-10');
    // 10 weeks end on Sunday 19 May 2030: the Algemene termijnenwet runs them to Monday 20 May (art. 1(1)).
    expect(byName(on).pip).toMatchObject({ status: 'running', startsOn: '2030-03-10', finalDate: '2030-05-20' });
    expect(derivePhase(f, on, '2030-03-10')).toBe('intake');
  });

  it('Wi2013, a 16-year-old: the term and the PVT year run from the 18th birthday', () => {
    const f = applyEvents(person('wi2013', '2021-06-15', '2005-01-20'), [ev('nl.koers.brp.registered', '2021-08-01')]);
    expect(names(computeClocks(f, bo, '2023-01-19')).filter(isPlichtClock)).toEqual([]);
    const c = byName(computeClocks(f, bo, '2023-01-20'));
    expect(c.inburgering).toMatchObject({ startsOn: '2023-01-20', finalDate: '2026-01-20', status: 'running' });
    expect(c.participatieverklaring).toMatchObject({ startsOn: '2023-01-20', finalDate: '2024-01-20' });
  });

  it('the plicht start is a wake-up date, so the clocks appear on that day', () => {
    const f = person('wi2021', '2025-06-01', '2012-03-10');
    const today = '2025-10-01';
    expect(nextWakeUp(computeClocks(f, bo, today), bo, 'regisseur-werk', today, f)).toBe('2030-03-10');
    expect(nextWakeUp(computeClocks(f, bo, today), bo, 'regisseur-werk', today)).toBeUndefined();
    // the family-reunification window of the permit ends earlier, so that comes first while it runs
    expect(nextWakeUp(computeClocks(f, bo, '2025-06-02'), bo, 'regisseur-werk', '2025-06-02', f)).toBe('2025-09-02');
  });

  it('a diploma after the PIP waives the plicht clocks with the diploma as reason', () => {
    const f = applyEvents(person('wi2021', '2025-06-01', '1990-05-01'), [
      ...allEvents,
      ev('nl.koers.diploma.recognised', '2026-02-01', { diploma: 'mbo2-plus' }),
    ]);
    const clocks = computeClocks(f, bo, '2026-03-01');
    const c = byName(clocks);
    for (const name of PLICHT_CLOCKS.filter((n) => n !== 'pip')) {
      expect(c[name]).toMatchObject({ status: 'waived', settledOn: '2026-02-01', reason: 'MBO diploma (level 2 or higher) taught in Dutch obtained on 2026-02-01 (Wi2021 art. 4)' });
    }
    expect(c.pip).toMatchObject({ status: 'met', settledOn: '2025-08-01' });
    expect(c['reintegration-start']?.status).toBe('overdue'); // the Participatiewet track is not freed by a diploma
    expect(derivePhase(f, clocks, '2026-03-01')).toBe('not-plichtig');
  });

  it('an exemption waives with its own reason', () => {
    const f = applyEvents(person('wi2013', '2021-06-15', '1990-05-01'), [ev('nl.koers.exemption.granted', '2022-01-10')]);
    expect(byName(computeClocks(f, bo, '2022-02-01')).inburgering).toMatchObject({ status: 'waived', reason: 'exemption (ontheffing) granted on 2022-01-10 (Wi2013 art. 6)' });
  });

  it('journeys on the earlier rules keep their clocks', () => {
    const f = applyEvents(person('wi2021', '2025-06-01', '1950-01-01', { rules: 'v1.0' }), allEvents);
    const clocks = computeClocks(f, bo, '2025-09-01');
    expect(names(clocks)).toEqual(expect.arrayContaining(['pip', 'participatieverklaring', 'inburgering', 'map']));
    expect(names(clocks)).not.toContain('bijstand-decision');
    expect(derivePhase(f, clocks, '2025-09-01')).toBe('inburgering');
  });

  it('property: a minor has no plicht clock before the plicht starts, whatever was reported', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Regime>('wi2013', 'wi2021'),
        dateIn(17_532, 20_000), // permit 2018 .. 2024
        fc.integer({ min: 0, max: 17 }),
        fc.array(partnerEvent(), { maxLength: 15 }),
        dateIn(),
        (regime, permit, age, events, today) => {
          const birthDate = addYears(permit, -age - 1);
          const f = applyEvents(person(regime, permit, birthDate), events);
          const start = plichtStartOn(f);
          fc.pre(compareDates(today, permit) >= 0);
          const plichtNames = names(computeClocks(f, bo, today)).filter(isPlichtClock);
          if (compareDates(today, start) < 0) expect(plichtNames).toEqual([]);
          for (const c of computeClocks(f, bo, today).filter((x) => isPlichtClock(x.name))) {
            expect(compareDates(c.startsOn, start)).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
