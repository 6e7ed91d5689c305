/**
 * Register a person: the form of `POST /v1/journeys` (municipality, the municipality's reference, BSN,
 * name, birth and permit dates, regime), limited to the municipalities the signed-in key may work in.
 * A person who already has a journey in that municipality (the same reference, or the same BSN) is
 * not registered again: the API's 409 names the journey, and the page links to it.
 */
import { latestPolicies } from '../../domain/policies';
import { CreateJourneyRequestDoc } from '../../api/schemas';
import type { FieldError } from '../api-client';
import { problemShown } from '../problems';
import type { Web, WebRoute } from '../app';
import { fields, formValues, objectSchema } from '../forms';
import { html, type Html } from '../html';
import { formatDate, municipalityName } from '../format';
import { alert, csrfField, href, page } from '../layout';
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
  /** The journey this person already has (a 409), and on what it matched (`bsn`, `personRef`). */
  existing?: string;
  matchedOn?: string[];
  /** Issue 23: what the BRP offers for this BSN, for the user to take over (or not). */
  brp?: BrpLookupView;
  /** The form's birth date and municipality were taken over from the BRP (the user still checks and submits). */
  fromBrp?: boolean;
}

/** The API's BrpLookupResult (api/schemas.ts): dates YYYY-MM-DD, `text` the BRP's own words for an incomplete date. */
interface BrpLookupView {
  birth?: { date?: string; text?: string };
  registeredIn?: { code: string; name?: string; municipality?: string };
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
            ${(state.matchedOn ?? []).map((m) => t(`register.matchedOn.${m}`)).join(' ')}
            <a class="utrecht-link" href="${href(`/journeys/${state.existing}`)}">${t('register.openExisting')}</a></p></div></div>`
        : state.message
          ? alert('error', state.message)
          : ''}
      ${state.brp ? brpOffer(web, values, state.brp) : ''}
      ${state.fromBrp ? alert('info', t('register.brp.taken')) : ''}
      <form method="post" action="${href('/register')}" class="koers-card" style="max-width:40rem" novalidate>${csrfField(ctx)}
        ${fields(t, schema, { idPrefix: 'register', values, errors: state.errors ?? [] })}
        <button type="submit" class="utrecht-button utrecht-button--primary-action">${t('register.submit')}</button>
        ${offersBrp(web, schema.properties.municipality?.enum)
          ? html`<button type="submit" id="brp-lookup" formaction="${href('/register/brp')}" class="utrecht-button utrecht-button--secondary-action">${t('register.brp.lookup')}</button>
            <p class="utrecht-paragraph koers-hint">${t('register.brp.hint')}</p>`
          : ''}
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
  const conflict = answer.problem as { journeyId?: unknown; matchedOn?: unknown };
  if (answer.status === 409 && typeof conflict.journeyId === 'string') {
    const matchedOn = ([] as unknown[]).concat(conflict.matchedOn ?? []).filter((m): m is string => m === 'bsn' || m === 'personRef');
    return registerPage(web, { values, existing: conflict.journeyId, matchedOn });
  }
  const shown = problemShown(web.ctx.t, web.ctx.lang, answer.problem);
  await registerPage(web, { values, errors: shown.errors, message: shown.errors.length > 0 ? web.ctx.t('register.refused') : shown.message });
}

/** Whether any municipality the form offers has a BRP connection in this deployment. */
function offersBrp(web: Web, municipalities: unknown[] | undefined): boolean {
  return (municipalities ?? []).some((m) => typeof m === 'string' && web.brpMunicipalities.includes(m));
}

/**
 * What the BRP offers for the BSN, with a button to take it over into the form: the user sees the values
 * first and decides (a prefill they confirm), and submits the registration themselves afterwards.
 */
function brpOffer(web: Web, values: Record<string, unknown>, offer: BrpLookupView): Html {
  const { t, lang } = web.ctx;
  const birth = offer.birth;
  const there = offer.registeredIn;
  const takeable = birth?.date !== undefined || there?.municipality !== undefined;
  const carried = Object.entries(values).filter(([k, v]) => typeof v === 'string' && !k.startsWith('_') && !k.startsWith('brp'));
  return html`<section class="koers-card" id="brp-prefill" aria-labelledby="brp-prefill-title" style="max-width:40rem">
    <h2 class="utrecht-heading-2" id="brp-prefill-title">${t('register.brp.found')}</h2>
    <dl class="koers-facts">
      <dt>${t('person.birthDate')}</dt><dd data-brp="birthDate">${birth?.date ? formatDate(lang, birth.date) : birth?.text ? t('register.brp.incompleteDate', { text: birth.text }) : '—'}</dd>
      <dt>${t('register.brp.registeredIn')}</dt><dd data-brp="registeredIn">${there ? `${there.municipality ? municipalityName(there.municipality) : (there.name ?? '')} (${there.code})` : '—'}${there && !there.municipality ? html` <span class="koers-hint">${t('register.brp.notServed')}</span>` : ''}</dd>
    </dl>
    ${takeable
      ? html`<form method="post" action="${href('/register/brp')}" novalidate>${csrfField(web.ctx)}
        ${carried.map(([k, v]) => html`<input type="hidden" name="${k}" value="${String(v)}">`)}
        <input type="hidden" name="_accept" value="1">
        ${birth?.date ? html`<input type="hidden" name="brpBirthDate" value="${birth.date}">` : ''}
        ${there?.municipality ? html`<input type="hidden" name="brpMunicipality" value="${there.municipality}">` : ''}
        <button type="submit" id="brp-accept" class="utrecht-button utrecht-button--primary-action">${t('register.brp.accept')}</button>
      </form>`
      : ''}
  </section>`;
}

/**
 * The register form's BRP button: asks the API's lookup (POST /v1/persons/brp-lookup) for the BSN typed,
 * and shows what the BRP offers; with `_accept` it takes the offered values into the form (nothing asked
 * again, nothing registered: the user checks and submits).
 */
async function brpLookup(web: Web): Promise<void> {
  const { req, api, session, ctx } = web;
  const raw = (req.body ?? {}) as Record<string, unknown>;
  const values = Object.fromEntries(Object.entries(raw).filter(([k]) => k !== '_csrf' && k !== '_accept' && !k.startsWith('brp')));
  if (raw._accept === '1') {
    const allowed = registerSchema(session.principal).properties.municipality?.enum ?? [];
    if (typeof raw.brpBirthDate === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(raw.brpBirthDate)) values.birthDate = raw.brpBirthDate;
    if (typeof raw.brpMunicipality === 'string' && allowed.includes(raw.brpMunicipality)) values.municipality = raw.brpMunicipality;
    return registerPage(web, { values, fromBrp: true });
  }
  const bsn = typeof raw.bsn === 'string' ? raw.bsn.replace(/[\s.]/g, '') : '';
  const answer = await api.post<BrpLookupView>('/v1/persons/brp-lookup', { municipality: raw.municipality, bsn });
  if (answer.ok) return registerPage(web, { values, brp: answer.body });
  const shown = problemShown(ctx.t, ctx.lang, answer.problem);
  await registerPage(web, { values, errors: shown.errors, message: shown.errors.length > 0 ? ctx.t('register.brp.refused') : shown.message });
}

export function registerRoutes(): WebRoute[] {
  return [
    { method: 'get', path: '/register', handler: (web) => registerPage(web) },
    { method: 'post', path: '/register', handler: register },
    { method: 'post', path: '/register/brp', handler: brpLookup },
  ];
}
