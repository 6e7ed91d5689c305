/**
 * The BRP on the API (issue 23, "The person from the BRP"; the door is chain/brp): the registration's
 * lookup by BSN (a prefill the user confirms), the BSN check of a registration, the name just in time for
 * GET /v1/journeys/{id}/person, and the BRP's facts that change a journey as a proposal a caseworker
 * confirms. Nothing the BRP answers is stored or logged: log lines name the journey, the key and the
 * outcome, never a value. A deployment or municipality without a BRP answers as before (lookup: 422).
 */
import type { Request } from 'express';
import { z } from 'zod';
import { BrpRefused, BrpUnavailable, type BrpAsker, type BrpProposal } from '../chain/brp';
import type { Operation } from '../processing-log';
import { mayAccessMunicipality, type Principal } from './auth';
import { visibleJourney, type ApiContext } from './context';
import { moveJourney } from './journeys';
import { Problem } from './problem';
import { requestTrace } from './processing';
import { route, type RouteDef } from './route';
import { JourneyParams } from './journeys';
import { BrpLookupBody, BrpLookupResult, BrpProposalConfirmation, BrpProposalConfirmed, BrpProposalResult, JourneyEndWithdrawal, JourneyEndWithdrawn } from './schemas';
import { endJourneySignal, JOURNEY_END_SOURCE, JOURNEY_ENDED, type JourneyState } from '../workflows/definitions';
import { recordProcessing } from './processing';

const json = (schema: z.ZodType) => ({ 'application/json': schema });

/** The field message of a BSN the BRP does not know (web/problems.ts says it in the page's language). */
export const BRP_UNKNOWN_BSN = 'unknown to the BRP';

/**
 * Who asks (the request's `x-gebruiker` and the processing log's actor: the staff id, a key's name) and for
 * which journey; with the asking request (`req`), the query is a record in that request's trace.
 */
const asker = (principal: Principal, journeyId?: string, req?: Request): BrpAsker => ({ user: principal.name, ...(journeyId ? { journeyId } : {}), ...(req ? { trace: requestTrace(req) } : {}) });

/** A BRP failure as problem+json: down or slow 503 (Retry-After), refused (a configuration fault) 502. */
function brpProblem(ctx: ApiContext, err: unknown, what: string): Problem {
  if (err instanceof BrpUnavailable) {
    ctx.logger.warn({ what, err: err.message }, 'BRP not reached');
    return new Problem(503, 'Service unavailable', 'The BRP cannot be reached; try again shortly.', undefined, { code: 'brp-unavailable' });
  }
  if (err instanceof BrpRefused) {
    ctx.logger.error({ what, status: err.status }, 'BRP refused the request: check KOERS_BRP_FILE (credentials, doelbinding)');
    return new Problem(502, 'Bad gateway', 'The BRP refused the request.', undefined, { code: 'brp-refused' });
  }
  throw err;
}

/**
 * Before a registration with a BSN starts a journey (POST /v1/journeys): a BSN the BRP does not know is
 * a 422 naming `bsn`. A BRP that cannot be asked does not stop the registration (logged; the page's
 * lookup already asked), nor does a municipality without a BRP.
 */
export async function verifyBsnAtRegistration(ctx: ApiContext, principal: Principal, municipality: string, bsn: string | undefined, parent?: Operation): Promise<void> {
  if (!bsn || !ctx.brp?.serves(municipality)) return;
  let found: boolean;
  try {
    found = (await ctx.brp.lookup(bsn, { ...asker(principal), ...(parent ? { parent } : {}) })).found;
  } catch (err) {
    if (!(err instanceof BrpUnavailable) && !(err instanceof BrpRefused)) throw err;
    ctx.logger.warn({ municipality, err: err.message }, 'BSN not verified at registration: BRP not asked');
    return;
  }
  if (!found) throw new Problem(422, 'Invalid request', 'The BRP knows no person with this BSN.', [{ path: 'bsn', message: BRP_UNKNOWN_BSN }], { code: 'brp-unknown-bsn' });
}

/**
 * The name to show for a journey: the BRP's, fetched now for a role that may see it
 * (`readBrpName`), or undefined (the caller shows the name recorded at registration). Never stored.
 */
export async function brpName(ctx: ApiContext, principal: Principal, journeyId: string, municipality: string, bsn: string | undefined, parent: Operation): Promise<string | undefined> {
  if (!bsn || !ctx.brp?.serves(municipality)) return undefined;
  try {
    // Part of the caller's `person-read` (`parent`): the BRP query is one record in its trace.
    return await ctx.brp.name(bsn, { ...asker(principal, journeyId), parent });
  } catch (err) {
    if (!(err instanceof BrpUnavailable) && !(err instanceof BrpRefused)) throw err;
    ctx.logger.warn({ journeyId, err: err.message }, 'name not fetched from the BRP; the registered name is shown');
    return undefined;
  }
}

/** The journey's BSN in clear, for a BRP request; undefined when it has none or it cannot be decrypted. */
async function bsnOf(ctx: ApiContext, journeyId: string): Promise<string | undefined> {
  const stored = await ctx.journeys.get<JourneyState>(journeyId).catch(() => undefined);
  const ciphertext = stored?.bsnCiphertext ?? (await ctx.temporal.startInput(journeyId))?.bsnCiphertext;
  if (!ciphertext) return undefined;
  try {
    return ctx.identity.decryptBsn(journeyId, ciphertext);
  } catch {
    ctx.logger.warn({ journeyId }, 'BSN could not be decrypted');
    return undefined;
  }
}

/** Whether two proposals ask the same of the journey (a confirmation must match what the BRP says now). */
const sameProposal = (a: BrpProposal | undefined, b: z.infer<typeof BrpProposalConfirmation>): boolean =>
  a !== undefined && a.kind === b.kind && (a.kind === 'move' ? b.kind === 'move' && a.municipality === b.municipality : a.kind === 'end' && b.kind === 'end' && a.reason === b.reason);

/**
 * Ends the journey for the reason the BRP gives (a confirmed `end` proposal): recorded in the event audit
 * (source {@link JOURNEY_END_SOURCE}, one id per reason and date, so a second confirmation is the same
 * entry) and as one `person-correction` processing-log record around the signal, the journey's own door
 * (workflows/journey-state.ts `end`; it ignores a resent end).
 */
async function endJourney(ctx: ApiContext, from: { req: Parameters<typeof recordProcessing>[1]['req']; principal: Principal }, journeyId: string, proposal: Extract<BrpProposal, { kind: 'end' }>): Promise<void> {
  const { principal } = from;
  const confirmedOn = ctx.today();
  const id = `brp-end:${proposal.reason}:${proposal.on ?? 'unknown'}`;
  await ctx.audit.record({
    source: JOURNEY_END_SOURCE,
    id,
    journeyId,
    type: JOURNEY_ENDED,
    occurredOn: proposal.on ?? confirmedOn,
    actor: { name: principal.name, role: principal.role },
    keyId: principal.keyId,
    correction: false,
    receivedAt: new Date(ctx.now()).toISOString(),
  });
  await recordProcessing(ctx, from, { activity: 'person-correction', subject: { journeyId } }, () =>
    ctx.temporal.signal(journeyId, endJourneySignal, { id, reason: proposal.reason, ...(proposal.on ? { on: proposal.on } : {}), confirmedBy: principal.name, confirmedOn }),
  );
  await ctx.audit.markSignalled(journeyId, JOURNEY_END_SOURCE, id, new Date(ctx.now()).toISOString());
  ctx.logger.info({ journeyId, keyId: principal.keyId, reason: proposal.reason }, 'journey ended for a BRP reason');
}

/** The answers of every route that asks the BRP when the BRP fails (brpProblem). */
const BRP_FAILURES = {
  502: { description: 'The BRP refused the request (configuration)', contentType: 'application/problem+json' },
  503: { description: 'The BRP cannot be reached', contentType: 'application/problem+json' },
} as const;

export function brpRoutes(ctx: ApiContext): RouteDef[] {
  return [
    route(
      {
        method: 'post',
        path: '/v1/persons/brp-lookup',
        operationId: 'lookupBrpPerson',
        summary: 'Before registering with a BSN: does the BRP know it, with the birth date and municipality of registration to confirm',
        description:
          'BRP API Personen `RaadpleegMetBurgerservicenummer` with `fields` `geboorte.datum` and `gemeenteVanInschrijving` only. ' +
          'The answer is a prefill the user confirms; nothing is stored. A BSN the BRP does not know: 422 naming `bsn`. ' +
          'A municipality without a BRP: 422 naming `municipality`. The BRP down: 503. The BSN travels in the body, never in a URL.',
        tags: ['journeys'],
        body: { content: json(BrpLookupBody), schema: BrpLookupBody },
        responses: {
          200: { description: 'The BRP knows the person', schema: BrpLookupResult },
          422: { description: 'The BRP knows no person with this BSN, or the municipality has no BRP', contentType: 'application/problem+json' },
          ...BRP_FAILURES,
        },
      },
      async ({ req, principal, body }) => {
        if (!mayAccessMunicipality(principal, body.municipality)) throw new Problem(403, 'Forbidden', `This key may not register journeys in ${body.municipality}.`);
        if (!ctx.brp?.serves(body.municipality)) throw new Problem(422, 'Invalid request', 'This municipality has no BRP connection.', [{ path: 'municipality', message: 'has no BRP connection' }], { code: 'brp-not-configured' });
        let answer;
        try {
          answer = await ctx.brp.lookup(body.bsn, asker(principal, undefined, req));
        } catch (err) {
          throw brpProblem(ctx, err, 'lookup');
        }
        ctx.logger.info({ keyId: principal.keyId, municipality: body.municipality, found: answer.found }, 'BRP consulted for a registration');
        if (!answer.found) throw new Problem(422, 'Invalid request', 'The BRP knows no person with this BSN.', [{ path: 'bsn', message: BRP_UNKNOWN_BSN }], { code: 'brp-unknown-bsn' });
        return { status: 200, body: { found: true, ...answer.prefill } };
      },
    ),

    route(
      {
        method: 'get',
        path: '/v1/journeys/{journeyId}/brp-proposal',
        operationId: 'getBrpProposal',
        summary: 'What the BRP says that the journey does not yet reflect: a move, or an end with its reason',
        description:
          'Asked of the BRP now (`fields` `gemeenteVanInschrijving`, `datumInschrijvingInGemeente`, `overlijden.datum`, `verblijfplaats.datumVan`); ' +
          'nothing is stored and nothing changes until a caseworker confirms. A journey that ended, has no BSN, or a municipality without a BRP: no proposal.',
        tags: ['journeys'],
        params: JourneyParams,
        responses: {
          200: { description: 'The proposal, if any', schema: BrpProposalResult },
          ...BRP_FAILURES,
        },
      },
      async ({ req, principal, params }) => {
        const run = await visibleJourney(ctx, principal, params.journeyId);
        if (!run.running || !ctx.brp?.serves(run.municipality)) return { status: 200, body: { journeyId: params.journeyId } };
        const bsn = await bsnOf(ctx, params.journeyId);
        if (!bsn) return { status: 200, body: { journeyId: params.journeyId } };
        let proposal;
        try {
          proposal = await ctx.brp.proposal(bsn, run.municipality, asker(principal, params.journeyId, req));
        } catch (err) {
          throw brpProblem(ctx, err, 'facts');
        }
        ctx.logger.info({ journeyId: params.journeyId, keyId: principal.keyId, proposal: proposal?.kind ?? 'none' }, 'BRP facts checked');
        return { status: 200, body: { journeyId: params.journeyId, ...(proposal ? { proposal } : {}) } };
      },
    ),

    route(
      {
        method: 'post',
        path: '/v1/journeys/{journeyId}/brp-proposal/confirmation',
        operationId: 'confirmBrpProposal',
        summary: "Confirm the BRP's proposal: the journey moves to the municipality where the person is now registered, or ends for its reason",
        description:
          'The BRP is asked again; only a confirmation that matches what it says now is applied (409 otherwise), so a stale page changes nothing. ' +
          'A move goes through the same door as `moveJourney` (its reason names the BRP). An end (death, emigration) ends the journey for that reason: ' +
          'its clocks stop, its open tasks are cancelled naming the reason, it completes with `ended` (reason, the BRP\'s date) and its zaak gets the ' +
          "reason's resultaat; recorded in the event audit and, as `person-correction`, in the processing log. A journey that ended: 409.",
        tags: ['journeys'],
        params: JourneyParams,
        body: { content: json(BrpProposalConfirmation), schema: BrpProposalConfirmation },
        responses: {
          202: { description: 'Accepted by the journey', schema: BrpProposalConfirmed },
          409: { description: 'The BRP no longer says this, or the journey cannot take it', contentType: 'application/problem+json' },
          ...BRP_FAILURES,
        },
      },
      async ({ req, principal, params, body }) => {
        const run = await visibleJourney(ctx, principal, params.journeyId);
        if (!run.running) throw Problem.journeyEnded();
        const bsn = ctx.brp?.serves(run.municipality) ? await bsnOf(ctx, params.journeyId) : undefined;
        if (!ctx.brp || !bsn) throw new Problem(409, 'Conflict', 'There is no BRP proposal for this journey.', undefined, { code: 'brp-proposal-stale' });
        let proposal;
        try {
          proposal = await ctx.brp.proposal(bsn, run.municipality, asker(principal, params.journeyId, req));
        } catch (err) {
          throw brpProblem(ctx, err, 'facts');
        }
        if (!sameProposal(proposal, body)) throw new Problem(409, 'Conflict', 'The BRP no longer says this; reload the journey.', undefined, { code: 'brp-proposal-stale' });
        if (proposal!.kind === 'end') {
          await endJourney(ctx, { req, principal }, params.journeyId, proposal!);
          return { status: 202, body: { journeyId: params.journeyId, confirmed: proposal! } };
        }
        if (proposal!.kind !== 'move') throw new Problem(409, 'Conflict', 'The BRP no longer says this; reload the journey.', undefined, { code: 'brp-proposal-stale' });
        await moveJourney(ctx, principal, params.journeyId, proposal!.municipality, `BRP: ingeschreven in gemeente ${proposal!.gemeentecode}${proposal!.since ? ` sinds ${proposal!.since}` : ''}`);
        ctx.logger.info({ journeyId: params.journeyId, keyId: principal.keyId, proposal: proposal!.kind }, 'BRP proposal confirmed');
        return { status: 202, body: { journeyId: params.journeyId, confirmed: proposal! } };
      },
    ),

    route(
      {
        method: 'post',
        path: '/v1/journeys/{journeyId}/end-withdrawal',
        operationId: 'withdrawJourneyEnd',
        summary: 'Withdraw an end confirmed by mistake (administrators): the journey runs again',
        description:
          'A correction in the sense of contract v1.2 ("a correction may withdraw a milestone ... a journey that had ended on it reopens"), for an end ' +
          'confirmed from the BRP (death, emigration) that should not have been: the journey runs again under the same id with its facts, timeline and ' +
          'history (its clocks, tasks and zaak reopen), and the timeline shows the end as withdrawn with the reason. Recorded in the event audit and, ' +
          'as `person-correction`, in the processing log. A journey that did not end for such a reason: 409.',
        tags: ['administration'],
        params: JourneyParams,
        body: { content: json(JourneyEndWithdrawal), schema: JourneyEndWithdrawal },
        responses: {
          202: { description: 'Accepted: the journey runs again', schema: JourneyEndWithdrawn },
          409: { description: 'The journey did not end for a reason that can be withdrawn', contentType: 'application/problem+json' },
        },
      },
      async ({ req, principal, params, body }) => {
        await visibleJourney(ctx, principal, params.journeyId);
        const ended = (await ctx.journeys.get<JourneyState>(params.journeyId))?.view.ended;
        if (!ended) throw new Problem(409, 'Conflict', 'The journey did not end for a reason that can be withdrawn.', undefined, { code: 'journey-not-ended' });
        const id = `withdraw-end:${ctx.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
        const withdrawnOn = ctx.today();
        await ctx.audit.record({
          source: JOURNEY_END_SOURCE,
          id,
          journeyId: params.journeyId,
          type: JOURNEY_ENDED,
          occurredOn: withdrawnOn,
          actor: { name: principal.name, role: principal.role },
          keyId: principal.keyId,
          correction: true,
          reason: body.reason,
          receivedAt: new Date(ctx.now()).toISOString(),
        });
        await recordProcessing(ctx, { req, principal }, { activity: 'person-correction', subject: { journeyId: params.journeyId } }, () =>
          ctx.temporal.withdrawEnd(params.journeyId, { id, reason: body.reason, withdrawnBy: principal.name, withdrawnOn }),
        );
        await ctx.audit.markSignalled(params.journeyId, JOURNEY_END_SOURCE, id, new Date(ctx.now()).toISOString());
        ctx.logger.info({ journeyId: params.journeyId, keyId: principal.keyId }, 'journey end withdrawn');
        return { status: 202, body: { journeyId: params.journeyId, withdrawn: ended } };
      },
    ),
  ];
}
