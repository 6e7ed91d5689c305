/** Journeys: create and read (contract), and the administrator's list, count, timeline, caseworker and move. */
import crypto from 'node:crypto';
import type { Request } from 'express';
import { z } from 'zod';
import { admitEvent, admitStart } from '../domain/admission';
import { eventKey, type JourneyEvent } from '../domain/events';
import { regimeForPermit, type JourneyFacts } from '../domain/facts';
import { inburgeringsplicht } from '../domain/inburgeringsplicht';
import { assignCaseworkerSignal, moveMunicipalitySignal, type JourneyState, type StartJourneyInput } from '../workflows/definitions';
import { Journey as JourneyRules } from '../workflows/journey-state';
import type { JourneyListRow, StoredJourney } from '../store/journeys';
import { databaseUnavailable } from '../store/errors';
import { inTransaction } from '../store/db';
import { compareTimeline, decodeTimelineCursor, encodeTimelineCursor } from './audit-store';
import { viewOn } from '../store/journey-view';
import { journeySearchAttributePairs } from '../platform/search-attributes';
import { mayAccessMunicipality, type Principal } from './auth';
import { visibleJourney, type ApiContext } from './context';
import { Problem, notFound } from './problem';
import { route, type RouteDef } from './route';
import { requireColleague } from './staff';
import { SHED_OR_UNAVAILABLE } from './back-pressure';
import { allPages, CSV_RESPONSE, EXPORT_PAGE_SIZE, ExportLang, sendCsv, wordOf, type CsvColumn, journeyStatusWords } from './export';
import { municipalityName } from '../web/format';
import { personOf, reportingRights } from './persons';
import { recordingPages, recordProcessing } from './processing';
import { verifyBsnAtRegistration } from './brp';
import { JourneyAlreadyExists, type JourneyRun, type JourneyStatus } from './temporal';
import {
  AssignCaseworkerBody,
  CaseworkerAssigned,
  CreateJourneyRequest,
  CreateJourneyRequestDoc,
  Journey,
  JourneyCount,
  JourneyCountQuery,
  JourneyCreated,
  JourneyFound,
  JourneyList,
  JourneyLive,
  JourneyListQuery,
  JourneyMoved,
  LookupJourneyBody,
  MoveJourneyBody,
  Timeline,
  TimelineQuery,
  journeyIdSchema,
  type JourneyFilter,
} from './schemas';

export const JourneyParams = z.strictObject({ journeyId: journeyIdSchema });

const json = (schema: z.ZodType) => ({ 'application/json': schema });

export function journeyRoutes(ctx: ApiContext): RouteDef[] {
  const shown = shownBy(ctx);
  return [
    route(
      {
        method: 'post',
        path: '/v1/journeys',
        operationId: 'createJourney',
        summary: 'Start the journey of a statushouder',
        description: 'The same `personRef` in the same municipality again is a 409 naming the existing journey.',
        tags: ['journeys'],
        body: { content: json(CreateJourneyRequestDoc), schema: CreateJourneyRequestDoc, dated: CreateJourneyRequest },
        responses: {
          201: {
            description: 'Started',
            schema: JourneyCreated,
            headers: { Location: { description: 'The journey', schema: { type: 'string' } } },
          },
          409: { description: 'This person already has a journey in this municipality', contentType: 'application/problem+json' },
          503: SHED_OR_UNAVAILABLE,
        },
      },
      async ({ req, principal, body }) => {
        const policy = await ctx.policies.current(body.municipality);
        if (!policy) throw new Problem(422, 'Invalid request', 'Unknown municipality.', [{ path: 'municipality', message: `no policy for municipality "${body.municipality}"` }]);
        if (!mayAccessMunicipality(principal, body.municipality)) throw new Problem(403, 'Forbidden', `This key may not create journeys in ${body.municipality}.`);
        const start = admitStart(body);
        if (!start.ok) throw new Problem(422, 'Invalid request', `The journey cannot start: ${start.field} ${start.reason}.`, [{ path: start.field, message: start.reason }]);
        const journeyId = await newJourneyId(ctx, body.municipality, body.personRef);
        const regime = body.regime ?? regimeForPermit(body.permitGrantedOn);
        const conflict = (existing: string, by: 'personRef' | 'bsn' = 'personRef') =>
          new Problem(
            409,
            'Conflict',
            by === 'bsn' ? 'A journey for this BSN already exists in this municipality.' : 'This person already has a journey in this municipality.',
            [{ path: by, message: by === 'bsn' ? 'already has a journey in this municipality' : 'already has a journey in this municipality' }],
            { journeyId: existing, location: `/v1/journeys/${existing}`, matchedOn: by, code: 'journey-exists' },
          );
        // Registering the person is a processing of their data, recorded whether it starts the journey or not (api/processing.ts).
        const subject = body.bsn ? { bsn: body.bsn, journeyId } : { journeyId };
        return recordProcessing(ctx, { req, principal }, { activity: 'person-registration', subject }, async (op) => {
          // Issue 23: a BSN the municipality's BRP does not know starts nothing (the BRP query is part of the registration's trace).
          await verifyBsnAtRegistration(ctx, principal, body.municipality, body.bsn, op);
          // The index, not the derived id, knows a journey that moved here or one Temporal has forgotten,
          // and the journey of this BSN under another reference (contract v1.2).
          const claim = await ctx.persons.claim(body.municipality, ctx.identity.personKey(body.personRef), journeyId, personDetails(ctx, journeyId, body));
          if (!claim.claimed) throw conflict(claim.journeyId, claim.by);
          const input: StartJourneyInput = {
            journeyId,
            municipality: body.municipality,
            regime,
            permitGrantedOn: body.permitGrantedOn,
            ...(body.birthDate ? { birthDate: body.birthDate } : {}),
            ...(body.bsn ? { bsnCiphertext: ctx.identity.encryptBsn(journeyId, body.bsn) } : {}),
            policy,
            ...(ctx.maxHistoryEvents ? { maxHistoryEvents: ctx.maxHistoryEvents } : {}),
          };
          // The journey's own rules on its first day: what its first workflow task computes.
          const rules = new JourneyRules(input, undefined, ctx.now);
          const firstDay = rules.derive();
          try {
            // Set at start so visibility (and so access checks) know the journey before its first task runs;
            // the same ones that task computes, so it upserts none (issue 25: an upsert is a visibility write).
            await ctx.temporal.start(input, journeySearchAttributePairs(rules.searchSummary(firstDay)));
          } catch (err) {
            if (err instanceof JourneyAlreadyExists) {
              // Started by an earlier try whose answer was lost (or before the index existed): the entry says so from now on.
              await ctx.persons.started(journeyId);
              throw conflict(journeyId);
            }
            throw err;
          }
          // Should the index write fail, the journey runs and a second create still meets Temporal's own 409, which marks it.
          // The two writes are independent: one round trip's wait instead of two.
          await Promise.all([ctx.persons.started(journeyId), writeStartRow(ctx, rules.projection(firstDay, 'running', new Date(ctx.now()).toISOString()), input)]);
          ctx.logger.info({ journeyId, municipality: body.municipality, regime }, 'journey started');
          return {
            status: 201,
            headers: { Location: `/v1/journeys/${journeyId}` },
            body: { journeyId, municipality: body.municipality, regime, policy: { id: policy.id, version: policy.version } },
          };
        });
      },
      [ctx.backPressure.middleware],
    ),

    route(
      {
        method: 'get',
        path: '/v1/journeys',
        operationId: 'listJourneys',
        summary: 'List journeys by municipality, phase, regime, overdue, next final date, caseworker',
        description:
          'From the journeys read model (the store): newest first, paged by `pageToken`. `overdue` is as of today; ' +
          '`deadlineFrom`/`deadlineTo` (and `clock`) select journeys with an open deadline in that window; `permitMonth` ' +
          'those whose permit was granted in that month (the journeys a month of `GET /v1/statistics` counts).',
        tags: ['administration'],
        query: JourneyListQuery,
        responses: { 200: { description: 'A page of journeys', schema: JourneyList } },
      },
      async ({ query }) => {
        const { pageSize, pageToken, ...filter } = query;
        const page = await ctx.journeys.list(searchFilter(ctx, filter), ctx.today(), pageSize, pageToken);
        const staff = await revealStaff(ctx, page.journeys.map((j) => j.caseworker.id));
        return {
          status: 200,
          body: { journeys: page.journeys.map((j) => summary(j, staff)), ...(page.nextCursor ? { nextPageToken: page.nextCursor } : {}) },
        };
      },
    ),

    route(
      {
        method: 'get',
        path: '/v1/journeys/count',
        operationId: 'countJourneys',
        summary: 'Count journeys with the same filters as the list, in all and per municipality and phase',
        tags: ['administration'],
        query: JourneyCountQuery,
        responses: { 200: { description: 'The count', schema: JourneyCount } },
      },
      async ({ query }) => {
        const groups = await ctx.journeys.countByMunicipalityAndPhase(searchFilter(ctx, query), ctx.today());
        return { status: 200, body: { count: groups.reduce((n, g) => n + g.count, 0), groups: groups.map((g) => ({ ...g, phase: g.phase as JourneyState['phase'] })) } };
      },
    ),

    route(
      {
        method: 'get',
        path: '/v1/journeys/export',
        operationId: 'exportJourneys',
        summary: 'Every journey the list filters find, as CSV',
        description: "The list's rows and columns (`GET /v1/journeys`), all of them, newest first, streamed page by page (api/export.ts).",
        tags: ['administration'],
        query: JourneyCountQuery.extend(ExportLang.shape),
        responses: { 200: CSV_RESPONSE },
      },
      async ({ req, res, principal, query: { lang, ...query } }) => {
        const filter = searchFilter(ctx, query);
        const today = ctx.today();
        // Each row is a person's journey: an export of their data, recorded per journey (api/processing.ts).
        const rows = allPages(
          recordingPages(
            ctx,
            { req, principal },
            async (cursor) => {
            const page = await ctx.journeys.list(filter, today, EXPORT_PAGE_SIZE, cursor);
            const staff = await revealStaff(ctx, page.journeys.map((j) => j.caseworker.id));
            return { items: page.journeys.map((j) => summary(j, staff)), ...(page.nextCursor ? { next: page.nextCursor } : {}) };
            },
            (j) => j.journeyId,
          ),
        );
        await sendCsv(res, `trajecten-${today}.csv`, JOURNEY_COLUMNS, rows, lang);
        return { status: 200 };
      },
    ),

    route(
      {
        method: 'post',
        path: '/v1/journeys/lookup',
        operationId: 'lookupJourney',
        summary: "Find a journey by the municipality's own person reference",
        description:
          "Found through the person index, so a journey that moved here is found here (and no longer where it was). The personRef travels in the body, never in a URL. A journey the caller may not see is a 404 like one that does not exist.",
        tags: ['journeys'],
        body: { content: json(LookupJourneyBody), schema: LookupJourneyBody },
        responses: {
          200: { description: 'The journey exists', schema: JourneyFound },
          404: { description: 'No journey of this person in this municipality that the caller may see', contentType: 'application/problem+json' },
        },
      },
      async ({ principal, body }) => {
        if (!mayAccessMunicipality(principal, body.municipality)) throw notFound('journey');
        const journeyId = await lookupJourneyId(ctx, body.municipality, body.personRef);
        if (!journeyId) throw notFound('journey');
        const run = await visibleJourney(ctx, principal, journeyId);
        // The journey must be in the municipality asked about now: after a move it is found there, not where it was.
        if (run.municipality !== body.municipality) throw notFound('journey');
        return { status: 200, body: { journeyId, location: `/v1/journeys/${journeyId}` } };
      },
    ),

    route(
      {
        method: 'get',
        path: '/v1/journeys/{journeyId}',
        operationId: 'getJourney',
        summary: 'Read a journey: clocks and open tasks; its full state for admins and caseworkers',
        description:
          'A change caused by an accepted event is visible here within a second of the 202. The BSN appears only here, only for admins and caseworkers. ' +
          "Read from the journeys read model (the store), with date-dependent status (a clock overdue since midnight, the phase) derived for today; a journey that has written no row yet is asked directly.",
        tags: ['journeys'],
        params: JourneyParams,
        responses: { 200: { description: 'The journey', schema: Journey } },
      },
      async ({ req, principal, params }) => {
        const stored = await storedJourney(ctx, params.journeyId);
        if (stored) {
          if (!mayAccessMunicipality(principal, stored.municipality)) throw notFound('journey');
          const status = stored.runStatus as JourneyStatus;
          if (status !== 'running' && status !== 'completed') {
            return { status: 200, body: presentHalted(params.journeyId, { municipality: stored.municipality, status, running: false, regime: stored.regime, phase: stored.phase }) };
          }
          const bsn = principal.role === 'partner' ? undefined : decryptBsn(ctx, params.journeyId, stored.bsnCiphertext);
          const state = await revealState(ctx, viewOn(stored.view, ctx.today()));
          const person = await personOf(ctx, principal, params.journeyId);
          return shown({ req, principal }, params.journeyId, bsn, person, async () => ({ status: 200, body: { ...presentJourney(state, principal, bsn), ...person, ...(await staffRights(ctx, principal, stored.municipality)), status } }));
        }
        // A journey started before the read model, until its next workflow task writes its row (or the store is down).
        const run = await visibleJourney(ctx, principal, params.journeyId);
        // A journey that cannot run shows that, not the clocks it had when it stopped as if they still ran.
        if (run.status !== 'running' && run.status !== 'completed') return { status: 200, body: presentHalted(params.journeyId, run) };
        const state = await queryState(ctx, principal, params.journeyId);
        const bsn = principal.role === 'partner' ? undefined : decryptBsn(ctx, params.journeyId, (await ctx.temporal.startInput(params.journeyId))?.bsnCiphertext);
        const person = await personOf(ctx, principal, params.journeyId);
        return shown({ req, principal }, params.journeyId, bsn, person, async () => ({
          status: 200,
          body: { ...presentJourney(await revealState(ctx, state), principal, bsn), ...person, ...(await staffRights(ctx, principal, run.municipality)), status: run.status },
        }));
      },
    ),

    route(
      {
        method: 'get',
        path: '/v1/journeys/{journeyId}/live',
        operationId: 'getJourneyLive',
        summary: "The journey's live state (a workflow query) beside its read-model row: for consistency checks and debugging",
        description: 'Needs the journey\'s worker (503 without one). `projection.matches` compares the stored view, dated to the live day, with the live one.',
        tags: ['administration'],
        params: JourneyParams,
        responses: { 200: { description: 'Live state and read-model row', schema: JourneyLive } },
      },
      async ({ req, principal, params }) => {
        const run = await visibleJourney(ctx, principal, params.journeyId);
        const live = await queryState(ctx, principal, params.journeyId);
        const stored = await ctx.journeys.get<JourneyState>(params.journeyId);
        const bsn = decryptBsn(ctx, params.journeyId, stored?.bsnCiphertext ?? (await ctx.temporal.startInput(params.journeyId))?.bsnCiphertext);
        return shown({ req, principal }, params.journeyId, bsn, {}, async () => ({
          status: 200,
          body: {
            journeyId: params.journeyId,
            live: { ...presentJourney(await revealState(ctx, live), principal, bsn), status: run.status },
            ...(stored
              ? { projection: { seq: stored.seq, updatedAt: stored.updatedAt, matches: JSON.stringify(viewOn(stored.view, live.today)) === JSON.stringify(live) } }
              : {}),
          },
        }));
      },
    ),

    route(
      {
        method: 'get',
        path: '/v1/journeys/{journeyId}/events',
        operationId: 'getJourneyTimeline',
        summary: 'The event timeline: every milestone with who reported it, with which key, and policy amendments',
        description:
          'Oldest first, in pages of `pageSize` events (default 500): `nextPageToken` is there while later events are, and is passed as `pageToken` for the next page. ' +
          'Every page carries the policy amendments.',
        tags: ['administration'],
        params: JourneyParams,
        query: TimelineQuery,
        responses: { 200: { description: 'A page of the timeline, oldest first', schema: Timeline } },
      },
      async ({ principal, params, query }) => {
        const state = await readState(ctx, principal, params.journeyId);
        const after = query.pageToken ? (decodeTimelineCursor(query.pageToken) ?? undefined) : undefined;
        // One more than a page: any page takes at most `pageSize` of them, and the one more says a later page exists.
        const audit = await ctx.audit.pageForJourney(params.journeyId, after, query.pageSize + 1);
        // The journey keeps a bounded window of recent events (workflows/journey-state.ts): a signalled
        // event is applied unless the window records its rejection; older events have left the window.
        const rejected = new Map(state.events.filter((e) => e.outcome === 'rejected').map((e) => [eventKey(e), e.rejection]));
        // What a correction replaced, as the journey recorded it (in its window of recent events).
        const recorded = new Map(state.events.map((e) => [eventKey(e), e]));
        const correctionOf = (e: { correction?: boolean; reason?: string }, key: string) => {
          const entry = recorded.get(key);
          const reason = e.reason ?? entry?.reason;
          return e.correction
            ? { correction: true, ...(reason ? { reason } : {}), ...(entry?.replaced ? { replaced: entry.replaced } : {}), ...(entry?.withdrawn ? { withdrawn: true } : {}) }
            : {};
        };
        // The reporter's note (`koersnote`), sealed in the audit trail; one that no longer opens (another secret) is left out.
        const noteOf = (a: { noteSealed?: string }): string | undefined => {
          if (!a.noteSealed) return undefined;
          try {
            return ctx.identity.unsealDetail(params.journeyId, a.noteSealed);
          } catch {
            return undefined;
          }
        };
        const audited = await ctx.audit.recordedKeys(params.journeyId, state.events);
        const merged = [
          ...audit.map((a) => ({
            source: a.source,
            id: a.id,
            type: a.type,
            occurredOn: a.occurredOn,
            receivedAt: a.receivedAt,
            actor: a.actor,
            ...correctionOf(a, eventKey(a)),
            ...(noteOf(a) ? { note: noteOf(a) } : {}),
            keyId: a.keyId,
            ...(a.signalledAt ? { signalledAt: a.signalledAt } : {}),
            applied: a.signalledAt !== undefined && !rejected.has(eventKey(a)),
            ...(rejected.get(eventKey(a)) ? { rejection: rejected.get(eventKey(a)) } : {}),
          })),
          // Facts that did not come through this API's event endpoint (a completed task's form).
          ...state.events
            .filter((e) => !audited.has(eventKey(e)) && (!after || compareTimeline(e, after) > 0))
            .map((e) => ({
              source: e.source,
              id: e.id,
              type: e.type,
              occurredOn: e.occurredOn,
              receivedAt: e.receivedAt,
              ...(e.actor ? { actor: e.actor } : {}),
              ...correctionOf(e, eventKey(e)),
              applied: e.outcome !== 'rejected',
              ...(e.rejection ? { rejection: e.rejection } : {}),
            })),
        ].sort(compareTimeline);
        const events = merged.slice(0, query.pageSize);
        const last = events[events.length - 1];
        const next = merged.length > query.pageSize && last ? { nextPageToken: encodeTimelineCursor(last) } : {};
        return { status: 200, body: { journeyId: params.journeyId, events, amendments: state.amendments, ...next } };
      },
    ),

    route(
      {
        method: 'put',
        path: '/v1/journeys/{journeyId}/caseworker',
        operationId: 'assignCaseworker',
        summary: "Reassign the journey's caseworker (role, and optionally a staff id of an active colleague)",
        tags: ['administration'],
        params: JourneyParams,
        body: { content: json(AssignCaseworkerBody), schema: AssignCaseworkerBody },
        responses: {
          202: { description: 'Accepted by the journey', schema: CaseworkerAssigned },
          409: { description: 'The journey has ended', contentType: 'application/problem+json' },
          422: { description: "`id` is no active colleague serving the journey's municipality (staff directory), or another field is wrong", contentType: 'application/problem+json' },
        },
      },
      async ({ principal, params, body }) => {
        const { municipality } = await visibleJourney(ctx, principal, params.journeyId);
        if (body.id) await requireColleague(ctx.staff, body.id, municipality, 'id');
        const caseworker = { role: body.role, ...(body.id ? { id: body.id } : {}) };
        // The journey puts its caseworker's id in a search attribute, which Temporal stores in clear: it gets a pseudonym.
        let pseudonymous = caseworker;
        if (body.id && ctx.staffPseudonyms) {
          const pseudonym = ctx.identity.staffPseudonym(body.id);
          await ctx.staffPseudonyms.remember(pseudonym, body.id);
          pseudonymous = { ...caseworker, id: pseudonym };
        }
        await ctx.temporal.signal(params.journeyId, assignCaseworkerSignal, pseudonymous);
        ctx.logger.info({ journeyId: params.journeyId, role: body.role }, 'caseworker assigned');
        return { status: 202, body: { journeyId: params.journeyId, caseworker } };
      },
    ),

    route(
      {
        method: 'post',
        path: '/v1/journeys/{journeyId}/move',
        operationId: 'moveJourney',
        summary: "Move a journey to another municipality under that municipality's latest policy",
        description: "A warm hand-over: the journey's open tasks move to the new municipality's default team; its history stays.",
        tags: ['administration'],
        params: JourneyParams,
        body: { content: json(MoveJourneyBody), schema: MoveJourneyBody },
        responses: {
          202: { description: 'Accepted by the journey', schema: JourneyMoved },
          409: { description: 'Already in that municipality, the person already has a journey there, or the journey has ended', contentType: 'application/problem+json' },
        },
      },
      async ({ principal, params, body }) => ({ status: 202, body: await moveJourney(ctx, principal, params.journeyId, body.municipality, body.reason) }),
    ),
  ];
}

/**
 * Moves a journey to `municipality` under its current policy (the move route, and a confirmed BRP
 * proposal: api/brp.ts): the person index first, then the signal through the store's queue. Throws
 * 422 (unknown municipality), 404 (not visible), 409 (already there, ended, or the person has a journey there).
 */
export async function moveJourney(ctx: ApiContext, principal: Principal, journeyId: string, municipality: string, reasonGiven: string | undefined): Promise<{ journeyId: string; from: string; to: string; policy: { id: string; version: number }; reason?: string }> {
  const policy = await ctx.policies.current(municipality);
  if (!policy) throw new Problem(422, 'Invalid request', 'Unknown municipality.', [{ path: 'municipality', message: `no policy for municipality "${municipality}"` }]);
  const { municipality: from, running } = await visibleJourney(ctx, principal, journeyId);
  if (from === municipality) throw new Problem(409, 'Conflict', `The journey is already in ${from}.`);
  if (!running) throw Problem.journeyEnded();
  // The index first: a person with a journey there already cannot get a second one by a move.
  const indexed = await ctx.persons.move(journeyId, municipality);
  if (!indexed.moved) {
    throw new Problem(409, 'Conflict', `This person already has a journey in ${municipality}.`, undefined, {
      journeyId: indexed.journeyId,
      location: `/v1/journeys/${indexed.journeyId}`,
      municipality,
      code: 'journey-exists',
    });
  }
  // The move is in force for every access check before its 202 (issue 24, fault 10): the read model's
  // row and the open tasks say the new municipality in the same transaction as the signal the move
  // owes the journey, so a write from the old municipality after the 202 meets a 404. The signal is
  // then delivered at once or by the relay until Temporal has it (api/journey-signals.ts). Only a
  // failed transaction undoes the index entry; a slow Temporal never leaves the store and the journey apart.
  let queued;
  try {
    const signalId = await inTransaction(ctx.journeySignals.db, async (trx) => {
      await ctx.journeys.using(trx).move(journeyId, municipality);
      await ctx.tasks.using(trx).moveJourneyTasks(journeyId, municipality);
      return ctx.journeySignals.using(trx).enqueue({
        dedupeKey: `${moveMunicipalitySignal.name}:${journeyId}:${crypto.randomUUID()}`,
        journeyId,
        signal: moveMunicipalitySignal.name,
        arg: { municipality, policy, movedBy: principal.name, ...(reasonGiven?.trim() ? { reason: reasonGiven.trim() } : {}) },
      });
    });
    queued = await ctx.journeySignals.get(signalId);
  } catch (err) {
    await ctx.persons.move(journeyId, from).catch((undo: unknown) => ctx.logger.error({ journeyId, err: String(undo) }, 'person index not restored after a failed move'));
    throw err;
  }
  const delivered = queued ? await ctx.relay.deliver(queued) : true;
  ctx.logger.info({ journeyId, from, to: municipality, delivered }, 'journey moved');
  const reason = reasonGiven?.trim();
  return { journeyId, from, to: municipality, policy: { id: policy.id, version: policy.version }, ...(reason ? { reason } : {}) };
}

/**
 * The id for a new journey of this person here: derived from municipality + personRef, or, when that id
 * belonged to a journey that was erased, the next generation's (the person registered again is a new journey).
 */
async function newJourneyId(ctx: ApiContext, municipality: string, personRef: string): Promise<string> {
  for (let generation = 0; ; generation++) {
    const journeyId = ctx.identity.journeyId(municipality, personRef, generation);
    if (generation >= 100 || !(await ctx.persons.wasErased(journeyId))) return journeyId;
  }
}

/**
 * The journey of this reference in this municipality: the person index's (it follows moves and
 * re-registrations after an erasure); for a journey started before the index, the derived id, unless
 * the index has that id elsewhere (it moved away).
 */
export async function lookupJourneyId(ctx: ApiContext, municipality: string, personRef: string): Promise<string | undefined> {
  const indexed = await ctx.persons.find(municipality, ctx.identity.personKey(personRef), ctx.identity.refKey(personRef));
  if (indexed) return indexed;
  const derived = ctx.identity.journeyId(municipality, personRef);
  return (await ctx.persons.indexed(derived)) ? undefined : derived;
}

/** The keyed hashes and sealed texts the person index keeps of a registration (store/persons.ts). */
function personDetails(ctx: ApiContext, journeyId: string, body: { personRef: string; bsn?: string; name?: string }) {
  return {
    ...(body.bsn ? { bsnKey: ctx.identity.bsnKey(body.bsn) } : {}),
    refKey: ctx.identity.refKey(body.personRef),
    refSealed: ctx.identity.sealDetail(journeyId, body.personRef),
    ...(body.name ? { nameSealed: ctx.identity.sealDetail(journeyId, body.name), nameKeys: ctx.identity.nameKeys(body.name) } : {}),
  };
}

/** For staff: the milestone types they may report and correct here (contract v1.2), so the pages offer only those. */
async function staffRights(ctx: ApiContext, principal: Principal, municipality: string) {
  if (principal.role === 'partner') return {};
  try {
    return { milestoneReporting: await reportingRights(ctx, principal, municipality) };
  } catch (err) {
    // The municipality's policy is in the store: while it cannot be reached the journey still answers, without the rights.
    if (!databaseUnavailable(err)) throw err;
    return {};
  }
}

/** The state query, behind the same visibility rule as every other read. */
/**
 * Refuses with 422 (nothing changes) an event the journey would not admit as it stands now
 * (domain/admission.ts, the same check the workflow makes). `path` maps the rule's field to the
 * caller's (a batch index, a task form's field).
 */
export async function admitOrRefuse(ctx: ApiContext, principal: Principal, journeyId: string, event: JourneyEvent, path: (field: string) => string = (f) => f): Promise<void> {
  // The read model answers without waking the journey (a query replays it when it is not cached). It may
  // lag the journey by an event in flight; the journey applies the same rules again and records a refusal.
  const stored = await storedJourney(ctx, journeyId);
  const state = stored && mayAccessMunicipality(principal, stored.municipality) ? viewOn(stored.view, ctx.today()) : await readState(ctx, principal, journeyId);
  const verdict = admitEvent(event, state.milestones, state.clocks);
  if (!verdict.ok) throw new Problem(422, 'Invalid request', `The journey does not admit this: ${verdict.reason}.`, [{ path: path(verdict.field), message: verdict.reason }]);
}

/**
 * The journey's read-model row; undefined when it has none yet or the store cannot be reached for a
 * moment: then the journey itself answers (a workflow query), so reads outlive a store outage.
 */
async function storedJourney(ctx: ApiContext, journeyId: string): Promise<StoredJourney<JourneyState> | undefined> {
  try {
    return await ctx.journeys.get<JourneyState>(journeyId);
  } catch (err) {
    if (!databaseUnavailable(err)) throw err;
    ctx.logger.warn({ journeyId, code: (err as { code?: string }).code }, 'read model unavailable: asking the journey');
    return undefined;
  }
}

export async function readState(ctx: ApiContext, principal: Principal, journeyId: string): Promise<JourneyState> {
  await visibleJourney(ctx, principal, journeyId);
  return queryState(ctx, principal, journeyId);
}

/** The state query once visibility has allowed the read. */
async function queryState(ctx: ApiContext, principal: Principal, journeyId: string): Promise<JourneyState> {
  const state = await ctx.temporal.state(journeyId);
  // The municipality may have changed since visibility was read (a move): the state is the truth.
  if (!state || !mayAccessMunicipality(principal, state.municipality)) throw notFound('journey');
  return state;
}

/** The contract's journey; the full state for admins and caseworkers; personal data only where allowed. */
export function presentJourney(state: JourneyState, principal: Principal, bsn?: string) {
  const openTasks = state.openTasks.map((task) => ({
    taskId: task.taskId,
    kind: task.kind,
    dueDate: task.dueDate,
    followUpDate: task.followUpDate,
    candidateGroup: task.candidateGroup,
    ...(task.assignee ? { assignee: task.assignee } : {}),
    ...(task.clock ? { clock: task.clock } : {}),
    ...(task.advice ? { advice: task.advice } : {}),
  }));
  // The workflow's answer; a run from before it answered none is asked the same rule on its own today.
  const plicht = state.inburgeringsplicht ?? inburgeringsplicht(state.milestones as JourneyFacts, state.today);
  const contract = {
    journeyId: state.journeyId,
    municipality: state.municipality,
    regime: state.regime,
    phase: state.phase,
    inburgeringsplicht: { status: plicht.status, reason: plicht.reason, ...(plicht.startsOn ? { startsOn: plicht.startsOn } : {}) },
    clocks: state.clocks,
    openTasks,
  };
  if (principal.role === 'partner') return contract;
  // The birth date is personal data the clocks do not show; the journey keeps it for eligibility only.
  const { birthDate: _birthDate, ...milestones } = state.milestones as unknown as Record<string, unknown>;
  return {
    ...contract,
    today: state.today,
    policy: state.policy,
    caseworker: state.caseworker,
    milestones,
    ...(state.nextWakeUp ? { nextWakeUp: state.nextWakeUp } : {}),
    ladder: state.ladder,
    instruments: state.instruments,
    extensionRequests: state.extensionRequests as unknown as Record<string, unknown>[],
    amendments: state.amendments,
    notificationsSent: state.notificationsSent,
    ...(state.ended ? { ended: state.ended } : {}),
    ...(bsn ? { bsn } : {}),
  };
}

/** The stored view as of today: one definition, in the read model's room (store/journey-view.ts). */
export { viewOn } from '../store/journey-view';

/**
 * The row the API writes at start (seq 0; `row`: the journey's projection of its first day), so a GET
 * right after the 201 finds the journey; the journey's first write (seq 1) replaces it.
 */
async function writeStartRow(ctx: ApiContext, row: ReturnType<JourneyRules['projection']>, input: StartJourneyInput): Promise<void> {
  try {
    await ctx.journeys.write({ ...row, seq: 0, journeyId: input.journeyId, municipality: input.municipality, ...(input.bsnCiphertext ? { bsnCiphertext: input.bsnCiphertext } : {}) });
  } catch (err) {
    // The journey runs and writes its own row within its first workflow task; until then GET asks it.
    ctx.logger.warn({ journeyId: input.journeyId, err: err instanceof Error ? err.message : String(err) }, 'start row not written');
  }
}

/**
 * Answers `reply` as a processing of the person's data when it shows their BSN, reference or name
 * (activity `person-read`, api/processing.ts); an answer without any of them is no such processing.
 */
function shownBy(ctx: ApiContext) {
  return <T>(from: { req: Request; principal: Principal }, journeyId: string, bsn: string | undefined, person: { personRef?: string; name?: string }, reply: () => Promise<T>): Promise<T> =>
    bsn || person.personRef || person.name ? recordProcessing(ctx, from, { activity: 'person-read', subject: bsn ? { bsn, journeyId } : { journeyId } }, reply) : reply();
}

/** The BSN from its ciphertext, or undefined (none, or sealed under another secret: the journey stays readable without it). */
function decryptBsn(ctx: ApiContext, journeyId: string, ciphertext: string | undefined): string | undefined {
  if (!ciphertext) return undefined;
  try {
    return ctx.identity.decryptBsn(journeyId, ciphertext);
  } catch {
    ctx.logger.warn({ journeyId }, 'BSN could not be decrypted');
    return undefined;
  }
}

/**
 * Staff ids in place of the pseudonyms the journey carries, and each open task's holder as the task
 * store has it. The journey names its caseworker on the tasks it creates; who holds a task after that
 * (a claim, an unclaim, a reassignment, tasks that were open before the caseworker was assigned) is
 * the caseworkers' doing in the store, and the inbox shows the store: the journey's page must agree.
 */
async function revealState(ctx: ApiContext, state: JourneyState): Promise<JourneyState> {
  const [staff, holders] = await Promise.all([revealStaff(ctx, [state.caseworker.id]), taskHolders(ctx, state)]);
  return {
    ...state,
    caseworker: { ...state.caseworker, ...(state.caseworker.id ? { id: staff.get(state.caseworker.id) ?? state.caseworker.id } : {}) },
    openTasks: state.openTasks.map(({ assignee: _wished, ...task }) => {
      const holder = holders.get(task.taskId);
      return holder ? { ...task, assignee: holder } : task;
    }),
  };
}

/** Task id → staff id of the journey's claimed tasks; none while the store cannot be reached (the journey still answers). */
async function taskHolders(ctx: ApiContext, state: JourneyState): Promise<Map<string, string>> {
  if (state.openTasks.length === 0) return new Map();
  try {
    const { tasks } = await ctx.tasks.listTasks({ journeyId: state.journeyId, assigned: true, limit: 500 });
    return new Map(tasks.map((task) => [task.id, task.assignee!]));
  } catch (err) {
    if (!databaseUnavailable(err)) throw err;
    return new Map();
  }
}

/** A filter as the journeys carry it: a caseworker by the pseudonym the journeys carry. */
export function searchFilter<F extends Partial<JourneyFilter>>(ctx: ApiContext, filter: F): F {
  if (!filter.caseworkerId || !ctx.staffPseudonyms) return filter;
  return { ...filter, caseworkerId: ctx.identity.staffPseudonym(filter.caseworkerId) };
}

/** The staff ids behind pseudonyms (other values map to themselves). */
async function revealStaff(ctx: ApiContext, values: Array<string | undefined>): Promise<Map<string, string>> {
  if (!ctx.staffPseudonyms) return new Map();
  return ctx.staffPseudonyms.reveal(values);
}

/** A journey whose run cannot go on: what Temporal's record says, without clocks or tasks. */
function presentHalted(journeyId: string, run: JourneyRun) {
  return {
    journeyId,
    status: run.status,
    municipality: run.municipality,
    // Set at start, so every journey has them; the fallbacks only guard a hand-started run.
    regime: (run.regime ?? 'wi2021') as JourneyState['regime'],
    phase: (run.phase ?? 'arrival') as JourneyState['phase'],
    clocks: [],
    openTasks: [],
  };
}

/** The columns of a journey list's CSV: the summary's fields (no personal data: the caseworker is staff). */
const JOURNEY_COLUMNS: Array<CsvColumn<ReturnType<typeof summary>>> = [
  ['journeyId', (j) => j.journeyId],
  // For people, one status vocabulary with the search's: the web app's words for each run status.
  ['status', (j) => j.status, journeyStatusWords],
  ['startedAt', (j) => j.startedAt],
  ['municipality', (j) => j.municipality, municipalityName],
  ['phase', (j) => j.phase, wordOf('phase')],
  ['regime', (j) => j.regime, wordOf('regime')],
  ['overdue', (j) => j.overdue],
  ['nextFinalDate', (j) => j.nextFinalDate],
  ['caseworkerRole', (j) => j.caseworker.role, wordOf('role')],
  ['caseworkerId', (j) => j.caseworker.id],
  ['endReason', (j) => j.ended?.reason, wordOf('journey.endReason')],
  ['endedOn', (j) => j.ended?.on],
];

/** Temporal's status names (RUNNING, COMPLETED, …) the list has always shown, for each run status. */
const STATUS_NAMES: Record<string, string> = {
  running: 'RUNNING',
  'workflow-task-failing': 'RUNNING',
  completed: 'COMPLETED',
  failed: 'FAILED',
  terminated: 'TERMINATED',
  'timed-out': 'TIMED_OUT',
  canceled: 'CANCELLED',
};

function summary(row: JourneyListRow, staff: Map<string, string>) {
  const pseudonym = row.caseworker.id;
  const id = pseudonym ? (staff.get(pseudonym) ?? pseudonym) : undefined;
  return {
    journeyId: row.journeyId,
    status: STATUS_NAMES[row.runStatus] ?? row.runStatus.toUpperCase(),
    startedAt: row.startedAt,
    municipality: row.municipality,
    phase: row.phase,
    regime: row.regime,
    overdue: row.overdue,
    ...(row.nextFinalDate ? { nextFinalDate: row.nextFinalDate } : {}),
    caseworker: { ...(row.caseworker.role ? { role: row.caseworker.role } : {}), ...(id ? { id } : {}) },
    ...(row.ended ? { ended: row.ended } : {}),
  };
}
