/**
 * The small form a caseworker fills in to complete a task, one per TaskKind. What it records is what
 * the journey needs to move on (journey-rules.md): dates as `YYYY-MM-DD`, no personal data beyond
 * the decision itself; a free-text note is for the caseworker's colleagues, kept short.
 */
import { z } from 'zod';
import type { Leerroute, TaskKind } from '../domain/types';
import { INSTRUMENT_KINDS } from '../domain/policy';
import { ValidationError } from './errors';

export { ValidationError };

const localDate = z.iso.date();
const note = z.string().trim().max(2000);

const instruments = INSTRUMENT_KINDS;
const leerroutes = ['b1', 'onderwijs', 'z'] as const satisfies readonly Leerroute[];

export const taskForms = {
  // Intake with an interpreter is the seed's good practice (Bijlage 7), so it is recorded.
  'hold-intake': z.strictObject({ heldOn: localDate, interpreterUsed: z.boolean(), note: note.optional() }),
  // Wi2021: the PIP date starts the inburgeringstermijn (art. 11), the leerroute is chosen in it.
  'draw-up-pip': z.strictObject({ pipDate: localDate, leerroute: z.enum(leerroutes), note: note.optional() }),
  'draw-up-plan': z.strictObject({ planDate: localDate, note: note.optional() }),
  'start-reintegration': z.strictObject({ instrument: z.enum(instruments), startedOn: localDate, note: note.optional() }),
  'offer-participatieverklaring': z.strictObject({ offeredOn: localDate, signedOn: localDate.optional(), note: note.optional() }),
  'offer-map': z.strictObject({ offeredOn: localDate, note: note.optional() }),
  // A missed term is a review, not an automatic fine (RvS 2025): the caseworker records the decision.
  'review-missed-term': z.strictObject({
    decision: z.enum(['new-term', 'extension-requested', 'exemption-requested', 'no-action']),
    note: note.min(1),
  }),
  'assess-ladder': z.strictObject({ rung: z.number().int().min(1).max(6), assessedOn: localDate.optional(), note: note.optional() }),
  'check-family-reunification': z.strictObject({ checkedOn: localDate, applicationFiled: z.boolean(), note: note.optional() }),
  // Instruments have maxima and extensions after a reassessment (§3.2.3); the decision says which.
  'reassess-instrument': z.strictObject({
    decision: z.enum(['continue', 'extend', 'change', 'stop']),
    assessedOn: localDate,
    note: note.optional(),
  }),
} satisfies Record<TaskKind, z.ZodType>;

export type TaskForm<K extends TaskKind = TaskKind> = z.infer<(typeof taskForms)[K]>;

/** Validates a completion form for `kind`; throws {@link ValidationError} (HTTP 400) listing the issues. */
export function parseTaskForm<K extends TaskKind>(kind: K, input: unknown): TaskForm<K> {
  // Widened: TypeScript cannot narrow the schema union by the generic K.
  const schema = (taskForms as Record<string, z.ZodType | undefined>)[kind];
  if (!schema) throw new ValidationError(`unknown task kind "${String(kind)}"`, []);
  const result = schema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new ValidationError(`invalid ${kind} form: ${issues.map((i) => `${i.path || '(form)'}: ${i.message}`).join('; ')}`, issues);
  }
  return result.data as TaskForm<K>;
}
