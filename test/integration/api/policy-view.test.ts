import { apiHarness, type ApiHarness } from './harness';

/**
 * A municipality's policy and its amendments for its staff (issue 21, "view a municipality's policy and
 * its amendments"): `GET /v1/policies/{municipality}`.
 */
describe('GET /v1/policies/{municipality}', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness();
  });
  afterAll(() => h.stop());

  it('answers the current policy with each amendment (who, when, why) to the staff of that municipality only', async () => {
    const shipped = await h.as('caseworker').get('/v1/policies/borger-odoorn');
    expect(shipped.status).toBe(200);
    expect(shipped.body.policy).toMatchObject({ id: 'borger-odoorn', version: 1, periods: { intake: { days: 14 } } });
    expect(shipped.body.amendments).toEqual([]);

    // An amendment (no journey matches: it is recorded all the same) is the current policy from then on.
    const amendment = { municipality: 'borger-odoorn', patch: { reminderLeadDays: [7] }, effectiveFrom: '2026-01-01', reason: 'raadsbesluit 12', filter: { caseworkerId: 'nobody-here' }, dryRun: false };
    expect((await h.as('admin').post('/v1/policy-amendments', amendment)).status).toBe(202);
    const amended = await h.as('caseworker').get('/v1/policies/borger-odoorn');
    expect(amended.body.policy).toMatchObject({ version: 2, reminderLeadDays: [7] });
    expect(amended.body.amendments).toEqual([{ version: 2, effectiveFrom: '2026-01-01', reason: 'raadsbesluit 12', amendedBy: 'admin-1', at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) }]);

    // Another municipality's staff is answered as if there were none; a partner is not staff; an unknown one is a 404.
    expect((await h.as('caseworkerOther').get('/v1/policies/borger-odoorn')).status).toBe(404);
    expect((await h.as('caseworkerOther').get('/v1/policies/midden-drenthe')).status).toBe(200);
    expect((await h.as('partnerBrp').get('/v1/policies/borger-odoorn')).status).toBe(403);
    expect((await h.as('admin').get('/v1/policies/nowhere')).status).toBe(404);
  });
});
