/**
 * The journey's phase, for lists and dashboards (a search attribute), derived, never stored.
 */
import { plichtMetOn } from './clocks';
import { isAfter } from './dates';
import type { JourneyFacts } from './facts';
import type { Clock, Phase } from './types';

/**
 * - `exempted`: DUO granted an exemption before the plicht was met.
 * - `plicht-met`: the inburgeringsplicht is fulfilled (see clocks.ts `plichtMetOn`).
 * - `inburgering`: the PIP (Wi2021) or plan of approach (Wi2013) is set; the tracks run in parallel.
 * - `intake`: the intake is due: the intake clock (Wi2013, from the bijstand application) or the PIP
 *   clock (Wi2021, from kennisgeving and registration) is listed, or an intake was already held.
 * - `arrival`: only the permit is known; waiting for registration, notification or an application.
 */
export function derivePhase(facts: JourneyFacts, clocks: readonly Clock[]): Phase {
  const metOn = plichtMetOn(facts);
  if (facts.exemptedOn !== undefined && (metOn === undefined || isAfter(metOn, facts.exemptedOn))) return 'exempted';
  if (metOn !== undefined) return 'plicht-met';
  if (facts.pipEstablishedOn !== undefined) return 'inburgering';
  const intakeClock = facts.regime === 'wi2013' ? 'intake' : 'pip';
  if (facts.intakeHeldOn !== undefined || clocks.some((c) => c.name === intakeClock)) return 'intake';
  return 'arrival';
}
