/**
 * Issue 24, fault 5: one partner can outrun neither the limits nor another partner.
 * - The per-key rate limit counts events: a batch of 10 costs 10 (it cost 1, so one key could send
 *   100 times the limit in batches).
 * - A journey takes a bounded number of new events per day: 429 beyond it, per event in a batch (207);
 *   a duplicate is still a duplicate.
 * - The timeline is paged (`pageSize`, `pageToken` → `nextPageToken`); without them it answers as before.
 * - No key sends first under another key's CloudEvents source, in any mode and whatever its role, so the
 *   partner's real event is not answered "duplicate" and dropped.
 */
import { apiHarness, cloudEvent, KEY_ENTRIES } from './harness';

const BATCH = 'application/cloudevents-batch+json';
const registered = (id: string, source = 'urn:nl:brp') => cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-04-01' }, id, source);

describe('limits that count what they protect', () => {
  it('counts a batch as its events against the key, answering 429 problem+json with Retry-After', async () => {
    const h = await apiHarness({ eventRateLimit: { windowMs: 60_000, limit: 10 } });
    try {
      const journeyId = await h.createJourney();
      const events = `/v1/journeys/${journeyId}/events`;
      const batch = await h.as('partnerBrp').post(events, Array.from({ length: 10 }, (_, i) => registered(`${journeyId}-r${i}`)), BATCH);
      expect(batch.status).toBe(207);
      expect(batch.body.results.map((r: { status: number }) => r.status)).toEqual(Array(10).fill(202));
      // The ten events were the key's whole minute: the eleventh is refused before any work.
      const limited = await h.as('partnerBrp').post(events, registered(`${journeyId}-r10`));
      expect(limited.status).toBe(429);
      expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(await h.audit.get(journeyId, { source: 'urn:nl:brp', id: `${journeyId}-r10` })).toBeUndefined();
      // Another key is not affected; a batch larger than a key's minute is refused whole, and costs nothing.
      expect((await h.as('partnerDuo').post(events, Array.from({ length: 11 }, (_, i) => registered(`${journeyId}-d${i}`)), BATCH)).status).toBe(429);
      expect((await h.as('partnerDuo').post(events, registered(`${journeyId}-d0`))).status).toBe(403);
    } finally {
      await h.stop();
    }
  });

  it("refuses a journey's events beyond its budget for the day, per event in a batch, and still answers duplicates", async () => {
    const h = await apiHarness({ journeyEventBudgetPerDay: 5 });
    try {
      const journeyId = await h.createJourney();
      const events = `/v1/journeys/${journeyId}/events`;
      const batch = await h.as('partnerBrp').post(events, Array.from({ length: 7 }, (_, i) => registered(`${journeyId}-b${i}`)), BATCH);
      expect(batch.status).toBe(207);
      expect(batch.body.results.map((r: { status: number }) => r.status)).toEqual([202, 202, 202, 202, 202, 429, 429]);
      expect(batch.body.results[5].problem).toMatchObject({ status: 429, code: 'journey-event-budget' });
      const single = await h.as('admin').post(events, registered(`${journeyId}-admin`, 'urn:nl:gemeente'));
      expect(single.status).toBe(429);
      expect(single.headers['content-type']).toMatch(/^application\/problem\+json/);
      const retryAfter = Number(single.headers['retry-after']);
      // Until the next day starts in Europe/Amsterdam: at most a day (25 h on the autumn change).
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(25 * 3600);
      // A retry of an accepted event is a duplicate, not a refusal; another journey has its own budget.
      expect([(await h.as('partnerBrp').post(events, registered(`${journeyId}-b0`))).body]).toEqual([{ duplicate: true }]);
      const other = await h.createJourney();
      expect((await h.as('partnerBrp').post(`/v1/journeys/${other}/events`, registered(`${other}-b0`))).status).toBe(202);
      expect((await h.audit.forJourney(journeyId)).length).toBe(5);
    } finally {
      await h.stop();
    }
  });

  it('pages the timeline with pageSize and pageToken, and answers all of a short one without them', async () => {
    // The timeline asks the journey for what it applied: it needs a worker.
    const h = await apiHarness({ worker: true });
    try {
      const journeyId = await h.createJourney();
      const events = `/v1/journeys/${journeyId}/events`;
      for (let i = 0; i < 5; i++) expect((await h.as('partnerBrp').post(events, registered(`${journeyId}-t${i}`))).status).toBe(202);
      const whole = await h.as('admin').get(events);
      expect(whole.status).toBe(200);
      expect(whole.body.nextPageToken).toBeUndefined();
      const all = whole.body.events.map((e: { id: string }) => e.id);
      expect(all).toHaveLength(5);
      const paged: string[] = [];
      let url = `${events}?pageSize=2`;
      for (let pages = 0; pages < 10; pages++) {
        const page = await h.as('admin').get(url);
        expect(page.status).toBe(200);
        expect(page.body.events.length).toBeLessThanOrEqual(2);
        paged.push(...page.body.events.map((e: { id: string }) => e.id));
        if (!page.body.nextPageToken) break;
        url = `${events}?pageSize=2&pageToken=${encodeURIComponent(page.body.nextPageToken)}`;
      }
      expect(paged).toEqual(all);
      expect((await h.as('admin').get(`${events}?pageToken=forged`)).status).toBe(400);
    } finally {
      await h.stop();
    }
  });

  it("refuses an event under another key's source, from any key and in every mode, so the partner's real event is accepted", async () => {
    // DUO's key is bound to its source; the other keys (staff, and the BRP partner of a development key file) to none.
    const h = await apiHarness({ keyEntries: KEY_ENTRIES.map((e) => (e.name === 'duo' ? { ...e, sources: ['urn:nl:duo'] } : e)) });
    try {
      const journeyId = await h.createJourney({ permitGrantedOn: '2021-06-01' });
      const events = `/v1/journeys/${journeyId}/events`;
      const id = `${journeyId}-uitslag-1`;
      const passed = (source = 'urn:nl:duo') => cloudEvent('nl.koers.exam.passed', { occurredOn: '2025-04-01', route: 'inburgeringsexamen' }, id, source);
      const brp = cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-04-01' }, id, 'urn:nl:duo');
      const attempts: Array<[string, () => PromiseLike<{ status: number; body: { results?: Array<{ status: number }> } }>]> = [
        ['admin', () => h.as('admin').post(events, passed())],
        ['caseworker', () => h.as('caseworker').post(events, passed())],
        ['partner without sources, structured', () => h.as('partnerBrp').post(events, brp)],
        ['partner without sources, batch', () => h.as('partnerBrp').post(events, [brp], BATCH)],
        [
          'partner without sources, binary',
          () =>
            h
              .as('partnerBrp')
              .post(events, JSON.stringify({ occurredOn: '2025-04-01' }))
              .set({ 'ce-specversion': '1.0', 'ce-id': id, 'ce-source': 'urn:nl:duo', 'ce-type': 'nl.koers.brp.registered' }),
        ],
      ];
      const answers: Array<[string, number]> = [];
      for (const [who, attempt] of attempts) {
        const res = await attempt();
        answers.push([who, res.body.results ? res.body.results[0]!.status : res.status]);
      }
      expect(answers).toEqual(attempts.map(([who]) => [who, 403]));
      expect(await h.audit.forJourney(journeyId)).toEqual([]);
      const real = await h.as('partnerDuo').post(events, passed());
      expect([real.status, real.body]).toEqual([202, { duplicate: false }]);
      // A source no key is bound to stays free for keys bound to none.
      expect((await h.as('admin').post(events, passed('urn:nl:gemeente:brief'))).status).toBe(202);
    } finally {
      await h.stop();
    }
  });
});
