/**
 * The API's only door to Temporal: every call is timed in the metrics, and Temporal's errors become
 * problems here (not found → 404, ended journey → 409, a rejected Update → 422 with its reason).
 */
import {
  isGrpcDeadlineError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowExecutionInfo,
} from '@temporalio/client';
import { ApplicationFailure, TypedSearchAttributes, type SearchAttributePair, type SearchAttributeUpdatePair } from '@temporalio/common';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import type { QueryDefinition, SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { JOURNEY_WORKFLOW, stateQuery, type JourneyState, type StartJourneyInput } from '../workflows/definitions';
import { municipalityKey } from '../platform/search-attributes';
import { amendmentProgressQuery, POLICY_AMENDMENT_WORKFLOW, type PolicyAmendmentInput, type PolicyAmendmentReport } from '../workflows/policy-amendment';
import type { ApiMetrics } from './metrics';
import { Problem } from './problem';

export interface JourneyListPage {
  executions: WorkflowExecutionInfo[];
  nextPageToken?: string;
}

export class JourneyAlreadyExists extends Error {}

export class TemporalGateway {
  constructor(
    private readonly client: Client,
    private readonly metrics: ApiMetrics,
    readonly taskQueue: string,
    private readonly timeoutMs = 10_000,
  ) {}

  /**
   * Every call is timed and has a deadline: an unreachable server (the client retries it) or a journey
   * without a worker (a query waits for one) ends in a 503 the caller can retry, not a hung request.
   */
  private call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return this.metrics.timeTemporal(operation, () => this.client.withDeadline(Date.now() + this.timeoutMs, fn));
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

  /** The journey's municipality from visibility (no worker needed); undefined when there is no such journey. */
  async municipalityOf(journeyId: string): Promise<{ municipality: string; running: boolean } | undefined> {
    try {
      const description = await this.call('describe', () => this.client.workflow.getHandle(journeyId).describe());
      if (description.type !== JOURNEY_WORKFLOW) return undefined;
      const municipality = description.typedSearchAttributes.get(municipalityKey);
      if (!municipality) return undefined;
      return { municipality, running: description.status.name === 'RUNNING' };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  async state(journeyId: string): Promise<JourneyState | undefined> {
    return this.query(journeyId, stateQuery);
  }

  /** A query needs a worker; without one it waits until the deadline, then answers 503. */
  async query<T>(journeyId: string, def: QueryDefinition<T, []>): Promise<T | undefined> {
    try {
      return await this.call('query', () => this.client.workflow.getHandle(journeyId).query(def));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      if (isGrpcDeadlineError(err)) throw new Problem(503, 'Journey unavailable', 'The journey did not answer in time; try again shortly.');
      throw err;
    }
  }

  /** Resolves once Temporal has durably accepted the signal. */
  async signal<A>(journeyId: string, def: SignalDefinition<[A]>, arg: A): Promise<void> {
    try {
      await this.call('signal', () => this.client.workflow.getHandle(journeyId).signal(def, arg));
    } catch (err) {
      throw asProblem(err);
    }
  }

  /** Runs an Update; a validator's rejection (an ApplicationFailure) becomes a 422 naming its field or rule. */
  async update<R, A>(journeyId: string, def: UpdateDefinition<R, [A]>, arg: A): Promise<R> {
    try {
      return await this.call('update', () => this.client.workflow.getHandle(journeyId).executeUpdate(def, { args: [arg] }));
    } catch (err) {
      throw asProblem(err);
    }
  }

  async list(query: string, pageSize: number, pageToken?: string): Promise<JourneyListPage> {
    const { namespace } = this.client.options;
    const response = await this.call('list', () =>
      this.client.workflowService.listWorkflowExecutions({
        namespace,
        query,
        pageSize,
        nextPageToken: pageToken ? Buffer.from(pageToken, 'base64url') : undefined,
      }),
    );
    const converter = this.client.workflow.options.loadedDataConverter;
    const executions = await Promise.all(response.executions.map((raw) => executionInfoFromRaw(raw, converter, raw, namespace)));
    const token = response.nextPageToken && response.nextPageToken.length > 0 ? Buffer.from(response.nextPageToken).toString('base64url') : undefined;
    return { executions, ...(token ? { nextPageToken: token } : {}) };
  }

  async count(query: string): Promise<number> {
    const result = await this.call('count', () => this.client.workflow.count(query));
    return result.count;
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

/** Temporal's errors as the caller should see them; anything unknown stays an error (a 500, logged). */
export function asProblem(err: unknown): unknown {
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) {
      const detail = (cause.details?.[0] ?? {}) as { field?: string; rule?: string };
      return new Problem(
        422,
        'Rejected by the journey',
        cause.message,
        // A refused field is named as such; an eligibility rule is about the instrument asked for.
        [{ path: detail.field ?? (detail.rule ? 'kind' : '(body)'), message: cause.message }],
        { ...(cause.type ? { reason: cause.type } : {}), ...(detail.rule ? { rule: detail.rule } : {}) },
      );
    }
    return err;
  }
  if (err instanceof WorkflowNotFoundError) return new Problem(409, 'Journey ended', 'The journey is no longer running; it accepts no more changes.');
  return err;
}
