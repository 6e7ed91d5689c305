/**
 * Downloads of the lists and the dashboard, the one way: each page's download route builds the API
 * query from the request with the same function the page reads its list with (so a download can never
 * ignore a filter the page applies), asks the API's export operation (api/export.ts) with the signed-in
 * user's key and streams its answer through (`streamDownload`), so the rows, fields and roles are the
 * API's and a large download never sits in memory here. A list whose question may hold personal data (a
 * search, the processing log) is downloaded by a POST form (`exportButton`): the question stays out of URLs.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { html, type Html } from '../html';
import { csrfField, href, type PageContext } from '../layout';
import type { Web, WebRoute } from '../app';

/**
 * The download link of a list or the dashboard: `path` (e.g. `/exports/journeys.csv`) with the filters
 * the page shows, as the page has them in its own URL.
 */
export function exportLink(ctx: PageContext, path: string, filters: Record<string, string | undefined>, label = ctx.t('export.csv')): Html {
  const given = Object.entries(filters).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '');
  const query = given.length ? `?${new URLSearchParams(given)}` : '';
  return html`<p class="utrecht-paragraph koers-export"><a class="utrecht-link" id="${downloadId(path)}" href="${href(path)}${query}" download>${label}</a></p>`;
}

/** The download of a list asked by a form (`fields` the question, sent again as hidden fields of a POST to `path`). */
export function exportButton(ctx: PageContext, path: string, fields: Record<string, string | readonly string[] | undefined>, label = ctx.t('export.csv')): Html {
  const hidden = Object.entries(fields).flatMap(([name, value]) => (value === undefined ? [] : typeof value === 'string' ? [[name, value]] : value.map((v) => [name, v])));
  return html`<form method="post" action="${href(path)}" class="koers-export">${csrfField(ctx)}${hidden.map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
    <button type="submit" class="utrecht-button utrecht-button--secondary-action" id="${downloadId(path)}">${label}</button></form>`;
}

/** `/exports/journeys.csv` → `export-journeys`, `/exports/dashboard.xlsx` → `export-dashboard-xlsx`, `/search/export.csv` → `export-search`. */
const downloadId = (path: string) => `export-${path.replace(/^\/(exports\/)?/, '').replace(/(\/export)?\.csv$/, '').replace(/[./]/g, '-')}`;

/**
 * Streams the API's answer to `apiPath` (a GET; with `body`, a POST of JSON) to the browser as the
 * attachment the API names: its media type and file name pass through. Asked with `lang` the page's
 * language: a download from the web app is for people (headings and words as the page shows them, local
 * times; api/export.ts `ExportLang`), never the machine CSV. A refusal (403, 400) is thrown before
 * anything is sent, so the browser gets the app's error page in its language.
 */
export async function streamDownload(web: Web, apiPath: string, body?: unknown): Promise<void> {
  const [path, query] = apiPath.split('?', 2) as [string, string | undefined];
  const params = new URLSearchParams(query);
  params.set('lang', web.ctx.lang);
  const answer = await web.api.stream(withQuery(path, params), body);
  web.res.status(200);
  web.res.setHeader('Content-Type', answer.headers.get('content-type') ?? 'application/octet-stream');
  const disposition = answer.headers.get('content-disposition');
  if (disposition) web.res.setHeader('Content-Disposition', disposition);
  await pipeline(Readable.fromWeb(answer.body as WebReadableStream<Uint8Array>), web.res);
}

/** A GET download route: `apiPath` from the request, by the page's own query builder. */
export const downloadRoute = (path: string, apiPath: (web: Web) => string): WebRoute => ({ method: 'get', path, handler: (web) => streamDownload(web, apiPath(web)) });

/** `path?query`, without a `?` when the query is empty. */
export const withQuery = (path: string, query: URLSearchParams | Record<string, string>): string => {
  const text = String(query instanceof URLSearchParams ? query : new URLSearchParams(query));
  return text ? `${path}?${text}` : path;
};
