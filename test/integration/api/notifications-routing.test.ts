/**
 * Issue 20, finding 14: without notification routing no reminder is kept, so "Mijn herinneringen en
 * escalaties" is empty however late the work is. The API says whether reminders are routed, so the
 * inbox can say why its list is empty instead of suggesting nothing is late.
 */
import { apiHarness, type ApiHarness } from './harness';

describe('my notifications without routing', () => {
  let unrouted: ApiHarness;
  let routed: ApiHarness;

  beforeAll(async () => {
    unrouted = await apiHarness({ notificationsRouted: false });
    routed = await apiHarness({ notificationsRouted: true });
  });
  afterAll(async () => {
    await unrouted?.stop();
    await routed?.stop();
  });

  it('says whether reminders are routed at all, next to the (then empty) list', async () => {
    const none = await unrouted.as('caseworker').get('/v1/notifications/mine');
    expect(none.status).toBe(200);
    expect(none.body).toEqual({ notifications: [], routed: false });
    const some = await routed.as('caseworker').get('/v1/notifications/mine');
    expect(some.status).toBe(200);
    expect(some.body.routed).toBe(true);
  });
});
