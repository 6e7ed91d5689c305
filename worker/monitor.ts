/**
 * The journey monitor: a journey that stops, or stops making progress, is told to the administrators
 * (issue 8: a journey never dies silently). Each round it
 * - lists journeys whose run ended `Failed`, `Terminated` or `TimedOut` since the last round (from
 *   Temporal visibility; a continued-as-new run is a journey going on, not an end), and
 * - looks at the next batch of running journeys for a workflow task that has failed
 *   {@link FAILING_TASK_ATTEMPTS} times in a row (visibility does not index that: a describe each, a
 *   batch a round, so every running journey is looked at once per `running / batch` rounds),
 * sets that run status in the read model (store/journeys.ts; a repaired journey's next write sets `running`
 * again) and, for a run that ended, closes the journey's zaak (`zaakStopped`), asks a running journey of that batch that has no row in the read model to write it
 * ({@link projectSignal}: journeys started before the read model join the lists without waiting for
 * their next timer), and queues one message to the admin address of the notifications file per run and problem (outbox
 * idempotency key `journey-failure:<journeyId>:<runId>[:workflow-task-failing]`): an overlap between
 * rounds or a second worker instance queues nothing twice. Messages name journeys by id only.
 */
import type { Client } from '@temporalio/client';
import { FAILING_TASK_ATTEMPTS, EXECUTION_STATUS_NAMES, runStatus, type JourneyStatus } from '../api/temporal';
import { JOURNEY_WORKFLOW, projectSignal } from '../workflows/definitions';
import type { Outbox } from '../store/outbox';
import type { JourneyReadModel } from '../store/journeys';
import type { Lang, RecipientAddress } from '../store/texts';

export interface JourneyMonitorOptions {
  client: Client;
  outbox: Outbox;
  /** The read model, whose run status only the monitor can set for a journey that stopped (the workflow cannot write it). */
  journeys: JourneyReadModel;
  /** Where the administrators are told; without one a failure is only reported to `onUnrouted`. */
  admin?: RecipientAddress;
  lang?: Lang;
  /**
   * The task queue of this Koers's journeys; without it, every journey of the namespace is looked at
   * (and the ones without a row in this store are asked for theirs).
   */
  taskQueue?: string;
  /** Running journeys described per round (default 100). */
  batchSize?: number;
  /** How far back the first round looks for ended runs (default 7 days): failures while no worker ran. */
  lookbackMs?: number;
  now?: () => Date;
  /**
   * Tells the journey's zaak that its run stopped (chain/zaken ZaakRegistration.recordStop, through the
   * outbox; idempotent): a failed, terminated or timed-out journey closes its zaak as a finished one does.
   * Absent: no zaken.
   */
  zaakStopped?: (journeyId: string, status: JourneyStatus) => Promise<unknown>;
  onError?: (err: unknown) => void;
  onUnrouted?: (journeyId: string, status: JourneyStatus) => void;
}

export interface MonitorRound {
  /** `<journeyId> <status>` of each message queued this round. */
  queued: string[];
  /** Running journeys described this round. */
  described: number;
  /** Running journeys without a read-model row asked to write it this round. */
  projected: number;
}

const ENDED: JourneyStatus[] = ['failed', 'terminated', 'timed-out'];
/** Later rounds look back past the previous one by this much: visibility is eventually consistent. */
const OVERLAP_MS = 5 * 60_000;

export class JourneyMonitor {
  private readonly now: () => Date;
  private since: Date | undefined;
  private scanToken: Uint8Array | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  constructor(private readonly options: JourneyMonitorOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** Runs a round every `intervalMs` until {@link stop}. */
  start(intervalMs = 60_000): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = async () => {
      this.running = this.round().catch((err: unknown) => this.options.onError?.(err));
      await this.running;
      if (!this.stopped) this.timer = setTimeout(() => void tick(), intervalMs);
    };
    this.timer = setTimeout(() => void tick(), 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  async round(): Promise<MonitorRound> {
    const started = this.now();
    const since = this.since ?? new Date(started.getTime() - (this.options.lookbackMs ?? 7 * 86_400_000));
    const queued: string[] = [];
    const { client } = this.options;
    const namespace = client.options.namespace;

    const endedNames = ENDED.map((s) => `'${EXECUTION_STATUS_NAMES[s as keyof typeof EXECUTION_STATUS_NAMES]}'`).join(', ');
    const ours = this.options.taskQueue ? ` AND TaskQueue = '${this.options.taskQueue}'` : '';
    const endedQuery = `WorkflowType = '${JOURNEY_WORKFLOW}' AND ExecutionStatus IN (${endedNames}) AND CloseTime > '${since.toISOString()}'${ours}`;
    for await (const run of client.workflow.list({ query: endedQuery })) {
      const status = runStatus(run.status.name, 0);
      await this.options.journeys.setRunStatus(run.workflowId, status);
      await this.options.zaakStopped?.(run.workflowId, status);
      if (await this.tell(run.workflowId, run.runId, status, run.closeTime?.toISOString())) queued.push(`${run.workflowId} ${status}`);
    }

    const page = await client.workflowService.listWorkflowExecutions({
      namespace,
      query: `WorkflowType = '${JOURNEY_WORKFLOW}' AND ExecutionStatus = 'Running'${ours}`,
      pageSize: this.options.batchSize ?? 100,
      nextPageToken: this.scanToken,
    });
    this.scanToken = page.nextPageToken && page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
    let described = 0;
    for (const execution of page.executions) {
      const workflowId = execution.execution?.workflowId;
      if (!workflowId) continue;
      const description = await client.workflow
        .getHandle(workflowId)
        .describe()
        .catch(() => undefined);
      described += 1;
      const attempt = description?.raw.pendingWorkflowTask?.attempt ?? 0;
      if (description && description.status.name === 'RUNNING' && attempt >= FAILING_TASK_ATTEMPTS) {
        await this.options.journeys.setRunStatus(workflowId, 'workflow-task-failing');
        if (await this.tell(workflowId, description.runId, 'workflow-task-failing')) queued.push(`${workflowId} workflow-task-failing`);
      }
    }

    const running = page.executions.map((e) => e.execution?.workflowId).filter((id): id is string => !!id);
    const withRows = await this.options.journeys.withRows(running);
    let projected = 0;
    for (const workflowId of running.filter((id) => !withRows.has(id))) {
      // A journey that ended meanwhile refuses the signal; the next round's list leaves it out.
      if (await client.workflow.getHandle(workflowId).signal(projectSignal).then(() => true, () => false)) projected += 1;
    }
    this.since = new Date(started.getTime() - OVERLAP_MS);
    return { queued, described, projected };
  }

  /** Queues the message for one run's problem; false when it was queued before or goes nowhere. */
  private async tell(journeyId: string, runId: string, status: JourneyStatus, closedAt?: string): Promise<boolean> {
    const admin = this.options.admin;
    if (!admin) {
      this.options.onUnrouted?.(journeyId, status);
      return false;
    }
    const en = this.options.lang === 'en';
    const what: Record<string, [string, string]> = {
      failed: ['is mislukt', 'failed'],
      terminated: ['is beëindigd door Temporal of een beheerder', 'was terminated by Temporal or an administrator'],
      'timed-out': ['is verlopen (time-out)', 'timed out'],
      'workflow-task-failing': ['verwerkt niets meer: zijn workflowtaak faalt steeds', 'applies nothing: its workflow task keeps failing'],
    };
    const [nl, english] = what[status] ?? [status, status];
    const { created } = await this.options.outbox.enqueue({
      idempotencyKey: `journey-failure:${journeyId}:${runId}${status === 'workflow-task-failing' ? ':workflow-task-failing' : ''}`,
      kind: 'journey-failure',
      channel: admin.channel,
      recipient: admin.recipient,
      subject: en ? `Journey ${journeyId} ${english}` : `Traject ${journeyId} ${nl}`,
      body: en
        ? `Journey ${journeyId} ${english}. Its clocks and reminders are not running. See GET /v1/journeys/${journeyId} and the run in Temporal (run ${runId}).`
        : `Traject ${journeyId} ${nl}. Zijn termijnen en herinneringen lopen niet. Zie GET /v1/journeys/${journeyId} en de run in Temporal (run ${runId}).`,
      payload: { journeyId, runId, status, ...(closedAt ? { closedAt } : {}) },
    });
    return created;
  }
}
