/**
 * A calendar app's view of the feed: ical.js parses it, DTSTAMP is a UTC date-time (RFC 5545
 * §3.8.7.2), and a conditional request with the ETag it was given is a 304 until the feed changes.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import ICAL from 'ical.js';
import { bearer, eventually, freshPersonRef, server } from './server';

const json = { 'Content-Type': 'application/json' };

async function call<T>(path: string, key: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...bearer(key), ...(init.body !== undefined ? json : {}) },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const body = (await res.json()) as T;
  return { status: res.status, body };
}

/**
 * A calendar app's conditional GET. Not fetch: a request with If-None-Match is one fetch sends with
 * `Cache-Control: no-cache` (Fetch standard, cache mode no-store), which asks for a full answer.
 */
function conditionalGet(url: string, etag: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'If-None-Match': etag } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('the calendar feed', () => {
  it('parses with ical.js, stamps in UTC, and answers 304 to a matching If-None-Match', async () => {
    // A task the caseworker holds: a Wi2013 journey with a bijstand application has a hold-intake task.
    const created = await call<{ journeyId: string }>('/v1/journeys', server.keys.admin, {
      method: 'POST',
      body: { personRef: freshPersonRef(), municipality: 'borger-odoorn', permitGrantedOn: '2021-06-01' },
    });
    const { journeyId } = created.body;
    const event = { specversion: '1.0', id: randomUUID(), source: 'urn:nl:gemeente:borger-odoorn:bijstand', type: 'nl.koers.bijstand.applied', data: { occurredOn: '2025-05-01' } };
    expect((await call(`/v1/journeys/${journeyId}/events`, server.keys.partner, { method: 'POST', body: event })).status).toBe(202);
    const tasks = await eventually(
      () => call<{ tasks: Array<{ taskId: string }> }>(`/v1/tasks/team?journeyId=${journeyId}&kind=hold-intake`, server.keys.caseworker),
      (r) => r.body.tasks.length === 1,
    );
    const taskId = tasks.body.tasks[0]!.taskId;
    expect((await call(`/v1/tasks/${encodeURIComponent(taskId)}/claim`, server.keys.caseworker, { method: 'POST' })).status).toBe(200);

    const link = await call<{ url: string }>('/v1/calendar-tokens', server.keys.caseworker, { method: 'POST' });
    expect(link.status).toBe(201);
    // The feed is reached on the server under test, whatever public URL the link names.
    const feedUrl = `${server.url}${new URL(link.body.url).pathname}`;

    const first = await fetch(feedUrl);
    expect(first.status).toBe(200);
    expect(first.headers.get('Content-Type')).toMatch(/^text\/calendar/);
    const etag = first.headers.get('ETag');
    expect(etag).toBeTruthy();
    const text = await first.text();

    const calendar = new ICAL.Component(ICAL.parse(text));
    const vevent = calendar.getAllSubcomponents('vevent').find((v) => String(v.getFirstPropertyValue('uid')).startsWith(taskId));
    expect(vevent).toBeDefined();
    const stamp = vevent!.getFirstPropertyValue('dtstamp');
    if (!(stamp instanceof ICAL.Time)) throw new Error('DTSTAMP is no date-time');
    expect(stamp.zone).toBe(ICAL.Timezone.utcTimezone);
    expect(text).toMatch(/\r\nDTSTAMP:\d{8}T\d{6}Z\r\n/);
    const start = vevent!.getFirstPropertyValue('dtstart');
    if (!(start instanceof ICAL.Time)) throw new Error('DTSTART is no date');
    expect(start.isDate).toBe(true);

    expect(await conditionalGet(feedUrl, etag!)).toEqual({ status: 304, body: '' });
    expect((await conditionalGet(feedUrl, 'W/"another"')).status).toBe(200);
    // HEAD needs no key either: the token in the path is the credential.
    expect((await fetch(feedUrl, { method: 'HEAD' })).status).toBe(200);
  });
});
