import { apiHarness, cloudEvent, eventually, type ApiHarness } from './harness';

/**
 * Contract v1.1, "Dates the service accepts", at the API's door: 422 naming the field, nothing changes
 * (issue 8 item 1, issue 10). The workflow applies the same rules to what reaches it otherwise
 * (test/workflow/never-die.test.ts).
 */
describe('dates the service accepts', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness({ worker: true });
  });
  afterAll(() => h.stop());

  it('refuses a start with dates the domain cannot compute with, or a birth date after the permit', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ permitGrantedOn: '0129-05-25', birthDate: '0046-01-06' }, 'permitGrantedOn'],
      [{ permitGrantedOn: '2020-06-01', birthDate: '2021-01-01' }, 'birthDate'],
    ];
    for (const [dates, field] of cases) {
      const res = await h.as('admin').post('/v1/journeys', { personRef: h.personRef(), municipality: 'borger-odoorn', ...dates });
      expect([res.status, res.body.errors?.map((e: { path: string }) => e.path)]).toEqual([422, expect.arrayContaining([field])]);
    }
  });

  it('refuses a partner extension that does not extend the term, and one out of range; nothing changes', async () => {
    // Wi2013: the term runs from the permit (2021-06-01 + 3 years).
    const journeyId = await h.createJourney({ permitGrantedOn: '2021-06-01', birthDate: '1990-01-01' });
    const before = await eventually(async () => (await h.as('admin').get(`/v1/journeys/${journeyId}`)).body, (j) => j.clocks?.some((c: { name: string }) => c.name === 'inburgering'), 5000);
    const finalDate = before.clocks.find((c: { name: string }) => c.name === 'inburgering').finalDate;
    expect(finalDate).toBe('2024-06-01');
    for (const newFinalDate of ['2023-01-01', finalDate, '9999-12-31']) {
      const res = await h.as('partnerDuo').post(`/v1/journeys/${journeyId}/events`, cloudEvent('nl.koers.extension.granted', { occurredOn: '2024-05-01', newFinalDate }, undefined, 'urn:nl:duo'));
      expect([newFinalDate, res.status, res.body.errors?.[0]?.path]).toEqual([newFinalDate, 422, 'data.newFinalDate']);
    }
    const extension = cloudEvent('nl.koers.extension.granted', { occurredOn: '2024-05-01', newFinalDate: '2024-12-01' }, 'duo-extension-1', 'urn:nl:duo');
    const later = await h.as('partnerDuo').post(`/v1/journeys/${journeyId}/events`, extension);
    expect(later.status).toBe(202);
    const after = await eventually(async () => (await h.as('admin').get(`/v1/journeys/${journeyId}`)).body, (j) => j.clocks.some((c: { name: string; finalDate: string }) => c.name === 'inburgering' && c.finalDate === '2024-12-01'), 5000);
    expect(after.clocks.find((c: { name: string }) => c.name === 'inburgering').finalDate).toBe('2024-12-01');

    // The partner's retry, alone or in a batch, once the extension has moved the final date: a duplicate, not a 422.
    const retry = await h.as('partnerDuo').post(`/v1/journeys/${journeyId}/events`, extension);
    expect([retry.status, retry.body]).toEqual([200, { duplicate: true }]);
    const batch = await h.as('partnerDuo').post(`/v1/journeys/${journeyId}/events`, [extension], 'application/cloudevents-batch+json');
    expect(batch.body.results.map((r: { status: number; duplicate?: boolean }) => [r.status, r.duplicate])).toEqual([[200, true]]);
    expect((await h.as('admin').get(`/v1/journeys/${journeyId}`)).body.clocks.find((c: { name: string }) => c.name === 'inburgering').finalDate).toBe('2024-12-01');
  });

  it('refuses a PIP or plan dated before the permit', async () => {
    const journeyId = await h.createJourney({ permitGrantedOn: '2025-03-14' });
    const res = await h.as('admin').post(`/v1/journeys/${journeyId}/events`, cloudEvent('nl.koers.pip.established', { occurredOn: '2025-03-13' }));
    expect([res.status, res.body.errors?.[0]?.path]).toEqual([422, 'data.occurredOn']);
  });
});
