/**
 * A day of Koers in the municipal chain (issue 23, "How it is tested"), with both official documents as
 * validating mocks (Prism, `--errors`): the BRP API Personen 2.7.0 (test/helpers/brp-mock.ts) and the ZGW
 * Zaken API 1.5.1 (test/helpers/zaken-mock.ts). A person is registered by BSN from the municipality's
 * portal (its W3C trace continued): the BRP is consulted for the lookup with the birth-date prefill and
 * again by the registration itself. Events move the journey through its phases, each a status of its zaak;
 * the Zaken API is down for a while (events keep being accepted, nothing is lost, the outbox catches up,
 * no dead letter); the journey ends (resultaat, then the eindstatus from which the registration sets the
 * einddatum). The journey page shows the name the BRP has, which is nowhere at rest. Last, the privacy
 * officer's processing log for that person lists every step with its activity and trace.
 */
import request from 'supertest';
import { parseBrpSettings } from '../../../chain/brp';
import { zaakIdentificatie } from '../../../chain/zaken';
import { developmentActivityUris } from '../../../processing-log';
import { messagesOf } from '../../../web/messages';
import type { Dispatcher } from '../../../store/dispatcher';
import { brpDate, brpTestSettings, startBrpMock, type BrpMock } from '../../helpers/brp-mock';
import { foundIn, storeFiles, withDecodedBase64 } from '../../helpers/privacy-scan';
import { startZakenDelivery, startZakenMock, zaakRegistrationOf, type ZakenMock } from '../../helpers/zaken-mock';
import { apiHarness, cloudEvent, eventually, type ApiHarness } from '../api/harness';

interface RecordBody {
  traceId: string;
  operationId: string;
  parentOperationId?: string;
  statusCode: number;
  name: string;
  activity: string;
  processingActivityId: string;
  hasDataSubjectId: boolean;
  foreignOperation?: { traceId: string; operationId: string; entity: string; party?: string };
  actor: string;
}

// The person as the BRP has them; the registration records another spelling, so the page shows whose it used.
const BRP_NAME = 'Selam Tesfaye Woldemariam';
const BRP_BIRTH_DATE = '1988-07-19';
// The municipality's portal calls Koers inside its own trace (W3C Trace Context).
const PORTAL_TRACE = '5c1e4f2a9b7d4e6f8a0b1c2d3e4f5a6b';
const PORTAL_LOOKUP = '1111aaaa2222bbbb';
const PORTAL_REGISTRATION = '3333cccc4444dddd';

describe('a day in the municipal chain: BRP and Zaken API', () => {
  let brp: BrpMock;
  let zakenApi: ZakenMock;
  let h: ApiHarness;
  let dispatcher: Dispatcher;

  beforeAll(async () => {
    [brp, zakenApi] = await Promise.all([startBrpMock(), startZakenMock()]);
    h = await apiHarness({ worker: true, brp: parseBrpSettings(brpTestSettings(brp.url)), zaken: zaakRegistrationOf(zakenApi.config()) });
    dispatcher = startZakenDelivery(h, zakenApi.config());
  }, 300_000);

  afterAll(async () => {
    await dispatcher?.stop();
    await h?.stop();
    await zakenApi?.stop();
    await brp?.stop();
  });

  const zakenMessages = () => h.db.selectFrom('outbox').select(['kind', 'status', 'attempts', 'last_error', 'payload']).where('channel', '=', 'zaken').execute();
  const allDelivered = async () => {
    const rows = await eventually(zakenMessages, (rows) => rows.length > 0 && rows.every((r) => r.status === 'delivered'), 120_000);
    expect(rows.filter((r) => r.status !== 'delivered')).toEqual([]);
    return rows;
  };
  // Read as a partner, whose answer holds no BSN or name: the test's polling is no processing of the person's data.
  const read = async (journeyId: string) => (await h.as('partnerDuo').get(`/v1/journeys/${journeyId}`)).body as { phase: string; status: string };
  const event = (who: 'partnerBrp' | 'partnerDuo', journeyId: string, type: string, data: Record<string, unknown>) =>
    h.as(who).post(`/v1/journeys/${journeyId}/events`, cloudEvent(type, data), 'application/cloudevents+json');

  it('registers by BSN with the BRP, moves the zaak through its phases, survives the Zaken API being down, ends it, and accounts for every step', async () => {
    const bsn = h.bsn();
    brp.persons.set(bsn, { naam: { volledigeNaam: BRP_NAME, voornamen: 'Selam Tesfaye', geslachtsnaam: 'Woldemariam' }, geboorte: { datum: brpDate(BRP_BIRTH_DATE) }, gemeenteVanInschrijving: { code: '1681', omschrijving: 'Borger-Odoorn' } });

    // The register page's "Gegevens ophalen uit de BRP": the birth date offered, taken over by the caseworker.
    const lookup = await h.as('caseworker').post('/v1/persons/brp-lookup', { municipality: 'borger-odoorn', bsn }).set('traceparent', `00-${PORTAL_TRACE}-${PORTAL_LOOKUP}-01`);
    expect(lookup.status).toBe(200);
    expect(lookup.body.birth).toEqual({ date: BRP_BIRTH_DATE, text: '19 juli 1988' });
    const registered = await h
      .as('caseworker')
      .post('/v1/journeys', { personRef: h.personRef(), municipality: 'borger-odoorn', bsn, name: 'S. Woldemariam', birthDate: lookup.body.birth.date, permitGrantedOn: '2025-03-14' })
      .set('traceparent', `00-${PORTAL_TRACE}-${PORTAL_REGISTRATION}-01`);
    expect(registered.status).toBe(201);
    const journeyId = registered.body.journeyId as string;
    const phases: string[] = [(await eventually(() => read(journeyId), (j) => j.phase === 'arrival')).phase];

    // Events move the journey; each phase a status of its zaak.
    expect((await event('partnerBrp', journeyId, 'nl.koers.brp.registered', { occurredOn: '2025-04-01' })).status).toBe(202);
    expect((await event('partnerBrp', journeyId, 'nl.koers.duo.notified', { occurredOn: '2025-04-10' })).status).toBe(202);
    phases.push((await eventually(() => read(journeyId), (j) => j.phase === 'intake', 20_000)).phase);
    await allDelivered();

    // The caseworker opens the journey page: the name the BRP has now, fetched for this view.
    const { cookie } = await h.webSession('caseworker');
    const journeyPage = await request(h.app).get(`/app/journeys/${journeyId}`).set('Cookie', cookie);
    expect(journeyPage.status).toBe(200);
    expect(journeyPage.text).toMatch(new RegExp(`data-name-source="brp"[^>]*>[^<]*${BRP_NAME}`));
    expect(journeyPage.text).not.toContain('S. Woldemariam');

    // The Zaken API goes down: events are still accepted and the journey moves; the zaak's changes wait.
    await zakenApi.down();
    expect((await event('partnerDuo', journeyId, 'nl.koers.pip.established', { occurredOn: '2025-06-01', leerroute: 'b1' })).status).toBe(202);
    phases.push((await eventually(() => read(journeyId), (j) => j.phase === 'inburgering', 20_000)).phase);
    expect((await event('partnerDuo', journeyId, 'nl.koers.exemption.granted', { occurredOn: '2025-09-01' })).status).toBe(202);
    const ended = await eventually(() => read(journeyId), (j) => j.status === 'completed', 20_000);
    expect(ended).toMatchObject({ status: 'completed', phase: 'exempted' });
    phases.push(ended.phase);
    const waiting = await eventually(zakenMessages, (rows) => rows.some((r) => r.status === 'pending' && Number(r.attempts) >= 2 && r.last_error !== null), 60_000);
    expect(waiting.filter((r) => r.status === 'pending').map((r) => r.kind)).toEqual(expect.arrayContaining(['zaak-status', 'zaak-end']));
    expect(waiting.filter((r) => r.status === 'dead')).toEqual([]);
    const duringOutage = zakenApi.sent.filter((s) => s.status === 502).length;
    expect(duringOutage).toBeGreaterThan(0);

    // Back: the outbox catches up, nothing lost, no dead letter.
    await zakenApi.up();
    const delivered = await allDelivered();
    expect((await h.as('admin').get('/v1/dead-letters')).body.messages.filter((m: { channel?: string }) => m.channel === 'zaken')).toEqual([]);
    expect((await h.as('admin').get('/metrics')).text).not.toMatch(/koers_outbox_dead_letters\{channel="zaken"[^}]*\} [1-9]/);

    // Every request Koers sent satisfied the official documents.
    expect(zakenApi.prism.violations()).toEqual([]);
    expect(brp.prism.violations()).toEqual([]);
    const answered = zakenApi.sent.filter((s) => s.status !== 502);
    expect(answered.filter((s) => s.status >= 400).map((s) => `${s.method} ${s.path} ${s.status}`)).toEqual([]);

    // The zaak: created once, the person by BSN, a status per phase in the journey's order, then the resultaat and the eindstatus.
    const settings = zakenApi.config().municipalities['borger-odoorn']!;
    const creates = answered.filter((s) => s.method === 'POST' && s.path === '/zaken' && s.body?.identificatie === zaakIdentificatie(journeyId, 1));
    expect(creates).toHaveLength(1);
    const zaak = String(creates[0]!.answer?.url);
    const ofZaak = answered.filter((s) => s.body?.zaak === zaak && s.method === 'POST');
    expect(ofZaak.filter((s) => s.path === '/rollen').map((s) => s.body?.betrokkeneIdentificatie)).toEqual([{ inpBsn: bsn }]);
    const statuses = ofZaak.filter((s) => s.path === '/statussen').map((s) => s.body?.statustype);
    expect(statuses).toEqual([...phases.map((phase) => settings.statustypen[phase as keyof typeof settings.statustypen]), settings.eindstatustype]);
    expect(phases).toEqual(['arrival', 'intake', 'inburgering', 'exempted']);
    const resultaten = answered.filter((s) => (s.method === 'POST' && s.path === '/resultaten' && s.body?.zaak === zaak) || (s.method === 'PATCH' && s.path.startsWith('/resultaten/')));
    expect(resultaten.map((s) => s.body?.resultaattype)).toEqual([settings.resultaattypen.exempted]);
    const lastTwo = ofZaak.filter((s) => s.path === '/resultaten' || s.path === '/statussen').slice(-2);
    expect(lastTwo.map((s) => s.path)).toEqual(['/resultaten', '/statussen']);
    expect(lastTwo[1]!.body?.statustype).toBe(settings.eindstatustype);

    // The name the BRP gave, the BSN and the BRP's birth date: nowhere at rest in clear, nor in logs, metrics or Temporal.
    const history = await h.client.workflow.getHandle(journeyId).fetchHistory();
    const places = {
      ...storeFiles(h.dbFile),
      'temporal history': withDecodedBase64(JSON.stringify(history)),
      'outbox at rest': JSON.stringify(delivered),
      logs: JSON.stringify(h.logs),
      metrics: (await h.as('admin').get('/metrics')).text,
    };
    expect(foundIn(places, { brpName: BRP_NAME })).toEqual([]);
    expect(foundIn(places, { bsn })).toEqual([]);
    // The scan reads the right places: the (pseudonymous) journey id is in the store and in the history.
    expect(foundIn(places, { journeyId })).toEqual(expect.arrayContaining([expect.stringMatching(/^store koers\.db(-wal)?: journeyId$/), 'temporal history: journeyId']));

    // The privacy officer's processing log for this person: every step, its activity and trace.
    const search = await h.as('privacyOfficer').post('/v1/processing-log/search', { bsn, pageSize: 200 });
    expect(search.status).toBe(200);
    const records = search.body.records as RecordBody[];
    const uris = developmentActivityUris();
    for (const r of records) expect(r).toMatchObject({ statusCode: 1, hasDataSubjectId: true, processingActivityId: uris[r.activity as keyof typeof uris] });
    const queries = records.filter((r) => r.activity === 'brp-query');
    // The party is named for the privacy officer's page: the address is the configured BRP's.
    const brpEntity = { traceId: brp.traceparent.split('-')[1], operationId: brp.traceparent.split('-')[2], entity: brp.url, party: 'brp' };
    for (const q of queries) expect(q.foreignOperation).toEqual(brpEntity);
    // Each BRP request Koers sent is one record, whose operation the request's traceparent named.
    const sentToBrp = brp.requests().filter((r) => r.body.burgerservicenummer?.[0] === bsn);
    expect(queries).toHaveLength(sentToBrp.length);
    for (const s of sentToBrp) expect(queries.some((q) => s.headers.traceparent === `00-${q.traceId}-${q.operationId}-01`)).toBe(true);

    // The lookup: in the portal's trace, its operation the parent.
    const lookupQuery = queries.find((q) => q.traceId === PORTAL_TRACE && q.parentOperationId === PORTAL_LOOKUP);
    expect(lookupQuery?.name).toBe('BRP POST /personen RaadpleegMetBurgerservicenummer (register)');
    // The registration: in the portal's trace, with the BRP's check of the BSN nested in it.
    const registration = records.find((r) => r.activity === 'person-registration')!;
    expect(registration).toMatchObject({ traceId: PORTAL_TRACE, parentOperationId: PORTAL_REGISTRATION, name: 'POST /v1/journeys', actor: 'cw-anna' });
    expect(queries.filter((q) => q.traceId === PORTAL_TRACE && q.parentOperationId === registration.operationId).map((q) => q.name)).toEqual(['BRP POST /personen RaadpleegMetBurgerservicenummer (register)']);
    // The journey page: the name is a `person-read` with its BRP query nested; the page's check of the BRP's facts its own query.
    const nameQueries = queries.filter((q) => q.name.endsWith('(name)'));
    expect(nameQueries).toHaveLength(1);
    const nameRead = records.find((r) => r.activity === 'person-read' && r.operationId === nameQueries[0]!.parentOperationId);
    expect(nameRead).toMatchObject({ name: 'GET /v1/journeys/{journeyId}/person', traceId: nameQueries[0]!.traceId, actor: 'cw-anna' });
    expect(queries.filter((q) => q.name.endsWith('(facts)')).length).toBeGreaterThan(0);
    // Every reading of the person's data was the caseworker's, on the journey page's API calls.
    const reads = records.filter((r) => r.activity === 'person-read');
    expect(new Set(reads.map((r) => `${r.actor} ${r.name}`))).toEqual(new Set(['cw-anna GET /v1/journeys/{journeyId}/person', 'cw-anna GET /v1/journeys/{journeyId}']));
    // The zaak's rol: one `zaak-registration` per delivery of the BSN, whose traceparent the request carried.
    const registrations = records.filter((r) => r.activity === 'zaak-registration');
    const rolRequests = answered.filter((s) => s.method === 'POST' && s.path === '/rollen' && s.body?.zaak === zaak);
    expect(registrations).toHaveLength(rolRequests.length);
    for (const s of rolRequests) {
      const record = registrations.find((r) => s.headers.traceparent === `00-${r.traceId}-${r.operationId}-01`);
      expect(record).toMatchObject({ actor: 'koers', name: 'Zaken API POST /rollen (rol_create)' });
      // The Zaken API's own trace where it answered one (the document defines none; Prism gives none).
      if (s.answerTraceparent) expect(record?.foreignOperation?.traceId).toBe(s.answerTraceparent.split('-')[1]);
      else expect(record?.foreignOperation).toBeUndefined();
    }
    // The privacy officer's page says what each of them did, in words (web/messages.ts).
    const catalogue = messagesOf('nl') as Record<string, string>;
    expect([...new Set(records.map((r) => r.name))].filter((name) => !(`processingLog.operation.${name}` in catalogue))).toEqual([]);
    const activities = new Set(records.map((r) => r.activity));
    expect([...activities].sort()).toEqual(['brp-query', 'person-read', 'person-registration', 'zaak-registration']);

    // What the resolution note lists: the operations of both APIs Koers called, and the records per activity.
    // The document's operationIds (docs/chain.md, "Every Zaken API operation Koers calls").
    const ZAKEN_OPERATION_IDS: Record<string, string> = {
      'GET /zaken': 'zaak_list',
      'POST /zaken': 'zaak_create',
      'PATCH /zaken/{uuid}': 'zaak_partial_update',
      'GET /zaken/{uuid}': 'zaak_retrieve',
      'GET /rollen': 'rol_list',
      'POST /rollen': 'rol_create',
      'GET /statussen': 'status_list',
      'POST /statussen': 'status_create',
      'GET /resultaten': 'resultaat_list',
      'POST /resultaten': 'resultaat_create',
      'PATCH /resultaten/{uuid}': 'resultaat_partial_update',
    };
    const zakenOperations = new Set(
      answered.filter((s) => s.status < 300).map((s) => {
        const operation = `${s.method} ${s.path.replace(/\/(zaken|resultaten|rollen|statussen)\/[^/]+$/, '/$1/{uuid}')}`;
        return `${ZAKEN_OPERATION_IDS[operation] ?? 'UNLISTED'} (${operation})`;
      }),
    );
    expect([...zakenOperations].filter((o) => o.startsWith('UNLISTED'))).toEqual([]);
    const brpOperations = new Set(brp.requests().map((r) => `Personen (POST /personen ${r.body.type}, fields ${(r.body.fields ?? []).join(',')})`));
    const perActivity: Record<string, number> = {};
    for (const r of records) perActivity[r.activity] = (perActivity[r.activity] ?? 0) + 1;
    console.log(
      [
        `Zaken API operations called (each validated by Prism): ${[...zakenOperations].sort().join(', ')}; requests: ${zakenApi.sent.length} (${duringOutage} refused during the outage)`,
        `BRP API operations called (each validated by Prism): ${[...brpOperations].sort().join('; ')}; requests: ${brp.requests().length}`,
        `processing-log records per activity for the day's person: ${JSON.stringify(perActivity)}`,
      ].join('\n'),
    );
  }, 600_000);
});
