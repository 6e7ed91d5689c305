/**
 * How the API answers when Temporal or the journey's worker is not there (issue 8, fault 7): a 503
 * with Retry-After within the deadline, never a 500; a page token or cursor it did not issue is a 400
 * at once without a word in the log; and it answers again as soon as Temporal is back. The timings are
 * printed for the record (they are not asserted beyond the deadlines the API promises).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDevServer, type DevServer } from '../../../platform/dev-server';
import { freePort } from '../../helpers/ports';
import { apiHarness, eventually, type ApiHarness } from './harness';

const TIMEOUT_MS = 4000;
/** The query deadline (AppDeps.temporalQueryTimeoutMs default). */
const QUERY_TIMEOUT_MS = 3000;
const SLACK_MS = 750;

describe('Temporal and its workers out of reach', () => {
  let server: DevServer;
  let h: ApiHarness;
  let serverOptions: Parameters<typeof startDevServer>[0];
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koers-temporal-errors-'));
    const port = await freePort();
    serverOptions = { port, uiPort: await freePort(), dbFile: path.join(dir, 'temporal.db'), namespace: 'default' };
    server = await startDevServer(serverOptions);
    h = await apiHarness({ worker: true, temporalAddress: server.address, temporalTimeoutMs: TIMEOUT_MS });
  });
  afterAll(async () => {
    await h?.stop();
    await server?.stop();
    console.log(`temporal error mapping timings (ms): ${JSON.stringify(timings)}`);
  });

  const timed = async (label: string, send: () => Promise<import('supertest').Response>) => {
    const started = Date.now();
    const res = await send();
    timings[label] = Date.now() - started;
    return res;
  };
  const warnings = () => h.logs.filter((l) => l.level !== 'info').length;

  it('refuses a page token or a cursor it did not issue with a 400 at once, and logs nothing', async () => {
    for (let i = 0; i < 3; i++) await h.createJourney();
    const first = await h.as('admin').get('/v1/journeys?pageSize=1');
    expect(first.status).toBe(200);
    expect(first.body.nextPageToken).toEqual(expect.any(String));
    const second = await h.as('admin').get(`/v1/journeys?pageSize=1&pageToken=${encodeURIComponent(first.body.nextPageToken)}`);
    expect(second.status).toBe(200);
    expect(second.body.journeys[0].journeyId).not.toBe(first.body.journeys[0].journeyId);

    const before = warnings();
    for (const token of ['AAAA', 'eyJhIjoxfQ', `${first.body.nextPageToken.slice(0, -1)}x`]) {
      const res = await timed(`list with a foreign page token ${token.slice(0, 8)}`, () => h.as('admin').get(`/v1/journeys?pageToken=${encodeURIComponent(token)}`));
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ path: 'query.pageToken', message: 'must be the nextPageToken of a previous page' }]);
      expect(timings[`list with a foreign page token ${token.slice(0, 8)}`]).toBeLessThan(1000);
    }
    const cursor = await h.as('caseworker').get('/v1/tasks/mine?cursor=AAAA');
    expect(cursor.status).toBe(400);
    expect(cursor.body.errors).toEqual([{ path: 'query.cursor', message: 'must be the nextCursor of a previous page' }]);
    expect(warnings()).toBe(before);
  });

  it('reads a journey from the read model while the worker is down; its live state is a 503 with Retry-After by the query deadline, and 200 once it is back', async () => {
    const journeyId = await h.createJourney();
    expect((await h.as('admin').get(`/v1/journeys/${journeyId}`)).status).toBe(200);
    await h.stopWorker();
    expect((await h.as('admin').get(`/v1/journeys/${journeyId}`)).status).toBe(200);
    for (const attempt of [1, 2]) {
      const res = await timed(`GET journey, worker down #${attempt}`, () => h.as('admin').get(`/v1/journeys/${journeyId}/live`));
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toMatch(/^\d+$/);
      expect(res.body).toMatchObject({ status: 503, title: 'Journey unavailable' });
      expect(timings[`GET journey, worker down #${attempt}`]).toBeLessThan(QUERY_TIMEOUT_MS + SLACK_MS);
    }
    expect(h.logs.filter((l) => l.level === 'error')).toEqual([]);
    await h.startWorker();
    // The restarted worker replays the journey for its first query; on a loaded machine that can pass the query deadline once.
    const back = await timed('GET journey, worker back', () => eventually(() => h.as('admin').get(`/v1/journeys/${journeyId}/live`), (r) => r.status === 200, 15_000));
    expect(back.status).toBe(200);
  });

  it('answers 503 with Retry-After within the deadline while Temporal is down, and 200 within seconds after it is back', async () => {
    const journeyId = await h.createJourney();
    await h.stopWorker();
    await server.stop();
    // Reads come from the read model in the store: Temporal being down does not stop them.
    for (const url of [`/v1/journeys/${journeyId}`, '/v1/journeys/count', '/v1/journeys']) expect((await h.as('admin').get(url)).status).toBe(200);
    for (const [label, url] of [
      ['GET journey, Temporal down', `/v1/journeys/${journeyId}/live`],
      // A journey without a row in the read model is asked of Temporal (a describe).
      ['GET journey without a row, Temporal down', '/v1/journeys/j-nosuchjourney000000000'],
    ] as const) {
      const res = await timed(label, () => h.as('admin').get(url));
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toMatch(/^\d+$/);
      expect(timings[label]).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    }
    const health = await h.as(undefined).get('/health');
    expect(health.status).toBe(503);
    expect(health.headers['retry-after']).toMatch(/^\d+$/);
    // Down long enough for gRPC's default reconnect backoff to have grown past 10 s.
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    server = await startDevServer(serverOptions);
    const up = Date.now();
    let count;
    do {
      // Temporal answers again: there is no such journey.
      count = await h.as('admin').get('/v1/journeys/j-nosuchjourney000000000');
      if (count.status !== 404) await new Promise((resolve) => setTimeout(resolve, 100));
    } while (count.status !== 404 && Date.now() - up < 20_000);
    timings['first 200 after Temporal is back'] = Date.now() - up;
    expect(count.status).toBe(404);
    expect(timings['first 200 after Temporal is back']).toBeLessThan(5000);
    await h.startWorker();
    const journey = await h.as('admin').get(`/v1/journeys/${journeyId}/live`);
    expect(journey.status).toBe(200);
    expect(h.logs.filter((l) => l.level === 'error')).toEqual([]);
  });
});
