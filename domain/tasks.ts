/**
 * The caseworker tasks a journey wants open right now. Keys are stable per journey (kind, plus the
 * final date where a task can recur), so projecting twice is a no-op and a completed key stays done.
 * Every task follows its clock: follow-up date = the clock's target date, due date = its final date.
 */
import { addPeriod, dayAfter, isAfter, isBefore, type Period } from './dates';
import type { JourneyFacts } from './facts';
import { hasV11Rules } from './inburgeringsplicht';
import type { Policy } from './policy';
import type { InstrumentState } from './instruments';
import type { Caseworker, CaseworkerRole, Clock, ClockName, DesiredTask, LocalDate, TaskKind } from './types';

const isOpen = (c: Clock | undefined): c is Clock => c !== undefined && (c.status === 'running' || c.status === 'overdue');

function task(kind: TaskKind, clock: Clock, candidateGroup: CaseworkerRole, key: string = kind): DesiredTask {
  return { key, kind, candidateGroup, clock: clock.name, followUpDate: clock.targetDate, dueDate: clock.finalDate };
}

/**
 * A missed term goes to the policy's escalation role for a review, never to an automatic fine: since
 * the CJEU and Raad van State rulings (RvS 9 Jul 2025, 18 Feb 2026) standard fines for
 * asielstatushouders are barred (journey-rules.md, Wi2021 table, "DUO fines"). The key carries the
 * missed final date, so a new term missed again gets a new review.
 */
function reviewMissedTerm(clock: Clock, policy: Policy): DesiredTask {
  const missedOn = dayAfter(clock.finalDate);
  return {
    key: `review-missed-term:${clock.name}:${clock.finalDate}`,
    kind: 'review-missed-term',
    candidateGroup: policy.escalation.role,
    clock: clock.name,
    followUpDate: missedOn,
    dueDate: addPeriod(missedOn, policy.escalation.reviewWithin),
  };
}

/** Deterministic task id, so the workflow, the store and the API name a task without a lookup. */
export function taskIdFor(journeyId: string, taskKey: string): string {
  return `${journeyId}:${taskKey}`;
}

/** How long after the intake or an instrument's end the ladder assessment is due, when the policy sets none. */
export const DEFAULT_ASSESS_LADDER_WITHIN = { weeks: 4 } as const satisfies Period;

/** What the journey knows of the trajectory besides the facts: ladder assessments and instruments. */
export interface Trajectory {
  ladder: ReadonlyArray<{ assessedOn: LocalDate }>;
  instruments: ReadonlyArray<{ instrumentId: string; status: 'active' | 'ended'; endedOn?: LocalDate }>;
}

/**
 * The leerbaarheidstoets outcome of the brede intake as advice for the leerroute in the PIP (nt2.nl;
 * Divosa): B1 not feasible points to the Z-route; B1 feasible to the B1-route or, for young people, the
 * onderwijsroute. Advice only: the PIP decides.
 */
export function leerrouteAdvice(facts: JourneyFacts): string | undefined {
  if (facts.leerbaarheidstoets === undefined) return undefined;
  const on = facts.leerbaarheidstoetsOn === undefined ? '' : ` (${facts.leerbaarheidstoetsOn})`;
  return facts.leerbaarheidstoets === 'b1-not-feasible'
    ? `leerbaarheidstoets${on}: B1 not feasible, consider the Z-route`
    : `leerbaarheidstoets${on}: B1 feasible, consider the B1-route (or the onderwijsroute for a young person)`;
}

/**
 * `assess-ladder` tasks (seed §3.2.3: reassess the rung during and after a trajectory; §4.1 the rung
 * routes the journey): one at the intake, one after each instrument ends. A task is done by completing
 * it, or by any ladder assessment on or after its anchor day. It goes to the journey's caseworker role,
 * which the latest rung decides (ladder.ts routeForRung).
 */
function ladderTasks(facts: JourneyFacts, trajectory: Trajectory, policy: Policy, caseworkerRole: CaseworkerRole): DesiredTask[] {
  const within = policy.ladder.assessWithin ?? DEFAULT_ASSESS_LADDER_WITHIN;
  const assessedSince = (on: LocalDate) => trajectory.ladder.some((a) => !isBefore(a.assessedOn, on));
  const anchors: Array<{ key: string; on: LocalDate }> = [];
  if (facts.intakeHeldOn !== undefined) anchors.push({ key: 'assess-ladder:intake', on: facts.intakeHeldOn });
  for (const i of trajectory.instruments) {
    if (i.status === 'ended' && i.endedOn !== undefined) anchors.push({ key: `assess-ladder:${i.instrumentId}`, on: i.endedOn });
  }
  return anchors
    .filter((a) => !assessedSince(a.on))
    .map((a) => ({ key: a.key, kind: 'assess-ladder' as const, candidateGroup: caseworkerRole, followUpDate: a.on, dueDate: addPeriod(a.on, within) }));
}

/**
 * The tasks the journey wants open on `today`. With `trajectory` and the v1.1 rules, also the ladder
 * assessments and the leerbaarheidstoets advice on the PIP task; journeys on the earlier rules
 * (facts.ts `rules`) keep the tasks they had.
 */
export function desiredTasks(
  facts: JourneyFacts,
  clocks: readonly Clock[],
  policy: Policy,
  caseworkerRole: CaseworkerRole,
  today: LocalDate,
  trajectory?: Trajectory,
): DesiredTask[] {
  const v11 = hasV11Rules(facts);
  const clock = (name: ClockName): Clock | undefined => clocks.find((c) => c.name === name);
  /** Open and already started (the Wi2021 term starts the day after the PIP). */
  const active = (name: ClockName): Clock | undefined => {
    const c = clock(name);
    return isOpen(c) && !isAfter(c.startsOn, today) ? c : undefined;
  };
  const tasks: DesiredTask[] = [];
  const add = (kind: TaskKind, c: Clock | undefined): void => {
    if (c) tasks.push(task(kind, c, caseworkerRole));
  };

  if (facts.regime === 'wi2013') {
    // Intake within the policy's period after the bijstand application (seed §4.1; Bijlage 7).
    add('hold-intake', active('intake'));
    // After the intake a plan of approach (seed §4.1 conclusion); it must be there before the
    // re-integration has to start, so it follows that clock's dates.
    if (facts.intakeHeldOn !== undefined && facts.pipEstablishedOn === undefined) add('draw-up-plan', clock('reintegration-start'));
  } else {
    // Brede intake + PIP within 10 weeks (Besluit inburgering 2021 art. 5.3).
    add('draw-up-pip', active('pip'));
    const advice = v11 ? leerrouteAdvice(facts) : undefined;
    const pip = tasks.find((t) => t.kind === 'draw-up-pip');
    if (pip !== undefined && advice !== undefined) pip.advice = advice;
  }
  // Re-integration within 3 months of the intake (Bijlage 7); participation is mandatory.
  add('start-reintegration', active('reintegration-start'));
  // The municipality offers the PVT (art. 7(3) Wi2013; DUO under Wi2021) and the MAP (Wi2021). The
  // offer stays open when the term has passed: the duty to offer does not lapse with it.
  add('offer-participatieverklaring', active('participatieverklaring'));
  add('offer-map', active('map'));

  const inburgering = clock('inburgering');
  if (inburgering?.status === 'overdue') tasks.push(reviewMissedTerm(inburgering, policy));
  // Wi2013: the PVT has a term of its own (registration + 1 year); missing it is reviewed the same way.
  const pvt = clock('participatieverklaring');
  if (facts.regime === 'wi2013' && pvt?.status === 'overdue') tasks.push(reviewMissedTerm(pvt, policy));

  // Family reunification on favourable conditions in the first 3 months (seed §3.3).
  const family = clock('family-reunification');
  if (family?.status === 'running') add('check-family-reunification', family);

  if (v11 && trajectory !== undefined) tasks.push(...ladderTasks(facts, trajectory, policy, caseworkerRole));
  return tasks;
}

/**
 * A participatieplaats (and any instrument with reassessments) is reassessed before each expiry
 * (Participatiewet art. 10a(4); seed §3.2.3): once the instrument's workflow reports the notice period
 * has begun, the journey's caseworker gets a task due on the instrument's end. The key carries the end
 * date, so each term gets its own reassessment.
 */
export function instrumentReassessmentTasks(instruments: readonly InstrumentState[], candidateGroup: CaseworkerRole): DesiredTask[] {
  return instruments
    .filter((i) => i.status === 'active' && i.reassessmentDue === true && i.reassessBy !== undefined)
    .map((i) => ({
      key: `reassess-instrument:${i.instrumentId}:${i.endsOn}`,
      kind: 'reassess-instrument' as const,
      candidateGroup,
      followUpDate: i.reassessBy as LocalDate,
      dueDate: i.endsOn,
    }));
}

/**
 * Tasks go to the journey's team; once one caseworker of that team holds the journey, its tasks are
 * assigned to them directly (seed ch. 7: one caseworker keeps the lead).
 */
export function assignToCaseworker(tasks: readonly DesiredTask[], caseworker: Caseworker): DesiredTask[] {
  const id = caseworker.id;
  if (id === undefined) return [...tasks];
  return tasks.map((task) => (task.assignee === undefined && task.candidateGroup === caseworker.role ? { ...task, assignee: id } : task));
}
