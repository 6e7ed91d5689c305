/**
 * Task activities: the journey workflow projects its desired tasks into the store. Thin by design:
 * the store's sync is idempotent, so Temporal's retries and replays need nothing extra here.
 */
import type { SyncJourneyTasksInput, SyncResult, TaskStore } from '../store/tasks';

export function createTaskActivities(store: TaskStore) {
  return {
    async syncJourneyTasks(input: SyncJourneyTasksInput): Promise<SyncResult> {
      return store.syncJourneyTasks(input);
    },
  };
}
