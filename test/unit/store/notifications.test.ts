import { createNotificationActivities } from '../../../activities/notifications';
import { createTaskActivities } from '../../../activities/tasks';
import type { PlannedNotification } from '../../../domain/types';
import { Outbox } from '../../../store/outbox';
import { TaskStore } from '../../../store/tasks';
import { taskIdFor } from '../../../domain/tasks';
import { buildDailyDigests, digestText, escalationText, formatDate, notificationText, reminderText } from '../../../store/texts';
import { describeEachDatabase } from './databases';

const reminder: PlannedNotification = {
  key: 'intake:reminder:7',
  kind: 'reminder',
  clock: 'intake',
  dueOn: '2026-04-27',
  recipientRole: 'regisseur-werk',
  targetDate: '2026-05-04',
  finalDate: '2026-05-11',
};
const escalation: PlannedNotification = { ...reminder, key: 'intake:escalation', kind: 'escalation', dueOn: '2026-05-12', recipientRole: 'team-lead' };

describe('texts', () => {
  it('are Dutch by default, with spelled-out dates and both deadlines', () => {
    const text = reminderText({ journeyId: 'j-7f3a', clock: 'intake', targetDate: '2026-05-04', finalDate: '2026-05-11', sentOn: '2026-04-27' });
    expect(text.subject).toBe('Herinnering: streefdatum voor het intakegesprek op 4 mei 2026 (traject j-7f3a)');
    expect(text.body).toContain('over 7 dagen');
    expect(text.body).toContain('Streefdatum:  4 mei 2026');
    expect(text.body).toContain('Fatale datum: 11 mei 2026');
    expect(escalationText({ journeyId: 'j-7f3a', clock: 'inburgering', targetDate: '2027-01-01', finalDate: '2027-03-01' }).subject).toBe(
      'Escalatie: fatale datum voor de inburgeringstermijn verstreken (traject j-7f3a)',
    );
  });

  it('are available in English', () => {
    expect(notificationText('j-1', reminder, 'en').subject).toBe('Reminder: target date for the intake interview on 4 May 2026 (journey j-1)');
    expect(notificationText('j-1', escalation, 'en').body).toContain('The final date for the intake interview in journey j-1 was 11 May 2026');
    expect(formatDate('2027-03-01', 'en')).toBe('1 March 2027');
  });

  it('digest lists tasks soonest due first and marks the overdue ones', () => {
    const text = digestText('2026-05-12', [
      { journeyId: 'j-2', kind: 'assess-ladder', followUpDate: '2026-05-20', dueDate: '2026-06-01' },
      { journeyId: 'j-1', kind: 'hold-intake', followUpDate: '2026-05-04', dueDate: '2026-05-11' },
    ]);
    expect(text.subject).toBe('Dagoverzicht 12 mei 2026: 2 taken, 1 te laat');
    expect(text.body.split('\n').filter((l) => l.startsWith('- '))).toEqual([
      '- Intakegesprek voeren, traject j-1: streefdatum 4 mei 2026, fatale datum 11 mei 2026 (TE LAAT)',
      '- Trede op de participatieladder bepalen, traject j-2: streefdatum 20 mei 2026, fatale datum 1 juni 2026',
    ]);
    expect(digestText('2026-05-12', [], 'en').subject).toBe('Daily overview 12 May 2026: 0 tasks');
  });
});

describeEachDatabase('activities and digests', (t) => {
  const now = () => new Date('2026-04-27T06:00:00Z');

  it('sendNotifications queues each notification once, however often it is retried', async () => {
    const outbox = new Outbox(t.db(), { now });
    const { sendNotifications } = createNotificationActivities(outbox, {
      '*': { 'team-lead': { channel: 'email', recipient: 'teamlead@gemeente.example' } },
      'borger-odoorn': { 'regisseur-werk': { channel: 'webhook', recipient: 'https://werk.example/hook' } },
    });
    const input = { journeyId: 'j-1', municipality: 'borger-odoorn', notifications: [reminder, escalation] };
    expect(await sendNotifications(input)).toEqual({ enqueued: ['intake:reminder:7', 'intake:escalation'], duplicates: [], unrouted: [] });
    const again = await Promise.all([sendNotifications(input), sendNotifications(input)]);
    for (const r of again) expect(r).toEqual({ enqueued: [], duplicates: ['intake:reminder:7', 'intake:escalation'], unrouted: [] });
    const rows = await t.db().selectFrom('outbox').selectAll().orderBy('idempotency_key').execute();
    expect(rows.map((r) => [r.idempotency_key, r.channel, r.recipient, r.kind])).toEqual([
      ['j-1:intake:escalation', 'email', 'teamlead@gemeente.example', 'escalation'],
      ['j-1:intake:reminder:7', 'webhook', 'https://werk.example/hook', 'reminder'],
    ]);
    expect(rows[1]?.subject).toContain('Herinnering');
    expect(JSON.parse(rows[1]!.payload)).toEqual({ journeyId: 'j-1', municipality: 'borger-odoorn', notification: reminder });
  });

  it('sendNotifications reports a role with no recipient instead of failing the journey', async () => {
    const { sendNotifications } = createNotificationActivities(new Outbox(t.db(), { now }), {});
    expect(await sendNotifications({ journeyId: 'j-1', municipality: 'x', notifications: [reminder] })).toEqual({
      enqueued: [],
      duplicates: [],
      unrouted: ['intake:reminder:7'],
    });
  });

  it('syncJourneyTasks passes through to the idempotent store', async () => {
    const { syncJourneyTasks } = createTaskActivities(new TaskStore(t.db(), { now }));
    const input = {
      journeyId: 'j-1',
      municipality: 'borger-odoorn',
      tasks: [{ key: 'intake', kind: 'hold-intake' as const, candidateGroup: 'regisseur-werk' as const, followUpDate: '2026-05-04', dueDate: '2026-05-11' }],
    };
    expect((await syncJourneyTasks(input)).created).toEqual(['intake']);
    expect((await syncJourneyTasks(input)).created).toEqual([]);
  });

  it('buildDailyDigests queues one digest per caseworker per day', async () => {
    const tasks = new TaskStore(t.db(), { now });
    const outbox = new Outbox(t.db(), { now });
    const due = (key: string, dueDate: string) => ({
      key,
      kind: 'hold-intake' as const,
      candidateGroup: 'regisseur-werk' as const,
      followUpDate: dueDate,
      dueDate,
    });
    await tasks.syncJourneyTasks({
      journeyId: 'j-1',
      municipality: 'borger-odoorn',
      tasks: [due('a', '2026-04-30'), due('b', '2026-05-02'), due('c', '2026-09-01'), due('d', '2026-04-20'), due('e', '2026-04-28')],
    });
    await tasks.claim(taskIdFor('j-1', 'a'), 'anna');
    await tasks.claim(taskIdFor('j-1', 'c'), 'anna'); // far off: not in today's digest
    await tasks.claim(taskIdFor('j-1', 'd'), 'anna'); // overdue: always in
    await tasks.claim(taskIdFor('j-1', 'b'), 'bert');
    await tasks.claim(taskIdFor('j-1', 'e'), 'carla');
    const options = {
      outbox,
      recipientForUser: (u: string) => (u === 'carla' ? undefined : { channel: 'email' as const, recipient: `${u}@gemeente.example` }),
    };
    expect(await buildDailyDigests(tasks, '2026-04-27', options)).toEqual({ enqueued: ['anna', 'bert'], duplicates: [], skipped: ['carla'] });
    expect(await buildDailyDigests(tasks, '2026-04-27', options)).toEqual({ enqueued: [], duplicates: ['anna', 'bert'], skipped: ['carla'] });
    const anna = await outbox.getByKey('digest:anna:2026-04-27');
    expect(anna).toMatchObject({ kind: 'digest', recipient: 'anna@gemeente.example', subject: 'Dagoverzicht 27 april 2026: 2 taken, 1 te laat' });
    expect((anna?.payload as { tasks: { taskId: string }[] }).tasks.map((x) => x.taskId)).toEqual([taskIdFor('j-1', 'd'), taskIdFor('j-1', 'a')]);
    expect((await buildDailyDigests(tasks, '2026-04-28', options)).enqueued).toEqual(['anna', 'bert']);
  });
});
