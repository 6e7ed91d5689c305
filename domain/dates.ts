/**
 * Calendar arithmetic on `LocalDate` strings (`YYYY-MM-DD`, Europe/Amsterdam).
 *
 * Pure integer arithmetic on day numbers: no `Date`, no `Intl`, no clock. This module is imported by
 * Temporal workflow code, which must be deterministic and runs in a sandbox.
 *
 * The rule for years and months is the one journey-rules.md fixes ("Date arithmetic is on calendar
 * dates"): add to the calendar date and, where the day does not exist in the target month, use the
 * month's last day (2024-02-29 + 3 years = 2027-02-28; 2025-01-31 + 1 month = 2025-02-28). Weeks and
 * days are exact.
 */
import type { LocalDate } from './types';

const MS_PER_DAY = 86_400_000;
const MS_PER_HOUR = 3_600_000;
const MIN_YEAR = 1;
const MAX_YEAR = 9999;

interface Ymd {
  year: number;
  month: number; // 1-12
  day: number; // 1-31
}

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function parseParts(s: string): Ymd | undefined {
  const m = LOCAL_DATE.exec(s);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < MIN_YEAR || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

/** True for a real calendar date written `YYYY-MM-DD` (2024-02-29 yes, 2023-02-29 and 2025-02-30 no). */
export function isLocalDate(s: string): boolean {
  return parseParts(s) !== undefined;
}

/**
 * The dates the service accepts (contract v1.1, "Dates the service accepts"). Every rule adds at most
 * a few years to an input date, so arithmetic on accepted dates stays far inside the calendar's range.
 */
export const SUPPORTED_DATES = { from: '1900-01-01', to: '2199-12-31' } as const;

/** A real calendar date within {@link SUPPORTED_DATES}; anything else is not a date the domain computes with. */
export function isSupportedDate(s: unknown): s is LocalDate {
  return typeof s === 'string' && isLocalDate(s) && s >= SUPPORTED_DATES.from && s <= SUPPORTED_DATES.to;
}

function parse(d: LocalDate): Ymd {
  const p = parseParts(d);
  if (!p) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${JSON.stringify(d)}`);
  return p;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function format({ year, month, day }: Ymd): LocalDate {
  if (year < MIN_YEAR || year > MAX_YEAR) throw new RangeError(`year out of range: ${year}`);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant, "chrono-compatible low-level date
 * algorithms", days_from_civil). Exact for all years in range, no floating point.
 */
function toDayNumber({ year, month, day }: Ymd): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12; // March = 0
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Inverse of `toDayNumber` (civil_from_days). */
function fromDayNumber(n: number): Ymd {
  const z = n + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
}

/**
 * Recent dates' day numbers. A journey compares the same few dates thousands of times per step (the
 * pension-age cohorts, every clock's dates), and a worker replays journeys on every cache miss: the
 * parse was a tenth of a replay's own time (issue 12). A pure cache, so deterministic wherever it is shared.
 */
const dayNumbers = new Map<string, number>();
const DAY_NUMBERS_KEPT = 4096;

/** Day number (days since 1970-01-01) of a LocalDate; useful for compact comparisons. Throws RangeError for a non-date. */
export function dayNumber(d: LocalDate): number {
  const known = dayNumbers.get(d);
  if (known !== undefined) return known;
  const n = toDayNumber(parse(d));
  if (dayNumbers.size >= DAY_NUMBERS_KEPT) dayNumbers.clear();
  dayNumbers.set(d, n);
  return n;
}

/** The LocalDate of a day number (days since 1970-01-01). */
export function fromDayNumberToDate(n: number): LocalDate {
  return format(fromDayNumber(n));
}

function assertInteger(n: number, what: string): void {
  if (!Number.isSafeInteger(n)) throw new RangeError(`${what} must be an integer, got ${n}`);
}

/** Adds whole months; a day that does not exist in the target month becomes its last day. */
export function addMonths(d: LocalDate, n: number): LocalDate {
  assertInteger(n, 'months');
  const { year, month, day } = parse(d);
  const index = year * 12 + (month - 1) + n;
  const y = Math.floor(index / 12);
  const m = index - y * 12 + 1;
  return format({ year: y, month: m, day: Math.min(day, daysInMonth(y, m)) });
}

/** Adds whole years, clamping 29 February to 28 February in a common year. */
export function addYears(d: LocalDate, n: number): LocalDate {
  assertInteger(n, 'years');
  return addMonths(d, n * 12);
}

export function addDays(d: LocalDate, n: number): LocalDate {
  assertInteger(n, 'days');
  return fromDayNumberToDate(dayNumber(d) + n);
}

export function addWeeks(d: LocalDate, n: number): LocalDate {
  assertInteger(n, 'weeks');
  return addDays(d, n * 7);
}

export interface Period {
  years?: number;
  months?: number;
  weeks?: number;
  days?: number;
}

/**
 * Adds a period: years and months together as one month count, clamped once (so 2024-01-31 + 1 year
 * 1 month = 2025-02-28, not a double clamp), then weeks and days exactly.
 */
export function addPeriod(d: LocalDate, p: Period): LocalDate {
  const months = (p.years ?? 0) * 12 + (p.months ?? 0);
  const days = (p.weeks ?? 0) * 7 + (p.days ?? 0);
  const afterMonths = months === 0 ? d : addMonths(d, months);
  return days === 0 ? afterMonths : addDays(afterMonths, days);
}

/** `addPeriod` with every component negated, in the same order (months first, then days). */
export function subtractPeriod(d: LocalDate, p: Period): LocalDate {
  return addPeriod(d, {
    years: -(p.years ?? 0),
    months: -(p.months ?? 0),
    weeks: -(p.weeks ?? 0),
    days: -(p.days ?? 0),
  });
}

/** Negative when a is earlier, 0 when equal, positive when later. */
export function compareDates(a: LocalDate, b: LocalDate): number {
  return dayNumber(a) - dayNumber(b);
}

export function isBefore(a: LocalDate, b: LocalDate): boolean {
  return compareDates(a, b) < 0;
}

export function isAfter(a: LocalDate, b: LocalDate): boolean {
  return compareDates(a, b) > 0;
}

export function maxDate(first: LocalDate, ...rest: LocalDate[]): LocalDate {
  return rest.reduce((acc, d) => (isAfter(d, acc) ? d : acc), first);
}

export function minDate(first: LocalDate, ...rest: LocalDate[]): LocalDate {
  return rest.reduce((acc, d) => (isBefore(d, acc) ? d : acc), first);
}

/** Signed number of days from a to b: `addDays(a, daysBetween(a, b)) === b`. */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  return dayNumber(b) - dayNumber(a);
}

export function dayAfter(d: LocalDate): LocalDate {
  return addDays(d, 1);
}

/**
 * Full years lived on `onDate`. Consistent with `addYears`: a person born on 29 February turns a year
 * older on 28 February in a common year, the same clamping rule the deadlines use (journey-rules.md,
 * "Date arithmetic"). Returns a negative number when onDate precedes birthDate.
 */
export function ageOn(birthDate: LocalDate, onDate: LocalDate): number {
  const b = parse(birthDate);
  const o = parse(onDate);
  const candidate = o.year - b.year;
  return isAfter(addYears(birthDate, candidate), onDate) ? candidate - 1 : candidate;
}

// ---------------------------------------------------------------------------------------------
// Europe/Amsterdam
// ---------------------------------------------------------------------------------------------

/** Day of week of a day number: 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
function weekday(dayNo: number): number {
  return (((dayNo + 4) % 7) + 7) % 7;
}

/** Day of the week of a date: 0 = Sunday … 6 = Saturday. Throws RangeError for a non-date. */
export function dayOfWeek(d: LocalDate): number {
  return weekday(dayNumber(d));
}

function lastSunday(year: number, month: number): number {
  const last = toDayNumber({ year, month, day: daysInMonth(year, month) });
  return last - weekday(last);
}

function firstSunday(year: number, month: number): number {
  const first = toDayNumber({ year, month, day: 1 });
  return first + ((7 - weekday(first)) % 7);
}

/**
 * Summer time (CEST, UTC+2) in a given year as [start, end) in epoch ms, or undefined when the
 * Netherlands had none. The current EU rule (Directive 2000/84/EC, harmonised since 1996) is from the
 * last Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC. Earlier years follow the
 * EU rule's history (tz database "Rule EU"), so dates from 1970 on are right too: no summer time before
 * 1977; start on the first Sunday of April 1977-1980; end on the last Sunday of September 1977 and
 * 1979-1995, and on 1 October in 1978.
 */
function summerTime(year: number): readonly [number, number] | undefined {
  if (year < 1977) return undefined;
  const startDay = year <= 1980 ? firstSunday(year, 4) : lastSunday(year, 3);
  const endDay =
    year === 1978 ? toDayNumber({ year, month: 10, day: 1 }) : year <= 1995 ? lastSunday(year, 9) : lastSunday(year, 10);
  return [startDay * MS_PER_DAY + MS_PER_HOUR, endDay * MS_PER_DAY + MS_PER_HOUR];
}

/** Offset of Amsterdam civil time from UTC at an instant, in ms (1 h CET, 2 h CEST). */
function amsterdamOffsetMs(epochMs: number): number {
  const year = fromDayNumber(Math.floor(epochMs / MS_PER_DAY)).year;
  const st = summerTime(year);
  return st && epochMs >= st[0] && epochMs < st[1] ? 2 * MS_PER_HOUR : MS_PER_HOUR;
}

/** The calendar date in Europe/Amsterdam at an instant. */
export function amsterdamDateOf(epochMs: number): LocalDate {
  if (!Number.isFinite(epochMs)) throw new RangeError(`not an instant: ${epochMs}`);
  return fromDayNumberToDate(Math.floor((epochMs + amsterdamOffsetMs(epochMs)) / MS_PER_DAY));
}

/**
 * Epoch ms at which a date begins in Europe/Amsterdam (local midnight), e.g. for a timer that must
 * fire when a deadline date starts. Transitions happen at 01:00 UTC (02:00 or 03:00 local), so local
 * midnight always exists and is unambiguous.
 */
export function amsterdamStartOfDay(d: LocalDate): number {
  const utcMidnight = dayNumber(d) * MS_PER_DAY;
  for (const offset of [2 * MS_PER_HOUR, MS_PER_HOUR]) {
    const candidate = utcMidnight - offset;
    if (amsterdamOffsetMs(candidate) === offset) return candidate;
  }
  /* istanbul ignore next: unreachable, see above */
  throw new RangeError(`no local midnight for ${d}`);
}
