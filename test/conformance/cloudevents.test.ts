/**
 * The official CloudEvents JavaScript SDK as a partner uses it: its HTTP emitter in structured mode,
 * in binary mode (its default) and a batch. Each event is accepted once and applied once; sent
 * again in the other mode it is the same event (source + id), a duplicate.
 */
import { randomUUID } from 'node:crypto';
import { CloudEvent, HTTP, Mode, emitterFor } from 'cloudevents';
import { bearer, eventually, freshPersonRef, server } from './server';

interface Timeline {
  events: Array<{ source: string; id: string; type: string; applied: boolean }>;
}

async function createJourney(): Promise<string> {
  const res = await fetch(`${server.url}/v1/journeys`, {
    method: 'POST',
    headers: { ...bearer(server.keys.admin), 'Content-Type': 'application/json' },
    body: JSON.stringify({ personRef: freshPersonRef(), municipality: 'borger-odoorn', permitGrantedOn: '2025-03-14', birthDate: '1990-05-01' }),
  });
  expect(res.status).toBe(201);
  const body: unknown = await res.json();
  if (typeof body !== 'object' || body === null || !('journeyId' in body) || typeof body.journeyId !== 'string') throw new Error('no journeyId');
  return body.journeyId;
}

async function timeline(journeyId: string): Promise<Timeline> {
  const res = await fetch(`${server.url}/v1/journeys/${journeyId}/events`, { headers: bearer(server.keys.admin) });
  expect(res.status).toBe(200);
  return (await res.json()) as Timeline;
}

/** An emitter of the SDK that posts to the journey's event endpoint with the partner's key; answers status and body. */
function emitter(journeyId: string, mode: Mode) {
  const answers: Array<{ status: number; body: unknown }> = [];
  const url = `${server.url}/v1/journeys/${journeyId}/events`;
  // The SDK's own transport drops the answer's body; the binding's serializer plus fetch keeps it.
  const transport = async (message: { headers: Record<string, unknown>; body: unknown }) => {
    const headers = Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, String(v)]));
    const res = await fetch(url, { method: 'POST', headers: { ...headers, ...bearer(server.keys.partner) }, body: String(message.body) });
    answers.push({ status: res.status, body: await res.json() });
  };
  return { emit: emitterFor(transport, { mode }), answers };
}

const milestone = (type: string, occurredOn: string, id = randomUUID()) =>
  new CloudEvent({ id, source: 'urn:nl:gemeente:borger-odoorn:brp', type, data: { occurredOn }, datacontenttype: 'application/json' });

describe('the CloudEvents SDK', () => {
  it('is answered 202 in structured mode, and the event applied once', async () => {
    const journeyId = await createJourney();
    const { emit, answers } = emitter(journeyId, Mode.STRUCTURED);
    const event = milestone('nl.koers.brp.registered', '2025-04-01');
    await emit(event);
    await emit(event);
    expect(answers).toEqual([{ status: 202, body: { duplicate: false } }, { status: 200, body: { duplicate: true } }]);
    const t = await eventually(() => timeline(journeyId), (x) => x.events.every((e) => e.applied) && x.events.length > 0);
    expect(t.events.filter((e) => e.id === event.id)).toEqual([expect.objectContaining({ type: 'nl.koers.brp.registered', applied: true })]);
  });

  it('is answered 202 in binary mode (its default), the same event in structured mode a duplicate', async () => {
    const journeyId = await createJourney();
    const binary = emitter(journeyId, Mode.BINARY);
    const event = milestone('nl.koers.bijstand.applied', '2025-04-02');
    // What the SDK sends in binary mode: attributes as ce- headers, the data as the body.
    const message = HTTP.binary(event);
    expect(message.headers).toMatchObject({ 'ce-specversion': '1.0', 'ce-id': event.id, 'content-type': expect.stringMatching(/^application\/json/) });
    await binary.emit(event);
    expect(binary.answers).toEqual([{ status: 202, body: { duplicate: false } }]);
    const structured = emitter(journeyId, Mode.STRUCTURED);
    await structured.emit(event);
    expect(structured.answers).toEqual([{ status: 200, body: { duplicate: true } }]);
    const t = await eventually(() => timeline(journeyId), (x) => x.events.some((e) => e.id === event.id && e.applied));
    expect(t.events.filter((e) => e.id === event.id)).toEqual([expect.objectContaining({ type: 'nl.koers.bijstand.applied', applied: true })]);
  });

  it('is answered per event for a batch, each applied once', async () => {
    const journeyId = await createJourney();
    const events = [milestone('nl.koers.duo.notified', '2025-04-01'), milestone('nl.koers.brp.registered', '2025-04-03')];
    // The SDK reads batches but has no batch emitter: the JSON format's batch of its serialized events.
    const body = JSON.stringify(events.map((e) => e.toJSON()));
    const res = await fetch(`${server.url}/v1/journeys/${journeyId}/events`, {
      method: 'POST',
      headers: { ...bearer(server.keys.partner), 'Content-Type': 'application/cloudevents-batch+json' },
      body,
    });
    expect(res.status).toBe(207);
    const answer = (await res.json()) as { results: Array<{ index: number; id: string; status: number; duplicate: boolean }> };
    expect(answer.results).toEqual(events.map((e, index) => ({ index, id: e.id, source: e.source, status: 202, duplicate: false })));
    const t = await eventually(() => timeline(journeyId), (x) => x.events.length === 2 && x.events.every((e) => e.applied));
    expect(t.events.map((e) => e.id).sort()).toEqual(events.map((e) => e.id).sort());
    // An empty batch is valid (JSON format §4): no results.
    const empty = await fetch(`${server.url}/v1/journeys/${journeyId}/events`, {
      method: 'POST',
      headers: { ...bearer(server.keys.partner), 'Content-Type': 'application/cloudevents-batch+json' },
      body: '[]',
    });
    expect([empty.status, await empty.json()]).toEqual([207, { results: [] }]);
  });

  it('is refused with 415 in plain words for a mode or data Koers does not take', async () => {
    const journeyId = await createJourney();
    const event = new CloudEvent({ id: randomUUID(), source: 'urn:nl:gemeente:borger-odoorn:brp', type: 'nl.koers.brp.registered', data: '<occurredOn>2025-04-01</occurredOn>', datacontenttype: 'application/xml' });
    const message = HTTP.binary(event);
    const headers = Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, String(v)]));
    const res = await fetch(`${server.url}/v1/journeys/${journeyId}/events`, { method: 'POST', headers: { ...headers, ...bearer(server.keys.partner) }, body: String(message.body) });
    expect(res.status).toBe(415);
    const problem = (await res.json()) as { detail: string };
    expect(problem.detail).toMatch(/JSON/);
  });
});
