/**
 * The vocabulary of a journey: each concept is ONE `as const` list here, from which its TypeScript
 * type (types.ts), its zod enum (API and task forms), its OpenAPI enum (generated from the zod
 * schemas) and the keys of its texts (store/texts.ts) derive. Names follow the public contract
 * (../shared/domain/api-contract.md) and journey-rules.md.
 *
 * Also the one home of the date schemas: every date that enters the service is checked by
 * {@link LocalDateSchema} (or {@link pastDateSchema}), which accepts only the dates the domain supports.
 */
import { z } from 'zod';
import { isSupportedDate, SUPPORTED_DATES } from './dates';

export const REGIMES = ['wi2013', 'wi2021'] as const;

/** The contract's order of clocks; computeClocks lists them in this order. */
export const CLOCK_NAMES = [
  'intake',
  'pip',
  'participatieverklaring',
  'inburgering',
  'map',
  'reintegration-start',
  'maatschappelijke-begeleiding',
  'family-reunification',
  'ontzorgen',
  // v1.1 (api-contract.md, "Additions (v1.1)")
  'bijstand-decision',
] as const;

export const CLOCK_STATUSES = ['running', 'met', 'overdue', 'waived', 'ended'] as const;

/** Wi2021 leerroutes (art. 8 Besluit inburgering 2021). */
export const LEERROUTES = ['b1', 'onderwijs', 'z'] as const;

export const EXAM_ROUTES = ['inburgeringsexamen', 'staatsexamen', 'b1', 'z'] as const;

/** Caseworker teams (seed §4.1); `team-lead` receives escalations. */
export const CASEWORKER_ROLES = ['regisseur-werk', 'sociaal-werker-participatie', 'statushouder-specialist', 'team-lead'] as const;

export const PHASES = ['arrival', 'intake', 'inburgering', 'plicht-met', 'exempted', 'not-plichtig'] as const;

/**
 * The Dutch diplomas that free from the inburgeringsplicht (contract v1.1): the inburgeringsdiploma,
 * the staatsexamen NT2 diploma, and MBO-2 or higher, HAVO, VWO, HBO or WO taught in Dutch (seed
 * §3.1.2; Wi2013 art. 5; Wi2021 art. 4 with Regeling inburgering 2021 art. 2.1).
 */
export const DIPLOMAS = [
  'inburgeringsdiploma',
  'nt2',
  'mbo2-plus',
  'havo',
  'vwo',
  'hbo',
  'wo',
  // v1.2 (api-contract.md, "Diplomas")
  'vmbo',
] as const;

/** The college's decision on a bijstand application (Participatiewet; Awb art. 4:13). */
export const BIJSTAND_DECISIONS = ['granted', 'refused'] as const;

/** Why the right to bijstand ended: the outflow the seed asks about ("does the person flow on to work"). */
export const OUTFLOW_REASONS = ['work', 'education', 'moved', 'other'] as const;

/** Re-integration instruments of the re-integratieverordening (seed §3.2.3). */
export const INSTRUMENT_KINDS = [
  'werkstage',
  'proefplaatsing',
  'participatieplaats',
  'leerwerkplek',
  'scholing',
  'sociale-activering',
  'vrijwilligerswerk',
  'loonkostensubsidie',
  'plaatsingssubsidie',
] as const;

/** The participatieladder's rungs (seed §3.2.3, Bijlage 2). */
export const LADDER_RUNGS = [1, 2, 3, 4, 5, 6] as const;

export const TASK_KINDS = [
  'hold-intake',
  'draw-up-pip',
  'draw-up-plan',
  'start-reintegration',
  'offer-participatieverklaring',
  'offer-map',
  'review-missed-term',
  'assess-ladder',
  'check-family-reunification',
  'reassess-instrument',
] as const;

export const NOTIFICATION_KINDS = ['reminder', 'escalation'] as const;

export const RegimeSchema = z.enum(REGIMES);
export const ClockNameSchema = z.enum(CLOCK_NAMES);
export const ClockStatusSchema = z.enum(CLOCK_STATUSES);
export const LeerrouteSchema = z.enum(LEERROUTES);
export const ExamRouteSchema = z.enum(EXAM_ROUTES);
export const CaseworkerRoleSchema = z.enum(CASEWORKER_ROLES);
export const PhaseSchema = z.enum(PHASES);
export const DiplomaSchema = z.enum(DIPLOMAS);
export const BijstandDecisionSchema = z.enum(BIJSTAND_DECISIONS);
export const OutflowReasonSchema = z.enum(OUTFLOW_REASONS);
export const InstrumentKindSchema = z.enum(INSTRUMENT_KINDS);
export const TaskKindSchema = z.enum(TASK_KINDS);
export const LadderRungSchema = z.union(LADDER_RUNGS.map((rung) => z.literal(rung)));

/** True when `value` is one of the list's members; narrows to the list's type. */
export function isOneOf<const T extends readonly unknown[]>(list: T, value: unknown): value is T[number] {
  return (list as readonly unknown[]).includes(value);
}

/**
 * A date the service accepts, `YYYY-MM-DD`, a real calendar date between
 * {@link SUPPORTED_DATES}.from and .to (contract v1.1, "Dates the service accepts"). Every input date
 * (API bodies, CloudEvents data, task forms, policies) uses this schema; outputs computed from them may
 * lie a few years later.
 */
export const LocalDateSchema = z
  .string()
  .refine(isSupportedDate, { message: `must be a calendar date YYYY-MM-DD between ${SUPPORTED_DATES.from} and ${SUPPORTED_DATES.to}`, abort: true })
  // JSON Schema's name for it, so the OpenAPI document says so (API Design Rules: /core/date-time).
  .meta({ format: 'date' });

/** A date of something that has happened: with `today`, a later date is refused. */
export function pastDateSchema(today?: string): z.ZodType<string> {
  if (today === undefined) return LocalDateSchema;
  return LocalDateSchema.refine((d) => d <= today, { message: `must not be in the future (today is ${today})`, abort: true });
}
