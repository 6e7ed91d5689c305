/**
 * Started each morning by the `koers-daily-digest` Schedule. The date is taken from workflow time
 * when the run starts (deterministic, and the same on every retry of the activity); the activity
 * does the work and is idempotent per caseworker and date.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { JourneyActivities } from '../activities';
import type { DigestResult } from '../store/texts';
import { amsterdamDateOf } from '../domain/dates';
import type { LocalDate } from '../domain/types';

export const DAILY_DIGEST_WORKFLOW = 'dailyDigestWorkflow';

const { sendDailyDigests } = proxyActivities<JourneyActivities>({
  startToCloseTimeout: '5 minutes',
  // Bounded (about 2 hours of tries): a run still retrying next morning would make the Schedule skip that day's run.
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 20 },
});

export async function dailyDigestWorkflow(input: { date?: LocalDate } = {}): Promise<DigestResult> {
  return sendDailyDigests({ date: input.date ?? amsterdamDateOf(workflowInfo().startTime.getTime()) });
}
