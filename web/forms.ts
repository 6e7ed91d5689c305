/**
 * Forms generated from the API's own zod schemas (via their JSON Schema): a task's completion form
 * from store/task-forms.ts, the journey's commands from api/schemas.ts. The browser's own checks
 * (required, type=date, min/max) help; the API validates, and its 422 answer names each wrong field,
 * shown next to that field.
 */
import { z } from 'zod';
import { LocalDateSchema } from '../domain/vocabulary';
import type { FieldError } from './api-client';
import { html, type Html } from './html';
import type { Translate } from './messages';

export interface Property {
  type?: string;
  format?: string;
  enum?: string[];
  /** What each `enum` value is shown as, when not a text of the catalogue (a colleague's name for a staff id). */
  labels?: Record<string, string>;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
}
export interface ObjectSchema {
  properties: Record<string, Property>;
  required?: string[];
}

/** The JSON Schema of an object schema's fields; a field of the domain's date schema is a `date`. */
export function objectSchema(schema: z.ZodType): ObjectSchema {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as unknown as ObjectSchema;
  const properties = { ...(json.properties ?? {}) };
  if (schema instanceof z.ZodObject) {
    for (const [name, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
      let inner: z.ZodType = field;
      while (inner instanceof z.ZodOptional || inner instanceof z.ZodDefault) inner = inner.unwrap() as z.ZodType;
      // The domain's date is a refined string (its JSON Schema says only "string"): the browser's date input suits it.
      if (inner === LocalDateSchema && properties[name]) properties[name] = { ...properties[name], format: 'date' };
    }
  }
  return { properties, required: json.required ?? [] };
}

/** A field's label from the catalogue (`field.<name>`); the name itself where the catalogue has none. */
export const fieldLabel = (t: Translate, name: string): string => {
  const text = t(`field.${name}`);
  return text === `field.${name}` ? name : text;
};

/** Which catalogue group names a field's choices (`option.<group>.<value>`): a start form's `kind` is an instrument. */
const OPTION_GROUPS: Record<string, string> = { kind: 'instrument', instrument: 'instrument', leerroute: 'leerroute', decision: 'decision', ground: 'ground' };

/** The catalogue key of a choice; a choice in words (the value itself only where the catalogue has none). */
export const optionKey = (field: string, value: string): string => `option.${OPTION_GROUPS[field] ?? field}.${value}`;

export const optionLabel = (t: Translate, field: string, value: string): string => {
  const key = optionKey(field, value);
  const text = t(key);
  return text === key ? value : text;
};

/**
 * The fields of a schema as NL Design System form fields. `idPrefix` keeps ids unique when a page has
 * several forms; `values` refill the form after a refusal; `errors` are the API's, by dotted path
 * under `pathPrefix` (`form.heldOn`).
 */
export function fields(
  t: Translate,
  schema: ObjectSchema,
  options: { idPrefix: string; values?: Record<string, unknown>; errors?: FieldError[]; pathPrefix?: string; omit?: string[]; hints?: Record<string, string> },
): Html {
  const out: Html[] = [];
  for (const [name, prop] of Object.entries(schema.properties)) {
    if (options.omit?.includes(name)) continue;
    const id = `${options.idPrefix}-${name}`;
    const required = schema.required?.includes(name) ?? false;
    const value = options.values?.[name];
    const path = options.pathPrefix ? `${options.pathPrefix}.${name}` : name;
    const errors = (options.errors ?? []).filter((e) => e.path === path);
    const invalid = errors.length > 0;
    const hint = options.hints?.[name];
    const describedBy = [invalid ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
    const common = html` id="${id}" name="${name}"${required ? html` required` : ''}${invalid ? html` aria-invalid="true"` : ''}${describedBy ? html` aria-describedby="${describedBy}"` : ''}`;
    let control: Html;
    if (prop.enum) {
      control = html`<select class="utrecht-select utrecht-select--html-select"${common}>
        <option value="">${t('form.choose')}</option>
        ${prop.enum.map((v) => html`<option value="${v}"${value === v ? html` selected` : ''}>${prop.labels?.[v] ?? optionLabel(t, name, v)}</option>`)}
      </select>`;
    } else if (prop.type === 'boolean') {
      control = html`<select class="utrecht-select utrecht-select--html-select"${common}>
        <option value="">${t('form.choose')}</option>
        <option value="true"${value === true || value === 'true' ? html` selected` : ''}>${t('form.yes')}</option>
        <option value="false"${value === false || value === 'false' ? html` selected` : ''}>${t('form.no')}</option>
      </select>`;
    } else if (prop.type === 'integer' || prop.type === 'number') {
      control = html`<input class="utrecht-textbox utrecht-textbox--html-input" type="number"${prop.type === 'number' ? html` step="any"` : ''}${prop.minimum !== undefined ? html` min="${prop.minimum}"` : ''}${prop.maximum !== undefined ? html` max="${prop.maximum}"` : ''} value="${value === undefined ? '' : String(value)}"${common}>`;
    } else if (prop.format === 'date') {
      control = html`<input class="utrecht-textbox utrecht-textbox--html-input" type="date" value="${typeof value === 'string' ? value : ''}"${common}>`;
    } else if (name === 'note' || (prop.maxLength ?? 0) > 200) {
      control = html`<textarea class="utrecht-textarea utrecht-textarea--html-textarea" rows="3"${prop.maxLength ? html` maxlength="${prop.maxLength}"` : ''}${common}>${typeof value === 'string' ? value : ''}</textarea>`;
    } else {
      control = html`<input class="utrecht-textbox utrecht-textbox--html-input" type="text"${prop.maxLength ? html` maxlength="${prop.maxLength}"` : ''} value="${typeof value === 'string' ? value : ''}"${common}>`;
    }
    out.push(html`<div class="utrecht-form-field${invalid ? html` utrecht-form-field--invalid` : ''}">
      <div class="utrecht-form-field__label"><label class="utrecht-form-label" for="${id}">${fieldLabel(t, name)}${required ? '' : html` <span class="utrecht-form-label__optional">${t('form.optional')}</span>`}</label></div>
      ${hint ? html`<div class="utrecht-form-field__description" id="${id}-hint">${hint}</div>` : ''}
      ${invalid ? html`<div class="utrecht-form-field-error-message" id="${id}-error">${errors.map((e) => e.message).join('; ')}</div>` : ''}
      <div class="utrecht-form-field__input">${control}</div>
    </div>`);
  }
  return html`${out}`;
}

/**
 * A submitted form as the JSON the API expects: empty fields left out, booleans and numbers typed.
 * A value that does not convert is passed on as text, so the API names it.
 */
export function formValues(schema: ObjectSchema, body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, prop] of Object.entries(schema.properties)) {
    const raw = body[name];
    if (typeof raw !== 'string' || raw.trim() === '') continue;
    if (prop.type === 'boolean') out[name] = raw === 'true' ? true : raw === 'false' ? false : raw;
    else if (prop.type === 'integer' || prop.type === 'number') out[name] = Number.isFinite(Number(raw)) ? Number(raw) : raw;
    else out[name] = raw;
  }
  return out;
}
