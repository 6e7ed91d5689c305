/**
 * One activity per journey step (issue 12): the journey's tasks, its due notifications and its read-model
 * row, each only when the workflow says it changed. Run as a local activity, its result is a marker in
 * the same workflow task: a milestone costs one workflow task instead of two plus activity events.
 *
 * One transaction: the three writes commit together or not at all, so the store never holds a step
 * half done (a journey's GET showing a task the inbox does not have, say), and a step costs one commit.
 * Idempotent as a whole: the task sync is keyed per task, the outbox per notification key, the read model
 * per `seq` (store/journeys.ts), so a retry or a replay writes nothing twice and never an older state.
 * The journey's zaak (chain/zaken) follows a written row in the same transaction: what it queues commits
 * with the step, and the zaak's row remembers what was queued, so a retried step queues nothing again.
 */
import { isEndReason } from '../domain/journey-end';
import type { PlannedNotification } from '../domain/types';
import type { JourneyProjection, JourneyReadModel } from '../store/journeys';
import type { SyncJourneyTasksInput, SyncResult } from '../store/tasks';
import type { SendNotificationsResult } from './notifications';
import type { JourneyStep } from '../chain/zaken';

export interface SyncJourneyInput {
  journeyId: string;
  municipality: string;
  /** The tasks the journey wants now; absent when unchanged since the last sync. */
  tasks?: Pick<SyncJourneyTasksInput, 'caseworkerRole' | 'tasks' | 'cancelReason'>;
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
  /** Messages queued for the journey's zaak (chain/zaken), when the municipality has a zaak registration. */
  zaak?: number;
}

/** What a step writes with, all on one transaction. */
export interface SyncSteps {
  syncJourneyTasks: (input: SyncJourneyTasksInput) => Promise<SyncResult>;
  sendNotifications: (input: { journeyId: string; municipality: string; notifications: PlannedNotification[] }) => Promise<SendNotificationsResult>;
  journeys: Pick<JourneyReadModel, 'write' | 'movedTo'>;
  /** Whether the journey's personal data was erased (store/erasure-ref.ts). */
  erased: (journeyId: string) => Promise<boolean>;
  /** Queues the zaak's changes for a written projection (chain/zaken ZaakRegistration.recordStep); absent: no zaken. */
  zaak?: (step: Omit<JourneyStep, 'at' | 'today'>) => Promise<number>;
}

/**
 * `transact` runs its callback in one database transaction with steps bound to it (activities/index.ts);
 * it rolls back and rethrows when a write fails, and the activity's retry does the whole step again.
 */
export function createJourneySyncActivities(transact: <T>(fn: (steps: SyncSteps) => Promise<T>) => Promise<T>) {
  return {
    async syncJourney(input: SyncJourneyInput): Promise<SyncJourneyResult> {
      const { journeyId } = input;
      return transact(async (steps) => {
        const result: SyncJourneyResult = {};
        // A step still on its way when the journey was erased writes nothing about the person again.
        if (await steps.erased(journeyId)) return result;
        // A move answered 202 is in force before the journey has it (store/journeys.ts `move`): a step
        // from before it puts the tasks and reminders in the new municipality, never back in the old.
        const municipality = (await steps.journeys.movedTo(journeyId)) ?? input.municipality;
        if (input.tasks) result.tasks = await steps.syncJourneyTasks({ journeyId, municipality, ...input.tasks });
        if (input.notifications && input.notifications.length > 0) result.notifications = await steps.sendNotifications({ journeyId, municipality, notifications: input.notifications });
        if (input.projection) {
          // The erasure was asked above, in this transaction.
          const written = await steps.journeys.write({ ...input.projection, journeyId, municipality: input.municipality }, { erasureChecked: true });
          result.projected = { seq: input.projection.seq, written };
          // The zaak follows the row: only a write that is the newest tells it something.
          if (written && steps.zaak) {
            const { phase, runStatus, deadlines, bsnCiphertext, view } = input.projection;
            const finalDate = deadlines.find((d) => d.clock === 'inburgering')?.finalDate;
            const endReason = (view as { ended?: { reason?: unknown } } | undefined)?.ended?.reason;
            const queued = await steps.zaak({
              journeyId,
              municipality,
              phase,
              runStatus,
              ...(finalDate ? { inburgeringFinalDate: finalDate } : {}),
              ...(bsnCiphertext ? { bsnSealed: bsnCiphertext } : {}),
              ...(isEndReason(endReason) ? { endReason } : {}),
            });
            if (queued > 0) result.zaak = queued;
          }
        }
        return result;
      });
    },
  };
}
