/**
 * The clocks of the public contract, computed exactly per journey-rules.md "How the clocks of the
 * public contract are computed": an anchor fact, a period, a milestone that meets the clock.
 *
 * Everything is derived from facts, the pinned policy and today's date, never stored: a late report of
 * a past event moves the anchor, and a final date already past makes the clock `overdue` at once.
 */
import { addPeriod, dayAfter, isAfter, isBefore, maxDate, minDate, subtractPeriod, type Period } from './dates';
import type { JourneyFacts } from './facts';
import type { Policy } from './policy';
import type { Clock, ClockName, LocalDate } from './types';
import { CLOCK_NAMES } from './vocabulary';

/** The legal periods; a policy cannot change these (journey-rules.md: "the legal ones are fixed"). */
export const LEGAL_PERIODS = {
  /** Inburgeringstermijn: Wi2013 art. 7 (seed §3.1.4, §3.1.6); Wi2021 art. 11. */
  inburgering: { years: 3 },
  /** Wi2013: the term is extended by 2 years when an alphabetisation course is followed (seed §3.1.4). */
  alphabetisationExtension: { years: 2 },
  /** Wi2013: the PVT within a year of registration at the new address (seed §3.1.5, §3.1.6). */
  participatieverklaringWi2013: { years: 1 },
  /** Wi2021: the PIP within 10 weeks (Besluit inburgering 2021 art. 5.3). */
  pip: { weeks: 10 },
  /** Family reunification on favourable conditions in the first 3 months after the permit (seed §3.3). */
  familyReunification: { months: 3 },
  /** Ontzorgen: 6 months of fixed costs paid from the benefit (Participatiewet art. 56a). */
  ontzorgen: { months: 6 },
} as const satisfies Record<string, Period>;

/**
 * Wi2013: the PVT is a mandatory part of the inburgering for those whose plicht started after
 * 1 October 2017 (seed §3.1.4). We take the permit date as the start of the plicht (art. 3 Wi2013), so a
 * permit on or after this date makes the PVT clock and the PVT part of "plicht met" apply.
 */
export const PVT_REQUIRED_FROM: LocalDate = '2017-10-01';

/** Service windows rather than deadlines: `running` until the final date, `ended` after it. */
export const WINDOW_CLOCKS = ['maatschappelijke-begeleiding', 'family-reunification', 'ontzorgen'] as const satisfies readonly ClockName[];

export function isWindowClock(name: ClockName): name is (typeof WINDOW_CLOCKS)[number] {
  return (WINDOW_CLOCKS as readonly ClockName[]).includes(name);
}

/** The contract's order of clocks; computeClocks lists them in this order. */
export const CLOCK_ORDER = CLOCK_NAMES;

export function pvtRequired(facts: JourneyFacts): boolean {
  return facts.regime === 'wi2021' || !isBefore(facts.permitGrantedOn, PVT_REQUIRED_FROM);
}

/** Wi2021: MAP is not part of the plicht on the onderwijsroute (nt2.nl, Divosa 2020). */
export function mapRequired(facts: JourneyFacts): boolean {
  return facts.regime === 'wi2021' && facts.leerroute !== 'onderwijs';
}

/**
 * The day the inburgeringsplicht was met, or undefined.
 * - Wi2013: the exam (inburgeringsexamen or staatsexamen NT2) is passed, and the PVT signed when it is
 *   part of the exam (plicht from 1 Oct 2017, seed §3.1.4). We treat "exam passed" as all DUO exam parts
 *   (A2 skills, KNM, ONA) passed; DUO reports it once.
 * - Wi2021: the leerroute result AND the PVT AND the MAP (not on the onderwijsroute) (Schulinck).
 * The plicht is met on the last of those dates.
 */
export function plichtMetOn(facts: JourneyFacts): LocalDate | undefined {
  const parts: Array<LocalDate | undefined> = [facts.examPassedOn];
  if (pvtRequired(facts)) parts.push(facts.participatieverklaringSignedOn);
  if (mapRequired(facts)) parts.push(facts.mapCompletedOn);
  const dates = parts.filter((d): d is LocalDate => d !== undefined);
  if (dates.length < parts.length) return undefined;
  const [first, ...rest] = dates as [LocalDate, ...LocalDate[]];
  return maxDate(first, ...rest);
}

export function isPlichtMet(facts: JourneyFacts): boolean {
  return plichtMetOn(facts) !== undefined;
}

/** Start of the inburgeringstermijn: Wi2013 the permit; Wi2021 the day after the first PIP. */
export function inburgeringStart(facts: JourneyFacts): LocalDate | undefined {
  if (facts.regime === 'wi2013') return facts.permitGrantedOn;
  return facts.pipEstablishedOn === undefined ? undefined : dayAfter(facts.pipEstablishedOn);
}

/**
 * Final date of the inburgeringstermijn. A granted extension's new final date replaces the computed
 * one. Otherwise Wi2013: permit + 3 years, + 2 more once alphabetisation has started (one 5-year count,
 * clamped once); Wi2021: the PIP date + 3 years, "the same calendar date three years on".
 */
export function inburgeringFinalDate(facts: JourneyFacts): LocalDate | undefined {
  if (facts.extensionFinalDate !== undefined) return facts.extensionFinalDate;
  if (facts.regime === 'wi2013') {
    const years = LEGAL_PERIODS.inburgering.years + (facts.alphabetisationStartedOn !== undefined ? LEGAL_PERIODS.alphabetisationExtension.years : 0);
    return addPeriod(facts.permitGrantedOn, { years });
  }
  return facts.pipEstablishedOn === undefined ? undefined : addPeriod(facts.pipEstablishedOn, LEGAL_PERIODS.inburgering);
}

// ---------------------------------------------------------------------------------------------
// Clock definitions, one table per regime.
// ---------------------------------------------------------------------------------------------

interface Settlement {
  status: 'met' | 'waived';
  on: LocalDate;
}

interface ClockDefinition {
  name: ClockName;
  start(facts: JourneyFacts): LocalDate | undefined;
  final(facts: JourneyFacts, start: LocalDate, policy: Policy): LocalDate;
  /** The milestone that meets it and the facts that waive it; the earlier settles it (a tie: met). */
  settle?(facts: JourneyFacts, start: LocalDate): Settlement | undefined;
}

function earliest(...dates: Array<LocalDate | undefined>): LocalDate | undefined {
  const known = dates.filter((d): d is LocalDate => d !== undefined);
  const [first, ...rest] = known;
  return first === undefined ? undefined : minDate(first, ...rest);
}

function settlement(metOn: LocalDate | undefined, waivedOn: LocalDate | undefined): Settlement | undefined {
  if (metOn !== undefined && (waivedOn === undefined || !isAfter(metOn, waivedOn))) return { status: 'met', on: metOn };
  return waivedOn === undefined ? undefined : { status: 'waived', on: waivedOn };
}

/**
 * Exemption (ontheffing, art. 6 Wi2013 / DUO under Wi2021) ends the inburgeringsplicht itself, so it
 * waives every clock whose only legal basis is that plicht: inburgering, PVT and MAP (parts of the
 * plicht) and, under Wi2021, the PIP (a plan "voor de inburgeringsplichtige", Wi2021 art. 14). It does
 * NOT waive the intake and re-integration clocks (Participatiewet: the bijstand duties stay) nor the
 * windows (services, not obligations; the contract gives windows only running/ended).
 */
const waivedByExemption = (facts: JourneyFacts): LocalDate | undefined => facts.exemptedOn;

const intake: ClockDefinition = {
  name: 'intake',
  start: (f) => f.bijstandAppliedOn,
  final: (_f, start, policy) => addPeriod(start, policy.periods.intake),
  settle: (f) => settlement(f.intakeHeldOn, undefined),
};

const reintegrationStart: ClockDefinition = {
  name: 'reintegration-start',
  start: (f) => f.intakeHeldOn,
  final: (_f, start, policy) => addPeriod(start, policy.periods.reintegrationStart),
  settle: (f) => settlement(f.reintegrationStartedOn, undefined),
};

const maatschappelijkeBegeleiding: ClockDefinition = {
  name: 'maatschappelijke-begeleiding',
  start: (f) => f.brpRegisteredOn,
  final: (_f, start, policy) => addPeriod(start, policy.periods.maatschappelijkeBegeleiding),
};

const familyReunification: ClockDefinition = {
  name: 'family-reunification',
  start: (f) => f.permitGrantedOn,
  final: (_f, start) => addPeriod(start, LEGAL_PERIODS.familyReunification),
};

/** The final date of a clock that shares the inburgeringstermijn (extension included). */
const sharedInburgeringFinal = (f: JourneyFacts, start: LocalDate): LocalDate => inburgeringFinalDate(f) ?? start;

const inburgering: ClockDefinition = {
  name: 'inburgering',
  start: inburgeringStart,
  final: sharedInburgeringFinal,
  settle: (f) => settlement(plichtMetOn(f), waivedByExemption(f)),
};

const WI2013: readonly ClockDefinition[] = [
  intake,
  {
    name: 'participatieverklaring',
    start: (f) => (pvtRequired(f) ? f.brpRegisteredOn : undefined),
    final: (_f, start) => addPeriod(start, LEGAL_PERIODS.participatieverklaringWi2013),
    settle: (f) => settlement(f.participatieverklaringSignedOn, waivedByExemption(f)),
  },
  inburgering,
  reintegrationStart,
  maatschappelijkeBegeleiding,
  familyReunification,
];

const WI2021: readonly ClockDefinition[] = [
  {
    name: 'pip',
    // The later of DUO's kennisgeving and BRP registration: unknown until both are known.
    start: (f) => (f.duoNotifiedOn !== undefined && f.brpRegisteredOn !== undefined ? maxDate(f.duoNotifiedOn, f.brpRegisteredOn) : undefined),
    final: (_f, start) => addPeriod(start, LEGAL_PERIODS.pip),
    settle: (f) => settlement(f.pipEstablishedOn, waivedByExemption(f)),
  },
  {
    name: 'participatieverklaring',
    start: inburgeringStart,
    final: sharedInburgeringFinal,
    settle: (f) => settlement(f.participatieverklaringSignedOn, waivedByExemption(f)),
  },
  inburgering,
  {
    name: 'map',
    start: inburgeringStart,
    final: sharedInburgeringFinal,
    settle: (f, start) => {
      // Not required on the onderwijsroute: waived from the day that route was chosen (not before the start).
      const notRequiredOn = !mapRequired(f) && f.leerrouteChosenOn !== undefined ? maxDate(f.leerrouteChosenOn, start) : undefined;
      return settlement(f.mapCompletedOn, earliest(waivedByExemption(f), notRequiredOn));
    },
  },
  reintegrationStart,
  maatschappelijkeBegeleiding,
  familyReunification,
  {
    name: 'ontzorgen',
    start: (f) => f.bijstandAppliedOn,
    final: (_f, start) => addPeriod(start, LEGAL_PERIODS.ontzorgen),
  },
];

/**
 * The streefdatum: the policy's lead before the final date, never before the start nor after the final
 * date. Windows have target = final.
 */
function targetDate(name: ClockName, start: LocalDate, final: LocalDate, policy: Policy): LocalDate {
  if (isWindowClock(name)) return final;
  const lead = policy.targetLeads[name];
  const target = subtractPeriod(final, lead);
  if (isBefore(target, start)) return isAfter(start, final) ? final : start;
  return target;
}

function computeClock(def: ClockDefinition, facts: JourneyFacts, policy: Policy, today: LocalDate): Clock | undefined {
  const startsOn = def.start(facts);
  if (startsOn === undefined) return undefined;
  const finalDate = def.final(facts, startsOn, policy);
  const clock: Clock = { name: def.name, status: 'running', startsOn, targetDate: targetDate(def.name, startsOn, finalDate, policy), finalDate };
  const settled = def.settle?.(facts, startsOn);
  if (settled) return { ...clock, status: settled.status, settledOn: settled.on };
  // The final date is the last day on time; from the next day on the clock is late (Europe/Amsterdam).
  if (isAfter(today, finalDate)) return { ...clock, status: isWindowClock(def.name) ? 'ended' : 'overdue' };
  return clock;
}

/** The clocks of a journey on `today`: a clock is listed once its start is known. */
export function computeClocks(facts: JourneyFacts, policy: Policy, today: LocalDate): Clock[] {
  const definitions = facts.regime === 'wi2013' ? WI2013 : WI2021;
  return definitions
    .map((def) => computeClock(def, facts, policy, today))
    .filter((c): c is Clock => c !== undefined)
    .sort((a, b) => CLOCK_ORDER.indexOf(a.name) - CLOCK_ORDER.indexOf(b.name));
}

/**
 * The next final date of a deadline still to be met (running or overdue; service windows are not
 * deadlines), for lists and search attributes: the earliest one, or undefined.
 */
export function nextFinalDate(clocks: readonly Clock[]): LocalDate | undefined {
  return clocks
    .filter((c) => (c.status === 'running' || c.status === 'overdue') && !isWindowClock(c.name))
    .map((c) => c.finalDate)
    .sort()[0];
}
