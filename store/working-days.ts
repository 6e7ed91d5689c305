/**
 * Dutch working days: Monday to Friday, except the public holidays of the Algemene termijnenwet
 * (art. 3: Nieuwjaarsdag, tweede Paas- en Pinksterdag, Hemelvaartsdag, both Christmas days,
 * Koningsdag, 5 May), taken from the maintained date-holidays library rather than a table of our own
 * (Easter-based dates and Koningsdag on the 26th when the 27th is a Sunday come with it).
 *
 * Not for workflow code: date-holidays is large and reads its data at start-up, which does not belong
 * in the deterministic workflow sandbox. A policy that counts working days gets them as precomputed
 * data: call {@link dutchPublicHolidays} in an activity or at start-up and pass the list in.
 */
import Holidays from 'date-holidays';
import type { LocalDate } from '../domain/types';

let calendar: Holidays | undefined;
const byYear = new Map<number, ReadonlySet<LocalDate>>();

function holidaysOf(year: number): ReadonlySet<LocalDate> {
  let set = byYear.get(year);
  if (!set) {
    calendar ??= new Holidays('NL');
    const days = (calendar.getHolidays(year) || [])
      // date-holidays types 5 May as 'school' (a day off only every fifth year in many CAOs), but the
      // Algemene termijnenwet counts it, and legal deadlines follow that law.
      .filter((h) => h.type === 'public' || h.date.slice(5, 10) === '05-05')
      .map((h) => h.date.slice(0, 10));
    set = new Set(days);
    byYear.set(year, set);
  }
  return set;
}

function parse(date: LocalDate): Date {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new RangeError(`not a date: ${date}`);
  const d = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== date) throw new RangeError(`not a date: ${date}`);
  return d;
}

/** Public holidays (as above) in the given years, sorted; for passing to workflows as data. */
export function dutchPublicHolidays(fromYear: number, toYear = fromYear): LocalDate[] {
  const out: LocalDate[] = [];
  for (let y = fromYear; y <= toYear; y++) out.push(...holidaysOf(y));
  return out.sort();
}

export function isPublicHoliday(date: LocalDate): boolean {
  return holidaysOf(parse(date).getUTCFullYear()).has(date);
}

export function isWorkingDay(date: LocalDate): boolean {
  const day = parse(date).getUTCDay();
  return day !== 0 && day !== 6 && !isPublicHoliday(date);
}

/**
 * The date `n` working days after `date` (before it when n < 0); `date` itself does not count, so
 * n = 1 from a Friday is the next Monday (or later around holidays), and n = 0 returns `date`.
 */
export function addWorkingDays(date: LocalDate, n: number): LocalDate {
  if (!Number.isInteger(n)) throw new RangeError(`not a whole number of working days: ${n}`);
  const d = parse(date);
  const step = n < 0 ? -1 : 1;
  for (let left = Math.abs(n); left > 0; ) {
    d.setUTCDate(d.getUTCDate() + step);
    if (isWorkingDay(d.toISOString().slice(0, 10))) left--;
  }
  return d.toISOString().slice(0, 10);
}
