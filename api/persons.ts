/**
 * Who a journey is about (issue 21; contract v1.2 "One person, one journey per municipality"): the
 * duplicate check a registration page makes before it submits, the search by reference, BSN and name,
 * the person's summary for the pages, and an administrator's correction of the dates the journey
 * started with. Persons are found through the person index (store/persons.ts) by keyed hashes only;
 * BSN, reference and name travel in request bodies, never in a URL (they would land in access logs).
 *
 * Search by name: names are sealed, so the index keeps a keyed hash of each normalised word of the name
 * (api/identity.ts nameKeys) and a search matches every word typed as a whole word, in any case and
 * without diacritics. Chosen over decrypting per municipality in pages: one indexed query whatever the
 * caseload, and the index never holds a name. What it cannot do: prefixes and typos ("Moham" or
 * "Mohamed" for "Muhammad").
 */
import { databaseUnavailable } from '../store/errors';
import { z } from 'zod';
import type { JourneyFacts } from '../domain/facts';
import { EVENT_TYPES, type EventType } from '../domain/events';
import { reportableMilestones } from '../domain/reporting';
import { admitStart } from '../domain/admission';
import { correctPersonSignal, type JourneyState } from '../workflows/definitions';
import { mayAccessMunicipality, type Principal } from './auth';
import { domainRole, may } from '../identity/permissions';
import { visibleJourney, type ApiContext } from './context';
import { isValidBsn, nameWords } from './identity';
import { Problem } from './problem';
import { brpName } from './brp';
import { route, type RouteDef } from './route';
import { actorOf, operationName, recordingPages, recordProcessing, requestTrace } from './processing';
import { allPages, CSV_RESPONSE, ExportLang, sendCsv, wordOf, type CsvColumn, journeyStatusWords } from './export';
import { municipalityName } from '../web/format';
import type { Request } from 'express';
import { JourneyParams, readState, viewOn } from './journeys';
import {
  DuplicateCheckBody,
  DuplicateCheckResult,
  JourneySearchBody,
  JourneySearchResult,
  PersonCorrectionAccepted,
  PersonCorrectionBody,
  PersonCorrectionDoc,
  PersonList,
  PersonsBody,
  PersonSummary,
} from './schemas';

const json = (schema: z.ZodType) => ({ 'application/json': schema });

/** A row of the search's answer (`JourneySearchResult`): the person fields only where the role may see them. */
type SearchRow = Omit<z.output<typeof JourneySearchResult>['journeys'][number], 'location'>;

/** The search's CSV: its answer's fields, `matchedOn` joined by spaces. */
const SEARCH_COLUMNS: Array<CsvColumn<SearchRow>> = [
  ['journeyId', (j) => j.journeyId],
  ['municipality', (j) => j.municipality, municipalityName],
  ['matchedOn', (j) => j.matchedOn.join(' '), (v, t) => v.split(' ').map((on) => t(`csv.matchedOn.${on}`)).join(', ')],
  // For people, one status vocabulary with the journey list's: the web app's words for each run status.
  ['status', (j) => j.status, journeyStatusWords],
  ['endReason', (j) => j.ended?.reason, wordOf('journey.endReason')],
  ['endedOn', (j) => j.ended?.on],
  ['phase', (j) => j.phase, wordOf('phase')],
  ['regime', (j) => j.regime, wordOf('regime')],
  ['personRef', (j) => j.personRef],
  ['name', (j) => j.name],
  ['birthDate', (j) => j.birthDate],
  ['permitGrantedOn', (j) => j.permitGrantedOn],
];

/** The sealed text, or undefined when it cannot be opened (sealed under another secret: the journey stays readable without it). */
function unsealed(ctx: ApiContext, journeyId: string, sealed: string | undefined): string | undefined {
  if (!sealed) return undefined;
  try {
    return ctx.identity.unsealDetail(journeyId, sealed);
  } catch {
    ctx.logger.warn({ journeyId }, 'person detail could not be unsealed');
    return undefined;
  }
}

/** The BSN of a ciphertext, for a BRP request; undefined when it cannot be decrypted (logged without it). */
function decrypted(ctx: ApiContext, journeyId: string, ciphertext: string): string | undefined {
  try {
    return ctx.identity.decryptBsn(journeyId, ciphertext);
  } catch {
    ctx.logger.warn({ journeyId }, 'BSN could not be decrypted');
    return undefined;
  }
}

/** The reference and name of a journey's person, for admins and caseworkers (partners: none). */
export async function personOf(ctx: ApiContext, principal: Principal, journeyId: string): Promise<{ personRef?: string; name?: string }> {
  if (principal.role === 'partner') return {};
  // The person index is in the store: while it cannot be reached the journey still answers, without the person.
  const person = await ctx.persons.person(journeyId).catch((err: unknown) => {
    if (databaseUnavailable(err)) return undefined;
    throw err;
  });
  if (!person) return {};
  const personRef = unsealed(ctx, journeyId, person.refSealed);
  const name = unsealed(ctx, journeyId, person.nameSealed);
  return { ...(personRef ? { personRef } : {}), ...(name ? { name } : {}) };
}

/**
 * The milestone types the caller may report and correct on a journey of `municipality` (contract v1.2;
 * domain/reporting.ts with the municipality's current policy), so a page offers only forms that can be
 * sent. Partners: their key's types, never a correction; roles that may not send events: none.
 */
export async function reportingRights(ctx: ApiContext, principal: Principal, municipality: string): Promise<{ report: EventType[]; correct: EventType[] }> {
  if (principal.role === 'partner') return { report: EVENT_TYPES.filter((t) => principal.eventTypes.includes(t)), correct: [] };
  const role = domainRole(principal.role);
  if (role !== 'admin' && role !== 'caseworker') return { report: [], correct: [] };
  const policy = await ctx.policies.current(municipality);
  return { report: reportableMilestones(policy?.milestoneReporting, role, false), correct: reportableMilestones(policy?.milestoneReporting, role, true) };
}

/** The municipalities a search covers: the caller's (an admin's: all), narrowed to the one asked for. */
function searchScope(principal: Principal, municipality: string | undefined): string[] | undefined {
  if (municipality !== undefined) return mayAccessMunicipality(principal, municipality) ? [municipality] : [];
  return may(principal, 'allMunicipalities') ? undefined : principal.municipalities;
}

export function personRoutes(ctx: ApiContext): RouteDef[] {
  /**
   * The journeys a search finds (`POST /v1/journeys/search`), each with the person's fields the caller's
   * role may see; every person shown (and a BSN searched for without a match) recorded as `person-search`.
   */
  async function search(req: Request, principal: Principal, body: z.output<typeof JourneySearchBody>) {
    const q = body.q.trim();
    const compact = q.replace(/\s+/g, '');
    const words = nameWords(q);
    const found = await ctx.persons.search(
      {
        ...(/^[A-Za-z0-9_-]{1,64}$/.test(q) ? { refKey: ctx.identity.refKey(q) } : {}),
        ...(isValidBsn(compact) ? { bsnKey: ctx.identity.bsnKey(compact) } : {}),
        ...(words.length > 0 && /\p{L}/u.test(q) ? { nameKeys: ctx.identity.nameKeys(q) } : {}),
      },
      searchScope(principal, body.municipality),
    );
    const journeys = [];
    for (const person of found) {
      // The index and the read model agree on the municipality but for a move in flight: the read model decides who may see it.
      const run = await ctx.journeys.run(person.journeyId).catch(() => undefined);
      const municipality = run?.municipality ?? person.municipality;
      if (!mayAccessMunicipality(principal, municipality)) continue;
      // Birth and permit dates tell two namesakes apart (trial finding 9): from the journey's facts, for staff.
      const facts = principal.role === 'partner' ? undefined : await ctx.journeys.get<JourneyState>(person.journeyId).then((stored) => (stored ? (viewOn(stored.view, ctx.today()).milestones as JourneyFacts) : undefined)).catch(() => undefined);
      const personal =
        principal.role === 'partner'
          ? {}
          : { personRef: unsealed(ctx, person.journeyId, person.refSealed), name: unsealed(ctx, person.journeyId, person.nameSealed), birthDate: facts?.birthDate, permitGrantedOn: facts?.permitGrantedOn };
      journeys.push({
        journeyId: person.journeyId,
        location: `/v1/journeys/${person.journeyId}`,
        municipality,
        matchedOn: person.matchedOn,
        ...(run ? { status: run.runStatus, ...(run.ended ? { ended: run.ended } : {}), phase: run.phase, regime: run.regime } : {}),
        ...Object.fromEntries(Object.entries(personal).filter(([, v]) => v !== undefined)),
      });
    }
    // Each person shown, and a BSN searched for without a match: processings of their data (docs/processing-log.md).
    const bsn = isValidBsn(compact) ? compact : undefined;
    const subjects = journeys.length > 0 ? journeys.map((j) => (bsn && j.matchedOn.includes('bsn') ? { bsn, journeyId: j.journeyId } : { journeyId: j.journeyId })) : bsn ? [{ bsn }] : [];
    for (const subject of subjects) await recordProcessing(ctx, { req, principal }, { activity: 'person-search', subject }, async () => undefined);
    return journeys;
  }

  return [
    route(
      {
        method: 'post',
        path: '/v1/journeys/duplicates',
        operationId: 'checkDuplicateJourney',
        summary: 'Before registering: the journeys this person already has in the municipality, by reference and by BSN',
        description:
          'For the registration page, before it submits: each existing journey with what matched (`personRef`, `bsn`). ' +
          'The create itself decides (409 naming the journey). BSN and reference travel in the body and are compared as keyed hashes.',
        tags: ['journeys'],
        body: { content: json(DuplicateCheckBody), schema: DuplicateCheckBody },
        responses: { 200: { description: 'The journeys found (none: no duplicate)', schema: DuplicateCheckResult } },
      },
      async ({ req, principal, body }) => {
        if (!mayAccessMunicipality(principal, body.municipality)) throw new Problem(403, 'Forbidden', `This key may not register journeys in ${body.municipality}.`);
        const found = await ctx.persons.duplicates(body.municipality, {
          ...(body.personRef ? { personKey: ctx.identity.personKey(body.personRef), refKey: ctx.identity.refKey(body.personRef) } : {}),
          ...(body.bsn ? { bsnKey: ctx.identity.bsnKey(body.bsn) } : {}),
        });
        // The BSN looked up, and each person found by reference alone: processings of their data (docs/processing-log.md).
        const subjects = [...(body.bsn ? [{ bsn: body.bsn }] : []), ...found.filter((d) => !d.matchedOn.includes('bsn')).map((d) => ({ journeyId: d.journeyId }))];
        for (const subject of subjects) await recordProcessing(ctx, { req, principal }, { activity: 'person-search', subject }, async () => undefined);
        return { status: 200, body: { duplicates: found.map((d) => ({ ...d, location: `/v1/journeys/${d.journeyId}` })) } };
      },
    ),

    route(
      {
        method: 'post',
        path: '/v1/journeys/search',
        operationId: 'searchJourneys',
        summary: 'Find journeys by reference (any case), BSN, or name, in every municipality the caller may see',
        description:
          'One query `q`: a reference matches case-insensitively after trimming, a valid BSN exactly, a name when every word ' +
          'typed is one of the words of the recorded name (any case, without diacritics; no prefixes). Admins search every ' +
          'municipality, others their own; `municipality` narrows it. At most 50 journeys. The query travels in the body, never ' +
          'in a URL. Partners get journey ids only; admins and caseworkers also the reference and name.',
        tags: ['journeys'],
        body: { content: json(JourneySearchBody), schema: JourneySearchBody },
        responses: { 200: { description: 'The journeys found, possibly none', schema: JourneySearchResult } },
      },
      async ({ req, principal, body }) => ({ status: 200, body: { journeys: await search(req, principal, body) } }),
    ),

    route(
      {
        method: 'post',
        path: '/v1/journeys/search/export',
        operationId: 'exportJourneySearch',
        summary: 'The journeys a search finds, as CSV',
        description:
          'The rows and fields of `POST /v1/journeys/search` for the same body (the query travels in the body, never in a URL), with the person fields the role may see; ' +
          'recorded as a search and, per journey, as an export (docs/processing-log.md).',
        tags: ['journeys'],
        query: ExportLang,
        body: { content: json(JourneySearchBody), schema: JourneySearchBody },
        responses: { 200: CSV_RESPONSE },
      },
      async ({ req, res, principal, body, query }) => {
        const found = (await search(req, principal, body)) as SearchRow[];
        const rows = allPages(recordingPages(ctx, { req, principal }, async () => ({ items: found }), (j) => j.journeyId));
        await sendCsv(res, `zoekresultaten-${ctx.today()}.csv`, SEARCH_COLUMNS, rows, query.lang);
        return { status: 200 };
      },
    ),

    route(
      {
        method: 'get',
        path: '/v1/journeys/{journeyId}/person',
        operationId: 'getJourneyPerson',
        summary: 'Who the journey is about: reference, name, birth and permit dates, and the BSN',
        description: 'For the pages of admins and caseworkers. Each answer is recorded in the processing log (docs/processing-log.md, activity `person-read`), so every processing is accountable.',
        tags: ['journeys'],
        params: JourneyParams,
        responses: { 200: { description: 'The person', schema: PersonSummary } },
      },
      async ({ req, principal, params }) => {
        const run = await visibleJourney(ctx, principal, params.journeyId);
        const stored = await ctx.journeys.get<JourneyState>(params.journeyId).catch(() => undefined);
        const facts = (stored ? viewOn(stored.view, ctx.today()) : await readState(ctx, principal, params.journeyId)).milestones as JourneyFacts;
        const bsnCiphertext = stored?.bsnCiphertext ?? (await ctx.temporal.startInput(params.journeyId))?.bsnCiphertext;
        let bsn: string | undefined;
        if (bsnCiphertext && may(principal, 'readBsn')) {
          try {
            bsn = ctx.identity.decryptBsn(params.journeyId, bsnCiphertext);
          } catch {
            ctx.logger.warn({ journeyId: params.journeyId }, 'BSN could not be decrypted');
          }
        }
        const recorded = await personOf(ctx, principal, params.journeyId);
        const subject = bsn ? { bsn, journeyId: params.journeyId } : { journeyId: params.journeyId };
        // Showing the person is one processing (`person-read`); the BRP query for the name is part of it (one trace).
        return recordProcessing(ctx, { req, principal }, { activity: 'person-read', subject }, async (op) => {
          // Issue 23: the name as the BRP has it now, for a role that may see it; never stored. Without a
          // BRP (or while it cannot be reached) the name recorded at registration.
          let fromBrp: string | undefined;
          if (may(principal, 'readBrpName') && ctx.brp?.serves(run.municipality) && bsnCiphertext) {
            fromBrp = await brpName(ctx, principal, params.journeyId, run.municipality, decrypted(ctx, params.journeyId, bsnCiphertext), op);
          }
          const person: { personRef?: string; name?: string; nameSource?: 'brp' | 'registration' } = fromBrp ? { ...recorded, name: fromBrp, nameSource: 'brp' } : recorded.name && ctx.brp?.serves(run.municipality) ? { ...recorded, nameSource: 'registration' } : recorded;
          return {
          status: 200,
          body: {
            journeyId: params.journeyId,
            municipality: run.municipality,
            regime: facts.regime,
            ...person,
            permitGrantedOn: facts.permitGrantedOn,
            ...(facts.birthDate ? { birthDate: facts.birthDate } : {}),
            ...(bsn ? { bsn } : {}),
          },
          };
        });
      },
    ),

    route(
      {
        method: 'post',
        path: '/v1/journeys/persons',
        operationId: 'listJourneyPersons',
        summary: "Who a list page's journeys are about: reference, name, birth and permit dates, for up to 100 journeys at once",
        description:
          'For the lists of the pages (the inbox, the administrators\' list): what `GET /v1/journeys/{journeyId}/person` answers, without the BSN, ' +
          'for many journeys in one request. A journey the caller may not see, or without a row in the read model, is left out. ' +
          'Each person answered is recorded in the processing log (activity `person-read`, docs/processing-log.md); a name asked from the BRP is part of its record.',
        tags: ['journeys'],
        body: { content: json(PersonsBody), schema: PersonsBody },
        responses: { 200: { description: 'The persons, in the order asked', schema: PersonList } },
      },
      async ({ req, principal, body }) => {
        const [stored, indexed] = await Promise.all([ctx.journeys.getMany<JourneyState>(body.journeyIds), ctx.persons.persons(body.journeyIds)]);
        const today = ctx.today();
        const shown = [...new Set(body.journeyIds)].flatMap((journeyId) => {
          const row = stored.get(journeyId);
          return row && mayAccessMunicipality(principal, row.municipality) ? [row] : [];
        });
        const answer = (row: (typeof shown)[number], fromBrp?: string) => {
          const facts = viewOn(row.view, today).milestones as JourneyFacts;
          const person = indexed.get(row.journeyId);
          const personRef = unsealed(ctx, row.journeyId, person?.refSealed);
          const recordedName = unsealed(ctx, row.journeyId, person?.nameSealed);
          const name = fromBrp ?? recordedName;
          const nameSource = fromBrp ? ('brp' as const) : recordedName && ctx.brp?.serves(row.municipality) ? ('registration' as const) : undefined;
          return {
            journeyId: row.journeyId,
            municipality: row.municipality,
            regime: facts.regime,
            ...(personRef ? { personRef } : {}),
            ...(name ? { name } : {}),
            ...(nameSource ? { nameSource } : {}),
            permitGrantedOn: facts.permitGrantedOn,
            ...(facts.birthDate ? { birthDate: facts.birthDate } : {}),
          };
        };
        // As GET …/person: a journey whose name the BRP gives is one `person-read` with its BRP query inside it;
        // the others are recorded together, one record each, in this request's trace.
        const asksBrp = (row: (typeof shown)[number]) => may(principal, 'readBrpName') && !!ctx.brp?.serves(row.municipality) && !!row.bsnCiphertext && indexed.has(row.journeyId);
        const answers = new Map<string, ReturnType<typeof answer>>();
        const plain = shown.filter((row) => !asksBrp(row));
        await ctx.processingLog.recordEach({ activity: 'person-read', name: operationName(req), actor: actorOf(principal), trace: requestTrace(req) }, plain.map((row) => ({ journeyId: row.journeyId })));
        for (const row of plain) answers.set(row.journeyId, answer(row));
        await Promise.all(
          shown.filter(asksBrp).map((row) =>
            recordProcessing(ctx, { req, principal }, { activity: 'person-read', subject: { journeyId: row.journeyId } }, async (op) => {
              answers.set(row.journeyId, answer(row, await brpName(ctx, principal, row.journeyId, row.municipality, decrypted(ctx, row.journeyId, row.bsnCiphertext!), op)));
            }),
          ),
        );
        return { status: 200, body: { persons: shown.map((row) => answers.get(row.journeyId)!) } };
      },
    ),

    route(
      {
        method: 'post',
        path: '/v1/journeys/{journeyId}/person-corrections',
        operationId: 'correctJourneyPerson',
        summary: 'Correct the permit date and/or the birth date the journey started with (admins), with a reason',
        description:
          'A correction in the sense of contract v1.2: it replaces the date, and the timeline shows it as `nl.koers.person.corrected` ' +
          'with its reason and what it replaced. The same rules as at the start apply (a birth date not after the permit; 422 ' +
          'otherwise). The regime stays the one the journey started under. An ended journey: 409.',
        tags: ['administration'],
        params: JourneyParams,
        body: { content: json(PersonCorrectionDoc), schema: PersonCorrectionDoc, dated: PersonCorrectionBody },
        responses: {
          202: { description: 'Accepted by the journey', schema: PersonCorrectionAccepted },
          409: { description: 'The journey has ended', contentType: 'application/problem+json' },
        },
      },
      async ({ req, principal, params, body }) => {
        const run = await visibleJourney(ctx, principal, params.journeyId);
        if (!run.running) throw Problem.journeyEnded();
        const state = await readState(ctx, principal, params.journeyId);
        const facts = state.milestones as JourneyFacts;
        const verdict = admitStart({ permitGrantedOn: body.permitGrantedOn ?? facts.permitGrantedOn, birthDate: body.birthDate ?? facts.birthDate });
        if (!verdict.ok) throw new Problem(422, 'Invalid request', `The correction cannot apply: ${verdict.field} ${verdict.reason}.`, [{ path: verdict.field, message: verdict.reason }]);
        const correctionId = `pc-${ctx.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
        await recordProcessing(ctx, { req, principal }, { activity: 'person-correction', subject: { journeyId: params.journeyId } }, () =>
          ctx.temporal.signal(params.journeyId, correctPersonSignal, {
            id: correctionId,
            ...(body.permitGrantedOn ? { permitGrantedOn: body.permitGrantedOn } : {}),
            ...(body.birthDate ? { birthDate: body.birthDate } : {}),
            reason: body.reason,
            correctedBy: principal.name,
            correctedOn: ctx.today(),
          }),
        );
        return {
          status: 202,
          body: {
            journeyId: params.journeyId,
            correctionId,
            replaced: {
              ...(body.permitGrantedOn ? { permitGrantedOn: facts.permitGrantedOn } : {}),
              ...(body.birthDate && facts.birthDate ? { birthDate: facts.birthDate } : {}),
            },
          },
        };
      },
    ),
  ];
}
