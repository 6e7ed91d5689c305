/**
 * A stand-in for the journey workflow (same workflow type) that breaks the way a bug would: its
 * workflow task fails on every attempt (`task-failure`) or the run fails (`run-failure`); or it
 * continues as new once and then waits (`continue-once`), or just waits (`never`). Only the
 * monitoring tests run it, on a task queue of their own: the real journey never fails on data.
 */
import { ApplicationFailure, condition, continueAsNew } from '@temporalio/workflow';

export interface BrokenJourneyInput {
  journeyId: string;
  breaks: 'task-failure' | 'run-failure' | 'continue-once' | 'never';
}

export async function journeyWorkflow(input: BrokenJourneyInput): Promise<void> {
  if (input.breaks === 'task-failure') throw new Error('a bug in the workflow code');
  if (input.breaks === 'run-failure') throw ApplicationFailure.nonRetryable('the journey cannot go on');
  if (input.breaks === 'continue-once') await continueAsNew<typeof journeyWorkflow>({ ...input, breaks: 'never' });
  await condition(() => false);
}
