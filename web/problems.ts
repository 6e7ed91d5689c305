/**
 * The API's refusals in the page's language, through the catalogue (messages.ts): a page never shows
 * the API's English `detail` or a zod message.
 *
 * - A form is first checked here with the same zod schema the API applies (so the person sees every
 *   wrong field at once); each zod issue is mapped by its code (`invalid_type`, `too_small`, …) to a
 *   catalogue text ({@link zodErrors}).
 * - What only the API or the journey can judge (the journey's own rules) comes back as problem+json:
 *   the problem by its status, title and extension members (`rule`, `reason`), each field error by its
 *   field and a stable code the web app derives from the API's message ({@link PROBLEM_CODES}: one table,
 *   so a change of wording at the API is one line here). A message not in the table is said generically
 *   in the page's language ("not accepted by the journey"), never in English.
 */
import type { z } from 'zod';
import type { Policy } from '../domain/policy';
import type { FieldError, ProblemBody } from './api-client';
import { formatDate, formatNumber } from './format';
import type { Lang, MessageKey, Translate } from './messages';

/** A field error in the page's language: the field it belongs to (dotted API path) and its text. */
export interface ShownError {
  path: string;
  message: string;
}

type Params = Record<string, string | number>;

/**
 * A zod issue's text in the page's language. Zod's own codes are stable; the messages of our refined
 * schemas (dates) are matched by {@link PROBLEM_CODES} like the API's.
 */
export function zodIssueText(t: Translate, lang: Lang, issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return t('problem.required');
      return t(`problem.type.${issue.expected}` as MessageKey) === `problem.type.${issue.expected}` ? t('problem.invalid') : t(`problem.type.${issue.expected}`);
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? t('problem.required') : t('problem.minLength', { min: formatNumber(lang, Number(issue.minimum)) });
      return t('problem.min', { min: formatNumber(lang, Number(issue.minimum)) });
    case 'too_big':
      if (issue.origin === 'string') return t('problem.maxLength', { max: formatNumber(lang, Number(issue.maximum)) });
      return t('problem.max', { max: formatNumber(lang, Number(issue.maximum)) });
    case 'invalid_value':
    case 'invalid_union':
      return t('problem.option');
    case 'unrecognized_keys':
      return t('problem.unknownField');
    case 'invalid_format':
      return t('problem.invalid');
    case 'not_multiple_of':
      return t('problem.integer');
    default:
      return messageText(t, lang, issue.message);
  }
}

/** Every issue of a failed parse as shown errors, by dotted path under `prefix` (as the API names them). */
export function zodErrors(t: Translate, lang: Lang, error: z.ZodError, prefix = ''): ShownError[] {
  return error.issues.flatMap((issue) => {
    const at = (extra: PropertyKey[] = []) => [prefix, ...issue.path.map(String), ...extra.map(String)].filter(Boolean).join('.') || '(body)';
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: at([key]), message: t('problem.unknownField') }));
    return [{ path: at(), message: zodIssueText(t, lang, issue) }];
  });
}

/**
 * The API's field messages (its own and zod's defaults) as stable codes with their parameters. The
 * messages are the API's contract with its tests (test/integration/api); a date parameter is shown as
 * the language writes dates.
 */
export const PROBLEM_CODES: ReadonlyArray<{ pattern: RegExp; key: MessageKey; params?: (m: RegExpExecArray) => Params; dates?: string[] }> = [
  { pattern: /^must be a calendar date YYYY-MM-DD between (\S+) and (\S+)$/, key: 'problem.dateRange', params: (m) => ({ from: m[1]!, to: m[2]! }), dates: ['from', 'to'] },
  { pattern: /^must be a calendar date YYYY-MM-DD$/, key: 'problem.date' },
  { pattern: /^must not be in the future/, key: 'problem.future' },
  { pattern: /^give a bsn or a journeyId/, key: 'problem.oneSubject' },
  { pattern: /^must not be after until$/, key: 'problem.fromAfterUntil' },
  { pattern: /^required/, key: 'problem.required' },
  { pattern: /^Invalid input: expected \w+, received undefined$/, key: 'problem.required' },
  { pattern: /^Invalid input: expected (?:int|number)/, key: 'problem.type.number' },
  { pattern: /^Invalid input: expected boolean/, key: 'problem.type.boolean' },
  { pattern: /^Invalid option/, key: 'problem.option' },
  { pattern: /^Too small: expected (?:number|int) to be >=?(\d+(?:\.\d+)?)/, key: 'problem.min', params: (m) => ({ min: Number(m[1]) }) },
  { pattern: /^Too big: expected (?:number|int) to be <=?(\d+(?:\.\d+)?)/, key: 'problem.max', params: (m) => ({ max: Number(m[1]) }) },
  { pattern: /^Too small: expected string/, key: 'problem.required' },
  { pattern: /^Too big: expected string to have <=?(\d+)/, key: 'problem.maxLength', params: (m) => ({ max: Number(m[1]) }) },
  { pattern: /^unknown field$/, key: 'problem.unknownField' },
  { pattern: /control characters/, key: 'problem.text' },
  { pattern: /^must be 1-(\d+) characters$/, key: 'problem.maxLength', params: (m) => ({ max: Number(m[1]) }) },
  { pattern: /^must not precede circumstanceFrom$/, key: 'problem.untilBeforeFrom' },
  { pattern: /^must not lie after permitGrantedOn$/, key: 'problem.birthAfterPermit' },
  { pattern: /^exempted on (\S+): there is no term left to extend$/, key: 'problem.extension.exempted', params: (m) => ({ date: m[1]! }), dates: ['date'] },
  { pattern: /^the inburgeringsplicht was met on (\S+)$/, key: 'problem.extension.met', params: (m) => ({ date: m[1]! }), dates: ['date'] },
  { pattern: /^the inburgeringstermijn has not started/, key: 'problem.extension.notStarted' },
  { pattern: /^must not precede the start of the term \((\S+)\)$/, key: 'problem.extension.beforeTerm', params: (m) => ({ date: m[1]! }), dates: ['date'] },
  { pattern: /^the circumstance must last (?:more than|at least) (\d+) months$/, key: 'problem.extension.short', params: (m) => ({ months: Number(m[1]) }) },
  { pattern: /^at least (\d+) hours of lessons/, key: 'problem.extension.lessonHours', params: (m) => ({ hours: Number(m[1]) }) },
  { pattern: /^every missing exam part must have been tried at least (\d+) times$/, key: 'problem.extension.attempts', params: (m) => ({ attempts: Number(m[1]) }) },
  { pattern: /^an illness extension can be requested only after 2\.5 years of the term \(from (\S+)\)$/, key: 'problem.extension.illnessTooEarly', params: (m) => ({ date: m[1]! }), dates: ['date'] },
  { pattern: /^an extension was already granted on (\S+) for/, key: 'problem.extension.twice', params: (m) => ({ date: m[1]! }), dates: ['date'] },
  { pattern: /^not a ground under /, key: 'problem.extension.ground' },
  { pattern: /^must be the next(?:PageToken|Cursor) of a previous page$/, key: 'problem.invalid' },
  { pattern: /^a PIP or plan of approach must not lie before the permit \((\S+)\)$/, key: 'problem.pipBeforePermit', params: (m) => ({ date: m[1]! }), dates: ['date'] },
  { pattern: /^must be later than the current final date of the inburgering term \((\S+)\)$/, key: 'problem.newFinalDate', params: (m) => ({ date: m[1]! }), dates: ['date'] },
  { pattern: /^(?:must be an object|unknown event type|invalid data)$/, key: 'problem.invalid' },
  // Issue 23 (api/brp.ts)
  { pattern: /^unknown to the BRP$/, key: 'problem.brpUnknownBsn' },
  { pattern: /^has no BRP connection$/, key: 'problem.brpNotConfigured' },
  // Every field message of api/schemas.ts named in words (trial finding 13; test/unit/web/problems.test.ts checks the list).
  { pattern: /^is not a valid BSN/, key: 'problem.bsn' },
  { pattern: /^must be 1-64 characters of A-Z, a-z, 0-9, _ or -$/, key: 'problem.personRef' },
  { pattern: /^give a personRef, a bsn, or both$/, key: 'problem.personRefOrBsn' },
  { pattern: /^give a permitGrantedOn, a birthDate, or both$/, key: 'problem.dateOrBirth' },
  { pattern: /^give either assignee or pool: true$/, key: 'problem.assigneeOrPool' },
  { pattern: /^give either taskIds or holder$/, key: 'problem.tasksOrHolder' },
  { pattern: /^is the holder$/, key: 'problem.isHolder' },
  { pattern: /^names a task twice$/, key: 'problem.taskTwice' },
  { pattern: /^must not lie before occurredOn$/, key: 'problem.beforeOccurred' },
  { pattern: /^must be a lowercase slug$/, key: 'problem.option' },
  // What a page never sends wrong itself (the envelope of a CloudEvent, a page token): said as a technical refusal.
  { pattern: /^(?:must be a JSON media type|must be an RFC 3339 date-time|must be the nextCursor|must not contain lone surrogates|unknown attribute \(extension names)/, key: 'problem.technical' },
];

/** The BRP's problem codes (api/brp.ts) that carry no field error. */
const BRP_CODES: Record<string, MessageKey> = {
  'brp-unavailable': 'problem.brpUnavailable',
  'brp-refused': 'problem.brpRefused',
  'brp-proposal-stale': 'problem.brpStale',
  'brp-not-configured': 'problem.brpNotConfigured',
  'journey-not-ended': 'problem.journeyNotEnded',
};

/** One API (or refined-schema) message in the page's language; an unknown one is said generically. */
export function messageText(t: Translate, lang: Lang, message: string): string {
  for (const code of PROBLEM_CODES) {
    const m = code.pattern.exec(message);
    if (!m) continue;
    const params = code.params?.(m) ?? {};
    for (const [name, value] of Object.entries(params)) {
      if (code.dates?.includes(name)) params[name] = formatDate(lang, String(value));
      else if (typeof value === 'number') params[name] = formatNumber(lang, value);
    }
    return t(code.key, params);
  }
  return t('problem.notAccepted');
}

/** The API's field errors in the page's language, by the same paths. */
export function fieldErrorsShown(t: Translate, lang: Lang, errors: FieldError[] | undefined): ShownError[] {
  return (errors ?? []).map((e) => ({ path: e.path, message: messageText(t, lang, e.message) }));
}

/** An instrument's eligibility rule (`<kind>.<rule id>`, domain/instruments.ts) in words, with the policy's figures. */
function ruleText(t: Translate, lang: Lang, rule: string, policy: Policy | undefined): string {
  const [kind, id] = rule.split(/\.(.+)/) as [string, string | undefined];
  const instrument = policy?.instruments[kind as keyof Policy['instruments']];
  const label = t(`option.instrument.${kind}`);
  const params: Params = { kind: label };
  if (instrument?.minAge !== undefined) params.age = instrument.minAge;
  if (instrument?.minEmployerJobCommitmentMonths !== undefined) params.months = instrument.minEmployerJobCommitmentMonths;
  if (instrument?.distance !== undefined) params.distance = t(`option.distance.${instrument.distance}`);
  if (instrument?.plaatsingGrounds) {
    params.years = formatNumber(lang, instrument.plaatsingGrounds.minUnemploymentBenefitYears);
    params.age = instrument.plaatsingGrounds.minAge;
  }
  const key = `problem.rule.${id ?? ''}`;
  const text = t(key, params);
  const said = text === key ? t('problem.notAccepted') : text;
  return instrument ? `${said} (${legalCitation(lang, instrument.source)})` : said;
}

/**
 * A legal citation for a reader: the verordening's article without the project's own references to its
 * seed document ("(seed §3.2.3)") and, on a Dutch page, a stand-in's English note said in Dutch.
 */
export function legalCitation(lang: Lang, source: string): string {
  let text = source.replace(/\s*\((?:seed|Seed) §[^)]*\)/g, '').replace(/;\s*$/, '');
  text = text.replace(/^Borger-Odoorn's verordening used as a stand-in \(the seed does not give Midden-Drenthe's\):\s*/, lang === 'nl' ? 'voorlopig die van Borger-Odoorn: ' : "Borger-Odoorn's, as a stand-in: ");
  return text.trim();
}

/**
 * A refused request in the page's language: one sentence for the whole (by status and the problem's
 * stable members), and the field errors by field. `policy` gives an eligibility rule its figures.
 */
export function problemShown(t: Translate, lang: Lang, problem: ProblemBody & { rule?: string; reason?: string; taskStatus?: string }, policy?: Policy): { message: string; errors: ShownError[] } {
  const errors = fieldErrorsShown(t, lang, problem.errors);
  if (typeof problem.rule === 'string') return { message: t('action.refused', { detail: ruleText(t, lang, problem.rule, policy) }), errors: errors.map((e) => ({ ...e, message: ruleText(t, lang, problem.rule!, policy) })) };
  let message: string;
  // Issue 23: the BRP's refusals by their code (api/brp.ts), in the page's language.
  const brpCode = (problem as { code?: unknown }).code;
  const brpMessage = BRP_CODES[typeof brpCode === 'string' ? brpCode : ''];
  if (brpMessage && errors.length === 0) return { message: t(brpMessage), errors };
  switch (problem.status) {
    case 401:
      message = t('signIn.expired');
      break;
    case 403:
      message = t('error.forbidden');
      break;
    case 404:
      message = t('error.notFound');
      break;
    case 409:
      message = problem.title === 'Journey ended' ? t('problem.journeyEnded') : problem.taskStatus ? t('problem.taskConflict', { status: t(`taskStatus.${problem.taskStatus}`) }) : t('problem.conflict');
      break;
    case 429:
      message = t('problem.tooMany');
      break;
    case 503:
      message = t('problem.unavailable');
      break;
    default:
      if (problem.status >= 500) message = t('problem.unavailable');
      else if (errors.length > 0) {
        // The journey's own rules refused it (a rejected update names its `reason`; an event it does not admit says so):
        // say why at the top too. A refusal of the request's shape only marks the fields.
        const byJourney = typeof problem.reason === 'string' || /^The journey does not admit/.test(problem.detail ?? '');
        const fieldless = errors.filter((e) => !/^(form\.)?[A-Za-z]+$/.test(e.path) || e.path === 'journey');
        message = byJourney || fieldless.length > 0 ? t('action.refused', { detail: (byJourney ? errors : fieldless).map((e) => e.message).join(' ') }) : t('form.errors');
      } else message = t('problem.notAccepted');
  }
  return { message, errors };
}
