/**
 * The messages a journey workflow understands, defined once and imported by the workflow,
 * the worker and the API (samples-typescript style).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { JourneyMemory } from './journey-state';
import type { Policy } from '../domain/policy';
import type { JourneyEvent } from '../domain/events';
import type { JourneyFacts } from '../domain/facts';
import type { Inburgeringsplicht } from '../domain/inburgeringsplicht';
import type { ExtensionRequestInput } from '../domain/extensions';
import type { Applicant, InstrumentState } from '../domain/instruments';
import type { EndReason, JourneyEnding } from '../domain/journey-end';
import type {
  Caseworker,
  Clock,
  DesiredTask,
  InstrumentKind,
  LadderRung,
  LocalDate,
  Phase,
  Regime,
} from '../domain/types';

export const JOURNEY_WORKFLOW = 'journeyWorkflow';

export type { Caseworker, InstrumentState };


export interface StartJourneyInput {
  journeyId: string;
  municipality: string;
  regime: Regime;
  permitGrantedOn: LocalDate;
  birthDate?: LocalDate;
  /** BSN encrypted by the API (AES-GCM); the workflow only carries it. */
  bsnCiphertext?: string;
  /** The whole policy, pinned at start: a later policy version changes this journey only by amendment. */
  policy: Policy;
  caseworker?: Caseworker;
  /**
   * Continue as new past this many history events (Temporal may suggest it earlier); the API sets
   * KOERS_MAX_HISTORY_EVENTS. Absent (journeys started before it): {@link DEFAULT_MAX_HISTORY_EVENTS}
   * from their first step after the `history-limit-default` patch, 10,000 before it.
   */
  maxHistoryEvents?: number;
}

/**
 * History events after which a journey's run continues as new, unless its input says otherwise
 * (KOERS_MAX_HISTORY_EVENTS defaults to it): a journey outside a worker's cache replays its whole run
 * on its next task, at about 1 ms of CPU per event (`npm run bench -- --sections replay`).
 */
export const DEFAULT_MAX_HISTORY_EVENTS = 200;

export interface PolicyAmendment {
  policy: Policy;
  reason: string;
  amendedBy: string;
}

export interface TaskCompletion {
  taskKey: string;
  completedBy: string;
  completedOn: LocalDate;
  form: Record<string, unknown>;
}

export interface ExtensionRequest extends ExtensionRequestInput {
  requestedBy: string;
}

export interface LadderAssessment {
  rung: LadderRung;
  assessedOn: LocalDate;
  assessedBy: string;
}

/** What the caseworker states; age and distance to the labour market the journey knows itself. */
export interface InstrumentRequest extends Omit<Applicant, 'age' | 'distance'> {
  kind: InstrumentKind;
  startedOn: LocalDate;
  requestedBy: string;
}

export interface InstrumentEnd {
  instrumentId: string;
  endedOn: LocalDate;
  reason: string;
  endedBy: string;
}

export interface JourneyTask extends DesiredTask {
  taskId: string;
}

export interface EventLogEntry {
  source: string;
  id: string;
  type: string;
  occurredOn: LocalDate;
  receivedAt: string;
  actor?: JourneyEvent['actor'];
  correction?: boolean;
  /** A correction's reason (`koersreason`, contract v1.2). */
  reason?: string;
  /** A correction: the facts of its type it replaced (domain/facts.ts factsOfType); absent when there were none. */
  replaced?: Record<string, unknown>;
  /** A correction that withdrew its type's milestone (`data.withdrawn`). */
  withdrawn?: boolean;
  /** Absent: applied. `rejected`: the journey refused it (domain/admission.ts), with the reason. */
  outcome?: 'rejected';
  rejection?: { field: string; reason: string };
}

/** A message other than an event that the journey refused, and why (it changed nothing). */
export interface RejectedMessage {
  at: string;
  /** The signal's name, e.g. `amendPolicy`. */
  message: string;
  reason: string;
}

export interface AmendmentLogEntry {
  at: string;
  from: { id: string; version: number };
  to: { id: string; version: number };
  reason: string;
  amendedBy: string;
  /** A move to another municipality (absent for a policy amendment): from where to where, and the reason typed for it. */
  move?: { from: string; to: string; reason?: string };
}


export interface ExtensionRequestLogEntry extends ExtensionRequest {
  status: 'filed';
}

/** What `stateQuery` answers: the public contract's journey plus what an administrator needs. */
export interface JourneyState {
  journeyId: string;
  municipality: string;
  regime: Regime;
  phase: Phase;
  /** Who is inburgeringsplichtig on `today` (contract v1.1; domain/inburgeringsplicht.ts). Absent from runs before it. */
  inburgeringsplicht?: Inburgeringsplicht;
  today: LocalDate;
  policy: { id: string; version: number };
  caseworker: Caseworker;
  clocks: Clock[];
  milestones: JourneyFacts;
  openTasks: JourneyTask[];
  nextWakeUp?: LocalDate;
  events: EventLogEntry[];
  amendments: AmendmentLogEntry[];
  ladder: LadderAssessment[];
  instruments: InstrumentState[];
  extensionRequests: ExtensionRequestLogEntry[];
  /** Recent messages the journey refused (events refused are in `events` with `outcome: rejected`). */
  rejectedMessages: RejectedMessage[];
  notificationsSent: number;
  /** Present when the journey ended for a reason outside the law's milestones (domain/journey-end.ts END_REASONS). */
  ended?: JourneyEnding;
}

/**
 * An administrator's correction of the dates the journey started with (issue 21; contract v1.2
 * correction semantics): the permit date and/or the birth date, with a reason. The regime stays the one
 * the journey started under. Recorded in the timeline as type {@link PERSON_CORRECTED} with what it replaced.
 */
export interface PersonCorrection {
  /** Unique per correction (the API's): a resent signal changes nothing. */
  id: string;
  permitGrantedOn?: LocalDate;
  birthDate?: LocalDate;
  reason: string;
  correctedBy: string;
  /** The day of the correction, Europe/Amsterdam. */
  correctedOn: LocalDate;
}

/** The timeline type of a {@link PersonCorrection} (not a milestone a partner can send). */
export const PERSON_CORRECTED = 'nl.koers.person.corrected';
/** The source of a {@link PersonCorrection} in the timeline and the dedupe window. */
export const PERSON_CORRECTION_SOURCE = 'urn:nl:koers:corrections';

/** A move (POST /v1/journeys/{id}/move): the new municipality, its policy, who moved it and why. */
export interface MoveMunicipality {
  municipality: string;
  policy: Policy;
  movedBy: string;
  /** The reason the administrator typed; absent in moves sent before it was kept. */
  reason?: string;
}

/**
 * A caseworker confirmed that the journey ends for a reason outside the law's milestones (the BRP says
 * the person died or emigrated; api/brp.ts): its clocks stop, its open tasks are cancelled with the
 * reason, and it completes. Recorded in the timeline as {@link JOURNEY_ENDED}.
 */
export interface EndJourney {
  /** Unique per end (the API's): a resent signal changes nothing. */
  id: string;
  reason: EndReason;
  /** The day it happened as the BRP says it (YYYY-MM-DD); absent when the BRP gives no complete date. */
  on?: LocalDate;
  confirmedBy: string;
  /** The day of the confirmation, Europe/Amsterdam. */
  confirmedOn: LocalDate;
}

/**
 * An administrator withdraws an end that was confirmed by mistake (the BRP corrected itself): a correction
 * in the sense of contract v1.2 ("A correction may withdraw a milestone ... a journey that had ended on it
 * reopens"), shown in the timeline as a withdrawn {@link JOURNEY_ENDED} with its reason and what it replaced.
 * Reaches the ended journey through the same door as a reopening milestone (api/temporal.ts).
 */
export interface WithdrawEnd {
  /** Unique per withdrawal (the API's): a resent signal changes nothing. */
  id: string;
  reason: string;
  withdrawnBy: string;
  /** The day of the withdrawal, Europe/Amsterdam. */
  withdrawnOn: LocalDate;
}

/** The timeline type of an {@link EndJourney} (not a milestone a partner can send). */
export const JOURNEY_ENDED = 'nl.koers.journey.ended';
/** The source of an {@link EndJourney} in the timeline and the dedupe window. */
export const JOURNEY_END_SOURCE = 'urn:nl:koers:brp';

export const eventSignal = defineSignal<[JourneyEvent]>('event');
export const amendPolicySignal = defineSignal<[PolicyAmendment]>('amendPolicy');
export const assignCaseworkerSignal = defineSignal<[Caseworker]>('assignCaseworker');
export const moveMunicipalitySignal = defineSignal<[MoveMunicipality]>('moveMunicipality');
export const correctPersonSignal = defineSignal<[PersonCorrection]>('correctPerson');
export const taskCompletedSignal = defineSignal<[TaskCompletion]>('taskCompleted');
export const ladderAssessedSignal = defineSignal<[LadderAssessment]>('ladderAssessed');
export const endJourneySignal = defineSignal<[EndJourney]>('endJourney');
export const withdrawEndSignal = defineSignal<[WithdrawEnd]>('withdrawEnd');
/**
 * Asks a journey to write its read-model row (store/journeys.ts) at its next step, whether or not it
 * thinks the row changed. The monitor (worker/monitor.ts) sends it to a running journey that has no
 * row: one started before the read model, whose next timer may be months away.
 */
export const projectSignal = defineSignal('project');

export const stateQuery = defineQuery<JourneyState>('state');
/**
 * Everything the journey knows (workflows/journey-state.ts JourneyMemory), for reopening an ended
 * journey (contract v1.2): asked of the ended run, whose history a worker replays to answer it, and
 * carried into the new run of the same workflow id (api/temporal.ts reopenJourney).
 */
export const memoryQuery = defineQuery<JourneyMemory>('memory');

/** Validator rejects an invalid ground or date (the API answers 422 with its reason). */
export const requestExtensionUpdate = defineUpdate<{ accepted: true }, [ExtensionRequest]>('requestExtension');
/** Validator rejects an ineligible request naming the rule that blocks it. */
export const startInstrumentUpdate = defineUpdate<InstrumentState, [InstrumentRequest]>('startInstrument');
export const endInstrumentUpdate = defineUpdate<InstrumentState, [InstrumentEnd]>('endInstrument');
