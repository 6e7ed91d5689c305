/**
 * The clocks of the public contract, computed exactly per journey-rules.md "How the clocks of the
 * public contract are computed": an anchor fact, a period, a milestone that meets the clock.
 *
 * Everything is derived from facts, the pinned policy and today's date, never stored: a late report of
 * a past event moves the anchor, and a final date already past makes the clock `overdue` at once.
 */
import { addDays, addPeriod, dayAfter, isAfter, isBefore, maxDate, subtractPeriod, type Period } from './dates';
import type { JourneyFacts } from './facts';
import { hasV11Rules, inburgeringsplicht, plichtStartOn, type Inburgeringsplicht } from './inburgeringsplicht';
import { bijstandClosedOn, bijstandDecisionFinalDate } from './participatiewet';
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

/**
 * The clocks that exist only for an inburgeringsplichtige (contract v1.1): not listed for a person the
 * law does not oblige, and for a minor not before the plicht starts.
 */
export const PLICHT_CLOCKS = ['pip', 'participatieverklaring', 'inburgering', 'map'] as const satisfies readonly ClockName[];

export function isPlichtClock(name: ClockName): name is (typeof PLICHT_CLOCKS)[number] {
  return (PLICHT_CLOCKS as readonly ClockName[]).includes(name);
}

/**
 * The day the plicht started as the clocks count it: under the v1.1 rules the start of the plicht
 * itself (a minor's 18th birthday, inburgeringsplicht.ts); journeys on the earlier rules took the permit.
 */
function plichtStart(facts: JourneyFacts): LocalDate {
  return hasV11Rules(facts) ? plichtStartOn(facts) : facts.permitGrantedOn;
}

export function pvtRequired(facts: JourneyFacts): boolean {
  return facts.regime === 'wi2021' || !isBefore(plichtStart(facts), PVT_REQUIRED_FROM);
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

/**
 * Start of the inburgeringstermijn: Wi2013 the start of the plicht (the permit, or a minor's 18th
 * birthday: the term runs from the day the plicht arose, art. 7 Wi2013); Wi2021 the day after the first PIP.
 */
export function inburgeringStart(facts: JourneyFacts): LocalDate | undefined {
  if (facts.regime === 'wi2013') return plichtStart(facts);
  const pip = termPipDate(facts);
  return pip === undefined ? undefined : dayAfter(pip);
}

/**
 * Wi2021: the PIP date the term counts from. Under the v1.1 rules a PIP dated before a minor's plicht
 * started counts as if set the day before the plicht started: the term cannot run before the plicht.
 */
function termPipDate(facts: JourneyFacts): LocalDate | undefined {
  if (facts.pipEstablishedOn === undefined) return undefined;
  return hasV11Rules(facts) ? maxDate(facts.pipEstablishedOn, addDays(plichtStartOn(facts), -1)) : facts.pipEstablishedOn;
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
    return addPeriod(plichtStart(facts), { years });
  }
  const pip = termPipDate(facts);
  return pip === undefined ? undefined : addPeriod(pip, LEGAL_PERIODS.inburgering);
}

// ---------------------------------------------------------------------------------------------
// Clock definitions, one table per regime.
// ---------------------------------------------------------------------------------------------

interface Settlement {
  status: 'met' | 'waived';
  on: LocalDate;
  reason?: string;
}

/** A fact that waives a clock, and why. */
interface Waiver {
  on: LocalDate;
  reason: string;
}

/** What every clock of a journey may look at besides the facts, computed once per evaluation. */
interface ClockContext {
  policy: Policy;
  /** The v1.1 rules apply (facts.ts `rules`). */
  v11: boolean;
  plicht: Inburgeringsplicht;
  facts: JourneyFacts;
  today: LocalDate;
}

interface ClockDefinition {
  name: ClockName;
  start(facts: JourneyFacts, ctx: ClockContext): LocalDate | undefined;
  final(facts: JourneyFacts, start: LocalDate, policy: Policy): LocalDate;
  /** The milestone that meets it and the facts that waive it; the earlier settles it (a tie: met). */
  settle?(facts: JourneyFacts, start: LocalDate, ctx: ClockContext): Settlement | undefined;
}

function earliestWaiver(...waivers: Array<Waiver | undefined>): Waiver | undefined {
  return waivers.reduce<Waiver | undefined>((acc, w) => (w === undefined || (acc !== undefined && !isBefore(w.on, acc.on)) ? acc : w), undefined);
}

function settlement(metOn: LocalDate | undefined, waiver: Waiver | undefined): Settlement | undefined {
  if (metOn !== undefined && (waiver === undefined || !isAfter(metOn, waiver.on))) return { status: 'met', on: metOn };
  return waiver === undefined ? undefined : { status: 'waived', on: waiver.on, reason: waiver.reason };
}

/**
 * Exemption (ontheffing, art. 6 Wi2013 / DUO under Wi2021) ends the inburgeringsplicht itself, so it
 * waives every clock whose only legal basis is that plicht: inburgering, PVT and MAP (parts of the
 * plicht) and, under Wi2021, the PIP (a plan "voor de inburgeringsplichtige", Wi2021 art. 14). It does
 * NOT waive the intake and re-integration clocks (Participatiewet: the bijstand duties stay) nor the
 * windows (services, not obligations; the contract gives windows only running/ended).
 */
const exemption = (facts: JourneyFacts): Waiver | undefined =>
  facts.exemptedOn === undefined
    ? undefined
    : { on: facts.exemptedOn, reason: `exemption (ontheffing) granted on ${facts.exemptedOn} (${facts.regime === 'wi2013' ? 'Wi2013 art. 6' : 'Wi2021 art. 4'})` };

/**
 * What waives a clock of the plicht: the exemption, or (v1.1) being freed from the plicht after it
 * started, by a diploma (inburgeringsplicht.ts); the earlier counts.
 */
const plichtWaiver = (facts: JourneyFacts, ctx: ClockContext): Waiver | undefined =>
  earliestWaiver(exemption(facts), !ctx.v11 || ctx.plicht.freedOn === undefined ? undefined : { on: ctx.plicht.freedOn, reason: ctx.plicht.reason });

/**
 * v1.1: the Participatiewet duties of the municipality (intake, start of re-integration) lapse when the
 * application is refused or the right to bijstand ends (the outflow): nothing left to do for them.
 */
const bijstandWaiver = (facts: JourneyFacts, ctx: ClockContext): Waiver | undefined => (ctx.v11 ? bijstandClosedOn(facts) : undefined);

const intake: ClockDefinition = {
  name: 'intake',
  start: (f) => f.bijstandAppliedOn,
  final: (_f, start, policy) => addPeriod(start, policy.periods.intake),
  settle: (f, _start, ctx) => settlement(f.intakeHeldOn, bijstandWaiver(f, ctx)),
};

const reintegrationStart: ClockDefinition = {
  name: 'reintegration-start',
  start: (f) => f.intakeHeldOn,
  final: (_f, start, policy) => addPeriod(start, policy.periods.reintegrationStart),
  settle: (f, _start, ctx) => settlement(f.reintegrationStartedOn, bijstandWaiver(f, ctx)),
};

/**
 * v1.1: the college decides on a bijstand application within 8 weeks (Awb art. 4:13), after the search
 * period where the policy applies one (participatiewet.ts); met by a decision either way.
 */
const bijstandDecision: ClockDefinition = {
  name: 'bijstand-decision',
  start: (f, ctx) => (ctx.v11 ? f.bijstandAppliedOn : undefined),
  final: (f, start, policy) => bijstandDecisionFinalDate(f, start, policy),
  settle: (f) => settlement(f.bijstandDecidedOn, undefined),
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
  settle: (f, _start, ctx) => settlement(plichtMetOn(f), plichtWaiver(f, ctx)),
};

const WI2013: readonly ClockDefinition[] = [
  intake,
  {
    name: 'participatieverklaring',
    // A minor registered before the plicht starts: the PVT year runs from the start of the plicht.
    start: (f, ctx) => (pvtRequired(f) && f.brpRegisteredOn !== undefined ? (ctx.v11 ? maxDate(f.brpRegisteredOn, plichtStart(f)) : f.brpRegisteredOn) : undefined),
    final: (_f, start) => addPeriod(start, LEGAL_PERIODS.participatieverklaringWi2013),
    settle: (f, _start, ctx) => settlement(f.participatieverklaringSignedOn, plichtWaiver(f, ctx)),
  },
  inburgering,
  reintegrationStart,
  maatschappelijkeBegeleiding,
  familyReunification,
  bijstandDecision,
];

const WI2021: readonly ClockDefinition[] = [
  {
    name: 'pip',
    // The later of DUO's kennisgeving and BRP registration: unknown until both are known; never before
    // the plicht starts (v1.1: a minor's kennisgeving sent early does not start it).
    start: (f, ctx) => {
      if (f.duoNotifiedOn === undefined || f.brpRegisteredOn === undefined) return undefined;
      const later = maxDate(f.duoNotifiedOn, f.brpRegisteredOn);
      return ctx.v11 ? maxDate(later, plichtStart(f)) : later;
    },
    final: (_f, start) => addPeriod(start, LEGAL_PERIODS.pip),
    settle: (f, _start, ctx) => settlement(f.pipEstablishedOn, plichtWaiver(f, ctx)),
  },
  {
    name: 'participatieverklaring',
    start: inburgeringStart,
    final: sharedInburgeringFinal,
    settle: (f, _start, ctx) => settlement(f.participatieverklaringSignedOn, plichtWaiver(f, ctx)),
  },
  inburgering,
  {
    name: 'map',
    start: inburgeringStart,
    final: sharedInburgeringFinal,
    settle: (f, start, ctx) => {
      // Not required on the onderwijsroute: waived from the day that route was chosen (not before the start).
      const notRequired =
        !mapRequired(f) && f.leerrouteChosenOn !== undefined
          ? { on: maxDate(f.leerrouteChosenOn, start), reason: 'not part of the plicht on the onderwijsroute (Divosa 2020)' }
          : undefined;
      return settlement(f.mapCompletedOn, earliestWaiver(plichtWaiver(f, ctx), notRequired));
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
  bijstandDecision,
];

/**
 * The streefdatum: the policy's lead before the final date, never before the start nor after the final
 * date. Windows have target = final.
 */
/** The streefdatum lead of `bijstand-decision` when the policy sets none: 2 weeks before the final date. */
export const DEFAULT_BIJSTAND_DECISION_LEAD = { weeks: 2 } as const satisfies Period;

function targetDate(name: ClockName, start: LocalDate, final: LocalDate, policy: Policy): LocalDate {
  if (isWindowClock(name)) return final;
  const lead = name === 'bijstand-decision' ? (policy.targetLeads['bijstand-decision'] ?? DEFAULT_BIJSTAND_DECISION_LEAD) : policy.targetLeads[name];
  const target = subtractPeriod(final, lead);
  if (isBefore(target, start)) return isAfter(start, final) ? final : start;
  return target;
}

function computeClock(def: ClockDefinition, facts: JourneyFacts, ctx: ClockContext, today: LocalDate): Clock | undefined {
  const { policy } = ctx;
  const startsOn = def.start(facts, ctx);
  if (startsOn === undefined) return undefined;
  const finalDate = def.final(facts, startsOn, policy);
  const clock: Clock = { name: def.name, status: 'running', startsOn, targetDate: targetDate(def.name, startsOn, finalDate, policy), finalDate };
  const settled = def.settle?.(facts, startsOn, ctx);
  if (settled) return { ...clock, status: settled.status, settledOn: settled.on, ...(settled.reason !== undefined ? { reason: settled.reason } : {}) };
  return clockOn(clock, today);
}

/**
 * A clock's status on `today` from its own dates: a running clock whose final date has passed is
 * `overdue` (a service window `ended`); settled ones stay as they are. The final date is the last day on
 * time; from the next day on the clock is late (Europe/Amsterdam). The workflow computes clocks with it,
 * and the API applies it to a stored clock (the read model), so a clock turns overdue at midnight
 * without any event or write.
 */
export function clockOn(clock: Clock, today: LocalDate): Clock {
  if ((clock.status === 'running' || clock.status === 'overdue' || clock.status === 'ended') && isAfter(today, clock.finalDate)) {
    return { ...clock, status: isWindowClock(clock.name) ? 'ended' : 'overdue' };
  }
  return clock;
}

/**
 * The legal deadlines among the clocks (service windows are not deadlines), each open while it can still
 * be missed (running or overdue); for the read model's "deadlines in a window" and "overdue" in SQL.
 */
export function deadlinesOf(clocks: readonly Clock[]): Array<{ clock: ClockName; finalDate: LocalDate; open: boolean }> {
  return clocks.filter((c) => !isWindowClock(c.name)).map((c) => ({ clock: c.name, finalDate: c.finalDate, open: c.status === 'running' || c.status === 'overdue' }));
}

/**
 * Whether the plicht's clocks are listed on `today` (v1.1): not for a person the law never obliged,
 * not before a minor's plicht starts; once obliged they stay listed (a later diploma waives them).
 */
function plichtClocksListed(ctx: ClockContext): boolean {
  if (!ctx.v11) return true;
  if (ctx.plicht.status === 'not-yet') return false;
  return ctx.plicht.status === 'plichtig' || (ctx.plicht.freedOn !== undefined && !isBefore(ctx.today, plichtStartOn(ctx.facts)));
}

/**
 * The clocks of a journey on `today`: a clock is listed once its start is known; the plicht's clocks
 * only while the person is (or was) obliged (contract v1.1, inburgeringsplicht.ts).
 */
export function computeClocks(facts: JourneyFacts, policy: Policy, today: LocalDate): Clock[] {
  const definitions = facts.regime === 'wi2013' ? WI2013 : WI2021;
  const ctx: ClockContext = { policy, v11: hasV11Rules(facts), plicht: inburgeringsplicht(facts, today), facts, today };
  const listPlicht = plichtClocksListed(ctx);
  return definitions
    .filter((def) => listPlicht || !isPlichtClock(def.name))
    .map((def) => computeClock(def, facts, ctx, today))
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
