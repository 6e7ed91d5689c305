/**
 * Who the person of a journey is, as the pages show it: the municipality's own reference, the name
 * where known, birth and permit dates, and the BSN, which is shown only when asked for (a button, so
 * it is not on the screen, in the page's HTML or in a screenshot until someone needs it).
 */
import { formatDate } from './format';
import { html, type Html } from './html';
import { csrfField, href, type PageContext } from './layout';
import type { Web } from './app';

/**
 * The person's facts as the API answers them on a journey or a list row (admins and caseworkers):
 * `personRef` and `name` where the API has them (sealed, revealed on read), dates `YYYY-MM-DD`.
 */
export interface PersonView {
  personRef?: string;
  name?: string;
  /** Where the name comes from (issue 23): the BRP, fetched for this view, or the registration. */
  nameSource?: 'brp' | 'registration';
  birthDate?: string;
  permitGrantedOn?: string;
  bsn?: string;
}

/**
 * The person of a journey or list row: the API's `person` object, else the same fields at the top;
 * the dates fall back to the facts the clocks are computed from (`milestones`), which every journey has.
 */
export function personOf(row: Record<string, unknown>): PersonView {
  const nested = (typeof row.person === 'object' && row.person !== null ? row.person : {}) as Record<string, unknown>;
  const facts = (typeof row.milestones === 'object' && row.milestones !== null ? row.milestones : {}) as Record<string, unknown>;
  const pick = (name: keyof PersonView, ...from: Array<Record<string, unknown>>): string | undefined => {
    for (const source of from) if (typeof source[name] === 'string' && source[name] !== '') return source[name];
    return undefined;
  };
  const person: PersonView = {};
  const personRef = pick('personRef', nested, row);
  const name = pick('name', nested, row);
  const birthDate = pick('birthDate', nested, row, facts);
  const permitGrantedOn = pick('permitGrantedOn', nested, row, facts);
  const bsn = pick('bsn', nested, row);
  if (personRef) person.personRef = personRef;
  if (name) person.name = name;
  const nameSource = pick('nameSource' as keyof PersonView, nested, row);
  if (name && (nameSource === 'brp' || nameSource === 'registration')) person.nameSource = nameSource;
  if (birthDate) person.birthDate = birthDate;
  if (permitGrantedOn) person.permitGrantedOn = permitGrantedOn;
  if (bsn) person.bsn = bsn;
  return person;
}

/** A short label for a person in a heading or a link: the name, else the reference, else the id's start. */
export function personLabel(person: PersonView, journeyId: string): string {
  return person.name ?? person.personRef ?? `${journeyId.slice(0, 12)}…`;
}

/**
 * The person as definition-list entries (for the journey's summary). The BSN, when the API gave one
 * to this role, is behind a "show" button that posts back (`/journeys/{id}/bsn`): only that answer
 * carries it.
 */
export function personFacts(ctx: PageContext, journeyId: string, person: PersonView, options: { showBsn: boolean }): Html {
  const { t } = ctx;
  return html`<dt>${t('person.personRef')}</dt><dd data-person="personRef">${person.personRef ?? '—'}</dd>
    <dt>${t('person.name')}</dt><dd data-person="name"${person.nameSource ? html` data-name-source="${person.nameSource}"` : ''}>${person.name ?? t('person.nameUnknown')}${person.nameSource === 'brp' ? html` <span class="koers-hint">(${t('person.nameFromBrp')})</span>` : ''}</dd>
    <dt>${t('person.birthDate')}</dt><dd data-person="birthDate">${person.birthDate ? formatDate(ctx.lang, person.birthDate) : '—'}</dd>
    <dt>${t('person.permitGrantedOn')}</dt><dd data-person="permitGrantedOn">${person.permitGrantedOn ? formatDate(ctx.lang, person.permitGrantedOn) : '—'}</dd>
    <dt>${t('person.bsn')}</dt><dd data-person="bsn">${
      !person.bsn
        ? t('person.bsnNone')
        : options.showBsn
          ? html`<span id="bsn-value">${person.bsn}</span>`
          : html`<form method="post" action="${href(`/journeys/${journeyId}/bsn`)}" class="koers-inline">${csrfField(ctx)}<button type="submit" class="utrecht-button utrecht-button--subtle">${t('person.showBsn')}</button></form>`
    }</dd>`;
}

/** The person's header cells for a list of journeys (reference, name, birth date, permit date). */
export function personHeaderCells(ctx: PageContext): Html {
  const { t } = ctx;
  return html`<th class="utrecht-table__header-cell" scope="col">${t('person.personRef')}</th>
    <th class="utrecht-table__header-cell" scope="col">${t('person.name')}</th>
    <th class="utrecht-table__header-cell" scope="col">${t('person.birthDate')}</th>
    <th class="utrecht-table__header-cell" scope="col">${t('person.permitGrantedOn')}</th>`;
}

/** The person's cells in a list row; the first links to the journey. */
export function personCells(ctx: PageContext, journeyId: string, person: PersonView): Html {
  return html`<td class="utrecht-table__cell"><a class="utrecht-link" href="${href(`/journeys/${journeyId}`)}">${person.personRef ?? `${journeyId.slice(0, 12)}…`}</a></td>
    <td class="utrecht-table__cell">${person.name ?? '—'}</td>
    <td class="utrecht-table__cell">${person.birthDate ? formatDate(ctx.lang, person.birthDate, 'short') : '—'}</td>
    <td class="utrecht-table__cell">${person.permitGrantedOn ? formatDate(ctx.lang, person.permitGrantedOn, 'short') : '—'}</td>`;
}

/** How many journeys' persons one list page looks up (the rows beyond show the journey's short id): one request's worth (api/schemas.ts PERSONS_PER_REQUEST). */
const PERSONS_PER_PAGE = 100;

/**
 * The persons of a list's journeys (POST /v1/journeys/persons, which logs each reading), in one
 * request, by journey id. A journey the role may not see the person of is left out (its row shows the
 * journey's short id); so are all of them when the lookup fails (the list is still drawn).
 */
export async function personsOf(web: Web, journeyIds: readonly string[]): Promise<Map<string, PersonView>> {
  const ids = [...new Set(journeyIds)].slice(0, PERSONS_PER_PAGE);
  const persons = new Map<string, PersonView>();
  if (ids.length === 0) return persons;
  const answer = await web.api.post<{ persons: Array<Record<string, unknown> & { journeyId: string }> }>('/v1/journeys/persons', { journeyIds: ids });
  if (answer.ok) for (const person of answer.body.persons) persons.set(person.journeyId, personOf(person));
  return persons;
}
