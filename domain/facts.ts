/**
 * The facts of a journey: what has happened and when, folded from milestone events.
 *
 * Partners report independently and out of order (a late DUO message, a backdated BRP registration),
 * so `applyEvent` is ORDER-INDEPENDENT for partner events: every fact is a join in a fixed total
 * order (the earliest milestone, the latest leerroute choice, the union of extension grants), so any
 * permutation of the same events gives equal facts, and applying an event twice changes nothing.
 *
 * Reports by staff (caseworkers, admins: contract v1.2) fold like partner events. A correction
 * (`correction: true`: asked for explicitly since v1.2, every admin event before) is different on
 * purpose: it replaces the fact, or with `data.withdrawn` removes it, and from then on reports no longer
 * move that fact (so a correction cannot be undone by a partner's stale resend, whatever the arrival
 * order). Corrections among themselves apply in arrival order.
 */
import { addPeriod, compareDates, dayAfter, isAfter, isLocalDate } from './dates';
import { eventDataSchema, isWithdrawal, type EventData, type EventType, type JourneyEvent } from './events';
import type { BijstandDecision, Diploma, ExamRoute, Leerroute, LocalDate, OutflowReason, Regime } from './types';

export interface LeerrouteChoice {
  on: LocalDate;
  leerroute: Leerroute;
}

/** A request to complete the bijstand application (Awb art. 4:5): when it was made, and until when. */
export interface CompletionRequest {
  on: LocalDate;
  respondBy: LocalDate;
}

/** A DUO extension decision. */
export interface ExtensionGrant {
  grantedOn: LocalDate;
  newFinalDate: LocalDate;
  circumstanceFrom?: LocalDate;
  circumstanceUntil?: LocalDate;
}

export interface JourneyFacts {
  regime: Regime;
  permitGrantedOn: LocalDate;
  birthDate?: LocalDate;
  brpRegisteredOn?: LocalDate;
  duoNotifiedOn?: LocalDate;
  bijstandAppliedOn?: LocalDate;
  intakeHeldOn?: LocalDate;
  /** Outcome of the leerbaarheidstoets at the brede intake (Wi2021), when reported. */
  leerbaarheidstoets?: 'b1-feasible' | 'b1-not-feasible';
  leerbaarheidstoetsOn?: LocalDate;
  /**
   * The FIRST PIP (Wi2021) or plan of approach (Wi2013): the Wi2021 term starts the day after the date
   * on the first PIP, and a later PIP change does not move it (Wi2021 art. 11).
   */
  pipEstablishedOn?: LocalDate;
  /** The leerroute of the most recent PIP that names one within the switching window (nt2.nl). */
  leerroute?: Leerroute;
  leerrouteChosenOn?: LocalDate;
  /** Every leerroute a PIP named, in date order; `leerroute` is derived from them. */
  leerrouteChoices?: LeerrouteChoice[];
  reintegrationStartedOn?: LocalDate;
  reintegrationInstrument?: string;
  participatieverklaringSignedOn?: LocalDate;
  mapCompletedOn?: LocalDate;
  alphabetisationStartedOn?: LocalDate;
  examPassedOn?: LocalDate;
  examRoute?: ExamRoute;
  /** Every extension DUO granted, deduplicated, in a fixed order. */
  extensions: ExtensionGrant[];
  /** The final date set by the most recent grant (ties: the later date); replaces the computed one. */
  extensionFinalDate?: LocalDate;
  exemptedOn?: LocalDate;
  /** The first Dutch diploma reported that frees from the plicht (contract v1.1), and when it was obtained. */
  diplomaRecognisedOn?: LocalDate;
  diploma?: Diploma;
  /** The college's first decision on the bijstand application (contract v1.1). */
  bijstandDecidedOn?: LocalDate;
  bijstandDecision?: BijstandDecision;
  /** The outflow: the day the right to bijstand ended and why (contract v1.1; seed: "doorstroom naar werk"). */
  bijstandEndedOn?: LocalDate;
  outflowReason?: OutflowReason;
  /**
   * v1.2: the college's requests to complete the bijstand application (Awb art. 4:5) with the day each
   * gave to respond, and the days the application was completed; together they suspend the decision
   * term (Awb art. 4:15, participatiewet.ts). Sets in a fixed order, so arrival order never matters.
   */
  completionRequests?: CompletionRequest[];
  completedOn?: LocalDate[];
  /**
   * `v1.0`: the journey started before the v1.1 rules (who is inburgeringsplichtig, the Participatiewet
   * track, the journey-end rule) and keeps the rules it started under, so its history replays. Absent:
   * the current rules. `v1.1`: started under the v1.1 rules but before the v1.2 ones (the Algemene
   * termijnenwet, the statutes' conditions of issue 22), and keeps those. Set by the workflow at start,
   * never by an event.
   */
  rules?: 'v1.0' | 'v1.1';
  /** Event types whose facts an admin corrected; partner events of these types are ignored. */
  corrected: EventType[];
}

/** The Wet inburgering 2021 applies to a plicht that started on or after this date (art. 54 Wi2021). */
export const WI2021_FROM: LocalDate = '2022-01-01';

/** Regime by permit date: before 1 Jan 2022 the person stays under Wi2013 (art. 54 Wi2021). */
export function regimeForPermit(permitGrantedOn: LocalDate): Regime {
  return compareDates(permitGrantedOn, WI2021_FROM) < 0 ? 'wi2013' : 'wi2021';
}

export function initialFacts(input: { regime?: Regime; permitGrantedOn: LocalDate; birthDate?: LocalDate; rules?: 'v1.0' | 'v1.1' }): JourneyFacts {
  return {
    regime: input.regime ?? regimeForPermit(input.permitGrantedOn),
    permitGrantedOn: input.permitGrantedOn,
    ...(input.birthDate !== undefined ? { birthDate: input.birthDate } : {}),
    ...(input.rules !== undefined ? { rules: input.rules } : {}),
    extensions: [],
    corrected: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Joins: each takes the current value and a candidate and keeps one by a fixed total order.
// ---------------------------------------------------------------------------------------------

/** Strings ordered by code unit (never locale-dependent: this runs in the workflow sandbox). */
function compareText(a: string | undefined, b: string | undefined): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The earlier (date, tag) pair; the tag breaks ties so the arrival order never matters. */
function earlier<T extends { on: LocalDate; tag?: string }>(current: T | undefined, candidate: T): T {
  if (current === undefined) return candidate;
  const c = compareDates(candidate.on, current.on) || compareText(candidate.tag, current.tag);
  return c < 0 ? candidate : current;
}

function compareGrants(a: ExtensionGrant, b: ExtensionGrant): number {
  return (
    compareDates(a.grantedOn, b.grantedOn) ||
    compareDates(a.newFinalDate, b.newFinalDate) ||
    compareText(a.circumstanceFrom, b.circumstanceFrom) ||
    compareText(a.circumstanceUntil, b.circumstanceUntil)
  );
}

function withGrant(grants: readonly ExtensionGrant[], grant: ExtensionGrant): ExtensionGrant[] {
  if (grants.some((g) => compareGrants(g, grant) === 0)) return [...grants];
  return [...grants, grant].sort(compareGrants);
}

/** The most recent decision replaces the earlier ones; on the same day the later final date wins. */
function effectiveFinalDate(grants: readonly ExtensionGrant[]): LocalDate | undefined {
  return grants.length === 0 ? undefined : grants[grants.length - 1]?.newFinalDate;
}

// ---------------------------------------------------------------------------------------------
// One rule per event type.
// ---------------------------------------------------------------------------------------------

type DateFact =
  | 'brpRegisteredOn'
  | 'duoNotifiedOn'
  | 'bijstandAppliedOn'
  | 'intakeHeldOn'
  | 'participatieverklaringSignedOn'
  | 'mapCompletedOn'
  | 'alphabetisationStartedOn'
  | 'exemptedOn';

type Reducer<T extends EventType> = (facts: JourneyFacts, on: LocalDate, data: EventData<T>, replace: boolean) => JourneyFacts;

/**
 * A milestone that is a single date: the earliest report counts (the first registration starts the
 * PVT year, the first intake is the intake, …). A repeated report with a later date is not a restart.
 */
function dateFact(fact: DateFact): Reducer<EventType> {
  return (facts, on, _data, replace) => {
    const current = facts[fact];
    const value = replace || current === undefined ? on : earlier({ on: current }, { on }).on;
    return { ...facts, [fact]: value };
  };
}

/**
 * The leerroute may be switched within 18 months of the term start, the day after the first PIP
 * (nt2.nl; Divosa). A later PIP that names another leerroute does not switch it any more.
 */
export const LEERROUTE_SWITCH_WINDOW = { months: 18 } as const;

/** Every leerroute choice is kept, so the effective one can be derived whatever order PIPs arrive in. */
function withChoice(choices: readonly LeerrouteChoice[], choice: LeerrouteChoice): LeerrouteChoice[] {
  const order = (a: LeerrouteChoice, b: LeerrouteChoice) => compareDates(a.on, b.on) || compareText(a.leerroute, b.leerroute);
  if (choices.some((c) => order(c, choice) === 0)) return [...choices];
  return [...choices, choice].sort(order);
}

function effectiveLeerroute(facts: JourneyFacts): JourneyFacts {
  const { leerroute: _route, leerrouteChosenOn: _chosen, ...rest } = facts;
  if (facts.pipEstablishedOn === undefined) return rest;
  const lastDay = addPeriod(dayAfter(facts.pipEstablishedOn), LEERROUTE_SWITCH_WINDOW);
  const inWindow = (facts.leerrouteChoices ?? []).filter((c) => !isAfter(c.on, lastDay));
  const chosen = inWindow[inWindow.length - 1];
  return chosen === undefined ? rest : { ...rest, leerroute: chosen.leerroute, leerrouteChosenOn: chosen.on };
}

const applyPip: Reducer<'nl.koers.pip.established'> = (facts, on, data, replace) => {
  const choice = data.leerroute === undefined ? [] : [{ on, leerroute: data.leerroute }];
  if (replace) {
    // A correction replaces the whole PIP fact: its date and its leerroute (or none). A PIP set again or
    // changed is no correction but a partner's (or caseworker's) report, which keeps the first PIP's date
    // (Wi2021 art. 11(3)); since v1.2 a correction is asked for explicitly (koerscorrection).
    return effectiveLeerroute({ ...facts, pipEstablishedOn: on, leerrouteChoices: choice });
  }
  const pipEstablishedOn = facts.pipEstablishedOn === undefined ? on : earlier({ on: facts.pipEstablishedOn }, { on }).on;
  const leerrouteChoices = choice.reduce(withChoice, facts.leerrouteChoices ?? []);
  return effectiveLeerroute({ ...facts, pipEstablishedOn, leerrouteChoices });
};

/**
 * The first intake is the intake. The leerbaarheidstoets outcome is that of the most recent test
 * reported (a retest may follow), so the latest (date, outcome) pair wins whatever the arrival order.
 */
const applyIntake: Reducer<'nl.koers.intake.held'> = (facts, on, data, replace) => {
  const next = dateFact('intakeHeldOn')(facts, on, data, replace);
  if (data.leerbaarheidstoets === undefined) {
    if (!replace) return next;
    // A correction replaces the whole intake fact, its outcome too (as a PIP correction replaces the leerroute).
    const { leerbaarheidstoets: _outcome, leerbaarheidstoetsOn: _on, ...rest } = next;
    return rest;
  }
  const current = facts.leerbaarheidstoets !== undefined && facts.leerbaarheidstoetsOn !== undefined && !replace
    ? { on: facts.leerbaarheidstoetsOn, tag: facts.leerbaarheidstoets }
    : undefined;
  const candidate = { on, tag: data.leerbaarheidstoets };
  const latest = current === undefined || (compareDates(on, current.on) || compareText(candidate.tag, current.tag)) > 0 ? candidate : current;
  return { ...next, leerbaarheidstoets: latest.tag, leerbaarheidstoetsOn: latest.on };
};

const applyReintegration: Reducer<'nl.koers.reintegration.started'> = (facts, on, data, replace) => {
  const current =
    facts.reintegrationStartedOn !== undefined ? { on: facts.reintegrationStartedOn, tag: facts.reintegrationInstrument ?? '' } : undefined;
  const first = replace ? { on, tag: data.instrument } : earlier(current, { on, tag: data.instrument });
  return { ...facts, reintegrationStartedOn: first.on, reintegrationInstrument: first.tag };
};

const applyExam: Reducer<'nl.koers.exam.passed'> = (facts, on, data, replace) => {
  const current = facts.examPassedOn !== undefined && facts.examRoute !== undefined ? { on: facts.examPassedOn, tag: facts.examRoute } : undefined;
  const first = replace ? { on, tag: data.route } : earlier(current, { on, tag: data.route });
  return { ...facts, examPassedOn: first.on, examRoute: first.tag };
};

const applyExtension: Reducer<'nl.koers.extension.granted'> = (facts, on, data, replace) => {
  const grant: ExtensionGrant = {
    grantedOn: on,
    newFinalDate: data.newFinalDate,
    ...(data.circumstanceFrom !== undefined ? { circumstanceFrom: data.circumstanceFrom } : {}),
    ...(data.circumstanceUntil !== undefined ? { circumstanceUntil: data.circumstanceUntil } : {}),
  };
  const extensions = replace ? [grant] : withGrant(facts.extensions, grant);
  const extensionFinalDate = effectiveFinalDate(extensions);
  return { ...facts, extensions, ...(extensionFinalDate !== undefined ? { extensionFinalDate } : {}) };
};

/**
 * A dated fact with a tag (diploma, decision, outflow reason): the earliest (date, tag) pair wins, so any
 * arrival order gives the same fact; a correction replaces it.
 */
function taggedFact<T extends EventType, Tag extends string>(
  onKey: keyof JourneyFacts,
  tagKey: keyof JourneyFacts,
  tagOf: (data: EventData<T>) => Tag,
): Reducer<T> {
  return (facts, on, data, replace) => {
    const currentOn = facts[onKey] as LocalDate | undefined;
    const currentTag = facts[tagKey] as Tag | undefined;
    const current = currentOn !== undefined && currentTag !== undefined ? { on: currentOn, tag: currentTag } : undefined;
    const first = replace ? { on, tag: tagOf(data) } : earlier(current, { on, tag: tagOf(data) });
    return { ...facts, [onKey]: first.on, [tagKey]: first.tag };
  };
}

const byDate = (a: LocalDate, b: LocalDate): number => compareDates(a, b);

/** v1.2: a request to complete the application joins the set (same day and term: the same request). */
const applyCompletionRequest: Reducer<'nl.koers.bijstand.completion-requested'> = (facts, on, data, replace) => {
  const request: CompletionRequest = { on, respondBy: data.respondBy };
  const current = replace ? [] : (facts.completionRequests ?? []);
  if (current.some((r) => r.on === request.on && r.respondBy === request.respondBy)) return facts;
  const completionRequests = [...current, request].sort((a, b) => byDate(a.on, b.on) || byDate(a.respondBy, b.respondBy));
  return { ...facts, completionRequests };
};

/** v1.2: a completion of the application joins the set of completion days. */
const applyCompleted: Reducer<'nl.koers.bijstand.completed'> = (facts, on, _data, replace) => {
  const current = replace ? [] : (facts.completedOn ?? []);
  if (current.includes(on)) return facts;
  return { ...facts, completedOn: [...current, on].sort(byDate) };
};

/** One rule per event type; the mapped type ties each rule to its type's data. */
const REDUCERS: { [K in EventType]: Reducer<K> } = {
  'nl.koers.brp.registered': dateFact('brpRegisteredOn'),
  'nl.koers.duo.notified': dateFact('duoNotifiedOn'),
  'nl.koers.bijstand.applied': dateFact('bijstandAppliedOn'),
  'nl.koers.intake.held': applyIntake,
  'nl.koers.pip.established': applyPip,
  'nl.koers.reintegration.started': applyReintegration,
  'nl.koers.participatieverklaring.signed': dateFact('participatieverklaringSignedOn'),
  'nl.koers.map.completed': dateFact('mapCompletedOn'),
  'nl.koers.alphabetisation.started': dateFact('alphabetisationStartedOn'),
  'nl.koers.exam.passed': applyExam,
  'nl.koers.extension.granted': applyExtension,
  'nl.koers.exemption.granted': dateFact('exemptedOn'),
  'nl.koers.diploma.recognised': taggedFact<'nl.koers.diploma.recognised', Diploma>('diplomaRecognisedOn', 'diploma', (d) => d.diploma),
  'nl.koers.bijstand.decided': taggedFact<'nl.koers.bijstand.decided', BijstandDecision>('bijstandDecidedOn', 'bijstandDecision', (d) => d.decision),
  'nl.koers.bijstand.ended': taggedFact<'nl.koers.bijstand.ended', OutflowReason>('bijstandEndedOn', 'outflowReason', (d) => d.reason),
  'nl.koers.bijstand.completion-requested': applyCompletionRequest,
  'nl.koers.bijstand.completed': applyCompleted,
};

function reduce<T extends EventType>(type: T, facts: JourneyFacts, on: LocalDate, data: unknown, replace: boolean): JourneyFacts | undefined {
  const parsed = eventDataSchema(type).safeParse(data);
  if (!parsed.success) return undefined;
  const reducer: Reducer<T> = REDUCERS[type];
  return reducer(facts, on, parsed.data, replace);
}

/**
 * The facts each event type establishes: what a withdrawal removes and what a correction shows it
 * replaced (contract v1.2). The mapped type makes a new event type name its facts.
 */
export const FACTS_OF_TYPE: { [K in EventType]: ReadonlyArray<keyof JourneyFacts> } = {
  'nl.koers.brp.registered': ['brpRegisteredOn'],
  'nl.koers.duo.notified': ['duoNotifiedOn'],
  'nl.koers.bijstand.applied': ['bijstandAppliedOn'],
  'nl.koers.intake.held': ['intakeHeldOn', 'leerbaarheidstoets', 'leerbaarheidstoetsOn'],
  'nl.koers.pip.established': ['pipEstablishedOn', 'leerroute', 'leerrouteChosenOn', 'leerrouteChoices'],
  'nl.koers.reintegration.started': ['reintegrationStartedOn', 'reintegrationInstrument'],
  'nl.koers.participatieverklaring.signed': ['participatieverklaringSignedOn'],
  'nl.koers.map.completed': ['mapCompletedOn'],
  'nl.koers.alphabetisation.started': ['alphabetisationStartedOn'],
  'nl.koers.exam.passed': ['examPassedOn', 'examRoute'],
  'nl.koers.extension.granted': ['extensions', 'extensionFinalDate'],
  'nl.koers.exemption.granted': ['exemptedOn'],
  'nl.koers.diploma.recognised': ['diplomaRecognisedOn', 'diploma'],
  'nl.koers.bijstand.decided': ['bijstandDecidedOn', 'bijstandDecision'],
  'nl.koers.bijstand.ended': ['bijstandEndedOn', 'outflowReason'],
  'nl.koers.bijstand.completion-requested': ['completionRequests'],
  'nl.koers.bijstand.completed': ['completedOn'],
};

/**
 * The facts of one event type as they stand (what a correction of that type replaces), or undefined
 * when none is known. An empty list (no extension granted) counts as none.
 */
export function factsOfType(facts: JourneyFacts, type: EventType): Partial<JourneyFacts> | undefined {
  const entries = FACTS_OF_TYPE[type]
    .map((key) => [key, facts[key]] as const)
    .filter(([, value]) => value !== undefined && !(Array.isArray(value) && value.length === 0));
  return entries.length === 0 ? undefined : (Object.fromEntries(entries) as Partial<JourneyFacts>);
}

/** The facts without those of `type` (an empty list where the facts keep one). */
function withoutFactsOf(facts: JourneyFacts, type: EventType): JourneyFacts {
  const next: Record<string, unknown> = { ...facts };
  for (const key of FACTS_OF_TYPE[type]) delete next[key];
  if (type === 'nl.koers.extension.granted') next.extensions = [];
  return next as unknown as JourneyFacts;
}

/**
 * The facts after one more event. Pure; an event whose data does not match its type's schema changes
 * nothing (the API and the workflow refuse such events before they get here). The regime is fixed at
 * the start of the journey and never changed by an event.
 */
export function applyEvent(facts: JourneyFacts, event: JourneyEvent, options: { withdrawals?: boolean } = {}): JourneyFacts {
  if (!isLocalDate(event.occurredOn)) return facts;
  const correction = event.correction === true;
  if (!correction && facts.corrected.includes(event.type)) return facts;
  // A withdrawal (contract v1.2) is a correction to "none": like any correction it holds against later
  // partner events of its type, so any arrival order of partner events gives the same facts.
  const withdrawal = options.withdrawals !== false && isWithdrawal(event) && event.type in FACTS_OF_TYPE;
  const next = withdrawal
    ? effectiveLeerroute(withoutFactsOf(facts, event.type))
    : reduce(event.type, facts, event.occurredOn, { ...event.data, occurredOn: event.occurredOn }, correction);
  if (next === undefined) return facts;
  if (!correction || next.corrected.includes(event.type)) return next;
  return { ...next, corrected: [...next.corrected, event.type].sort() };
}

/** Folds events in the given order (partner events: any order gives the same facts). */
export function applyEvents(facts: JourneyFacts, events: readonly JourneyEvent[]): JourneyFacts {
  return events.reduce((f, e) => applyEvent(f, e), facts);
}
