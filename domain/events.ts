/**
 * The milestone events of the public contract (api-contract.md, "Report a milestone"): their types and
 * a schema for each one's `data`. The contract changes only by adding, so unknown data fields are
 * dropped rather than refused.
 */
import { z } from 'zod';
import { isAfter } from './dates';
import { BijstandDecisionSchema, DiplomaSchema, ExamRouteSchema, LeerrouteSchema, LocalDateSchema, OutflowReasonSchema } from './vocabulary';
import type { LocalDate } from './types';

export const EVENT_TYPES = [
  'nl.koers.brp.registered',
  'nl.koers.duo.notified',
  'nl.koers.bijstand.applied',
  'nl.koers.intake.held',
  'nl.koers.pip.established',
  'nl.koers.reintegration.started',
  'nl.koers.participatieverklaring.signed',
  'nl.koers.map.completed',
  'nl.koers.alphabetisation.started',
  'nl.koers.exam.passed',
  'nl.koers.extension.granted',
  'nl.koers.exemption.granted',
  // v1.1 (api-contract.md, "Additions (v1.1)")
  'nl.koers.diploma.recognised',
  'nl.koers.bijstand.decided',
  'nl.koers.bijstand.ended',
  // v1.2 (api-contract.md, "Additions (v1.2)"): the suspension of the decision term (Awb art. 4:15)
  'nl.koers.bijstand.completion-requested',
  'nl.koers.bijstand.completed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export function isEventType(s: string): s is EventType {
  return (EVENT_TYPES as readonly string[]).includes(s);
}

/** Every event: the date the milestone happened; clocks run from it, not from the report. */
const milestone = z.object({ occurredOn: LocalDateSchema });

const EVENT_DATA_SCHEMAS = {
  'nl.koers.brp.registered': milestone,
  'nl.koers.duo.notified': milestone,
  'nl.koers.bijstand.applied': milestone,
  /**
   * The (brede) intake; under Wi2021 it includes the leerbaarheidstoets, whose outcome ("B1 feasible or
   * not") steers the leerroute (nt2.nl). Optional, an addition to the contract.
   */
  'nl.koers.intake.held': milestone.extend({ leerbaarheidstoets: z.enum(['b1-feasible', 'b1-not-feasible']).optional() }),
  /**
   * The leerroute is chosen in the PIP (Wi2021). It is optional here because under Wi2013 the same event
   * records the municipal plan of approach, which has none.
   */
  'nl.koers.pip.established': milestone.extend({ leerroute: LeerrouteSchema.optional() }),
  'nl.koers.reintegration.started': milestone.extend({ instrument: z.string().min(1).max(100) }),
  'nl.koers.participatieverklaring.signed': milestone,
  'nl.koers.map.completed': milestone,
  'nl.koers.alphabetisation.started': milestone,
  'nl.koers.exam.passed': milestone.extend({ route: ExamRouteSchema }),
  /**
   * DUO's decision sets a new final date. The circumstance period is an optional addition to the
   * contract: when DUO passes it on, a later request for the same period can be refused ("never twice
   * for the same period", Stcrt 2022-33825).
   */
  'nl.koers.extension.granted': milestone.extend({
    newFinalDate: LocalDateSchema,
    circumstanceFrom: LocalDateSchema.optional(),
    circumstanceUntil: LocalDateSchema.optional(),
  }),
  'nl.koers.exemption.granted': milestone,
  'nl.koers.diploma.recognised': milestone.extend({ diploma: DiplomaSchema }),
  'nl.koers.bijstand.decided': milestone.extend({ decision: BijstandDecisionSchema }),
  'nl.koers.bijstand.ended': milestone.extend({ reason: OutflowReasonSchema }),
  /**
   * v1.2: the college asked the applicant to complete the application (Awb art. 4:5) and gave until
   * `respondBy`; the decision term is suspended from the next day (Awb art. 4:15(1)(a)).
   */
  'nl.koers.bijstand.completion-requested': milestone.extend({ respondBy: LocalDateSchema }),
  /** v1.2: the application was completed; the suspension ends that day (Awb art. 4:15(1)(a)). */
  'nl.koers.bijstand.completed': milestone,
} as const satisfies Record<EventType, z.ZodObject>;

export type EventData<T extends EventType = EventType> = z.infer<(typeof EVENT_DATA_SCHEMAS)[T]>;

/** The same table seen through a mapped type, so a lookup by a generic type keeps its data type. */
const SCHEMA_BY_TYPE: { [K in EventType]: z.ZodType<EventData<K>> } = EVENT_DATA_SCHEMAS;

/** The plain object schema of a type's `data` (no cross-field rule), for a boundary that makes it strict. */
export function eventDataObject(type: EventType): z.ZodObject {
  return EVENT_DATA_SCHEMAS[type];
}

/**
 * A rule between the fields of one event's data, beyond each field's own schema: a request to complete
 * the application gives a `respondBy` on or after the request (Awb art. 4:15). The issue's path within
 * `data`, or undefined. Kept apart from the object schemas so they stay extensible (api/events.ts
 * makes them strict at its boundary).
 */
export function eventDataIssue(type: EventType, data: Record<string, unknown>): { path: string[]; message: string } | undefined {
  if (type === 'nl.koers.bijstand.completion-requested' && typeof data.respondBy === 'string' && typeof data.occurredOn === 'string' && data.respondBy < data.occurredOn) {
    return { path: ['respondBy'], message: 'must not lie before occurredOn' };
  }
  return undefined;
}

/** A schema with {@link eventDataIssue} as its refinement. */
export function withDataRules<S extends z.ZodType>(type: EventType, schema: S): S {
  return schema.superRefine((data, ctx) => {
    const issue = eventDataIssue(type, data as Record<string, unknown>);
    if (issue) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  }) as unknown as S;
}

/**
 * The schema for an event type's `data`. With `today`, a milestone dated after today is refused at
 * `occurredOn` (the contract answers 422 for "a date in the future"); `newFinalDate` may of course lie
 * ahead.
 */
export function eventDataSchema<T extends EventType>(type: T, options: { today?: LocalDate } = {}): z.ZodType<EventData<T>> {
  const schema = withDataRules(type, SCHEMA_BY_TYPE[type]);
  const today = options.today;
  if (today === undefined) return schema;
  return schema.refine((d) => !isAfter(d.occurredOn, today), { message: 'must not be in the future', path: ['occurredOn'] });
}

export type ActorRole = 'admin' | 'caseworker' | 'partner';

/** A milestone as the journey records it. */
export interface JourneyEvent {
  /** CloudEvents `source`, e.g. `urn:nl:duo`. */
  source: string;
  /** CloudEvents `id`, unique per source. */
  id: string;
  type: EventType;
  /** The date the milestone happened (`data.occurredOn`). */
  occurredOn: LocalDate;
  data: Record<string, unknown>;
  /** RFC 3339 instant of receipt; recorded, never used by a rule (rules run on occurredOn). */
  receivedAt: string;
  actor?: { name: string; role: ActorRole };
  /**
   * A correction (contract v1.2: asked for explicitly with the CloudEvents extension `koerscorrection`;
   * before v1.2 every admin event): replaces the fact instead of competing with it (see facts.ts).
   */
  correction?: boolean;
  /** Why a correction was made (`koersreason`); present on every correction since v1.2. */
  reason?: string;
}

/**
 * The data of a correction that withdraws a milestone (contract v1.2, `data.withdrawn: true`): only the
 * date of the withdrawal, none of the type's own fields (the fact is gone, not replaced).
 */
export const WithdrawalDataSchema = milestone.extend({ withdrawn: z.literal(true) });

/** A correction that withdraws its type's milestone (contract v1.2). */
export function isWithdrawal(event: Pick<JourneyEvent, 'correction' | 'data'> | undefined): boolean {
  const data: unknown = event?.data;
  return event?.correction === true && typeof data === 'object' && data !== null && (data as { withdrawn?: unknown }).withdrawn === true;
}

/**
 * Dedupe key: the same source + id is the same event (CloudEvents 1.0 §id). A JSON array of the two,
 * so no pair of strings can produce another pair's key (a separator character could occur in either).
 */
export function eventKey(e: Pick<JourneyEvent, 'source' | 'id'>): string {
  return JSON.stringify([e.source, e.id]);
}
