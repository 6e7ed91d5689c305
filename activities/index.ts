import { isErased } from '../store/erasure-ref';
import type { TaskStore } from '../store/tasks';
import type { Outbox } from '../store/outbox';
import type { Lang } from '../store/texts';
import { createTaskActivities } from './tasks';
import { createNotificationActivities } from './notifications';
import { createDigestActivities, type DigestRecipients } from './digest';
import { createRetentionActivities } from './retention';
import type { RetentionStore } from '../store/retention';
import type { StaffPseudonyms } from '../store/staff-pseudonyms';
import type { JourneyReadModel } from '../store/journeys';
import { createJourneySyncActivities } from './journey-sync';
import { inTransaction, type Db } from '../store/db';
import type { ZaakRegistration } from '../chain/zaken';

export interface ActivityDependencies {
  /** The database of the stores below: a journey step writes its tasks, notifications and row in one transaction on it. */
  db: Db;
  tasks: TaskStore;
  outbox: Outbox;
  /** The journeys read model the journey projects itself into (store/journeys.ts). */
  journeys: JourneyReadModel;
  recipients: Parameters<typeof createNotificationActivities>[1];
  /** Where each caseworker's daily digest goes (default: nobody's). */
  userRecipients?: DigestRecipients;
  /** Language of notification and digest texts (default Dutch). */
  lang?: Lang;
  /** Retention records for the nightly erasure (the retention workflow fails without it). */
  retention?: RetentionStore;
  /** Staff pseudonyms the journeys carry, turned back into staff ids for the task store. */
  staffPseudonyms?: StaffPseudonyms;
  /** The journeys' zaken (chain/zaken); absent: no municipality has a zaak registration. */
  zaken?: ZaakRegistration;
}

/** All activities a journey calls, built from their dependencies so tests pass the real store. */
export function createActivities(deps: ActivityDependencies) {
  const tasks = createTaskActivities(deps.tasks, deps.staffPseudonyms);
  const notifications = createNotificationActivities(deps.outbox, deps.recipients, { lang: deps.lang });
  return {
    // Journeys recorded before read-model-v1 call these two on their own (replay); later ones call syncJourney.
    ...tasks,
    ...notifications,
    ...createJourneySyncActivities((fn) =>
      inTransaction(deps.db, (trx) =>
        fn({
          ...createTaskActivities(deps.tasks.using(trx), deps.staffPseudonyms?.using(trx)),
          ...createNotificationActivities(deps.outbox.using(trx), deps.recipients, { lang: deps.lang }),
          journeys: deps.journeys.using(trx),
          erased: (journeyId) => isErased(trx, journeyId),
          ...(deps.zaken ? { zaak: (step) => deps.zaken!.recordStep(trx, step) } : {}),
        }),
      ),
    ),
    ...createDigestActivities(deps.tasks, deps.outbox, deps.userRecipients ?? {}, { lang: deps.lang }),
    ...createRetentionActivities(deps.retention),
  };
}

export type JourneyActivities = ReturnType<typeof createActivities>;
