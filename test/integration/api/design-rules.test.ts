/**
 * The Dutch API Design Rules as HTTP behaviour (the document is linted by Spectral in
 * test:conformance): no trailing slashes, 405 for a method a resource has not, the public document
 * readable from any origin, HEAD wherever GET is, and problems that name every wrong field with
 * RFC 9457's `status` as the HTTP status.
 */
import request from 'supertest';
import { apiHarness, type ApiHarness } from './harness';

describe('API Design Rules over HTTP', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness();
  });
  afterAll(() => h.stop());

  it('answers a path with a trailing slash 404 (/core/no-trailing-slash)', async () => {
    expect((await h.as('admin').get('/v1/journeys/count')).status).toBe(200);
    for (const path of ['/v1/journeys/count/', '/v1/tasks/team/', '/v1/openapi.json/']) {
      const res = await h.as('admin').get(path);
      expect([path, res.status, res.headers['content-type']]).toEqual([path, 404, expect.stringMatching(/^application\/problem\+json/)]);
    }
  });

  it('answers a method the resource has not 405 with Allow, and an unknown path 404', async () => {
    const del = await request(h.app).delete('/v1/journeys').set('Authorization', 'Bearer test-admin-key-0000000000001');
    expect(del.status).toBe(405);
    expect(del.headers.allow?.split(', ').sort()).toEqual(['GET', 'HEAD', 'POST']);
    expect(del.headers['content-type']).toMatch(/^application\/problem\+json/);
    const put = await h.as('admin').put('/v1/tasks/j-x:hold-intake/claim', {});
    expect([put.status, put.headers.allow]).toEqual([405, 'POST']);
    expect((await request(h.app).delete('/v1/openapi.json').set('Authorization', 'Bearer test-admin-key-0000000000001')).status).toBe(405);
    expect((await h.as('admin').get('/v1/nothing-here')).status).toBe(404);
  });

  it('serves the document to any origin, its preflight and HEAD without credentials', async () => {
    const get = await request(h.app).get('/v1/openapi.json').set('Origin', 'https://developer.overheid.nl');
    expect(get.status).toBe(200);
    expect(get.headers['access-control-allow-origin']).toBe('*');
    const preflight = await request(h.app)
      .options('/v1/openapi.json')
      .set('Origin', 'https://developer.overheid.nl')
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'accept');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    expect(preflight.headers['access-control-allow-methods']).toContain('GET');
    const head = await request(h.app).head('/v1/openapi.json');
    expect(head.status).toBe(200);
    expect(head.headers['api-version']).toBe('1.0.0');
    // The API itself stays closed: CORS is the document's only.
    expect((await request(h.app).get('/v1/journeys').set('Origin', 'https://elsewhere.example')).headers['access-control-allow-origin']).toBeUndefined();
  });

  it('names every wrong field of a create at once: an unknown municipality and a bad BSN together', async () => {
    const res = await h.as('admin').post('/v1/journeys', { personRef: h.personRef(), municipality: 'atlantis', permitGrantedOn: '2025-03-14', bsn: '123456789' });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      { path: 'municipality', message: 'no policy for municipality "atlantis"' },
      { path: 'bsn', message: 'is not a valid BSN (11-proef)' },
    ]);
  });

  it("keeps a problem's status the HTTP status: a task's state is taskStatus", async () => {
    await h.tasks.syncJourneyTasks({
      journeyId: 'j-designrules000000000',
      municipality: 'borger-odoorn',
      tasks: [{ key: 'hold-intake', kind: 'hold-intake', candidateGroup: 'regisseur-werk', followUpDate: '2026-05-04', dueDate: '2026-05-11' }],
    });
    const taskId = 'j-designrules000000000:hold-intake';
    expect((await h.as('caseworker').post(`/v1/tasks/${taskId}/claim`)).status).toBe(200);
    const taken = await h.as('caseworker2').post(`/v1/tasks/${taskId}/claim`);
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ status: 409, title: 'Conflict', taskStatus: 'claimed', taskId });
  });
});
