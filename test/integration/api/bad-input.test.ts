/**
 * The bad-input list of issue 5, endpoint by endpoint, and a property test that sends thousands of
 * generated malformed bodies to every write endpoint: always a clear 4xx problem, never a 5xx, and
 * nothing changes (no journey history grows, no audit row, no task or dead letter moves, no journey starts).
 */
import fc from 'fast-check';
import { apiHarness, cloudEvent, type ApiHarness, type KeyName } from './harness';

interface WriteEndpoint {
  name: string;
  method: 'post' | 'put';
  url: (ids: Ids) => string;
  who: KeyName;
  valid: (ids: Ids) => Record<string, unknown> | unknown[];
  /** Fields holding dates of things that happened: a future date is an error there. */
  pastDates?: string[];
  contentType?: string;
  /** CloudEvents allow extension attributes; an unknown name must not look like one. */
  extensible?: boolean;
  /** Top-level fields without which the body is invalid. */
  required?: string[];
}

interface Ids {
  journeyId: string;
  taskId: string;
  messageId: string;
}

const FUTURE = '2199-01-01';

const endpoints: WriteEndpoint[] = [
  {
    name: 'create journey', required: ['personRef', 'municipality', 'permitGrantedOn'],
    method: 'post',
    url: () => '/v1/journeys',
    who: 'admin',
    valid: () => ({ personRef: 'p-fuzz', municipality: 'borger-odoorn', permitGrantedOn: '2025-03-14', birthDate: '1990-05-01', regime: 'wi2021', bsn: '111222333' }),
    pastDates: ['permitGrantedOn', 'birthDate'],
  },
  {
    name: 'report milestone', required: ['specversion', 'id', 'source', 'type', 'data'],
    method: 'post',
    url: (ids) => `/v1/journeys/${ids.journeyId}/events`,
    who: 'admin',
    valid: () => cloudEvent('nl.koers.exam.passed', { occurredOn: '2026-01-20', route: 'b1' }, 'fuzz-1', 'urn:nl:duo'),
    pastDates: ['data.occurredOn'],
    extensible: true,
  },
  {
    name: 'report milestones (batch)',
    method: 'post',
    url: (ids) => `/v1/journeys/${ids.journeyId}/events`,
    who: 'admin',
    valid: () => [cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-04-01' }, 'fuzz-2', 'urn:nl:brp')],
    contentType: 'application/cloudevents-batch+json',
  },
  {
    name: 'assign caseworker', required: ['role'],
    method: 'put',
    url: (ids) => `/v1/journeys/${ids.journeyId}/caseworker`,
    who: 'admin',
    valid: () => ({ role: 'regisseur-werk', id: 'cw-anna' }),
  },
  {
    name: 'correct person dates', required: ['reason'],
    method: 'post',
    url: (ids) => `/v1/journeys/${ids.journeyId}/person-corrections`,
    who: 'admin',
    valid: () => ({ permitGrantedOn: '2025-02-01', birthDate: '1990-05-02', reason: 'beschikking IND' }),
    pastDates: ['permitGrantedOn', 'birthDate'],
  },
  { name: 'check duplicates', required: ['municipality'], method: 'post', url: () => '/v1/journeys/duplicates', who: 'caseworker', valid: () => ({ municipality: 'borger-odoorn', personRef: 'p-fuzz', bsn: '111222333' }) },
  { name: 'search journeys', required: ['q'], method: 'post', url: () => '/v1/journeys/search', who: 'caseworker', valid: () => ({ q: 'p-fuzz', municipality: 'borger-odoorn' }) },
  { name: 'move journey', required: ['municipality'], method: 'post', url: (ids) => `/v1/journeys/${ids.journeyId}/move`, who: 'admin', valid: () => ({ municipality: 'midden-drenthe', reason: 'verhuisd' }) },
  { name: 'withdraw journey end', required: ['reason'], method: 'post', url: (ids) => `/v1/journeys/${ids.journeyId}/end-withdrawal`, who: 'admin', valid: () => ({ reason: 'BRP: overlijden ten onrechte geregistreerd' }) },
  {
    name: 'extension request', required: ['ground', 'requestedOn'],
    method: 'post',
    url: (ids) => `/v1/journeys/${ids.journeyId}/extension-requests`,
    who: 'caseworker',
    valid: () => ({ ground: 'illness', requestedOn: '2026-01-10', circumstanceFrom: '2025-09-01', circumstanceUntil: '2025-12-31' }),
    pastDates: ['requestedOn'],
  },
  {
    name: 'ladder assessment', required: ['rung', 'assessedOn'],
    method: 'post',
    url: (ids) => `/v1/journeys/${ids.journeyId}/ladder-assessments`,
    who: 'caseworker',
    valid: () => ({ rung: 3, assessedOn: '2025-06-01' }),
    pastDates: ['assessedOn'],
  },
  {
    name: 'start instrument', required: ['kind', 'startedOn', 'hasStartkwalificatie', 'generalBijstand'],
    method: 'post',
    url: (ids) => `/v1/journeys/${ids.journeyId}/instruments`,
    who: 'caseworker',
    valid: () => ({ kind: 'werkstage', startedOn: '2025-06-01', hasStartkwalificatie: false, generalBijstand: true }),
  },
  {
    name: 'end instrument', required: ['endedOn', 'reason'],
    method: 'post',
    url: (ids) => `/v1/journeys/${ids.journeyId}/instruments/${ids.journeyId}-instrument-1/end`,
    who: 'caseworker',
    valid: () => ({ endedOn: '2025-07-01', reason: 'werk gevonden' }),
    pastDates: ['endedOn'],
  },
  { name: 'claim task', method: 'post', url: (ids) => `/v1/tasks/${ids.taskId}/claim`, who: 'caseworker', valid: () => ({}) },
  { name: 'unclaim task', method: 'post', url: (ids) => `/v1/tasks/${ids.taskId}/unclaim`, who: 'caseworker', valid: () => ({}) },
  { name: 'reassign task', required: ['assignee'], method: 'post', url: (ids) => `/v1/tasks/${ids.taskId}/reassign`, who: 'admin', valid: () => ({ assignee: 'cw-bram' }) },
  {
    name: 'redistribute tasks', required: ['taskIds', 'pool', 'reason'],
    method: 'post',
    url: () => '/v1/tasks/redistribution',
    who: 'admin',
    valid: (ids) => ({ taskIds: [ids.taskId], pool: true, reason: 'werkverdeling' }),
  },
  {
    name: 'complete task', required: ['form'],
    method: 'post',
    url: (ids) => `/v1/tasks/${ids.taskId}/complete`,
    who: 'caseworker',
    valid: () => ({ form: { heldOn: '2025-04-10', interpreterUsed: true } }),
  },
  {
    name: 'policy amendment', required: ['municipality', 'patch', 'effectiveFrom', 'reason'],
    method: 'post',
    url: () => '/v1/policy-amendments',
    who: 'admin',
    valid: () => ({ municipality: 'borger-odoorn', patch: { periods: { intake: { days: 10 } } }, effectiveFrom: '2026-01-01', reason: 'raadsbesluit', filter: { phase: 'intake' }, dryRun: false }),
  },
  { name: 'retry dead letter', method: 'post', url: (ids) => `/v1/dead-letters/${ids.messageId}/retry`, who: 'admin', valid: () => ({}) },
];

// ---- mutations that always make a body invalid -----------------------------------------------------

type Json = unknown;
type Mutation = (body: Json, endpoint: WriteEndpoint) => Json | undefined;

function paths(value: Json, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))];
}

function setAt(value: Json, path: string[], replace: (old: Json) => Json | typeof REMOVE): Json {
  if (path.length === 0) {
    const next = replace(value);
    return next === REMOVE ? undefined : next;
  }
  const [head, ...rest] = path as [string, ...string[]];
  const copy: Record<string, Json> | Json[] = Array.isArray(value) ? [...value] : { ...(value as Record<string, Json>) };
  const child = setAt((copy as Record<string, Json>)[head], rest, replace);
  if (child === undefined && rest.length === 0 && replace((copy as Record<string, Json>)[head]) === REMOVE) delete (copy as Record<string, Json>)[head];
  else (copy as Record<string, Json>)[head] = child;
  return copy;
}
const REMOVE = Symbol('remove');

/** A value of another JSON type than `old`, so a schema that accepted `old` cannot accept it. */
const otherType = (old: Json, pick: number): Json => {
  const candidates: Json[] = [42.5, true, null, ['x'], { x: 1 }, 'not-a-valid-value'];
  const typeOf = (v: Json) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  const others = candidates.filter((c) => typeOf(c) !== typeOf(old));
  return others[pick % others.length];
};

const isEmptyObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;

const leafPaths = (body: Json) => paths(body).filter((p) => p.length > 0);

function mutation(kind: number, pick: number, text: string): Mutation {
  return (body, endpoint) => {
    const all = leafPaths(body);
    switch (kind % 6) {
      case 0: {
        // A value of the wrong type anywhere (a field, an object, an array element).
        const path = all[pick % all.length];
        return path ? setAt(body, path, (old) => otherType(old, pick)) : 42;
      }
      case 1: {
        // An unknown field, on the body or on one of its objects (never a valid extension name).
        const objects = [[], ...all].filter((p) => {
          let v: Json = body;
          for (const k of p) v = (v as Record<string, Json>)[k];
          return v !== null && typeof v === 'object' && !Array.isArray(v);
        });
        const path = objects[pick % objects.length] ?? [];
        const name = `Unknown_${text.replace(/[^A-Za-z]/g, '').slice(0, 8)}`;
        if (endpoint.extensible && path.length === 0) return { ...(body as object), [name]: { nested: true } };
        return setAt(body, [...path, name], () => 'surprise');
      }
      case 2: {
        // An impossible calendar date where a date belongs, or a malformed one.
        const dates = all.filter((p) => /^\d{4}-\d{2}-\d{2}$/.test(String(p.reduce<Json>((v, k) => (v as Record<string, Json>)[k], body))));
        const bad = ['2025-02-30', '2025-13-01', '2025-04-31', '2023-02-29', '25-01-01', '2025-1-1', `${text}-01-01`][pick % 7];
        const path = dates[pick % Math.max(1, dates.length)];
        return path ? setAt(body, path, () => bad) : 'not an object';
      }
      case 3: {
        // A date of something that happened, in the future.
        const past = (endpoint.pastDates ?? []).map((p) => p.split('.'));
        const path = past[pick % Math.max(1, past.length)];
        if (!path || !endpoint.pastDates?.length) return [body, body].slice(0, 0); // an empty array: never a valid body here
        return setAt(body, path, () => FUTURE);
      }
      case 4: {
        // A required field missing.
        const required = endpoint.required ?? [];
        if (required.length === 0 || Array.isArray(body)) return 'x';
        return setAt(body, [required[pick % required.length]!], () => REMOVE);
      }
      default:
        // Not an object at all.
        return [null, 0, 'text', true, [[]]][pick % 5];
    }
  };
}

describe('bad input', () => {
  let h: ApiHarness;
  let ids: Ids;

  /** Everything that a bad request could have changed. */
  async function snapshot() {
    return {
      history: await h.historyLength(ids.journeyId),
      audit: await h.audit.forJourney(ids.journeyId),
      task: await h.tasks.getTask(ids.taskId),
      deadLetters: await h.outbox.listDead(),
      journeys: await h.client.workflow.count(`TaskQueue = '${h.taskQueue}'`),
    };
  }

  beforeAll(async () => {
    h = await apiHarness();
    const journeyId = await h.createJourney();
    await h.tasks.syncJourneyTasks({
      journeyId,
      municipality: 'borger-odoorn',
      caseworkerRole: 'regisseur-werk',
      tasks: [{ key: 'hold-intake', kind: 'hold-intake', candidateGroup: 'regisseur-werk', followUpDate: '2025-04-10', dueDate: '2025-04-15' }],
    });
    ids = { journeyId, taskId: `${journeyId}:hold-intake`, messageId: '00000000-0000-0000-0000-000000000000' };
    // The colleagues the valid bodies hand work to have signed in (the staff directory knows them).
    for (const id of ['cw-anna', 'cw-bram']) await h.staff.recordSignIn({ id, name: id, role: 'caseworker', municipalities: ['borger-odoorn'] });
  });
  afterAll(() => h.stop());

  const send = (e: WriteEndpoint, body: unknown, contentType = e.contentType ?? 'application/json') => h.as(e.who)[e.method](e.url(ids), body, contentType);

  it('answers malformed JSON with 400 problem+json on every write endpoint', async () => {
    const before = await snapshot();
    for (const e of endpoints) {
      for (const raw of ['{', '{"a":}', "{'single':'quotes'}", '[1,2', '{"a":1}}', 'null x', '\u0000']) {
        const res = await send(e, raw);
        expect([e.name, raw, res.status]).toEqual([e.name, raw, 400]);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body.errors).toEqual([{ path: '(body)', message: 'not valid JSON' }]);
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  it('answers a wrong content type with 415 on every write endpoint', async () => {
    const before = await snapshot();
    for (const e of endpoints) {
      for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const res = await send(e, JSON.stringify(e.valid(ids)), type);
        expect([e.name, type, res.status]).toEqual([e.name, type, 415]);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
    }
    // A batch is only a batch under its own media type, and a single event is not one.
    const batchAsSingle = await send(endpoints[1]!, JSON.stringify(endpoints[2]!.valid(ids)), 'application/cloudevents+json');
    expect(batchAsSingle.status).toBe(422);
    expect((await send(endpoints[0]!, JSON.stringify(endpoints[0]!.valid(ids)), 'application/cloudevents+json')).status).toBe(415);
    expect(await snapshot()).toEqual(before);
  });

  it('answers an oversized body with 413 on every write endpoint', async () => {
    const before = await snapshot();
    for (const e of endpoints) {
      const big = JSON.stringify({ ...(Array.isArray(e.valid(ids)) ? {} : e.valid(ids)), padding: 'x'.repeat(e.contentType ? 1_100_000 : 70_000) });
      const res = await send(e, big);
      expect([e.name, res.status]).toEqual([e.name, 413]);
      expect(res.body.title).toBe('Body too large');
    }
    expect(await snapshot()).toEqual(before);
  });

  it('names an unknown field (422)', async () => {
    const res = await h.as('admin').post('/v1/journeys', { ...endpoints[0]!.valid(ids), personRef: h.personRef(), nickname: 'x' });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ path: 'nickname', message: 'unknown field' }]);
    const data = await h.as('admin').post(`/v1/journeys/${ids.journeyId}/events`, cloudEvent('nl.koers.pip.established', { occurredOn: '2025-06-01', leeroute: 'b1' }));
    expect(data.status).toBe(422);
    expect(data.body.errors).toEqual([{ path: 'data.leeroute', message: 'unknown field' }]);
    const attribute = await h.as('admin').post(`/v1/journeys/${ids.journeyId}/events`, { ...cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-04-01' }), occurredOn: '2025-04-01' });
    expect(attribute.status).toBe(422);
    expect(attribute.body.errors).toEqual([expect.objectContaining({ path: 'occurredOn' })]);
  });

  it('names an impossible date such as 2025-02-30 (422)', async () => {
    const before = await snapshot();
    const create = await h.as('admin').post('/v1/journeys', { personRef: h.personRef(), municipality: 'borger-odoorn', permitGrantedOn: '2025-02-30' });
    expect(create.status).toBe(422);
    expect(create.body.errors).toEqual([{ path: 'permitGrantedOn', message: expect.stringContaining('must be a calendar date YYYY-MM-DD') }]);
    const event = await h.as('admin').post(`/v1/journeys/${ids.journeyId}/events`, cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-02-30' }));
    expect(event.status).toBe(422);
    expect(event.body.errors.map((e: { path: string }) => e.path)).toEqual(['data.occurredOn']);
    expect(await snapshot()).toEqual(before);
  });

  it('names a future occurredOn (422) and lists every wrong field at once', async () => {
    const before = await snapshot();
    const future = await h.as('admin').post(`/v1/journeys/${ids.journeyId}/events`, cloudEvent('nl.koers.brp.registered', { occurredOn: FUTURE }));
    expect(future.status).toBe(422);
    expect(future.body.errors).toEqual([{ path: 'data.occurredOn', message: expect.stringContaining('must not be in the future') }]);
    const many = await h.as('admin').post(`/v1/journeys/${ids.journeyId}/events`, { specversion: '0.3', id: '', source: 'urn:x', type: 'nl.koers.exam.passed', data: { occurredOn: FUTURE, route: 'sing' } });
    expect(many.status).toBe(422);
    expect(many.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['data.occurredOn', 'data.route', 'id', 'specversion']);
    const create = await h.as('admin').post('/v1/journeys', { personRef: 'bad ref!', municipality: '', permitGrantedOn: FUTURE, bsn: '123456789', regime: 'wi2030' });
    expect(create.status).toBe(422);
    expect(create.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['bsn', 'municipality', 'permitGrantedOn', 'personRef', 'regime']);
    expect(await snapshot()).toEqual(before);
  });

  it('rejects an unknown event type, a missing field, an unknown municipality, a bad BSN (422)', async () => {
    const before = await snapshot();
    const type = await h.as('admin').post(`/v1/journeys/${ids.journeyId}/events`, cloudEvent('nl.koers.unknown', { occurredOn: '2025-04-01' }));
    expect(type.status).toBe(422);
    expect(type.body.errors.map((e: { path: string }) => e.path)).toEqual(['type']);
    const missing = await h.as('admin').post(`/v1/journeys/${ids.journeyId}/events`, cloudEvent('nl.koers.exam.passed', { occurredOn: '2025-04-01' }));
    expect(missing.status).toBe(422);
    expect(missing.body.errors.map((e: { path: string }) => e.path)).toEqual(['data.route']);
    const municipality = await h.as('admin').post('/v1/journeys', { personRef: h.personRef(), municipality: 'atlantis', permitGrantedOn: '2025-03-14' });
    expect(municipality.status).toBe(422);
    expect(municipality.body.errors).toEqual([{ path: 'municipality', message: 'no policy for municipality "atlantis"' }]);
    const bsn = await h.as('admin').post('/v1/journeys', { personRef: h.personRef(), municipality: 'borger-odoorn', permitGrantedOn: '2025-03-14', bsn: '111222334' });
    expect(bsn.status).toBe(422);
    expect(bsn.body.errors).toEqual([{ path: 'bsn', message: 'is not a valid BSN (11-proef)' }]);
    expect(await snapshot()).toEqual(before);
  });

  it('checks a batch as a whole (array of 1-100) and each event in it', async () => {
    const e = endpoints[2]!;
    const before = await snapshot();
    for (const body of [{}, Array.from({ length: 101 }, () => e.valid(ids)[0 as never])]) {
      const res = await send(e, body);
      expect(res.status).toBe(422);
    }
    // An empty batch is valid (CloudEvents JSON format §4): no results.
    expect((await send(e, [])).body).toEqual({ results: [] });
    const res = await send(e, [cloudEvent('nl.koers.brp.registered', { occurredOn: FUTURE }), 'not an event']);
    expect(res.status).toBe(207);
    expect(res.body.results.map((r: { status: number }) => r.status)).toEqual([422, 422]);
    expect(res.body.results[0].problem.errors).toEqual([{ path: '0.data.occurredOn', message: expect.any(String) }]);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a body where an operation takes none', async () => {
    const res = await h.as('caseworker').post(`/v1/tasks/${ids.taskId}/claim`, { assignee: 'me' });
    expect(res.status).toBe(422);
  });

  it('answers thousands of generated malformed bodies on every write endpoint with a 4xx, and nothing changes', async () => {
    const before = await snapshot();
    const statuses = new Map<number, number>();
    let sent = 0;
    for (const e of endpoints) {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            // Mutations of a valid body: wrong type, unknown field, impossible or future date, missing field, not an object.
            fc.tuple(fc.nat(5), fc.nat(1000), fc.string({ maxLength: 8 })).map(([kind, pick, text]) => ({ body: mutation(kind, pick, text)(e.valid(ids), e) as unknown, raw: false })),
            // Any JSON at all (almost never a valid body).
            fc.jsonValue({ maxDepth: 3 }).map((body) => ({ body, raw: false })),
            // Any text, mostly not JSON.
            fc.string({ maxLength: 200 }).map((text) => ({ body: text, raw: true })),
          ),
          async ({ body, raw }) => {
            // `{}` is the valid body of an operation that takes none; everything else generated here is malformed.
            // So is no body at all.
            const none = raw ? (body as string).trim() === '' : isEmptyObject(body);
            if (none && isEmptyObject(e.valid(ids))) return;
            const payload = raw ? (body as string) : JSON.stringify(body ?? null);
            const res = await send(e, payload);
            sent += 1;
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            // A batch whose array is well-formed answers 207 per event: then each event must be refused.
            const refused = (s: number) => s >= 400 && s < 500;
            if (res.status === 207 && (res.body.results as Array<{ status: number }>).every((r) => refused(r.status))) return;
            if (!refused(res.status)) {
              throw new Error(`${e.name}: ${res.status} for ${payload.slice(0, 300)} → ${JSON.stringify(res.body).slice(0, 300)}`);
            }
            expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
          },
        ),
        // Bounded: about 4,500 requests in all, some ten seconds on two cores.
        { numRuns: 300, seed: 20261128 },
      );
    }
    expect(sent).toBeGreaterThan(endpoints.length * 280);
    expect([...statuses.keys()].every((s) => s === 207 || (s >= 400 && s < 500))).toBe(true);
    expect(await snapshot()).toEqual(before);
  });
});
