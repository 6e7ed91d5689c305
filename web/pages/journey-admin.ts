/**
 * An administrator's actions on a journey page: correct the permit and birth dates, move the journey
 * to another municipality (with its reason), set the caseworker, erase the personal data (on a ground
 * of AVG art. 17 lid 1), and a link to the municipality's policy with its amendments. Each goes through
 * the API's own operation with the signed-in key; a refusal is shown on the journey page in words.
 */
import { CASEWORKER_ROLES } from '../../domain/vocabulary';
import { AssignCaseworkerBody, ERASURE_GROUNDS, MoveJourneyBody } from '../../api/schemas';
import type { ApiAnswer, FieldError } from '../api-client';
import type { Web } from '../app';
import { fields, formValues, objectSchema, type ObjectSchema } from '../forms';
import { html, type Html } from '../html';
import { mayOpen } from '../../identity/permissions';
import { csrfField, href } from '../layout';
import type { PersonView } from '../person';
import { municipalitiesOf } from './register';

/** The admin forms on the journey page, each named by its path segment. */
export const ADMIN_ACTIONS = ['dates', 'move', 'caseworker', 'erase'] as const;
export type AdminAction = (typeof ADMIN_ACTIONS)[number];

interface ActionFormState {
  command?: string;
  values?: Record<string, unknown>;
  errors?: FieldError[];
}

const DatesSchema: ObjectSchema = {
  properties: { permitGrantedOn: { type: 'string', format: 'date' }, birthDate: { type: 'string', format: 'date' }, reason: { type: 'string', maxLength: 500 } },
  required: ['reason'],
};

/** A colleague as `GET /v1/staff` answers (the staff directory). */
export interface ColleagueView {
  id: string;
  name: string;
  role: string;
  municipalities: string[];
}

function schemaOf(action: AdminAction, web: Web, municipality: string, colleagues: readonly ColleagueView[] = []): ObjectSchema {
  switch (action) {
    case 'dates':
      return DatesSchema;
    case 'move': {
      const schema = objectSchema(MoveJourneyBody);
      const others = municipalitiesOf(web.session.principal).filter((m) => m !== municipality);
      return { ...schema, properties: { ...schema.properties, municipality: { ...schema.properties.municipality, enum: others } } };
    }
    case 'caseworker': {
      // The caseworker is a colleague of the journey's municipality chosen by name, never a typed staff id.
      const schema = objectSchema(AssignCaseworkerBody);
      const serving = colleagues.filter((c) => c.role === 'admin' || c.municipalities.includes(municipality));
      return {
        ...schema,
        properties: {
          ...schema.properties,
          role: { ...schema.properties.role, enum: [...CASEWORKER_ROLES] },
          id: { ...schema.properties.id, enum: serving.map((c) => c.id), labels: Object.fromEntries(serving.map((c) => [c.id, c.name])) },
        },
      };
    }
    case 'erase':
      return { properties: { ground: { type: 'string', enum: [...ERASURE_GROUNDS] } }, required: ['ground'] };
  }
}

/** The actions the signed-in role may take here (identity/permissions.ts `PAGES`). */
export const adminActionsFor = (web: Web): AdminAction[] => ADMIN_ACTIONS.filter((action) => mayOpen(web.session.principal, 'post', `/journeys/:journeyId/${action}`));

/** The administrator's card: one disclosure per action the role may take, open when it was just refused. */
export function adminCard(
  web: Web,
  journey: { journeyId: string; municipality: string; policy?: { id: string; version: number } },
  person: PersonView,
  state: ActionFormState,
  colleagues: readonly ColleagueView[] = [],
): Html {
  const { t } = web.ctx;
  const form = (action: AdminAction, defaults: Record<string, unknown>, danger = false) => {
    const active = state.command === action;
    return html`<details class="koers-details"${active ? html` open` : ''} id="admin-${action}"><summary>${t(`admin.action.${action}`)}</summary>
      <form method="post" action="${href(`/journeys/${journey.journeyId}/${action}`)}" novalidate>${csrfField(web.ctx)}
      ${action === 'erase' ? html`<p class="utrecht-paragraph">${t('admin.eraseWarning')}</p>` : ''}
      ${fields(t, schemaOf(action, web, journey.municipality, colleagues), { idPrefix: `admin-${action}`, values: active ? state.values : defaults, errors: active ? state.errors : [] })}
      <button type="submit" class="utrecht-button utrecht-button--${danger ? 'primary-action koers-danger' : 'primary-action'}">${t(`admin.action.${action}`)}</button></form></details>`;
  };
  const allowed = adminActionsFor(web);
  if (allowed.length === 0) return html``;
  const defaults: Record<AdminAction, Record<string, unknown>> = {
    dates: { ...(person.permitGrantedOn ? { permitGrantedOn: person.permitGrantedOn } : {}), ...(person.birthDate ? { birthDate: person.birthDate } : {}) },
    move: {},
    caseworker: {},
    erase: {},
  };
  return html`<section class="koers-card koers-actions" aria-labelledby="admin-actions-title"><h2 class="utrecht-heading-2" id="admin-actions-title">${t('admin.actions')}</h2>
    ${allowed.map((action) => form(action, defaults[action], action === 'erase'))}
  </section>`;
}

/**
 * Sends an admin action to the API. The dates are corrected as the contract's correction of the
 * journey's start facts (`POST /v1/journeys/{id}/person-corrections`, contract v1.2); the others are the API's own operations.
 */
export function sendAdminAction(web: Web, action: AdminAction, journeyId: string, municipality: string): Promise<ApiAnswer<unknown>> {
  const body = formValues(schemaOf(action, web, municipality), web.req.body ?? {});
  switch (action) {
    case 'dates':
      return web.api.post(`/v1/journeys/${journeyId}/person-corrections`, body);
    case 'move':
      return web.api.post(`/v1/journeys/${journeyId}/move`, body);
    case 'caseworker':
      return web.api.put(`/v1/journeys/${journeyId}/caseworker`, body);
    case 'erase':
      return web.api.post(`/v1/journeys/${journeyId}/erasure`, body);
  }
}
