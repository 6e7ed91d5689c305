import { createActivities } from '../../../activities';
import type { NotificationRecipients } from '../../../activities/notifications';
import type { DesiredTask, PlannedNotification } from '../../../domain/types';
import { JourneyReadModel } from '../../../store/journeys';
import { Outbox } from '../../../store/outbox';
import { RetentionStore } from '../../../store/retention';
import { TaskStore } from '../../../store/tasks';
import { describeEachDatabase } from '../store/databases';

const intake: DesiredTask = { key: 'intake', kind: 'hold-intake', candidateGroup: 'regisseur-werk', clock: 'intake', followUpDate: '2026-05-04', dueDate: '2026-05-11' };
const reminder: PlannedNotification = {
  key: 'intake:reminder:2026-05-04',
  kind: 'reminder',
  clock: 'intake',
  dueOn: '2026-05-04',
  recipientRole: 'regisseur-werk',
  targetDate: '2026-05-11',
  finalDate: '2026-05-11',
};
const step = {
  journeyId: 'j-1',
  municipality: 'borger-odoorn',
  tasks: { caseworkerRole: 'regisseur-werk' as const, tasks: [intake] },
  notifications: [reminder],
  projection: {
    seq: 3,
    regime: 'wi2021' as const,
    phase: 'intake',
    runStatus: 'running' as const,
    caseworker: { role: 'regisseur-werk' },
    nextFinalDate: '2026-05-11',
    view: { seq: 3 },
    deadlines: [{ clock: 'intake', finalDate: '2026-05-11', open: true }],
    startedAt: '2026-04-01T10:00:00.000Z',
  },
};

describeEachDatabase('a journey step (syncJourney)', (t) => {
  const counts = async () => ({
    tasks: (await t.db().selectFrom('tasks').select('key').where('journey_id', '=', 'j-1').execute()).length,
    notifications: (await t.db().selectFrom('outbox').select('id').where('idempotency_key', 'like', 'j-1:%').execute()).length,
    rows: (await t.db().selectFrom('journeys').select('seq').where('journey_id', '=', 'j-1').execute()).length,
  });

  it('writes tasks, notifications and row together: a failure mid-step leaves none of them, the retry all of them once', async () => {
    const db = t.db();
    let directoryUp = false;
    // A directory lookup for the recipient, down for the first attempt: it fails after the tasks were written.
    const recipients: NotificationRecipients = () => {
      if (!directoryUp) throw new Error('directory unavailable');
      return { channel: 'webhook', recipient: 'http://127.0.0.1:9/regisseur-werk' };
    };
    const { syncJourney } = createActivities({ db, tasks: new TaskStore(db), outbox: new Outbox(db), journeys: new JourneyReadModel(db), recipients });

    await expect(syncJourney(step)).rejects.toThrow('directory unavailable');
    expect(await counts()).toEqual({ tasks: 0, notifications: 0, rows: 0 });

    directoryUp = true;
    const result = await syncJourney(step);
    expect(result).toMatchObject({ tasks: { created: ['intake'] }, notifications: { enqueued: [reminder.key] }, projected: { seq: 3, written: true } });
    expect(await counts()).toEqual({ tasks: 1, notifications: 1, rows: 1 });

    // A replay of the same step changes nothing.
    expect(await syncJourney(step)).toMatchObject({ tasks: { created: [] }, notifications: { duplicates: [reminder.key] }, projected: { written: false } });
    expect(await counts()).toEqual({ tasks: 1, notifications: 1, rows: 1 });
  });

  it('writes nothing about the person once the journey was erased: no row, no task, no reminder (the step asks once, in its transaction)', async () => {
    const db = t.db();
    const { syncJourney } = createActivities({ db, tasks: new TaskStore(db), outbox: new Outbox(db), journeys: new JourneyReadModel(db), recipients: () => ({ channel: 'webhook', recipient: 'http://127.0.0.1:9/regisseur-werk' }) });
    const retention = new RetentionStore(db, () => new Date('2028-01-11T02:30:00Z'));
    await retention.recordEnded({ journeyId: 'j-1', municipality: 'borger-odoorn', endedOn: '2026-01-10', endReason: 'completed', eraseAfter: '2028-01-10', retentionBasis: 'test basis' });
    await retention.markErased('j-1', 'retention-period-ended', 'retention');
    // A step still on its way, with a newer projection than any written.
    expect(await syncJourney({ ...step, projection: { ...step.projection, seq: 9, bsnCiphertext: 'sealed' } })).toEqual({});
    expect(await counts()).toEqual({ tasks: 0, notifications: 0, rows: 0 });
  });
});
