/**
 * The vocabulary of a journey, shared by workflows, activities and the API.
 * Names follow ../shared/domain/api-contract.md (the public contract) and journey-rules.md.
 * Everything here is plain data: it crosses the Temporal payload boundary as JSON.
 */
import type {
  BIJSTAND_DECISIONS,
  CASEWORKER_ROLES,
  CLOCK_NAMES,
  CLOCK_STATUSES,
  DIPLOMAS,
  EXAM_ROUTES,
  INSTRUMENT_KINDS,
  LADDER_RUNGS,
  LEERROUTES,
  NOTIFICATION_KINDS,
  OUTFLOW_REASONS,
  PHASES,
  REGIMES,
  TASK_KINDS,
} from './vocabulary';

/** A calendar date in Europe/Amsterdam, `YYYY-MM-DD`. */
export type LocalDate = string;

export type Regime = (typeof REGIMES)[number];

export type ClockName = (typeof CLOCK_NAMES)[number];

export type ClockStatus = (typeof CLOCK_STATUSES)[number];

export interface Clock {
  name: ClockName;
  status: ClockStatus;
  startsOn: LocalDate;
  /** Streefdatum: when the caseworker should have acted. */
  targetDate: LocalDate;
  /** Fatale datum: the last day on which the milestone is on time. */
  finalDate: LocalDate;
  /** Date the milestone happened (status `met`) or the waiver took effect (`waived`). */
  settledOn?: LocalDate;
  /** Why a clock is `waived` (an exemption, a diploma, the end of bijstand), in words a caseworker reads. */
  reason?: string;
  /** How its dates were computed (contract v1.2), enough to recompute the final date by hand. */
  basis?: ClockBasis;
}

/** The kinds of change to a clock's computed final date (contract v1.2). */
export type ClockAdjustmentKind = 'atw' | 'extension' | 'alphabetisation' | 'suspension' | 'correction';

/**
 * One change to the final date the rule gives: how many days it added (negative: earlier), why, and
 * the article or decision it rests on. `from`/`to` are the final date before and after it; `restDay`
 * (Atw only) what the earlier final date fell on, so a page can say it in its own language.
 */
export interface ClockAdjustment {
  kind: ClockAdjustmentKind;
  days: number;
  reason: string;
  source: string;
  from?: LocalDate;
  to?: LocalDate;
  restDay?: { on: LocalDate; kind: string };
}

/**
 * The basis of a clock's dates (contract v1.2): the fact it runs from (the event type, or
 * `permitGrantedOn` of the journey's start, and who reported it when the timeline still shows it), the
 * rule with its article, and each adjustment in the order applied.
 */
export interface ClockBasis {
  anchor: { event: string; occurredOn: LocalDate; reportedBy?: string };
  rule: string;
  adjustments: ClockAdjustment[];
}

export type Leerroute = (typeof LEERROUTES)[number];
export type ExamRoute = (typeof EXAM_ROUTES)[number];
export type Diploma = (typeof DIPLOMAS)[number];
export type BijstandDecision = (typeof BIJSTAND_DECISIONS)[number];
export type OutflowReason = (typeof OUTFLOW_REASONS)[number];

export type CaseworkerRole = (typeof CASEWORKER_ROLES)[number];

/**
 * - `arrival`: permit known, waiting for registration / notification
 * - `intake`: intake (Wi2013) or brede intake + PIP (Wi2021) due
 * - `inburgering`: plan set, tracks running in parallel
 * - `plicht-met`: inburgering obligation fulfilled
 * - `exempted`: exemption granted
 * - `not-plichtig`: nothing of the inburgering applies (yet): not obliged, or a minor before the plicht starts (contract v1.1)
 */
export type Phase = (typeof PHASES)[number]; 

export type InstrumentKind = (typeof INSTRUMENT_KINDS)[number];

export type LadderRung = (typeof LADDER_RUNGS)[number];

export type TaskKind = (typeof TASK_KINDS)[number];

/** Who holds a journey: a team (role) and, once assigned, one caseworker of it. */
export interface Caseworker {
  role: CaseworkerRole;
  /** A caseworker's user id, once one is assigned; pseudonymous staff id, not a name. */
  id?: string;
}

/** A task the journey wants to exist. The key is stable per journey, so projecting twice is a no-op. */
export interface DesiredTask {
  key: string;
  kind: TaskKind;
  candidateGroup: CaseworkerRole;
  assignee?: string;
  clock?: ClockName;
  followUpDate: LocalDate;
  dueDate: LocalDate;
  /** Advice for the caseworker, e.g. the leerroute the leerbaarheidstoets points to (draw-up-pip). */
  advice?: string;
}

export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** A reminder or escalation the journey has decided on; the key makes delivery idempotent. */
export interface PlannedNotification {
  key: string;
  kind: NotificationKind;
  clock: ClockName;
  /** The day it becomes due (Europe/Amsterdam). */
  dueOn: LocalDate;
  /** Role that receives it: the journey's caseworker role for reminders, the policy's escalation role otherwise. */
  recipientRole: CaseworkerRole;
  targetDate: LocalDate;
  finalDate: LocalDate;
}
