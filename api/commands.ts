/**
 * What a caseworker records on a journey: an extension request and instruments (workflow Updates,
 * whose validators answer 422 with their reason) and a ladder assessment (a signal).
 */
import { z } from 'zod';
import { endInstrumentUpdate, ladderAssessedSignal, requestExtensionUpdate, startInstrumentUpdate } from '../workflows/definitions';
import type { LadderRung } from '../domain/types';
import { visibleJourney, type ApiContext } from './context';
import { Problem } from './problem';
import { route, type RouteDef } from './route';
import { JourneyParams } from './journeys';
import {
  Accepted,
  EndInstrumentBody,
  EndInstrumentDoc,
  ExtensionAccepted,
  ExtensionRequestBody,
  ExtensionRequestDoc,
  InstrumentState,
  LadderAssessmentBody,
  LadderAssessmentDoc,
  StartInstrumentBody,
  StartInstrumentDoc,
  journeyIdSchema,
} from './schemas';

const json = (schema: z.ZodType) => ({ 'application/json': schema });
const InstrumentParams = z.strictObject({ journeyId: journeyIdSchema, instrumentId: z.string().regex(/^[A-Za-z0-9_-]{1,160}$/) });
const ended = { description: 'The journey has ended', contentType: 'application/problem+json' };

export function commandRoutes(ctx: ApiContext): RouteDef[] {
  /** Commands change a running journey only; an ended one is a 409 before anything is sent. */
  async function runningJourney(principal: Parameters<typeof visibleJourney>[1], journeyId: string) {
    const journey = await visibleJourney(ctx, principal, journeyId);
    if (!journey.running) throw Problem.journeyEnded();
    return journey;
  }

  return [
    route(
      {
        method: 'post',
        path: '/v1/journeys/{journeyId}/extension-requests',
        operationId: 'requestExtension',
        summary: 'File a request to DUO to extend the inburgering term',
        description: 'The journey checks the ground and dates; a rejection is a 422 with its reason.',
        tags: ['caseworker'],
        params: JourneyParams,
        body: { content: json(ExtensionRequestDoc), schema: ExtensionRequestDoc, dated: ExtensionRequestBody },
        responses: { 200: { description: 'Filed', schema: ExtensionAccepted }, 409: ended },
      },
      async ({ principal, params, body }) => {
        await runningJourney(principal, params.journeyId);
        const result = await ctx.temporal.update(params.journeyId, requestExtensionUpdate, { ...body, requestedBy: principal.name });
        ctx.logger.info({ journeyId: params.journeyId, ground: body.ground }, 'extension request filed');
        return { status: 200, body: result };
      },
    ),
    route(
      {
        method: 'post',
        path: '/v1/journeys/{journeyId}/ladder-assessments',
        operationId: 'assessLadder',
        summary: 'Record a participation ladder assessment (rung 1-6)',
        description: 'The rung routes the journey to a sociaal werker participatie or a regisseur werk.',
        tags: ['caseworker'],
        params: JourneyParams,
        body: { content: json(LadderAssessmentDoc), schema: LadderAssessmentDoc, dated: LadderAssessmentBody },
        responses: { 202: { description: 'Accepted by the journey', schema: Accepted }, 409: ended },
      },
      async ({ principal, params, body }) => {
        await runningJourney(principal, params.journeyId);
        await ctx.temporal.signal(params.journeyId, ladderAssessedSignal, { rung: body.rung as LadderRung, assessedOn: body.assessedOn, assessedBy: principal.name });
        return { status: 202, body: { journeyId: params.journeyId, accepted: true } };
      },
    ),
    route(
      {
        method: 'post',
        path: '/v1/journeys/{journeyId}/instruments',
        operationId: 'startInstrument',
        summary: 'Start a re-integration instrument',
        description: 'The journey checks eligibility under its policy; an ineligible request is a 422 naming the rule.',
        tags: ['caseworker'],
        params: JourneyParams,
        body: { content: json(StartInstrumentDoc), schema: StartInstrumentDoc, dated: StartInstrumentBody },
        responses: { 201: { description: 'Started', schema: InstrumentState }, 409: ended },
      },
      async ({ principal, params, body }) => {
        await runningJourney(principal, params.journeyId);
        const state = await ctx.temporal.update(params.journeyId, startInstrumentUpdate, { ...body, requestedBy: principal.name });
        ctx.logger.info({ journeyId: params.journeyId, kind: body.kind }, 'instrument started');
        return { status: 201, body: state };
      },
    ),
    route(
      {
        method: 'post',
        path: '/v1/journeys/{journeyId}/instruments/{instrumentId}/end',
        operationId: 'endInstrument',
        summary: 'End a running instrument',
        tags: ['caseworker'],
        params: InstrumentParams,
        body: { content: json(EndInstrumentDoc), schema: EndInstrumentDoc, dated: EndInstrumentBody },
        responses: { 200: { description: 'Ended', schema: InstrumentState }, 409: ended },
      },
      async ({ principal, params, body }) => {
        await runningJourney(principal, params.journeyId);
        const state = await ctx.temporal.update(params.journeyId, endInstrumentUpdate, {
          instrumentId: params.instrumentId,
          endedOn: body.endedOn,
          reason: body.reason,
          endedBy: principal.name,
        });
        return { status: 200, body: state };
      },
    ),
  ];
}
