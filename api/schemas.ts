/**
 * Every request and response of the API as a zod schema. Named schemas are registered in
 * `components`, from which openapi.ts generates the document's `components.schemas`; so the
 * document is the code. Requests are strict (an unknown field is a 422); responses may grow by
 * adding fields (the contract changes only by adding).
 */
import { z } from 'zod';
import { EVENT_TYPES, eventDataSchema } from '../domain/events';
import { END_REASONS } from '../domain/journey-end';
import {
  CaseworkerRoleSchema,
  ClockNameSchema,
  CLOCK_NAMES,
  CLOCK_STATUSES,
  InstrumentKindSchema,
  LocalDateSchema,
  pastDateSchema,
  PHASES,
  PhaseSchema,
  REGIMES,
  RegimeSchema,
  TASK_KINDS,
  TaskKindSchema,
} from '../domain/vocabulary';
import { findPolicy } from '../domain/policies';
import { taskForms } from '../domain/task-forms';
import { isTaskCursor } from '../store/tasks';
import { isValidBsn } from './identity';
import { staffIdSchema } from './auth';
import { STAFF_ROLES } from '../staff/directory';
import { EXECUTION_STATUS_NAMES, JOURNEY_STATUSES, type JourneyStatus } from './temporal';
import { decodeJourneyCursor } from '../store/journeys';
import { decodeProcessingLogCursor } from '../store/processing-log';
import { PROCESSING_ACTIVITIES } from '../processing-log';
import { decodeTimelineCursor } from './audit-store';

export const components = z.registry<{ id: string; description?: string }>();
const named = <T extends z.ZodType>(id: string, schema: T, description?: string): T => {
  components.add(schema, { id, ...(description ? { description } : {}) });
  return schema;
};

// ---- building blocks -------------------------------------------------------------------------

/** Every date in and out: a calendar date the service accepts (domain/vocabulary.ts). */
export const localDate = LocalDateSchema;

/** A date of something that has happened: with `today`, a later date is refused naming the field. */
export const pastDate = pastDateSchema;

export const JOURNEY_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const journeyIdSchema = z.string().regex(JOURNEY_ID);
/** `<journeyId>:<task key>` (domain/tasks.ts taskIdFor). */
export const taskIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}:[A-Za-z0-9_:.-]{1,200}$/);
const municipalitySlug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a lowercase slug').max(64);
const queryBoolean = z.enum(['true', 'false']).transform((v) => v === 'true');

export { PHASES, REGIMES, CLOCK_NAMES, TASK_KINDS, PhaseSchema, RegimeSchema, TaskKindSchema, InstrumentKindSchema };
export const TASK_STATUSES = ['open', 'claimed', 'completed', 'cancelled'] as const;


export const Problem = named(
  'Problem',
  z.looseObject({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    taskStatus: z.enum(TASK_STATUSES).optional().describe('On a task conflict (409): the state the task is in.'),
  }),
  'RFC 9457 problem details; `errors` names every wrong field by its dotted path (`data.occurredOn`).',
);

// ---- journeys ----------------------------------------------------------------------------------

export const CreateJourneyRequest = (today?: string) =>
  z.strictObject({
    personRef: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z, a-z, 0-9, _ or -'),
    // Checked here with the other fields, so one answer names every wrong one.
    municipality: z
      .string()
      .max(64)
      .refine((m) => findPolicy(m) !== undefined, { error: (issue) => `no policy for municipality "${String(issue.input)}"` }),
    permitGrantedOn: pastDate(today),
    birthDate: pastDate(today).optional(),
    regime: RegimeSchema.optional().describe('Absent: a permit before 2022-01-01 means wi2013, otherwise wi2021.'),
    bsn: z.string().refine(isValidBsn, 'is not a valid BSN (11-proef)').optional().describe('Stored only encrypted; returned only on this journey to admins and caseworkers.'),
    name: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .regex(/^[^\u0000-\u001F\u007F-\u009F]*$/, 'must not contain control characters')
      .optional()
      .describe('The person\'s name as the municipality knows it (issue 21): stored only sealed, shown to admins and caseworkers, searchable by its words, erased with the journey.'),
  });
export const CreateJourneyRequestDoc = named('CreateJourneyRequest', CreateJourneyRequest());

const PolicyRef = z.object({ id: z.string(), version: z.int() });

export const JourneyCreated = named(
  'JourneyCreated',
  z.object({ journeyId: z.string(), municipality: z.string(), regime: RegimeSchema, policy: PolicyRef }),
);

export const LookupJourneyBody = named(
  'LookupJourney',
  z.strictObject({
    municipality: z.string().min(1).max(64),
    personRef: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z, a-z, 0-9, _ or -'),
  }),
);
export const JourneyFound = named('JourneyFound', z.object({ journeyId: z.string(), location: z.string() }));

/** v1.2: how a clock's final date was computed, enough to recompute it by hand (api-contract.md "Every clock explains its dates"). */
export const ClockAdjustment = named(
  'ClockAdjustment',
  z.object({
    kind: z.enum(['atw', 'extension', 'alphabetisation', 'suspension', 'correction']).describe(
      '`atw`: the Algemene termijnenwet moved a final date off a Saturday, Sunday or feestdag; `extension`: DUO extended the term; `alphabetisation`: Wi2013 art. 7(3)(b); `suspension`: Awb art. 4:15; `correction`: an administrator corrected a date.',
    ),
    days: z.int().describe('Days added to the final date (negative: earlier).'),
    reason: z.string().describe('Why, in words a caseworker reads.'),
    source: z.string().describe('The article or decision it rests on.'),
    from: localDate.optional().describe('The final date before this adjustment.'),
    to: localDate.optional().describe('The final date after it.'),
    restDay: z.object({ on: localDate, kind: z.string() }).optional().describe('Atw: what the earlier final date fell on (`zaterdag`, `zondag`, a feestdag of art. 3, `gelijkgestelde-dag`).'),
  }),
);

export const ClockBasis = named(
  'ClockBasis',
  z.object({
    anchor: z
      .object({
        event: z.string().describe('The CloudEvents type of the milestone the clock runs from, or `permitGrantedOn` / `inburgeringsplicht.startsOn` for the journey\'s own dates.'),
        occurredOn: localDate,
        reportedBy: z.string().optional().describe('Who reported the milestone, while the journey\'s timeline still shows it.'),
      })
      .describe('The fact the clock runs from.'),
    rule: z.string().describe('The rule with its article, e.g. "8 weeks (Awb art. 4:13)".'),
    adjustments: z.array(ClockAdjustment).describe('Each change to the final date the rule gives, in the order applied.'),
  }),
);

export const Clock = named(
  'Clock',
  z.object({
    name: z.enum(CLOCK_NAMES),
    status: z.enum(CLOCK_STATUSES),
    startsOn: localDate,
    targetDate: localDate,
    finalDate: localDate,
    settledOn: localDate.optional(),
    reason: z.string().optional().describe('Why a clock is waived: an exemption, a diploma, the end of bijstand.'),
    basis: ClockBasis.optional(),
  }),
);

export const OpenTask = named(
  'OpenTask',
  z.object({
    taskId: z.string(),
    kind: TaskKindSchema,
    dueDate: localDate,
    followUpDate: localDate,
    candidateGroup: CaseworkerRoleSchema,
    assignee: z.string().optional(),
    clock: z.enum(CLOCK_NAMES).optional(),
    advice: z.string().optional().describe('Advice for the caseworker, e.g. the leerroute the leerbaarheidstoets points to.'),
  }),
);

export const Inburgeringsplicht = named(
  'Inburgeringsplicht',
  z.object({
    status: z.enum(['plichtig', 'not-yet', 'not-plichtig']),
    reason: z.string().describe('Why, naming the rule (law article).'),
    startsOn: localDate.optional().describe('The day the plicht starts or started (`plichtig`, `not-yet`).'),
  }),
  'Who is inburgeringsplichtig (contract v1.1).',
);

const Caseworker = z.object({ role: CaseworkerRoleSchema, id: z.string().optional() });

export const InstrumentState = named(
  'InstrumentState',
  z.object({
    instrumentId: z.string(),
    kind: InstrumentKindSchema,
    startedOn: localDate,
    endsOn: localDate,
    extensions: z.int(),
    status: z.enum(['active', 'ended']),
    reassessBy: localDate.optional(),
    reassessmentDue: z.boolean().optional(),
    milestones: z.array(z.object({ kind: z.string(), dueOn: localDate })).optional(),
    endedOn: localDate.optional(),
    endReason: z.string().optional(),
  }),
);

const Amendment = z.object({
  at: z.string(),
  from: PolicyRef,
  to: PolicyRef,
  reason: z.string(),
  amendedBy: z.string(),
  move: z
    .object({ from: z.string(), to: z.string(), reason: z.string().optional().describe('The reason the administrator typed.') })
    .optional()
    .describe('A move to another municipality (absent for a policy amendment).'),
});

/**
 * A journey that ended for a reason, as a list shows it: the state a list shows is the run status, except
 * that such an end wins (a journey ended for a death is "ended", not "running" or "completed").
 */
const JourneyEndSummary = z
  .object({ reason: z.enum(END_REASONS), on: localDate.optional().describe('The day as the BRP dates it (absent: no complete date).') })
  .describe('Present when the journey ended for a reason (`GET /v1/journeys/{id}` `ended`); absent when it did not or the end was withdrawn.');
/** The end a journey took for a reason (workflows/definitions.ts JourneyState `ended`). */
const JourneyEndingDoc = z.object({
  reason: z.enum(END_REASONS).describe('`deceased` (BRP overlijden) or `emigrated` (BRP verblijfplaats buitenland).'),
  on: localDate.optional().describe('The day it happened as the BRP says it; absent when the BRP gives no complete date.'),
  confirmedOn: localDate.describe('The day a caseworker confirmed it.'),
  confirmedBy: z.string(),
});
export const Journey = named(
  'Journey',
  z.object({
    journeyId: z.string(),
    status: z
      .enum(JOURNEY_STATUSES)
      .describe(
        'Where the run stands. `running` and `completed` show live clocks; `workflow-task-failing` (the journey applies nothing until it is repaired), ' +
          '`failed`, `terminated`, `timed-out` and `canceled` show none (`clocks` and `openTasks` empty): the administrators have been told.',
      ),
    municipality: z.string(),
    regime: RegimeSchema,
    phase: PhaseSchema,
    inburgeringsplicht: Inburgeringsplicht.optional().describe('Who is obliged (contract v1.1); absent only when the run stopped (`status` failed, terminated, timed-out, canceled), which shows no live state.'),
    clocks: z.array(Clock),
    openTasks: z.array(OpenTask),
    // Below: for admins and caseworkers only.
    today: localDate.optional(),
    policy: PolicyRef.optional(),
    caseworker: Caseworker.optional(),
    milestones: z.record(z.string(), z.unknown()).optional().describe('The facts the clocks are computed from (no personal data).'),
    nextWakeUp: localDate.optional(),
    ladder: z.array(z.object({ rung: z.int().min(1).max(6), assessedOn: localDate, assessedBy: z.string() })).optional(),
    instruments: z.array(InstrumentState).optional(),
    extensionRequests: z.array(z.record(z.string(), z.unknown())).optional(),
    amendments: z.array(Amendment).optional(),
    notificationsSent: z.int().optional(),
    ended: JourneyEndingDoc.optional()
      .describe("Staff only: the journey ended for a reason outside the law's milestones, confirmed from the BRP (its clocks `ended`, its tasks cancelled, `status` completed)."),
    bsn: z.string().optional().describe('Only on this journey, only for admins and caseworkers, only when one was given.'),
    personRef: z.string().optional().describe("The municipality's own reference, for admins and caseworkers (journeys registered since issue 21)."),
    name: z.string().optional().describe('The name recorded at registration, for admins and caseworkers, when one was given.'),
    milestoneReporting: z
      .object({ report: z.array(z.enum(EVENT_TYPES)), correct: z.array(z.enum(EVENT_TYPES)) })
      .optional()
      .describe("Staff only: the milestone types the caller may report and correct on this journey (contract v1.2; the municipality's `milestoneReporting`)."),
  }),
  'A journey as the contract defines it; admins and caseworkers see its full state.',
);

export const TimelineEntry = named(
  'TimelineEntry',
  z.object({
    source: z.string(),
    id: z.string(),
    type: z.string(),
    occurredOn: localDate,
    receivedAt: z.string(),
    actor: z.object({ name: z.string(), role: z.string() }).optional(),
    correction: z.boolean().optional(),
    reason: z.string().optional().describe("A correction's reason (`koersreason`, contract v1.2)."),
    replaced: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('A correction: the facts of its type it replaced, as the journey had them (absent when there were none, or for corrections before v1.2).'),
    withdrawn: z.boolean().optional().describe('A correction that withdrew the milestone (contract v1.2).'),
    note: z.string().optional().describe("The reporter's note (`koersnote`): the letter's reference or a remark, at most 500 characters."),
    keyId: z.string().optional().describe('Fingerprint of the API key that sent it (audit trail).'),
    signalledAt: z.string().optional(),
    applied: z.boolean().describe('True once the journey has it and did not refuse it.'),
    rejection: z
      .object({ field: z.string(), reason: z.string() })
      .optional()
      .describe('Why the journey refused it (domain/admission.ts); kept for the most recent events only.'),
  }),
);

export const Timeline = named(
  'Timeline',
  z.object({
    journeyId: z.string(),
    events: z.array(TimelineEntry),
    amendments: z.array(Amendment),
    nextPageToken: z.string().optional().describe('There are later events: pass this as `pageToken` for the next page. Absent on the last page.'),
  }),
);

/** The timeline's pages (issue 24): optional, so a caller that sends neither gets the first `pageSize` events as before. */
export const TimelineQuery = z.strictObject({
  pageSize: z.coerce.number().int().min(1).max(1000).default(500).describe('Events per page, oldest first (default 500).'),
  pageToken: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,4096}$/, 'must be the nextPageToken of a previous page')
    .refine((token) => decodeTimelineCursor(token) !== null, 'must be the nextPageToken of a previous page')
    .optional()
    .describe('`nextPageToken` of the previous page (an opaque keyset token with a check).'),
});

// ---- partner events (CloudEvents 1.0) --------------------------------------------------------

/** The `data` fields of every event type, from the domain's schemas (so the document is the code). */
function eventDataDescription(): string {
  const describe = (schema: z.ZodType): string => {
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, { enum?: string[] }>; required?: string[] };
    return Object.entries(json.properties ?? {})
      .map(([name, p]) => `${name}${json.required?.includes(name) ? '' : '?'}${p.enum ? ` (${p.enum.join(', ')})` : ''}`)
      .join(', ');
  };
  return EVENT_TYPES.map((type) => `\`${type}\`: ${describe(eventDataSchema(type))}.`).join(' ');
}

/** CloudEvents extension attribute names: lower-case letters and digits, at most 20 (spec §3.1.1). */
const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;
const CONTEXT_ATTRIBUTES = new Set(['specversion', 'id', 'source', 'type', 'time', 'subject', 'datacontenttype', 'dataschema', 'data']);

/** JSON data by media type (CloudEvents JSON format §3.1): `<type>/json` or `<type>/<subtype>+json`, with any parameters. */
const JSON_MEDIA_TYPE = /^[a-z0-9!#$&^_.-]+\/(?:[a-z0-9!#$&^_.-]+\+)?json\s*(?:;.*)?$/i;
export const isJsonMediaType = (mediaType: string): boolean => JSON_MEDIA_TYPE.test(mediaType.trim());

/** A lone half of a UTF-16 surrogate pair: no Unicode character, so no CloudEvents String. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A CloudEvents String (spec §"Type System"): no control characters (U+0000-U+001F, U+007F-U+009F)
 * and no lone surrogates. Such a value is refused, never stored or joined into a key.
 */
const ceString = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .regex(/^[^\u0000-\u001F\u007F-\u009F]*$/, 'must not contain control characters (CloudEvents String)')
    .refine((s) => !LONE_SURROGATE.test(s), 'must not contain lone surrogates (CloudEvents String)');

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/**
 * An RFC 3339 `date-time` (§5.6), as CloudEvents `time` is: `T` and `Z` in either case (§5.6 NOTE),
 * a leap second `:60`, any offset. The date must exist.
 */
export function isRfc3339DateTime(value: string): boolean {
  const m = RFC3339.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const offsetOk = m[7] === undefined || (Number(m[8]) <= 23 && Number(m[9]) <= 59);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 60 && offsetOk;
}

export const CloudEventEnvelope = named(
  'CloudEvent',
  z
    .object({
      specversion: z.literal('1.0'),
      id: ceString(1, 256),
      source: ceString(1, 512),
      type: z.enum(EVENT_TYPES, { message: `must be one of ${EVENT_TYPES.join(', ')}` }),
      time: z.string().refine(isRfc3339DateTime, 'must be an RFC 3339 date-time').meta({ format: 'date-time' }).optional(),
      subject: ceString(0, 256).optional(),
      datacontenttype: z.string().max(256).refine(isJsonMediaType, 'must be a JSON media type (*/json or */*+json)').optional(),
      dataschema: z.url().optional(),
      data: z.record(z.string(), z.unknown()).describe(`Per type, see the contract; \`occurredOn\` always. ${eventDataDescription()}`),
    })
    .catchall(z.union([ceString(0, 1024), z.number(), z.boolean()]))
    .superRefine((event, ctx) => {
      for (const name of Object.keys(event)) {
        if (!CONTEXT_ATTRIBUTES.has(name) && !EXTENSION_NAME.test(name)) {
          ctx.addIssue({ code: 'custom', path: [name], message: 'unknown attribute (extension names are 1-20 lower-case letters or digits)' });
        }
      }
    }),
  'A CloudEvents 1.0 event in structured mode (JSON format). An attribute set to null is absent. In binary mode the same attributes travel as `ce-` headers and `data` is the body.',
);

export const CloudEventBatch = named('CloudEventBatch', z.array(CloudEventEnvelope).max(100), 'CloudEvents batch mode: at most 100 events (an empty batch answers no results).');

export const EventAccepted = named(
  'EventAccepted',
  z.object({ duplicate: z.boolean().describe('True when this source + id was accepted before; nothing changed.') }),
);

export const BatchResult = named(
  'BatchResult',
  z.object({
    results: z.array(
      z.object({
        index: z.int(),
        id: z.string().optional(),
        source: z.string().optional(),
        status: z.int().describe('The status a single event would have had: 202, 200 (duplicate) or a 4xx.'),
        duplicate: z.boolean().optional(),
        problem: Problem.optional(),
      }),
    ),
  }),
);

// ---- caseworker commands -------------------------------------------------------------------------

export const ExtensionRequestBody = (today?: string) =>
  z.strictObject({
    ground: z.string().min(1).max(64).describe('The ground of the request; the journey checks it (422 with its reason).'),
    requestedOn: pastDate(today),
    circumstanceFrom: localDate.optional(),
    circumstanceUntil: localDate.optional(),
    lessonHours: z.number().min(0).max(10_000).optional(),
    attemptsPerMissingPart: z.int().min(0).max(100).optional(),
  });
export const ExtensionRequestDoc = named('ExtensionRequest', ExtensionRequestBody());
export const ExtensionAccepted = named('ExtensionAccepted', z.object({ accepted: z.literal(true) }));

export const LadderAssessmentBody = (today?: string) => z.strictObject({ rung: z.int().min(1).max(6), assessedOn: pastDate(today) });
export const LadderAssessmentDoc = named('LadderAssessment', LadderAssessmentBody());

export const Accepted = named('Accepted', z.object({ journeyId: z.string(), accepted: z.literal(true) }), 'Durably accepted by the journey.');

export const StartInstrumentBody = () =>
  z.strictObject({
    kind: InstrumentKindSchema,
    startedOn: localDate,
    hasStartkwalificatie: z.boolean(),
    generalBijstand: z.boolean(),
    employerJobCommitmentMonths: z.int().min(0).max(120).optional(),
    unemploymentBenefitYears: z.number().min(0).max(50).optional(),
    singleParentChildUnder12: z.boolean().optional(),
    inLoonkostensubsidieDoelgroep: z.boolean().optional(),
    doelgroepverklaring: z.boolean().optional(),
  });
export const StartInstrumentDoc = named('StartInstrument', StartInstrumentBody());

export const EndInstrumentBody = (today?: string) => z.strictObject({ endedOn: pastDate(today), reason: z.string().min(1).max(500) });
export const EndInstrumentDoc = named('EndInstrument', EndInstrumentBody());

// ---- tasks ---------------------------------------------------------------------------------------

export const Task = named(
  'Task',
  z.object({
    taskId: z.string(),
    journeyId: z.string(),
    key: z.string(),
    kind: TaskKindSchema,
    municipality: z.string(),
    candidateGroup: CaseworkerRoleSchema,
    assignee: z.string().optional(),
    clock: z.enum(CLOCK_NAMES).optional(),
    followUpDate: localDate,
    dueDate: localDate,
    status: z.enum(TASK_STATUSES),
    overdue: z.boolean(),
    completedBy: z.string().optional(),
    completedAt: z.string().optional(),
    form: z.record(z.string(), z.unknown()).optional().describe('A completed task: the answers of its completion form (domain/task-forms.ts).'),
  }),
);

export const TaskCounts = named(
  'TaskCounts',
  z.object({
    total: z.int().describe('How many tasks the filters find, over all pages.'),
    overdue: z.int().describe('Of those, how many are overdue today (active, due date passed): as each task\'s `overdue`.'),
  }),
);

export const TaskPage = named('TaskPage', z.object({ tasks: z.array(Task), nextCursor: z.string().optional(), counts: TaskCounts.optional().describe('With `counts=true` only.') }));

const TASK_KIND_LIST = new RegExp(`^(?:${TASK_KINDS.join('|')})(?:,(?:${TASK_KINDS.join('|')}))*$`);

export const TaskQuery = z.strictObject({
  kind: z
    .string()
    .regex(TASK_KIND_LIST, `must be one or more of ${TASK_KINDS.join(', ')}, comma-separated`)
    .transform((s) => s.split(','))
    .pipe(z.array(TaskKindSchema))
    .optional()
    .describe('One kind or several, comma-separated.'),
  status: z.enum([...TASK_STATUSES, 'all']).optional().describe('Default: open and claimed.'),
  dueBefore: localDate.optional(),
  overdue: queryBoolean.optional(),
  municipality: z.string().max(64).optional(),
  sort: z.enum(['dueDate', 'followUpDate', 'createdAt']).default('dueDate'),
  order: z.enum(['asc', 'desc']).default('asc'),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,512}$/, 'must be the nextCursor of a previous page')
    .refine(isTaskCursor, 'must be the nextCursor of a previous page')
    .optional()
    .describe('`nextCursor` of the previous page.'),
  journeyId: journeyIdSchema.optional().describe("Only this journey's tasks."),
  assignee: staffIdSchema.optional().describe('Only the tasks this staff id holds (the behandelaar).'),
  assigned: queryBoolean.optional().describe('`false`: only the tasks nobody holds (the team pool); `true`: only held ones.'),
  excludeMine: queryBoolean.optional().describe('`true`: leave out the tasks I hold (the inbox\'s team table, under my own).'),
  counts: queryBoolean.optional().describe('`true`: the answer also has `counts` (how many tasks the filters find, and how many are overdue today).'),
});

/** Why work is handed on: lands in each task's history. */
const handOverReason = z.string().trim().min(1, 'give a reason').max(500);

export const ReassignTaskBody = named(
  'ReassignTask',
  z.strictObject({
    assignee: staffIdSchema.describe('An active colleague in the directory (`GET /v1/staff`) who serves the task\'s municipality.'),
    reason: handOverReason.optional().describe("Recorded in the task's history."),
  }),
);
/** The body the handler reads; the form is checked against the task's kind there, naming fields under `form.`. */
export const CompleteTaskBody = z.strictObject({ form: z.record(z.string(), z.unknown()) });

const taskFormSchemas = Object.entries(taskForms).map(([kind, form]) =>
  named(`${kind.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())}Form`, form as z.ZodType, `The form completing a \`${kind}\` task.`),
);
/** The document's view of the body: the form of one of the task kinds (the task's own, checked on completion). */
export const CompleteTaskDoc = named(
  'CompleteTask',
  z.strictObject({ form: z.union(taskFormSchemas).describe("The form for the task's kind: one of the `…Form` schemas.") }),
);

// ---- administrators --------------------------------------------------------------------------------

const journeyFilterFields = {
  status: z
    .enum(Object.keys(EXECUTION_STATUS_NAMES) as [Exclude<JourneyStatus, 'workflow-task-failing'>, ...Exclude<JourneyStatus, 'workflow-task-failing'>[]])
    .optional()
    .describe('The run status (default: all). A running journey whose workflow task fails shows as such on its own page only.'),
  ended: queryBoolean
    .optional()
    .describe('`true`: only journeys that ended for a reason (the BRP: death, emigration; `ended` in the list), whatever their run status; `false`: only the others.'),
  municipality: municipalitySlug.optional(),
  phase: PhaseSchema.optional(),
  regime: RegimeSchema.optional(),
  overdue: queryBoolean.optional(),
  nextFinalDateBefore: localDate.optional(),
  caseworkerRole: CaseworkerRoleSchema.optional(),
  caseworkerId: staffIdSchema.optional(),
  deadlineFrom: localDate.optional().describe('Only journeys with an open deadline (a running or overdue clock) whose final date is on or after this date.'),
  deadlineTo: localDate.optional().describe('Only journeys with an open deadline whose final date is on or before this date.'),
  clock: ClockNameSchema.optional().describe('With `deadlineFrom`/`deadlineTo`: only deadlines of this clock (alone: an open deadline of this clock).'),
  permitMonth: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
    .optional()
    .describe('Only journeys whose residence permit was granted in this month (`YYYY-MM`): the journeys a month of the dashboard counts.'),
};

export const JourneyCountQuery = z.strictObject(journeyFilterFields);
export const JourneyListQuery = z.strictObject({
  ...journeyFilterFields,
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
  pageToken: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,2048}$/, 'must be the nextPageToken of a previous page')
    .refine((token) => decodeJourneyCursor(token) !== null, 'must be the nextPageToken of a previous page')
    .optional()
    .describe('`nextPageToken` of the previous page (an opaque keyset token with a check).'),
});
export type JourneyFilter = z.output<typeof JourneyCountQuery>;

export const JourneySummary = named(
  'JourneySummary',
  z.object({
    journeyId: z.string(),
    status: z.string().describe('Temporal execution status: RUNNING, COMPLETED, …'),
    startedAt: z.string(),
    municipality: z.string().optional(),
    phase: z.string().optional(),
    regime: z.string().optional(),
    overdue: z.boolean().optional(),
    nextFinalDate: localDate.optional(),
    caseworker: z.object({ role: z.string().optional(), id: z.string().optional() }),
    ended: JourneyEndSummary.optional(),
  }),
);
export const JourneyList = named('JourneyList', z.object({ journeys: z.array(JourneySummary), nextPageToken: z.string().optional() }));
export const JourneyCount = named(
  'JourneyCount',
  z.object({
    count: z.int(),
    groups: z
      .array(z.object({ municipality: z.string(), phase: PhaseSchema, count: z.int() }))
      .describe('The same journeys counted per municipality and phase (only groups with journeys).'),
  }),
);

export const JourneyLive = named(
  'JourneyLive',
  z.object({
    journeyId: z.string(),
    live: Journey.describe("The journey's own answer (a workflow query), as `GET /v1/journeys/{journeyId}` shows it."),
    projection: z
      .object({
        seq: z.int().describe("The read model's write counter for this journey (0: the row written at start)."),
        updatedAt: z.string(),
        matches: z.boolean().describe('The stored view, dated to the same day, equals the live one.'),
      })
      .optional()
      .describe('The read-model row behind `GET /v1/journeys/{journeyId}`; absent for a journey that has not written one yet.'),
  }),
  "For consistency checks and debugging: the journey's live state beside its read-model row.",
);

export const StatisticsQuery = z.strictObject({
  municipality: municipalitySlug.optional(),
  regime: RegimeSchema.optional(),
  phase: PhaseSchema.optional(),
});
const ShareSchema = z.object({ yes: z.int(), total: z.int() });
const StatisticsBucket = z.object({
  key: z.string().describe('The municipality, or the month `YYYY-MM`.'),
  journeys: z.int(),
  permitToIntakeMedianDays: z.number().optional().describe('Median days from permit to intake (month: of the permit).'),
  intakes: z.int(),
  reintegrationWithin3Months: ShareSchema.describe('Re-integration started within three months of the intake (month: of the intake).'),
  participatieverklaringOnTime: ShareSchema.describe('Participatieverklaring clocks met on time, of those met or overdue (month: of the final date).'),
  overdueClocks: z.int(),
  deadlines: z.object({ within30: z.int(), within60: z.int(), within90: z.int() }).describe('Running clocks whose final date is within 30/60/90 days (month: of the final date).'),
});
export const Statistics = named(
  'Statistics',
  z.object({
    today: localDate,
    journeys: z.int(),
    unavailable: z.int(),
    municipalities: z.array(StatisticsBucket),
    months: z.array(StatisticsBucket),
    steps: z.record(z.string(), z.record(z.string(), z.int())).describe('Per clock, the number of running journeys per clock status (a completed journey is at no step).'),
  }),
);
export const StatisticsSteps = named(
  'StatisticsSteps',
  z.object({
    today: localDate,
    steps: z.record(z.string(), z.record(z.string(), z.int())).describe('Per clock, the number of running journeys per clock status (a completed journey is at no step).'),
  }),
);

export const AssignCaseworkerBody = named('AssignCaseworker', z.strictObject({ role: CaseworkerRoleSchema, id: staffIdSchema.optional() }));
export const CaseworkerAssigned = named('CaseworkerAssigned', z.object({ journeyId: z.string(), caseworker: Caseworker }));

export const MoveJourneyBody = named('MoveJourney', z.strictObject({ municipality: z.string().min(1).max(64), reason: z.string().max(500).optional() }));
export const JourneyMoved = named(
  'JourneyMoved',
  z.object({ journeyId: z.string(), from: z.string(), to: z.string(), policy: PolicyRef, reason: z.string().optional().describe('The reason given, as the journey keeps it.') }),
  'The journey moved: its tasks follow to the new municipality, its history stays.',
);

export const ERASURE_GROUNDS = ['no-longer-necessary', 'consent-withdrawn', 'objection', 'unlawfully-processed', 'legal-obligation'] as const;
export const ErasureBody = named(
  'JourneyErasureRequest',
  z.strictObject({
    ground: z
      .enum(ERASURE_GROUNDS)
      .describe('The AVG art. 17 lid 1 ground (a, b, c, d, e in this order); no free text, so no personal data lands in the record.'),
  }),
);
export const JourneyErasure = named(
  'JourneyErasure',
  z.object({
    journeyId: z.string(),
    municipality: z.string(),
    endedOn: localDate,
    endReason: z.string(),
    eraseAfter: localDate,
    retentionBasis: z.string(),
    erasedAt: z.string().optional(),
    erasureGround: z.string().optional(),
    erasedBy: z.string().optional().describe('`retention`, or the fingerprint of the admin key that erased it.'),
  }),
  "The journey's retention record: when its personal data is (or was) erased, and on what ground.",
);

export const MunicipalityPolicy = named(
  'MunicipalityPolicy',
  z.object({
    policy: z.record(z.string(), z.unknown()).describe("The municipality's current policy (domain/policy.ts PolicySchema), amendments included."),
    amendments: z
      .array(z.object({ version: z.int(), effectiveFrom: localDate, reason: z.string(), amendedBy: z.string(), at: z.string() }))
      .describe('Each amended version, oldest first; version 1 is the policy as shipped.'),
  }),
);

export const PolicyAmendmentBody = named(
  'PolicyAmendment',
  z.strictObject({
    municipality: municipalitySlug.describe('The policy (and so the journeys) the amendment is for.'),
    patch: z.record(z.string(), z.unknown()).describe('Partial policy: nested objects merge, arrays and scalars replace.'),
    effectiveFrom: localDate,
    reason: z.string().min(1).max(500),
    filter: z
      .strictObject({
        phase: journeyFilterFields.phase,
        regime: journeyFilterFields.regime,
        overdue: z.boolean().optional(),
        nextFinalDateBefore: journeyFilterFields.nextFinalDateBefore,
        caseworkerRole: journeyFilterFields.caseworkerRole,
        caseworkerId: journeyFilterFields.caseworkerId,
      })
      .optional()
      .describe('Narrows the running journeys of the municipality.'),
    dryRun: z.boolean().default(true).describe('Default true: list what would change; send false to apply.'),
  }),
);

const ClockDates = z.object({ status: z.string(), targetDate: localDate, finalDate: localDate });
export const PolicyAmendmentResult = named(
  'PolicyAmendmentResult',
  z.object({
    dryRun: z.boolean(),
    policy: z.object({ id: z.string(), version: z.int(), effectiveFrom: localDate }),
    matched: z.int(),
    applied: z.int().describe('0: a dry run changes nothing, and an applied amendment reports at its `amendmentId`.'),
    amendmentId: z.string().optional().describe('Applied: the amendment whose report `GET /v1/policy-amendments/{amendmentId}` serves.'),
    journeys: z.array(
      z.object({
        journeyId: z.string(),
        from: PolicyRef,
        to: PolicyRef,
        clockChanges: z.array(z.object({ clock: z.string(), before: ClockDates.optional(), after: ClockDates.optional() })),
      }),
    ),
  }),
);

export const PolicyAmendmentReport = named(
  'PolicyAmendmentReport',
  z.object({
    policy: z.object({ id: z.string(), version: z.int(), effectiveFrom: localDate }),
    status: z.enum(['running', 'completed']),
    matched: z.int(),
    amended: z.array(z.string()).describe('Journeys that have the new policy.'),
    failed: z.array(z.object({ journeyId: z.string(), reason: z.string() })).describe('Journeys that ended or moved after they were matched.'),
  }),
);

export const DeadLetter = named(
  'DeadLetter',
  z.object({
    id: z.string(),
    kind: z.string(),
    channel: z.string(),
    recipient: z.string(),
    subject: z.string(),
    status: z.string(),
    attempts: z.int(),
    lastError: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);
export const DeadLetterList = named('DeadLetterList', z.object({ messages: z.array(DeadLetter) }));

export const Health = named(
  'Health',
  z.object({
    /** `degraded`: it serves, but an operator must act (`disk: "low"`). */
    status: z.enum(['ok', 'degraded']),
    temporal: z.literal('reachable').optional(),
    /** `stale`: the last KOERS_API_KEYS_FILE was refused and an earlier file's keys are in force (degraded). */
    apiKeys: z.enum(['current', 'stale']).optional(),
    /** The store took a write just now (a failing write answers 503 with `store: "write-failing"`). */
    store: z.literal('writable').optional(),
    /** Free space under KOERS_DATA_DIR against KOERS_MIN_FREE_DISK_MB: `low` degrades. */
    disk: z.enum(['ok', 'low']).optional(),
    diskFreeMb: z.int().optional(),
  }),
);

// ---- staff and the team lead's tools (staff/directory.ts) ------------------------------------------

export const StaffMember = named(
  'StaffMember',
  z.object({
    id: z.string().describe('The staff id tasks are assigned to.'),
    name: z.string(),
    role: z.enum(STAFF_ROLES),
    team: z.string().optional(),
    municipalities: z.array(z.string()),
  }),
  'An active colleague, as the staff directory knows them from their sign-ins.',
);
export const StaffList = named('StaffList', z.object({ staff: z.array(StaffMember) }));
export const StaffQuery = z.strictObject({
  municipality: municipalitySlug.optional().describe('Only colleagues serving this municipality (default: every municipality the caller serves).'),
  team: CaseworkerRoleSchema.optional(),
});

/** A colleague who left is deactivated by hand (offboarding, issue 20 finding 8): the reason is kept with them. */
export const StaffDeactivationParams = z.strictObject({ staffId: staffIdSchema });
export const StaffDeactivationBody = named(
  'StaffDeactivation',
  z.strictObject({ reason: z.string().trim().min(1, 'give a reason').max(500).describe('Why (left, other work); kept with the colleague in the staff directory.') }),
);
export const StaffDeactivationResult = named(
  'StaffDeactivationResult',
  z.object({ id: z.string(), active: z.literal(false), deactivatedAt: z.string().describe('Instant, RFC 3339.') }),
);

const taskIdList = z
  .array(taskIdSchema)
  .min(1)
  .max(500)
  .refine((ids) => new Set(ids).size === ids.length, 'names a task twice');

export const RedistributionBody = named(
  'TaskRedistribution',
  z
    .strictObject({
      taskIds: taskIdList.optional().describe('These tasks (1-500)…'),
      holder: staffIdSchema.optional().describe("…or every task this staff id holds in the caller's municipalities (a colleague's absence)."),
      assignee: staffIdSchema.optional().describe('To this colleague (active, serving each task\'s municipality)…'),
      pool: z.literal(true).optional().describe("…or back to each task's team pool (open, nobody holds it)."),
      reason: handOverReason.describe("Recorded in each task's history."),
    })
    .superRefine((body, ctx) => {
      if ((body.taskIds === undefined) === (body.holder === undefined)) ctx.addIssue({ code: 'custom', path: ['taskIds'], message: 'give either taskIds or holder' });
      if ((body.assignee === undefined) === (body.pool === undefined)) ctx.addIssue({ code: 'custom', path: ['assignee'], message: 'give either assignee or pool: true' });
      if (body.holder !== undefined && body.holder === body.assignee) ctx.addIssue({ code: 'custom', path: ['assignee'], message: 'is the holder' });
    }),
);

const RedistributionOutcome = z.object({
  taskId: z.string(),
  outcome: z.enum(['reassigned', 'released', 'unchanged', 'refused', 'not-done']).describe('`refused`: why nothing was done; `not-done`: this task was fine, but another was refused.'),
  from: z.string().optional().describe('Who held it before.'),
  to: z.string().optional(),
  reason: z.string().optional().describe('Why it was refused.'),
  refusal: z.enum(['not-found', 'closed', 'changed', 'unknown', 'inactive', 'elsewhere']).optional().describe('Why it was refused, as a code.'),
});
export const RedistributionResult = named(
  'TaskRedistributionResult',
  z.object({ changed: z.int().describe('Tasks that changed hands.'), outcomes: z.array(RedistributionOutcome) }),
);
export { RedistributionOutcome };

export const TaskHistory = named(
  'TaskHistory',
  z.object({
    taskId: z.string(),
    events: z.array(
      z.object({
        at: z.string().describe('Instant, RFC 3339.'),
        type: z.string().describe('created, updated, claimed, unclaimed, reassigned, released, completed, cancelled, reopened'),
        actor: z.string().optional().describe('The staff id who did it; absent for the journey itself.'),
        from: z.string().optional(),
        to: z.string().optional(),
        reason: z.string().optional(),
      }),
    ),
  }),
);

// ---- persons (api/persons.ts) --------------------------------------------------------------------

const personRefSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z, a-z, 0-9, _ or -');

export const DuplicateCheckBody = named(
  'DuplicateCheck',
  z
    .strictObject({
      municipality: municipalitySlug,
      personRef: personRefSchema.optional(),
      bsn: z.string().refine(isValidBsn, 'is not a valid BSN (11-proef)').optional(),
    })
    .refine((b) => b.personRef !== undefined || b.bsn !== undefined, { message: 'give a personRef, a bsn, or both', path: ['personRef'] }),
);
export const DuplicateCheckResult = named(
  'DuplicateCheckResult',
  z.object({
    duplicates: z.array(
      z.object({ journeyId: z.string(), location: z.string(), matchedOn: z.array(z.enum(['personRef', 'bsn'])).describe('What this journey has in common with the registration.') }),
    ),
  }),
);

export const JourneySearchBody = named(
  'JourneySearch',
  z.strictObject({
    q: z.string().trim().min(1).max(200).describe('A reference, a BSN or (words of) a name.'),
    municipality: municipalitySlug.optional().describe('Only this municipality (default: every one the caller may see).'),
  }),
);
export const JourneySearchResult = named(
  'JourneySearchResult',
  z.object({
    journeys: z.array(
      z.object({
        journeyId: z.string(),
        location: z.string(),
        municipality: z.string(),
        matchedOn: z.array(z.enum(['personRef', 'bsn', 'name'])),
        status: z.string().optional().describe('The run status as the read model has it (running, completed, …).'),
        ended: JourneyEndSummary.optional(),
        phase: PhaseSchema.optional(),
        regime: RegimeSchema.optional(),
        personRef: z.string().optional().describe('Admins and caseworkers only.'),
        name: z.string().optional().describe('Admins and caseworkers only.'),
        birthDate: localDate.optional().describe('Staff only: to tell two namesakes apart.'),
        permitGrantedOn: localDate.optional().describe('Staff only: the date of the residence permit.'),
      }),
    ),
  }),
);

export const PersonSummary = named(
  'PersonSummary',
  z.object({
    journeyId: z.string(),
    municipality: z.string(),
    regime: RegimeSchema,
    personRef: z.string().optional().describe('Absent for journeys registered before the reference was kept (sealed).'),
    name: z.string().optional(),
    nameSource: z
      .enum(['brp', 'registration'])
      .optional()
      .describe('Where `name` comes from: `brp`, fetched from the BRP for this answer and never stored; `registration`, the name recorded at registration (no BRP for the municipality, the role may not ask it, or the BRP could not be reached).'),
    permitGrantedOn: localDate,
    birthDate: localDate.optional(),
    bsn: z.string().optional(),
  }),
  "Who the journey is about, for the pages of admins and caseworkers.",
);

/** Issue 25: the most journeys one `POST /v1/journeys/persons` answers (a list page's rows). */
export const PERSONS_PER_REQUEST = 100;

export const PersonsBody = named(
  'PersonsQuery',
  z.strictObject({
    journeyIds: z.array(journeyIdSchema).min(1).max(PERSONS_PER_REQUEST).describe(`The journeys of a list page, at most ${PERSONS_PER_REQUEST}.`),
  }),
);

export const PersonList = named(
  'PersonList',
  z.object({
    persons: z.array(PersonSummary.omit({ bsn: true })).describe('One per journey asked for that the caller may see and that has a row in the read model, in the order asked; the others are left out.'),
  }),
  "Who a list page's journeys are about (no BSN: a list never shows it).",
);

export const PersonCorrectionBody = (today?: string) =>
  z
    .strictObject({
      permitGrantedOn: pastDate(today).optional(),
      birthDate: pastDate(today).optional(),
      reason: z.string().trim().min(1).max(500).describe('Why the date is corrected; shown in the timeline.'),
    })
    .refine((b) => b.permitGrantedOn !== undefined || b.birthDate !== undefined, { message: 'give a permitGrantedOn, a birthDate, or both', path: ['permitGrantedOn'] });
export const PersonCorrectionDoc = named('PersonCorrection', PersonCorrectionBody());
export const PersonCorrectionAccepted = named(
  'PersonCorrectionAccepted',
  z.object({
    journeyId: z.string(),
    correctionId: z.string(),
    replaced: z.object({ permitGrantedOn: localDate.optional(), birthDate: localDate.optional() }).describe('The dates as they stood before.'),
  }),
);

// ---- my notifications (web app inbox) ------------------------------------------------------------

export const MyNotification = named(
  'MyNotification',
  z.object({
    id: z.string(),
    kind: z.enum(['reminder', 'escalation']),
    journeyId: z.string(),
    municipality: z.string(),
    clock: z.string().optional(),
    recipientRole: z.string().optional(),
    dueOn: LocalDateSchema.optional(),
    finalDate: LocalDateSchema.optional(),
    status: z.enum(['pending', 'sent', 'failed']).describe('pending: queued or being sent; sent: delivered; failed: delivery attempts exhausted.'),
    createdAt: z.string(),
  }),
);
export const MyNotificationList = named(
  'MyNotificationList',
  z.object({
    notifications: z.array(MyNotification),
    routed: z.boolean().describe('False when this installation routes reminders nowhere (no notification routing configured): none are kept, so the list stays empty.'),
  }),
);

// ---- the processing log (issue 23; api/processing-log.ts, docs/processing-log.md) ---------------------

/** Whose records, in which period, of which activities: the privacy officer's question (the BSN in the body, never a URL). */
const processingLogQueryFields = {
  bsn: z.string().trim().refine(isValidBsn, 'is not a valid BSN (11-proef)').optional().describe('The person, by BSN (compared as a keyed hash).'),
  journeyId: journeyIdSchema.optional().describe('The person, by journey (its records, and those of its BSN while the journey is not erased).'),
  from: localDate.optional().describe('Records that started on or after this day (Europe/Amsterdam).'),
  until: localDate.optional().describe('Records that started on or before this day (Europe/Amsterdam).'),
  activities: z.array(z.enum(PROCESSING_ACTIVITIES)).min(1).max(PROCESSING_ACTIVITIES.length).optional().describe('Only these processing activities (default: every one).'),
};
const oneSubjectAndAPeriod = <T extends z.ZodType<{ bsn?: string; journeyId?: string; from?: string; until?: string }>>(schema: T) =>
  schema
    // Checked also when a field is wrong, so one answer names every wrong field.
    .refine((q) => (q.bsn === undefined) !== (q.journeyId === undefined), { message: 'give a bsn or a journeyId (one of them)', path: ['bsn'], when: () => true })
    .refine((q) => typeof q.from !== 'string' || typeof q.until !== 'string' || q.from <= q.until, { message: 'must not be after until', path: ['from'], when: () => true });
export const ProcessingLogExportBody = named('ProcessingLogQuery', oneSubjectAndAPeriod(z.strictObject(processingLogQueryFields)));
export const ProcessingLogSearchBody = named(
  'ProcessingLogSearch',
  oneSubjectAndAPeriod(
    z.strictObject({
      ...processingLogQueryFields,
      pageSize: z.number().int().min(1).max(200).default(50).describe('Records per page (1-200, default 50).'),
      cursor: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,512}$/, 'must be the nextCursor of a previous page')
        .refine((c) => decodeProcessingLogCursor(c) !== undefined, 'must be the nextCursor of a previous page')
        .optional()
        .describe('`nextCursor` of the previous page.'),
    }),
  ),
);
export const ProcessingRecordSchema = named(
  'ProcessingRecord',
  z.object({
    traceId: z.string().describe('16 bytes, hex (Logboek `trace_id`): the request the processing was part of.'),
    operationId: z.string().describe('8 bytes, hex (Logboek `operation_id`).'),
    parentOperationId: z.string().optional().describe('The calling operation in the same trace (Logboek `parent_operation_id`).'),
    statusCode: z.union([z.literal(0), z.literal(1), z.literal(2)]).describe('0 unknown, 1 ok, 2 error (Logboek `status_code`).'),
    name: z.string().describe('The operation (Logboek `name`): an API route or a service step.'),
    startTime: z.string().meta({ format: 'date-time' }).describe('Logboek `start_time`.'),
    endTime: z.string().meta({ format: 'date-time' }).describe('Logboek `end_time`.'),
    foreignOperation: z
      .object({
        traceId: z.string(),
        operationId: z.string(),
        entity: z.string(),
        party: z.enum(['brp']).optional().describe('Which configured party `entity` is: `brp` the BRP API Personen of this deployment; absent: no configured party has that address (any longer).'),
      })
      .optional()
      .describe("The other party's operation (Logboek `foreign_operation`)."),
    activity: z.enum(PROCESSING_ACTIVITIES),
    processingActivityId: z.string().describe("The activity's URI in the register of processing activities (`dpl.core.processing_activity_id`)."),
    hasDataSubjectId: z.boolean().describe('Whether the record carries the sealed BSN (`dpl.core.data_subject_id`); the BSN itself is never returned.'),
    actor: z.string().describe('Who processed: the staff member or key, or `koers` for the service itself.'),
  }),
);
export const ProcessingLogPageSchema = named('ProcessingLogPage', z.object({ records: z.array(ProcessingRecordSchema), nextCursor: z.string().optional() }));

// Issue 23: the person from the BRP (chain/brp, api/brp.ts).
const BrpDateDoc = z.object({
  date: localDate.optional().describe('Only when the BRP has the complete date.'),
  text: z.string().optional().describe("The BRP's own words for the date (`langFormaat`), also for an incomplete date such as \"1990\"."),
});
export const BrpLookupBody = named(
  'BrpLookup',
  z.strictObject({
    municipality: municipalitySlug,
    bsn: z.string().refine(isValidBsn, 'is not a valid BSN (11-proef)'),
  }),
);
export const BrpLookupResult = named(
  'BrpLookupResult',
  z.object({
    found: z.literal(true),
    birth: BrpDateDoc.optional().describe('The birth date: `date` when complete, always the BRP\'s own words.'),
    registeredIn: z
      .object({ code: z.string().describe('CBS gemeentecode'), name: z.string().optional(), municipality: z.string().optional().describe("Koers's municipality, when this deployment serves it") })
      .optional(),
  }),
  'The BRP knows the BSN: the birth date and the municipality of registration, offered to the user to confirm (never applied by themselves, never stored).',
);
export const BrpProposalDoc = named(
  'BrpProposal',
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('move'), municipality: z.string(), gemeentecode: z.string(), since: localDate.optional() }),
    z.object({ kind: z.literal('end'), reason: z.enum(END_REASONS), on: localDate.optional() }),
    z.object({ kind: z.literal('elsewhere'), gemeentecode: z.string(), name: z.string().optional() }),
  ]),
  'What the BRP says that the journey does not yet reflect: a move to a municipality Koers serves, an end with its reason, or registration in a municipality this deployment does not serve (nothing to confirm).',
);
export const BrpProposalResult = named(
  'BrpProposalResult',
  z.object({ journeyId: z.string(), proposal: BrpProposalDoc.optional().describe('Absent: the BRP agrees with the journey.') }),
);
export const BrpProposalConfirmation = named(
  'BrpProposalConfirmation',
  z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('move'), municipality: municipalitySlug }),
    z.strictObject({ kind: z.literal('end'), reason: z.enum(END_REASONS) }),
  ]),
);
export const JourneyEndWithdrawal = named(
  'JourneyEndWithdrawal',
  z.strictObject({ reason: z.string().trim().min(1, 'give a reason').max(500).describe('Why the end is withdrawn (e.g. the BRP corrected a death registered by mistake); shown in the timeline.') }),
);
export const JourneyEndWithdrawn = named(
  'JourneyEndWithdrawn',
  z.object({ journeyId: z.string(), withdrawn: JourneyEndingDoc.describe('The end that was withdrawn.') }),
  'The journey runs again, as before the end: its clocks, tasks and zaak reopen.',
);

export const BrpProposalConfirmed = named(
  'BrpProposalConfirmed',
  z.object({ journeyId: z.string(), confirmed: BrpProposalDoc }),
  'The caseworker confirmed what the BRP said again just now; the journey takes it.',
);
