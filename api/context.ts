import type { TaskStore } from '../store/tasks';
import type { PersonIndex } from '../store/persons';
import type { Outbox } from '../store/outbox';
import type { StaffPseudonyms } from '../store/staff-pseudonyms';
import type { JourneyReadModel } from '../store/journeys';
import type { Identity } from './identity';
import type { AuditStore } from './audit-store';
import type { ApiMetrics } from './metrics';
import type { JourneyRun, TemporalGateway } from './temporal';
import type { BackPressure } from './back-pressure';
import { mayAccessMunicipality, type Principal } from './auth';
import { notFound } from './problem';

/** What a log line may carry: ids of cases and keys, route patterns, outcomes; never personal data. */
export interface ApiLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Everything the route modules share. */
export interface ApiContext {
  temporal: TemporalGateway;
  identity: Identity;
  audit: AuditStore;
  tasks: TaskStore;
  persons: PersonIndex;
  /** The journeys read model (store/journeys.ts): what GET and the lists read. */
  journeys: JourneyReadModel;
  outbox?: Outbox;
  logger: ApiLogger;
  metrics: ApiMetrics;
  /** Load shedding for the routes that give the workers work (back-pressure.ts): `before` middleware. */
  backPressure: BackPressure;
  now: () => number;
  /** Today in Europe/Amsterdam, `YYYY-MM-DD`. */
  today: () => string;
  /** Staff ids go to Temporal as pseudonyms when set (store/staff-pseudonyms.ts). */
  staffPseudonyms?: StaffPseudonyms;
  /** Pinned in each new journey's input: its runs continue as new past this many history events (KOERS_MAX_HISTORY_EVENTS). */
  maxHistoryEvents?: number;
}

/**
 * The journey's municipality, if the caller may see the journey. A journey the caller may not see
 * answers 404 exactly like one that does not exist, so its existence does not leak.
 */
export async function visibleJourney(ctx: ApiContext, principal: Principal, journeyId: string): Promise<JourneyRun> {
  const found = await ctx.temporal.municipalityOf(journeyId);
  if (!found || !mayAccessMunicipality(principal, found.municipality)) throw notFound('journey');
  return found;
}
