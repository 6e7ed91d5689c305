/**
 * The Participatiewet track of a journey (api-contract.md, "Additions (v1.1)"): the bijstand
 * application, the college's decision, and the outflow.
 */
import { addPeriod, ageOn, type Period } from './dates';
import type { JourneyFacts } from './facts';
import type { Policy } from './policy';
import type { LocalDate } from './types';

/**
 * The decision on an application within 8 weeks (Awb art. 4:13(2): the Participatiewet sets no term of
 * its own). Weeks are exact: the Algemene termijnenwet does not move this date, the contract fixes it.
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
  const search = searchPeriodFor(facts, policy);
  const filedOn = search === undefined ? appliedOn : addPeriod(appliedOn, search);
  return addPeriod(filedOn, BIJSTAND_DECISION_PERIOD);
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
