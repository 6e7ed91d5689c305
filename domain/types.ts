/**
 * The vocabulary of a journey, shared by workflows, activities and the API.
 * Names follow ../shared/domain/api-contract.md (the public contract) and journey-rules.md.
 * Everything here is plain data: it crosses the Temporal payload boundary as JSON.
 */

/** A calendar date in Europe/Amsterdam, `YYYY-MM-DD`. */
export type LocalDate = string;

export type Regime = 'wi2013' | 'wi2021';

export type ClockName =
  | 'intake'
  | 'pip'
  | 'participatieverklaring'
  | 'inburgering'
  | 'map'
  | 'reintegration-start'
  | 'maatschappelijke-begeleiding'
  | 'family-reunification'
  | 'ontzorgen'
  | 'bijstand-decision';

export type ClockStatus = 'running' | 'met' | 'overdue' | 'waived' | 'ended';

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
}

export type Leerroute = 'b1' | 'onderwijs' | 'z';
export type ExamRoute = 'inburgeringsexamen' | 'staatsexamen' | 'b1' | 'z';
export type Diploma = 'inburgeringsdiploma' | 'nt2' | 'mbo2-plus' | 'havo' | 'vwo' | 'hbo' | 'wo';
export type BijstandDecision = 'granted' | 'refused';
export type OutflowReason = 'work' | 'education' | 'moved' | 'other';

export type CaseworkerRole = 'regisseur-werk' | 'sociaal-werker-participatie' | 'statushouder-specialist' | 'team-lead';

export type Phase =
  | 'arrival' // permit known, waiting for registration / notification
  | 'intake' // intake (Wi2013) or brede intake + PIP (Wi2021) due
  | 'inburgering' // plan set, tracks running in parallel
  | 'plicht-met' // inburgering obligation fulfilled
  | 'exempted' // exemption granted
  | 'not-plichtig'; // nothing of the inburgering applies (yet): not obliged, or a minor before the plicht starts (contract v1.1)

export type InstrumentKind =
  | 'werkstage'
  | 'proefplaatsing'
  | 'participatieplaats'
  | 'leerwerkplek'
  | 'scholing'
  | 'sociale-activering'
  | 'vrijwilligerswerk'
  | 'loonkostensubsidie'
  | 'plaatsingssubsidie';

export type LadderRung = 1 | 2 | 3 | 4 | 5 | 6;

export type TaskKind =
  | 'hold-intake'
  | 'draw-up-pip'
  | 'draw-up-plan'
  | 'start-reintegration'
  | 'offer-participatieverklaring'
  | 'offer-map'
  | 'review-missed-term'
  | 'assess-ladder'
  | 'check-family-reunification'
  | 'reassess-instrument';

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

export type NotificationKind = 'reminder' | 'escalation';

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
