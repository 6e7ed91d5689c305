/**
 * The small form a caseworker fills in to complete a task, one per TaskKind, and the fact a completed
 * form establishes. What a form records is what the journey needs to move on (journey-rules.md): dates
 * as `YYYY-MM-DD` (the service's date range), no personal data beyond the decision itself; a free-text
 * note is for the caseworker's colleagues, kept short.
 */
import { z } from 'zod';
import type { EventType } from './events';
import type { ReassessmentDecision } from './instruments';
import type { LadderRung, LocalDate, TaskKind } from './types';
import { InstrumentKindSchema, LadderRungSchema, LeerrouteSchema, LocalDateSchema, pastDateSchema } from './vocabulary';

const note = z.string().trim().max(2000);

/** The forms, with `date` as the schema of every date in them: each records something that has happened. */
const forms = (date: z.ZodType<string>) => ({
  // Intake with an interpreter is the seed's good practice (Bijlage 7), so it is recorded.
  'hold-intake': z.strictObject({ heldOn: date, interpreterUsed: z.boolean(), note: note.optional() }),
  // Wi2021: the PIP date starts the inburgeringstermijn (art. 11), the leerroute is chosen in it.
  'draw-up-pip': z.strictObject({ pipDate: date, leerroute: LeerrouteSchema, note: note.optional() }),
  'draw-up-plan': z.strictObject({ planDate: date, note: note.optional() }),
  'start-reintegration': z.strictObject({ instrument: InstrumentKindSchema, startedOn: date, note: note.optional() }),
  'offer-participatieverklaring': z.strictObject({ offeredOn: date, signedOn: date.optional(), note: note.optional() }),
  'offer-map': z.strictObject({ offeredOn: date, note: note.optional() }),
  // A missed term is a review, not an automatic fine (RvS 2025): the caseworker records the decision.
  'review-missed-term': z.strictObject({
    decision: z.enum(['new-term', 'extension-requested', 'exemption-requested', 'no-action']),
    note: note.min(1),
  }),
  'assess-ladder': z.strictObject({ rung: LadderRungSchema, assessedOn: date.optional(), note: note.optional() }),
  'check-family-reunification': z.strictObject({ checkedOn: date, applicationFiled: z.boolean(), note: note.optional() }),
  // Instruments have maxima and extensions after a reassessment (§3.2.3); the decision says which.
  'reassess-instrument': z.strictObject({
    decision: z.enum(['continue', 'extend', 'change', 'stop']),
    assessedOn: date,
    note: note.optional(),
  }),
}) satisfies Record<TaskKind, z.ZodType>;

/** Each task kind's form: dates the domain supports (the API document's shapes, the store's check). */
export const taskForms = forms(LocalDateSchema);

/**
 * The forms as a caseworker completes them on `today` (YYYY-MM-DD, Europe/Amsterdam): a date after
 * today is refused ("must not be in the future"), as for a partner's event, since a typo (2062 for
 * 2026) would otherwise move the legal clocks it starts (a PIP date starts the term, art. 11 Wi2021).
 */
export const taskFormsOn = (today: string) => forms(pastDateSchema(today));

export type TaskForm<K extends TaskKind = TaskKind> = z.infer<(typeof taskForms)[K]>;

/** Source recorded for facts a caseworker establishes by completing a task (reserved: partners may not use it). */
export const TASK_SOURCE = 'urn:nl:koers:tasks';
/** The source of the re-integration start a started instrument records (its id is the instrument's id). */
export const INSTRUMENT_SOURCE = 'urn:nl:koers:instruments';

/** What a completed task establishes, in the same terms a partner event would. */
export interface TaskOutcome {
  /**
   * The milestone the form records, applied like a partner's event (same guards, same facts);
   * `dateField` names the form field its date came from, so a refusal can name it.
   */
  fact?: { type: EventType; occurredOn: LocalDate; data: Record<string, unknown>; dateField?: string };
  /** A ladder assessment the form records. */
  rung?: LadderRung;
  /** The day of that assessment the form gives (on or before the completion); absent: the completion day. */
  assessedOn?: LocalDate;
  /** A reassessment of the instrument the task is about, and its decision (domain/instruments.ts reassessmentEffect). */
  reassessment?: { decision: ReassessmentDecision; assessedOn: LocalDate };
}

/**
 * The fact and ladder assessment a completed form establishes. `form` is what the store validated
 * against {@link taskForms}; a field of the wrong shape (a signal sent around the API) is ignored
 * rather than trusted. `completedOn` stands in for a milestone date the form leaves out.
 */
export function taskOutcome(kind: string, form: Record<string, unknown>, completedOn: LocalDate): TaskOutcome {
  const fact = (type: EventType, dateField: string, data: Record<string, unknown> = {}): TaskOutcome => {
    const given = typeof form[dateField] === 'string' ? (form[dateField] as LocalDate) : undefined;
    const on = given ?? completedOn;
    return { fact: { type, occurredOn: on, data: { ...data, occurredOn: on }, ...(given !== undefined ? { dateField } : {}) } };
  };
  switch (kind) {
    case 'hold-intake':
      return fact('nl.koers.intake.held', 'heldOn');
    case 'draw-up-pip':
      return fact('nl.koers.pip.established', 'pipDate', form.leerroute === undefined ? {} : { leerroute: form.leerroute });
    case 'draw-up-plan':
      return fact('nl.koers.pip.established', 'planDate');
    case 'start-reintegration':
      return fact('nl.koers.reintegration.started', 'startedOn', { instrument: form.instrument });
    case 'offer-participatieverklaring':
      return typeof form.signedOn === 'string' ? fact('nl.koers.participatieverklaring.signed', 'signedOn') : {};
    case 'assess-ladder': {
      const rung = LadderRungSchema.safeParse(form.rung);
      // A form signalled around the API may carry any value: a date after the completion is no assessment day.
      const assessedOn = pastDateSchema(completedOn).safeParse(form.assessedOn);
      return rung.success ? { rung: rung.data, ...(assessedOn.success ? { assessedOn: assessedOn.data as LocalDate } : {}) } : {};
    }
    case 'reassess-instrument': {
      const decision = taskForms['reassess-instrument'].shape.decision.safeParse(form.decision);
      const assessedOn = typeof form.assessedOn === 'string' ? (form.assessedOn as LocalDate) : completedOn;
      return decision.success ? { reassessment: { decision: decision.data, assessedOn } } : {};
    }
    default:
      return {};
  }
}
