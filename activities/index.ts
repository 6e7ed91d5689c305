import type { TaskStore } from '../store/tasks';
import type { Outbox } from '../store/outbox';
import { createTaskActivities } from './tasks';
import { createNotificationActivities } from './notifications';

export interface ActivityDependencies {
  tasks: TaskStore;
  outbox: Outbox;
  recipients: Parameters<typeof createNotificationActivities>[1];
}

/** All activities a journey calls, built from their dependencies so tests pass the real store. */
export function createActivities(deps: ActivityDependencies) {
  return {
    ...createTaskActivities(deps.tasks),
    ...createNotificationActivities(deps.outbox, deps.recipients),
  };
}

export type JourneyActivities = ReturnType<typeof createActivities>;
