/**
 * A journey's state and one method per message it understands. Plain, deterministic TypeScript with no
 * Temporal import: the workflow (journey.ts) owns timers, activities and handlers and asks this class
 * what a message changes; unit tests can drive it directly.
 *
 * Two rules hold for every method:
 * - **Never die on data.** A message the journey cannot apply (a date the domain cannot compute with,
 *   an unknown type, a policy the rules choke on) is refused and recorded with its reason; the state
 *   stays as it was. The rules are tried on the candidate state before it is committed, so a value the
 *   domain cannot compute with never reaches the loop.
 * - **Bounded state.** What is carried into continue-as-new is facts, not the event log: the event
 *   timeline and the dedupe window hold the most recent entries only (the API's audit table keeps the
 *   whole log and is the authority on duplicates), and every other list is capped. See {@link LIMITS}.
 */
import { amsterdamDateOf, ageOn, isSupportedDate } from '../domain/dates';
import { admissionNeedsJourney, admitEvent, admitStart, type Admission } from '../domain/admission';
import { computeClocks, deadlinesOf, nextFinalDate } from '../domain/clocks';
import { eventKey, isEventType, isWithdrawal, type JourneyEvent } from '../domain/events';
import { validateExtensionRequest } from '../domain/extensions';
import { applyEvent, factsOfType, initialFacts, type JourneyFacts } from '../domain/facts';
import { checkEligibility, reassessmentEffect, type InstrumentState } from '../domain/instruments';
import { isEndReason, openTracks, stopClocks, type JourneyEnding } from '../domain/journey-end';
import { inburgeringsplicht } from '../domain/inburgeringsplicht';
import { caseworkerAfterAssessment, distanceForRung } from '../domain/ladder';
import { derivePhase } from '../domain/phase';
import { PolicySchema, type Policy } from '../domain/policy';
import { dueNotifications, nextWakeUp, plannedNotifications } from '../domain/schedule';
import { INSTRUMENT_SOURCE, TASK_SOURCE, taskOutcome } from '../domain/task-forms';
import { assignToCaseworker, desiredTasks, instrumentReassessmentTasks, taskIdFor } from '../domain/tasks';
import type { Caseworker, Clock, DesiredTask, LocalDate, Phase, PlannedNotification } from '../domain/types';
import { CASEWORKER_ROLES, isOneOf, LadderRungSchema } from '../domain/vocabulary';
import type { JourneySearchSummary } from '../platform/search-attributes';
import type {
  AmendmentLogEntry,
  EventLogEntry,
  ExtensionRequest,
  EndJourney,
  WithdrawEnd,
  ExtensionRequestLogEntry,
  InstrumentEnd,
  InstrumentRequest,
  JourneyState,
  LadderAssessment,
  MoveMunicipality,
  PersonCorrection,
  PolicyAmendment,
  RejectedMessage,
  StartJourneyInput,
  TaskCompletion,
} from './definitions';
import { JOURNEY_END_SOURCE, JOURNEY_ENDED, PERSON_CORRECTED, PERSON_CORRECTION_SOURCE } from './definitions';

/**
 * Caps on what a journey carries. With the pinned policy (5-7 KB) the continue-as-new input stays
 * under {@link LIMITS.carriedBytes} whatever partners send (test/workflow/bounded-state.test.ts).
 */
export const LIMITS = {
  /** The timeline window: the most recent events (applied or rejected), also the dedupe window. */
  events: 100,
  /** ... and at most this many bytes of them (JSON). */
  eventBytes: 24_000,
  amendments: 50,
  ladder: 50,
  extensionRequests: 50,
  rejectedMessages: 20,
  /** Ended instruments kept for display; active ones are always kept. */
  endedInstruments: 20,
  /** The documented bound on the continue-as-new input. */
  carriedBytes: 64 * 1024,
} as const;

/** Everything a journey knows; carried across continue-as-new. */
export interface JourneyMemory {
  municipality: string;
  policy: Policy;
  caseworker: Caseworker;
  facts: JourneyFacts;
  /** The most recent events, oldest first (see {@link LIMITS}). */
  events: EventLogEntry[];
  amendments: AmendmentLogEntry[];
  ladder: LadderAssessment[];
  instruments: InstrumentState[];
  /** Instrument ids handed out so far: ids are taken before any await, so concurrent starts differ. */
  instrumentSequence?: number;
  extensionRequests: ExtensionRequestLogEntry[];
  completedTaskKeys: string[];
  sentNotificationKeys: string[];
  /** Messages other than events that were refused, most recent last. */
  rejectedMessages?: RejectedMessage[];
  /** Runs before this change carried the whole dedupe set; read and dropped (the window replaces it). */
  seenEventKeys?: string[];
  /**
   * The read model's write counter (store/journeys.ts): the seq of the last projection written. Carried
   * across continue-as-new so writes stay ordered for the journey's whole life; the API's row at start is 0.
   */
  projectionSeq?: number;
  /** Set when a caseworker confirmed an end for a reason outside the law's milestones ({@link Journey.end}). */
  ended?: JourneyEnding;
}

/** What the journey writes into the read model (store/journeys.ts JourneyProjection; no store import in workflow code). */
export interface JourneyProjectionRow {
  seq: number;
  regime: string;
  phase: string;
  runStatus: 'running' | 'completed';
  caseworker: Caseworker;
  nextFinalDate?: LocalDate;
  nextWakeUp?: LocalDate;
  bsnCiphertext?: string;
  view: JourneyState;
  deadlines: Array<{ clock: string; finalDate: LocalDate; open: boolean }>;
  startedAt: string;
}

/** What the rules say about a journey today; computed from memory, never stored. */
export interface Derived {
  today: LocalDate;
  clocks: Clock[];
  phase: Phase;
  tasks: DesiredTask[];
  wakeUp?: LocalDate;
}

/**
 * What the journey asks the workflow to tell an instrument's workflow (a completed reassessment): the
 * class has no Temporal import, so it queues these and the workflow sends them as signals.
 */
export type InstrumentCommand =
  | { instrumentId: string; action: 'extend'; reassessedOn: LocalDate; by: string }
  | { instrumentId: string; action: 'end'; endedOn: LocalDate; reason: string; by: string };

/** Appends and drops the oldest entries beyond `max`. */
function pushBounded<T>(list: T[], entry: T, max: number): void {
  list.push(entry);
  if (list.length > max) list.splice(0, list.length - max);
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

export class Journey {
  readonly memory: JourneyMemory;
  /** Set by every message that changed something; the workflow's loop clears it. */
  changed = true;
  private readonly seen = new Set<string>();
  private readonly completedTasks: Set<string>;
  private readonly sent: Set<string>;
  /** Signals for instrument workflows, sent by the workflow's loop (see {@link InstrumentCommand}). */
  readonly instrumentCommands: InstrumentCommand[] = [];
  /** JSON size of each timeline entry, in step with memory.events (not carried: recomputed on load). */
  private readonly eventSizes: number[] = [];
  private eventBytes = 0;
  /** The read-model seq this run started from (see {@link takeProjectionSeq}). */
  private readonly projectionBase: number;

  constructor(
    readonly input: StartJourneyInput,
    carried: JourneyMemory | undefined,
    private readonly now: () => number,
    /**
     * The v1.1 cross-field rules (domain/admission.ts), the v1.1 rules of the law (who is obliged,
     * the Participatiewet track, the journey end, the roads in) and the v1.2 ones (the Algemene
     * termijnenwet, the statutes' conditions: domain/facts.ts `rules`); each off while replaying a
     * journey started before it.
     */
    private readonly options: {
      crossFieldRules: boolean;
      lawV11?: boolean;
      lawV12?: boolean;
      formAssessedOn?: () => boolean;
      /**
       * The v1.2 corrections: a withdrawal removes its milestone, and the timeline keeps what a correction
       * replaced. Asked only when a correction arrives, so the marker sits in the history where it began.
       */
      correctionsV12?: () => boolean;
      /** A started instrument meets the re-integration start (`reintegration-start`); asked when one starts. */
      instrumentStartsReintegration?: () => boolean;
    } = { crossFieldRules: true, lawV11: true, lawV12: true },
  ) {
    const memory: JourneyMemory = carried ?? {
      municipality: input.municipality,
      policy: input.policy,
      caseworker: input.caseworker ?? { role: input.policy.defaultCaseworkerRole },
      facts: initialFacts({ regime: input.regime, permitGrantedOn: input.permitGrantedOn, birthDate: input.birthDate }),
      events: [],
      amendments: [],
      ladder: [],
      instruments: [],
      extensionRequests: [],
      completedTaskKeys: [],
      sentNotificationKeys: [],
    };
    delete memory.seenEventKeys;
    // A journey that started before the v1.1 law rules keeps the rules it started under, also across
    // continue-as-new (the marker is carried in its facts).
    if (options.lawV11 === false && memory.facts.rules !== 'v1.0') memory.facts = { ...memory.facts, rules: 'v1.0' };
    // The same for the v1.2 rules (the Algemene termijnenwet, the statutes' conditions of issue 22).
    else if (options.lawV12 === false && memory.facts.rules === undefined) memory.facts = { ...memory.facts, rules: 'v1.1' };
    this.memory = memory;
    this.projectionBase = memory.projectionSeq ?? 0;
    for (const e of memory.events) this.countEvent(e);
    this.trimEvents();
    for (const e of memory.events) if (e.outcome !== 'rejected') this.seen.add(eventKey(e));
    this.completedTasks = new Set(memory.completedTaskKeys);
    this.sent = new Set(memory.sentNotificationKeys);
  }

  // ---- what the rules say today ----------------------------------------------------------------

  today(): LocalDate {
    return amsterdamDateOf(this.now());
  }

  /** Clocks, phase, open tasks and the next wake-up for today, from the given (or current) state. */
  derive(facts: JourneyFacts = this.memory.facts, policy: Policy = this.memory.policy, caseworker: Caseworker = this.memory.caseworker): Derived {
    const today = this.today();
    const computed = computeClocks(facts, policy, today);
    const phase = derivePhase(facts, computed, today);
    const ended = this.memory.ended;
    // An ended journey keeps its phase and dates but nothing runs: no clock, task or wake-up.
    if (ended) return { today, clocks: stopClocks(computed, ended), phase, tasks: [] };
    const clocks = computed;
    const trajectory = { ladder: this.memory.ladder, instruments: this.memory.instruments };
    const journeyTasks = desiredTasks(facts, clocks, policy, caseworker.role, today, trajectory).filter((task) => !this.completedTasks.has(task.key));
    const instrumentTasks = instrumentReassessmentTasks(this.memory.instruments, caseworker.role).filter((task) => !this.completedTasks.has(task.key));
    const tasks = assignToCaseworker([...journeyTasks, ...instrumentTasks], caseworker);
    // With the facts: a minor's plicht start is a wake-up day too (the durable timer that starts the plicht's clocks).
    const wakeUp = nextWakeUp(clocks, policy, caseworker.role, today, facts);
    return { today, clocks, phase, tasks, ...(wakeUp !== undefined ? { wakeUp } : {}) };
  }

  /** The reminders and escalations due today that were not sent yet. */
  dueNotifications(derived: Derived): PlannedNotification[] {
    return dueNotifications(plannedNotifications(derived.clocks, this.memory.policy, this.memory.caseworker.role), derived.today, this.sent);
  }

  /**
   * Records notifications as sent, and forgets keys no longer planned: a key comes back only when a
   * correction restores a clock's dates, and the outbox's idempotency key stops a second delivery then.
   */
  markSent(sent: readonly PlannedNotification[], derived: Derived): void {
    for (const n of sent) this.sent.add(n.key);
    const planned = new Set(plannedNotifications(derived.clocks, this.memory.policy, this.memory.caseworker.role).map((n) => n.key));
    for (const key of this.sent) if (!planned.has(key)) this.sent.delete(key);
    this.memory.sentNotificationKeys = [...this.sent];
  }

  /**
   * Done only when nothing of any track can still start or run (contract v1.1, domain/journey-end.ts):
   * the inburgering settled, no bijstand pending or running, no open task, no active instrument.
   */
  isFinished(derived: Derived): boolean {
    if (this.memory.ended) return true;
    return (
      openTracks({
        facts: this.memory.facts,
        clocks: derived.clocks,
        today: derived.today,
        openTaskCount: derived.tasks.length,
        activeInstrumentCount: this.memory.instruments.filter((i) => i.status === 'active').length,
      }).length === 0
    );
  }

  /**
   * The read model's row for `derived` (store/journeys.ts JourneyProjection, without journey id and
   * municipality, which the activity adds), with the next seq taken only by {@link takeProjectionSeq}.
   */
  projection(derived: Derived, runStatus: 'running' | 'completed', startedAt: string): Omit<JourneyProjectionRow, 'seq'> {
    const view = this.view(derived);
    return {
      regime: view.regime,
      phase: view.phase,
      runStatus,
      caseworker: view.caseworker,
      ...(nextFinalDate(derived.clocks) !== undefined ? { nextFinalDate: nextFinalDate(derived.clocks) } : {}),
      ...(derived.wakeUp !== undefined ? { nextWakeUp: derived.wakeUp } : {}),
      view,
      deadlines: deadlinesOf(derived.clocks),
      startedAt,
    };
  }

  /**
   * The next read-model seq, recorded in memory (carried across continue-as-new): the run's base plus
   * the history length of the current workflow task (`historyLength`, deterministic on replay), and
   * always above the previous one. A workflow task that failed after its write (a killed worker) is
   * retried at a longer history, so the retry's write outranks the lost attempt's instead of repeating
   * its seq with other content.
   */
  takeProjectionSeq(historyLength: number): number {
    this.memory.projectionSeq = Math.max((this.memory.projectionSeq ?? 0) + 1, this.projectionBase + historyLength);
    return this.memory.projectionSeq;
  }

  searchSummary(derived: Derived): JourneySearchSummary {
    const next = nextFinalDate(derived.clocks);
    return {
      municipality: this.memory.municipality,
      phase: derived.phase,
      regime: this.memory.facts.regime,
      ...(next !== undefined ? { nextFinalDate: next } : {}),
      overdue: derived.clocks.some((c) => c.status === 'overdue'),
      caseworker: this.memory.caseworker,
    };
  }

  /** The query's answer (and the read model's view): the contract's journey plus what an administrator needs. */
  view(derived: Derived = this.derive()): JourneyState {
    const m = this.memory;
    return {
      journeyId: this.input.journeyId,
      municipality: m.municipality,
      regime: m.facts.regime,
      phase: derived.phase,
      inburgeringsplicht: inburgeringsplicht(m.facts, derived.today),
      today: derived.today,
      policy: { id: m.policy.id, version: m.policy.version },
      caseworker: m.caseworker,
      clocks: derived.clocks.map((clock) => this.withReporter(clock)),
      milestones: m.facts,
      openTasks: derived.tasks.map((task) => ({ ...task, taskId: taskIdFor(this.input.journeyId, task.key) })),
      ...(derived.wakeUp !== undefined ? { nextWakeUp: derived.wakeUp } : {}),
      events: m.events,
      amendments: m.amendments,
      ladder: m.ladder,
      instruments: m.instruments,
      extensionRequests: m.extensionRequests,
      rejectedMessages: m.rejectedMessages ?? [],
      notificationsSent: this.sent.size,
      ...(m.ended ? { ended: m.ended } : {}),
    };
  }

  /**
   * A clock with who reported its anchor (contract v1.2 `basis.anchor.reportedBy`): the applied event of
   * the anchor's type and date in the timeline; absent once the bounded timeline has dropped it.
   */
  private withReporter(clock: Clock): Clock {
    const anchor = clock.basis?.anchor;
    if (anchor === undefined || clock.basis === undefined) return clock;
    const reported = [...this.memory.events].reverse().find((e) => e.outcome !== 'rejected' && e.type === anchor.event && e.occurredOn === anchor.occurredOn);
    if (reported === undefined) return clock;
    const reportedBy = reported.actor?.name ?? reported.source;
    return { ...clock, basis: { ...clock.basis, anchor: { ...anchor, reportedBy } } };
  }

  // ---- messages --------------------------------------------------------------------------------

  /**
   * A milestone: applied when new and admissible (domain/admission.ts), recorded as rejected with the
   * reason otherwise; a duplicate (same source + id within the window) changes nothing.
   */
  receiveEvent(event: JourneyEvent): 'applied' | 'duplicate' | 'rejected' {
    // A duplicate first: a resent extension is not "earlier than the current final date" it set itself.
    if (typeof event?.source === 'string' && typeof event.id === 'string' && this.seen.has(eventKey(event))) return 'duplicate';
    // Today's clocks only where a rule compares with them (most events are checked on their own).
    const clocks = typeof event?.type === 'string' && admissionNeedsJourney(event) ? this.tryDerive()?.clocks : [];
    const admission: Admission = clocks
      ? admitEvent(event, this.memory.facts, clocks, { crossField: this.options.crossFieldRules })
      : { ok: false, field: '(journey)', reason: 'the journey cannot compute its clocks' };
    let verdict = admission;
    let facts: JourneyFacts | undefined;
    // What a correction replaces, for the timeline (contract v1.2: "shown as a correction with what it replaced").
    const v12 = event?.correction === true ? (this.options.correctionsV12?.() ?? true) : false;
    const replaced = v12 && typeof event.type === 'string' && isEventType(event.type) ? factsOfType(this.memory.facts, event.type) : undefined;
    if (admission.ok) {
      try {
        facts = applyEvent(this.memory.facts, event, { withdrawals: v12 });
        // The rules are tried on new facts before they are kept; unchanged facts were computed with already.
        if (JSON.stringify(facts) !== JSON.stringify(this.memory.facts)) this.derive(facts);
      } catch (err) {
        verdict = { ok: false, field: '(event)', reason: `the rules cannot apply it: ${describe(err)}` };
      }
    }
    this.recordEvent(event, verdict, replaced);
    if (!verdict.ok || facts === undefined) return 'rejected';
    this.seen.add(eventKey(event));
    this.memory.facts = facts;
    this.changed = true;
    return 'applied';
  }

  /**
   * An administrator corrects the permit date and/or birth date (issue 21): the same rules as at the
   * start (domain/admission.ts admitStart), tried on the new facts before they are kept; recorded in the
   * timeline as a correction with its reason and what it replaced, or as refused with why.
   */
  correctPerson(c: PersonCorrection): void {
    if (typeof c?.id !== 'string' || typeof c.reason !== 'string' || (c.permitGrantedOn === undefined && c.birthDate === undefined)) {
      this.reject('correctPerson', 'a correction needs an id, a reason and a permit date or a birth date');
      return;
    }
    const key = { source: PERSON_CORRECTION_SOURCE, id: c.id };
    if (this.seen.has(eventKey(key))) return;
    const current = this.memory.facts;
    const next: JourneyFacts = {
      ...current,
      ...(c.permitGrantedOn !== undefined ? { permitGrantedOn: c.permitGrantedOn } : {}),
      ...(c.birthDate !== undefined ? { birthDate: c.birthDate } : {}),
    };
    let verdict: Admission = admitStart(next);
    if (verdict.ok) {
      try {
        this.derive(next);
      } catch (err) {
        verdict = { ok: false, field: '(correction)', reason: `the rules cannot apply it: ${describe(err)}` };
      }
    }
    const replaced: Partial<JourneyFacts> = {
      ...(c.permitGrantedOn !== undefined ? { permitGrantedOn: current.permitGrantedOn } : {}),
      ...(c.birthDate !== undefined && current.birthDate !== undefined ? { birthDate: current.birthDate } : {}),
    };
    // Not a milestone type: the timeline entry is written in the same shape (the type names what it was).
    const entry = {
      ...key,
      type: PERSON_CORRECTED,
      occurredOn: isSupportedDate(c.correctedOn) ? c.correctedOn : this.today(),
      data: {},
      receivedAt: new Date(this.now()).toISOString(),
      actor: { name: String(c.correctedBy), role: 'admin' as const },
      correction: true,
      reason: c.reason,
    } as unknown as JourneyEvent;
    this.recordEvent(entry, verdict, Object.keys(replaced).length > 0 ? replaced : undefined);
    if (!verdict.ok) return;
    this.seen.add(eventKey(key));
    this.memory.facts = next;
    this.changed = true;
  }

  /**
   * A caseworker confirmed an end for a reason outside the law's milestones (domain/journey-end.ts
   * END_REASONS): the journey ends whatever its tracks say ({@link derive}, {@link isFinished}). Recorded in
   * the timeline as {@link JOURNEY_ENDED}, by the caseworker, with the reason and the day it happened. A
   * resent signal, or a second end of a journey that ended, changes nothing; a malformed one is refused.
   */
  end(ending: EndJourney): void {
    if (typeof ending?.id !== 'string' || !isEndReason(ending.reason) || (ending.on !== undefined && !isSupportedDate(ending.on)) || !isSupportedDate(ending.confirmedOn)) {
      this.reject('endJourney', 'an end needs an id, a known reason, and supported dates');
      return;
    }
    const key = { source: JOURNEY_END_SOURCE, id: ending.id };
    if (this.seen.has(eventKey(key)) || this.memory.ended) return;
    const recorded: JourneyEnding = { reason: ending.reason, ...(ending.on !== undefined ? { on: ending.on } : {}), confirmedOn: ending.confirmedOn, confirmedBy: String(ending.confirmedBy).slice(0, 128) };
    // Not a milestone type: the timeline entry is written in the same shape (the type names what it was).
    const entry = {
      ...key,
      type: JOURNEY_ENDED,
      occurredOn: recorded.on ?? recorded.confirmedOn,
      data: { reason: recorded.reason },
      receivedAt: new Date(this.now()).toISOString(),
      actor: { name: recorded.confirmedBy, role: 'caseworker' as const },
    } as unknown as JourneyEvent;
    this.recordEvent(entry, { ok: true });
    this.seen.add(eventKey(key));
    this.memory.ended = recorded;
    this.changed = true;
  }

  /**
   * An administrator withdraws the end (a correction, contract v1.2): the journey runs again as if it had
   * not ended (its clocks, tasks and wake-ups come back from its facts). Recorded in the timeline as a
   * withdrawn {@link JOURNEY_ENDED} correction with its reason and the end it replaced. A resent one, or
   * one for a journey that has no end, changes nothing; a malformed one is refused.
   */
  withdrawEnd(withdrawal: WithdrawEnd): void {
    if (typeof withdrawal?.id !== 'string' || typeof withdrawal.reason !== 'string' || withdrawal.reason.trim() === '' || !isSupportedDate(withdrawal.withdrawnOn)) {
      this.reject('withdrawEnd', 'a withdrawal needs an id, a reason and a supported date');
      return;
    }
    const key = { source: JOURNEY_END_SOURCE, id: withdrawal.id };
    const ended = this.memory.ended;
    if (this.seen.has(eventKey(key)) || !ended) return;
    const entry = {
      ...key,
      type: JOURNEY_ENDED,
      occurredOn: withdrawal.withdrawnOn,
      data: { occurredOn: withdrawal.withdrawnOn, withdrawn: true },
      receivedAt: new Date(this.now()).toISOString(),
      actor: { name: String(withdrawal.withdrawnBy).slice(0, 128), role: 'admin' as const },
      correction: true,
      reason: withdrawal.reason,
    } as unknown as JourneyEvent;
    this.recordEvent(entry, { ok: true }, { ended } as unknown as Partial<JourneyFacts>);
    this.seen.add(eventKey(key));
    delete this.memory.ended;
    this.changed = true;
  }

  /** A new policy version for this journey (an administrator's amendment). */
  amendPolicy(amendment: PolicyAmendment): void {
    const policy = amendment?.policy;
    if (!this.admitPolicy('amendPolicy', policy, this.memory.caseworker)) return;
    this.logAmendment(policy, String(amendment.reason), String(amendment.amendedBy));
    this.memory.policy = policy;
    this.changed = true;
  }

  assignCaseworker(caseworker: Caseworker): void {
    if (!this.admitPolicy('assignCaseworker', this.memory.policy, caseworker ?? null)) return;
    this.memory.caseworker = typeof caseworker.id === 'string' ? { role: caseworker.role, id: caseworker.id } : { role: caseworker.role };
    this.changed = true;
  }

  /** The person moved: the new municipality's policy applies and its default team takes over (a warm hand-over). */
  move(move: MoveMunicipality): void {
    const { municipality, policy } = move ?? {};
    const caseworker = { role: policy?.defaultCaseworkerRole };
    if (typeof municipality !== 'string' || !this.admitPolicy('moveMunicipality', policy, caseworker)) return;
    // The typed reason is kept beside the (English, technical) log line, so a page can say it in its own words.
    const reason = typeof move.reason === 'string' && move.reason.length > 0 ? move.reason.slice(0, 500) : undefined;
    this.logAmendment(policy, `moved from ${this.memory.municipality} to ${municipality}`, String(move.movedBy), {
      from: this.memory.municipality,
      to: municipality,
      ...(reason !== undefined ? { reason } : {}),
    });
    this.memory.municipality = municipality;
    this.memory.policy = policy;
    this.memory.caseworker = caseworker;
    this.changed = true;
  }

  /** A ladder assessment, by signal or by a completed `assess-ladder` task: one path for both. */
  assessLadder(assessment: LadderAssessment): void {
    const rung = LadderRungSchema.safeParse(assessment?.rung);
    if (!rung.success || !isSupportedDate(assessment.assessedOn)) {
      this.reject('ladderAssessed', 'the rung must be 1-6 and assessedOn a supported date');
      return;
    }
    pushBounded(this.memory.ladder, { rung: rung.data, assessedOn: assessment.assessedOn, assessedBy: String(assessment.assessedBy) }, LIMITS.ladder);
    this.memory.caseworker = caseworkerAfterAssessment(this.memory.caseworker, rung.data, this.memory.policy);
    this.changed = true;
  }

  /** A caseworker completed a task: it stays done, and its form establishes its fact (domain/task-forms.ts). */
  completeTask(completion: TaskCompletion): void {
    if (typeof completion?.taskKey !== 'string' || !isSupportedDate(completion.completedOn) || typeof completion.form !== 'object' || completion.form === null) {
      this.reject('taskCompleted', 'a completion needs a task key, a supported completedOn date and a form');
      return;
    }
    if (this.completedTasks.has(completion.taskKey)) return;
    this.completedTasks.add(completion.taskKey);
    this.memory.completedTaskKeys.push(completion.taskKey);
    this.changed = true;
    const outcome = taskOutcome(completion.taskKey.split(':')[0] ?? '', completion.form, completion.completedOn);
    if (outcome.fact) {
      const { dateField: _dateField, ...fact } = outcome.fact;
      this.receiveEvent({
        ...fact,
        source: TASK_SOURCE,
        id: completion.taskKey,
        receivedAt: new Date(this.now()).toISOString(),
        actor: { name: completion.completedBy, role: 'caseworker' },
      });
    }
    if (outcome.rung !== undefined) {
      // The assess-ladder form's own date ("Beoordeeld op") was dropped before; journeys that completed one then replay as they ran.
      const assessedOn = outcome.assessedOn !== undefined && (this.options.formAssessedOn?.() ?? true) ? outcome.assessedOn : completion.completedOn;
      this.assessLadder({ rung: outcome.rung, assessedOn, assessedBy: completion.completedBy });
    }
    if (outcome.reassessment !== undefined && this.options.lawV11 !== false) this.reassess(completion.taskKey, outcome.reassessment, completion.completedBy);
  }

  /**
   * A completed `reassess-instrument:<instrumentId>:<endsOn>` task: an "extend" extends the instrument
   * within its limits, or is recorded as refused naming the limit; "stop" and "change" end it
   * (domain/instruments.ts reassessmentEffect). The instrument's workflow is told by signal.
   */
  private reassess(taskKey: string, reassessment: { decision: Parameters<typeof reassessmentEffect>[2]; assessedOn: LocalDate }, by: string): void {
    const instrument = this.instrument(taskKey.split(':')[1] ?? '');
    if (instrument === undefined || instrument.status !== 'active') return;
    const effect = reassessmentEffect(instrument.kind, instrument, reassessment.decision, reassessment.assessedOn, this.memory.policy);
    if (effect.action === 'refused') this.reject('reassess-instrument', `${instrument.instrumentId}: ${effect.reason} (${effect.rule})`);
    if (effect.action === 'extend') this.instrumentCommands.push({ instrumentId: instrument.instrumentId, action: 'extend', reassessedOn: reassessment.assessedOn, by });
    if (effect.action === 'end') this.instrumentCommands.push({ instrumentId: instrument.instrumentId, action: 'end', endedOn: effect.endedOn, reason: effect.reason, by });
    this.changed = true;
  }

  /** The update's validator: an extension request the rules allow (domain/extensions.ts). */
  checkExtensionRequest(request: ExtensionRequest): Admission {
    const derived = this.derive();
    const verdict = validateExtensionRequest(request, this.memory.facts, derived.clocks, derived.today);
    return verdict.ok ? { ok: true } : { ok: false, field: verdict.field ?? '(request)', reason: verdict.reason };
  }

  fileExtensionRequest(request: ExtensionRequest): void {
    pushBounded(this.memory.extensionRequests, { ...request, status: 'filed' }, LIMITS.extensionRequests);
    this.changed = true;
  }

  /**
   * The update's validator: the instrument's eligibility for this person (domain/instruments.ts), with
   * the age from the birth date and the distance from the latest ladder rung (long without one).
   */
  checkInstrumentStart(request: InstrumentRequest): { ok: true } | { ok: false; reason: string; rule?: string; field?: string; code?: string } {
    const birthDate = this.memory.facts.birthDate;
    if (!birthDate) return { ok: false, reason: 'birth date unknown: eligibility needs the age', field: 'birthDate', code: 'birth-date-missing' };
    if (!isSupportedDate(request.startedOn)) return { ok: false, reason: 'must be a supported date', field: 'startedOn' };
    const rung = this.memory.ladder[this.memory.ladder.length - 1];
    const { kind, startedOn, requestedBy: _requestedBy, ...stated } = request;
    const verdict = checkEligibility(kind, { ...stated, age: ageOn(birthDate, startedOn), distance: rung ? distanceForRung(rung.rung, this.memory.policy) : 'long' }, this.memory.policy);
    if (verdict.eligible) return { ok: true };
    // Without an assessment the distance is assumed long; a refusal on it names what is missing (issue 21).
    if (!rung && verdict.rule === `${kind}.distance`) {
      return {
        ok: false,
        reason: `no participation ladder assessment yet: ${kind} depends on the distance to the labour market, which the assessment sets (${verdict.reason})`,
        rule: verdict.rule,
        field: 'ladder',
        code: 'ladder-assessment-missing',
      };
    }
    return { ok: false, reason: verdict.reason, rule: verdict.rule };
  }

  /**
   * An instrument started: it is the first re-integration activity, so it meets the `reintegration-start`
   * clock as a `reintegration.started` report would (the earliest start counts, domain/facts.ts), and
   * the clock's task closes instead of asking for the same start again (issue 21).
   */
  instrumentStarted(instrumentId: string, request: InstrumentRequest): void {
    if (this.options.instrumentStartsReintegration?.() === false) return;
    this.receiveEvent({
      source: INSTRUMENT_SOURCE,
      id: instrumentId,
      type: 'nl.koers.reintegration.started',
      occurredOn: request.startedOn,
      data: { instrument: request.kind },
      receivedAt: new Date(this.now()).toISOString(),
      actor: { name: String(request.requestedBy), role: 'caseworker' },
    });
  }

  /** The next instrument's workflow id. Taken synchronously, before the start is awaited, so concurrent starts never share one. */
  nextInstrumentId(): string {
    const sequence = (this.memory.instrumentSequence ?? this.memory.instruments.length) + 1;
    this.memory.instrumentSequence = sequence;
    return `${this.input.journeyId}-instrument-${sequence}`;
  }

  instrument(instrumentId: string): InstrumentState | undefined {
    return this.memory.instruments.find((i) => i.instrumentId === instrumentId);
  }

  /** An instrument's workflow reports its state; the journey keeps the list an administrator sees. */
  instrumentChanged(state: InstrumentState): void {
    if (typeof state?.instrumentId !== 'string' || !isSupportedDate(state.endsOn) || !isSupportedDate(state.startedOn)) {
      this.reject('instrumentChanged', 'an instrument report needs an id and supported dates');
      return;
    }
    const list = this.memory.instruments;
    const index = list.findIndex((i) => i.instrumentId === state.instrumentId);
    if (index >= 0) list[index] = state;
    else list.push(state);
    const ended = list.filter((i) => i.status === 'ended');
    if (ended.length > LIMITS.endedInstruments) {
      const dropped = new Set(ended.slice(0, ended.length - LIMITS.endedInstruments));
      this.memory.instruments = list.filter((i) => !dropped.has(i));
    }
    this.changed = true;
  }

  checkInstrumentEnd(end: InstrumentEnd): Admission {
    const instrument = this.instrument(end.instrumentId);
    if (!instrument) return { ok: false, field: 'instrumentId', reason: 'no such instrument' };
    if (instrument.status === 'ended') return { ok: false, field: 'instrumentId', reason: 'instrument already ended' };
    if (!isSupportedDate(end.endedOn)) return { ok: false, field: 'endedOn', reason: 'must be a supported date' };
    return { ok: true };
  }

  // ---- internals -------------------------------------------------------------------------------

  /** {@link derive}, or undefined when the rules cannot compute with the state (never thrown into the workflow). */
  tryDerive(): Derived | undefined {
    try {
      return this.derive();
    } catch {
      return undefined;
    }
  }

  /** A policy (and team) the rules can compute with today; refused and recorded otherwise. */
  private admitPolicy(message: string, policy: Policy, caseworker: Caseworker | null): boolean {
    try {
      const parsed = PolicySchema.safeParse(policy);
      if (!parsed.success) throw new TypeError(`not a policy: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).slice(0, 3).join('; ')}`);
      if (!isOneOf(CASEWORKER_ROLES, caseworker?.role)) throw new TypeError('no caseworker role');
      this.derive(this.memory.facts, policy, caseworker as Caseworker);
      return true;
    } catch (err) {
      this.reject(message, `the rules cannot compute with it: ${describe(err)}`);
      return false;
    }
  }

  private logAmendment(to: Policy, reason: string, amendedBy: string, move?: AmendmentLogEntry['move']): void {
    pushBounded(
      this.memory.amendments,
      {
        at: new Date(this.now()).toISOString(),
        from: { id: this.memory.policy.id, version: this.memory.policy.version },
        to: { id: to.id, version: to.version },
        reason,
        amendedBy,
        ...(move ? { move } : {}),
      },
      LIMITS.amendments,
    );
  }

  /**
   * A message refused before any handler saw it (a payload Koers did not seal, workflows/interceptors.ts):
   * recorded among the rejected messages with its reason; nothing else changes.
   */
  refuseMessage(message: string, reason: string): void {
    this.reject(message.slice(0, 100), reason.slice(0, 500));
  }

  private reject(message: string, reason: string): void {
    this.memory.rejectedMessages ??= [];
    pushBounded(this.memory.rejectedMessages, { at: new Date(this.now()).toISOString(), message, reason }, LIMITS.rejectedMessages);
    this.changed = true;
  }

  private recordEvent(event: JourneyEvent, verdict: Admission, replaced?: Partial<JourneyFacts>): void {
    const text = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : '');
    const entry: EventLogEntry = {
      source: text(event?.source, 512),
      id: text(event?.id, 256),
      type: text(event?.type, 100),
      occurredOn: text(event?.occurredOn, 10),
      receivedAt: text(event?.receivedAt, 40) || new Date(this.now()).toISOString(),
      ...(event?.actor ? { actor: { name: text(event.actor.name, 128), role: event.actor.role } } : {}),
      ...(event?.correction === true ? { correction: true } : {}),
      ...(event?.correction === true && typeof event.reason === 'string' ? { reason: text(event.reason, 500) } : {}),
      ...(replaced !== undefined ? { replaced: replaced as Record<string, unknown> } : {}),
      ...(isWithdrawal(event) ? { withdrawn: true } : {}),
      ...(verdict.ok ? {} : { outcome: 'rejected' as const, rejection: { field: verdict.field, reason: verdict.reason.slice(0, 500) } }),
    };
    this.memory.events.push(entry);
    this.countEvent(entry);
    this.trimEvents();
    this.changed = true;
  }

  /** Keeps the timeline within its count and byte bounds, and the dedupe set with it. */
  private trimEvents(): void {
    const events = this.memory.events;
    while (events.length > LIMITS.events || (events.length > 1 && this.eventBytes > LIMITS.eventBytes)) {
      const dropped = events.shift() as EventLogEntry;
      this.eventBytes -= this.eventSizes.shift() ?? 0;
      this.seen.delete(eventKey(dropped));
    }
  }

  private countEvent(entry: EventLogEntry): void {
    const size = JSON.stringify(entry).length;
    this.eventSizes.push(size);
    this.eventBytes += size;
  }
}
