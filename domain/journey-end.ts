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
 * Reasons a journey ends outside the law's milestones: the person died (BRP `overlijden`, or the
 * record's `opschortingBijhouding` reason O) or left the Netherlands (BRP `verblijfplaats` abroad, or
 * reason E). Nothing of the inburgering or the Participatiewet can still happen for such a person, so
 * the journey ends whatever its tracks say (docs/chain.md, "Proposals"). A caseworker confirms each
 * one; another reason is a data change here (with its resultaattype in chain/zaken's configuration,
 * its Dutch words in web/messages.ts `journey.end.<reason>`).
 */
export const END_REASONS = ['deceased', 'emigrated'] as const;
export type EndReason = (typeof END_REASONS)[number];

export function isEndReason(value: unknown): value is EndReason {
  return typeof value === 'string' && (END_REASONS as readonly string[]).includes(value);
}

/**
 * A journey that ended for an {@link EndReason}: the reason, the day it happened as the source says it
 * (`on`, YYYY-MM-DD, absent when the BRP knows no complete date), the day it was confirmed (Europe/Amsterdam)
 * and by whom (a staff id).
 */
export interface JourneyEnding {
  reason: EndReason;
  on?: LocalDate;
  confirmedOn: LocalDate;
  confirmedBy: string;
}

/**
 * The reason an ended journey's open tasks are cancelled with (the task's history, store/tasks.ts):
 * stable words a page recognises by {@link endReasonOfCancellation} and says in its own language.
 */
export function cancellationForEnd(reason: EndReason): string {
  return `journey ended: ${reason}`;
}

/** The end reason a task cancellation names ({@link cancellationForEnd}), or undefined. */
export function endReasonOfCancellation(text: string | undefined): EndReason | undefined {
  const reason = text?.startsWith('journey ended: ') ? text.slice('journey ended: '.length) : undefined;
  return isEndReason(reason) ? reason : undefined;
}

/**
 * The ways a journey's zaak ends (chain/zaken: one resultaattype each): the journey finished in the
 * phase `plicht-met`, `exempted` or `not-plichtig` (the settled inburgering of {@link openTracks});
 * `closed` when it ended any other way (stopped by an administrator, failed, erased while running);
 * `moved` when the journey went to another municipality, whose own zaak takes over; and each
 * {@link END_REASONS} (the person died, emigrated).
 */
export const JOURNEY_ENDS = ['plicht-met', 'exempted', 'not-plichtig', 'closed', 'moved', ...END_REASONS] as const;
export type JourneyEnd = (typeof JOURNEY_ENDS)[number];

/**
 * How a journey that finished in `phase` ended: its end reason when it had one (it ended for it, whatever
 * the phase), else its phase when that settles the inburgering, else `closed`.
 */
export function journeyEndOf(phase: string, reason?: EndReason): JourneyEnd {
  if (reason !== undefined) return reason;
  return phase === 'plicht-met' || phase === 'exempted' || phase === 'not-plichtig' ? phase : 'closed';
}

/**
 * The clocks of a journey that ended for a reason ({@link JourneyEnding}): every open one (`running`,
 * `overdue`) is `ended` on the day it happened (else the day it was confirmed), so no reminder, escalation
 * or overdue follows (domain/schedule.ts plans only for open clocks); settled ones stay as they were.
 */
export function stopClocks(clocks: readonly Clock[], ending: JourneyEnding): Clock[] {
  const on = ending.on ?? ending.confirmedOn;
  return clocks.map((clock) => (clock.status === 'running' || clock.status === 'overdue' ? { ...clock, status: 'ended', settledOn: on, reason: `the journey ended: ${ending.reason}` } : clock));
}
