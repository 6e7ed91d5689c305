/**
 * Started each night by the `koers-retention` Schedule: erases the personal data of journeys whose
 * retention period has passed (activities/retention.ts). The day comes from workflow time.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { JourneyActivities } from '../activities';
import type { SweepRetentionResult } from '../activities/retention';
import { amsterdamDateOf } from '../domain/dates';
import type { LocalDate } from '../domain/types';

export const RETENTION_WORKFLOW = 'retentionWorkflow';

const { sweepRetention } = proxyActivities<JourneyActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '30 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes', maximumAttempts: 10 },
});

export async function retentionWorkflow(input: { today?: LocalDate } = {}): Promise<SweepRetentionResult> {
  return sweepRetention({ today: input.today ?? amsterdamDateOf(workflowInfo().startTime.getTime()) });
}
