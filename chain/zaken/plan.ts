/**
 * What a journey step tells its zaak: a pure comparison of the step (phase, final date, run status,
 * municipality, BSN ciphertext) with what was queued for the journey's zaak before. The result is the
 * zaken rows to write and the outbox messages to queue, each in its zaak's order, written in the
 * step's transaction (./registration.ts), so a step queues each change once.
 *
 * The mapping (docs/chain.md, "Zaken API"):
 * - no zaak yet in a configured municipality → `zaak-create` (then a `zaak-status` for the phase, and a
 *   `zaak-rol` when the BSN is known);
 * - another phase → `zaak-status`; another inburgering final date → `zaak-update`;
 * - the journey finished (run status `completed`) → `zaak-end` with the way it ended (domain/journey-end.ts:
 *   its end reason, its phase, or `closed`); its run stopped otherwise (failed, terminated, timed out,
 *   cancelled) → `zaak-end` `closed`;
 * - another municipality → `zaak-end` `moved` for the old zaak, and a new zaak in the new municipality
 *   (when it is configured): a zaak belongs to one bronorganisatie, so a move is a handover;
 * - a finished journey that runs again (contract v1.2: a later milestone reopens it) → a `zaak-status`
 *   for its phase, which reopens the zaak.
 */
import { journeyEndOf, type EndReason, type JourneyEnd } from '../../domain/journey-end';

/** The run statuses of a journey that stopped (api/temporal.ts JourneyStatus); `workflow-task-failing` is still running. */
const STOPPED_RUNS: readonly string[] = ['completed', 'failed', 'terminated', 'timed-out', 'canceled'];

/** The payload of each message kind; the zaak is Koers's own id of it (zaken.id), never the journey id. */
export type ZaakMessage =
  | { kind: 'zaak-create'; zaakId: string; municipality: string; /** The zaak's kenmerk with bron "Koers". */ journeyId: string; identificatie: string; startdatum: string; uiterlijkeEinddatumAfdoening?: string }
  | { kind: 'zaak-rol'; zaakId: string; municipality: string; /** The BSN sealed as the read model keeps it (api/identity.ts encryptBsn), bound to `journeyId`. */ bsnSealed: string; journeyId?: string }
  | { kind: 'zaak-status'; zaakId: string; municipality: string; phase: string; datumStatusGezet: string }
  | { kind: 'zaak-update'; zaakId: string; municipality: string; uiterlijkeEinddatumAfdoening: string | null }
  | { kind: 'zaak-end'; zaakId: string; municipality: string; end: JourneyEnd; datumStatusGezet: string }
  | { kind: 'zaak-archive'; zaakId: string; municipality: string; archiefactiedatum: string };

/** A zaak as Koers keeps it (store/db.ts ZakenTable), in the terms of the plan. */
export interface ZaakRecord {
  id: string;
  journeyId: string;
  municipality: string;
  identificatie: string;
  /** Phase of the last status queued. */
  phase?: string;
  /** `uiterlijkeEinddatumAfdoening` last queued (YYYY-MM-DD). */
  finalDate?: string;
  rol: boolean;
  state: 'open' | 'closed' | 'archived';
  nextSequence: number;
}

/** What the plan needs of a journey step (activities/journey-sync.ts passes the projection). */
export interface JourneyStep {
  journeyId: string;
  municipality: string;
  phase: string;
  /**
   * `running`, or how the run stopped: `completed` (the journey's last write), or `failed`, `terminated`,
   * `timed-out`, `canceled` (the monitor's, worker/monitor.ts: the journey ends `closed`).
   */
  runStatus: string;
  /** The reason the journey ended for, when it ended outside the law's milestones (domain/journey-end.ts). */
  endReason?: EndReason;
  /** The inburgering clock's final date (YYYY-MM-DD), when it has one. */
  inburgeringFinalDate?: string;
  /** The day of the step, YYYY-MM-DD Europe/Amsterdam: a new zaak's startdatum. */
  today: string;
  /** The BSN ciphertext, when this write carries it. */
  bsnSealed?: string;
  /** The instant of the step (ISO-8601): the statuses' datumStatusGezet. */
  at: string;
}

/** A message to queue: its zaak's order number and the outbox key `zaak:<zaakId>:<n>`. */
export interface PlannedMessage {
  message: ZaakMessage;
  sequence: number;
  idempotencyKey: string;
}

export interface ZaakPlan {
  /** Rows to write (new ones and changed ones), with their next sequence advanced. */
  records: ZaakRecord[];
  messages: PlannedMessage[];
}

/** The zaak's `identificatie`: unique per bronorganisatie (Zaken API), at most 40 characters; `n` counts the journey's zaken. */
export function zaakIdentificatie(journeyId: string, n: number): string {
  return `KOERS-${journeyId}-${n}`;
}

/**
 * The rows and messages a step adds. `current` is the journey's newest zaak (undefined: none yet);
 * `configured` tells whether a municipality has a zaak registration; `newZaakId` gives a fresh id;
 * `zakenSoFar` is how many zaken the journey had (for the next identificatie).
 */
export function planStep(step: JourneyStep, current: ZaakRecord | undefined, configured: (municipality: string) => boolean, newZaakId: () => string, zakenSoFar: number): ZaakPlan {
  const records: ZaakRecord[] = [];
  const messages: PlannedMessage[] = [];
  const queue = (record: ZaakRecord, message: ZaakMessage): void => {
    const sequence = record.nextSequence;
    record.nextSequence += 1;
    messages.push({ message, sequence, idempotencyKey: `zaak:${record.id}:${sequence}` });
  };
  const finished = STOPPED_RUNS.includes(step.runStatus);
  // A run that stopped without finishing (the monitor's status) ends its zaak `closed`, whatever its phase.
  const end: JourneyEnd = step.runStatus === 'completed' ? journeyEndOf(step.phase, step.endReason) : 'closed';
  let zaak = current && current.state !== 'archived' ? { ...current } : undefined;

  if (zaak && zaak.municipality !== step.municipality) {
    // A move: the old municipality's zaak ends handed over; the new one gets its own below.
    if (zaak.state === 'open') {
      queue(zaak, { kind: 'zaak-end', zaakId: zaak.id, municipality: zaak.municipality, end: 'moved', datumStatusGezet: step.at });
      zaak.state = 'closed';
      records.push(zaak);
    }
    zaak = undefined;
  }
  if (!zaak) {
    if (!configured(step.municipality)) return { records, messages };
    // A journey that finished before its municipality had a zaak registration gets none afterwards.
    if (finished && !current) return { records, messages };
    zaak = { id: newZaakId(), journeyId: step.journeyId, municipality: step.municipality, identificatie: zaakIdentificatie(step.journeyId, zakenSoFar + 1), rol: false, state: 'open', nextSequence: 1 };
    queue(zaak, {
      kind: 'zaak-create',
      zaakId: zaak.id,
      municipality: zaak.municipality,
      journeyId: step.journeyId,
      identificatie: zaak.identificatie,
      startdatum: step.today,
      ...(step.inburgeringFinalDate ? { uiterlijkeEinddatumAfdoening: step.inburgeringFinalDate } : {}),
    });
    zaak.finalDate = step.inburgeringFinalDate;
  }
  const before = JSON.stringify(zaak);

  if (step.bsnSealed && !zaak.rol) {
    queue(zaak, { kind: 'zaak-rol', zaakId: zaak.id, municipality: zaak.municipality, bsnSealed: step.bsnSealed, journeyId: step.journeyId });
    zaak.rol = true;
  }
  if (zaak.phase !== step.phase || (zaak.state === 'closed' && !finished)) {
    // A closed zaak that gets a status again is reopened (Zaken API: a status after the eindstatus).
    queue(zaak, { kind: 'zaak-status', zaakId: zaak.id, municipality: zaak.municipality, phase: step.phase, datumStatusGezet: step.at });
    zaak.phase = step.phase;
    zaak.state = 'open';
  }
  if ((step.inburgeringFinalDate ?? undefined) !== zaak.finalDate) {
    queue(zaak, { kind: 'zaak-update', zaakId: zaak.id, municipality: zaak.municipality, uiterlijkeEinddatumAfdoening: step.inburgeringFinalDate ?? null });
    zaak.finalDate = step.inburgeringFinalDate;
  }
  if (finished && zaak.state === 'open') {
    queue(zaak, { kind: 'zaak-end', zaakId: zaak.id, municipality: zaak.municipality, end, datumStatusGezet: step.at });
    zaak.state = 'closed';
  }
  if (JSON.stringify(zaak) !== before || !current || zaak.id !== current.id) records.push(zaak);
  return { records, messages };
}
