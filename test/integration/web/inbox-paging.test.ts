/**
 * The inbox at scale (issue 25): each table shows 50 rows at first and says how many of how many,
 * "Meer taken tonen" shows 50 more; the persons of the rows shown are read in one request
 * (POST /v1/journeys/persons), each reading in the processing log, and a journey the caller may not
 * see is left out of that answer. How many tasks a table has and how many are overdue ("te laat") the
 * database counts, exact however many there are; the page reads only the rows it shows.
 */
import request from 'supertest';
import { apiHarness, KEYS, type ApiHarness, type KeyName } from '../api/harness';

describe('the inbox shows its tasks a page at a time', () => {
  let h: ApiHarness;
  const refs: string[] = [];
  const journeys: string[] = [];

  beforeAll(async () => {
    h = await apiHarness();
    // Two persons' journeys with 60 open tasks each: 120 of the team's tasks, two due each day.
    for (let j = 0; j < 2; j++) {
      refs.push(h.personRef());
      journeys.push(await h.createJourney({ personRef: refs[j] }));
      await h.tasks.syncJourneyTasks({
        journeyId: journeys[j]!,
        municipality: 'borger-odoorn',
        caseworkerRole: 'regisseur-werk',
        tasks: Array.from({ length: 60 }, (_, i) => ({
          key: `check-family-reunification-${i}`,
          kind: 'check-family-reunification' as const,
          candidateGroup: 'regisseur-werk' as const,
          followUpDate: '2099-01-01',
          dueDate: `2099-01-${String(1 + (i % 28)).padStart(2, '0')}`,
        })),
      });
    }
  });
  afterAll(() => h.stop());

  async function signIn(key: KeyName): Promise<string> {
    const res = await request(h.app).post('/app/sign-in').type('form').send({ apiKey: KEYS[key], next: '/app/' });
    expect(res.status).toBe(303);
    return (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('koers_session='))!.split(';')[0]!;
  }

  /** The task rows of the team's table, and the link to more of them. */
  const teamTable = (text: string) => {
    const team = text.slice(text.indexOf('<div id="team">'));
    return { rows: (team.match(/data-task-id="/g) ?? []).length, more: /data-more="team" href="([^"]+)"/.exec(team)?.[1]?.replace(/&amp;/g, '&') };
  };

  it('shows 50 rows a table, says how many of how many, and shows 50 more on request', async () => {
    const cookie = await signIn('caseworker');
    const first = await request(h.app).get('/app/inbox').set('Cookie', cookie);
    expect(first.status).toBe(200);
    expect(teamTable(first.text).rows).toBe(50);
    expect(first.text).toContain('50 van de 120 taken getoond.');
    expect(first.text).toContain('Meer taken tonen');
    // Who each shown task is about, by the municipality's reference: both persons have rows among the first 50.
    for (const ref of refs) expect(first.text).toContain(ref);

    const more = teamTable(first.text).more!;
    expect(more).toBe('/app/inbox?rows=100#team');
    const second = await request(h.app).get(more.split('#')[0]!).set('Cookie', cookie);
    expect(teamTable(second.text).rows).toBe(100);
    expect(second.text).toContain('100 van de 120 taken getoond.');

    const all = await request(h.app).get(teamTable(second.text).more!.split('#')[0]!).set('Cookie', cookie);
    expect(teamTable(all.text).rows).toBe(120);
    expect(teamTable(all.text).more).toBeUndefined();
    expect(all.text).not.toContain('taken getoond');

    // The filters stay when more rows are shown.
    const filtered = await request(h.app).get(`/app/inbox?journey=${journeys[0]}`).set('Cookie', cookie);
    expect(teamTable(filtered.text).rows).toBe(50);
    expect(filtered.text).toContain('50 van de 60 taken getoond.');
    expect(teamTable(filtered.text).more).toBe(`/app/inbox?journey=${journeys[0]}&rows=100#team`);
  });

  it('counts every task and every overdue one exactly, beyond 500, reading only the rows it shows', async () => {
    // Another municipality: 620 open tasks of one journey, 542 of them overdue (due long ago: more than the API's largest page); 9 held by the
    // caseworker there, 4 of those overdue.
    const journeyId = await h.createJourney({ municipality: 'midden-drenthe' });
    const overdueKeys = new Set(Array.from({ length: 620 }, (_, i) => i).filter((i) => i % 8 !== 0).map((i) => `check-family-reunification-${i}`));
    expect(overdueKeys.size).toBe(542);
    await h.tasks.syncJourneyTasks({
      journeyId,
      municipality: 'midden-drenthe',
      caseworkerRole: 'regisseur-werk',
      tasks: Array.from({ length: 620 }, (_, i) => {
        const key = `check-family-reunification-${i}`;
        return { key, kind: 'check-family-reunification' as const, candidateGroup: 'regisseur-werk' as const, followUpDate: '2020-01-01', dueDate: overdueKeys.has(key) ? '2021-02-03' : `2099-02-${String(1 + (i % 28)).padStart(2, '0')}` };
      }),
    });
    const all: Array<{ id: string; key: string }> = [];
    let cursor: string | undefined;
    do {
      const page = await h.tasks.listTasks({ journeyId, limit: 500, ...(cursor ? { cursor } : {}) });
      all.push(...page.tasks);
      cursor = page.nextCursor;
    } while (cursor);
    expect(all).toHaveLength(620);
    const held = [...all.filter((t) => overdueKeys.has(t.key)).slice(0, 4), ...all.filter((t) => !overdueKeys.has(t.key)).slice(0, 5)];
    for (const task of held) await h.tasks.claim(task.id, 'cw-other');

    // What GET says, every page of it: the brute force the page's figures must equal.
    async function everyTask(path: string): Promise<Array<{ taskId: string; overdue: boolean; assignee?: string }>> {
      const tasks: Array<{ taskId: string; overdue: boolean; assignee?: string }> = [];
      let next: string | undefined;
      do {
        const answer = await h.as('caseworkerOther').get(`${path}?pageSize=500${next ? `&cursor=${next}` : ''}`);
        expect(answer.status).toBe(200);
        tasks.push(...answer.body.tasks);
        next = answer.body.nextCursor;
      } while (next);
      return tasks;
    }
    const mine = await everyTask('/v1/tasks/mine');
    const team = (await everyTask('/v1/tasks/team')).filter((t) => t.assignee !== 'cw-other');
    expect(mine.filter((t) => t.overdue)).toHaveLength(4);
    expect(team).toHaveLength(611);
    expect(team.filter((t) => t.overdue)).toHaveLength(538);

    // The API counts over all pages, on a page of one.
    const counted = await h.as('caseworkerOther').get('/v1/tasks/team?pageSize=1&counts=true&excludeMine=true');
    expect(counted.body.tasks).toHaveLength(1);
    expect(counted.body.counts).toEqual({ total: 611, overdue: 538 });
    expect((await h.as('caseworkerOther').get('/v1/tasks/team?pageSize=1&counts=true')).body.counts).toEqual({ total: 620, overdue: 542 });
    expect((await h.as('caseworkerOther').get('/v1/tasks/mine?pageSize=1&counts=true')).body.counts).toEqual({ total: 9, overdue: 4 });
    // overdue=false is every task not overdue, in full pages.
    const onTime = await h.as('caseworkerOther').get('/v1/tasks/team?pageSize=50&overdue=false&counts=true');
    expect(onTime.body.tasks).toHaveLength(50);
    expect(onTime.body.tasks.every((t: { overdue: boolean }) => !t.overdue)).toBe(true);
    expect(onTime.body.counts).toEqual({ total: 78, overdue: 0 });

    const cookie = await signIn('caseworkerOther');
    const first = await request(h.app).get('/app/inbox').set('Cookie', cookie);
    expect(first.status).toBe(200);
    expect(first.text).toMatch(/<title>\(542 te laat\) Werkvoorraad/);
    expect(first.text).toContain('<span id="my-overdue">Mijn taken te laat: 4</span>');
    expect(first.text).toContain('<span id="team-overdue">Taken van het team te laat: 538</span>');
    expect(teamTable(first.text).rows).toBe(50);
    expect(first.text).toContain('50 van de 611 taken getoond.');
    // The overdue ones first: the 50 shown are all overdue.
    expect(first.text.slice(first.text.indexOf('<div id="team">')).match(/koers-row--overdue/g)).toHaveLength(50);

    // At the most rows a table shows, the filters narrow the rest.
    const most = await request(h.app).get('/app/inbox?rows=500').set('Cookie', cookie);
    expect(teamTable(most.text).rows).toBe(500);
    expect(teamTable(most.text).more).toBeUndefined();
    expect(most.text).toContain('500 van de 611 taken getoond. Verfijn de filters om de andere te zien.');
    expect(most.text).toContain('<span id="team-overdue">Taken van het team te laat: 538</span>');
  });

  it('reads the persons of a page in one request, each reading recorded, none the caller may not see', async () => {
    const asked = { journeyIds: [...journeys, 'j-does-not-exist-0000000001'] };
    const answer = await h.as('caseworker').post('/v1/journeys/persons', asked);
    expect(answer.status).toBe(200);
    expect(answer.body.persons.map((p: { journeyId: string; personRef: string }) => [p.journeyId, p.personRef])).toEqual(journeys.map((j, i) => [j, refs[i]]));
    expect(answer.body.persons[0]).toMatchObject({ municipality: 'borger-odoorn', permitGrantedOn: '2025-03-14', birthDate: '1990-05-01' });
    expect(answer.body.persons[0]).not.toHaveProperty('bsn');
    const records = (await h.processingLog.records({ subject: { journeyId: journeys[0]! } }, 100)).items.filter((r) => r.activity === 'person-read' && r.name === 'POST /v1/journeys/persons');
    expect(records.length).toBeGreaterThan(0);

    // Another municipality's caseworker: nothing, not even that the journeys exist.
    expect((await h.as('caseworkerOther').post('/v1/journeys/persons', asked)).body).toEqual({ persons: [] });
    // More than a page's worth, or none: refused, naming the field.
    const tooMany = await h.as('caseworker').post('/v1/journeys/persons', { journeyIds: Array.from({ length: 101 }, (_, i) => `j-x${i}`) });
    expect(tooMany.status).toBe(422);
    expect(JSON.stringify(tooMany.body.errors)).toContain('journeyIds');
    expect((await h.as('partnerBrp').post('/v1/journeys/persons', asked)).status).toBe(403);
  });
});
