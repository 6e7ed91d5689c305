/**
 * The OpenAPI 3.1 document, generated from the route definitions and their zod schemas (never written
 * by hand). OpenAPI 3.1 schemas are JSON Schema 2020-12, which is what `z.toJSONSchema` emits.
 */
import { z } from 'zod';
import { components } from './schemas';
import { routeRoles, type RouteDef } from './route';
import { ROLES } from '../identity/permissions';

type Json = Record<string, unknown>;

const ref = (id: string): Json => ({ $ref: `#/components/schemas/${id}` });

function idOf(schema: z.ZodType): string | undefined {
  return components.get(schema)?.id;
}

/** The registered schemas, each in the direction it is used in (a request's input, a response's output). */
function componentSchemas(requestIds: Set<string>): Record<string, Json> {
  const options = { target: 'draft-2020-12' as const, unrepresentable: 'any' as const, uri: (id: string) => `#/components/schemas/${id}` };
  const input = z.toJSONSchema(components, { ...options, io: 'input' }).schemas as Record<string, Json>;
  const output = z.toJSONSchema(components, { ...options, io: 'output' }).schemas as Record<string, Json>;
  const result: Record<string, Json> = {};
  for (const id of Object.keys(input).sort()) {
    const { $schema: _s, $id: _i, ...schema } = requestIds.has(id) ? input[id]! : output[id]!;
    result[id] = withUnevaluatedRest(schema);
  }
  return result;
}

/**
 * An object with named properties whose other members have a type of their own (CloudEvents
 * extension attributes) says so with `unevaluatedProperties`, which JSON Schema 2020-12 evaluates
 * the same here: generated clients (openapi-typescript) read `additionalProperties` as an index
 * signature every named property must also fit, so no event with a `data` object could be typed.
 */
function withUnevaluatedRest(schema: Json): Json {
  const { additionalProperties, ...rest } = schema;
  if (!rest.properties || typeof additionalProperties !== 'object' || additionalProperties === null) return schema;
  return { ...rest, unevaluatedProperties: additionalProperties };
}

/** An inline schema (path and query parameters); registered schemas inside become `$ref`s. */
function inline(schema: z.ZodType, io: 'input' | 'output'): Json {
  const id = idOf(schema);
  if (id) return ref(id);
  // Only parameters and unnamed documents come here; named schemas are components, referenced above.
  const { $schema: _s, ...json } = z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any', io }) as Json;
  return json;
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): Json[] {
  if (!schema) return [];
  const json = inline(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property as Json & { description?: string };
    return {
      name,
      in: where,
      required: where === 'path' || (json.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

const STANDARD_ERRORS: Record<number, string> = {
  400: 'Malformed JSON, or invalid query parameters',
  401: 'Missing or unknown API key',
  403: 'Known key, not allowed',
  404: 'No such resource, or one of another municipality',
  413: 'Body too large',
  415: 'Unsupported media type',
  422: 'Invalid fields (every one is named in `errors`)',
  500: 'Unexpected error (logged, no details)',
  503: 'Temporal cannot be reached for now; try again shortly',
};

/** The API-Version header every answer carries (API Design Rules: /core/version-header). */
const VERSION_HEADER = { 'API-Version': { $ref: '#/components/headers/API-Version' } };

/** The document's server: the major version is in its URL (API Design Rules: /core/uri-version). */
const API_BASE = '/v1';

export interface DocumentInfo {
  version: string;
  /** Who answers questions about this deployment (API Design Rules: /core/doc-openapi-contact). */
  contact: { name: string; email: string; url: string };
}

export function buildOpenApiDocument(routes: RouteDef[], info: DocumentInfo): Json {
  const requestIds = new Set<string>();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const { spec } of routes) {
    const allowed = routeRoles(spec);
    const versioned = spec.path.startsWith(`${API_BASE}/`);
    const errors = new Set<number>([500]);
    if (allowed !== 'public') [401, 503].forEach((s) => errors.add(s));
    if (allowed !== 'public' && allowed.length < ROLES.length) errors.add(403);
    if (spec.params) errors.add(404);
    if (spec.query) errors.add(400);
    // Under /v1 every request's body is parsed as JSON when it claims to be JSON: malformed is a 400.
    if (versioned) errors.add(400);
    if (spec.body) [400, 413, 415, 422].forEach((s) => errors.add(s));

    const responses: Record<string, Json> = {};
    for (const [status, response] of Object.entries(spec.responses)) {
      const problem = response.contentType === 'application/problem+json';
      const schema = response.schema ? inline(response.schema, 'output') : problem ? ref('Problem') : undefined;
      responses[status] = {
        description: response.description,
        headers: { ...VERSION_HEADER, ...response.headers },
        ...(schema || response.contentType ? { content: { [response.contentType ?? 'application/json']: { schema: schema ?? {} } } } : {}),
      };
    }
    for (const status of errors) {
      if (!responses[status]) {
        responses[status] = {
          description: STANDARD_ERRORS[status]!,
          headers: { ...VERSION_HEADER, ...(status === 503 ? { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer' } } } : {}) },
          content: { 'application/problem+json': { schema: ref('Problem') } },
        };
      }
    }
    if (responses[405] === undefined && versioned) {
      responses[405] = { description: 'Not a method of this resource (`Allow` names those it has)', headers: VERSION_HEADER, content: { 'application/problem+json': { schema: ref('Problem') } } };
    }

    let requestBody: Json | undefined;
    if (spec.body) {
      const content: Record<string, Json> = {};
      for (const [mediaType, schema] of Object.entries(spec.body.content)) {
        const id = idOf(schema);
        if (id) requestIds.add(id);
        content[mediaType] = { schema: inline(schema, 'input') };
      }
      requestBody = { required: true, content };
    }

    const roles = allowed === 'public' ? 'No credentials needed.' : `Roles: ${allowed.join(', ')}.`;
    // Paths are relative to the /v1 server; the operational endpoints outside it name their own server.
    const path = versioned ? spec.path.slice(API_BASE.length) : spec.path;
    const item = (paths[path] ??= versioned ? {} : { servers: [{ url: '/', description: 'Operational endpoints, outside the versioned API' }] });
    item[spec.method] = {
      operationId: spec.operationId,
      summary: spec.summary,
      description: [spec.description, roles].filter(Boolean).join('\n\n'),
      tags: spec.tags,
      ...(allowed === 'public' ? { security: [] } : {}),
      parameters: [...parameters(spec.params, 'path'), ...parameters(spec.query, 'query')],
      ...(requestBody ? { requestBody } : {}),
      responses,
      'x-roles': allowed === 'public' ? [] : allowed,
    };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Koers API',
      version: info.version,
      summary: 'The integration journeys of statushouders: partner milestones, caseworker tasks, administration.',
      description:
        'Conventions of the Dutch API Design Rules: `/v1` in the path, an `API-Version` response header, kebab-case paths, ' +
        'camelCase fields, dates `YYYY-MM-DD`, instants RFC 3339, and errors as `application/problem+json` (RFC 9457) ' +
        'naming every wrong field. Every request carries `Authorization: Bearer <key>`; caseworkers and partners see ' +
        'only journeys of their municipalities (another one is a 404).',
      contact: info.contact,
      license: { name: 'EUPL-1.2', identifier: 'EUPL-1.2' },
    },
    servers: [{ url: API_BASE, description: 'Version 1 of the API, on the host that serves this document' }],
    security: [{ apiKey: [] }],
    tags: [...new Set(routes.flatMap((r) => r.spec.tags))].map((name) => ({ name })),
    paths,
    components: {
      schemas: componentSchemas(requestIds),
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key from the keys file.' } },
      headers: {
        'API-Version': { description: 'The full version of the API that answered (semantic versioning)', schema: { type: 'string', example: info.version } },
      },
    },
  };
}
