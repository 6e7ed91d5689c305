/**
 * Task activities: the journey workflow projects its desired tasks into the store. Thin by design:
 * the store's sync is idempotent, so Temporal's retries and replays need nothing extra here.
 */
import type { SyncJourneyTasksInput, SyncResult, TaskStore } from '../store/tasks';
import type { StaffPseudonyms } from '../store/staff-pseudonyms';

export function createTaskActivities(store: TaskStore, staff?: StaffPseudonyms) {
  return {
    async syncJourneyTasks(input: SyncJourneyTasksInput): Promise<SyncResult> {
      // The journey knows its caseworker by pseudonym (staff-pseudonyms.ts); the store by staff id.
      if (!staff || !input.tasks.some((t) => t.assignee)) return store.syncJourneyTasks(input);
      const ids = await staff.reveal(input.tasks.map((t) => t.assignee));
      return store.syncJourneyTasks({ ...input, tasks: input.tasks.map((t) => (t.assignee ? { ...t, assignee: ids.get(t.assignee) ?? t.assignee } : t)) });
    },
  };
}
