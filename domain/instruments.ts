/**
 * Re-integration instruments (re-integratievoorzieningen, seed §3.2.3): who may get one, and the dates
 * a started one brings (end, extensions, reassessments, scholing offer, premiums). The limits are the
 * policy's data (its `instruments` table); this module only reads them, in a fixed order.
 */
import { addDays, addPeriod, isAfter, isBefore, subtractPeriod, type Period } from './dates';
import type { Distance } from './ladder';
import type { InstrumentRule, Policy } from './policy';
import type { InstrumentKind, LocalDate } from './types';

export interface Applicant {
  age: number;
  distance: Distance;
  hasStartkwalificatie: boolean;
  /** Receives general bijstand (algemene bijstand), as the participatieplaats requires (Participatiewet art. 10a). */
  generalBijstand: boolean;
  employerJobCommitmentMonths?: number;
  unemploymentBenefitYears?: number;
  singleParentChildUnder12?: boolean;
  inLoonkostensubsidieDoelgroep?: boolean;
  doelgroepverklaring?: boolean;
}

export type Eligibility = { eligible: true } | { eligible: false; rule: string; reason: string };

interface Requirement {
  /** Rule id suffix; the refusal names `<kind>.<id>`. */
  id: string;
  applies(rule: InstrumentRule): boolean;
  holds(applicant: Applicant, rule: InstrumentRule): boolean;
  reason(kind: InstrumentKind, rule: InstrumentRule): string;
}

/** Plaatsingssubsidie (art. 6 Re-integratieverordening): any one ground suffices (seed §3.2.3). */
function hasPlaatsingGround(a: Applicant, g: NonNullable<InstrumentRule['plaatsingGrounds']>): boolean {
  return (
    (a.unemploymentBenefitYears ?? 0) >= g.minUnemploymentBenefitYears ||
    (g.singleParentChildUnder12 && a.singleParentChildUnder12 === true) ||
    a.age >= g.minAge ||
    (g.noStartkwalificatieOutsideLoonkostensubsidieDoelgroep && !a.hasStartkwalificatie && a.inLoonkostensubsidieDoelgroep !== true)
  );
}

/** The requirements, checked in this order; the first that fails is reported. */
const REQUIREMENTS: readonly Requirement[] = [
  {
    id: 'distance',
    applies: (r) => r.distance !== undefined,
    holds: (a, r) => a.distance === r.distance,
    reason: (k, r) => `${k} is only for a ${r.distance} distance to the labour market (${r.source})`,
  },
  {
    id: 'min-age',
    applies: (r) => r.minAge !== undefined,
    holds: (a, r) => a.age >= (r.minAge ?? 0),
    reason: (k, r) => `${k} is for persons aged ${r.minAge} or older (${r.source})`,
  },
  {
    id: 'general-bijstand',
    applies: (r) => r.requiresGeneralBijstand === true,
    holds: (a) => a.generalBijstand,
    reason: (k, r) => `${k} requires a right to general bijstand (${r.source})`,
  },
  {
    id: 'employer-job-commitment',
    applies: (r) => r.minEmployerJobCommitmentMonths !== undefined,
    holds: (a, r) => (a.employerJobCommitmentMonths ?? 0) >= (r.minEmployerJobCommitmentMonths ?? 0),
    reason: (k, r) =>
      `${k} requires the employer to commit to a regular job of at least ${r.minEmployerJobCommitmentMonths} months for at least the same hours (${r.source})`,
  },
  {
    id: 'loonkostensubsidie-doelgroep',
    applies: (r) => r.requiresLoonkostensubsidieDoelgroep === true,
    holds: (a) => a.inLoonkostensubsidieDoelgroep === true,
    reason: (k, r) => `${k} is for the doelgroep that cannot earn the minimum wage full time, on UWV's advice (${r.source})`,
  },
  {
    id: 'doelgroepverklaring',
    applies: (r) => r.requiresDoelgroepverklaring === true,
    holds: (a) => a.doelgroepverklaring === true,
    reason: (k, r) => `${k} needs a doelgroepverklaring under this municipality's rules (${r.source})`,
  },
  {
    id: 'plaatsing-ground',
    applies: (r) => r.plaatsingGrounds !== undefined,
    holds: (a, r) => r.plaatsingGrounds === undefined || hasPlaatsingGround(a, r.plaatsingGrounds),
    reason: (k, r) => {
      const g = r.plaatsingGrounds;
      return `${k} needs one of: ≥${g?.minUnemploymentBenefitYears} year of unemployment benefit, a single parent with a child under 12, age ≥${g?.minAge}, or no startkwalificatie outside the loonkostensubsidie doelgroep (${r.source})`;
    },
  },
];

/** Whether an applicant may get an instrument under the policy; a refusal names the rule and why. */
export function checkEligibility(kind: InstrumentKind, applicant: Applicant, policy: Policy): Eligibility {
  const rule = policy.instruments[kind];
  const failed = REQUIREMENTS.find((req) => req.applies(rule) && !req.holds(applicant, rule));
  return failed === undefined ? { eligible: true } : { eligible: false, rule: `${kind}.${failed.id}`, reason: failed.reason(kind, rule) };
}

// ---------------------------------------------------------------------------------------------
// Dates of a started instrument.
// ---------------------------------------------------------------------------------------------

function scale(p: Period, n: number): Period {
  return { years: (p.years ?? 0) * n, months: (p.months ?? 0) * n, weeks: (p.weeks ?? 0) * n, days: (p.days ?? 0) * n };
}

function sum(a: Period, b: Period): Period {
  return {
    years: (a.years ?? 0) + (b.years ?? 0),
    months: (a.months ?? 0) + (b.months ?? 0),
    weeks: (a.weeks ?? 0) + (b.weeks ?? 0),
    days: (a.days ?? 0) + (b.days ?? 0),
  };
}

/**
 * The last day of the term after `extensions` extensions. Counted from the start in one go (the
 * maximum is a total: a werkstage is at most 3 + 3 months from its start), the last day being the day
 * before the period has fully run.
 */
function lastDay(startedOn: LocalDate, rule: InstrumentRule, extensions: number): LocalDate {
  const length = rule.extensions === undefined ? rule.term : sum(rule.term, scale(rule.extensions.length, extensions));
  return addDays(addPeriod(startedOn, length), -1);
}

function canExtend(rule: InstrumentRule, extensionsSoFar: number): boolean {
  const ext = rule.extensions;
  return ext !== undefined && (ext.max === null || extensionsSoFar < ext.max);
}

/** A reassessment is due before each expiry that can still be followed by an extension needing one. */
function reassessByFor(rule: InstrumentRule, endsOn: LocalDate, extensionsSoFar: number): LocalDate | undefined {
  const ext = rule.extensions;
  if (ext === undefined || !ext.requiresReassessment || !canExtend(rule, extensionsSoFar)) return undefined;
  return ext.reassessmentLead === undefined ? endsOn : subtractPeriod(endsOn, ext.reassessmentLead);
}

export type InstrumentMilestoneKind = 'offer-scholing' | 'premium';

export interface InstrumentPlan {
  kind: InstrumentKind;
  startedOn: LocalDate;
  /** Last day of the first term. */
  endsOn: LocalDate;
  /** True when the term is a maximum set by the verordening; false for a municipal default term. */
  termIsMaximum: boolean;
  /** null: renewable without limit (after a reassessment). */
  maxExtensions: number | null;
  extensionLength?: Period;
  /** Last day with every extension granted (only when their number is limited). */
  latestEndOn?: LocalDate;
  /** The first reassessment, when an extension needs one. */
  reassessBy?: LocalDate;
  /** One per possible extension (limited ones): reassess by `reassessBy`, before the term ending `termEndsOn`. */
  reassessments: Array<{ termEndsOn: LocalDate; reassessBy: LocalDate }>;
  /** Participatieplaats without startkwalificatie: scholing must be offered from this date. */
  scholingOfferFrom?: LocalDate;
  /** A premium after each completed period of good cooperation, up to the latest end. */
  premiumDates: LocalDate[];
  /** The dated obligations above as one list, ordered by date. */
  milestones: Array<{ kind: InstrumentMilestoneKind; dueOn: LocalDate }>;
}

/**
 * The dates an instrument brings, from its start (seed §3.2.3): werkstage 3 months + one extension of
 * 3; proefplaatsing at most 6 months; participatieplaats 2 years + 1 + 1, each extension only after a
 * reassessment before expiry (and in another environment, Participatiewet art. 10a(9-10): a condition
 * for the caseworker, not a date), scholing offered from 6 months when there is no startkwalificatie,
 * and EUR 100 after every 6 months of good cooperation. Premiums after the current end apply only when
 * the instrument is extended.
 */
export function instrumentPlan(
  kind: InstrumentKind,
  startedOn: LocalDate,
  policy: Policy,
  options: { hasStartkwalificatie?: boolean } = {},
): InstrumentPlan {
  const rule = policy.instruments[kind];
  const ext = rule.extensions;
  const maxExtensions = ext === undefined ? 0 : ext.max;
  const endsOn = lastDay(startedOn, rule, 0);
  const latestEndOn = maxExtensions === null ? undefined : lastDay(startedOn, rule, maxExtensions);
  const reassessments: InstrumentPlan['reassessments'] = [];
  for (let k = 0; maxExtensions !== null && k < maxExtensions; k++) {
    const termEndsOn = lastDay(startedOn, rule, k);
    const by = reassessByFor(rule, termEndsOn, k);
    if (by !== undefined) reassessments.push({ termEndsOn, reassessBy: by });
  }
  const reassessBy = reassessByFor(rule, endsOn, 0);

  const scholingOfferFrom =
    rule.scholingOfferAfter !== undefined && options.hasStartkwalificatie !== true ? addPeriod(startedOn, rule.scholingOfferAfter) : undefined;

  const premiumDates: LocalDate[] = [];
  if (rule.premium !== undefined) {
    const horizon = addDays(latestEndOn ?? endsOn, 1); // a period completed on the last day earns its premium
    for (let k = 1; ; k++) {
      const due = addPeriod(startedOn, scale(rule.premium.every, k));
      if (isAfter(due, horizon) || due === startedOn) break;
      premiumDates.push(due);
    }
  }

  const milestones: InstrumentPlan['milestones'] = [
    ...(scholingOfferFrom !== undefined && !isAfter(scholingOfferFrom, latestEndOn ?? endsOn) ? [{ kind: 'offer-scholing' as const, dueOn: scholingOfferFrom }] : []),
    ...premiumDates.map((dueOn) => ({ kind: 'premium' as const, dueOn })),
  ].sort((a, b) => (a.dueOn < b.dueOn ? -1 : a.dueOn > b.dueOn ? 1 : 0));

  return {
    kind,
    startedOn,
    endsOn,
    termIsMaximum: rule.termIsMaximum,
    maxExtensions,
    ...(ext !== undefined ? { extensionLength: ext.length } : {}),
    ...(latestEndOn !== undefined ? { latestEndOn } : {}),
    ...(reassessBy !== undefined ? { reassessBy } : {}),
    reassessments,
    ...(scholingOfferFrom !== undefined ? { scholingOfferFrom } : {}),
    premiumDates,
    milestones,
  };
}

export type ExtensionOutcome =
  | { ok: true; endsOn: LocalDate; reassessBy?: LocalDate; extensions: number }
  | { ok: false; rule: string; reason: string };

/**
 * One more term for a running instrument, decided on `reassessedOn`. Refused when the instrument allows
 * no (more) extensions, or when the decision comes after the term expired: an extension continues a
 * running placement (participatieplaats: "voor afloop van de termijn", Participatiewet art. 10a(9)).
 */
export function extendInstrument(
  kind: InstrumentKind,
  state: { startedOn: LocalDate; endsOn: LocalDate; extensions: number },
  reassessedOn: LocalDate,
  policy: Policy,
): ExtensionOutcome {
  const rule = policy.instruments[kind];
  const ext = rule.extensions;
  if (ext === undefined || !canExtend(rule, state.extensions)) {
    const max = ext?.max ?? 0;
    return { ok: false, rule: `${kind}.max-extensions`, reason: `${kind} allows ${max === 0 ? 'no extension' : `at most ${max} extension(s)`} (${rule.source})` };
  }
  if (isBefore(reassessedOn, state.startedOn)) {
    return { ok: false, rule: `${kind}.reassessed-on`, reason: `the reassessment (${reassessedOn}) cannot precede the start (${state.startedOn})` };
  }
  if (isAfter(reassessedOn, state.endsOn)) {
    return {
      ok: false,
      rule: `${kind}.before-expiry`,
      reason: `the term ended on ${state.endsOn}; an extension must be decided before it expires (${rule.source})`,
    };
  }
  const extensions = state.extensions + 1;
  const endsOn = lastDay(state.startedOn, rule, extensions);
  const reassessBy = reassessByFor(rule, endsOn, extensions);
  return { ok: true, endsOn, extensions, ...(reassessBy !== undefined ? { reassessBy } : {}) };
}

/** The decision of a completed `reassess-instrument` task (store/task-forms.ts). */
export type ReassessmentDecision = 'continue' | 'extend' | 'change' | 'stop';

export type ReassessmentEffect =
  | { action: 'none' }
  | { action: 'extend'; endsOn: LocalDate; extensions: number; reassessBy?: LocalDate }
  | { action: 'refused'; rule: string; reason: string }
  | { action: 'end'; endedOn: LocalDate; reason: string };

/**
 * What a reassessment does to a running instrument (seed §3.2.3: extensions only after a reassessment
 * before expiry): `extend` gives one more term within the instrument's limits, or names the limit that
 * forbids it ({@link extendInstrument}); `stop` and `change` end it on the day of the reassessment (a
 * change continues with another instrument, started on its own); `continue` changes nothing.
 */
export function reassessmentEffect(
  kind: InstrumentKind,
  state: { startedOn: LocalDate; endsOn: LocalDate; extensions: number },
  decision: ReassessmentDecision,
  assessedOn: LocalDate,
  policy: Policy,
): ReassessmentEffect {
  switch (decision) {
    case 'continue':
      return { action: 'none' };
    case 'stop':
    case 'change':
      return { action: 'end', endedOn: assessedOn, reason: decision === 'stop' ? 'stopped after a reassessment' : 'changed to another instrument after a reassessment' };
    case 'extend': {
      const next = extendInstrument(kind, state, assessedOn, policy);
      if (!next.ok) return { action: 'refused', rule: next.rule, reason: next.reason };
      return { action: 'extend', endsOn: next.endsOn, extensions: next.extensions, ...(next.reassessBy !== undefined ? { reassessBy: next.reassessBy } : {}) };
    }
  }
}

/** An instrument as its workflow reports it to the journey (workflows/instrument.ts). */
export interface InstrumentState {
  instrumentId: string;
  kind: InstrumentKind;
  startedOn: LocalDate;
  endsOn: LocalDate;
  extensions: number;
  status: 'active' | 'ended';
  /** A reassessment is due before this date (participatieplaats before each expiry). */
  reassessBy?: LocalDate;
  /** The reassessment's notice period has begun: the journey opens a task for it. */
  reassessmentDue?: boolean;
  /** Dated obligations of the instrument, e.g. offering scholing, the cooperation premium. */
  milestones?: Array<{ kind: string; dueOn: LocalDate }>;
  endedOn?: LocalDate;
  endReason?: string;
}
