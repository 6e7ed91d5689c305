import { spawnSync } from 'node:child_process';
import { CASEWORKER_ROLES, CLOCK_NAMES, INSTRUMENT_KINDS, LEERROUTES, PHASES, TASK_KINDS } from '../../../domain/vocabulary';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { apiHarness, type ApiHarness } from './harness';

// The document is plain JSON read back from HTTP; the assertions walk it freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;

/** Every layer of the app that is a route, as "method path" in OpenAPI form. */
function expressRoutes(app: ApiHarness['app']): string[] {
  const stack = (app as unknown as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } }).router.stack;
  return stack
    .filter((layer) => layer.route)
    .flatMap((layer) =>
      Object.keys(layer.route!.methods)
        .filter((m) => m !== '_all')
        .map((method) => `${method} ${layer.route!.path.replace(/:(\w+)/g, '{$1}')}`),
    );
}

describe('the OpenAPI document', () => {
  let h: ApiHarness;
  let document: Doc;

  beforeAll(async () => {
    h = await apiHarness();
    const res = await request(h.app).get('/v1/openapi.json');
    expect(res.status).toBe(200);
    document = res.body;
  });
  afterAll(() => h.stop());

  it('is served without credentials, with the API-Version header', async () => {
    const res = await request(h.app).get('/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['api-version']).toBe('1.0.0');
    expect(res.body.openapi).toBe('3.1.0');
  });

  it('publishes the domain vocabulary lists as its enums (domain/vocabulary.ts)', () => {
    const text = JSON.stringify(document);
    for (const list of [TASK_KINDS, PHASES, CLOCK_NAMES, INSTRUMENT_KINDS, LEERROUTES, CASEWORKER_ROLES]) expect(text).toContain(JSON.stringify([...list]));
  });

  it('validates as OpenAPI 3.1', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'koers-openapi-')), 'openapi.json');
    fs.writeFileSync(file, JSON.stringify(document));
    // The validator is an ES module; jest runs CommonJS, so it checks the file in a child process.
    const script = `
      import fs from 'node:fs';
      import { Validator } from '@seriousme/openapi-schema-validator';
      const validator = new Validator();
      const result = await validator.validate(JSON.parse(fs.readFileSync(process.argv[1], 'utf8')));
      process.stdout.write(JSON.stringify({ valid: result.valid, version: validator.version, errors: result.errors ?? null }));
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, file], { cwd: path.resolve(__dirname, '../../..'), encoding: 'utf8' });
    expect(child.stderr).toBe('');
    const verdict = JSON.parse(child.stdout) as { valid: boolean; version: string; errors: unknown };
    expect(verdict).toEqual({ valid: true, version: '3.1', errors: null });
  });

  it('has every Express route, and no operation that is not a route', () => {
    const routes = expressRoutes(h.app);
    expect(routes.length).toBeGreaterThan(20);
    // Paths are relative to their server: the document's (/v1), or their own (the operational endpoints).
    const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([p, item]) =>
      Object.keys(item)
        .filter((m) => m !== 'servers')
        .map((m) => `${m} ${item.servers ? '' : document.servers[0].url}${p}`),
    );
    expect([...routes].sort()).toEqual([...documented].sort());
  });

  it('resolves every $ref to a component, and names each operation and its roles', () => {
    const refs = JSON.stringify(document).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const ref of refs) {
      const [, kind, id] = /#\/components\/(schemas|headers)\/([^"]+)/.exec(ref) ?? [];
      expect(kind && id && document.components[kind][id]).toBeTruthy();
    }
    expect(JSON.stringify(document)).not.toContain('$defs');
    for (const { servers: _servers, ...ops } of Object.values(document.paths as Record<string, Record<string, Doc>>)) {
      for (const op of Object.values(ops)) {
        expect(op.operationId).toMatch(/^[a-z][A-Za-z]+$/);
        expect(Array.isArray(op['x-roles'])).toBe(true);
        expect(op.responses['500']).toBeDefined();
      }
    }
  });

  it('follows the API Design Rules: /v1, kebab-case paths, camelCase fields, problem+json errors', () => {
    expect(document.servers).toEqual([expect.objectContaining({ url: '/v1' })]);
    for (const [p, item] of Object.entries(document.paths as Record<string, Doc>)) {
      if (p === '/health' || p === '/metrics') {
        expect(item.servers).toEqual([expect.objectContaining({ url: '/' })]);
        continue;
      }
      expect(item.servers).toBeUndefined();
      for (const segment of p.split('/').filter((s) => s && !s.startsWith('{'))) expect(segment).toMatch(/^[a-z0-9.-]+$/);
    }
    const fields = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        const record = node as Record<string, unknown>;
        if (record.properties && typeof record.properties === 'object') Object.keys(record.properties).forEach((k) => fields.add(k));
        Object.values(record).forEach(walk);
      }
    };
    walk(document.components.schemas);
    for (const field of fields) expect(field).toMatch(/^[a-z][A-Za-z0-9]*$/);
    expect(document.paths['/journeys'].post.responses['422'].content['application/problem+json']).toBeDefined();
    // /core/version-header: every answer declares API-Version.
    for (const { servers: _servers, ...ops } of Object.values(document.paths as Record<string, Record<string, Doc>>)) {
      for (const op of Object.values(ops)) {
        for (const response of Object.values(op.responses as Record<string, Doc>)) expect(response.headers['API-Version']).toBeDefined();
      }
    }
  });

  it('documents the contract: the create body, the CloudEvent, the journey', () => {
    const schemas = document.components.schemas;
    expect(schemas.CreateJourneyRequest.required).toEqual(['personRef', 'municipality', 'permitGrantedOn']);
    expect(schemas.CreateJourneyRequest.additionalProperties).toBe(false);
    expect(schemas.CloudEvent.properties.type.enum).toContain('nl.koers.exam.passed');
    expect(schemas.Journey.required).toEqual(expect.arrayContaining(['journeyId', 'municipality', 'regime', 'phase', 'clocks', 'openTasks']));
    const events = document.paths['/journeys/{journeyId}/events'].post;
    expect(Object.keys(events.requestBody.content)).toEqual(['application/cloudevents+json', 'application/json', 'application/cloudevents-batch+json']);
    expect(Object.keys(events.responses)).toEqual(expect.arrayContaining(['200', '202', '207', '401', '403', '404', '422', '429']));
  });

  it('answers health without credentials', async () => {
    const res = await request(h.app).get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', temporal: 'reachable', apiKeys: 'current' });
  });

  it('answers an unknown path with 404 problem+json and the API-Version header', async () => {
    const res = await h.as('admin').get('/v1/no-such-thing');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['api-version']).toBe('1.0.0');
  });

  it('is rendered at /v1/docs from assets served here (no CDN)', async () => {
    const page = await request(h.app).get('/v1/docs');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).not.toMatch(/https?:\/\//);
    for (const asset of page.text.match(/(?:src|href)="([^"]+)"/g)!.map((m) => m.replace(/^(src|href)="|"$/g, ''))) {
      const res = await request(h.app).get(asset);
      expect([asset, res.status]).toEqual([asset, 200]);
    }
    const init = await request(h.app).get('/v1/docs/assets/init.js');
    expect(init.text).toContain('SwaggerUIBundle');
  });
});
