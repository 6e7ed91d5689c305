/**
 * CloudEvents 1.0 over HTTP as partners' tools send it (HTTP binding, JSON format), and the event
 * identity that idempotency rests on: every mode maps to the same event and the same dedupe; a
 * CloudEvents String never holds control characters or lone surrogates; sources Koers itself
 * signals with are reserved; simultaneous duplicates get exactly one "new". (Issues 14 and 8.)
 */
import crypto from 'node:crypto';
import request from 'supertest';
import { KEYS, apiHarness, cloudEvent, eventually, type ApiHarness } from './harness';

describe('CloudEvents over HTTP', () => {
  let h: ApiHarness;
  let journeyId: string;
  beforeAll(async () => {
    h = await apiHarness({ worker: true });
    journeyId = await h.createJourney();
  });
  afterAll(() => h.stop());

  const url = () => `/v1/journeys/${journeyId}/events`;
  const post = (body: unknown, who: 'partnerBrp' | 'admin' = 'partnerBrp', contentType = 'application/cloudevents+json') => h.as(who).post(url(), body, contentType);
  const registered = (extra: Record<string, unknown> = {}, id: string = crypto.randomUUID()) => ({ ...cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-04-01' }, id, 'urn:nl:brp'), ...extra });
  const applied = async (id: string) =>
    eventually(
      async () => ((await h.as('admin').get(url())).body as { events: Array<{ id: string; applied: boolean }> }).events.filter((e) => e.id === id),
      (events) => events.some((e) => e.applied),
      3000,
    );

  describe('binary content mode', () => {
    const binary = (headers: Record<string, string>, body: string, contentType = 'application/json') => {
      let r = request(h.app).post(url()).set('Authorization', `Bearer ${KEYS.partnerBrp}`).set('Content-Type', contentType);
      for (const [name, value] of Object.entries(headers)) r = r.set(name, value);
      return r.send(body);
    };

    it('takes ce- headers with the data as the body: 202, applied once; the same event in structured mode is a duplicate', async () => {
      const id = crypto.randomUUID();
      const headers = { 'ce-specversion': '1.0', 'ce-id': id, 'ce-source': 'urn:nl:brp', 'ce-type': 'nl.koers.brp.registered', 'ce-subject': 'caf%C3%A9', 'ce-time': '2026-02-01T09:30:00Z' };
      const res = await binary(headers, JSON.stringify({ occurredOn: '2025-04-01' }));
      expect([res.status, res.body]).toEqual([202, { duplicate: false }]);
      expect((await binary(headers, JSON.stringify({ occurredOn: '2025-04-01' }))).body).toEqual({ duplicate: true });
      expect((await post(registered({}, id))).body).toEqual({ duplicate: true });
      expect(await applied(id)).toEqual([expect.objectContaining({ id, source: 'urn:nl:brp', applied: true })]);
    });

    it('takes any JSON media type as the data and validates like structured mode, naming every wrong attribute', async () => {
      const headers = { 'ce-specversion': '1.0', 'ce-id': crypto.randomUUID(), 'ce-source': 'urn:nl:brp', 'ce-type': 'nl.koers.brp.registered' };
      expect((await binary(headers, JSON.stringify({ occurredOn: '2025-04-01' }), 'application/vnd.nl.duo.uitslag+json')).status).toBe(202);
      const bad = await binary({ 'ce-specversion': '1.0', 'ce-type': 'nl.koers.nonsense' }, JSON.stringify({ occurredOn: '2025-04-01' }));
      expect(bad.status).toBe(422);
      expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['id', 'source', 'type']);
    });

    it('answers data that is not JSON with a 415 saying so', async () => {
      const headers = { 'ce-specversion': '1.0', 'ce-id': crypto.randomUUID(), 'ce-source': 'urn:nl:brp', 'ce-type': 'nl.koers.brp.registered' };
      const res = await binary(headers, '<occurredOn>2025-04-01</occurredOn>', 'application/xml');
      expect(res.status).toBe(415);
      expect(res.body.detail).toMatch(/JSON/);
      const structuredXml = await binary({}, '<event/>', 'application/cloudevents+xml');
      expect(structuredXml.status).toBe(415);
    });
  });

  describe('the JSON format', () => {
    it('treats an attribute set to null as absent', async () => {
      const id = crypto.randomUUID();
      const res = await post(registered({ subject: null, time: null, datacontenttype: null, dataschema: null, traceparent: null }, id));
      expect([res.status, res.body]).toEqual([202, { duplicate: false }]);
      await applied(id);
    });

    it('takes every JSON media type as datacontenttype, and only those', async () => {
      for (const type of ['application/vnd.nl.duo.uitslag+json', 'text/json', 'application/json; charset=utf-8']) {
        expect([type, (await post(registered({ datacontenttype: type }))).status]).toEqual([type, 202]);
      }
      const xml = await post(registered({ datacontenttype: 'application/xml' }));
      expect(xml.status).toBe(422);
      expect(xml.body.errors).toEqual([{ path: 'datacontenttype', message: expect.stringContaining('JSON') }]);
    });

    it('takes any RFC 3339 time: lower-case t and z, a leap second, an offset; refuses a date that does not exist', async () => {
      for (const time of ['2026-02-01t09:30:00z', '2016-12-31T23:59:60Z', '2026-02-01T10:30:00.123+01:00']) {
        expect([time, (await post(registered({ time }))).status]).toEqual([time, 202]);
      }
      for (const time of ['2026-02-30T09:30:00Z', '2026-02-01 09:30:00Z', '2026-02-01T09:30:00']) {
        const res = await post(registered({ time }));
        expect([time, res.status, res.body.errors]).toEqual([time, 422, [{ path: 'time', message: 'must be an RFC 3339 date-time' }]]);
      }
    });

    it('answers an empty batch with no results', async () => {
      const res = await post([], 'partnerBrp', 'application/cloudevents-batch+json');
      expect([res.status, res.body]).toEqual([207, { results: [] }]);
    });
  });

  describe('event identity (issue 8, item 3)', () => {
    it('refuses control characters in string attributes: the NUL-joined key collision cannot be sent', async () => {
      const first = await post(registered({ source: 'urn:x\u0000y' }, '1'));
      expect(first.status).toBe(422);
      expect(first.body.errors).toEqual([{ path: 'source', message: expect.stringContaining('control characters') }]);
      const second = await post(registered({ source: 'urn:x' }, 'y\u00001'));
      expect(second.body.errors).toEqual([{ path: 'id', message: expect.stringContaining('control characters') }]);
      for (const subject of ['line\nbreak', 'c1\u0085control', 'del\u007f']) {
        expect((await post(registered({ subject }))).status).toBe(422);
      }
      const extension = await post(registered({ partnerref: 'tab\there' }));
      expect(extension.body.errors).toEqual([{ path: 'partnerref', message: expect.stringContaining('control characters') }]);
      expect((await h.audit.forJourney(journeyId)).filter((e) => e.id === '1' || e.id === 'y\u00001')).toEqual([]);
    });

    it('refuses lone surrogates, which a database would store as the same replacement character', async () => {
      for (const id of ['x\ud800', 'x\udbff', '\udc00x']) {
        const res = await post(registered({}, id));
        expect([res.status, res.body.errors]).toEqual([422, [{ path: 'id', message: expect.stringContaining('lone surrogates') }]]);
      }
      // A whole pair is one character and welcome.
      const emoji = await post(registered({}, 'x\ud83d\ude00'));
      expect(emoji.status).toBe(202);
      expect((await post(registered({}, 'x\ud83d\ude00'))).body).toEqual({ duplicate: true });
    });

    it('reserves the sources Koers signals with: a partner may use none under urn:nl:koers:, an admin not urn:nl:koers:tasks', async () => {
      for (const source of ['urn:nl:koers:tasks', 'URN:NL:KOERS:tasks', 'urn:nl:koers:admin', 'urn:nl:koers']) {
        const res = await post(registered({ source }, 'hold-intake'));
        expect([source, res.status, res.body.errors]).toEqual([source, 422, [{ path: 'source', message: expect.stringContaining('reserved') }]]);
      }
      expect((await post(registered({ source: 'urn:nl:koers:tasks' }, 'hold-intake'), 'admin')).status).toBe(422);
      expect((await post(registered({ source: 'urn:nl:koers:admin' }), 'admin')).status).toBe(202);
      const batch = await post([registered({ source: 'urn:nl:koers:tasks' }, 'hold-intake')], 'partnerBrp', 'application/cloudevents-batch+json');
      expect(batch.body.results[0]).toMatchObject({ status: 422, problem: { errors: [{ path: '0.source', message: expect.stringContaining('reserved') }] } });
    });
  });

  describe('simultaneous duplicates (issue 8, item 4)', () => {
    it('answers exactly one of identical events sent at the same moment 202 new, every other 200 duplicate', async () => {
      for (let attempt = 0; attempt < 12; attempt++) {
        const event = registered({}, `simultaneous-${attempt}-${crypto.randomUUID()}`);
        const answers = await Promise.all(Array.from({ length: 4 }, () => post(event)));
        const outcomes = answers.map((a) => `${a.status} ${JSON.stringify(a.body)}`).sort();
        expect(outcomes).toEqual(['200 {"duplicate":true}', '200 {"duplicate":true}', '200 {"duplicate":true}', '202 {"duplicate":false}']);
      }
    });
  });
});
