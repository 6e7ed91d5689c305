/**
 * Retention and erasure of a journey's personal data (AVG art. 17): an administrator reads a
 * journey's retention record, or erases its personal data at once on a ground of art. 17 lid 1. A
 * running journey is ended first (the law may oblige the municipality to keep the data while the
 * inburgeringsplicht runs, art. 17 lid 3 onder b: that judgement is the administrator's). The erasure
 * itself is recorded (store/retention.ts) with the key's fingerprint and the ground, and logged.
 */
import { z } from 'zod';
import { erasureDueOn, retentionFor } from '../domain/policy';
import type { RetentionStore } from '../store/retention';
import type { ApiContext } from './context';
import { mayAccessMunicipality, type Principal } from './auth';
import { notFound } from './problem';
import { route, type RouteDef } from './route';
import { JourneyParams } from './journeys';
import { ErasureBody, JourneyErasure } from './schemas';

const json = (schema: z.ZodType) => ({ 'application/json': schema });

export function erasureRoutes(ctx: ApiContext, retention: RetentionStore): RouteDef[] {
  /**
   * Whether the caller's municipalities reach the journey: where the read model has it (a move is in force
   * there before its 202, store/journeys.ts `move`), else where Temporal or the retention record has it.
   */
  async function mayErase(principal: Principal, journeyId: string, elsewhere: string): Promise<boolean> {
    const row = await ctx.journeys.run(journeyId);
    return mayAccessMunicipality(principal, row?.municipality ?? elsewhere);
  }

  return [
    route(
      {
        method: 'get',
        path: '/v1/journeys/{journeyId}/erasure',
        operationId: 'getJourneyErasure',
        summary: "A journey's retention record: when its personal data is erased, or was, and why",
        tags: ['administration'],
        params: JourneyParams,
        responses: { 200: { description: 'The retention record (only for a journey that ended)', schema: JourneyErasure } },
      },
      async ({ principal, params }) => {
        const entry = await retention.get(params.journeyId);
        if (!entry || !(await mayErase(principal, params.journeyId, entry.municipality))) throw notFound('retention record');
        return { status: 200, body: entry };
      },
    ),
    route(
      {
        method: 'post',
        path: '/v1/journeys/{journeyId}/erasure',
        operationId: 'eraseJourney',
        summary: "Erase a journey's personal data now (right to erasure, AVG art. 17)",
        description:
          'Deletes every run of the journey and its instruments from Temporal (the sealed BSN and birth date are in their input) ' +
          "and the task forms' contents; a running journey is ended first. The event audit trail keeps its pseudonymous " +
          'references; the retention record notes the ground and the key. Erasing again changes nothing.',
        tags: ['administration'],
        params: JourneyParams,
        body: { content: json(ErasureBody), schema: ErasureBody },
        responses: { 200: { description: 'Erased (or erased before)', schema: JourneyErasure } },
      },
      async ({ principal, params, body }) => {
        let entry = await retention.get(params.journeyId);
        if (entry && !(await mayErase(principal, params.journeyId, entry.municipality))) throw notFound('journey');
        if (entry?.erasedAt) return { status: 200, body: entry };
        const found = await ctx.temporal.municipalityOf(params.journeyId);
        if (found && !(await mayErase(principal, params.journeyId, found.municipality))) throw notFound('journey');
        if (!entry) {
          if (!found) throw notFound('journey');
          const policy = await ctx.policies.current(found.municipality);
          const endedOn = ctx.today();
          entry = await retention.recordEnded({
            journeyId: params.journeyId,
            municipality: found.municipality,
            endedOn,
            endReason: found.running ? 'erased-while-running' : 'closed',
            eraseAfter: erasureDueOn(endedOn, policy, found.regime === 'wi2013' || found.regime === 'wi2021' ? { regime: found.regime } : {}),
            retentionBasis: retentionFor(policy, found.regime === 'wi2013' || found.regime === 'wi2021' ? { regime: found.regime } : {}).basis,
          });
        }
        const runs = await ctx.temporal.erase(params.journeyId);
        const erased = await retention.markErased(params.journeyId, body.ground, principal.keyId);
        ctx.logger.info({ journeyId: params.journeyId, ground: body.ground, keyId: principal.keyId, runs }, 'journey personal data erased');
        return { status: 200, body: erased };
      },
    ),
  ];
}
