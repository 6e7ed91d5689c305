import request from 'supertest';
import { ApiKeys } from '../../../api/auth';
import { routeRoles, type RouteDef } from '../../../api/route';
import { OPERATIONS, ROLES, type Role } from '../../../identity/permissions';
import { apiHarness, cloudEvent, KEYS, type ApiHarness, type KeyName } from './harness';

/** A key per role (identity/permissions.ts); the team lead is the team-lead role's own key. */
const ROLE_KEYS: Record<Role, KeyName> = {
  admin: 'admin',
  'team-lead': 'teamLeadRole',
  caseworker: 'caseworker',
  reader: 'reader',
  'privacy-officer': 'privacyOfficer',
  partner: 'partnerBrp',
};

/** A concrete URL for an operation, with ids that look right but name nothing. */
function sampleUrl(path: string): string {
  return path
    .replace('{journeyId}', 'j-nosuchjourney000000000')
    .replace('{taskId}', 'j-nosuchjourney000000000:hold-intake')
    .replace('{instrumentId}', 'j-nosuchjourney000000000-instrument-1')
    .replace('{messageId}', '00000000-0000-0000-0000-000000000000');
}

function call(h: ApiHarness, def: RouteDef, who: KeyName | undefined) {
  const url = sampleUrl(def.spec.path);
  const client = h.as(who);
  if (def.spec.method === 'get') return client.get(url);
  if (def.spec.method === 'put') return client.put(url, {});
  return client.post(url, {});
}

describe('authentication and authorisation', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness();
  });
  afterAll(() => h.stop());

  it('keeps only hashes of the keys, and accepts a key given as sha256:<hex>', async () => {
    const keys = new ApiKeys([{ key: 'a-plain-key-of-sixteen+', role: 'admin', name: 'x' }]);
    expect(JSON.stringify(keys)).not.toContain('a-plain-key-of-sixteen+');
    expect(keys.find('a-plain-key-of-sixteen+')?.role).toBe('admin');
    expect(keys.find('a-plain-key-of-sixteen')).toBeUndefined();
    const res = await h.as('hashed').get('/v1/journeys/count');
    expect(res.status).toBe(200);
  });

  it('rejects a key file entry with a short key or an unknown role', () => {
    expect(() => new ApiKeys([{ key: 'short', role: 'admin', name: 'x' }])).toThrow();
    expect(() => new ApiKeys([{ key: 'a-plain-key-of-sixteen+', role: 'root' as 'admin', name: 'x' }])).toThrow();
  });

  it("rejects a caseworker whose name is no staff id (claimed tasks carry it; reassign and filters take only staff ids); other roles' names are free", () => {
    expect(() => new ApiKeys([{ key: 'a-plain-key-of-sixteen+', role: 'caseworker', name: 'Anna de Vries' }])).toThrow(/name.*staff id/s);
    expect(() => new ApiKeys([{ key: 'a-plain-key-of-sixteen+', role: 'caseworker', name: 'anna.devries@gemeente.nl' }])).not.toThrow();
    expect(() => new ApiKeys([{ key: 'a-plain-key-of-sixteen+', role: 'partner', name: 'DUO regio Noord' }])).not.toThrow();
  });

  it('answers 401 problem+json without a key or with an unknown one, on every operation that needs one', async () => {
    for (const def of h.app.koers.routes.filter((r) => routeRoles(r.spec) !== 'public')) {
      for (const auth of [undefined, 'Bearer not-a-known-key-000000', 'Basic YWRtaW46YWRtaW4=']) {
        const url = sampleUrl(def.spec.path);
        let r = def.spec.method === 'get' ? request(h.app).get(url) : def.spec.method === 'put' ? request(h.app).put(url) : request(h.app).post(url);
        if (auth) r = r.set('Authorization', auth);
        const res = await r;
        expect([def.spec.operationId, res.status]).toEqual([def.spec.operationId, 401]);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.headers['www-authenticate']).toBe('Bearer');
      }
    }
  });

  it('has every operation in the one permissions table (identity/permissions.ts), and no row for an operation that does not exist', () => {
    const mounted = h.app.koers.routes.map((r) => r.spec.operationId).sort();
    expect(mounted.filter((id) => !(id in OPERATIONS))).toEqual([]);
    expect(Object.keys(OPERATIONS).filter((id) => !mounted.includes(id))).toEqual([]);
  });

  it('answers 403 to every role an operation does not allow, before reading the body', async () => {
    let checked = 0;
    for (const def of h.app.koers.routes) {
      const allowed = routeRoles(def.spec);
      if (allowed === 'public') continue;
      for (const role of ROLES) {
        if (allowed.includes(role)) continue;
        const res = await call(h, def, ROLE_KEYS[role]);
        expect([def.spec.operationId, role, res.status]).toEqual([def.spec.operationId, role, 403]);
        expect(res.body.title).toBe('Forbidden');
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(80);
  });

  it('lets every allowed role through the role check (then 404 for ids that name nothing)', async () => {
    for (const def of h.app.koers.routes) {
      const allowed = routeRoles(def.spec);
      if (allowed === 'public') continue;
      for (const role of allowed) {
        const res = await call(h, def, ROLE_KEYS[role]);
        if (!def.spec.params) {
          expect([def.spec.operationId, role, res.status === 401 || res.status === 403]).toEqual([def.spec.operationId, role, false]);
          continue;
        }
        // 404 for the unknown id; a body check may come first (422) where the route reads one.
        expect([def.spec.operationId, role, [404, 422].includes(res.status)]).toEqual([def.spec.operationId, role, true]);
      }
    }
  });

  it('forbids a partner the event types its key does not list (403), and changes nothing', async () => {
    const journeyId = await h.createJourney();
    const before = await h.historyLength(journeyId);
    const res = await h.as('partnerBrp').post(`/v1/journeys/${journeyId}/events`, cloudEvent('nl.koers.exam.passed', { occurredOn: '2026-01-20', route: 'b1' }));
    expect(res.status).toBe(403);
    expect(res.body.detail).toContain('nl.koers.exam.passed');
    expect(await h.historyLength(journeyId)).toBe(before);
    expect(await h.audit.forJourney(journeyId)).toEqual([]);
  });

  it('hides journeys of other municipalities (404) from caseworkers and partners, but not from admins', async () => {
    const journeyId = await h.createJourney({ municipality: 'borger-odoorn' });
    const before = await h.historyLength(journeyId);
    for (const who of ['caseworkerOther', 'partnerOther'] as const) {
      const res = await h.as(who).get(`/v1/journeys/${journeyId}`);
      expect([who, res.status]).toEqual([who, 404]);
      expect(res.body).toEqual({ type: 'about:blank', title: 'Not found', status: 404, detail: 'No such journey.' });
    }
    const unknown = await h.as('caseworkerOther').get('/v1/journeys/j-nosuchjourney000000000');
    expect(unknown.body).toEqual((await h.as('caseworkerOther').get(`/v1/journeys/${journeyId}`)).body);
    const event = await h.as('partnerOther').post(`/v1/journeys/${journeyId}/events`, cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-04-01' }));
    expect(event.status).toBe(404);
    for (const [path, body] of [
      ['ladder-assessments', { rung: 3, assessedOn: '2025-06-01' }],
      ['extension-requests', { ground: 'illness', requestedOn: '2025-06-01' }],
      ['instruments', { kind: 'werkstage', startedOn: '2025-06-01', hasStartkwalificatie: false, generalBijstand: true }],
    ] as const) {
      const res = await h.as('caseworkerOther').post(`/v1/journeys/${journeyId}/${path}`, body);
      expect([path, res.status]).toEqual([path, 404]);
    }
    expect((await h.as('caseworkerOther').get(`/v1/journeys/${journeyId}/events`)).status).toBe(404);
    expect(await h.historyLength(journeyId)).toBe(before);
  });

  it('forbids creating a journey in a municipality the key does not serve (403)', async () => {
    const res = await h.as('caseworkerOther').post('/v1/journeys', { personRef: h.personRef(), municipality: 'borger-odoorn', permitGrantedOn: '2025-03-14' });
    expect(res.status).toBe(403);
  });

  it('hides tasks of other municipalities (404) and lets only holder, team lead or admin reassign (403)', async () => {
    const journeyId = `j-tasks-${Date.now()}`;
    await h.tasks.syncJourneyTasks({
      journeyId,
      municipality: 'borger-odoorn',
      caseworkerRole: 'regisseur-werk',
      tasks: [{ key: 'hold-intake', kind: 'hold-intake', candidateGroup: 'regisseur-werk', followUpDate: '2025-04-10', dueDate: '2025-04-15' }],
    });
    const taskId = `${journeyId}:hold-intake`;
    for (const action of ['claim', 'unclaim', 'complete', 'reassign']) {
      const res = await h.as('caseworkerOther').post(`/v1/tasks/${taskId}/${action}`, action === 'reassign' ? { assignee: 'cw-other' } : action === 'complete' ? { form: {} } : undefined);
      expect([action, res.status]).toEqual([action, 404]);
    }
    expect((await h.as('caseworker').post(`/v1/tasks/${taskId}/claim`)).status).toBe(200);
    const stranger = await h.as('caseworker2').post(`/v1/tasks/${taskId}/reassign`, { assignee: 'cw-bram' });
    expect(stranger.status).toBe(403);
    const lead = await h.as('teamLead').post(`/v1/tasks/${taskId}/reassign`, { assignee: 'cw-bram' });
    expect(lead.status).toBe(200);
    expect(lead.body.assignee).toBe('cw-bram');
    const holder = await h.as('caseworker2').post(`/v1/tasks/${taskId}/reassign`, { assignee: 'cw-anna' });
    expect(holder.status).toBe(200);
    const other = await h.as('caseworkerOther').get('/v1/tasks/team');
    expect(other.body.tasks.map((t: { taskId: string }) => t.taskId)).not.toContain(taskId);
  });

  it('limits event requests per key (429 problem+json with Retry-After), not per address', async () => {
    // A harness of its own: its limiter has seen no request yet.
    const limitedHarness = await apiHarness({ eventRateLimit: { windowMs: 60_000, limit: 3 } });
    const journeyId = await limitedHarness.createJourney();
    const send = (who: KeyName) => limitedHarness.as(who).post(`/v1/journeys/${journeyId}/events`, cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-04-01' }, 'same-id', 'urn:nl:brp'));
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await send('partnerBrp')).status);
    expect(statuses.slice(0, 3).every((s) => s !== 429)).toBe(true);
    const limited = await send('partnerBrp');
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another key from the same address is not affected; other endpoints are not limited.
    expect((await send('admin')).status).not.toBe(429);
    expect((await limitedHarness.as('partnerBrp').get('/v1/journeys')).status).toBe(403);
    await limitedHarness.stop();
  });

  it('does not limit event requests when the limit is 0 (KOERS_EVENT_RATE_LIMIT_PER_MINUTE=0, a bulk feed)', async () => {
    const unlimitedHarness = await apiHarness({ eventRateLimit: { windowMs: 60_000, limit: 0 } });
    const journeyId = await unlimitedHarness.createJourney();
    const statuses = [];
    for (let i = 0; i < 8; i++) {
      statuses.push((await unlimitedHarness.as('partnerBrp').post(`/v1/journeys/${journeyId}/events`, cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-04-01' }, 'same-id', 'urn:nl:brp'))).status);
    }
    // The first is accepted, the rest are duplicates of it; none is refused for its rate.
    expect(statuses[0]).toBe(202);
    expect(statuses).not.toContain(429);
    await unlimitedHarness.stop();
  });

  it('never logs a key, a BSN, a birth date or a personRef', async () => {
    const personRef = h.personRef();
    await h.as('admin').post('/v1/journeys', { personRef, municipality: 'borger-odoorn', permitGrantedOn: '2025-03-14', birthDate: '1987-06-05', bsn: '111222333' });
    const text = JSON.stringify(h.logs);
    for (const secret of [...Object.values(KEYS), '111222333', '1987-06-05', personRef]) expect(text).not.toContain(secret);
    expect(h.logs.some((l) => l.msg === 'request' && (l.obj as { route?: string }).route === '/v1/journeys')).toBe(true);
  });
});
