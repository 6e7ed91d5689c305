/**
 * The journey as a zaak against the official Zaken API 1.5.1 document (issue 23): Prism serves it as a
 * validating mock (`violations()` stays empty: every request Koers sent satisfies the document), a
 * recording proxy in front of it keeps what Koers sent (Prism's answers are generated, so the test
 * asserts on the requests). Journeys start with a BSN, move through phases, one ends; the Zaken API is
 * down for a while: Koers keeps working, and afterwards everything arrived, once, in order per zaak.
 */
import { jwtVerify } from 'jose';
import { startZakenDelivery, startZakenMock, zaakRegistrationOf, type ZakenMock } from '../../helpers/zaken-mock';
import { apiHarness, cloudEvent, eventually, type ApiHarness } from '../api/harness';
import { zaakIdentificatie } from '../../../chain/zaken';
import type { Dispatcher } from '../../../store/dispatcher';
import { developmentActivityUris } from '../../../processing-log';

describe('the journey as a zaak, against the Zaken API 1.5.1 document', () => {
  let zakenApi: ZakenMock;
  let h: ApiHarness;
  let dispatcher: Dispatcher;
  const config = () => zakenApi.config();

  beforeAll(async () => {
    zakenApi = await startZakenMock();
    h = await apiHarness({ worker: true, zaken: zaakRegistrationOf(config()) });
    dispatcher = startZakenDelivery(h, config());
  }, 300_000);

  afterAll(async () => {
    await dispatcher?.stop();
    await h?.stop();
    await zakenApi?.stop();
  });

  const post = (journeyId: string, type: string, data: Record<string, unknown>) => h.as('admin').post(`/v1/journeys/${journeyId}/events`, cloudEvent(type, data), 'application/cloudevents+json');
  const read = async (journeyId: string) => (await h.as('admin').get(`/v1/journeys/${journeyId}`)).body as { phase: string; status: string; clocks: { name: string; finalDate: string }[] };
  const zakenMessages = () => h.db.selectFrom('outbox').select(['kind', 'status', 'attempts', 'last_error', 'payload', 'sequence_key', 'sequence']).where('channel', '=', 'zaken').execute();
  const allDelivered = async () => {
    const rows = await eventually(zakenMessages, (rows) => rows.length > 0 && rows.every((r) => r.status === 'delivered'), 120_000);
    expect(rows.filter((r) => r.status !== 'delivered')).toEqual([]);
    return rows;
  };

  it('registers each journey as a zaak, its person by BSN, its phases as statuses and its end as a resultaat, and catches up after an outage', async () => {
    const bsnA = h.bsn();
    const bsnB = h.bsn();
    const a = await h.createJourney({ bsn: bsnA, permitGrantedOn: '2025-03-14', regime: 'wi2021' });
    const b = await h.createJourney({ bsn: bsnB, permitGrantedOn: '2020-03-02', birthDate: '1985-01-01' });
    await allDelivered();

    expect((await post(a, 'nl.koers.brp.registered', { occurredOn: '2025-04-01' })).status).toBe(202);
    expect((await post(a, 'nl.koers.duo.notified', { occurredOn: '2025-04-10' })).status).toBe(202);
    await eventually(() => read(a), (j) => j.phase === 'intake');
    await allDelivered();

    // The Zaken API goes down: Koers keeps taking events and moving journeys; the zaak's changes wait.
    await zakenApi.down();
    expect((await post(a, 'nl.koers.pip.established', { occurredOn: '2025-06-01', leerroute: 'b1' })).status).toBe(202);
    expect((await post(b, 'nl.koers.exemption.granted', { occurredOn: '2023-05-01' })).status).toBe(202);
    const journeyA = await eventually(() => read(a), (j) => j.phase === 'inburgering');
    expect(journeyA.phase).toBe('inburgering');
    expect((await eventually(() => read(b), (j) => j.status === 'completed', 20_000)).phase).toBe('exempted');
    const waiting = await eventually(zakenMessages, (rows) => rows.some((r) => r.status !== 'delivered' && Number(r.attempts) >= 2 && r.last_error !== null), 60_000);
    expect(waiting.filter((r) => r.status === 'pending').length).toBeGreaterThan(0);
    expect(waiting.filter((r) => r.status === 'dead')).toEqual([]);
    expect(zakenApi.sent.some((s) => s.status === 502)).toBe(true);

    await zakenApi.up();
    const rows = await allDelivered();

    // Every request satisfied the official document.
    expect(zakenApi.prism.violations()).toEqual([]);
    const answered = zakenApi.sent.filter((s) => s.status !== 502);
    expect(answered.filter((s) => s.status >= 400).map((s) => `${s.method} ${s.path} ${s.status}`)).toEqual([]);

    // Each request carries a ZGW JWT signed with the municipality's secret and the claims the standard names.
    const settings = config().municipalities['borger-odoorn']!;
    for (const s of answered) {
      const { payload, protectedHeader } = await jwtVerify(s.authorization.replace(/^Bearer /, ''), new TextEncoder().encode(settings.secret));
      expect(protectedHeader.alg).toBe('HS256');
      expect(payload).toMatchObject({ iss: settings.clientId, client_id: settings.clientId, user_id: 'koers', user_representation: 'Koers', iat: expect.any(Number) });
    }
    for (const s of answered.filter((x) => x.path.startsWith('/zaken'))) expect(s.headers).toMatchObject({ 'accept-crs': 'EPSG:4326', 'content-crs': 'EPSG:4326' });

    // Per journey: the zaak created once with its reference, the person by BSN, the statuses in the journey's order.
    const zaakOf = (journeyId: string) => {
      const creates = answered.filter((s) => s.method === 'POST' && s.path === '/zaken' && s.body?.identificatie === zaakIdentificatie(journeyId, 1));
      expect(creates).toHaveLength(1);
      return { create: creates[0]!, url: String(creates[0]!.answer?.url) };
    };
    const statusesOf = (url: string) => answered.filter((s) => s.method === 'POST' && s.path === '/statussen' && s.body?.zaak === url).map((s) => String(s.body?.statustype).split('/').pop());
    const zaakA = zaakOf(a);
    expect(zaakA.create.body).toMatchObject({
      bronorganisatie: settings.bronorganisatie,
      verantwoordelijkeOrganisatie: settings.bronorganisatie,
      zaaktype: settings.zaaktype,
      startdatum: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      kenmerken: [{ kenmerk: a, bron: 'Koers' }],
    });
    // Looked up before it was created (a lost answer must not make a second zaak).
    expect(answered.some((s) => s.method === 'GET' && s.path === '/zaken' && s.query.get('identificatie') === zaakIdentificatie(a, 1) && s.query.get('bronorganisatie') === settings.bronorganisatie)).toBe(true);
    const rolA = answered.filter((s) => s.method === 'POST' && s.path === '/rollen' && s.body?.zaak === zaakA.url);
    expect(rolA.map((s) => s.body)).toEqual([expect.objectContaining({ betrokkeneType: 'natuurlijk_persoon', roltype: settings.roltype, betrokkeneIdentificatie: { inpBsn: bsnA } })]);
    expect(statusesOf(zaakA.url)).toEqual(['borger-odoorn-arrival', 'borger-odoorn-intake', 'borger-odoorn-inburgering']);
    // The inburgering final date: at the create, or by a PATCH once the clock exists.
    const finalA = journeyA.clocks.find((c) => c.name === 'inburgering')?.finalDate;
    const patched = answered.filter((s) => s.method === 'PATCH' && s.path.startsWith('/zaken/')).map((s) => s.body?.uiterlijkeEinddatumAfdoening);
    expect([zaakA.create.body?.uiterlijkeEinddatumAfdoening, ...patched]).toContain(finalA);

    const zaakB = zaakOf(b);
    expect(answered.filter((s) => s.method === 'POST' && s.path === '/rollen' && s.body?.zaak === zaakB.url).map((s) => (s.body?.betrokkeneIdentificatie as { inpBsn: string }).inpBsn)).toEqual([bsnB]);
    // The end: the resultaat for "exempted" (created, or the zaak's one changed), then the closing status.
    const statusesB = statusesOf(zaakB.url);
    expect(statusesB.slice(-2)).toEqual(['borger-odoorn-exempted', 'borger-odoorn-afgerond']);
    const resultaat = answered.filter((s) => (s.method === 'POST' && s.path === '/resultaten' && s.body?.zaak === zaakB.url) || (s.method === 'PATCH' && s.path.startsWith('/resultaten/')));
    expect(resultaat.map((s) => s.body?.resultaattype)).toEqual([settings.resultaattypen.exempted]);
    const order = answered.filter((s) => s === zaakB.create || s === resultaat[0] || (s.path === '/statussen' && s.body?.zaak === zaakB.url));
    expect(order[0]).toBe(zaakB.create);
    expect(order.indexOf(resultaat[0]!)).toBe(order.length - 2);

    // The BSN went to the Zaken API, and nowhere else: not in the outbox at rest, not in the logs, not in /metrics.
    const atRest = JSON.stringify(rows);
    for (const bsn of [bsnA, bsnB]) {
      expect(atRest).not.toContain(bsn);
      expect(JSON.stringify(h.logs)).not.toContain(bsn);
    }
    const metrics = await h.as('admin').get('/metrics');
    expect(metrics.text).toContain('koers_outbox_dead_letters');
    expect(metrics.text).not.toContain(bsnA);

    // Each rol that carried a BSN is one `zaak-registration` record in the processing log, whose W3C
    // traceparent the request carried (the Zaken API's own trace is its foreign operation where it answers one).
    for (const [bsn, url] of [[bsnA, zaakA.url], [bsnB, zaakB.url]] as const) {
      const records = (await h.processingLog.records({ subject: { bsn } }, 100)).items;
      const registrations = records.filter((r) => r.activity === 'zaak-registration');
      const sentRol = answered.filter((s) => s.method === 'POST' && s.path === '/rollen' && s.body?.zaak === url);
      expect(registrations).toHaveLength(sentRol.length);
      expect(registrations[0]).toMatchObject({ statusCode: 1, processingActivityId: developmentActivityUris()['zaak-registration'], hasDataSubjectId: true, actor: 'koers', name: 'Zaken API POST /rollen (rol_create)' });
      expect(sentRol[0]!.headers.traceparent).toBe(`00-${registrations[0]!.traceId}-${registrations[0]!.operationId}-01`);
      const perActivity: Record<string, number> = {};
      for (const r of records) perActivity[r.activity] = (perActivity[r.activity] ?? 0) + 1;
      process.stdout.write(`processing-log records per activity for a zaak's person: ${JSON.stringify(perActivity)}\n`);
    }

    // An erasure of the ended journey: its zaak gets its archive action (vernietigen, dated today), and Koers forgets the zaak.
    const erasedAt = zakenApi.sent.length;
    expect((await h.as('admin').post(`/v1/journeys/${b}/erasure`, { ground: 'consent-withdrawn' })).status).toBe(200);
    await eventually(zakenMessages, (all) => all.every((r) => r.status === 'delivered') && all.some((r) => r.kind === 'zaak-archive'), 60_000);
    const archive = zakenApi.sent.slice(erasedAt).filter((s) => s.method === 'PATCH' && s.path.startsWith('/zaken/'));
    // A dossier the registration keeps for good (blijvend_bewaren, Archiefwet) is left as it is; Prism's generated answer decides which.
    const retrieved = zakenApi.sent.slice(erasedAt).find((s) => s.method === 'GET' && s.path.startsWith('/zaken/'));
    expect(retrieved?.status).toBe(200);
    if (retrieved?.answer?.archiefnominatie === 'blijvend_bewaren') expect(archive).toEqual([]);
    else expect(archive.map((s) => s.body)).toEqual([{ archiefnominatie: 'vernietigen', archiefactiedatum: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) }]);
    expect(await h.db.selectFrom('zaken').select('id').where('journey_id', '=', b).execute()).toEqual([]);
    expect(zakenApi.prism.violations()).toEqual([]);

    // The operations Koers called, each validated by Prism against the document (docs/chain.md lists them).
    const operations = new Set(zakenApi.sent.filter((s) => s.status < 300).map((s) => `${s.method} ${s.path.replace(/\/(zaken|resultaten)\/[^/]+$/, '/$1/{uuid}')}`));
    expect([...operations].sort()).toEqual(
      expect.arrayContaining(['GET /resultaten', 'GET /rollen', 'GET /statussen', 'GET /zaken', 'GET /zaken/{uuid}', 'POST /resultaten', 'POST /rollen', 'POST /statussen', 'POST /zaken']),
    );
    console.log(`Zaken API operations called: ${[...operations].sort().join(', ')}; requests: ${zakenApi.sent.length} (${zakenApi.sent.filter((s) => s.status === 502).length} during the outage)`);
  }, 600_000);
});
