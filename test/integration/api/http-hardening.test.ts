/**
 * Issue 24, fault 6: cookies and headers behind the TLS proxy every deployment has. With
 * KOERS_TRUST_PROXY the proxy's X-Forwarded-Proto makes a request secure: cookies get `Secure`, HSTS
 * is sent; without it nobody's header is believed. Every answer says nosniff; the CSPs pin base-uri;
 * only the Swagger UI files the docs page loads are served; /metrics and /health's details need the
 * metrics token (KOERS_METRICS_TOKEN).
 */
import request from 'supertest';
import { LANG_COOKIE } from '../../../web/app';
import { apiHarness, type ApiHarness } from './harness';

const TOKEN = 'metrics-token-0123456789-0123456789-abcdef';

describe('HTTP hardening', () => {
  let behindProxy: ApiHarness;
  let direct: ApiHarness;

  beforeAll(async () => {
    behindProxy = await apiHarness({ trustProxy: ['loopback'], metricsToken: TOKEN });
    direct = await apiHarness();
  });
  afterAll(async () => {
    await behindProxy?.stop();
    await direct?.stop();
  });

  const langCookie = (res: request.Response) => ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${LANG_COOKIE}=`));

  it('behind a trusted TLS proxy sets Secure cookies and HSTS; over plain HTTP neither', async () => {
    const tls = await request(behindProxy.app).get('/app/?lang=en').set('X-Forwarded-Proto', 'https');
    expect(tls.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(langCookie(tls)).toMatch(/;\s*Secure/i);
    const plain = await request(behindProxy.app).get('/app/?lang=en');
    expect(plain.headers['strict-transport-security']).toBeUndefined();
    expect(langCookie(plain)).toBeDefined();
    expect(langCookie(plain)).not.toMatch(/;\s*Secure/i);
  });

  it('without KOERS_TRUST_PROXY believes no X-Forwarded-Proto', async () => {
    const res = await request(direct.app).get('/app/?lang=en').set('X-Forwarded-Proto', 'https');
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(langCookie(res)).not.toMatch(/;\s*Secure/i);
  });

  it('says nosniff on every answer, and pins base-uri in the content security policies', async () => {
    for (const url of ['/v1/openapi.json', '/v1/docs', '/v1/nosuchthing', '/app/', '/codec/login']) {
      const res = await request(direct.app).get(url);
      expect([url, res.headers['x-content-type-options']]).toEqual([url, 'nosniff']);
    }
    expect((await request(direct.app).get('/app/')).headers['content-security-policy']).toContain("base-uri 'none'");
    expect((await request(direct.app).get('/codec/login')).headers['content-security-policy']).toContain("base-uri 'none'");
  });

  it('serves only the Swagger UI files the docs page loads', async () => {
    const page = (await request(direct.app).get('/v1/docs')).text;
    const assets = [...page.matchAll(/(?:href|src)="(\/v1\/docs\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBe(3);
    for (const asset of assets) expect([asset, (await request(direct.app).get(asset)).status]).toEqual([asset, 200]);
    // swagger-ui-dist's demo page and the rest of its folder are not served (the API's door answers: no key).
    for (const other of ['index.html', 'swagger-initializer.js', 'oauth2-redirect.html', 'swagger-ui.js', 'package.json']) {
      const res = await request(direct.app).get(`/v1/docs/assets/${other}`);
      expect([other, res.status, res.headers['content-type']]).toEqual([other, 401, expect.stringContaining('application/problem+json')]);
    }
  });

  it('keeps /metrics and the details of /health for the metrics token', async () => {
    expect((await request(behindProxy.app).get('/metrics')).status).toBe(401);
    expect((await request(behindProxy.app).get('/metrics').set('Authorization', 'Bearer wrong-token-0123456789-0123456789')).status).toBe(401);
    const metrics = await request(behindProxy.app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('process_cpu_user_seconds_total');
    const anonymous = await request(behindProxy.app).get('/health');
    expect(anonymous.status).toBe(200);
    expect(anonymous.body).toEqual({ status: 'ok' });
    expect((await request(behindProxy.app).get('/health').set('Authorization', `Bearer ${TOKEN}`)).body).toEqual({ status: 'ok', temporal: 'reachable' });
  });
});
