import ical, { type VEvent } from 'node-ical';
import { CalendarTokens, calendarFeed } from '../../../store/ical';
import { TaskStore } from '../../../store/tasks';
import { taskIdFor } from '../../../domain/tasks';
import { describeEachDatabase } from './databases';

/** node-ical gives a DATE as local midnight; read it back as the calendar date it stands for. */
const localDate = (d: Date | undefined) => d &&  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

const vevents = (text: string): VEvent[] =>
  Object.values(ical.sync.parseICS(text)).filter((c): c is VEvent => c !== undefined && c.type === 'VEVENT');

describeEachDatabase('calendar', (t) => {
  const now = () => new Date('2026-04-27T06:00:00Z');

  it('feeds a caseworker their tasks as all-day events on the due date', async () => {
    const tasks = new TaskStore(t.db(), { now });
    await tasks.syncJourneyTasks({
      journeyId: 'j-1',
      municipality: 'borger-odoorn',
      tasks: [
        { key: 'intake', kind: 'hold-intake', candidateGroup: 'regisseur-werk', followUpDate: '2026-05-04', dueDate: '2026-05-11' },
        { key: 'ladder', kind: 'assess-ladder', candidateGroup: 'regisseur-werk', followUpDate: '2026-12-20', dueDate: '2026-12-31' },
        { key: 'other', kind: 'offer-map', candidateGroup: 'regisseur-werk', followUpDate: '2026-06-01', dueDate: '2026-06-02' },
      ],
    });
    await tasks.claim(taskIdFor('j-1', 'intake'), 'anna');
    await tasks.claim(taskIdFor('j-1', 'ladder'), 'anna');
    await tasks.claim(taskIdFor('j-1', 'other'), 'bert');

    const text = await calendarFeed(tasks, 'anna');
    expect(text).toMatch(/^BEGIN:VCALENDAR\r\n/);
    const events = vevents(text);
    const byUid = new Map(events.map((e) => [e.uid, e]));
    expect([...byUid.keys()].sort()).toEqual([`${taskIdFor('j-1', 'intake')}@koers`, `${taskIdFor('j-1', 'ladder')}@koers`]);
    const intake = byUid.get(`${taskIdFor('j-1', 'intake')}@koers`)!;
    expect(intake.start?.dateOnly).toBe(true);
    expect(localDate(intake.start)).toBe('2026-05-11');
    expect(localDate(intake.end)).toBe('2026-05-12');
    expect(intake.summary).toBe('Fatale datum: Intakegesprek voeren (traject j-1)');
    expect(intake.description).toContain('Streefdatum: 4 mei 2026');
    const ladder = byUid.get(`${taskIdFor('j-1', 'ladder')}@koers`)!;
    expect(localDate(ladder.start)).toBe('2026-12-31');
    expect(localDate(ladder.end)).toBe('2027-01-01');

    const english = vevents(await calendarFeed(tasks, 'anna', { lang: 'en' }));
    expect(english.map((e) => e.summary).sort()).toEqual(['Final date: Assess the participation ladder rung (journey j-1)', 'Final date: Hold the intake interview (journey j-1)']);
    expect(vevents(await calendarFeed(tasks, 'nobody'))).toEqual([]);
  });

  it('stamps each event in UTC with when its task last changed, so an unchanged feed is the same text', async () => {
    const tasks = new TaskStore(t.db(), { now });
    await tasks.syncJourneyTasks({
      journeyId: 'j-2',
      municipality: 'borger-odoorn',
      tasks: [{ key: 'intake', kind: 'hold-intake', candidateGroup: 'regisseur-werk', followUpDate: '2026-05-04', dueDate: '2026-05-11' }],
    });
    await tasks.claim(taskIdFor('j-2', 'intake'), 'carla');
    const text = await calendarFeed(tasks, 'carla');
    // RFC 5545 §3.8.7.2: DTSTAMP is a UTC date-time (form #2, ending in Z).
    expect(text).toMatch(/\r\nDTSTAMP:20260427T060000Z\r\n/);
    expect(text).not.toMatch(/DTSTAMP;TZID|X-WR-TIMEZONE/);
    expect(await calendarFeed(tasks, 'carla')).toBe(text);
  });

  it('issues a per-user token, stores only its hash, and revokes the old one on reissue', async () => {
    const tokens = new CalendarTokens(t.db(), { now });
    const first = await tokens.issueToken('anna');
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await tokens.userForToken(first)).toBe('anna');
    const stored = await t.db().selectFrom('calendar_tokens').selectAll().execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]?.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(first);

    const second = await tokens.issueToken('anna');
    expect(await tokens.userForToken(first)).toBeUndefined();
    expect(await tokens.userForToken(second)).toBe('anna');
    expect(await tokens.userForToken('')).toBeUndefined();
    expect(await tokens.userForToken('guess')).toBeUndefined();
    await tokens.revoke('anna');
    expect(await tokens.userForToken(second)).toBeUndefined();
  });
});
