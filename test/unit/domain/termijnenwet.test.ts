import { addDays, dayOfWeek } from '../../../domain/dates';
import {
  applyAlgemeneTermijnenwet,
  atwAppliesTo,
  atwFeestdagen,
  atwRestDay,
  ATW_EQUATED_DAYS,
  easterSunday,
  koningsdag,
  statutoryTermEnd,
} from '../../../domain/termijnenwet';

/**
 * The Algemene termijnenwet (Atw): art. 1 (roll to the next working day), art. 2 (two working days),
 * art. 3 (the feestdagen, 5 May every year, Goede Vrijdag, the days equated by Koninklijk Besluit),
 * art. 4 (not for terms over 12 weeks / 3 months / 90 days).
 */
describe('Algemene termijnenwet art. 3: every feestdag and equated day of 2024-2028', () => {
  // Expected from the calendar (Easter 2024-03-31, 2025-04-20, 2026-04-05, 2027-03-28, 2028-04-16) and
  // the two Besluiten gelijkstelling covering 2023-2025 and 2026-2028.
  const table: Record<number, Array<[string, string]>> = {
    2024: [
      ['2024-01-01', 'nieuwjaarsdag'], ['2024-03-29', 'goede-vrijdag'], ['2024-04-01', 'tweede-paasdag'], ['2024-04-27', 'koningsdag'],
      ['2024-05-05', 'bevrijdingsdag'], ['2024-05-09', 'hemelvaartsdag'], ['2024-05-10', 'gelijkgestelde-dag'], ['2024-05-20', 'tweede-pinksterdag'],
      ['2024-12-25', 'eerste-kerstdag'], ['2024-12-26', 'tweede-kerstdag'], ['2024-12-27', 'gelijkgestelde-dag'],
    ],
    2025: [
      ['2025-01-01', 'nieuwjaarsdag'], ['2025-04-18', 'goede-vrijdag'], ['2025-04-21', 'tweede-paasdag'], ['2025-04-26', 'koningsdag'],
      ['2025-05-05', 'bevrijdingsdag'], ['2025-05-29', 'hemelvaartsdag'], ['2025-05-30', 'gelijkgestelde-dag'], ['2025-06-09', 'tweede-pinksterdag'],
      ['2025-12-25', 'eerste-kerstdag'], ['2025-12-26', 'tweede-kerstdag'],
    ],
    2026: [
      ['2026-01-01', 'nieuwjaarsdag'], ['2026-01-02', 'gelijkgestelde-dag'], ['2026-04-03', 'goede-vrijdag'], ['2026-04-06', 'tweede-paasdag'],
      ['2026-04-27', 'koningsdag'], ['2026-05-05', 'bevrijdingsdag'], ['2026-05-14', 'hemelvaartsdag'], ['2026-05-15', 'gelijkgestelde-dag'],
      ['2026-05-25', 'tweede-pinksterdag'], ['2026-12-25', 'eerste-kerstdag'], ['2026-12-26', 'tweede-kerstdag'],
    ],
    2027: [
      ['2027-01-01', 'nieuwjaarsdag'], ['2027-03-26', 'goede-vrijdag'], ['2027-03-29', 'tweede-paasdag'], ['2027-04-27', 'koningsdag'],
      ['2027-05-05', 'bevrijdingsdag'], ['2027-05-06', 'hemelvaartsdag'], ['2027-05-07', 'gelijkgestelde-dag'], ['2027-05-17', 'tweede-pinksterdag'],
      ['2027-12-25', 'eerste-kerstdag'], ['2027-12-26', 'tweede-kerstdag'],
    ],
    2028: [
      ['2028-01-01', 'nieuwjaarsdag'], ['2028-04-14', 'goede-vrijdag'], ['2028-04-17', 'tweede-paasdag'], ['2028-04-27', 'koningsdag'],
      ['2028-04-28', 'gelijkgestelde-dag'], ['2028-05-05', 'bevrijdingsdag'], ['2028-05-25', 'hemelvaartsdag'], ['2028-05-26', 'gelijkgestelde-dag'],
      ['2028-06-05', 'tweede-pinksterdag'], ['2028-12-25', 'eerste-kerstdag'], ['2028-12-26', 'tweede-kerstdag'],
    ],
  };

  it.each(Object.keys(table).map(Number))('%i: exactly the days of art. 3(1), 3(2) and the Besluit gelijkstelling', (year) => {
    expect(atwFeestdagen(year).map((f) => [f.on, f.kind])).toEqual(table[year]);
  });

  it('every listed day is a rest day, and no other weekday of 2024-2028 is', () => {
    const listed = new Set(Object.values(table).flat().map(([on]) => on));
    for (let d = '2024-01-01'; d <= '2028-12-31'; d = addDays(d, 1)) {
      const weekend = dayOfWeek(d) === 0 || dayOfWeek(d) === 6;
      expect([d, atwRestDay(d) !== undefined]).toEqual([d, weekend || listed.has(d)]);
    }
  });

  it('5 May is a feestdag every year, not only every fifth (art. 3(1) as amended; holiday libraries skip it)', () => {
    for (const year of [2026, 2027, 2028, 2029, 2031]) expect(atwRestDay(`${year}-05-05`)?.kind).toBe('bevrijdingsdag');
  });

  it('Koningsdag on a Sunday is celebrated the Saturday before (KB 1980): 26 April 2014 and 2025, 29 April 2006', () => {
    expect(koningsdag(2014)).toBe('2014-04-26');
    expect(koningsdag(2025)).toBe('2025-04-26');
    expect(koningsdag(2006)).toBe('2006-04-29');
    expect(koningsdag(2013)).toBe('2013-04-30');
    expect(koningsdag(2031)).toBe('2031-04-26');
  });

  it('Easter from the Gregorian computus (known dates)', () => {
    expect([2019, 2024, 2025, 2038, 2285].map(easterSunday)).toEqual(['2019-04-21', '2024-03-31', '2025-04-20', '2038-04-25', '2285-03-22']);
  });

  it('each equated day names the Besluit that equates it', () => {
    for (const day of ATW_EQUATED_DAYS) expect(day.besluit).toContain('Besluit gelijkstelling');
    expect(atwRestDay('2026-01-02')?.source).toContain('2 januari 2026');
  });
});

describe('Algemene termijnenwet art. 1 and 2: the law\'s own examples', () => {
  it('8 weeks after an application of 4 October 2025 end on Saturday 29 November: extended to Monday 1 December (art. 1(1))', () => {
    const { finalDate, adjustment } = statutoryTermEnd('2025-10-04', { weeks: 8 });
    expect(finalDate).toBe('2025-12-01');
    expect(adjustment).toMatchObject({ kind: 'atw', days: 2, from: '2025-11-29', to: '2025-12-01', restDay: { on: '2025-11-29', kind: 'zaterdag' }, source: 'Algemene termijnenwet art. 1(1)' });
  });

  it('three days\' bedenktijd from Wednesday 20 December 2017 end on Wednesday 27 December (staatsrechtpraktijk.nl)', () => {
    expect(statutoryTermEnd('2017-12-19', { days: 3 }).finalDate).toBe('2017-12-22');
    expect(statutoryTermEnd('2017-12-20', { days: 3 }).finalDate).toBe('2017-12-27');
  });

  it('a term ending on Goede Vrijdag 2026 runs past Easter Monday to Tuesday 7 April', () => {
    expect(applyAlgemeneTermijnenwet({ from: '2026-01-23', end: '2026-04-03', period: { weeks: 10 } })).toMatchObject({ finalDate: '2026-04-07', adjustment: { days: 4, restDay: { kind: 'goede-vrijdag' } } });
  });

  it('Koningsdag 2028 (Thursday) with the equated Friday after it: to Monday 1 May', () => {
    expect(applyAlgemeneTermijnenwet({ from: '2028-03-02', end: '2028-04-27', period: { weeks: 8 } }).finalDate).toBe('2028-05-01');
  });

  it('an equated day cites its Besluit', () => {
    expect(applyAlgemeneTermijnenwet({ from: '2026-03-20', end: '2026-05-15', period: { weeks: 8 } }).adjustment?.source).toContain('Besluit gelijkstelling van 2 januari 2026');
  });

  it('a term ending on a working day is not moved', () => {
    expect(statutoryTermEnd('2025-10-06', { weeks: 8 })).toEqual({ finalDate: '2025-12-01' });
  });

  it('art. 2: a short term holding fewer than two working days is extended until it holds two', () => {
    // From Tuesday 2025-12-23, 3 days: 24 (working), 25, 26 (Kerst): one working day; extended to Monday 29.
    expect(statutoryTermEnd('2025-12-23', { days: 3 })).toMatchObject({ finalDate: '2025-12-29', adjustment: { source: 'Algemene termijnenwet art. 2' } });
  });
});

describe('Algemene termijnenwet art. 4: only terms of at most 12 weeks, 3 months or 90 days', () => {
  it.each([
    [{ weeks: 8 }, true],
    [{ weeks: 10 }, true],
    [{ weeks: 12 }, true],
    [{ months: 3 }, true],
    [{ days: 90 }, true],
    [{ weeks: 13 }, false],
    [{ months: 4 }, false],
    [{ months: 6 }, false],
    [{ days: 91 }, false],
    [{ years: 1 }, false],
    [{ years: 3 }, false],
  ])('%j applies: %s', (period, applies) => {
    expect(atwAppliesTo(period)).toBe(applies);
  });

  it('a three-year term ending on a Saturday is not moved', () => {
    expect(applyAlgemeneTermijnenwet({ from: '2022-11-29', end: '2025-11-29', period: { years: 3 } })).toEqual({ finalDate: '2025-11-29' });
  });
});
