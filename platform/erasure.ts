/**
 * Erasing a journey from Temporal: every run of it (continue-as-new keeps the start input, with the
 * sealed BSN and the birth date, in each run's first event) and of its instruments is deleted. A run
 * still going (an instrument outlives its journey, or an admin erases a running journey) is
 * terminated first, with a reason that names no one.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';

/** Reason recorded in Temporal for a run ended so its data can be erased. */
export const ERASURE_TERMINATION_REASON = 'personal data erased (AVG art. 17)';

/** Deletes every run of the journey and its instruments; returns how many runs were deleted. */
export async function deleteJourneyRuns(client: Client, journeyId: string): Promise<number> {
  // Journey ids are `j-` + base64url: nothing in them needs escaping in a visibility query.
  if (!/^[A-Za-z0-9_-]+$/.test(journeyId)) throw new Error('not a journey id');
  const { namespace } = client.options;
  const runs: Array<{ workflowId: string; runId: string; running: boolean }> = [];
  for await (const execution of client.workflow.list({ query: `WorkflowId = '${journeyId}' OR WorkflowId STARTS_WITH '${journeyId}-instrument-'` })) {
    runs.push({ workflowId: execution.workflowId, runId: execution.runId, running: execution.status.name === 'RUNNING' });
  }
  for (const run of runs) {
    if (run.running) {
      await client.workflow
        .getHandle(run.workflowId, run.runId)
        .terminate(ERASURE_TERMINATION_REASON)
        .catch((err: unknown) => {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        });
    }
    try {
      await client.workflowService.deleteWorkflowExecution({ namespace, workflowExecution: { workflowId: run.workflowId, runId: run.runId } });
    } catch (err) {
      if ((err as { code?: number }).code !== 5 /* gRPC NOT_FOUND: already gone */) throw err;
    }
  }
  return runs.length;
}
