/**
 * A request to DUO to extend the inburgeringstermijn, checked before the municipality files it. DUO
 * decides; this only refuses what cannot succeed, naming the field, so the caseworker can fix it.
 */
import { addMonths, isAfter, isBefore, isLocalDate } from './dates';
import type { JourneyFacts } from './facts';
import type { Clock, LocalDate, Regime } from './types';

/**
 * Grounds per regime:
 * - Wi2013 (seed §3.1.4): illness, pregnancy, or ≥300 hours of lessons at a Blik op Werk school with
 *   every missing exam part tried at least twice.
 * - Wi2021 (inburgeren.nl; Stcrt 2022-33825): illness > 3 months of the person or direct family (request
 *   only after 2.5 years of the term), birth of a child (+16 weeks), special individual circumstances
 *   of ≥ 3 months, a non-exempting course.
 */
export const EXTENSION_GROUNDS = {
  wi2013: ['illness', 'pregnancy', 'lessons'],
  wi2021: ['illness', 'birth', 'special-circumstances', 'course'],
} as const satisfies Record<Regime, readonly string[]>;

export type ExtensionGround = (typeof EXTENSION_GROUNDS)[Regime][number];

/** Wi2013 "lessons" ground (seed §3.1.4). */
export const MIN_LESSON_HOURS = 300;
export const MIN_ATTEMPTS_PER_MISSING_PART = 2;
/** Wi2021: an illness must last more than 3 months; special circumstances at least 3 months. */
export const MIN_CIRCUMSTANCE_MONTHS = 3;
/** Wi2021: an illness extension may be requested only after 2.5 years of the term. */
export const ILLNESS_REQUEST_AFTER_MONTHS = 30;

export interface ExtensionRequestInput {
  ground: string;
  requestedOn: LocalDate;
  circumstanceFrom?: LocalDate;
  circumstanceUntil?: LocalDate;
  lessonHours?: number;
  attemptsPerMissingPart?: number;
}

type Refusal = { ok: false; field: string; reason: string };
export type ExtensionVerdict = { ok: true } | Refusal;

const refuse = (field: string, reason: string): Refusal => ({ ok: false, field, reason });
const OK: ExtensionVerdict = { ok: true };

function checkDates(r: ExtensionRequestInput, today: LocalDate): ExtensionVerdict {
  // Checked as untrusted input: the request arrives through an update from the API.
  if (typeof r.requestedOn !== 'string' || !isLocalDate(r.requestedOn)) return refuse('requestedOn', 'required: a calendar date YYYY-MM-DD');
  for (const field of ['circumstanceFrom', 'circumstanceUntil'] as const) {
    const value = r[field];
    if (value !== undefined && (typeof value !== 'string' || !isLocalDate(value))) return refuse(field, 'must be a calendar date YYYY-MM-DD');
  }
  // What has happened cannot lie ahead; the end of a circumstance may (an expected recovery, a leave).
  if (isAfter(r.requestedOn, today)) return refuse('requestedOn', 'must not be in the future');
  if (r.circumstanceFrom !== undefined && isAfter(r.circumstanceFrom, today)) return refuse('circumstanceFrom', 'must not be in the future');
  if (r.circumstanceFrom !== undefined && r.circumstanceUntil !== undefined && isBefore(r.circumstanceUntil, r.circumstanceFrom)) {
    return refuse('circumstanceUntil', 'must not precede circumstanceFrom');
  }
  return OK;
}

/**
 * The state of the journey must allow a request at all; state refusals name the field `journey`.
 * When it does, the running (or overdue) term is handed on.
 */
function checkState(r: ExtensionRequestInput, facts: JourneyFacts, term: Clock | undefined): Refusal | { ok: true; term: Clock } {
  if (facts.exemptedOn !== undefined || term?.status === 'waived') {
    return refuse('journey', `exempted on ${facts.exemptedOn ?? term?.settledOn}: there is no term left to extend`);
  }
  if (term?.status === 'met') return refuse('journey', `the inburgeringsplicht was met on ${term.settledOn}`);
  if (term === undefined) return refuse('journey', 'the inburgeringstermijn has not started (Wi2021: no PIP yet)');
  if (isBefore(r.requestedOn, term.startsOn)) return refuse('requestedOn', `must not precede the start of the term (${term.startsOn})`);
  return { ok: true, term };
}

function requireFrom(r: ExtensionRequestInput, what: string): ExtensionVerdict {
  return r.circumstanceFrom === undefined ? refuse('circumstanceFrom', `required: ${what}`) : OK;
}

/** At least (or, strictly, more than) 3 months between from and until. */
function requireDuration(r: ExtensionRequestInput, strictlyMore: boolean): ExtensionVerdict {
  if (r.circumstanceFrom === undefined) return refuse('circumstanceFrom', 'required: when the circumstance began');
  if (r.circumstanceUntil === undefined) return refuse('circumstanceUntil', 'required: when the circumstance ended or is expected to end');
  const threshold = addMonths(r.circumstanceFrom, MIN_CIRCUMSTANCE_MONTHS);
  const long = strictlyMore ? isAfter(r.circumstanceUntil, threshold) : !isBefore(r.circumstanceUntil, threshold);
  return long ? OK : refuse('circumstanceUntil', `the circumstance must last ${strictlyMore ? 'more than' : 'at least'} ${MIN_CIRCUMSTANCE_MONTHS} months`);
}

type GroundCheck = (r: ExtensionRequestInput, term: Clock) => ExtensionVerdict;

const GROUND_CHECKS: { [R in Regime]: Record<(typeof EXTENSION_GROUNDS)[R][number], GroundCheck> } = {
  wi2013: {
    illness: (r) => requireFrom(r, 'when the illness began'),
    pregnancy: (r) => requireFrom(r, 'when the pregnancy (leave) began'),
    lessons: (r) => {
      if ((r.lessonHours ?? 0) < MIN_LESSON_HOURS) return refuse('lessonHours', `at least ${MIN_LESSON_HOURS} hours of lessons at a Blik op Werk school`);
      if ((r.attemptsPerMissingPart ?? 0) < MIN_ATTEMPTS_PER_MISSING_PART) {
        return refuse('attemptsPerMissingPart', `every missing exam part must have been tried at least ${MIN_ATTEMPTS_PER_MISSING_PART} times`);
      }
      return OK;
    },
  },
  wi2021: {
    illness: (r, term) => {
      const allowedFrom = addMonths(term.startsOn, ILLNESS_REQUEST_AFTER_MONTHS);
      if (isBefore(r.requestedOn, allowedFrom)) return refuse('requestedOn', `an illness extension can be requested only after 2.5 years of the term (from ${allowedFrom})`);
      return requireDuration(r, true);
    },
    birth: (r) => requireFrom(r, 'the date of birth'),
    'special-circumstances': (r) => requireDuration(r, false),
    course: (r) => requireFrom(r, 'when the course began'),
  },
};

function groundCheck(regime: Regime, ground: string): GroundCheck | undefined {
  const checks: Record<string, GroundCheck> = GROUND_CHECKS[regime];
  return Object.prototype.hasOwnProperty.call(checks, ground) ? checks[ground] : undefined;
}

/**
 * Never twice for the same period (Stcrt 2022-33825): refused when the circumstance overlaps the period
 * of an extension already granted. Only grants whose period DUO passed on can be compared.
 */
function checkNotTwice(r: ExtensionRequestInput, facts: JourneyFacts): ExtensionVerdict {
  if (r.circumstanceFrom === undefined) return OK;
  const from = r.circumstanceFrom;
  const until = r.circumstanceUntil ?? from;
  const clash = facts.extensions.find(
    (g) => g.circumstanceFrom !== undefined && !isAfter(g.circumstanceFrom, until) && !isBefore(g.circumstanceUntil ?? g.circumstanceFrom, from),
  );
  return clash === undefined
    ? OK
    : refuse('circumstanceFrom', `an extension was already granted on ${clash.grantedOn} for (part of) this period; never twice for the same period`);
}

/**
 * Whether a request can be filed: real dates not in the future, a term that is running or overdue
 * (not before the PIP, not after exemption, not once met), a ground of the journey's regime with what
 * it needs, and no second extension for the same period.
 */
export function validateExtensionRequest(
  request: ExtensionRequestInput,
  facts: JourneyFacts,
  clocks: readonly Clock[],
  today: LocalDate,
): ExtensionVerdict {
  const dates = checkDates(request, today);
  if (!dates.ok) return dates;
  const state = checkState(request, facts, clocks.find((c) => c.name === 'inburgering'));
  if (!state.ok) return state;
  const check = groundCheck(facts.regime, request.ground);
  if (check === undefined) return refuse('ground', `not a ground under ${facts.regime}: use one of ${EXTENSION_GROUNDS[facts.regime].join(', ')}`);
  const ground = check(request, state.term);
  if (!ground.ok) return ground;
  return checkNotTwice(request, facts);
}
