/**
 * The messages a journey workflow understands, defined once and imported by the workflow,
 * the worker and the API (samples-typescript style).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Policy } from '../domain/policy';
import type { JourneyEvent } from '../domain/events';
import type { JourneyFacts } from '../domain/facts';
import type { ExtensionRequestInput } from '../domain/extensions';
import type { Applicant } from '../domain/instruments';
import type {
  CaseworkerRole,
  Clock,
  DesiredTask,
  InstrumentKind,
  LadderRung,
  LocalDate,
  Phase,
  Regime,
} from '../domain/types';

export const JOURNEY_WORKFLOW = 'journeyWorkflow';

export interface Caseworker {
  role: CaseworkerRole;
  /** A caseworker's user id, once one is assigned; pseudonymous staff id, not a name. */
  id?: string;
}

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
  /** Continue as new past this many history events (Temporal may suggest it earlier). */
  maxHistoryEvents?: number;
}

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
}

export interface AmendmentLogEntry {
  at: string;
  from: { id: string; version: number };
  to: { id: string; version: number };
  reason: string;
  amendedBy: string;
}

export interface InstrumentState {
  instrumentId: string;
  kind: InstrumentKind;
  startedOn: LocalDate;
  endsOn: LocalDate;
  extensions: number;
  status: 'active' | 'ended';
  /** A reassessment is due before this date (participatieplaats before each expiry). */
  reassessBy?: LocalDate;
  /** The reassessment's notice period has begun: the journey opens a task for it. */
  reassessmentDue?: boolean;
  /** Dated obligations of the instrument, e.g. offering scholing, the cooperation premium. */
  milestones?: Array<{ kind: string; dueOn: LocalDate }>;
  endedOn?: LocalDate;
  endReason?: string;
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
  notificationsSent: number;
}

export const eventSignal = defineSignal<[JourneyEvent]>('event');
export const amendPolicySignal = defineSignal<[PolicyAmendment]>('amendPolicy');
export const assignCaseworkerSignal = defineSignal<[Caseworker]>('assignCaseworker');
export const moveMunicipalitySignal = defineSignal<[{ municipality: string; policy: Policy; movedBy: string }]>('moveMunicipality');
export const taskCompletedSignal = defineSignal<[TaskCompletion]>('taskCompleted');
export const ladderAssessedSignal = defineSignal<[LadderAssessment]>('ladderAssessed');

export const stateQuery = defineQuery<JourneyState>('state');

/** Validator rejects an invalid ground or date (the API answers 422 with its reason). */
export const requestExtensionUpdate = defineUpdate<{ accepted: true }, [ExtensionRequest]>('requestExtension');
/** Validator rejects an ineligible request naming the rule that blocks it. */
export const startInstrumentUpdate = defineUpdate<InstrumentState, [InstrumentRequest]>('startInstrument');
export const endInstrumentUpdate = defineUpdate<InstrumentState, [InstrumentEnd]>('endInstrument');
