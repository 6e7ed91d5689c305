/** The unauthenticated endpoints: the OpenAPI document, its rendering, health and metrics. */
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import { route, type RouteDef } from './route';
import { Health } from './schemas';
import { DEFAULT_RETRY_AFTER_SECONDS } from './problem';
import type { ApiMetrics } from './metrics';

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Koers API</title>
<link rel="stylesheet" href="/v1/docs/assets/swagger-ui.css">
</head>
<body data-spec="/v1/openapi.json">
<div id="swagger-ui"></div>
<script src="/v1/docs/assets/swagger-ui-bundle.js"></script>
<script src="/v1/docs/assets/init.js"></script>
</body>
</html>
`;

export interface MetaDeps {
  client: Client;
  metrics: ApiMetrics;
  /** The document, built once from all routes (including these). */
  document: () => Record<string, unknown>;
  /** More Prometheus text to append, e.g. the worker's Temporal metrics when it runs in this process. */
  extraMetrics?: () => Promise<string>;
}

export function metaRoutes(deps: MetaDeps): RouteDef[] {
  return [
    route(
      {
        method: 'get',
        path: '/v1/openapi.json',
        operationId: 'getOpenApiDocument',
        summary: 'This document (OpenAPI 3.1, generated from the code)',
        tags: ['meta'],
        responses: { 200: { description: 'The OpenAPI document', schema: z.record(z.string(), z.unknown()) } },
      },
      async () => ({ status: 200, body: deps.document() }),
    ),
    route(
      {
        method: 'get',
        path: '/v1/docs',
        operationId: 'getDocumentation',
        summary: 'The documentation, rendered from this document',
        tags: ['meta'],
        responses: { 200: { description: 'An HTML page', contentType: 'text/html' } },
      },
      async () => ({ status: 200, body: DOCS_PAGE }),
    ),
    route(
      {
        method: 'get',
        path: '/health',
        operationId: 'getHealth',
        summary: 'Whether the API can reach Temporal',
        tags: ['meta'],
        responses: {
          200: { description: 'Healthy', schema: Health },
          503: { description: 'Temporal unreachable (`temporal: "unreachable"` beside the problem members)', contentType: 'application/problem+json' },
        },
      },
      async () => {
        // A health check answers quickly: no retrying an unreachable server for long.
        const reachable = await deps.client
          .withDeadline(Date.now() + 2000, () => deps.client.connection.workflowService.getSystemInfo({}))
          .then(() => true)
          .catch(() => false);
        return reachable
          ? { status: 200, body: { status: 'ok', temporal: 'reachable' } }
          : { status: 503, body: { type: 'about:blank', title: 'Service unavailable', status: 503, detail: 'Temporal cannot be reached.', temporal: 'unreachable' }, headers: { 'Retry-After': String(DEFAULT_RETRY_AFTER_SECONDS) } };
      },
    ),
    route(
      {
        method: 'get',
        path: '/metrics',
        operationId: 'getMetrics',
        summary: 'Prometheus metrics: HTTP, Temporal client, process',
        tags: ['meta'],
        responses: { 200: { description: 'Prometheus text exposition format', contentType: 'text/plain' } },
      },
      async ({ res }) => {
        const own = await deps.metrics.registry.metrics();
        const extra = deps.extraMetrics ? await deps.extraMetrics().catch(() => '') : '';
        res.type(deps.metrics.registry.contentType);
        return { status: 200, body: extra ? `${own}\n${extra}` : own };
      },
    ),
  ];
}
