import fc from 'fast-check';
import {
  addDays,
  addMonths,
  addPeriod,
  addWeeks,
  addYears,
  ageOn,
  amsterdamDateOf,
  amsterdamStartOfDay,
  compareDates,
  dayAfter,
  daysBetween,
  fromDayNumberToDate,
  isAfter,
  isBefore,
  isLocalDate,
  maxDate,
  minDate,
  subtractPeriod,
} from '../../../domain/dates';

/** Any valid date from 1900 to 2199, generated as a day number so every one is real. */
const MIN_DAY = -25_567; // 1900-01-01
const MAX_DAY = 84_005; // 2199-12-31
const localDate = fc.integer({ min: MIN_DAY, max: MAX_DAY }).map(fromDayNumberToDate);

describe('isLocalDate', () => {
  it.each([
    ['2024-02-29', true],
    ['2023-02-29', false],
    ['2025-02-30', false],
    ['2000-02-29', true], // divisible by 400
    ['1900-02-29', false], // divisible by 100
    ['2025-04-31', false],
    ['2025-12-31', true],
    ['2025-13-01', false],
    ['2025-00-10', false],
    ['2025-01-00', false],
    ['2025-1-01', false],
    ['25-01-01', false],
    ['2025-01-01T00:00:00Z', false],
    ['', false],
    ['0000-01-01', false],
  ])('%s -> %s', (s, expected) => {
    expect(isLocalDate(s)).toBe(expected);
  });
});

describe('calendar arithmetic (journey-rules.md, "Date arithmetic")', () => {
  it.each([
    ['2024-02-29', 3, '2027-02-28'],
    ['2024-02-29', 4, '2028-02-29'],
    ['2025-03-14', 3, '2028-03-14'],
    ['2025-03-14', -1, '2024-03-14'],
  ])('addYears(%s, %d) = %s', (d, n, expected) => {
    expect(addYears(d, n)).toBe(expected);
  });

  it.each([
    ['2025-01-31', 1, '2025-02-28'],
    ['2024-01-31', 1, '2024-02-29'],
    ['2025-01-31', 3, '2025-04-30'],
    ['2025-11-30', 3, '2026-02-28'],
    ['2025-03-31', -1, '2025-02-28'],
    ['2025-12-15', 1, '2026-01-15'],
    ['2025-01-15', -1, '2024-12-15'],
    ['2025-05-01', 18, '2026-11-01'],
  ])('addMonths(%s, %d) = %s', (d, n, expected) => {
    expect(addMonths(d, n)).toBe(expected);
  });

  it('weeks and days are exact', () => {
    expect(addWeeks('2025-01-01', 10)).toBe('2025-03-12');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-02-28', 1)).toBe('2025-03-01');
    expect(addDays('2025-01-01', -1)).toBe('2024-12-31');
    expect(dayAfter('2025-12-31')).toBe('2026-01-01');
  });

  it('addPeriod adds years and months as one count, clamped once, then weeks and days', () => {
    expect(addPeriod('2024-01-31', { years: 1, months: 1 })).toBe('2025-02-28');
    // Clamped once: 2024-01-31 +1 month would be 2024-02-29 and then +1 year 2025-02-28 anyway;
    // the difference shows with 2023-01-31 + 1 year 1 month (one count: 2024-02-29).
    expect(addPeriod('2023-01-31', { years: 1, months: 1 })).toBe('2024-02-29');
    expect(addYears(addMonths('2023-01-31', 1), 1)).toBe('2024-02-28');
    expect(addPeriod('2025-01-31', { months: 1, days: 1 })).toBe('2025-03-01');
    expect(addPeriod('2025-01-01', { weeks: 2, days: 3 })).toBe('2025-01-18');
    expect(addPeriod('2025-01-01', {})).toBe('2025-01-01');
  });

  it('subtractPeriod negates every component', () => {
    expect(subtractPeriod('2027-02-28', { years: 3 })).toBe('2024-02-28');
    expect(subtractPeriod('2025-03-31', { months: 1 })).toBe('2025-02-28');
    expect(subtractPeriod('2025-03-12', { weeks: 10 })).toBe('2025-01-01');
  });

  it('comparisons', () => {
    expect(compareDates('2025-01-01', '2025-01-02')).toBeLessThan(0);
    expect(compareDates('2025-01-02', '2025-01-02')).toBe(0);
    expect(isBefore('2024-12-31', '2025-01-01')).toBe(true);
    expect(isAfter('2024-12-31', '2025-01-01')).toBe(false);
    expect(maxDate('2025-01-01', '2026-01-01', '2024-01-01')).toBe('2026-01-01');
    expect(minDate('2025-01-01', '2026-01-01', '2024-01-01')).toBe('2024-01-01');
    expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366);
    expect(daysBetween('2025-01-01', '2024-01-01')).toBe(-366);
  });

  it('rejects invalid input rather than guessing', () => {
    expect(() => addDays('2025-02-30', 1)).toThrow(RangeError);
    expect(() => addMonths('2025-01-01', 1.5)).toThrow(RangeError);
  });

  it.each([
    ['1990-05-01', '2025-04-30', 34],
    ['1990-05-01', '2025-05-01', 35],
    ['2000-02-29', '2027-02-27', 26],
    ['2000-02-29', '2027-02-28', 27], // same clamping rule as addYears
    ['2000-02-29', '2028-02-29', 28],
    ['2025-01-01', '2024-12-31', -1],
  ])('ageOn(%s, %s) = %d', (birth, on, age) => {
    expect(ageOn(birth, on)).toBe(age);
  });
});

describe('calendar arithmetic: properties', () => {
  it('addDays and daysBetween are inverse', () => {
    fc.assert(
      fc.property(localDate, fc.integer({ min: -20_000, max: 20_000 }), (d, n) => {
        const e = addDays(d, n);
        expect(daysBetween(d, e)).toBe(n);
        expect(addDays(e, -n)).toBe(d);
      }),
    );
  });

  it('addMonths always gives a valid date in the target month, never overflowing into the next', () => {
    fc.assert(
      fc.property(localDate, fc.integer({ min: -600, max: 600 }), (d, n) => {
        const r = addMonths(d, n);
        expect(isLocalDate(r)).toBe(true);
        const [y, m] = d.split('-').map(Number) as [number, number];
        const index = y * 12 + (m - 1) + n;
        expect(r.slice(0, 7)).toBe(`${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`);
        // Day kept, or clamped down to the month's last day.
        const day = Number(d.slice(8));
        const rDay = Number(r.slice(8));
        expect(rDay).toBeLessThanOrEqual(day);
        if (rDay < day) expect(isLocalDate(dayAfter(r)) && dayAfter(r).slice(8)).toBe('01');
      }),
    );
  });

  it('month-end clamping is monotonic: a later start never gives an earlier result', () => {
    fc.assert(
      fc.property(localDate, fc.integer({ min: 0, max: 400 }), fc.integer({ min: -120, max: 120 }), (d, k, n) => {
        const later = addDays(d, k);
        expect(compareDates(addMonths(d, n), addMonths(later, n))).toBeLessThanOrEqual(0);
      }),
    );
  });

  it('addPeriod always gives a valid date and never goes backwards for a non-negative period', () => {
    const period = fc.record(
      {
        years: fc.integer({ min: 0, max: 10 }),
        months: fc.integer({ min: 0, max: 30 }),
        weeks: fc.integer({ min: 0, max: 60 }),
        days: fc.integer({ min: 0, max: 400 }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(localDate, period, (d, p) => {
        const r = addPeriod(d, p);
        expect(isLocalDate(r)).toBe(true);
        expect(compareDates(r, d)).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('ageOn agrees with addYears', () => {
    fc.assert(
      fc.property(localDate, fc.integer({ min: 0, max: 40_000 }), (birth, k) => {
        const on = addDays(birth, k);
        const age = ageOn(birth, on);
        expect(compareDates(addYears(birth, age), on)).toBeLessThanOrEqual(0);
        expect(compareDates(addYears(birth, age + 1), on)).toBeGreaterThan(0);
      }),
    );
  });
});

describe('Europe/Amsterdam', () => {
  const intl = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' });
  const FROM = Date.UTC(1970, 0, 1);
  const TO = Date.UTC(2100, 11, 31, 23, 59, 59, 999);

  it.each([
    // 23:30 UTC is the next day in Amsterdam in winter (UTC+1) and in summer (UTC+2).
    [Date.UTC(2025, 0, 14, 23, 30), '2025-01-15'],
    [Date.UTC(2025, 0, 14, 22, 59), '2025-01-14'],
    [Date.UTC(2025, 6, 14, 22, 0), '2025-07-15'],
    [Date.UTC(2025, 6, 14, 21, 59), '2025-07-14'],
    // Transition days 2025: 30 March and 26 October, 01:00 UTC.
    [Date.UTC(2025, 2, 29, 23, 0), '2025-03-30'],
    [Date.UTC(2025, 9, 25, 22, 0), '2025-10-26'],
    [Date.UTC(2025, 9, 25, 21, 59), '2025-10-25'],
    // 1978: summer time ended 1 October.
    [Date.UTC(1978, 8, 30, 22, 0), '1978-10-01'],
  ])('amsterdamDateOf(%d) = %s', (ms, expected) => {
    expect(amsterdamDateOf(ms)).toBe(expected);
  });

  it('matches Intl for any instant 1970-2100', () => {
    fc.assert(
      fc.property(fc.integer({ min: FROM, max: TO }), (ms) => {
        expect(amsterdamDateOf(ms)).toBe(intl.format(ms));
      }),
      { numRuns: 20_000 },
    );
  });

  it('matches Intl at local midnight on the days around every transition 1970-2100', () => {
    // The date flips at 22:00 UTC (summer) or 23:00 UTC (winter); check just before and at both, on
    // the last and first days of the months in which the EU rule has ever switched.
    const days = [24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38]; // 32.. = next month's 1st..
    for (let year = 1970; year <= 2100; year++) {
      for (const month of [2, 8, 9]) {
        for (const day of days) {
          for (const hour of [22, 23]) {
            const ms = Date.UTC(year, month, day, hour);
            expect(amsterdamDateOf(ms - 1)).toBe(intl.format(ms - 1));
            expect(amsterdamDateOf(ms)).toBe(intl.format(ms));
          }
        }
      }
    }
  });

  it('amsterdamStartOfDay is local midnight: the date starts there and the day before ends 1 ms earlier', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 47_481 }).map(fromDayNumberToDate), (d) => {
        const start = amsterdamStartOfDay(d);
        expect(amsterdamDateOf(start)).toBe(d);
        expect(amsterdamDateOf(start - 1)).toBe(addDays(d, -1));
        expect(intl.format(start)).toBe(d);
        expect(intl.format(start - 1)).toBe(addDays(d, -1));
      }),
      { numRuns: 5_000 },
    );
  });

  it.each([
    ['2025-01-15', Date.UTC(2025, 0, 14, 23)],
    ['2025-07-15', Date.UTC(2025, 6, 14, 22)],
    ['2025-03-30', Date.UTC(2025, 2, 29, 23)], // summer time starts later that day
    ['2025-10-26', Date.UTC(2025, 9, 25, 22)], // still summer time at midnight
  ])('amsterdamStartOfDay(%s)', (d, ms) => {
    expect(amsterdamStartOfDay(d)).toBe(ms);
  });
});
