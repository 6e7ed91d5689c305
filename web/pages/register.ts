/**
 * Register a person: the form of `POST /v1/journeys` (municipality, the municipality's reference, BSN,
 * name, birth and permit dates, regime), limited to the municipalities the signed-in key may work in.
 * A person who already has a journey in that municipality (the same reference, or the same BSN) is
 * not registered again: the API's 409 names the journey, and the page links to it.
 */
import { latestPolicies } from '../../domain/policies';
import { CreateJourneyRequestDoc } from '../../api/schemas';
import type { FieldError } from '../api-client';
import type { Web, WebRoute } from '../app';
import { fields, formValues, objectSchema } from '../forms';
import { html } from '../html';
import { alert, csrfField, href, page } from '../layout';
import { fieldErrorsShown } from '../problems';
import type { Principal } from '../../api/auth';

/** The municipalities a key may register people in (every one the service has a policy for, for an admin). */
export function municipalitiesOf(principal: Principal): string[] {
  const all = latestPolicies().map((p) => p.id).sort();
  return principal.role === 'admin' ? all : all.filter((m) => principal.municipalities.includes(m));
}

/** The order a caseworker fills the form in, from the letter or the BRP extract in front of them. */
const ORDER = ['municipality', 'personRef', 'bsn', 'name', 'birthDate', 'permitGrantedOn', 'regime'];

function registerSchema(principal: Principal) {
  const schema = objectSchema(CreateJourneyRequestDoc);
  const properties: typeof schema.properties = {};
  const names = [...ORDER.filter((n) => n in schema.properties), ...Object.keys(schema.properties).filter((n) => !ORDER.includes(n))];
  for (const name of names) properties[name] = schema.properties[name]!;
  properties.municipality = { ...properties.municipality, enum: municipalitiesOf(principal) };
  return { properties, required: schema.required ?? [] };
}

interface RegisterState {
  values?: Record<string, unknown>;
  errors?: FieldError[];
  message?: string;
  /** The journey this person already has (a 409). */
  existing?: string;
}

async function registerPage(web: Web, state: RegisterState = {}): Promise<void> {
  const { res, ctx, session } = web;
  const t = ctx.t;
  const schema = registerSchema(session.principal);
  const only = schema.properties.municipality?.enum?.length === 1 ? schema.properties.municipality.enum[0] : undefined;
  const values = state.values ?? (only ? { municipality: only } : {});
  const status = state.existing ? 409 : state.message ? 422 : 200;
  res.status(status).type('html').send(
    page(
      { ...ctx, section: 'register' },
      t('register.title'),
      html`<h1 class="utrecht-heading-1">${t('register.title')}</h1>
      <p class="utrecht-paragraph">${t('register.intro')}</p>
      ${state.existing
        ? html`<div class="utrecht-alert utrecht-alert--warning" role="alert" id="duplicate"><div class="utrecht-alert__message"><p class="utrecht-paragraph">${t('register.duplicate')}
            <a class="utrecht-link" href="${href(`/journeys/${state.existing}`)}">${t('register.openExisting')}</a></p></div></div>`
        : state.message
          ? alert('error', state.message)
          : ''}
      <form method="post" action="${href('/register')}" class="koers-card" style="max-width:40rem" novalidate>${csrfField(ctx)}
        ${fields(t, schema, { idPrefix: 'register', values, errors: state.errors ?? [] })}
        <button type="submit" class="utrecht-button utrecht-button--primary-action">${t('register.submit')}</button>
      </form>`,
    ),
  );
}

async function register(web: Web): Promise<void> {
  const { req, res, api, session } = web;
  const body = formValues(registerSchema(session.principal), req.body ?? {});
  // The BSN as the person gives it: with spaces or dots between the digits.
  if (typeof body.bsn === 'string') body.bsn = body.bsn.replace(/[\s.]/g, '');
  if (typeof body.personRef === 'string') body.personRef = body.personRef.trim();
  const answer = await api.post<{ journeyId: string }>('/v1/journeys', body);
  if (answer.ok) return void res.redirect(303, `${href(`/journeys/${answer.body.journeyId}`)}?done=registered`);
  const values = Object.fromEntries(Object.entries(req.body ?? {}).filter(([k]) => k !== '_csrf'));
  const existing = (answer.problem as { journeyId?: unknown }).journeyId;
  if (answer.status === 409 && typeof existing === 'string') return registerPage(web, { values, existing });
  // The API's refusal in the page's language, field by field (problems.ts).
  await registerPage(web, { values, errors: fieldErrorsShown(web.ctx.t, web.ctx.lang, answer.problem.errors), message: web.ctx.t('register.refused') });
}

export function registerRoutes(): WebRoute[] {
  return [
    { method: 'get', path: '/register', handler: (web) => registerPage(web) },
    { method: 'post', path: '/register', handler: register },
  ];
}
