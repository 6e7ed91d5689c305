/**
 * The privacy officer's page of the processing log (/app/processing-log, issue 23): in Dutch, a person's
 * processings by BSN, a refusal naming the wrong field in Dutch, and the CSV download; other roles get 403.
 */
import request from 'supertest';
import { apiHarness, KEYS, type ApiHarness, type KeyName } from '../api/harness';

describe('the processing log page', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness();
  });
  afterAll(() => h.stop());

  async function signIn(key: KeyName): Promise<{ cookie: string; csrf: string }> {
    const res = await request(h.app).post('/app/sign-in').type('form').send({ apiKey: KEYS[key], next: '/app/' });
    expect(res.status).toBe(303);
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('koers_session='))!.split(';')[0]!;
    return { cookie, csrf: h.identity.csrfToken(cookie.slice('koers_session='.length)) };
  }

  it("shows a person's processings in Dutch, names a wrong BSN in Dutch, and downloads them", async () => {
    const bsn = h.bsn();
    const journeyId = await h.createJourney({ bsn });
    expect((await h.as('caseworker').get(`/v1/journeys/${journeyId}/person`)).status).toBe(200);
    const officer = await signIn('privacyOfficer');

    const form = await request(h.app).get('/app/processing-log').set('Cookie', officer.cookie);
    expect(form.status).toBe(200);
    expect(form.text).toContain('Verwerkingen van persoonsgegevens');
    expect(form.text).toContain('href="/app/processing-log"');

    const shown = await request(h.app).post('/app/processing-log').set('Cookie', officer.cookie).type('form').send({ _csrf: officer.csrf, bsn, activities: ['person-registration', 'person-read'] });
    expect(shown.status).toBe(200);
    const rows = shown.text.match(/<tr class="utrecht-table__row" data-activity="[^"]+"/g) ?? [];
    expect(rows.map((r) => /data-activity="([^"]+)"/.exec(r)![1])).toEqual(['person-read', 'person-registration']);
    expect(shown.text).toContain('Inzien van BSN of naam');
    expect(shown.text).toContain('Registratie van de persoon');
    expect(shown.text).toContain('https://verwerkingsregister.example/verwerkingsactiviteiten/person-read');
    expect(shown.text).not.toMatch(/person-registration<|Registration of/);

    const wrong = await request(h.app).post('/app/processing-log').set('Cookie', officer.cookie).type('form').send({ _csrf: officer.csrf, bsn: '123456789' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('Dit is geen geldig BSN: het voldoet niet aan de elfproef.');

    const csv = await request(h.app).post('/app/processing-log/export.csv').set('Cookie', officer.cookie).type('form').send({ _csrf: officer.csrf, bsn });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.text.trim().split('\n')).toHaveLength(1 + 3); // header, read, registration, and the first inspection on the page

    const caseworker = await signIn('caseworker');
    expect((await request(h.app).get('/app/processing-log').set('Cookie', caseworker.cookie)).status).toBe(403);
  });
});
