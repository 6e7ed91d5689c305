import request from 'supertest';
import { PAGES, ROLES, type Role } from '../../../identity/permissions';
import { apiHarness, KEYS, type ApiHarness, type KeyName } from '../api/harness';

/** A staff key per role (development mode: people sign in with a key when no provider is configured). */
const STAFF_KEYS: Record<Exclude<Role, 'partner'>, KeyName> = {
  admin: 'admin',
  'team-lead': 'teamLeadRole',
  caseworker: 'caseworker',
  reader: 'reader',
  'privacy-officer': 'privacyOfficer',
};

/** A concrete URL for a page, with ids that look right but name nothing. */
const sampleUrl = (path: string) =>
  `/app${path.replace(':taskId', 'j-nosuchjourney000000000:hold-intake').replace(':journeyId', 'j-nosuchjourney000000000').replace(':instrumentId', 'j-nosuchjourney000000000-instrument-1').replace(':file', 'koers-journey.bpmn')}`;

/**
 * Every page of the web app × every role: the page table (identity/permissions.ts PAGES) decides,
 * with a 403 page before anything is read or changed; the others pass the role check.
 */
describe('web pages by role', () => {
  let h: ApiHarness;
  const cookies = new Map<Role, { cookie: string; csrf: string }>();

  beforeAll(async () => {
    h = await apiHarness();
    for (const [role, key] of Object.entries(STAFF_KEYS) as Array<[Role, KeyName]>) {
      cookies.set(role, await h.webSession(key));
    }
  });
  afterAll(() => h.stop());

  it('refuses a partner key at sign-in', async () => {
    const res = await request(h.app).post('/app/sign-in').type('form').send({ apiKey: KEYS.partnerBrp });
    expect(res.status).toBe(403);
  });

  it('answers 403 to every role a page does not allow, and lets the others through', async () => {
    let refused = 0;
    for (const [key, allowed] of Object.entries(PAGES)) {
      const [method, path] = key.split(' ') as ['GET' | 'POST', string];
      for (const role of ROLES) {
        if (role === 'partner') continue;
        const { cookie, csrf } = cookies.get(role)!;
        const res =
          method === 'GET'
            ? await request(h.app).get(sampleUrl(path)).set('Cookie', cookie)
            : await request(h.app).post(sampleUrl(path)).set('Cookie', cookie).type('form').send({ _csrf: csrf });
        if (allowed.includes(role)) {
          expect([key, role, res.status === 403 || res.status === 401]).toEqual([key, role, false]);
        } else {
          expect([key, role, res.status]).toEqual([key, role, 403]);
          refused += 1;
        }
      }
    }
    expect(refused).toBeGreaterThan(15);
  });
});
