/**
 * The journey's phase, for lists and dashboards (a search attribute), derived, never stored.
 */
import { plichtMetOn } from './clocks';
import { isAfter } from './dates';
import type { JourneyFacts } from './facts';
import { hasV11Rules, hasV12Rules, inburgeringsplicht } from './inburgeringsplicht';
import type { Clock, LocalDate, Phase } from './types';

/**
 * - `exempted`: DUO granted an exemption before the plicht was met.
 * - `plicht-met`: the inburgeringsplicht is fulfilled (see clocks.ts `plichtMetOn`).
 * - `inburgering`: the PIP (Wi2021) or plan of approach (Wi2013) is set; the tracks run in parallel.
 * - `intake`: the intake is due: the intake clock (Wi2013, from the bijstand application) or the PIP
 *   clock (Wi2021, from kennisgeving and registration) is listed, or an intake was already held.
 * - `arrival`: only the permit is known; waiting for registration, notification or an application. Under
 *   the v1.2 rules not for Wi2013: its inburgeringstermijn runs from the start of the plicht itself
 *   (Wi2013 art. 7(1)), with no plan needed, so a Wi2013 person is in `inburgering` from then on (issue 21:
 *   people five years past their permit stood in "aankomst").
 * - `not-plichtig` (v1.1): nothing of the inburgering applies: the person is not obliged (never, or freed
 *   by a diploma before the plicht was met or an exemption granted), or is a minor whose plicht has not
 *   started on `today` (contract v1.1). Without `today` the permit date is used, so a minor counts as
 *   not yet obliged.
 */
export function derivePhase(facts: JourneyFacts, clocks: readonly Clock[], today?: LocalDate): Phase {
  const metOn = plichtMetOn(facts);
  if (hasV11Rules(facts)) {
    const plicht = inburgeringsplicht(facts, today ?? facts.permitGrantedOn);
    const freedOn = plicht.freedOn;
    const freedFirst = (on: LocalDate | undefined) => on === undefined || (freedOn !== undefined && isAfter(on, freedOn));
    if (plicht.status === 'not-yet') return 'not-plichtig';
    if (plicht.status === 'not-plichtig' && (freedOn === undefined || (freedFirst(metOn) && freedFirst(facts.exemptedOn)))) return 'not-plichtig';
  }
  if (facts.exemptedOn !== undefined && (metOn === undefined || isAfter(metOn, facts.exemptedOn))) return 'exempted';
  if (metOn !== undefined) return 'plicht-met';
  if (facts.pipEstablishedOn !== undefined) return 'inburgering';
  const intakeClock = facts.regime === 'wi2013' ? 'intake' : 'pip';
  if (facts.intakeHeldOn !== undefined || clocks.some((c) => c.name === intakeClock)) return 'intake';
  if (facts.regime === 'wi2013' && hasV12Rules(facts) && clocks.some((c) => c.name === 'inburgering')) return 'inburgering';
  return 'arrival';
}
