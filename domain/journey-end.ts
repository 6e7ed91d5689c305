/**
 * When a journey is done (api-contract.md, "Additions (v1.1)"): only when nothing of any track can
 * still start or run.
 */
import { plichtMetOn } from './clocks';
import type { JourneyFacts } from './facts';
import { hasV11Rules, inburgeringsplicht } from './inburgeringsplicht';
import { bijstandStatus } from './participatiewet';
import { derivePhase } from './phase';
import type { Clock, LocalDate } from './types';

/** What keeps a journey running; the workflow shows nothing of it, a test or an admin may. */
export type OpenTrack = 'inburgering' | 'bijstand' | 'tasks' | 'instruments';

export interface JourneyEndInput {
  facts: JourneyFacts;
  clocks: readonly Clock[];
  today: LocalDate;
  openTaskCount: number;
  activeInstrumentCount: number;
}

/**
 * The tracks still open; the journey is done when the list is empty.
 * - `inburgering`: not settled. Settled = the plicht met, an exemption granted, or `not-plichtig`
 *   (a minor who is `not-yet` is not settled: the plicht will still start).
 * - `bijstand`: an application pending or the right running (settled: never applied, refused, ended).
 * - `tasks`: an open task; `instruments`: an active re-integration instrument.
 *
 * Journeys on the earlier rules (facts.ts `rules: 'v1.0'`) end as they always did: the phase
 * `plicht-met` or `exempted`, no open task, no active instrument.
 */
export function openTracks(input: JourneyEndInput): OpenTrack[] {
  const { facts, clocks, today } = input;
  const open: OpenTrack[] = [];
  if (hasV11Rules(facts)) {
    const settled = plichtMetOn(facts) !== undefined || facts.exemptedOn !== undefined || inburgeringsplicht(facts, today).status === 'not-plichtig';
    if (!settled) open.push('inburgering');
    const bijstand = bijstandStatus(facts);
    if (bijstand === 'pending' || bijstand === 'running') open.push('bijstand');
  } else {
    const phase = derivePhase(facts, clocks, today);
    if (phase !== 'plicht-met' && phase !== 'exempted') open.push('inburgering');
  }
  if (input.openTaskCount > 0) open.push('tasks');
  if (input.activeInstrumentCount > 0) open.push('instruments');
  return open;
}

/** True when nothing of any track can still start or run (contract v1.1); see {@link openTracks}. */
export function journeyIsDone(input: JourneyEndInput): boolean {
  return openTracks(input).length === 0;
}

/**
 * The ways a journey's zaak ends (chain/zaken: one resultaattype each): the journey finished in the
 * phase `plicht-met`, `exempted` or `not-plichtig` (the settled inburgering of {@link openTracks});
 * `closed` when it ended any other way (stopped by an administrator, erased while running);
 * `moved` when the journey went to another municipality, whose own zaak takes over.
 */
export const JOURNEY_ENDS = ['plicht-met', 'exempted', 'not-plichtig', 'closed', 'moved'] as const;
export type JourneyEnd = (typeof JOURNEY_ENDS)[number];

/** How a journey that finished in `phase` ended: its phase when that settles the inburgering, else `closed`. */
export function journeyEndOf(phase: string): JourneyEnd {
  return phase === 'plicht-met' || phase === 'exempted' || phase === 'not-plichtig' ? phase : 'closed';
}
