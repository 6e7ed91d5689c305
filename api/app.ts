import express from 'express';
import type { Client } from '@temporalio/client';
import type { Logger } from '../platform/logger';
import { authenticate, type ApiKeys } from './auth';
import { journeyRoutes } from './journeys';
import { Problem, problemHandler } from './problem';
import type { Identity } from './identity';

export const API_VERSION = '1.0.0';

export interface AppDeps {
  client: Client;
  taskQueue: string;
  keys: ApiKeys;
  identity: Identity;
  logger: Logger;
  now?: () => number;
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use((_req, res, next) => {
    res.setHeader('API-Version', API_VERSION);
    next();
  });

  app.get('/health', async (_req, res) => {
    const temporal = await deps.client.connection.workflowService
      .getSystemInfo({})
      .then(() => 'reachable' as const)
      .catch(() => 'unreachable' as const);
    res.status(temporal === 'reachable' ? 200 : 503).json({ status: temporal === 'reachable' ? 'ok' : 'degraded', temporal });
  });

  const v1 = express.Router();
  v1.use(authenticate(deps.keys));
  v1.use((req, _res, next) => {
    if (['POST', 'PUT', 'PATCH'].includes(req.method) && !req.is('application/json') && !req.is('application/cloudevents+json') && !req.is('application/cloudevents-batch+json')) {
      throw new Problem(415, 'Unsupported media type', 'Send application/json.');
    }
    next();
  });
  v1.use(express.json({ limit: '64kb', strict: true, type: ['application/json', 'application/cloudevents+json', 'application/cloudevents-batch+json'] }));
  v1.use(journeyRoutes(deps));
  app.use('/v1', v1);

  app.use((_req, _res, next) => next(new Problem(404, 'Not found', 'No such resource.')));
  app.use(problemHandler((err) => deps.logger.error({ err }, 'unhandled error')));
  return app;
}
