/**
 * Downloads of the lists and the dashboard as CSV: each passes the page's filters to the API's export
 * operation (api/export.ts) with the signed-in user's key and streams its answer through, so the rows,
 * fields and roles are the API's and a large download never sits in memory here.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { html, type Html } from '../html';
import { href, type PageContext } from '../layout';
import type { Web, WebRoute } from '../app';

/** Per download: the API's export operation and the page filters it takes (page name → API name). */
const EXPORTS = {
  'journeys.csv': { api: '/v1/journeys/export', params: { municipality: 'municipality', phase: 'phase', regime: 'regime', overdue: 'overdue', nextFinalDateBefore: 'nextFinalDateBefore' } },
  'tasks-mine.csv': { api: '/v1/tasks/mine/export', params: { kind: 'kind', status: 'status', dueBefore: 'dueBefore', journey: 'journeyId' } },
  'tasks-team.csv': { api: '/v1/tasks/team/export', params: { kind: 'kind', status: 'status', dueBefore: 'dueBefore', journey: 'journeyId' } },
  'dashboard.csv': { api: '/v1/statistics/export', params: { municipality: 'municipality', regime: 'regime' } },
} as const satisfies Record<string, { api: string; params: Record<string, string> }>;
type ExportName = keyof typeof EXPORTS;

/** The download link of a list or the dashboard, with the filters the page shows (`YYYY-MM-DD` dates, as the page has them). */
export function exportLink(ctx: PageContext, name: ExportName, filters: Record<string, string | undefined>, label = ctx.t('export.csv')): Html {
  const given = Object.entries(filters).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '');
  const query = given.length ? `?${new URLSearchParams(given)}` : '';
  return html`<p class="utrecht-paragraph koers-export"><a class="utrecht-link" id="export-${name.replace('.csv', '')}" href="${href(`/exports/${name}`)}${query}" download>${label}</a></p>`;
}

async function download(web: Web, name: ExportName): Promise<void> {
  const { req, res, api } = web;
  const spec = EXPORTS[name];
  const query = new URLSearchParams();
  for (const [page, param] of Object.entries(spec.params)) {
    const value = req.query[page];
    if (typeof value === 'string' && value !== '') query.set(param, value);
  }
  const answer = await api.stream(`${spec.api}${query.size ? `?${query}` : ''}`);
  res.status(200);
  res.setHeader('Content-Type', answer.headers.get('content-type') ?? 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', answer.headers.get('content-disposition') ?? `attachment; filename="${name}"`);
  await pipeline(Readable.fromWeb(answer.body as WebReadableStream<Uint8Array>), res);
}

export function exportRoutes(): WebRoute[] {
  return [
    { method: 'get', path: '/exports/journeys.csv', handler: (web) => download(web, 'journeys.csv') },
    { method: 'get', path: '/exports/tasks-mine.csv', handler: (web) => download(web, 'tasks-mine.csv') },
    { method: 'get', path: '/exports/tasks-team.csv', handler: (web) => download(web, 'tasks-team.csv') },
    { method: 'get', path: '/exports/dashboard.csv', handler: (web) => download(web, 'dashboard.csv') },
  ];
}
