/**
 * The retention sweep (daily, workflows/retention.ts): records the journeys that ended since it last
 * looked, with the date their personal data is due to go (the policy's retention, from the journey's
 * last end: a reopened journey that ended again starts its period anew), and erases the
 * personal data of every journey whose date has come. Idempotent: a retry records and erases nothing twice.
 */
import { Context } from '@temporalio/activity';
import { amsterdamDateOf } from '../domain/dates';
import { erasureDueOn, retentionFor, type RetentionSubject } from '../domain/policy';
import { findPolicy } from '../domain/policies';
import type { LocalDate } from '../domain/types';
import { municipalityKey, regimeKey } from '../platform/search-attributes';
import { deleteJourneyRuns } from '../platform/erasure';
import type { RetentionStore } from '../store/retention';
import { JOURNEY_WORKFLOW } from '../workflows/definitions';

export interface SweepRetentionInput {
  /** The sweep's day, Europe/Amsterdam `YYYY-MM-DD`. */
  today: LocalDate;
}

export interface SweepRetentionResult {
  recorded: number;
  erased: number;
}

/** How a journey's last run closed, as the retention record names it (no personal data). */
const END_REASONS: Record<string, string> = { COMPLETED: 'completed', TERMINATED: 'closed', FAILED: 'failed', TIMED_OUT: 'timed-out', CANCELLED: 'cancelled' };

export function createRetentionActivities(retention: RetentionStore | undefined) {
  return {
    async sweepRetention(input: SweepRetentionInput): Promise<SweepRetentionResult> {
      if (!retention) throw new Error('retention store not configured for this worker');
      const { client } = Context.current();
      let recorded = 0;
      // A journey's last run closing (not continuing as new) is its end: plicht met, exempted, closed by an admin.
      const ended = client.workflow.list({ query: `WorkflowType = '${JOURNEY_WORKFLOW}' AND ExecutionStatus != 'Running' AND ExecutionStatus != 'ContinuedAsNew'` });
      for await (const execution of ended) {
        if (!execution.closeTime) continue;
        const endedOn = amsterdamDateOf(execution.closeTime.getTime());
        // Each run is listed: a journey that reopened and ended again (contract v1.2) is kept from its
        // last end, so only a later end than the one on record is recorded (store/retention.ts recordEnded).
        const known = await retention.get(execution.workflowId);
        if (known && (known.erasedAt !== undefined || known.endedOn >= endedOn)) continue;
        const municipality = execution.typedSearchAttributes.get(municipalityKey) ?? 'unknown';
        const policy = findPolicy(municipality);
        // The law's retention per track (domain/policy.ts LEGAL_RETENTION); the bijstand track is not in
        // the search attributes, so it is assumed (the longer, binding period), never left out.
        const regime = execution.typedSearchAttributes.get(regimeKey);
        const subject: RetentionSubject = regime === 'wi2013' || regime === 'wi2021' ? { regime } : {};
        await retention.recordEnded({
          journeyId: execution.workflowId,
          municipality,
          endedOn,
          endReason: END_REASONS[execution.status.name] ?? execution.status.name.toLowerCase(),
          eraseAfter: erasureDueOn(endedOn, policy, subject),
          retentionBasis: retentionFor(policy, subject).basis,
        });
        recorded++;
        Context.current().heartbeat();
      }
      let erased = 0;
      for (const entry of await retention.dueForErasure(input.today)) {
        // A journey that reopened (contract v1.2) runs again: its data is not due while it runs.
        const status = await client.workflow.getHandle(entry.journeyId).describe().then((d) => d.status.name, () => undefined);
        if (status === 'RUNNING') continue;
        await deleteJourneyRuns(client, entry.journeyId);
        await retention.markErased(entry.journeyId, 'retention-period-ended', 'retention');
        erased++;
        Context.current().heartbeat();
      }
      Context.current().log.info('retention sweep', { recorded, erased });
      return { recorded, erased };
    },
  };
}
