/**
 * A policy amendment over many running journeys, as a workflow rather than one HTTP request: it
 * signals each journey (at most {@link CONCURRENCY} at a time), survives a crash of the API or the
 * worker halfway, and keeps a report an administrator can read while it runs (the progress query)
 * and after (the result): which journeys were amended, and which could not be and why (the journey
 * ended or moved meanwhile). Started once per new policy version, so a retried request never
 * amends twice.
 */
import { defineQuery, getExternalWorkflowHandle, setHandler } from '@temporalio/workflow';
import type { Policy } from '../domain/policy';
import { amendPolicySignal } from './definitions';

export const POLICY_AMENDMENT_WORKFLOW = 'policyAmendmentWorkflow';

/** Journeys signalled at once: bounded so a large amendment does not flood the server. */
const CONCURRENCY = 20;

export interface PolicyAmendmentInput {
  policy: Policy;
  reason: string;
  amendedBy: string;
  journeyIds: string[];
}

/** What the amendment did so far (or in all, once `status` is `completed`). */
export interface PolicyAmendmentReport {
  policy: { id: string; version: number; effectiveFrom: string };
  status: 'running' | 'completed';
  matched: number;
  amended: string[];
  failed: Array<{ journeyId: string; reason: string }>;
}

export const amendmentProgressQuery = defineQuery<PolicyAmendmentReport>('progress');

export async function policyAmendmentWorkflow(input: PolicyAmendmentInput): Promise<PolicyAmendmentReport> {
  const report: PolicyAmendmentReport = {
    policy: { id: input.policy.id, version: input.policy.version, effectiveFrom: input.policy.effectiveFrom },
    status: 'running',
    matched: input.journeyIds.length,
    amended: [],
    failed: [],
  };
  setHandler(amendmentProgressQuery, () => report);

  for (let start = 0; start < input.journeyIds.length; start += CONCURRENCY) {
    const batch = input.journeyIds.slice(start, start + CONCURRENCY);
    await Promise.all(
      batch.map(async (journeyId) => {
        try {
          await getExternalWorkflowHandle(journeyId).signal(amendPolicySignal, { policy: input.policy, reason: input.reason, amendedBy: input.amendedBy });
          report.amended.push(journeyId);
        } catch (err) {
          // The journey ended (or was never there) after the list was read: reported, not retried.
          report.failed.push({ journeyId, reason: err instanceof Error ? err.message : String(err) });
        }
      }),
    );
  }
  report.status = 'completed';
  return report;
}
