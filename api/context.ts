import type { TaskStore } from '../store/tasks';
import type { PersonIndex } from '../store/persons';
import type { Outbox } from '../store/outbox';
import type { JourneySignals } from '../store/journey-signals';
import type { JourneySignalRelay } from './journey-signals';
import type { StaffPseudonyms } from '../store/staff-pseudonyms';
import type { JourneyReadModel } from '../store/journeys';
import type { PolicyVersions } from '../store/policies';
import type { StaffDirectory } from '../staff/directory';
import type { Identity } from './identity';
import type { StoredProcessingLog } from '../processing-log';
import type { AuditStore } from './audit-store';
import type { ApiMetrics } from './metrics';
import type { JourneyRun, JourneyStatus, TemporalGateway } from './temporal';
import { databaseUnavailable } from '../store/errors';
import type { BackPressure } from './back-pressure';
import type { JourneyEventBudget } from './limits';
import { mayAccessMunicipality, type ApiKeys, type Principal } from './auth';
import { notFound } from './problem';
import type { Brp } from '../chain/brp';

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
  /** Each municipality's current policy, amendments included (store/policies.ts): what new journeys start with. */
  policies: PolicyVersions;
  outbox?: Outbox;
  /** The staff directory (staff/directory.ts): whom work may be given to. */
  staff: StaffDirectory;
  /** Signals a store write owes a journey: queued in the write's transaction, then delivered by `relay`. */
  journeySignals: JourneySignals;
  relay: JourneySignalRelay;
  /** The processing log (processing-log/index.ts): one record per processing of personal data. */
  processingLog: StoredProcessingLog;
  logger: ApiLogger;
  metrics: ApiMetrics;
  /** Load shedding for the routes that give the workers work (back-pressure.ts): `before` middleware. */
  backPressure: BackPressure;
  /** The API keys in force: which key may send under which CloudEvents source (`mayUseSource`). */
  keys: Pick<ApiKeys, 'mayUseSource'>;
  /** New events per journey per day (api/limits.ts): a 429 beyond it. */
  eventBudget: JourneyEventBudget;
  now: () => number;
  /** Today in Europe/Amsterdam, `YYYY-MM-DD`. */
  today: () => string;
  /** Staff ids go to Temporal as pseudonyms when set (store/staff-pseudonyms.ts). */
  staffPseudonyms?: StaffPseudonyms;
  /** The BRP API Personen (chain/brp); absent: this deployment has no BRP. */
  brp?: Brp;
  /** Pinned in each new journey's input: its runs continue as new past this many history events (KOERS_MAX_HISTORY_EVENTS). */
  maxHistoryEvents?: number;
}

/**
 * The journey's municipality, if the caller may see the journey. A journey the caller may not see
 * answers 404 exactly like one that does not exist, so its existence does not leak.
 */
export async function visibleJourney(ctx: ApiContext, principal: Principal, journeyId: string): Promise<JourneyRun> {
  // The read model first: every event and command checks access, and a describe per request is a
  // Temporal round trip that fails under load. Temporal itself for a journey without a row (started
  // before the read model) or while the store cannot be reached.
  const found = (await storedRun(ctx, journeyId)) ?? (await ctx.temporal.municipalityOf(journeyId));
  if (!found || !mayAccessMunicipality(principal, found.municipality)) throw notFound('journey');
  return found;
}

/** A journey's run as its read-model row has it (the monitor sets a stopped status); undefined without a row or store. */
async function storedRun(ctx: ApiContext, journeyId: string): Promise<JourneyRun | undefined> {
  try {
    const row = await ctx.journeys.run(journeyId);
    if (!row) return undefined;
    const status = row.runStatus as JourneyStatus;
    // Like Temporal's RUNNING: a journey whose workflow task keeps failing still takes signals.
    return { municipality: row.municipality, running: status === 'running' || status === 'workflow-task-failing', status, phase: row.phase, regime: row.regime };
  } catch (err) {
    if (!databaseUnavailable(err)) throw err;
    return undefined;
  }
}
