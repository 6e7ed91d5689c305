/**
 * One activity per journey step (issue 12): the journey's tasks, its due notifications and its read-model
 * row, each only when the workflow says it changed. Run as a local activity, its result is a marker in
 * the same workflow task: a milestone costs one workflow task instead of two plus activity events.
 *
 * Idempotent as a whole: the task sync is keyed per task, the outbox per notification key, the read model
 * per `seq` (store/journeys.ts), so a retry or a replay writes nothing twice and never an older state.
 * Order: tasks first, then notifications, then the row, so a journey's GET never shows a task the inbox
 * does not have yet.
 */
import type { PlannedNotification } from '../domain/types';
import type { JourneyProjection, JourneyReadModel } from '../store/journeys';
import type { SyncJourneyTasksInput, SyncResult } from '../store/tasks';
import type { SendNotificationsResult } from './notifications';

export interface SyncJourneyInput {
  journeyId: string;
  municipality: string;
  /** The tasks the journey wants now; absent when unchanged since the last sync. */
  tasks?: Pick<SyncJourneyTasksInput, 'caseworkerRole' | 'tasks'>;
  /** Reminders and escalations due today and not sent yet; absent when none. */
  notifications?: PlannedNotification[];
  /** The read-model row; absent when unchanged. */
  projection?: Omit<JourneyProjection, 'journeyId' | 'municipality'>;
}

export interface SyncJourneyResult {
  tasks?: SyncResult;
  notifications?: SendNotificationsResult;
  /** The projection's seq, when it was written (false: a newer one was there already). */
  projected?: { seq: number; written: boolean };
}

export function createJourneySyncActivities(
  journeys: JourneyReadModel,
  steps: {
    syncJourneyTasks: (input: SyncJourneyTasksInput) => Promise<SyncResult>;
    sendNotifications: (input: { journeyId: string; municipality: string; notifications: PlannedNotification[] }) => Promise<SendNotificationsResult>;
  },
) {
  return {
    async syncJourney(input: SyncJourneyInput): Promise<SyncJourneyResult> {
      const { journeyId, municipality } = input;
      const result: SyncJourneyResult = {};
      if (input.tasks) result.tasks = await steps.syncJourneyTasks({ journeyId, municipality, ...input.tasks });
      if (input.notifications && input.notifications.length > 0) result.notifications = await steps.sendNotifications({ journeyId, municipality, notifications: input.notifications });
      if (input.projection) {
        const written = await journeys.write({ ...input.projection, journeyId, municipality });
        result.projected = { seq: input.projection.seq, written };
      }
      return result;
    },
  };
}
