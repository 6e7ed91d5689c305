/**
 * The participatieladder (seed §3.2.3, Bijlage 2) and who takes a journey on each rung.
 */
import type { Policy } from './policy';
import type { Caseworker, CaseworkerRole, LadderRung } from './types';

export type Distance = 'short' | 'long';

/** The rungs as the seed names them (Bijlage 2). */
export const LADDER_RUNG_DESCRIPTIONS: Readonly<Record<LadderRung, string>> = {
  1: 'isolated',
  2: 'social contacts outside the home',
  3: 'takes part in organised activities',
  4: 'unpaid work',
  5: 'paid work with support',
  6: 'paid work',
};

/**
 * Distance to the labour market (Re-integratieverordening art. 1: short = can take part within one
 * year). Rungs 1-2 are long, 4-6 short; rung 3 sits in both caseloads (§4.1: sociaal werkers have
 * "1, 2 en soms 3", regisseurs "3 t/m 6"), so the policy decides; without a policy, long (the cautious
 * reading: the person gets the more supportive caseworker and the long-distance instruments).
 */
export function distanceForRung(rung: LadderRung, policy?: Pick<Policy, 'ladder'>): Distance {
  if (rung <= 2) return 'long';
  if (rung >= 4) return 'short';
  return policy?.ladder.rung3Distance ?? 'long';
}

/**
 * Long distance goes to the sociaal werker participatie, short to the regisseur werk (§3.2.3, §4.1).
 * A policy with a statushouder specialist keeps every journey with the specialist whatever the rung
 * (seed ch. 7 and Bijlage 7: one caseworker keeps the lead).
 */
export function routeForRung(rung: LadderRung, policy: Pick<Policy, 'ladder' | 'statushouderSpecialist'>): CaseworkerRole {
  if (policy.statushouderSpecialist) return 'statushouder-specialist';
  return distanceForRung(rung, policy) === 'long' ? 'sociaal-werker-participatie' : 'regisseur-werk';
}

/**
 * Who holds the journey after a ladder assessment: the team for the rung ({@link routeForRung}). The
 * assigned caseworker stays when the team does not change, and the journey goes back to the new team's
 * queue when it does (a sociaal werker does not keep a journey that moved to the regisseurs, §4.1).
 */
export function caseworkerAfterAssessment(current: Caseworker, rung: LadderRung, policy: Pick<Policy, 'ladder' | 'statushouderSpecialist'>): Caseworker {
  const role = routeForRung(rung, policy);
  return role === current.role && current.id !== undefined ? { role, id: current.id } : { role };
}
