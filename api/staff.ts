/**
 * The staff directory over HTTP (staff/directory.ts): colleagues by name for a reassignment, the check
 * every route that gives work to a staff id makes, and the recording of API-key staff on their first
 * authenticated use (development mode; people signing in through the identity provider are recorded
 * by identity/). Names are answered only to staff of the same municipalities and never logged.
 */
import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { signInOfKey, type NotAssignable, type StaffDirectory, type StaffMember } from '../staff/directory';
import type { Principal } from './auth';
import type { ApiContext, ApiLogger } from './context';
import { notFound, Problem } from './problem';
import { route, type RouteDef } from './route';
import { StaffDeactivationBody, StaffDeactivationParams, StaffDeactivationResult, StaffList, StaffQuery } from './schemas';

const json = (schema: z.ZodType) => ({ 'application/json': schema });

/** The API's message for each reason a staff id cannot take work (the web app says it in Dutch). */
export const NOT_ASSIGNABLE: Record<NotAssignable, string> = {
  unknown: 'no colleague with this staff id has signed in',
  inactive: 'this colleague is no longer active',
  elsewhere: 'this colleague does not serve the municipality of the work',
};

/**
 * Refuses (422, naming `field`) a staff id that may not be given work of `municipality`: unknown to the
 * directory (a typing error), deactivated, or serving other municipalities. So no task or journey is
 * handed to nobody (issue 21: a mistyped `cw-anuok` left a task that no one held and no one could take back).
 */
export async function requireColleague(staff: StaffDirectory, id: string, municipality: string, field: string): Promise<StaffMember> {
  const found = await staff.assignable(id, municipality);
  if (!found.ok) throw new Problem(422, 'Invalid request', 'One or more fields are invalid.', [{ path: field, message: NOT_ASSIGNABLE[found.reason] }], { reason: found.reason });
  return found.member;
}

/**
 * Records the staff an API key stands for on its first authenticated use in this process (and again
 * after each start), so the directory is filled in development mode too. Partners are machines and
 * not recorded. A failure to record is logged (key fingerprint only) and does not fail the request.
 */
export function recordKeyStaff(staff: StaffDirectory, logger: ApiLogger): RequestHandler {
  const recorded = new Set<string>();
  return (req, _res, next) => {
    const principal = req.principal;
    const signIn = principal && !recorded.has(principal.keyId) ? signInOfKey(principal) : undefined;
    if (!principal || !signIn) return next();
    staff
      .recordSignIn(signIn)
      .then(() => recorded.add(principal.keyId))
      .catch((err: unknown) => logger.warn({ keyId: principal.keyId, err: err instanceof Error ? err.name : String(err) }, 'staff directory: key use not recorded'))
      .finally(() => next());
  };
}

/** Municipalities whose staff a principal may list: an admin every one (undefined), others their own. */
const servedBy = (principal: Principal): string[] | undefined => (principal.role === 'admin' ? undefined : principal.municipalities);

export function staffRoutes(ctx: ApiContext): RouteDef[] {
  return [
    route(
      {
        method: 'get',
        path: '/v1/staff',
        operationId: 'listColleagues',
        summary: 'Active colleagues by name: whom work may be handed to',
        description:
          "Staff are known from their sign-ins (the identity provider; in development mode an API key's first use). A caseworker sees the colleagues of its own municipalities; an admin everyone's. Sorted by name.",
        tags: ['tasks'],
        roles: ['caseworker', 'admin'],
        query: StaffQuery,
        responses: { 200: { description: 'Active colleagues', schema: StaffList } },
      },
      async ({ principal, query }) => {
        const served = servedBy(principal);
        const municipalities = query.municipality ? (served === undefined || served.includes(query.municipality) ? [query.municipality] : []) : served;
        const members = await ctx.staff.colleagues({ ...(municipalities ? { municipalities } : {}), ...(query.team ? { team: query.team } : {}) });
        return {
          status: 200,
          body: { staff: members.map(({ id, name, role, team, municipalities: m }) => ({ id, name, role, ...(team ? { team } : {}), municipalities: m })) },
        };
      },
    ),
    route(
      {
        method: 'post',
        path: '/v1/staff/{staffId}/deactivation',
        operationId: 'deactivateColleague',
        summary: 'Deactivate a colleague who left: no longer offered or given work (offboarding)',
        description:
          "For team leads and admins. The colleague is no longer listed by `listColleagues` and no task or journey can be handed to them; the work they hold stays theirs until it is handed over (`redistributeTasks` with `holder`). A team lead deactivates only colleagues serving one of the team lead's municipalities; anyone else is 404, as an unknown staff id is. The caller and the `reason` are kept with the colleague. A later sign-in through the identity provider makes the colleague active again. Deactivating an inactive colleague changes nothing.",
        tags: ['tasks'],
        params: StaffDeactivationParams,
        body: { content: json(StaffDeactivationBody), schema: StaffDeactivationBody },
        responses: {
          200: { description: 'The colleague, deactivated', schema: StaffDeactivationResult },
          404: { description: 'No colleague with this staff id (in the caller\'s municipalities)', contentType: 'application/problem+json' },
        },
      },
      async ({ principal, params, body }) => {
        const member = await ctx.staff.find(params.staffId);
        const served = servedBy(principal);
        // A team lead's reach is their municipalities: a colleague elsewhere (or an admin serving none) is not theirs to see.
        if (!member || (served !== undefined && !member.municipalities.some((m) => served.includes(m)))) throw notFound('colleague');
        if (member.active) await ctx.staff.deactivate(member.id, { staffId: principal.name, reason: body.reason });
        const after = await ctx.staff.find(member.id);
        return { status: 200, body: { id: member.id, active: false as const, deactivatedAt: after?.deactivatedAt ?? new Date().toISOString() } };
      },
    ),
  ];
}
