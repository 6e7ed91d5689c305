/** Administration: policy amendments over running journeys (dry run first), the outbox's dead letters. */
import crypto from 'node:crypto';
import { z } from 'zod';
import { computeClocks } from '../domain/clocks';
import type { JourneyFacts } from '../domain/facts';
import { amendPolicy, type Policy, type PolicyPatch } from '../domain/policy';
import type { Clock } from '../domain/types';
import type { JourneyState } from '../workflows/definitions';
import type { ApiContext } from './context';
import { Problem, fieldErrors, notFound } from './problem';
import { route, type RouteDef } from './route';
import { searchFilter, viewOn } from './journeys';
import { mayAccessMunicipality } from './auth';
import { DeadLetterList, DeadLetter, MunicipalityPolicy, PolicyAmendmentBody, PolicyAmendmentReport, PolicyAmendmentResult } from './schemas';

const json = (schema: z.ZodType) => ({ 'application/json': schema });
/** A bound on one amendment's reach; more journeys than this need a narrower filter. */
const MAX_AMENDED_JOURNEYS = 5000;

export function adminRoutes(ctx: ApiContext): RouteDef[] {
  const routes: RouteDef[] = [
    route(
      {
        method: 'post',
        path: '/v1/policy-amendments',
        operationId: 'amendPolicy',
        summary: 'Apply a policy amendment to the running journeys of a municipality that match a filter',
        description:
          "The new policy is the municipality's latest with `patch` merged in, as a new version. With `dryRun` (the " +
          'default) nothing changes: the answer lists each matching journey and how its clocks would move. Send ' +
          '`dryRun: false` to apply it: a workflow signals each journey and keeps a report (`GET /v1/policy-amendments/{amendmentId}`).',
        tags: ['administration'],
        body: { content: json(PolicyAmendmentBody), schema: PolicyAmendmentBody },
        responses: {
          200: { description: 'Dry run: what would change', schema: PolicyAmendmentResult },
          202: {
            description: 'Applying: the amendment runs as a workflow; its report is at `Location`',
            schema: PolicyAmendmentResult,
            headers: { Location: { description: 'The amendment report', schema: { type: 'string' } } },
          },
        },
      },
      async ({ principal, body }) => {
        // The municipality's current policy, earlier amendments included: each amendment builds on the last.
        const base = await ctx.policies.current(body.municipality);
        if (!base) throw new Problem(422, 'Invalid request', 'Unknown municipality.', [{ path: 'municipality', message: `no policy for municipality "${body.municipality}"` }]);

        // The patch is checked before any journey is read: a bad amendment costs nothing.
        let amended: Policy;
        try {
          amended = amendPolicy(base, body.patch as PolicyPatch, body.effectiveFrom);
        } catch (err) {
          if (err instanceof z.ZodError) throw new Problem(422, 'Invalid request', 'The patch does not give a valid policy.', fieldErrors(err, 'patch'));
          throw err;
        }

        // The running journeys the filter names, as the read model holds them (dated to today).
        const today = ctx.today();
        const matched = await ctx.journeys.views<JourneyState>(searchFilter(ctx, { ...body.filter, municipality: body.municipality, status: 'running' }), today, MAX_AMENDED_JOURNEYS);
        if (matched.truncated) {
          throw new Problem(422, 'Too many journeys', `The filter matches more than ${MAX_AMENDED_JOURNEYS} journeys; narrow it.`, [{ path: 'filter', message: 'too broad' }]);
        }
        const states = matched.journeys.map((j) => viewOn(j.view, today)).filter((s) => s.municipality === body.municipality);

        // One new version above every version in play, so journeys amended before still move forward.
        const version = Math.max(base.version, ...states.map((s) => (s.policy.id === base.id ? s.policy.version : 0))) + 1;
        const policy: Policy = { ...amended, version };

        const journeys = states.map((state) => ({
          journeyId: state.journeyId,
          from: state.policy,
          to: { id: policy.id, version: policy.version },
          clockChanges: clockChanges(state.clocks, computeClocks(state.milestones as JourneyFacts, policy, today)),
        }));

        const result = { dryRun: body.dryRun, policy: { id: policy.id, version: policy.version, effectiveFrom: policy.effectiveFrom }, matched: states.length, applied: 0, journeys };
        if (body.dryRun) return { status: 200, body: result };
        // Recorded before it is applied: the next amendment and every journey started from now build on it.
        await ctx.policies.record(policy, body.reason, principal.name);
        // Applied by a workflow with a readable report; the same request again names the same amendment.
        const input = { policy, reason: body.reason, amendedBy: principal.name, journeyIds: states.map((s) => s.journeyId) };
        const digest = crypto.createHash('sha256').update(JSON.stringify(input)).digest('hex').slice(0, 16);
        const amendmentId = `policy-amendment-${policy.id}-v${policy.version}-${digest}`;
        await ctx.temporal.startAmendment(amendmentId, input);
        ctx.logger.info({ policy: policy.id, version: policy.version, matched: states.length, amendmentId }, 'policy amendment started');
        return {
          status: 202,
          headers: { Location: `/v1/policy-amendments/${amendmentId}` },
          body: { ...result, amendmentId },
        };
      },
    ),
  ];

  routes.push(
    route(
      {
        method: 'get',
        path: '/v1/policies/{municipality}',
        operationId: 'getMunicipalityPolicy',
        summary: "A municipality's current policy and its amendments (who changed what, when and why)",
        description: 'A caseworker reads the policies of its own municipalities; another one is a 404 like one that does not exist.',
        tags: ['administration'],
        params: z.strictObject({ municipality: z.string().regex(/^[a-z0-9-]{1,64}$/) }),
        responses: { 200: { description: 'The policy and its amendments', schema: MunicipalityPolicy } },
      },
      async ({ principal, params }) => {
        const policy = mayAccessMunicipality(principal, params.municipality) ? await ctx.policies.current(params.municipality) : undefined;
        if (!policy) throw notFound('policy');
        return { status: 200, body: { policy, amendments: await ctx.policies.amendments(policy.id) } };
      },
    ),
    route(
      {
        method: 'get',
        path: '/v1/policy-amendments/{amendmentId}',
        operationId: 'getPolicyAmendment',
        summary: 'The report of an applied policy amendment: which journeys were amended, which failed and why',
        tags: ['administration'],
        params: z.strictObject({ amendmentId: z.string().regex(/^policy-amendment-[a-z0-9-]{1,64}-v\d{1,6}-[0-9a-f]{16}$/) }),
        responses: { 200: { description: 'The report (status `running` or `completed`)', schema: PolicyAmendmentReport } },
      },
      async ({ params }) => {
        const report = await ctx.temporal.amendmentReport(params.amendmentId);
        if (!report) throw notFound('policy amendment');
        return { status: 200, body: report };
      },
    ),
  );

  const outbox = ctx.outbox;
  if (outbox) {
    routes.push(
      route(
        {
          method: 'get',
          path: '/v1/dead-letters',
          operationId: 'listDeadLetters',
          summary: 'Notifications that exhausted their delivery attempts, newest first',
          tags: ['administration'],
          query: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
          responses: { 200: { description: 'Dead letters', schema: DeadLetterList } },
        },
        async ({ query }) => ({ status: 200, body: { messages: (await outbox.listDead(query.limit)).map(presentDeadLetter) } }),
      ),
      route(
        {
          method: 'post',
          path: '/v1/dead-letters/{messageId}/retry',
          operationId: 'retryDeadLetter',
          summary: 'Queue a dead letter again with a fresh set of attempts',
          tags: ['administration'],
          params: z.strictObject({ messageId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/) }),
          responses: {
            200: { description: 'Queued again', schema: DeadLetter },
            409: { description: 'The message is not dead', contentType: 'application/problem+json' },
          },
        },
        async ({ params }) => ({ status: 200, body: presentDeadLetter(await outbox.retryDead(params.messageId)) }),
      ),
    );
  }
  return routes;
}

function presentDeadLetter(m: Awaited<ReturnType<NonNullable<ApiContext['outbox']>['listDead']>>[number]) {
  return {
    id: m.id,
    kind: m.kind,
    channel: m.channel,
    recipient: m.recipient,
    subject: m.subject,
    status: m.status,
    attempts: m.attempts,
    ...(m.lastError ? { lastError: m.lastError } : {}),
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
  };
}

function clockChanges(before: Clock[], after: Clock[]) {
  const dates = (c: Clock | undefined) => c && { status: c.status, targetDate: c.targetDate, finalDate: c.finalDate };
  const names = [...new Set([...before.map((c) => c.name), ...after.map((c) => c.name)])];
  return names
    .map((name) => ({ clock: name, before: dates(before.find((c) => c.name === name)), after: dates(after.find((c) => c.name === name)) }))
    .filter((change) => JSON.stringify(change.before) !== JSON.stringify(change.after))
    .map((change) => ({ clock: change.clock, ...(change.before ? { before: change.before } : {}), ...(change.after ? { after: change.after } : {}) }));
}
