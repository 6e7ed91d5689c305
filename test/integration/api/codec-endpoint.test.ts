/**
 * The codec endpoint as the Temporal Web UI calls it (CORS preflight, then `POST …/decode` with
 * `X-Namespace`, payloads as protobuf JSON) and as the CLI does (`--codec-auth "Bearer <key>"`):
 * decoded for an administrator, refused for everyone else.
 */
import request from 'supertest';
import { temporal } from '@temporalio/proto';
import { apiHarness, CODEC_UI_ORIGIN, KEYS, type ApiHarness } from './harness';

type PayloadsJson = { payloads: Array<{ metadata: Record<string, string>; data: string }> };
const metadataText = (p: PayloadsJson['payloads'][number], key: string) => Buffer.from(p.metadata[key] ?? '', 'base64').toString('utf8');
const dataText = (p: PayloadsJson['payloads'][number]) => Buffer.from(p.data, 'base64').toString('utf8');

describe('codec endpoint for the Temporal Web UI and CLI', () => {
  let h: ApiHarness;
  let journeyId: string;
  let stored: PayloadsJson;

  beforeAll(async () => {
    h = await apiHarness({ worker: true });
    journeyId = await h.createJourney({ birthDate: '1987-02-11', bsn: '111222333' });
    // The start input exactly as Temporal stores it and the UI receives it.
    const history = await h.client.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId: journeyId }, maximumPageSize: 1 });
    const input = history.history!.events![0]!.workflowExecutionStartedEventAttributes!.input!;
    stored = temporal.api.common.v1.Payloads.toObject(temporal.api.common.v1.Payloads.create(input), { bytes: String }) as PayloadsJson;
  });
  afterAll(() => h.stop());

  const decode = (body: unknown) =>
    request(h.app).post('/codec/decode').set('Origin', CODEC_UI_ORIGIN).set('X-Namespace', 'default').set('Content-Type', 'application/json').send(JSON.stringify(body));

  it('is given ciphertext by Temporal: no birth date, and the key id in the metadata', () => {
    expect(metadataText(stored.payloads[0]!, 'encoding')).toBe('binary/encrypted');
    expect(metadataText(stored.payloads[0]!, 'encryption-key-id')).toBe('test-2');
    expect(JSON.stringify(stored)).not.toContain(Buffer.from('1987-02-11').toString('base64').slice(0, 12));
    expect(dataText(stored.payloads[0]!)).not.toContain('1987-02-11');
  });

  it('answers the browser preflight for the UI origin only, credentials allowed', async () => {
    const preflight = await request(h.app)
      .options('/codec/decode')
      .set('Origin', CODEC_UI_ORIGIN)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type,x-namespace');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(CODEC_UI_ORIGIN);
    expect(preflight.headers['access-control-allow-credentials']).toBe('true');
    expect(preflight.headers['access-control-allow-headers']?.toLowerCase()).toContain('x-namespace');
    const foreign = await request(h.app).options('/codec/decode').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST');
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses to decode without an administrator key, and gives nothing away', async () => {
    for (const auth of [undefined, `Bearer ${KEYS.caseworker}`, `Bearer ${KEYS.partnerBrp}`, 'Bearer not-a-key-at-all-000']) {
      const res = auth ? await decode(stored).set('Authorization', auth) : await decode(stored);
      expect(res.status).toBe(401);
      expect(JSON.stringify(res.body)).not.toContain('1987-02-11');
    }
  });

  it('decodes for an administrator key (the CLI way) with the CORS header the UI needs', async () => {
    const res = await decode(stored).set('Authorization', `Bearer ${KEYS.admin}`);
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(CODEC_UI_ORIGIN);
    const [payload] = (res.body as PayloadsJson).payloads;
    expect(metadataText(payload!, 'encoding')).toBe('json/plain');
    const input = JSON.parse(dataText(payload!)) as { journeyId: string; birthDate: string };
    expect(input).toMatchObject({ journeyId, birthDate: '1987-02-11' });
  });

  it('decodes in a browser session opened with an administrator key, and not after signing out', async () => {
    expect((await request(h.app).post('/codec/session').type('form').send({ key: KEYS.caseworker })).status).toBe(401);
    const login = await request(h.app).post('/codec/session').type('form').send({ key: KEYS.admin });
    expect(login.status).toBe(200);
    const cookie = login.headers['set-cookie']![0]!.split(';')[0]!;
    expect(login.headers['set-cookie']![0]).toMatch(/HttpOnly/i);
    const res = await decode(stored).set('Cookie', cookie);
    expect(res.status).toBe(200);
    expect(dataText((res.body as PayloadsJson).payloads[0]!)).toContain('1987-02-11');
    await request(h.app).delete('/codec/session').set('Cookie', cookie);
    expect((await decode(stored).set('Cookie', cookie)).status).toBe(401);
    expect((await request(h.app).get('/codec/login')).text).toContain('name="key"');
  });

  it('encodes for an administrator, and what it encodes decodes back', async () => {
    const plain = { payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('{"note":"x"}').toString('base64') }] };
    const encoded = await request(h.app).post('/codec/encode').set('Authorization', `Bearer ${KEYS.admin}`).set('Content-Type', 'application/json').send(plain);
    expect(encoded.status).toBe(200);
    expect(metadataText((encoded.body as PayloadsJson).payloads[0]!, 'encoding')).toBe('binary/encrypted');
    const decoded = await decode(encoded.body).set('Authorization', `Bearer ${KEYS.admin}`);
    expect(dataText((decoded.body as PayloadsJson).payloads[0]!)).toBe('{"note":"x"}');
  });
});
