/**
 * Find a person again: one box for the municipality's reference, the BSN or the name, across the
 * municipalities the signed-in key may see (every role that may read journeys). The query travels in
 * a POST body to the API, never in a URL (it may be a BSN or a name), and the results list the person.
 */
import type { Web, WebRoute } from '../app';
import { journeyStateText, municipalityName } from '../format';
import { html, type Html } from '../html';
import { alert, csrfField, href, page, type PageContext } from '../layout';
import { personCells, personHeaderCells, personOf } from '../person';
import { municipalitiesOf } from './register';
import { exportButton, streamDownload } from './exports';

/** A row of the results: the journey and its person (API `JourneySearchResult`). */
interface Found {
  journeyId: string;
  municipality?: string;
  phase?: string;
  regime?: string;
  status?: string;
  ended?: { reason: string; on?: string };
  [field: string]: unknown;
}

/**
 * The API's search (`POST /v1/journeys/search`, contract v1.2). Where that is not there, a reference
 * is looked up in each municipality the key may see (`POST /v1/journeys/lookup`).
 */
async function search(web: Web, query: string): Promise<Found[]> {
  const answer = await web.api.post<{ journeys: Found[] }>('/v1/journeys/search', { q: query });
  if (answer.ok) return answer.body.journeys;
  if (answer.status !== 404 && answer.status !== 405) return [];
  const personRef = query.trim();
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(personRef)) return [];
  const found: Found[] = [];
  for (const municipality of municipalitiesOf(web.session.principal)) {
    const hit = await web.api.post<{ journeyId: string }>('/v1/journeys/lookup', { municipality, personRef });
    if (!hit.ok) continue;
    const journey = await web.api.get<Record<string, unknown>>(`/v1/journeys/${hit.body.journeyId}`);
    found.push({ journeyId: hit.body.journeyId, municipality, personRef, ...(journey.ok ? journey.body : {}) });
  }
  return found;
}

/**
 * The one search box (reference, BSN or name; POST /app/search, so the query never lands in a URL),
 * on the search page and on the administrator's page alike: one search, not two that can disagree.
 */
export function searchForm(ctx: PageContext, query?: string): Html {
  const t = ctx.t;
  return html`<form method="post" action="${href('/search')}" class="koers-filters" role="search">${csrfField(ctx)}
        <div class="utrecht-form-field"><div class="utrecht-form-field__label"><label class="utrecht-form-label" for="search-query">${t('search.query')}</label></div>
          <div class="utrecht-form-field__description" id="search-hint">${t('search.hint')}</div>
          <div class="utrecht-form-field__input"><input class="utrecht-textbox utrecht-textbox--html-input" id="search-query" name="query" required maxlength="200" autocomplete="off" aria-describedby="search-hint" value="${query ?? ''}"></div></div>
        <button type="submit" class="utrecht-button utrecht-button--primary-action">${t('search.submit')}</button>
      </form>`;
}

async function searchPage(web: Web, asked?: { query: string; results: Found[] }): Promise<void> {
  const { res, ctx } = web;
  const t = ctx.t;
  let results: Html = html``;
  if (asked) {
    results =
      asked.results.length === 0
        ? // A reference is found whole only: the index keeps keyed hashes of whole references, no prefixes (trial finding 19; docs/web-app.md).
          alert('warning', /^[A-Za-z0-9_-]{1,64}$/.test(asked.query) && !/^\d{9}$/.test(asked.query) ? t('search.noneWholeRef') : t('search.none'))
        : html`<div class="koers-table-wrap"><table class="utrecht-table" id="results">
          <caption class="utrecht-table__caption"><span class="utrecht-heading-2">${t('search.results', { count: asked.results.length })}</span></caption>
          <thead class="utrecht-table__header"><tr class="utrecht-table__row">
            ${personHeaderCells(ctx)}
            <th class="utrecht-table__header-cell" scope="col">${t('journey.municipality')}</th>
            <th class="utrecht-table__header-cell" scope="col">${t('journey.phase')}</th>
            <th class="utrecht-table__header-cell" scope="col">${t('journey.runStatus')}</th>
          </tr></thead>
          <tbody class="utrecht-table__body">${asked.results.map(
            (r) => html`<tr class="utrecht-table__row" data-journey-id="${r.journeyId}">
              ${personCells(ctx, r.journeyId, personOf(r))}
              <td class="utrecht-table__cell">${r.municipality ? municipalityName(r.municipality) : '—'}</td>
              <td class="utrecht-table__cell">${r.phase ? t(`phase.${r.phase}`) : '—'}</td>
              <td class="utrecht-table__cell" data-state>${journeyStateText(t, r.status, r.ended)}</td></tr>`,
          )}</tbody></table></div>
          ${exportButton(ctx, '/search/export.csv', { query: asked.query })}`;
  }
  res.status(200).type('html').send(
    page(
      { ...ctx, section: 'search' },
      t('search.title'),
      html`<h1 class="utrecht-heading-1">${t('search.title')}</h1>
      ${searchForm(ctx, asked?.query)}
      ${results}`,
    ),
  );
}

/** The search box's query from a form's body (the page and its download ask the API with it). */
const queryOf = (body: Record<string, unknown> | undefined): string => (typeof body?.query === 'string' ? body.query.trim() : '');

async function runSearch(web: Web): Promise<void> {
  const query = queryOf(web.req.body as Record<string, unknown> | undefined);
  if (!query) return searchPage(web);
  const results = await search(web, query);
  // One hit: straight to the person's journey.
  if (results.length === 1) return void web.res.redirect(303, href(`/journeys/${results[0]!.journeyId}`));
  await searchPage(web, { query, results });
}

export function searchRoutes(): WebRoute[] {
  return [
    { method: 'get', path: '/search', handler: (web) => searchPage(web) },
    { method: 'post', path: '/search', handler: runSearch },
    // The results as CSV: the query again in the body, to the API's export of the same search.
    { method: 'post', path: '/search/export.csv', handler: (web) => streamDownload(web, '/v1/journeys/search/export', { q: queryOf(web.req.body as Record<string, unknown> | undefined) }) },
  ];
}
