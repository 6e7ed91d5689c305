/**
 * The Participatiewet track of a journey (api-contract.md, "Additions (v1.1)"): the bijstand
 * application, the college's decision, and the outflow.
 */
import { addDays, addPeriod, ageOn, daysBetween, isAfter, isBefore, maxDate, type Period } from './dates';
import type { JourneyFacts } from './facts';
import { hasV12Rules } from './inburgeringsplicht';
import type { Policy } from './policy';
import { applyAlgemeneTermijnenwet } from './termijnenwet';
import type { ClockAdjustment, LocalDate } from './types';

/**
 * The decision on an application within 8 weeks (Awb art. 4:13(2): the Participatiewet sets no term of
 * its own). Weeks are exact; under the v1.2 rules the Algemene termijnenwet applies to the result (a
 * term set in a wet, of at most 12 weeks: Atw art. 1, 4), after any suspension (Awb art. 4:15).
 */
export const BIJSTAND_DECISION_PERIOD = { weeks: 8 } as const satisfies Period;

/** Participatiewet art. 41(4): the search period is for applicants younger than 27. */
export const SEARCH_PERIOD_UNDER_AGE = 27;

/**
 * - `none`: never applied;
 * - `pending`: applied, no decision yet;
 * - `refused`: the application was refused;
 * - `running`: granted, the right has not ended;
 * - `ended`: granted and ended (the outflow).
 * An end reported without a decision counts as ended: the right existed and is over.
 */
export type BijstandStatus = 'none' | 'pending' | 'refused' | 'running' | 'ended';

export function bijstandStatus(facts: JourneyFacts): BijstandStatus {
  if (facts.bijstandEndedOn !== undefined) return 'ended';
  if (facts.bijstandDecision === 'refused') return 'refused';
  if (facts.bijstandDecision === 'granted') return 'running';
  return facts.bijstandAppliedOn === undefined ? 'none' : 'pending';
}

/** True while bijstand is pending or running: the Participatiewet track still has something to do. */
export function bijstandOpen(facts: JourneyFacts): boolean {
  const status = bijstandStatus(facts);
  return status === 'pending' || status === 'running';
}

/**
 * The search period that applies to this application: the policy's period (Participatiewet art. 41(4),
 * a municipal choice since the Participatiewet in balans) for an applicant younger than 27 on the day
 * of the application; undefined otherwise (no policy period, age unknown, 27 or older).
 */
export function searchPeriodFor(facts: JourneyFacts, policy: Policy): Period | undefined {
  const period = policy.participatiewet?.searchPeriodUnder27;
  if (period === undefined || facts.bijstandAppliedOn === undefined || facts.birthDate === undefined) return undefined;
  return ageOn(facts.birthDate, facts.bijstandAppliedOn) < SEARCH_PERIOD_UNDER_AGE ? period : undefined;
}

/**
 * The last day for the decision on the application reported on `appliedOn`: + 8 weeks (Awb art. 4:13),
 * counted from the end of the search period where one applies (a young person can file the application
 * itself only after searching for 4 weeks, Participatiewet art. 41(4)).
 */
export function bijstandDecisionFinalDate(facts: JourneyFacts, appliedOn: LocalDate, policy: Policy): LocalDate {
  return bijstandDecisionTerm(facts, appliedOn, policy).finalDate;
}

/** A stretch of days the decision term stood still (Awb art. 4:15), both ends included. */
export interface Suspension {
  from: LocalDate;
  until: LocalDate;
}

/**
 * The suspensions of the decision term (Awb art. 4:15(1)(a)), v1.2: each request to complete the
 * application suspends the term from the day after the request until the day the application was
 * completed, or the day given to respond if no completion came by then (the time given passed unused).
 * A request still open counts until its `respondBy` at the latest. Overlapping stretches are merged, so
 * a day is never counted twice; the order in which requests and completions arrive never matters.
 */
export function bijstandSuspensions(facts: Pick<JourneyFacts, 'completionRequests' | 'completedOn' | 'bijstandAppliedOn'>): Suspension[] {
  const stretches = (facts.completionRequests ?? [])
    .filter((r) => facts.bijstandAppliedOn === undefined || !isBefore(r.on, facts.bijstandAppliedOn))
    .map((r) => {
      const completed = (facts.completedOn ?? []).find((d) => !isBefore(d, r.on));
      const until = completed !== undefined && !isAfter(completed, r.respondBy) ? completed : r.respondBy;
      return { from: addDays(r.on, 1), until };
    })
    .filter((s) => !isAfter(s.from, s.until));
  const merged: Suspension[] = [];
  for (const s of stretches) {
    const last = merged[merged.length - 1];
    if (last !== undefined && !isAfter(s.from, addDays(last.until, 1))) last.until = maxDate(last.until, s.until);
    else merged.push({ ...s });
  }
  return merged;
}

/**
 * The decision term with how it was computed: the application (after the search period where one
 * applies) + 8 weeks (Awb art. 4:13); under the v1.2 rules + the suspended days that fall within the
 * term (Awb art. 4:15), then the Algemene termijnenwet on the result.
 */
export function bijstandDecisionTerm(facts: JourneyFacts, appliedOn: LocalDate, policy: Policy): { finalDate: LocalDate; adjustments: ClockAdjustment[] } {
  const search = searchPeriodFor(facts, policy);
  const filedOn = search === undefined ? appliedOn : addPeriod(appliedOn, search);
  const end = addPeriod(filedOn, BIJSTAND_DECISION_PERIOD);
  if (!hasV12Rules(facts)) return { finalDate: end, adjustments: [] };
  const adjustments: ClockAdjustment[] = [];
  let finalDate = end;
  for (const s of bijstandSuspensions(facts)) {
    // Only days on which the term was still running stand still: a stretch after the final date (as
    // extended so far) does not revive it.
    if (isAfter(s.from, finalDate)) continue;
    const days = daysBetween(s.from, s.until) + 1;
    const to = addDays(finalDate, days);
    adjustments.push({
      kind: 'suspension',
      days,
      from: finalDate,
      to,
      reason: `suspended from ${s.from} to ${s.until} while the application was being completed`,
      source: 'Awb art. 4:15(1)(a)',
    });
    finalDate = to;
  }
  const atw = applyAlgemeneTermijnenwet({ from: filedOn, end: finalDate, period: BIJSTAND_DECISION_PERIOD });
  if (atw.adjustment !== undefined) adjustments.push(atw.adjustment);
  return { finalDate: atw.finalDate, adjustments };
}

/** The day the Participatiewet duties (intake, re-integration) lapse: bijstand refused or ended. */
export function bijstandClosedOn(facts: JourneyFacts): { on: LocalDate; reason: string } | undefined {
  if (facts.bijstandEndedOn !== undefined) {
    return { on: facts.bijstandEndedOn, reason: `bijstand ended${facts.outflowReason ? ` (${facts.outflowReason})` : ''} on ${facts.bijstandEndedOn}` };
  }
  if (facts.bijstandDecision === 'refused' && facts.bijstandDecidedOn !== undefined) {
    return { on: facts.bijstandDecidedOn, reason: `bijstand refused on ${facts.bijstandDecidedOn}` };
  }
  return undefined;
}
