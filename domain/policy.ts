/**
 * A policy: one municipality's versioned parameters for the journey. A journey pins the whole Policy
 * object at its start (plain JSON, so it crosses the Temporal payload boundary), so a journey started
 * under one rule set keeps it until it is explicitly amended (journey-rules.md, introduction).
 *
 * Only municipal choices live here. The legal periods (inburgeringstermijn, PVT year, PIP 10 weeks,
 * family reunification, ontzorgen) are fixed in clocks.ts: "the policy may lengthen or shorten the
 * municipal ones; the legal ones are fixed" (journey-rules.md, "How the clocks … are computed").
 */
import { z } from 'zod';
import { CaseworkerRoleSchema, INSTRUMENT_KINDS, LocalDateSchema } from './vocabulary';
import { addPeriod } from './dates';
import type { InstrumentKind } from './types';
import { MilestoneReportingSchema } from './reporting';

const count = z.int().min(0).max(1000);
export const PeriodSchema = z.strictObject({
  years: count.optional(),
  months: count.optional(),
  weeks: count.optional(),
  days: count.optional(),
});

const DistanceSchema = z.enum(['short', 'long']);


/**
 * One instrument's rules from the municipality's re-integratieverordening (seed §3.2.3). Every
 * requirement is optional data; instruments.ts checks the ones present, in a fixed order.
 */
export const InstrumentRuleSchema = z.strictObject({
  /** Where the rule comes from (article of the verordening), quoted in refusals. */
  source: z.string().min(1),
  /** Only for this distance to the labour market (Re-integratieverordening art. 1: within a year or not). */
  distance: DistanceSchema.optional(),
  minAge: z.int().min(0).max(120).optional(),
  requiresGeneralBijstand: z.boolean().optional(),
  /** Proefplaatsing: the employer commits to a regular job of at least this many months. */
  minEmployerJobCommitmentMonths: z.int().min(1).optional(),
  requiresLoonkostensubsidieDoelgroep: z.boolean().optional(),
  /** Borger-Odoorn grants loonkostensubsidie only with a doelgroepverklaring. */
  requiresDoelgroepverklaring: z.boolean().optional(),
  /** Plaatsingssubsidie: any one of these grounds suffices. */
  plaatsingGrounds: z
    .strictObject({
      minUnemploymentBenefitYears: z.number().positive(),
      singleParentChildUnder12: z.boolean(),
      minAge: z.int().min(0).max(120),
      noStartkwalificatieOutsideLoonkostensubsidieDoelgroep: z.boolean(),
    })
    .optional(),
  /** Length of one term: the maximum where the verordening sets one, else the usual agreed term. */
  term: PeriodSchema,
  /** True when `term` is a legal/verordening maximum rather than a municipal default. */
  termIsMaximum: z.boolean(),
  extensions: z
    .strictObject({
      /** How many extensions at most; null = no limit (renewed by agreement). */
      max: z.int().min(0).nullable(),
      length: PeriodSchema,
      /** An extension needs a reassessment before the current term expires. */
      requiresReassessment: z.boolean(),
      /** The reassessment is due this long before the term's last day (absent: by the last day). */
      reassessmentLead: PeriodSchema.optional(),
    })
    .optional(),
  /** Participatieplaats: scholing must be offered from this long after the start when there is no startkwalificatie. */
  scholingOfferAfter: PeriodSchema.optional(),
  /** Participatieplaats: a premium for every such period of good cooperation. */
  premium: z.strictObject({ amountEur: z.number().positive(), every: PeriodSchema }).optional(),
});
export type InstrumentRule = z.infer<typeof InstrumentRuleSchema>;

const InstrumentsSchema = z.strictObject(
  Object.fromEntries(INSTRUMENT_KINDS.map((k) => [k, InstrumentRuleSchema])) as Record<InstrumentKind, typeof InstrumentRuleSchema>,
);

/** The clocks a policy sets a streefdatum lead for; the windows have target = final. */
export const DEADLINE_CLOCKS = ['intake', 'pip', 'participatieverklaring', 'inburgering', 'map', 'reintegration-start'] as const;
export type DeadlineClockName = (typeof DEADLINE_CLOCKS)[number];

export const PolicySchema = z
  .strictObject({
    /** Municipality slug, e.g. `borger-odoorn`. */
    id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a lowercase slug'),
    version: z.int().min(1),
    name: z.string().min(1),
    effectiveFrom: LocalDateSchema,
    periods: z.strictObject({
      /** Intake after the bijstand application (Wi2013 journeys): Borger-Odoorn 14 days (seed §4.1 "Contact"). */
      intake: PeriodSchema,
      /** Start of the re-integration trajectory after the intake (Bijlage 7: within 3 months). */
      reintegrationStart: PeriodSchema,
      /** Maatschappelijke begeleiding bought from Vluchtelingenwerk (seed §3.1.7: 18 months). */
      maatschappelijkeBegeleiding: PeriodSchema,
    }),
    /**
     * How long before the final date the streefdatum lies, per deadline clock. `bijstand-decision`
     * (contract v1.1) is optional so policies pinned before it stay valid; absent, 2 weeks.
     */
    targetLeads: z.strictObject({
      ...(Object.fromEntries(DEADLINE_CLOCKS.map((c) => [c, PeriodSchema])) as Record<DeadlineClockName, typeof PeriodSchema>),
      'bijstand-decision': PeriodSchema.optional(),
    }),
    /** Reminders this many days before a running clock's target date. */
    reminderLeadDays: z
      .array(z.int().min(0).max(366))
      .max(10)
      .refine((a) => new Set(a).size === a.length, { message: 'lead times must be distinct' }),
    escalation: z.strictObject({
      /** Receives escalations and the review of a missed term. */
      role: CaseworkerRoleSchema,
      /** The review of a missed term is due this long after the day the term was missed. */
      reviewWithin: PeriodSchema,
    }),
    /** Role that gets a journey before the ladder rung is known. */
    defaultCaseworkerRole: CaseworkerRoleSchema.exclude(['team-lead']),
    /**
     * A statushouder specialist with a small caseload keeps the lead for every journey (seed ch. 7 and
     * Bijlage 7 recommendation); then routing by rung does not change the role.
     */
    statushouderSpecialist: z.boolean(),
    ladder: z.strictObject({
      /**
       * Rung 3 sits in both caseloads (§3.2.3/§4.1: sociaal werkers "1, 2 en soms 3", regisseurs "3 t/m 6"),
       * so the municipality decides: `long` routes it to the sociaal werker participatie, `short` to the
       * regisseur werk.
       */
      rung3Distance: DistanceSchema,
      /**
       * An `assess-ladder` task is due this long after the intake and after an instrument ends (seed
       * §3.2.3: reassess the rung during and after a trajectory); absent, 4 weeks.
       */
      assessWithin: PeriodSchema.optional(),
    }),
    /** Participatiewet choices of the municipality (additive, v1.1). */
    participatiewet: z
      .strictObject({
        /**
         * The search period for applicants younger than 27 before the application can be filed
         * (Participatiewet art. 41(4)); absent when the municipality does not apply it.
         */
        searchPeriodUnder27: PeriodSchema.optional(),
      })
      .optional(),
    /** Days a week of participation next to lessons (Midden-Drenthe: 2, Bijlage 7); null = no norm. */
    participationDaysPerWeek: z.int().min(0).max(5).nullable(),
    /** An interpreter at the (broad) intake (Midden-Drenthe, Bijlage 7). */
    interpreterAtIntake: z.boolean(),
    instruments: InstrumentsSchema,
    /**
     * Since the rulings of the CJEU and the Raad van State (RvS 9 Jul 2025, 18 Feb 2026) standard fines
     * for asielstatushouders are barred: a missed term escalates to a review, never an automatic fine.
     * The literal `false` makes any other configuration invalid until the law says otherwise.
     */
    fines: z.strictObject({ automatic: z.literal(false) }),
    /** Where each parameter comes from, for audit; free text per parameter path. */
    sources: z.record(z.string(), z.string()).optional(),
    /**
     * How long a journey's personal data (sealed BSN, birth date, person reference) is kept after
     * the journey ends, before it is erased. Legal basis: AVG art. 5 lid 1 onder e (opslagbeperking)
     * and art. 17 (recht op vergetelheid); the period itself is the municipality's, from its
     * selectielijst under the Archiefwet 1995 (art. 5), cited in `basis`. Absent: {@link DEFAULT_RETENTION}.
     */
    retention: z.strictObject({ afterEnd: PeriodSchema, basis: z.string().min(1) }).optional(),
    /**
     * Which milestones the municipality's caseworkers may report and correct, per event type (contract
     * v1.2, "Staff report milestones too"; domain/reporting.ts). Absent: the contract's default.
     */
    milestoneReporting: MilestoneReportingSchema.optional(),
  })
  .superRefine((p, ctx) => {
    if (p.statushouderSpecialist && p.defaultCaseworkerRole !== 'statushouder-specialist') {
      ctx.addIssue({
        code: 'custom',
        path: ['defaultCaseworkerRole'],
        message: 'with a statushouder specialist every journey defaults to that role',
      });
    }
    if (!p.statushouderSpecialist && p.defaultCaseworkerRole === 'statushouder-specialist') {
      ctx.addIssue({ code: 'custom', path: ['statushouderSpecialist'], message: 'the default role needs a statushouder specialist' });
    }
  });

export type Policy = z.infer<typeof PolicySchema>;
export type PolicyPeriod = z.infer<typeof PeriodSchema>;

/**
 * The retention of a policy without its own (before issue 22): two years after the journey ends. Since
 * v1.2 the law's own retention per track ({@link LEGAL_RETENTION}) is the minimum and a policy's
 * `retention` may only lengthen it ({@link retentionFor}).
 */
export const DEFAULT_RETENTION: NonNullable<Policy['retention']> = {
  afterEnd: { years: 2 },
  basis: 'AVG art. 5 lid 1 onder e; default of Koers until the municipality sets its selectielijst period',
};

/** A retention period and the rule it rests on. */
export type Retention = NonNullable<Policy['retention']>;

/**
 * The binding retention per track of a journey (issue 22, "Retention by law"); each is the time the
 * file must be kept after the track ends (Archiefwet 1995 art. 5 with the selectielijst: destroyed only
 * after it) and, under AVG art. 5(1)(e), no longer without reason.
 * - `inburgering-wi2021`: 5 years after the inburgeringsplicht ends (Wet inburgering 2021 as the VNG
 *   handreiking gegevensuitwisseling Wet inburgering 2020 sets it out); as the specific rule it prevails
 *   over the Selectielijst's 10 years (breednetwerk.nl "Bewaartermijnen inburgering").
 * - `inburgering-wi2013`: the municipality's inburgeringstraject, 10 years after closing it (Selectielijst
 *   gemeenten en intergemeentelijke organen 2020, proces 8.1).
 * - `participatiewet`: the bijstand client file, 10 years after the benefit ends (Selectielijst gemeenten
 *   2020, client files since 2017; longer where a sanction or recovery runs, which Koers does not see).
 */
export const LEGAL_RETENTION = {
  'inburgering-wi2021': {
    afterEnd: { years: 5 },
    basis: 'Wet inburgering 2021 (VNG handreiking gegevensuitwisseling Wet inburgering 2020): 5 years after the inburgeringsplicht ends',
  },
  'inburgering-wi2013': {
    afterEnd: { years: 10 },
    basis: 'Selectielijst gemeenten en intergemeentelijke organen 2020, proces 8.1: 10 years after the inburgeringstraject closes',
  },
  participatiewet: {
    afterEnd: { years: 10 },
    basis: 'Selectielijst gemeenten en intergemeentelijke organen 2020: the Participatiewet client file 10 years after the benefit ends',
  },
} as const satisfies Record<string, Retention>;

/** What retention needs to know of a journey: its regime and whether it ever had a bijstand track (unknown: assumed so). */
export interface RetentionSubject {
  regime?: 'wi2013' | 'wi2021';
  bijstand?: boolean;
}

/**
 * The retention that applies to a journey: the longest of its tracks' legal retention and the policy's
 * own (which may lengthen it, never shorten it). Measured from the same end date, so the later date wins.
 */
export function retentionFor(policy: Pick<Policy, 'retention'> | undefined, subject: RetentionSubject = {}): Retention {
  const candidates: Retention[] = [];
  if (subject.regime !== undefined) candidates.push(LEGAL_RETENTION[subject.regime === 'wi2013' ? 'inburgering-wi2013' : 'inburgering-wi2021']);
  if (subject.bijstand !== false) candidates.push(LEGAL_RETENTION.participatiewet);
  if (policy?.retention !== undefined) candidates.push(policy.retention);
  if (candidates.length === 0) return DEFAULT_RETENTION;
  const reference = '2000-03-01';
  return candidates.reduce((longest, c) => (addPeriod(reference, c.afterEnd) > addPeriod(reference, longest.afterEnd) ? c : longest));
}

/** The date from which a journey that ended on `endedOn` (`YYYY-MM-DD`) has its personal data erased. */
export function erasureDueOn(endedOn: string, policy: Pick<Policy, 'retention'> | undefined, subject: RetentionSubject = {}): string {
  return addPeriod(endedOn, retentionFor(policy, subject).afterEnd);
}

/** A partial policy for an amendment: nested objects merge, arrays and scalars replace. */
export type PolicyPatch = DeepPartial<Omit<Policy, 'id' | 'version'>>;
type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch === undefined ? base : patch;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) out[k] = merge(base[k], v);
  return out;
}

/**
 * The next version of a policy: the patch merged in, version + 1, validated. Running journeys keep the
 * version they pinned; the workflow adopts the new one only through an explicit amendment.
 */
export function amendPolicy(base: Policy, patch: PolicyPatch, effectiveFrom: string): Policy {
  return PolicySchema.parse({ ...(merge(base, patch) as object), id: base.id, version: base.version + 1, effectiveFrom });
}
