/**
 * Calendar feeds end to end: a journey projects a task (real worker and activities), the caseworker
 * claims it over HTTP, issues a feed URL, and a calendar app without any API key reads the task's
 * final date from it. Issuing again revokes the old URL.
 */
import crypto from 'node:crypto';
import ical, { type VEvent } from 'node-ical';
import request from 'supertest';
import { apiHarness, cloudEvent, eventually, PUBLIC_URL, type ApiHarness } from './harness';

/** node-ical gives a DATE as local midnight; read it back as the calendar date it stands for. */
const localDate = (d: Date | undefined) => d && `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const vevents = (text: string): VEvent[] => Object.values(ical.sync.parseICS(text)).filter((c): c is VEvent => c !== undefined && c.type === 'VEVENT');

describe('calendar feeds', () => {
  let h: ApiHarness;
  let task: { taskId: string; dueDate: string };

  beforeAll(async () => {
    h = await apiHarness({ worker: true });
    // Wi2013: the bijstand application starts the intake clock, and the journey projects a hold-intake task.
    const journeyId = await h.createJourney({ permitGrantedOn: '2021-06-01' });
    expect((await h.as('partnerBrp').post(`/v1/journeys/${journeyId}/events`, cloudEvent('nl.koers.bijstand.applied', { occurredOn: '2025-05-01' }))).status).toBe(202);
    const page = await eventually(() => h.tasks.listTasks({}), (p) => p.tasks.some((t) => t.journeyId === journeyId && t.kind === 'hold-intake'), 10_000);
    const found = page.tasks.find((t) => t.journeyId === journeyId && t.kind === 'hold-intake')!;
    task = { taskId: found.id, dueDate: found.dueDate };
    expect((await h.as('caseworker').post(`/v1/tasks/${task.taskId}/claim`)).status).toBe(200);
  });
  afterAll(() => h.stop());

  /** The feed as a calendar app fetches it: the URL alone, no Authorization header. */
  const fetchFeed = (url: string) => request(h.app).get(url.slice(PUBLIC_URL.length));

  const issue = async (who: Parameters<ApiHarness['as']>[0] = 'caseworker'): Promise<string> => {
    const res = await h.as(who).post('/v1/calendar-tokens');
    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({ url: expect.stringMatching(new RegExp(`^${PUBLIC_URL.replace(/\./g, '\\.')}/v1/calendar/[A-Za-z0-9_-]{43}\\.ics$`)) });
    return res.body.url as string;
  };

  it("serves the caller's claimed task on its final date, without a bearer key", async () => {
    const url = await issue();
    const res = await fetchFeed(url);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
    const events = vevents(res.text);
    expect(events.map((e) => e.uid)).toEqual([`${task.taskId}@koers`]);
    expect(events[0]!.start?.dateOnly).toBe(true);
    expect(localDate(events[0]!.start)).toBe(task.dueDate);
    expect(events[0]!.summary).toMatch(/^Fatale datum: Intakegesprek voeren \(traject /);

    // Another caseworker's feed does not show it; the log names the route, never the token.
    const other = await fetchFeed(await issue('caseworker2'));
    expect(vevents(other.text)).toEqual([]);
    const token = /calendar\/([^.]+)\.ics$/.exec(url)![1]!;
    expect(JSON.stringify(h.logs)).not.toContain(token);
    expect(h.logs.some((l) => (l.obj as { route?: string }).route === '/v1/calendar/:feed')).toBe(true);
  });

  it('revokes the previous URL when a new one is issued', async () => {
    const first = await issue();
    expect((await fetchFeed(first)).status).toBe(200);
    const second = await issue();
    expect(second).not.toBe(first);
    const revoked = await fetchFeed(first);
    expect(revoked.status).toBe(404);
    expect(revoked.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await fetchFeed(second)).status).toBe(200);
  });

  it('answers an unknown or malformed token with 404 problem+json', async () => {
    for (const token of [crypto.randomBytes(32).toString('base64url'), 'short', 'x'.repeat(300)]) {
      const res = await request(h.app).get(`/v1/calendar/${token}.ics`);
      expect([token.length, res.status]).toEqual([token.length, 404]);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });

  it('issues tokens to caseworkers and admins only, with a key', async () => {
    expect((await h.as(undefined).post('/v1/calendar-tokens')).status).toBe(401);
    expect((await h.as('partnerBrp').post('/v1/calendar-tokens')).status).toBe(403);
    await issue('admin');
  });
});
