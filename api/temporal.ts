/**
 * The API's only door to Temporal: every call is timed in the metrics, and Temporal's errors become
 * problems here (not found → 404, ended journey → 409, a rejected Update → 422 with its reason,
 * Temporal or the journey's worker out of reach → 503 with Retry-After, always within the deadline).
 */
import {
  isGrpcDeadlineError,
  isGrpcServiceError,
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowExecutionStatusName,
} from '@temporalio/client';
import { ApplicationFailure, TypedSearchAttributes, type SearchAttributePair, type SearchAttributeUpdatePair } from '@temporalio/common';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import type { QueryDefinition, SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { eventSignal, JOURNEY_WORKFLOW, memoryQuery, stateQuery, withdrawEndSignal, type JourneyState, type StartJourneyInput, type WithdrawEnd } from '../workflows/definitions';
import type { JourneyMemory } from '../workflows/journey-state';
import type { JourneyEvent } from '../domain/events';
import { amendmentProgressQuery, POLICY_AMENDMENT_WORKFLOW, type PolicyAmendmentInput, type PolicyAmendmentReport } from '../workflows/policy-amendment';
import { deleteJourneyRuns } from '../platform/erasure';
import { municipalityKey, phaseKey, regimeKey } from '../platform/search-attributes';
import type { ApiMetrics } from './metrics';
import { Problem } from './problem';

export class JourneyAlreadyExists extends Error {}

/**
 * One type of the journeys' task queue (workflow or activity tasks) as Temporal's DescribeTaskQueue
 * `stats` report it: approximate, refreshed by the server every few seconds.
 */
export interface QueueBacklog {
  /** Age of the oldest task waiting for a worker, in seconds; 0 when none waits. */
  ageSeconds: number;
  /** Tasks waiting. */
  count: number;
  /** Tasks handed to workers per second, lately. */
  dispatchPerSecond: number;
}

/** The journeys' task queue: its workflow and its activity tasks (sticky queues not included). */
export interface TaskQueueBacklog {
  workflow: QueueBacklog;
  activity: QueueBacklog;
}

/**
 * Where a journey's run stands, for people: Temporal's execution status, except that a running journey
 * whose workflow task has failed {@link FAILING_TASK_ATTEMPTS} times in a row is `workflow-task-failing`
 * (it runs, but applies nothing until its code or data is fixed). Only `running` and `completed` have
 * clocks worth showing.
 */
export const JOURNEY_STATUSES = ['running', 'workflow-task-failing', 'completed', 'failed', 'terminated', 'timed-out', 'canceled'] as const;
export type JourneyStatus = (typeof JOURNEY_STATUSES)[number];

/** From the third attempt on, a workflow task is failing, not hiccuping (the first retry follows at once). */
export const FAILING_TASK_ATTEMPTS = 3;

/** Visibility's ExecutionStatus names (as in list queries) of each status visibility knows. */
export const EXECUTION_STATUS_NAMES: Record<Exclude<JourneyStatus, 'workflow-task-failing'>, string> = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  terminated: 'Terminated',
  'timed-out': 'TimedOut',
  canceled: 'Canceled',
};

/** The client's status name (RUNNING, TIMED_OUT, …) and the pending workflow task's attempt as a {@link JourneyStatus}. */
export function runStatus(statusName: WorkflowExecutionStatusName, workflowTaskAttempt: number): JourneyStatus {
  switch (statusName) {
    case 'RUNNING':
      return workflowTaskAttempt >= FAILING_TASK_ATTEMPTS ? 'workflow-task-failing' : 'running';
    case 'COMPLETED':
      return 'completed';
    case 'TERMINATED':
      return 'terminated';
    case 'TIMED_OUT':
      return 'timed-out';
    case 'CANCELLED':
      return 'canceled';
    default:
      // FAILED, and what a latest run should never be (CONTINUED_AS_NEW, PAUSED, UNKNOWN): someone must look.
      return 'failed';
  }
}

export interface JourneyRun {
  municipality: string;
  /** Temporal runs it (whatever its workflow task does): it takes signals. */
  running: boolean;
  status: JourneyStatus;
  phase?: string;
  regime?: string;
  /** When the run ended (ISO-8601 UTC), if it has. */
  closedAt?: string;
}

/** Our own deadline passed (the client's retries of an unreachable server may sleep past the gRPC deadline). */
class TemporalTimeout extends Error {
  override readonly name = 'TemporalTimeout';
}

export interface GatewayTimeouts {
  /** Deadline of each Temporal call (default 10 s); the answer comes by then, a 503 if Temporal has not. */
  timeoutMs?: number;
  /**
   * Deadline of a query (default 3 s). A running worker answers in milliseconds; without one the server
   * would hold the query for about 9 s and then refuse it, so waiting longer tells the caller nothing.
   */
  queryTimeoutMs?: number;
}

export class TemporalGateway {
  /** Deadline of each Temporal call, ms; a batch of events has one such deadline in all (api/events.ts). */
  readonly timeoutMs: number;
  private readonly queryTimeoutMs: number;

  constructor(
    private readonly client: Client,
    private readonly metrics: ApiMetrics,
    readonly taskQueue: string,
    timeouts: GatewayTimeouts = {},
  ) {
    this.timeoutMs = timeouts.timeoutMs ?? 10_000;
    this.queryTimeoutMs = Math.min(timeouts.queryTimeoutMs ?? 3_000, this.timeoutMs);
  }

  /**
   * Every call is timed and ends by its deadline: an unreachable server (the client retries it), a
   * busy one, or a journey without a worker (a query waits for one) ends in a 503 with Retry-After the
   * caller can act on, not a hung request or a 500. Other errors pass on for the caller to map.
   */
  private call<T>(operation: string, fn: () => Promise<T>, timeoutMs = this.timeoutMs): Promise<T> {
    return this.metrics.timeTemporal(operation, async () => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TemporalTimeout(`${operation} took longer than ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        return await Promise.race([this.client.withDeadline(Date.now() + timeoutMs, fn), late]);
      } catch (err) {
        throw unavailable(err, operation) ?? err;
      } finally {
        clearTimeout(timer);
      }
    });
  }

  /** Starts a journey with its search attributes (platform/search-attributes.ts; a `null` value is left out). */
  async start(input: StartJourneyInput, searchAttributes: SearchAttributeUpdatePair[]): Promise<void> {
    try {
      await this.call('start', () =>
        this.client.workflow.start(JOURNEY_WORKFLOW, {
          workflowId: input.journeyId,
          taskQueue: this.taskQueue,
          args: [input],
          // A journey id is derived from municipality + personRef: a second create must fail even after the first has ended.
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: new TypedSearchAttributes(searchAttributes.filter((pair): pair is SearchAttributePair => pair.value !== null)),
        }),
      );
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw new JourneyAlreadyExists(input.journeyId);
      throw err;
    }
  }

  /**
   * Starts the workflow that amends the listed journeys (workflows/policy-amendment.ts) under `amendmentId`;
   * the same id again (a retried request) starts nothing and answers the same id.
   */
  async startAmendment(amendmentId: string, input: PolicyAmendmentInput): Promise<void> {
    try {
      await this.call('start', () =>
        this.client.workflow.start(POLICY_AMENDMENT_WORKFLOW, { workflowId: amendmentId, taskQueue: this.taskQueue, args: [input], workflowIdReusePolicy: 'REJECT_DUPLICATE' }),
      );
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return;
      throw err;
    }
  }

  /** An amendment's report so far (running) or in all (completed); undefined when there is no such amendment. */
  async amendmentReport(amendmentId: string): Promise<PolicyAmendmentReport | undefined> {
    return this.query(amendmentId, amendmentProgressQuery);
  }

  /**
   * The journey's municipality and run status from Temporal's record of the run (no worker needed);
   * undefined when there is no such journey.
   */
  async municipalityOf(journeyId: string): Promise<JourneyRun | undefined> {
    try {
      const description = await this.call('describe', () => this.client.workflow.getHandle(journeyId).describe());
      if (description.type !== JOURNEY_WORKFLOW) return undefined;
      const municipality = description.typedSearchAttributes.get(municipalityKey);
      if (!municipality) return undefined;
      const status = runStatus(description.status.name, description.raw.pendingWorkflowTask?.attempt ?? 0);
      return {
        municipality,
        running: description.status.name === 'RUNNING',
        status,
        phase: description.typedSearchAttributes.get(phaseKey),
        regime: description.typedSearchAttributes.get(regimeKey),
        ...(description.closeTime ? { closedAt: description.closeTime.toISOString() } : {}),
      };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      // A describe reads Temporal's own record of the run: short of "no such run", a refusal means Temporal
      // is not answering well now (under load it failed with codes the generic mapping does not know: a 500).
      if (err instanceof ServiceError) throw Problem.unavailable('Service unavailable', 'Temporal did not answer in time; try again shortly.');
      throw err;
    }
  }

  /**
   * How far the workers are behind on the journeys' task queue: DescribeTaskQueue with `reportStats`
   * (server 1.27+) for the workflow and the activity queue. Sticky queues are not counted (their tasks
   * fall back to this queue within seconds). A short deadline: the API's load shedding (back-pressure.ts)
   * asks this at most once a second and lets traffic through without it.
   */
  async backlog(timeoutMs = 1000): Promise<TaskQueueBacklog> {
    const { namespace } = this.client.options;
    const describe = async (taskQueueType: temporal.api.enums.v1.TaskQueueType): Promise<QueueBacklog> => {
      const { stats } = await this.call('describe-task-queue', () => this.client.workflowService.describeTaskQueue({ namespace, taskQueue: { name: this.taskQueue }, taskQueueType, reportStats: true }), Math.min(timeoutMs, this.timeoutMs));
      const age = stats?.approximateBacklogAge;
      return { ageSeconds: Number(age?.seconds ?? 0) + (age?.nanos ?? 0) / 1e9, count: Number(stats?.approximateBacklogCount ?? 0), dispatchPerSecond: stats?.tasksDispatchRate ?? 0 };
    };
    const [workflow, activity] = await Promise.all([describe(temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW), describe(temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)]);
    return { workflow, activity };
  }

  async state(journeyId: string): Promise<JourneyState | undefined> {
    return this.query(journeyId, stateQuery);
  }

  /** A query needs a worker; without one it answers 503 by the query deadline. */
  async query<T>(journeyId: string, def: QueryDefinition<T, []>): Promise<T | undefined> {
    try {
      return await this.call('query', () => this.client.workflow.getHandle(journeyId).query(def), this.queryTimeoutMs);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  /** Resolves once Temporal has durably accepted the signal; `timeoutMs` shortens the call's deadline (what is left of a batch's). */
  async signal<A>(journeyId: string, def: SignalDefinition<[A]>, arg: A, timeoutMs = this.timeoutMs): Promise<void> {
    try {
      await this.call('signal', () => this.client.workflow.getHandle(journeyId).signal(def, arg), Math.max(1, Math.min(timeoutMs, this.timeoutMs)));
    } catch (err) {
      throw asProblem(err);
    }
  }

  /**
   * Hands a milestone to the journey (contract v1.2): to the running run by signal; a journey that
   * ended (completed) runs again under the same id with everything it knew (see {@link reopenJourney}).
   * Resolves once Temporal has durably accepted the event.
   */
  async signalEvent(journeyId: string, event: JourneyEvent, timeoutMs = this.timeoutMs): Promise<'signalled' | 'reopened'> {
    const within = Math.max(1, Math.min(timeoutMs, this.timeoutMs));
    try {
      await this.call('signal', () => this.client.workflow.getHandle(journeyId).signal(eventSignal, event), within);
      return 'signalled';
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw asProblem(err);
    }
    try {
      const reopened = await this.call('reopen', () => reopenJourney(this.client, this.taskQueue, journeyId, event), within);
      if (!reopened) throw Problem.journeyEnded();
      return 'reopened';
    } catch (err) {
      throw asProblem(err);
    }
  }

  /**
   * Withdraws a journey's end for a reason (an administrator's correction; see {@link withdrawJourneyEnd}):
   * the ended journey runs again under the same id. Resolves once Temporal has durably accepted it; a
   * journey with no such end is a 409 (`journey-not-ended`).
   */
  async withdrawEnd(journeyId: string, withdrawal: WithdrawEnd): Promise<void> {
    let withdrawn: boolean;
    try {
      withdrawn = await this.call('reopen', () => withdrawJourneyEnd(this.client, this.taskQueue, journeyId, withdrawal));
    } catch (err) {
      throw asProblem(err);
    }
    if (!withdrawn) throw new Problem(409, 'Conflict', 'The journey did not end for a reason that can be withdrawn.', undefined, { code: 'journey-not-ended' });
  }

  /** Runs an Update; a validator's rejection (an ApplicationFailure) becomes a 422 naming its field or rule. */
  async update<R, A>(journeyId: string, def: UpdateDefinition<R, [A]>, arg: A): Promise<R> {
    try {
      return await this.call('update', () => this.client.workflow.getHandle(journeyId).executeUpdate(def, { args: [arg] }));
    } catch (err) {
      throw asProblem(err);
    }
  }

  /** Ends (if running) and deletes every run of the journey and its instruments; returns the number of runs. */
  async erase(journeyId: string): Promise<number> {
    return this.call('erase', () => deleteJourneyRuns(this.client, journeyId));
  }

  /**
   * The input the current run was started with: the first event of its history, one page of one event.
   * The BSN ciphertext lives there and nowhere else; continue-as-new passes the same input on, so the
   * latest run's first event always has it.
   */
  async startInput(journeyId: string): Promise<StartJourneyInput | undefined> {
    const { namespace } = this.client.options;
    try {
      const response = await this.call('history', () =>
        this.client.workflowService.getWorkflowExecutionHistory({ namespace, execution: { workflowId: journeyId }, maximumPageSize: 1 }),
      );
      const started = response.history?.events?.[0]?.workflowExecutionStartedEventAttributes;
      if (!started) return undefined;
      return await decodeFromPayloadsAtIndex<StartJourneyInput>(this.client.workflow.options.loadedDataConverter, 0, started.input?.payloads);
    } catch (err) {
      if ((err as { code?: number }).code === 5 /* gRPC NOT_FOUND */) return undefined;
      throw err;
    }
  }
}

/**
 * A journey that ended takes a later milestone (contract v1.2, "A journey that ended takes a track that
 * starts later"): a new run of the same workflow id starts with the ended run's input and memory (asked
 * by `memoryQuery`, which a worker answers by replaying the ended run) and the event, by signal-with-
 * start, so a racing second event lands in the same new run. Its facts, timeline, tasks and earlier
 * runs stay reachable under the same journeyId; the run writes the read model with a higher seq; the
 * person index keeps pointing at the same journey, so `POST /v1/journeys` stays a 409. Only a
 * completed run is reopened: a terminated, failed or erased one is not, nor one that ended for a reason
 * outside the law's milestones (domain/journey-end.ts END_REASONS; false).
 */
export async function reopenJourney(client: Client, taskQueue: string, journeyId: string, event: JourneyEvent): Promise<boolean> {
  // A journey that ended for a reason (the person died, emigrated) takes no later milestone.
  return reopenWith(client, taskQueue, journeyId, eventSignal, event, (memory) => !memory.ended);
}

/**
 * An administrator's withdrawal of an end confirmed by mistake (workflows/definitions.ts WithdrawEnd): the
 * ended journey runs again by the same door as {@link reopenJourney}, with the withdrawal as its signal;
 * false when the journey did not end for a reason (nothing to withdraw) or cannot be reopened.
 */
export async function withdrawJourneyEnd(client: Client, taskQueue: string, journeyId: string, withdrawal: WithdrawEnd): Promise<boolean> {
  return reopenWith(client, taskQueue, journeyId, withdrawEndSignal, withdrawal, (memory) => memory.ended !== undefined);
}

/** Signals a running journey, or starts a new run of a completed one with its memory when `takes` it (see {@link reopenJourney}). */
async function reopenWith<A>(client: Client, taskQueue: string, journeyId: string, signal: SignalDefinition<[A]>, arg: A, takes: (memory: JourneyMemory) => boolean): Promise<boolean> {
  const handle = client.workflow.getHandle(journeyId);
  const description = await handle.describe();
  if (description.type !== JOURNEY_WORKFLOW) return false;
  if (description.status.name === 'RUNNING') {
    await handle.signal(signal, arg);
    return true;
  }
  if (description.status.name !== 'COMPLETED') return false;
  const memory = await handle.query(memoryQuery);
  if (!takes(memory)) return false;
  const { namespace } = client.options;
  const response = await client.workflowService.getWorkflowExecutionHistory({ namespace, execution: { workflowId: journeyId, runId: description.runId }, maximumPageSize: 1 });
  const started = response.history?.events?.[0]?.workflowExecutionStartedEventAttributes;
  if (!started) return false;
  const input = await decodeFromPayloadsAtIndex<StartJourneyInput>(client.workflow.options.loadedDataConverter, 0, started.input?.payloads);
  await client.workflow.signalWithStart(JOURNEY_WORKFLOW, {
    workflowId: journeyId,
    taskQueue,
    args: [input, memory],
    signal,
    signalArgs: [arg],
    // Only this door starts a second run: POST /v1/journeys keeps REJECT_DUPLICATE.
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    typedSearchAttributes: new TypedSearchAttributes(description.typedSearchAttributes.getAll()),
  });
  return true;
}

// gRPC status codes (grpc/doc/statuscodes.md).
const GRPC = { DEADLINE_EXCEEDED: 4, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, UNAVAILABLE: 14 } as const;

/** The gRPC status code of an error or of one of its causes (the client wraps them in ServiceError). */
function grpcCode(err: unknown): number | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isGrpcServiceError(e)) return e.code;
    if (isGrpcDeadlineError(e)) return GRPC.DEADLINE_EXCEEDED;
  }
  return undefined;
}

/**
 * The 503 for an error that says Temporal, or the worker a query needs, is not there now; undefined
 * for any other error. A query refused with FAILED_PRECONDITION is the server's "no worker polls this
 * task queue": the journey is fine, its worker is down.
 */
function unavailable(err: unknown, operation: string): Problem | undefined {
  if (err instanceof Problem) return undefined;
  const code = err instanceof TemporalTimeout ? GRPC.DEADLINE_EXCEEDED : grpcCode(err);
  const needsWorker = operation === 'query' || operation === 'update';
  if (needsWorker && (code === GRPC.FAILED_PRECONDITION || code === GRPC.DEADLINE_EXCEEDED)) {
    return Problem.unavailable('Journey unavailable', 'The journey did not answer in time: its worker is not running or is busy; try again shortly.');
  }
  if (code === GRPC.UNAVAILABLE) return Problem.unavailable('Service unavailable', 'Temporal cannot be reached; try again shortly.');
  if (code === GRPC.DEADLINE_EXCEEDED) return Problem.unavailable('Service unavailable', 'Temporal did not answer in time; try again shortly.');
  if (code === GRPC.RESOURCE_EXHAUSTED) return Problem.unavailable('Service unavailable', 'Temporal is busy; try again shortly.', 10);
  return undefined;
}

/** Temporal's errors as the caller should see them; anything unknown stays an error (a 500, logged). */
export function asProblem(err: unknown): unknown {
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) {
      const detail = (cause.details?.[0] ?? {}) as { field?: string; rule?: string; code?: string };
      return new Problem(
        422,
        'Rejected by the journey',
        cause.message,
        // A refused field is named as such; an eligibility rule is about the instrument asked for.
        [{ path: detail.field ?? (detail.rule ? 'kind' : '(body)'), message: cause.message }],
        // `code` is stable (e.g. `ladder-assessment-missing`): a page says it in its own language.
        { ...(cause.type ? { reason: cause.type } : {}), ...(detail.rule ? { rule: detail.rule } : {}), ...(detail.code ? { code: detail.code } : {}) },
      );
    }
    return err;
  }
  if (err instanceof WorkflowNotFoundError) return Problem.journeyEnded();
  return err;
}
