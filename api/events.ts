/**
 * Partner milestones as CloudEvents 1.0 over HTTP (HTTP protocol binding 1.0.2): structured mode,
 * binary mode (attributes in `ce-` headers, the data as the body) and batch mode (answering per
 * event). Every mode maps to the same event, the same validation and the same idempotency.
 *
 * Idempotent by source + id across restarts through the audit trail (audit-store.ts): record →
 * signal → mark signalled. The 202 comes only after Temporal has accepted the signal, so an
 * accepted event is durable; a retry of a signalled event is a 200 duplicate and changes nothing.
 * A receipt that finds the event recorded but not yet signalled waits for the attempt under way, or
 * takes it over once that attempt has died, so of simultaneous duplicates exactly one is "new".
 */
import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import { eventDataObject, isEventType, withDataRules, WithdrawalDataSchema, type EventType, type JourneyEvent, type ActorRole } from '../domain/events';
import { domainRole } from '../identity/permissions';
import { mayAccessMunicipality, type Principal } from './auth';
import { visibleJourney, type ApiContext } from './context';
import { Problem, fieldErrors, problemBody, type FieldError } from './problem';
import { route, type RouteDef } from './route';
import { SHED_OR_UNAVAILABLE } from './back-pressure';
import { MAX_BATCH_EVENTS, TOO_MANY_EVENTS } from './limits';
import { admitOrRefuse, JourneyParams } from './journeys';
import { reportingRights } from './persons';
import { admissionNeedsJourney } from '../domain/admission';
import { INSTRUMENT_SOURCE, TASK_SOURCE } from '../domain/task-forms';
import { BatchResult, CloudEventBatch, CloudEventEnvelope, EventAccepted, isJsonMediaType, pastDate } from './schemas';

/**
 * Sources Koers itself signals journeys with (a completed task is `urn:nl:koers:tasks` + its key):
 * a partner may use none under `urn:nl:koers:`, an admin none of these (its corrections may use
 * other `urn:nl:koers:` names), so no outside event can take the key of one of the system's.
 * URN scheme and namespace are case-insensitive (RFC 8141), so the comparison is too.
 */
const RESERVED_SOURCE_PREFIX = 'urn:nl:koers:';
const SYSTEM_SOURCES = [TASK_SOURCE, INSTRUMENT_SOURCE];

function reservedSource(source: string, role: Principal['role']): boolean {
  const lower = source.toLowerCase();
  if (role === 'partner') return lower.startsWith(RESERVED_SOURCE_PREFIX) || lower === RESERVED_SOURCE_PREFIX.slice(0, -1);
  return SYSTEM_SOURCES.includes(lower);
}

/**
 * How long a receipt's claim on signalling an event lasts: longer than a Temporal call may take
 * (10 s by default), so a live attempt is never taken over, and a dead one holds retries this long at most.
 */
const CLAIM_LEASE_MS = 15_000;
const CLAIM_POLL_MS = 50;

const CE_HEADER = /^ce-([a-z0-9]{1,20})$/;

/**
 * The event of a binary-mode request: each `ce-<name>` header is attribute `<name>` (percent-decoded,
 * HTTP binding §3.1.3.2), `Content-Type` is `datacontenttype`, the body is `data`. Only JSON data is
 * taken (415 otherwise); the result is validated like a structured event.
 */
function fromBinaryMode(req: Request): Record<string, unknown> {
  const contentType = req.headers['content-type'];
  if (contentType === undefined || !isJsonMediaType(contentType)) {
    throw new Problem(415, 'Unsupported media type', 'Binary mode is accepted with JSON data only: send the data with Content-Type application/json (or another */json or */*+json type).');
  }
  const event: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  for (const [name, value] of Object.entries(req.headers)) {
    const attribute = CE_HEADER.exec(name)?.[1];
    if (!attribute || value === undefined) continue;
    try {
      event[attribute] = decodeURIComponent(Array.isArray(value) ? value.join(',') : value);
    } catch {
      errors.push({ path: attribute, message: `header ${name} is not valid percent-encoded UTF-8` });
    }
  }
  if (errors.length) throw new Problem(422, 'Invalid event', 'One or more attributes are invalid.', errors);
  event.datacontenttype = contentType;
  if (req.body !== undefined) event.data = req.body;
  return event;
}

/** JSON format §3.1: an attribute whose value is null is absent. `data` is no attribute and stays. */
function withoutNullAttributes(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  return Object.fromEntries(Object.entries(raw).filter(([name, value]) => value !== null || name === 'data'));
}

interface Outcome {
  status: number;
  duplicate?: boolean;
  problem?: Problem;
}

export function eventRoutes(ctx: ApiContext, before: RequestHandler[]): RouteDef[] {
  return [
    route(
      {
        method: 'post',
        path: '/v1/journeys/{journeyId}/events',
        operationId: 'reportMilestone',
        summary: 'Report a milestone as a CloudEvent (structured mode), or several (batch mode)',
        description:
          '`data.occurredOn` is the date the milestone happened; clocks run from it. The same `source` + `id` again: ' +
          '200 `{ "duplicate": true }` and nothing changes. A partner may send only its event types; a caseworker of the ' +
          "journey's municipality the types the municipality allows that role (its policy's `milestoneReporting`; by default " +
          'those that arrive by letter or portal), an admin every type (403 otherwise). Every event is recorded as reported ' +
          'by its sender (contract v1.2). A **correction** is asked for explicitly, by a caseworker or admin, with the ' +
          'extension attributes `koerscorrection: true` and `koersreason` (required then, 422 naming it): it replaces the ' +
          "fact, later partner events of its type no longer override it, and the timeline shows what it replaced. A correction " +
          'with `data: { "occurredOn": …, "withdrawn": true }` withdraws the milestone. Any event may carry the extension ' +
          'attribute `koersnote` (at most 500 characters: the letter\'s reference or a remark); it is kept sealed and shown in ' +
          'the timeline with the report. Batch mode ' +
          '(`application/cloudevents-batch+json`) answers 207 with the status each event would have had alone. Limited (429 with `Retry-After`): ' +
          'the events of a key per minute, a batch counting each of its events, and the new events of a journey per day (an event over that budget ' +
          "answers 429, in a batch as its own result). A key bound to CloudEvents sources sends only under them; a key bound to none only under sources no key is bound to (403).",
        tags: ['events'],
        params: JourneyParams,
        body: {
          content: {
            'application/cloudevents+json': CloudEventEnvelope,
            'application/json': CloudEventEnvelope,
            'application/cloudevents-batch+json': CloudEventBatch,
          },
          schema: z.unknown(),
          raw: true,
        },
        responses: {
          202: { description: 'Accepted: Temporal has the event', schema: EventAccepted },
          200: { description: 'A duplicate: accepted before, nothing changed', schema: EventAccepted },
          207: { description: 'Batch mode: one result per event, in order', schema: BatchResult },
          403: { description: 'This key may not send this type (a partner: its key; a caseworker: the municipality\'s `milestoneReporting`), nor under this source (another key\'s), or a partner asked for a correction', contentType: 'application/problem+json' },
          409: { description: 'The journey has ended, or this source + id was used for another journey', contentType: 'application/problem+json' },
          429: TOO_MANY_EVENTS,
          503: SHED_OR_UNAVAILABLE,
        },
      },
      async ({ req, principal, params }) => {
        // Visibility first: an invisible journey is a 404 for the whole request, batch or not.
        const { municipality } = await visibleJourney(ctx, principal, params.journeyId);
        const target = { journeyId: params.journeyId, municipality };
        if (req.is('application/cloudevents-batch+json')) {
          // An empty batch is valid (JSON format §4); it answers an empty list of results.
          const batch = z.array(z.unknown()).max(MAX_BATCH_EVENTS).safeParse(req.body);
          if (!batch.success) throw new Problem(422, 'Invalid request', `A batch is an array of at most ${MAX_BATCH_EVENTS} CloudEvents.`, fieldErrors(batch.error));
          const results = [];
          // One deadline for the whole batch (one Temporal call's): a stalled Temporal holds the request
          // that long, not that long per event. Past it, or once Temporal has not answered, the events
          // left are not tried and answer 503 each: nothing of them is recorded, the partner sends them again.
          const deadline = Date.now() + ctx.temporal.timeoutMs;
          let unavailable: Problem | undefined;
          // In order, one at a time: events of one journey may depend on each other's order.
          for (const [index, raw] of batch.data.entries()) {
            const outcome: Outcome =
              unavailable || Date.now() >= deadline
                ? notTried(unavailable)
                : await handleEvent(ctx, principal, target, raw, `${index}`, deadline).catch(toOutcome);
            if (outcome.status === 503) unavailable ??= outcome.problem;
            const envelope = raw as { id?: unknown; source?: unknown };
            results.push({
              index,
              ...(typeof envelope?.id === 'string' ? { id: envelope.id } : {}),
              ...(typeof envelope?.source === 'string' ? { source: envelope.source } : {}),
              status: outcome.status,
              ...(outcome.duplicate !== undefined ? { duplicate: outcome.duplicate } : {}),
              ...(outcome.problem ? { problem: problemBody(outcome.problem) } : {}),
            });
          }
          return { status: 207, body: { results } };
        }
        let raw: unknown;
        if (req.is('application/cloudevents+json')) raw = req.body;
        else if (req.headers['ce-specversion'] !== undefined) raw = fromBinaryMode(req);
        else if (req.is('application/json')) raw = req.body;
        else throw new Problem(415, 'Unsupported media type', 'Send one CloudEvent in structured mode (application/cloudevents+json or application/json), in binary mode (ce- headers with JSON data), or a batch (application/cloudevents-batch+json).');
        const outcome = await handleEvent(ctx, principal, target, raw, '');
        if (outcome.problem) throw outcome.problem;
        return { status: outcome.status, body: { duplicate: outcome.duplicate ?? false } };
      },
      before,
    ),
  ];
}

/** An event of a batch left untried: Temporal did not answer an earlier one, or the batch's deadline passed. */
function notTried(cause: Problem | undefined): Outcome {
  const detail = cause ? 'Not tried: Temporal did not answer an earlier event of this batch; send this event again shortly.' : "Not tried: the batch's deadline passed; send this event again shortly.";
  return { status: 503, problem: Problem.unavailable('Service unavailable', detail) };
}

function toOutcome(err: unknown): Outcome {
  if (err instanceof Problem) return { status: err.status, problem: err };
  throw err;
}

/** A correction as asked for (contract v1.2): `koerscorrection` true (a string in binary mode) and its `koersreason`. */
interface CorrectionAsked {
  correction: boolean;
  reason?: string;
  /** The reporter's note (`koersnote`, any event): the letter's reference or a remark, at most {@link NOTE_MAX} characters. */
  note?: string;
}

/** The longest `koersnote` (characters). */
export const NOTE_MAX = 500;

/** The extension attributes of a correction; wrong ones are listed with the event's other errors. */
function correctionOf(raw: unknown, prefix: string, errors: FieldError[]): CorrectionAsked {
  const event = (typeof raw === 'object' && raw !== null ? raw : {}) as { koerscorrection?: unknown; koersreason?: unknown; koersnote?: unknown };
  const path = (name: string) => [prefix, name].filter(Boolean).join('.');
  const flag = event.koerscorrection;
  let correction = false;
  if (flag === true || flag === 'true') correction = true;
  else if (flag !== undefined && flag !== false && flag !== 'false') errors.push({ path: path('koerscorrection'), message: 'must be true or false' });
  const reason = typeof event.koersreason === 'string' ? event.koersreason.trim() : undefined;
  if (event.koersreason !== undefined && typeof event.koersreason !== 'string') errors.push({ path: path('koersreason'), message: 'must be a string' });
  else if (correction && !reason) errors.push({ path: path('koersreason'), message: 'is required with koerscorrection: why the fact is corrected' });
  else if (reason !== undefined && reason.length > 500) errors.push({ path: path('koersreason'), message: 'must be at most 500 characters' });
  else if (reason && !correction) errors.push({ path: path('koersreason'), message: 'belongs to a correction: send koerscorrection: true with it' });
  const note = typeof event.koersnote === 'string' ? event.koersnote.trim() : undefined;
  if (event.koersnote !== undefined && typeof event.koersnote !== 'string') errors.push({ path: path('koersnote'), message: 'must be a string' });
  else if (note !== undefined && note.length > NOTE_MAX) errors.push({ path: path('koersnote'), message: `must be at most ${NOTE_MAX} characters` });
  return { correction, ...(correction && reason ? { reason } : {}), ...(note ? { note } : {}) };
}

/** Validates every attribute and the data for its type, listing all wrong fields at once. */
function parseEvent(
  given: unknown,
  today: string,
  prefix: string,
): { envelope: z.output<typeof CloudEventEnvelope>; data: Record<string, unknown>; asked: CorrectionAsked } {
  const raw = withoutNullAttributes(given);
  const envelope = CloudEventEnvelope.safeParse(raw);
  const errors: FieldError[] = envelope.success ? [] : fieldErrors(envelope.error, prefix);
  const asked = correctionOf(raw, prefix, errors);
  const type = (raw as { type?: unknown } | null)?.type;
  const rawData = (raw as { data?: unknown } | null)?.data;
  let data: Record<string, unknown> | undefined;
  if (typeof type === 'string' && isEventType(type) && rawData !== undefined) {
    const withdrawal = asked.correction && typeof rawData === 'object' && rawData !== null && (rawData as { withdrawn?: unknown }).withdrawn !== undefined;
    const parsed = (withdrawal ? WithdrawalDataSchema.strict().extend({ occurredOn: pastDate(today) }) : strictDataSchema(type, today)).safeParse(rawData);
    if (parsed.success) data = parsed.data as Record<string, unknown>;
    else errors.push(...fieldErrors(parsed.error, [prefix, 'data'].filter(Boolean).join('.')).filter((e) => !errors.some((x) => x.path === e.path)));
  }
  if (errors.length > 0 || !envelope.success || !data) {
    throw new Problem(422, 'Invalid event', 'One or more attributes are invalid.', errors.length ? errors : [{ path: prefix || '(body)', message: 'invalid event' }]);
  }
  return { envelope: envelope.data, data, asked };
}

/**
 * The domain's schema for the type, made strict at this boundary: a misspelt optional field
 * (`leeroute`) would otherwise be dropped silently. `occurredOn` may not lie after today.
 */
function strictDataSchema(type: EventType, today: string): z.ZodType {
  const base = eventDataObject(type);
  return withDataRules(type, base.strict().extend({ occurredOn: pastDate(today) }));
}

/**
 * Whether the sender may send this type, as a report or a correction: a partner by its key (and never a
 * correction), staff by the municipality's configuration (domain/reporting.ts). A problem when not.
 */
async function refusal(ctx: ApiContext, principal: Principal, municipality: string, type: EventType, correction: boolean): Promise<Problem | undefined> {
  if (principal.role === 'partner') {
    if (!principal.eventTypes.includes(type)) return new Problem(403, 'Forbidden', `This key may not send events of type ${type}.`);
    if (correction) return new Problem(403, 'Forbidden', 'A partner reports milestones; corrections are made by the municipality.', undefined, { code: 'correction-not-allowed' });
    return undefined;
  }
  // One rule with what the pages offer (api/persons.ts reportingRights; a team lead reports as a caseworker).
  const role = domainRole(principal.role);
  if (role !== 'admin' && role !== 'caseworker') return new Problem(403, 'Forbidden', 'This key may not send events.');
  const rights = await reportingRights(ctx, principal, municipality);
  if ((correction ? rights.correct : rights.report).includes(type)) return undefined;
  return new Problem(
    403,
    'Forbidden',
    correction ? `${municipality} does not allow caseworkers to correct ${type}.` : `${municipality} does not allow caseworkers to report ${type}.`,
    undefined,
    { code: correction ? 'correction-not-allowed' : 'report-not-allowed', eventType: type },
  );
}

/** One event; `deadline` (epoch ms) bounds its signal, the batch's deadline in batch mode. */
async function handleEvent(ctx: ApiContext, principal: Principal, target: { journeyId: string; municipality: string }, raw: unknown, prefix: string, deadline?: number): Promise<Outcome> {
  const { journeyId } = target;
  const type = (raw as { type?: unknown } | null)?.type;
  // A partner's key names the types it may send; that is a 403 whatever else is wrong.
  if (principal.role === 'partner' && typeof type === 'string' && isEventType(type) && !principal.eventTypes.includes(type)) {
    ctx.metrics.partnerEvents.inc({ type, outcome: 'forbidden' });
    return { status: 403, problem: new Problem(403, 'Forbidden', `This key may not send events of type ${type}.`) };
  }
  let parsed;
  try {
    parsed = parseEvent(raw, ctx.today(), prefix);
  } catch (err) {
    ctx.metrics.partnerEvents.inc({ type: typeof type === 'string' && isEventType(type) ? type : 'unknown', outcome: 'rejected' });
    throw err;
  }
  const { envelope, data, asked } = parsed;
  const eventType = envelope.type as EventType;
  const forbidden = await refusal(ctx, principal, target.municipality, eventType, asked.correction);
  if (forbidden) {
    ctx.metrics.partnerEvents.inc({ type: eventType, outcome: 'forbidden' });
    return { status: 403, problem: forbidden };
  }
  if (reservedSource(envelope.source, principal.role)) {
    ctx.metrics.partnerEvents.inc({ type: eventType, outcome: 'rejected' });
    const path = [prefix, 'source'].filter(Boolean).join('.');
    return { status: 422, problem: new Problem(422, 'Invalid event', 'This source is reserved for Koers itself.', [{ path, message: `is reserved: Koers itself signals with sources under ${RESERVED_SOURCE_PREFIX}` }]) };
  }
  // A key sends only under its own sources, and a key bound to none only under sources no key is bound
  // to: nobody, partner, caseworker or admin, can send first under another partner's source + id, which
  // would make the real event a "duplicate" (idempotency is per journey + source + id). Every mode comes here.
  if (!ctx.keys.mayUseSource(principal, envelope.source)) {
    ctx.metrics.partnerEvents.inc({ type: eventType, outcome: 'forbidden' });
    const path = [prefix, 'source'].filter(Boolean).join('.');
    const message = principal.sources ? 'is not among the sources of this key' : 'belongs to another key: a partner\'s source';
    return { status: 403, problem: new Problem(403, 'Forbidden', `This key may not send events with source ${envelope.source}.`, [{ path, message }], { code: 'source-not-allowed' }) };
  }
  // Contract v1.2: a correction only when asked for; an admin's event is otherwise a report like anyone's.
  const correction = asked.correction;
  // A retry of an event this journey has recorded is a duplicate, whatever the journey's state is now:
  // the rules held when it was first received, and the event may have changed what they check (an
  // extension's retry is not "later than the current final date" it set itself); nor does it count
  // against the journey's budget, which it did when it was new.
  if ((await ctx.audit.get(journeyId, envelope)) === undefined) {
    // The journey's new events per day (api/limits.ts): 429 beyond them, nothing recorded.
    const overBudget = await ctx.eventBudget.refusal(journeyId, ctx.now());
    if (overBudget) {
      ctx.metrics.eventsLimited.inc({ limit: 'journey-budget' });
      ctx.logger.warn({ journeyId, keyId: principal.keyId, budget: ctx.eventBudget.perDay }, 'event refused: the journey\'s event budget for today is spent');
      return { status: 429, problem: overBudget };
    }
    if (admissionNeedsJourney({ type: eventType, correction })) {
      // A rule against the journey as it stands (a PIP after the permit, an extension that extends): 422, nothing recorded.
      const candidate = { source: envelope.source, id: envelope.id, type: eventType, occurredOn: data.occurredOn as string, data, receivedAt: new Date(ctx.now()).toISOString(), ...(correction ? { correction, reason: asked.reason } : {}) };
      await admitOrRefuse(ctx, principal, journeyId, candidate, (field) => [prefix, field].filter(Boolean).join('.'));
    }
  }

  // The same source + id on another journey the caller can see is a mistake worth a 409; on one it
  // cannot see (another municipality's) it is simply a new event here, so the answer reveals nothing.
  for (const other of await ctx.audit.otherJourneysWith(envelope.source, envelope.id, journeyId)) {
    const found = await ctx.temporal.municipalityOf(other);
    if (found && mayAccessMunicipality(principal, found.municipality)) {
      return { status: 409, problem: new Problem(409, 'Conflict', 'This source + id was already reported for another journey.', [{ path: [prefix, 'id'].filter(Boolean).join('.'), message: 'already used' }]) };
    }
  }

  const { entry, created } = await ctx.audit.record({
    source: envelope.source,
    id: envelope.id,
    journeyId,
    type: eventType,
    occurredOn: data.occurredOn as string,
    actor: { name: principal.name, role: principal.role },
    keyId: principal.keyId,
    correction,
    ...(asked.reason ? { reason: asked.reason } : {}),
    // Sealed like the person's details: a note about a letter may name the person.
    ...(asked.note ? { noteSealed: ctx.identity.sealDetail(journeyId, asked.note) } : {}),
    receivedAt: new Date(ctx.now()).toISOString(),
  });
  if (!created && (await awaitOrClaim(ctx, journeyId, entry)) === 'signalled') {
    ctx.metrics.partnerEvents.inc({ type: eventType, outcome: 'duplicate' });
    return { status: 200, duplicate: true };
  }
  // New, or recorded by an attempt that died before Temporal had it: (re)signal. The workflow dedupes too.
  const event: JourneyEvent = {
    source: entry.source,
    id: entry.id,
    type: eventType,
    occurredOn: data.occurredOn as string,
    data,
    receivedAt: entry.receivedAt,
    // A team lead reports as a caseworker (identity/permissions.ts domainRole).
    actor: { name: entry.actor.name, role: domainRole(entry.actor.role as Principal['role']) as ActorRole },
    ...(entry.correction ? { correction: true, ...(entry.reason ? { reason: entry.reason } : {}) } : {}),
  };
  try {
    // A journey that ended runs again under the same id (contract v1.2); a batch's deadline bounds the call.
    await ctx.temporal.signalEvent(journeyId, event, deadline === undefined ? undefined : deadline - Date.now());
  } catch (err) {
    // Let the next receipt signal at once instead of waiting for the claim to lapse.
    await ctx.audit.release(journeyId, entry).catch(() => undefined);
    throw err;
  }
  await ctx.audit.markSignalled(journeyId, entry.source, entry.id, new Date(ctx.now()).toISOString());
  ctx.metrics.partnerEvents.inc({ type: eventType, outcome: 'accepted' });
  ctx.logger.info({ journeyId, type: eventType, keyId: principal.keyId, resignal: !created }, 'event accepted');
  return { status: 202, duplicate: false };
}

/**
 * For an event recorded by an earlier receipt: 'signalled' once that receipt (or any) has signalled
 * it, 'claimed' when this receipt has taken over the signalling (the earlier one died or gave up).
 * Waits at most a claim's lease; past that the database is not answering as it should: 503.
 */
async function awaitOrClaim(ctx: ApiContext, journeyId: string, event: { source: string; id: string }): Promise<'signalled' | 'claimed'> {
  const deadline = Date.now() + CLAIM_LEASE_MS + 1000;
  for (;;) {
    const row = await ctx.audit.get(journeyId, event);
    if (row?.signalledAt) return 'signalled';
    const now = Date.now();
    if (await ctx.audit.claim(journeyId, event, new Date(now).toISOString(), new Date(now - CLAIM_LEASE_MS).toISOString())) return 'claimed';
    if (now > deadline) throw new Problem(503, 'Service unavailable', 'This event is being recorded by another request; try again shortly.');
    await new Promise((resolve) => setTimeout(resolve, CLAIM_POLL_MS));
  }
}
