/**
 * One definition per operation: the zod schemas that validate a request and its answer are the same
 * ones the OpenAPI document is generated from (openapi.ts), and the Express route is registered from
 * it, so the document cannot drift from what the server does.
 */
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { Problem, fieldErrors } from './problem';
import type { Principal } from './auth';
import { operationRoles, type Role } from '../identity/permissions';

export type Method = 'get' | 'post' | 'put' | 'delete';

export interface ResponseSpec {
  description: string;
  /** Registered in `components` (schemas.ts) so the document can `$ref` it. */
  schema?: z.ZodType;
  contentType?: string;
  headers?: Record<string, { description: string; schema: Record<string, unknown> }>;
}

export interface BodySpec<B extends z.ZodType> {
  /** The schema per media type; the first one validates the body unless `raw` is set. */
  content: Record<string, z.ZodType>;
  /** The schema the handler's `body` comes from. */
  schema: B;
  /** The same schema with "not in the future" checks against today's date (Europe/Amsterdam). */
  dated?: (today: string) => z.ZodType;
  /** The handler parses the body itself, media type included (CloudEvents: binary mode takes any JSON type; batch mode answers per event). */
  raw?: boolean;
}

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: Method;
  /** OpenAPI form (`/v1/journeys/{journeyId}`); the Express form is derived. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /**
   * @deprecated Who may call an operation is identity/permissions.ts `OPERATIONS` (one table); this is
   * read only for an operation missing there (a route written before the table), and the permissions
   * test names such a route until it has its row.
   */
  roles?: Role[] | 'public';
  params?: P;
  query?: Q;
  body?: BodySpec<B>;
  responses: Record<number, ResponseSpec>;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Context<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  req: Request;
  res: Response;
  /** Present on every non-public route (authentication runs first). */
  principal: Principal;
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
}

export interface RouteDef {
  spec: RouteSpec<z.ZodType, z.ZodType, z.ZodType>;
  handler: (ctx: Context<z.ZodType, z.ZodType, z.ZodType>) => Promise<Reply>;
  /** Middleware between authentication and the handler that the document need not show (rate limiting). */
  before?: RequestHandler[];
}

const Empty = z.strictObject({});

export function route<P extends z.ZodType = typeof Empty, Q extends z.ZodType = typeof Empty, B extends z.ZodType = z.ZodUnknown>(
  spec: RouteSpec<P, Q, B>,
  handler: (ctx: Context<P, Q, B>) => Promise<Reply>,
  before: RequestHandler[] = [],
): RouteDef {
  return { spec, handler, before } as unknown as RouteDef;
}

/** Who may call a route: its row in identity/permissions.ts, else its spec's (deprecated) `roles`, else nobody. */
export const routeRoles = (spec: Pick<RouteSpec<z.ZodType, z.ZodType, z.ZodType>, 'operationId' | 'roles'>): readonly Role[] | 'public' =>
  operationRoles(spec.operationId, spec.roles) ?? [];

export const expressPath = (openApiPath: string): string => openApiPath.replace(/\{(\w+)\}/g, ':$1');

export interface MountOptions {
  /** Today in Europe/Amsterdam, for the "not in the future" checks. */
  today: () => string;
  /** Check every answer against its declared schema (tests): a drift is a 500 there, not a silent lie. */
  validateResponses?: boolean;
  onResponseMismatch?: (operationId: string, status: number, error: z.ZodError) => void;
}

/**
 * Registers each route on the app. Order inside a request: role (403), path parameters (404: an id
 * that cannot exist is no resource), query (400), body (422), then the handler.
 */
export function mountRoutes(app: Express, routes: RouteDef[], options: MountOptions): void {
  // A concrete path is its own resource, never a value of a sibling template's parameter (OpenAPI 3.1
  // path templating matching): GET /v1/tasks/redistribution is a 405, not a task called "redistribution".
  const concrete = new Set(routes.map(({ spec }) => expressPath(spec.path)).filter((path) => !path.includes(':')));
  const notConcrete = (req: Request, _res: Response, next: NextFunction) => (concrete.has(req.path) ? next('route') : next());
  for (const { spec, handler, before = [] } of routes) {
    // A route in neither the table nor its spec is refused to everyone, never open.
    const roles = routeRoles(spec);
    const path = expressPath(spec.path);
    app[spec.method](path, ...(path.includes(':') ? [notConcrete] : []), ...before, async (req: Request, res: Response, next: NextFunction) => {
      try {
        const principal = req.principal;
        if (roles !== 'public') {
          if (!principal) throw new Problem(401, 'Unauthorized', 'A valid "Authorization: Bearer <key>" header is required.');
          if (!roles.includes(principal.role)) throw new Problem(403, 'Forbidden', `This needs the role ${roles.join(' or ')}.`);
        }
        if (spec.body && !spec.body.raw && req.headers['content-length'] !== '0' && req.is(Object.keys(spec.body.content)) === false) {
          throw new Problem(415, 'Unsupported media type', `Send ${Object.keys(spec.body.content).join(' or ')}.`);
        }
        const params = (spec.params ?? Empty).safeParse(req.params);
        if (!params.success) throw new Problem(404, 'Not found', 'No such resource.');
        const query = (spec.query ?? Empty).safeParse(req.query ?? {});
        if (!query.success) throw new Problem(400, 'Invalid query', 'One or more query parameters are invalid.', fieldErrors(query.error, 'query'));
        let body: unknown = req.body;
        // An operation without a body takes none (or `{}`): a stray body is a mistake the caller should hear of.
        const empty = body === undefined || (typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0);
        if (!spec.body && !empty) throw new Problem(422, 'Invalid request', 'This operation takes no body.', [{ path: '(body)', message: 'must be empty' }]);
        if (spec.body && !spec.body.raw) {
          const schema = spec.body.dated ? spec.body.dated(options.today()) : spec.body.schema;
          const parsed = schema.safeParse(req.body);
          if (!parsed.success) throw new Problem(422, 'Invalid request', 'One or more fields are invalid.', fieldErrors(parsed.error));
          body = parsed.data;
        }
        const reply = await handler({ req, res, principal: principal!, params: params.data, query: query.data, body });
        // A streamed answer (a CSV export, api/export.ts) was written by the handler itself.
        if (res.headersSent) return;
        const declared = spec.responses[reply.status];
        if (options.validateResponses) {
          const check = declared?.schema?.safeParse(reply.body);
          if (!declared || (check && !check.success)) {
            const error = check && !check.success ? check.error : new z.ZodError([]);
            options.onResponseMismatch?.(spec.operationId, reply.status, error);
            throw new Error(`${spec.operationId} answered ${reply.status} outside its declared schema`);
          }
        }
        for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
        res.status(reply.status);
        if (reply.body === undefined) res.end();
        else if (declared?.contentType && declared.contentType !== 'application/json') {
          if (!res.get('Content-Type')) res.type(declared.contentType);
          res.send(reply.body);
        }
        else res.json(reply.body);
      } catch (err) {
        next(err);
      }
    });
  }
}
