/**
 * What a journey admits. Every input passes these checks twice: at the API (a 422 naming the field,
 * nothing changes) and inside the workflow (a signal that bypassed the API is recorded as rejected,
 * with the reason, and the journey goes on). One function per input, so both doors apply the same rules.
 *
 * Sources: contract v1.1 "Dates the service accepts" (1900-01-01..2199-12-31; a partner's newFinalDate
 * later than the current final date, an admin correction any date in range; a birth date not after
 * the permit); a PIP or plan of approach cannot precede the permit it follows from (Wi2021 art. 15,
 * Wi2013 art. 3: the plicht, and so its plan, starts with the permit).
 */
import { isAfter, isBefore, isSupportedDate, SUPPORTED_DATES } from './dates';
import { eventDataSchema, isEventType, isWithdrawal, WithdrawalDataSchema, type JourneyEvent } from './events';
import type { JourneyFacts } from './facts';
import type { Clock, LocalDate } from './types';

/** `ok`, or the first field that is wrong (a dotted path as in the API's problem details) and why. */
export type Admission = { ok: true } | { ok: false; field: string; reason: string };

const ADMITTED: Admission = { ok: true };
const refuse = (field: string, reason: string): Admission => ({ ok: false, field, reason });

/** CloudEvents `source` and `id` bounds: they are kept in the journey's dedupe window, so they are bounded. */
export const EVENT_KEY_LIMITS = { source: 512, id: 256 } as const;

/**
 * Text a key may hold: no control characters and no lone surrogates (CloudEvents 1.0 §"Type System",
 * String: "sequence of allowable Unicode characters").
 */
export function isWellFormedText(s: string): boolean {
  return !/[\u0000-\u001f\u007f-\u009f]/.test(s) && !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}

function dateRefusal(field: string, value: unknown): Admission | undefined {
  return isSupportedDate(value) ? undefined : refuse(field, `must be a calendar date YYYY-MM-DD between ${SUPPORTED_DATES.from} and ${SUPPORTED_DATES.to}`);
}

/**
 * The start of a journey: a permit date and an optional birth date the domain can compute with, the
 * birth date not after the permit (contract v1.1).
 */
export function admitStart(input: { permitGrantedOn: unknown; birthDate?: unknown }): Admission {
  const permit = dateRefusal('permitGrantedOn', input.permitGrantedOn);
  if (permit) return permit;
  if (input.birthDate === undefined) return ADMITTED;
  const birth = dateRefusal('birthDate', input.birthDate);
  if (birth) return birth;
  if (isAfter(input.birthDate as LocalDate, input.permitGrantedOn as LocalDate)) return refuse('birthDate', 'must not lie after permitGrantedOn');
  return ADMITTED;
}

/**
 * Whether {@link admitEvent} needs the journey's current state for this event beyond its shape (so the
 * API reads the journey first): a PIP against the permit, a partner's extension against the term.
 */
export function admissionNeedsJourney(event: Pick<JourneyEvent, 'type' | 'correction'>): boolean {
  return event.type === 'nl.koers.pip.established' || (event.type === 'nl.koers.extension.granted' && event.correction !== true);
}

/**
 * One milestone event against the journey as it stands. `clocks` are the journey's clocks today (the
 * extension rule compares with the inburgering clock's current final date). Pure; never throws, also
 * not on a value of the wrong type (a signal sent around the API may carry anything). With
 * `crossField: false` only the shape and the date range are checked (journeys started before v1.1
 * replay as they ran).
 */
export function admitEvent(event: JourneyEvent, facts: JourneyFacts, clocks: readonly Clock[], options: { crossField?: boolean } = {}): Admission {
  if (typeof event !== 'object' || event === null) return refuse('(event)', 'must be an object');
  if (typeof event.type !== 'string' || !isEventType(event.type)) return refuse('type', 'unknown event type');
  for (const field of ['source', 'id'] as const) {
    const value: unknown = event[field];
    if (typeof value !== 'string' || value.length === 0 || value.length > EVENT_KEY_LIMITS[field]) {
      return refuse(field, `must be 1-${EVENT_KEY_LIMITS[field]} characters`);
    }
    if (!isWellFormedText(value)) return refuse(field, 'must not contain control characters or lone surrogates');
  }
  const occurred = dateRefusal('data.occurredOn', event.occurredOn);
  if (occurred) return occurred;
  // A withdrawal (contract v1.2) carries none of its type's fields: the fact is gone, not replaced.
  const schema = isWithdrawal(event) ? WithdrawalDataSchema : eventDataSchema(event.type);
  const parsed = schema.safeParse({ ...(typeof event.data === 'object' && event.data !== null ? event.data : {}), occurredOn: event.occurredOn });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refuse(['data', ...(issue?.path ?? []).map(String)].join('.'), issue?.message ?? 'invalid data');
  }
  const data = parsed.data as Record<string, unknown>;
  if (options.crossField === false) return ADMITTED;

  if (isWithdrawal(event)) return ADMITTED;
  if (event.type === 'nl.koers.pip.established' && isBefore(event.occurredOn, facts.permitGrantedOn)) {
    return refuse('data.occurredOn', `a PIP or plan of approach must not lie before the permit (${facts.permitGrantedOn})`);
  }
  if (event.type === 'nl.koers.extension.granted' && event.correction !== true) {
    const current = clocks.find((c) => c.name === 'inburgering')?.finalDate;
    const newFinalDate = data.newFinalDate as LocalDate;
    if (current !== undefined && !isAfter(newFinalDate, current)) {
      return refuse('data.newFinalDate', `must be later than the current final date of the inburgering term (${current})`);
    }
  }
  return ADMITTED;
}
