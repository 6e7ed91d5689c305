/**
 * The clocks of the public contract, computed exactly per journey-rules.md "How the clocks of the
 * public contract are computed": an anchor fact, a period, a milestone that meets the clock.
 *
 * Everything is derived from facts, the pinned policy and today's date, never stored: a late report of
 * a past event moves the anchor, and a final date already past makes the clock `overdue` at once.
 */
import { addDays, addPeriod, dayAfter, daysBetween, isAfter, isBefore, maxDate, minDate, subtractPeriod, type Period } from './dates';
import type { JourneyFacts } from './facts';
import { freeingDiploma, hasV11Rules, hasV12Rules, inburgeringsplicht, plichtStartOn, type Inburgeringsplicht } from './inburgeringsplicht';
import { BIJSTAND_DECISION_PERIOD, bijstandClosedOn, bijstandDecisionTerm, searchPeriodFor } from './participatiewet';
import type { Policy } from './policy';
import { applyAlgemeneTermijnenwet } from './termijnenwet';
import type { Clock, ClockAdjustment, ClockBasis, ClockName, LocalDate } from './types';
import { CLOCK_NAMES } from './vocabulary';

/** The legal periods; a policy cannot change these (journey-rules.md: "the legal ones are fixed"). */
export const LEGAL_PERIODS = {
  /** Inburgeringstermijn: Wi2013 art. 7 (seed §3.1.4, §3.1.6); Wi2021 art. 11. */
  inburgering: { years: 3 },
  /** Wi2013: the term is extended by 2 years when an alphabetisation course is followed (seed §3.1.4). */
  alphabetisationExtension: { years: 2 },
  /** Wi2013: the PVT within a year of registration at the new address (seed §3.1.5, §3.1.6). */
  participatieverklaringWi2013: { years: 1 },
  /**
   * Wi2021: the PIP within 10 weeks (Besluit inburgering 2021, an algemene maatregel van bestuur). The
   * Algemene termijnenwet applies to it (v1.2): a term set in an AMvB (Atw art. 5), of at most 12 weeks
   * (art. 4), counted forwards (art. 1(2)); nothing in the Besluit excludes it (see clocks.ts statutoryTerm).
   */
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
  const parts: Array<LocalDate | undefined> = [languagePartMetOn(facts)];
  if (pvtRequired(facts)) parts.push(facts.participatieverklaringSignedOn);
  if (mapRequired(facts)) parts.push(facts.mapCompletedOn);
  const dates = parts.filter((d): d is LocalDate => d !== undefined);
  if (dates.length < parts.length) return undefined;
  const [first, ...rest] = dates as [LocalDate, ...LocalDate[]];
  return maxDate(first, ...rest);
}

/**
 * The day the language/exam part of the plicht was met: the exam passed or (v1.2) an NT2 diploma that does
 * not free from the plicht (a plicht from 2015 on: it counts as the staatsexamen, contract "Diplomas").
 */
export function languagePartMetOn(facts: JourneyFacts): LocalDate | undefined {
  const nt2 =
    hasV12Rules(facts) && facts.diploma === 'nt2' && facts.diplomaRecognisedOn !== undefined && freeingDiploma(facts) === undefined ? facts.diplomaRecognisedOn : undefined;
  if (nt2 === undefined) return facts.examPassedOn;
  return facts.examPassedOn === undefined ? nt2 : minDate(facts.examPassedOn, nt2);
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
 * Final date of the inburgeringstermijn (see {@link inburgeringTerm}): a granted extension's new final
 * date replaces the computed one; Wi2013 the plicht's start + 3 years (+ 2 for alphabetisation); Wi2021
 * the PIP date + 3 years, "the same calendar date three years on".
 */
export function inburgeringFinalDate(facts: JourneyFacts): LocalDate | undefined {
  return inburgeringTerm(facts)?.finalDate;
}

// ---------------------------------------------------------------------------------------------
// Clock definitions, one table per regime.
// ---------------------------------------------------------------------------------------------

interface Settlement {
  status: 'met' | 'waived' | 'ended';
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
  /** The v1.2 rules apply: the Algemene termijnenwet, the statutes' conditions (issue 22). */
  v12: boolean;
  plicht: Inburgeringsplicht;
  facts: JourneyFacts;
  today: LocalDate;
}

/** A final date and the changes made to the one the rule gives (contract v1.2 `basis.adjustments`). */
interface Term {
  finalDate: LocalDate;
  adjustments: ClockAdjustment[];
}

const plain = (finalDate: LocalDate): Term => ({ finalDate, adjustments: [] });

/** The fact a clock runs from, for its basis: an event type (or a field of the journey's start) and its date. */
interface Anchor {
  event: string;
  occurredOn: LocalDate;
}

interface ClockDefinition {
  name: ClockName;
  start(facts: JourneyFacts, ctx: ClockContext): LocalDate | undefined;
  /** The fact the start derives from (called only when the clock started). */
  anchor(facts: JourneyFacts, start: LocalDate, ctx: ClockContext): Anchor;
  /** The rule with its article, in words a caseworker reads. */
  rule(facts: JourneyFacts, ctx: ClockContext): string;
  final(facts: JourneyFacts, start: LocalDate, ctx: ClockContext): Term;
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

/** How a period reads in a rule ("8 weeks", "3 years"). */
function describePeriod(p: Period): string {
  const parts = (['years', 'months', 'weeks', 'days'] as const)
    .filter((unit) => (p[unit] ?? 0) !== 0)
    .map((unit) => `${p[unit]} ${p[unit] === 1 ? unit.slice(0, -1) : unit}`);
  return parts.length === 0 ? '0 days' : parts.join(' ');
}

/**
 * A statutory term of the Wi2021 or its Besluit (v1.2): the Algemene termijnenwet applies when the term
 * is at most 12 weeks / 3 months / 90 days (Atw art. 1, 4, 5); longer ones come back unchanged.
 */
function statutoryTerm(start: LocalDate, period: Period, ctx: ClockContext): Term {
  const end = addPeriod(start, period);
  if (!ctx.v12) return plain(end);
  const atw = applyAlgemeneTermijnenwet({ from: start, end, period });
  return { finalDate: atw.finalDate, adjustments: atw.adjustment === undefined ? [] : [atw.adjustment] };
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

/** The anchor of a clock that runs from one event's date. */
const fromEvent = (event: string) => (_f: JourneyFacts, start: LocalDate): Anchor => ({ event: `nl.koers.${event}`, occurredOn: start });

/** The anchor of the plicht's start: the permit, or a minor's 18th birthday (the plicht's own start). */
const plichtAnchor = (f: JourneyFacts, start: LocalDate): Anchor =>
  start === f.permitGrantedOn ? { event: 'permitGrantedOn', occurredOn: start } : { event: 'inburgeringsplicht.startsOn', occurredOn: start };

const intake: ClockDefinition = {
  name: 'intake',
  start: (f) => f.bijstandAppliedOn,
  anchor: fromEvent('bijstand.applied'),
  rule: (_f, ctx) => `${describePeriod(ctx.policy.periods.intake)} after the bijstand application (municipal policy ${ctx.policy.id}; seed §4.1)`,
  final: (_f, start, ctx) => plain(addPeriod(start, ctx.policy.periods.intake)),
  settle: (f, _start, ctx) => settlement(f.intakeHeldOn, bijstandWaiver(f, ctx)),
};

const reintegrationStart: ClockDefinition = {
  name: 'reintegration-start',
  start: (f) => f.intakeHeldOn,
  anchor: fromEvent('intake.held'),
  rule: (_f, ctx) => `${describePeriod(ctx.policy.periods.reintegrationStart)} after the intake (municipal policy ${ctx.policy.id}; seed Bijlage 7)`,
  final: (_f, start, ctx) => plain(addPeriod(start, ctx.policy.periods.reintegrationStart)),
  settle: (f, _start, ctx) => settlement(f.reintegrationStartedOn, bijstandWaiver(f, ctx)),
};

/**
 * v1.1: the college decides on a bijstand application within 8 weeks (Awb art. 4:13), after the search
 * period where the policy applies one (participatiewet.ts); met by a decision either way. v1.2: the
 * suspension of Awb art. 4:15 and the Algemene termijnenwet (participatiewet.ts bijstandDecisionTerm).
 */
const bijstandDecision: ClockDefinition = {
  name: 'bijstand-decision',
  start: (f, ctx) => (ctx.v11 ? f.bijstandAppliedOn : undefined),
  anchor: fromEvent('bijstand.applied'),
  rule: (f, ctx) =>
    searchPeriodFor(f, ctx.policy) === undefined
      ? `${describePeriod(BIJSTAND_DECISION_PERIOD)} (Awb art. 4:13)`
      : `${describePeriod(BIJSTAND_DECISION_PERIOD)} (Awb art. 4:13) after the ${describePeriod(searchPeriodFor(f, ctx.policy) ?? {})} search period (Participatiewet art. 41(4))`,
  final: (f, start, ctx) => bijstandDecisionTerm(f, start, ctx.policy),
  settle: (f) => settlement(f.bijstandDecidedOn, undefined),
};

const maatschappelijkeBegeleiding: ClockDefinition = {
  name: 'maatschappelijke-begeleiding',
  start: (f) => f.brpRegisteredOn,
  anchor: fromEvent('brp.registered'),
  rule: (_f, ctx) => `${describePeriod(ctx.policy.periods.maatschappelijkeBegeleiding)} of begeleiding from the registration (municipal policy ${ctx.policy.id}; seed §3.1.7)`,
  final: (_f, start, ctx) => plain(addPeriod(start, ctx.policy.periods.maatschappelijkeBegeleiding)),
};

const familyReunification: ClockDefinition = {
  name: 'family-reunification',
  start: (f) => f.permitGrantedOn,
  anchor: (_f, start) => ({ event: 'permitGrantedOn', occurredOn: start }),
  rule: () => `${describePeriod(LEGAL_PERIODS.familyReunification)} after the permit, on favourable conditions (seed §3.3)`,
  final: (_f, start) => plain(addPeriod(start, LEGAL_PERIODS.familyReunification)),
};

/**
 * The inburgeringstermijn with its adjustments: Wi2013 the plicht's start + 3 years (art. 7(1)), + 2 years
 * once for an alphabetisation course (art. 7(3)(b): under the v1.2 rules only when the course started
 * on or before the day the term expires); a DUO extension sets the final date; Wi2021 the first PIP + 3
 * years (art. 11). Years: the Algemene termijnenwet never applies (art. 4).
 */
export function inburgeringTerm(facts: JourneyFacts): Term | undefined {
  const v12 = hasV12Rules(facts);
  let base: LocalDate;
  const adjustments: ClockAdjustment[] = [];
  if (facts.regime === 'wi2013') {
    base = addPeriod(plichtStart(facts), LEGAL_PERIODS.inburgering);
    const alpha = facts.alphabetisationStartedOn;
    if (alpha !== undefined && (!v12 || !isAfter(alpha, base))) {
      const to = addPeriod(plichtStart(facts), { years: LEGAL_PERIODS.inburgering.years + LEGAL_PERIODS.alphabetisationExtension.years });
      adjustments.push({ kind: 'alphabetisation', days: daysBetween(base, to), from: base, to, reason: `alphabetisation course started on ${alpha}, before the term expired`, source: 'Wi2013 art. 7(3)(b)' });
    }
  } else {
    const pip = termPipDate(facts);
    if (pip === undefined) return undefined;
    base = addPeriod(pip, LEGAL_PERIODS.inburgering);
  }
  const computed = adjustments.length > 0 ? (adjustments[adjustments.length - 1] as ClockAdjustment).to ?? base : base;
  if (facts.extensionFinalDate === undefined) return { finalDate: computed, adjustments };
  const grant = facts.extensions[facts.extensions.length - 1];
  // The article only: the page says "door DUO verlengd" / "gecorrigeerd" in its own language (web/messages.ts basis.*).
  const decision = facts.regime === 'wi2013' ? 'Wi2013 art. 7(3)' : 'Wi2021 art. 12';
  // A partner's extension lies after the term (domain/admission.ts); a date before it can only be set by an
  // admin's correction (contract v1.2), and the basis must not call a shorter term an extension.
  const shortened = isBefore(facts.extensionFinalDate, computed);
  return {
    finalDate: facts.extensionFinalDate,
    adjustments: [
      ...adjustments,
      {
        kind: shortened ? 'correction' : 'extension',
        days: daysBetween(computed, facts.extensionFinalDate),
        from: computed,
        to: facts.extensionFinalDate,
        reason: shortened
          ? `the term was set to ${facts.extensionFinalDate}, before the ${computed} the law gives (a corrected DUO decision)`
          : `DUO extended the term${grant !== undefined ? ` on ${grant.grantedOn}` : ''} to ${facts.extensionFinalDate}`,
        source: decision,
      },
    ],
  };
}

/** The final date of a clock that shares the inburgeringstermijn (extension included). */
const sharedInburgeringFinal = (f: JourneyFacts, start: LocalDate): Term => inburgeringTerm(f) ?? plain(start);

/** The anchor of the clocks that share the inburgeringstermijn. */
const inburgeringAnchor = (f: JourneyFacts, start: LocalDate): Anchor =>
  f.regime === 'wi2013' ? plichtAnchor(f, start) : { event: 'nl.koers.pip.established', occurredOn: termPipDate(f) ?? start };

const inburgeringRule = (f: JourneyFacts): string =>
  f.regime === 'wi2013'
    ? `${describePeriod(LEGAL_PERIODS.inburgering)} from the start of the plicht (Wi2013 art. 7(1))`
    : `${describePeriod(LEGAL_PERIODS.inburgering)} from the day after the first PIP; a PIP changed or set again does not move it (Wi2021 art. 11)`;

const inburgering: ClockDefinition = {
  name: 'inburgering',
  start: inburgeringStart,
  anchor: inburgeringAnchor,
  rule: inburgeringRule,
  final: sharedInburgeringFinal,
  settle: (f, _start, ctx) => settlement(plichtMetOn(f), plichtWaiver(f, ctx)),
};

const WI2013: readonly ClockDefinition[] = [
  intake,
  {
    name: 'participatieverklaring',
    // A minor registered before the plicht starts: the PVT year runs from the start of the plicht.
    start: (f, ctx) => (pvtRequired(f) && f.brpRegisteredOn !== undefined ? (ctx.v11 ? maxDate(f.brpRegisteredOn, plichtStart(f)) : f.brpRegisteredOn) : undefined),
    anchor: (f, start) => (start === f.brpRegisteredOn ? { event: 'nl.koers.brp.registered', occurredOn: start } : plichtAnchor(f, start)),
    rule: () => `${describePeriod(LEGAL_PERIODS.participatieverklaringWi2013)} from the registration at the new address (seed §3.1.5, §3.1.6)`,
    final: (_f, start) => plain(addPeriod(start, LEGAL_PERIODS.participatieverklaringWi2013)),
    settle: (f, _start, ctx) => settlement(f.participatieverklaringSignedOn, plichtWaiver(f, ctx)),
  },
  inburgering,
  reintegrationStart,
  maatschappelijkeBegeleiding,
  familyReunification,
  bijstandDecision,
];

/**
 * v1.2: ontzorgen (Participatiewet art. 56a) is for an inburgeringsplichtige asielstatushouder with a
 * right to bijstand: listed only while the person is (or was) obliged, from the application while the
 * right is pending or granted; waived by a refusal; ended on the day bijstand ends if that comes first.
 */
const ontzorgen: ClockDefinition = {
  name: 'ontzorgen',
  start: (f, ctx) => (!ctx.v12 || ctx.plicht.status === 'plichtig' || ctx.plicht.freedOn !== undefined ? f.bijstandAppliedOn : undefined),
  anchor: fromEvent('bijstand.applied'),
  rule: () => `${describePeriod(LEGAL_PERIODS.ontzorgen)} from the bijstand application while the right to bijstand lasts (Participatiewet art. 56a)`,
  // Ended on the day bijstand ends when that comes first: the window's last day is that day.
  final: (f, start, ctx) => {
    const window = addPeriod(start, LEGAL_PERIODS.ontzorgen);
    return plain(ctx.v12 && f.bijstandEndedOn !== undefined && isBefore(f.bijstandEndedOn, window) ? maxDate(f.bijstandEndedOn, start) : window);
  },
  settle: (f, start, ctx) => {
    if (!ctx.v12) return undefined;
    if (f.bijstandEndedOn !== undefined && isBefore(f.bijstandEndedOn, addPeriod(start, LEGAL_PERIODS.ontzorgen))) {
      return { status: 'ended', on: maxDate(f.bijstandEndedOn, start), reason: `bijstand ended on ${f.bijstandEndedOn} (Participatiewet art. 56a)` };
    }
    if (f.bijstandDecision === 'refused' && f.bijstandDecidedOn !== undefined && f.bijstandEndedOn === undefined) {
      return { status: 'waived', on: maxDate(f.bijstandDecidedOn, start), reason: `no right to bijstand: refused on ${f.bijstandDecidedOn} (Participatiewet art. 56a)` };
    }
    return undefined;
  },
};

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
    anchor: (f, start) =>
      start === f.brpRegisteredOn && !isAfter(f.duoNotifiedOn ?? start, start)
        ? { event: 'nl.koers.brp.registered', occurredOn: start }
        : start === f.duoNotifiedOn
          ? { event: 'nl.koers.duo.notified', occurredOn: start }
          : plichtAnchor(f, start),
    rule: () => `${describePeriod(LEGAL_PERIODS.pip)} from DUO's kennisgeving or the registration, the later (Besluit inburgering 2021)`,
    // The 10 weeks are a term of an AMvB of at most 12 weeks: the Atw applies (art. 4, 5; see LEGAL_PERIODS.pip).
    final: (_f, start, ctx) => statutoryTerm(start, LEGAL_PERIODS.pip, ctx),
    settle: (f, _start, ctx) => settlement(f.pipEstablishedOn, plichtWaiver(f, ctx)),
  },
  {
    name: 'participatieverklaring',
    start: inburgeringStart,
    anchor: inburgeringAnchor,
    rule: (f) => `within the inburgeringstermijn: ${inburgeringRule(f)}`,
    final: sharedInburgeringFinal,
    settle: (f, _start, ctx) => settlement(f.participatieverklaringSignedOn, plichtWaiver(f, ctx)),
  },
  inburgering,
  {
    name: 'map',
    start: inburgeringStart,
    anchor: inburgeringAnchor,
    rule: (f) => `within the inburgeringstermijn, not on the onderwijsroute: ${inburgeringRule(f)}`,
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
  ontzorgen,
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
  const { finalDate, adjustments } = def.final(facts, startsOn, ctx);
  const basis: ClockBasis = { anchor: def.anchor(facts, startsOn, ctx), rule: def.rule(facts, ctx), adjustments };
  const clock: Clock = { name: def.name, status: 'running', startsOn, targetDate: targetDate(def.name, startsOn, finalDate, policy), finalDate, basis };
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
  const ctx: ClockContext = { policy, v11: hasV11Rules(facts), v12: hasV12Rules(facts), plicht: inburgeringsplicht(facts, today), facts, today };
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
