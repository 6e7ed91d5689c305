/** The unauthenticated endpoints: the OpenAPI document, its rendering, health and metrics. */
import crypto from 'node:crypto';
import type { Request } from 'express';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import { route, type RouteDef } from './route';
import { Health } from './schemas';
import { DEFAULT_RETRY_AFTER_SECONDS, Problem } from './problem';
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
  /** `Authorization: Bearer <token>` for /metrics and /health's details (KOERS_METRICS_TOKEN); absent: open. */
  metricsToken?: string;
  /** False while the keys in force are an earlier file's (the last reload was refused): health is degraded. */
  keysCurrent?: () => boolean;
  /** The store-write probe (store/instance.ts probeWrite): throws when the store cannot take a write (a full disk, a read-only file). */
  probeStoreWrite?: () => Promise<void>;
  /** Free space where the data lives, and the minimum below which health is degraded (KOERS_MIN_FREE_DISK_MB); bytes. */
  diskSpace?: () => { freeBytes: number; minFreeBytes: number };
}

/** What the store-write probe's failure says, without anything a row held: the driver's code and first line. */
function storeFailure(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  // A driver's error class name repeated in its message ("SqliteError: database or disk is full") says nothing the code does not.
  const message = (err instanceof Error ? err.message.split('\n')[0]! : String(err)).replace(/^\w*Error: /, '').slice(0, 200);
  return typeof code === 'string' ? `${code}: ${message}` : message;
}

/** Whether the request carries the metrics token (compared in constant time); true when none is configured. */
function hasMetricsToken(req: Request, token: string | undefined): boolean {
  if (token === undefined) return true;
  const given = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1] ?? '';
  const digest = (s: string) => crypto.createHash('sha256').update(s).digest();
  return crypto.timingSafeEqual(digest(given), digest(token));
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
        summary: 'Whether the API can reach Temporal and write its store, and whether the disk has room',
        description:
          'With KOERS_METRICS_TOKEN set, only a caller with that bearer token gets the details (`temporal`, `apiKeys`, `store`, `disk`); anyone gets the status code. 503 when Temporal cannot be reached or the store takes no write (a full disk); `status: "degraded"` when free space under KOERS_DATA_DIR is below KOERS_MIN_FREE_DISK_MB.',
        tags: ['meta'],
        responses: {
          200: { description: 'Healthy', schema: Health },
          503: { description: 'Temporal unreachable (`temporal: "unreachable"`) or the store takes no write (`store: "write-failing"`, `storeError`), beside the problem members', contentType: 'application/problem+json' },
        },
      },
      async ({ req }) => {
        const details = hasMetricsToken(req, deps.metricsToken);
        // A health check answers quickly: no retrying an unreachable server for long.
        const reachable = await deps.client
          .withDeadline(Date.now() + 2000, () => deps.client.connection.workflowService.getSystemInfo({}))
          .then(() => true)
          .catch(() => false);
        const apiKeys = deps.keysCurrent === undefined ? {} : { apiKeys: deps.keysCurrent() ? ('current' as const) : ('stale' as const) };
        const storeError = deps.probeStoreWrite
          ? await deps.probeStoreWrite().then(
              () => undefined,
              (err: unknown) => storeFailure(err),
            )
          : undefined;
        const store = deps.probeStoreWrite ? { store: storeError === undefined ? ('writable' as const) : ('write-failing' as const) } : {};
        const space = deps.diskSpace?.();
        const low = space !== undefined && space.freeBytes < space.minFreeBytes;
        const disk = space ? { disk: low ? ('low' as const) : ('ok' as const), diskFreeMb: Math.floor(space.freeBytes / 2 ** 20) } : {};
        if (reachable && storeError === undefined) {
          const status = low ? ('degraded' as const) : ('ok' as const);
          return { status: 200, body: details ? { status, temporal: 'reachable' as const, ...apiKeys, ...store, ...disk } : { status } };
        }
        const problem = details
          ? {
              detail: !reachable ? 'Temporal cannot be reached.' : 'The store takes no write (is the disk full?).',
              temporal: reachable ? 'reachable' : 'unreachable',
              ...store,
              ...(storeError !== undefined ? { storeError } : {}),
              ...disk,
            }
          : { detail: 'Not ready.' };
        return { status: 503, body: { type: 'about:blank', title: 'Service unavailable', status: 503, ...problem }, headers: { 'Retry-After': String(DEFAULT_RETRY_AFTER_SECONDS) } };
      },
    ),
    route(
      {
        method: 'get',
        path: '/metrics',
        operationId: 'getMetrics',
        summary: 'Prometheus metrics: HTTP, Temporal client, process',
        description: 'With KOERS_METRICS_TOKEN set, only for `Authorization: Bearer <that token>` (401 otherwise).',
        tags: ['meta'],
        responses: { 200: { description: 'Prometheus text exposition format', contentType: 'text/plain' } },
      },
      async ({ req, res }) => {
        if (!hasMetricsToken(req, deps.metricsToken)) throw new Problem(401, 'Unauthorized', 'The metrics need the metrics token as a bearer token.');
        const own = await deps.metrics.registry.metrics();
        const extra = deps.extraMetrics ? await deps.extraMetrics().catch(() => '') : '';
        res.type(deps.metrics.registry.contentType);
        return { status: 200, body: extra ? `${own}\n${extra}` : own };
      },
    ),
  ];
}
