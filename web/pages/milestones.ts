/**
 * Record a milestone from what arrived (a letter, DUO's portal, the BRP): a form per event type built
 * from the domain's event schemas (domain/events.ts), sent as a CloudEvent to the journey's own event
 * endpoint with the signed-in key, so the API decides who may report what (contract v1.2 "Staff report
 * milestones too") and the journey records it as reported by that person. A correction is a separate
 * action with a reason (`koerscorrection`, `koersreason`); a withdrawal is a correction with
 * `data.withdrawn: true`.
 */
import crypto from 'node:crypto';
import { eventDataSchema, isEventType, type EventType } from '../../domain/events';
import { reportableMilestones, type MilestoneReporting } from '../../domain/reporting';
import type { FieldError } from '../api-client';
import { ApiError } from '../api-client';
import type { Web, WebRoute } from '../app';
import { fields, formValues, objectSchema } from '../forms';
import { html, type Html } from '../html';
import { alert, csrfField, href, page } from '../layout';
import { personLabel, personOf } from '../person';
import { problemShown } from '../problems';
import { afterChange } from './journey';

/** Where a staff-reported fact came from: the document the caseworker has in front of them. */
export const DOCUMENTS = ['brief', 'duo-portaal', 'brp', 'mijn-inburgering', 'e-mail', 'gesprek', 'anders'] as const;

/** Milestones that can end (part of) a journey; reported wrongly, they are withdrawn rather than corrected. */
export const ENDING: readonly EventType[] = ['nl.koers.exemption.granted', 'nl.koers.exam.passed', 'nl.koers.diploma.recognised', 'nl.koers.bijstand.ended'];

/**
 * The CloudEvents source of a fact typed in the web app: staff, and the document it came from
 * (`urn:nl:koers:staff:brief`), so the timeline can say where it came from; the id is a fresh UUID.
 */
export const STAFF_SOURCE = 'urn:nl:koers:staff';
export const sourceFor = (document: string | undefined): string => (document ? `${STAFF_SOURCE}:${document}` : STAFF_SOURCE);

/** The document a staff-reported fact came from, read back from its source; undefined for a partner's. */
export function documentOf(source: string): string | undefined {
  const document = source.startsWith(`${STAFF_SOURCE}:`) ? source.slice(STAFF_SOURCE.length + 1) : undefined;
  return document && (DOCUMENTS as readonly string[]).includes(document) ? document : undefined;
}

export type Mode = 'report' | 'correct' | 'withdraw';
const MODES: readonly Mode[] = ['report', 'correct', 'withdraw'];

/** The form's fields: the type's data (its own fields, the date first) and where it came from; a reason for a correction. */
function milestoneSchema(type: EventType, mode: Mode) {
  const data = objectSchema(eventDataSchema(type));
  const properties: typeof data.properties = {};
  const required = new Set(data.required ?? []);
  if (mode === 'withdraw') {
    properties.occurredOn = data.properties.occurredOn!;
  } else {
    for (const [name, prop] of Object.entries(data.properties)) properties[name] = prop;
  }
  properties.document = { type: 'string', enum: [...DOCUMENTS] };
  // The letter's reference or a remark, sent as the `koersnote` extension attribute (trial finding 19).
  properties.note = { type: 'string', maxLength: 500 };
  if (mode !== 'report') {
    properties.reason = { type: 'string', maxLength: 500 };
    required.add('reason');
  }
  return { properties, required: [...required] };
}

const readMode = (value: unknown): Mode => (typeof value === 'string' && (MODES as readonly string[]).includes(value) ? (value as Mode) : 'report');
const readType = (value: unknown): EventType | undefined => (typeof value === 'string' && isEventType(value) ? value : undefined);

interface FormState {
  values?: Record<string, unknown>;
  errors?: FieldError[];
  message?: string;
}

/** The API names the event's fields `data.x`, `koersreason`…; the form names them `x`, `reason`. */
function formErrors(errors: FieldError[]): FieldError[] {
  const rename: Record<string, string> = { koersreason: 'reason', koersnote: 'note', source: 'document' };
  return errors.map((e) => ({ ...e, path: rename[e.path] ?? e.path.replace(/^data\./, '') }));
}

/**
 * The milestones the signed-in person may report (or correct) in the journey's municipality, per its
 * policy's `milestoneReporting` (domain/reporting.ts), what arrives by letter or portal first.
 */
async function reportable(web: Web, municipality: string, correction: boolean): Promise<EventType[]> {
  const found = await web.api.get<{ policy: { milestoneReporting?: MilestoneReporting } }>(`/v1/policies/${encodeURIComponent(municipality)}`);
  const role = web.session.principal.role === 'admin' ? 'admin' : 'caseworker';
  return reportableMilestones(found.ok ? found.body.policy.milestoneReporting : undefined, role, correction);
}

async function milestonePage(web: Web, state: FormState = {}): Promise<void> {
  const { req, res, ctx, api, today } = web;
  const t = ctx.t;
  const journeyId = String(req.params.journeyId);
  const journey = await api.read<Record<string, unknown>>(`/v1/journeys/${journeyId}`);
  const person = personOf(journey);
  const type = readType(req.body?.type ?? req.query.type);
  const mode = readMode(req.body?.mode ?? req.query.mode);
  const types = await reportable(web, String(journey.municipality ?? ''), mode !== 'report');
  const title = type ? t(`milestone.title.${mode}`, { event: t(`event.${type}`) }) : t('milestone.choose');
  const chooser: Html = html`<form method="get" action="${href(`/journeys/${journeyId}/milestones`)}" class="koers-filters">
      <div class="utrecht-form-field"><div class="utrecht-form-field__label"><label class="utrecht-form-label" for="milestone-type">${t('milestone.type')}</label></div>
      <div class="utrecht-form-field__input"><select class="utrecht-select utrecht-select--html-select" id="milestone-type" name="type" required>
        <option value="">${t('form.choose')}</option>
        ${types.map((e) => html`<option value="${e}"${e === type ? html` selected` : ''}>${t(`event.${e}`)}</option>`)}
      </select></div></div>
      <button type="submit" class="utrecht-button utrecht-button--secondary-action">${t('milestone.next')}</button>
    </form>`;
  const occurredOn = typeof req.query.occurredOn === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(req.query.occurredOn) ? req.query.occurredOn : today;
  const form = type
    ? html`<form method="post" action="${href(`/journeys/${journeyId}/milestones`)}" class="koers-card" style="max-width:40rem" novalidate>${csrfField(ctx)}
        <input type="hidden" name="type" value="${type}"><input type="hidden" name="mode" value="${mode}">
        ${mode === 'withdraw' ? html`<p class="utrecht-paragraph">${t('milestone.withdrawIntro')}</p>` : mode === 'correct' ? html`<p class="utrecht-paragraph">${t('milestone.correctIntro')}</p>` : ''}
        ${fields(t, milestoneSchema(type, mode), { idPrefix: 'milestone', values: state.values ?? { occurredOn, document: 'brief' }, errors: state.errors ?? [], hints: { note: t('milestone.noteHint') } })}
        <button type="submit" class="utrecht-button utrecht-button--primary-action">${t(`milestone.submit.${mode}`)}</button>
      </form>`
    : html``;
  res.status(state.message ? 422 : 200).type('html').send(
    page(
      { ...ctx, section: web.session.principal.role === 'admin' ? 'admin' : 'inbox' },
      title,
      html`<p class="utrecht-paragraph"><a class="utrecht-link" href="${href(`/journeys/${journeyId}`)}">${t('milestone.back', { person: personLabel(person, journeyId) })}</a></p>
      <h1 class="utrecht-heading-1">${title}</h1>
      ${state.message ? alert('error', state.message) : ''}
      ${mode === 'report' ? chooser : ''}
      ${form}`,
    ),
  );
}

/** The CloudEvent for a submitted form: the type's data, and what the staff member added as extension attributes. */
export function milestoneEvent(type: EventType, mode: Mode, body: Record<string, unknown>, now: Date): Record<string, unknown> {
  const schema = milestoneSchema(type, mode);
  const values = formValues(schema, body);
  const { document, reason, note, ...data } = values;
  return {
    specversion: '1.0',
    id: crypto.randomUUID(),
    source: sourceFor(typeof document === 'string' ? document : undefined),
    type,
    time: now.toISOString(),
    datacontenttype: 'application/json',
    data: mode === 'withdraw' ? { ...data, withdrawn: true } : data,
    ...(mode !== 'report' ? { koerscorrection: true, koersreason: typeof reason === 'string' ? reason : '' } : {}),
    ...(typeof note === 'string' && note.trim() !== '' ? { koersnote: note.trim() } : {}),
  };
}

async function recordMilestone(web: Web): Promise<void> {
  const { req, res, api, ctx } = web;
  const journeyId = String(req.params.journeyId);
  const type = readType(req.body?.type);
  const mode = readMode(req.body?.mode);
  if (!type) return milestonePage(web, { message: ctx.t('milestone.chooseFirst') });
  const values = Object.fromEntries(Object.entries(req.body ?? {}).filter(([k]) => !['_csrf', 'type', 'mode'].includes(k)));
  // A correction needs its reason: asked here too, so the form names it before anything is sent.
  if (mode !== 'report' && (typeof req.body?.reason !== 'string' || req.body.reason.trim() === '')) {
    return milestonePage(web, { values, errors: [{ path: 'reason', message: ctx.t('milestone.reasonRequired') }], message: ctx.t('form.errors') });
  }
  const event = milestoneEvent(type, mode, req.body ?? {}, new Date());
  const answer = await afterChange(web, journeyId, () => api.post(`/v1/journeys/${journeyId}/events`, event));
  if (answer.ok) return void res.redirect(303, `${href(`/journeys/${journeyId}`)}?done=${mode === 'report' ? 'recorded' : mode === 'correct' ? 'corrected' : 'withdrawn'}`);
  if (answer.status === 404) throw new ApiError(answer.problem);
  const shown = problemShown(ctx.t, ctx.lang, answer.problem);
  await milestonePage(web, { values, errors: formErrors(shown.errors), message: answer.status === 403 ? ctx.t('milestone.forbidden') : shown.message });
}

export function milestoneRoutes(): WebRoute[] {
  return [
    { method: 'get', path: '/journeys/:journeyId/milestones', handler: (web) => milestonePage(web) },
    { method: 'post', path: '/journeys/:journeyId/milestones', handler: recordMilestone },
  ];
}
