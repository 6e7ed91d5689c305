/**
 * Issue 24, faults 2 and 5 (the revoked feed, the pre-empted event): a partner key sends only under its
 * own CloudEvents sources, so one partner cannot send first under another's source + id and make the
 * real event a duplicate; a calendar feed stops once its user's key is removed or expired, serves only
 * that key's municipalities, expires, and can be revoked through the API.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { apiHarness, cloudEvent, eventually, KEY_ENTRIES, KEYS, type ApiHarness } from './harness';
import type { ApiKeyEntry } from '../../../api/auth';

const withSources = (entries: ApiKeyEntry[]): ApiKeyEntry[] =>
  entries.map((e) => (e.name === 'brp-borger-odoorn' ? { ...e, sources: ['urn:nl:brp:*'] } : e.name === 'duo' ? { ...e, sources: ['urn:nl:duo'] } : e));

describe('machine credentials at the API', () => {
  let h: ApiHarness;
  let file: string;
  beforeAll(async () => {
    h = await apiHarness({ worker: true, keyEntries: withSources(KEY_ENTRIES) });
    file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'koers-keys-')), 'keys.json');
  });
  afterAll(() => h?.stop());
  const reload = (entries: ApiKeyEntry[]) => {
    fs.writeFileSync(file, JSON.stringify(entries));
    h.keys.reloadFrom(file);
  };

  it("refuses a partner's event under another partner's source, so the real one is not answered duplicate", async () => {
    const journeyId = await h.createJourney();
    const id = `${journeyId}-exam-1`;
    const forged = cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-04-01' }, id, 'urn:nl:duo');
    const res = await h.as('partnerBrp').post(`/v1/journeys/${journeyId}/events`, forged);
    expect(res.status).toBe(403);
    expect(res.body.errors).toEqual([{ path: 'source', message: 'is not among the sources of this key' }]);
    expect(await h.audit.forJourney(journeyId)).toEqual([]);
    const real = await h.as('partnerDuo').post(`/v1/journeys/${journeyId}/events`, cloudEvent('nl.koers.exam.passed', { occurredOn: '2025-04-01', route: 'inburgeringsexamen' }, id, 'urn:nl:duo'));
    expect([real.status, real.body]).toEqual([202, { duplicate: false }]);
    // Its own sources still work.
    expect((await h.as('partnerBrp').post(`/v1/journeys/${journeyId}/events`, cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-04-01' }, `${journeyId}-brp`, 'urn:nl:brp:borger-odoorn'))).status).toBe(202);
  });

  it('ends a calendar feed when its key goes or expires, keeps it to the key\'s municipalities, expires it and revokes it', async () => {
    const journeyId = await h.createJourney({ permitGrantedOn: '2021-06-01' });
    expect((await h.as('partnerBrp').post(`/v1/journeys/${journeyId}/events`, cloudEvent('nl.koers.bijstand.applied', { occurredOn: '2025-05-01' }, `${journeyId}-b`, 'urn:nl:brp:x'))).status).toBe(202);
    const { tasks } = await eventually(() => h.tasks.listTasks({ journeyId }), (p) => p.tasks.some((t) => t.kind === 'hold-intake'), 15_000);
    expect((await h.as('caseworker').post(`/v1/tasks/${tasks.find((t) => t.kind === 'hold-intake')!.id}/claim`)).status).toBe(200);
    const issued = await h.as('caseworker').post('/v1/calendar-tokens');
    expect(issued.status).toBe(201);
    const feed = () => request(h.app).get(new URL(issued.body.url as string).pathname);
    const events = (text: string) => text.split('BEGIN:VEVENT').length - 1;
    expect(events((await feed()).text)).toBe(1);

    const entries = withSources(KEY_ENTRIES);
    const anna = entries.find((e) => e.name === 'cw-anna')!;
    // Another municipality only: the feed shows none of borger-odoorn's tasks.
    reload(entries.map((e) => (e === anna ? { ...e, municipalities: ['midden-drenthe'] } : e)));
    expect(events((await feed()).text)).toBe(0);
    // Expired: the feed stops at once, as the key does.
    reload(entries.map((e) => (e === anna ? { ...e, expiresAt: '2020-01-01' } : e)));
    expect((await feed()).status).toBe(404);
    expect((await h.as('caseworker').get('/v1/tasks/mine')).status).toBe(401);
    // Removed: the same.
    reload(entries.filter((e) => e !== anna));
    expect((await feed()).status).toBe(404);
    // Back: the feed serves again, until the token's own expiry or its revocation.
    reload(entries);
    expect((await feed()).status).toBe(200);
    await h.db.updateTable('calendar_tokens').set({ created_at: '2020-01-01T00:00:00.000Z' }).where('user_id', '=', 'cw-anna').execute();
    expect((await feed()).status).toBe(404);
    const again = await h.as('caseworker').post('/v1/calendar-tokens');
    const fresh = () => request(h.app).get(new URL(again.body.url as string).pathname);
    expect((await fresh()).status).toBe(200);
    expect((await h.as('caseworker').put('/v1/calendar-tokens')).status).toBe(405);
    const revoked = await request(h.app).delete('/v1/calendar-tokens').set('Authorization', `Bearer ${KEYS.caseworker}`);
    expect(revoked.status).toBe(204);
    expect((await fresh()).status).toBe(404);
  });
});
