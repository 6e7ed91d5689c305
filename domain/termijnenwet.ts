/**
 * The Algemene termijnenwet (Atw, Wet van 25 juli 1964, Stb. 1964, 314) as data and one pure function.
 *
 * - Art. 1(1): a term set in a wet that ends on a Saturday, Sunday or algemeen erkende feestdag runs
 *   to and including the next day that is none of these. Art. 1(2): not for terms counted backwards.
 * - Art. 2: a term of at least three days is extended, where needed, so that it holds at least two days
 *   that are none of these (the first day, the anchor, does not count).
 * - Art. 3(1): the feestdagen are Nieuwjaarsdag, tweede Paas- and Pinksterdag, both Kerstdagen,
 *   Hemelvaartsdag, the day the King's birthday is celebrated and **5 May (every year)**; art. 3(2):
 *   **Goede Vrijdag** is equated with them; art. 3(3): a Koninklijk Besluit may equate other days, and is
 *   published in the Staatscourant (about once every three years, "Besluit gelijkstelling van …").
 * - Art. 4: the Atw does not apply to terms longer than 12 weeks, 3 months or 90 days (nor to terms in
 *   years); art. 5: it applies to terms set in an algemene maatregel van bestuur as to those in a wet.
 *   It never applies to terms a municipality sets in its own policy (not "in een wet gestelde").
 *
 * Sources: the text of art. 1-3 as quoted by juridischwoordenboek.nl and staatsrechtpraktijk.nl (both
 * from wetten.overheid.nl BWBR0002448); art. 4 and 5 as summarised by vdv-vh.nl/atw and
 * debloggendedeurwaarder.nl; the equated days from the titles of the Besluiten (sterfgeval.nl 70745,
 * 4 Oct 2025). Generic holiday libraries get exactly these days wrong (5 May only every five years, no
 * Goede Vrijdag, no equated days), so the days are kept here as law.
 *
 * A NEW BESLUIT is a data change: add its days to {@link ATW_EQUATED_DAYS} with its title, and move
 * {@link ATW_EQUATED_DAYS_KNOWN} on. The next one (for 2029 and later) will be published in the
 * Staatscourant (zoek.officielebekendmakingen.nl, search "Besluit gelijkstelling … met een algemeen
 * erkende feestdag") and then appears on wetten.overheid.nl.
 */
import { addDays, addPeriod, dayOfWeek, daysBetween, isAfter, isBefore, type Period } from './dates';
import type { LocalDate } from './types';

/** What makes a day one on which an Atw term cannot end. */
export const ATW_REST_DAY_KINDS = [
  'zaterdag',
  'zondag',
  'nieuwjaarsdag',
  'goede-vrijdag',
  'tweede-paasdag',
  'koningsdag',
  'bevrijdingsdag',
  'hemelvaartsdag',
  'tweede-pinksterdag',
  'eerste-kerstdag',
  'tweede-kerstdag',
  'gelijkgestelde-dag',
] as const;

export type AtwRestDayKind = (typeof ATW_REST_DAY_KINDS)[number];

export type AtwFeestdagKind = Exclude<AtwRestDayKind, 'zaterdag' | 'zondag'>;

export interface AtwFeestdag {
  on: LocalDate;
  kind: AtwFeestdagKind;
  /** The article or Besluit that makes it one. */
  source: string;
}

/** A day equated with a feestdag by Koninklijk Besluit (Atw art. 3(3)), with the Besluit's title. */
export interface AtwEquatedDay {
  on: LocalDate;
  besluit: string;
}

const BESLUIT_2023_2025 = 'Besluit gelijkstelling van 28 april 2023, 19 mei 2023, 10 mei 2024, 27 december 2024 en 30 mei 2025 met een algemeen erkende feestdag (Atw art. 3(3), Staatscourant)';
const BESLUIT_2026_2028 = 'Besluit gelijkstelling van 2 januari 2026, 15 mei 2026, 7 mei 2027, 28 april 2028 en 26 mei 2028 met een algemeen erkende feestdag (Atw art. 3(3), Staatscourant)';

/** The days equated by the Besluiten Koers knows; each Besluit's title lists its own days. */
export const ATW_EQUATED_DAYS: readonly AtwEquatedDay[] = [
  { on: '2023-04-28', besluit: BESLUIT_2023_2025 },
  { on: '2023-05-19', besluit: BESLUIT_2023_2025 },
  { on: '2024-05-10', besluit: BESLUIT_2023_2025 },
  { on: '2024-12-27', besluit: BESLUIT_2023_2025 },
  { on: '2025-05-30', besluit: BESLUIT_2023_2025 },
  { on: '2026-01-02', besluit: BESLUIT_2026_2028 },
  { on: '2026-05-15', besluit: BESLUIT_2026_2028 },
  { on: '2027-05-07', besluit: BESLUIT_2026_2028 },
  { on: '2028-04-28', besluit: BESLUIT_2026_2028 },
  { on: '2028-05-26', besluit: BESLUIT_2026_2028 },
];

/**
 * The years the equated days above cover. Outside them Koers knows no equated day (a term ending then
 * is rolled over weekends and the feestdagen of art. 3(1)-(2) only); the basis of a clock says so.
 */
export const ATW_EQUATED_DAYS_KNOWN = { from: '2023-01-01', to: '2028-12-31' } as const;

/** Easter Sunday of a Gregorian year (anonymous Gregorian algorithm, Meeus/Jones/Butcher). */
export function easterSunday(year: number): LocalDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const ymd = (year: number, month: number, day: number): LocalDate => `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

/**
 * The day the King's (Queen's) birthday is celebrated (Atw art. 3(1)). Since 2014 27 April; from 1980
 * to 2013 Koninginnedag on 30 April. Since the Koninklijk Besluit of 1980 it is never celebrated on a
 * Sunday: it moves to the Saturday before (26 April 2014 and 2025; 29 April 2006) (koninklijkhuis.nl,
 * "Koningsdag"; gemeente.groningen.nl "Koningsdag 2025"). Before 1980 (30 April, Juliana) a Sunday moved
 * it to the Monday; Koers computes no term in those years, so that branch is not verified.
 */
export function koningsdag(year: number): LocalDate {
  const birthday = year >= 2014 ? ymd(year, 4, 27) : ymd(year, 4, 30);
  if (dayOfWeek(birthday) !== 0) return birthday;
  return addDays(birthday, year >= 1980 ? -1 : 1);
}

/** The algemeen erkende feestdagen of a year and the days equated with them (Atw art. 3), in date order. */
export function atwFeestdagen(year: number): AtwFeestdag[] {
  const easter = easterSunday(year);
  const art31 = 'Algemene termijnenwet art. 3(1)';
  const days: AtwFeestdag[] = [
    { on: ymd(year, 1, 1), kind: 'nieuwjaarsdag', source: art31 },
    { on: addDays(easter, -2), kind: 'goede-vrijdag', source: 'Algemene termijnenwet art. 3(2)' },
    { on: addDays(easter, 1), kind: 'tweede-paasdag', source: art31 },
    { on: koningsdag(year), kind: 'koningsdag', source: art31 },
    { on: ymd(year, 5, 5), kind: 'bevrijdingsdag', source: art31 },
    { on: addDays(easter, 39), kind: 'hemelvaartsdag', source: art31 },
    { on: addDays(easter, 50), kind: 'tweede-pinksterdag', source: art31 },
    { on: ymd(year, 12, 25), kind: 'eerste-kerstdag', source: art31 },
    { on: ymd(year, 12, 26), kind: 'tweede-kerstdag', source: art31 },
    ...ATW_EQUATED_DAYS.filter((d) => d.on.startsWith(`${String(year).padStart(4, '0')}-`)).map((d) => ({ on: d.on, kind: 'gelijkgestelde-dag' as const, source: d.besluit })),
  ];
  return days.sort((x, y) => (x.on < y.on ? -1 : x.on > y.on ? 1 : 0));
}

const feestdagenByYear = new Map<number, ReadonlyMap<LocalDate, AtwFeestdag>>();

function feestdagOn(d: LocalDate): AtwFeestdag | undefined {
  const year = Number(d.slice(0, 4));
  let days = feestdagenByYear.get(year);
  if (days === undefined) {
    days = new Map(atwFeestdagen(year).map((f) => [f.on, f]));
    // A pure cache (a year's days never change), so deterministic wherever it is shared.
    if (feestdagenByYear.size > 64) feestdagenByYear.clear();
    feestdagenByYear.set(year, days);
  }
  return days.get(d);
}

/** Why a day is one on which an Atw term cannot end, or undefined for an ordinary working day. */
export function atwRestDay(d: LocalDate): { kind: AtwRestDayKind; source: string } | undefined {
  const feestdag = feestdagOn(d);
  if (feestdag !== undefined) return { kind: feestdag.kind, source: feestdag.source };
  const weekday = dayOfWeek(d);
  if (weekday === 6) return { kind: 'zaterdag', source: 'Algemene termijnenwet art. 1(1)' };
  if (weekday === 0) return { kind: 'zondag', source: 'Algemene termijnenwet art. 1(1)' };
  return undefined;
}

/**
 * Whether the Atw applies to a term of this length (art. 4): not to terms in years, nor to those longer
 * than 12 weeks, 3 months or 90 days. A mixed period counts by its exact length in days (at most 90)
 * unless it is in months only.
 */
export function atwAppliesTo(period: Period): boolean {
  if ((period.years ?? 0) !== 0) return false;
  const months = period.months ?? 0;
  const days = (period.weeks ?? 0) * 7 + (period.days ?? 0);
  if (months !== 0) return days === 0 && months <= 3;
  if ((period.weeks ?? 0) !== 0 && (period.days ?? 0) === 0) return (period.weeks ?? 0) <= 12;
  return days <= 90;
}

/** The adjustment the Atw made to a term's end, as the clock's basis lists it (contract v1.2). */
export interface AtwAdjustment {
  kind: 'atw';
  /** Days added to the computed end. */
  days: number;
  /** The end as computed from the period, and the day it runs to now. */
  from: LocalDate;
  to: LocalDate;
  /** What the computed end fell on; absent when art. 2 moved an end that was a working day. */
  restDay?: { on: LocalDate; kind: AtwRestDayKind };
  reason: string;
  source: string;
}

const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const REST_DAY_NAMES: Readonly<Record<AtwRestDayKind, string>> = {
  zaterdag: 'a Saturday',
  zondag: 'a Sunday',
  nieuwjaarsdag: 'Nieuwjaarsdag',
  'goede-vrijdag': 'Goede Vrijdag',
  'tweede-paasdag': 'tweede Paasdag',
  koningsdag: 'Koningsdag',
  bevrijdingsdag: '5 May (Bevrijdingsdag)',
  hemelvaartsdag: 'Hemelvaartsdag',
  'tweede-pinksterdag': 'tweede Pinksterdag',
  'eerste-kerstdag': 'eerste Kerstdag',
  'tweede-kerstdag': 'tweede Kerstdag',
  'gelijkgestelde-dag': 'a day equated with a feestdag by Koninklijk Besluit',
};

/**
 * The Algemene termijnenwet applied to one statutory term: `from` is the day the term is counted from
 * (the anchor; not itself part of the term), `end` its last day as computed from `period`. Returns the
 * final date and, when the Atw moved it, the adjustment with its days and article. Terms the Atw does
 * not govern (art. 4: longer than 12 weeks / 3 months / 90 days, or in years) come back unchanged;
 * the caller decides whether the term is "in een wet gesteld" (art. 1, 5) and not counted backwards
 * (art. 1(2)). Dates YYYY-MM-DD; throws RangeError for a non-date.
 */
export function applyAlgemeneTermijnenwet(term: { from: LocalDate; end: LocalDate; period: Period }): { finalDate: LocalDate; adjustment?: AtwAdjustment } {
  if (!atwAppliesTo(term.period) || isBefore(term.end, term.from)) return { finalDate: term.end };
  let end = term.end;
  let article = 'Algemene termijnenwet art. 1(1)';
  // Art. 2: a term of three days or more holds at least two days that are not rest days.
  if (daysBetween(term.from, term.end) >= 3) {
    const workingDays = (until: LocalDate): number => {
      let count = 0;
      for (let d = addDays(term.from, 1); !isAfter(d, until); d = addDays(d, 1)) if (atwRestDay(d) === undefined) count += 1;
      return count;
    };
    if (workingDays(end) < 2) {
      article = 'Algemene termijnenwet art. 2';
      while (workingDays(end) < 2) end = addDays(end, 1);
    }
  }
  // Art. 1(1): to and including the next day that is no rest day.
  while (atwRestDay(end) !== undefined) end = addDays(end, 1);
  if (end === term.end) return { finalDate: end };
  const restDay = atwRestDay(term.end);
  const days = daysBetween(term.end, end);
  const runsTo = `the term runs to ${WEEKDAY_NAMES[dayOfWeek(end)]} ${end}`;
  return {
    finalDate: end,
    adjustment: {
      kind: 'atw',
      days,
      from: term.end,
      to: end,
      ...(restDay !== undefined ? { restDay: { on: term.end, kind: restDay.kind } } : {}),
      reason: restDay !== undefined ? `${term.end} is ${REST_DAY_NAMES[restDay.kind]}: ${runsTo}` : `the term held fewer than two working days: ${runsTo}`,
      source: restDay?.kind === 'gelijkgestelde-dag' ? `${article}; ${restDay.source}` : article,
    },
  };
}

/** A statutory term's end with the Atw applied: `from` + `period`, then {@link applyAlgemeneTermijnenwet}. */
export function statutoryTermEnd(from: LocalDate, period: Period): { finalDate: LocalDate; adjustment?: AtwAdjustment } {
  return applyAlgemeneTermijnenwet({ from, end: addPeriod(from, period), period });
}
