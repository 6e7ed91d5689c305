import { Router, type Request } from 'express';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { amsterdamDateOf } from '../domain/dates';
import { eventDataSchema, eventKey, type EventType, type JourneyEvent } from '../domain/events';
import { regimeForPermit } from '../domain/facts';
import { findPolicy } from '../domain/policies';
import { eventSignal, stateQuery, JOURNEY_WORKFLOW, type JourneyState, type StartJourneyInput } from '../workflows/definitions';
import { municipalityKey, phaseKey, regimeKey } from '../platform/search-attributes';
import type { Logger } from '../platform/logger';
import { mayAccessMunicipality, requireRole, type Principal } from './auth';
import { Problem, invalid } from './problem';
import { CloudEvent, CreateJourneyBody } from './schemas';
import type { Identity } from './identity';

export interface JourneyRoutesDeps {
  client: Client;
  taskQueue: string;
  identity: Identity;
  logger: Logger;
  now?: () => number;
}

export function journeyRoutes(deps: JourneyRoutesDeps): Router {
  const router = Router();
  const now = deps.now ?? Date.now;
  const today = () => amsterdamDateOf(now());

  /** A journey the caller may not see answers 404, so its existence does not leak. */
  async function readJourney(principal: Principal, journeyId: string): Promise<JourneyState> {
    try {
      const state = await deps.client.workflow.getHandle(journeyId).query(stateQuery);
      if (!mayAccessMunicipality(principal, state.municipality)) throw notFound(journeyId);
      return state;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound(journeyId);
      throw err;
    }
  }

  router.post('/journeys', requireRole('admin', 'caseworker'), async (req, res) => {
    const parsed = CreateJourneyBody.safeParse(req.body);
    if (!parsed.success) throw invalid(parsed.error);
    const body = parsed.data;
    const principal = req.principal!;
    const policy = findPolicy(body.municipality);
    if (!policy) throw new Problem(422, 'Invalid request', 'Unknown municipality.', [{ path: 'municipality', message: `no policy for municipality "${body.municipality}"` }]);
    if (!mayAccessMunicipality(principal, body.municipality)) throw new Problem(403, 'Forbidden', `You may not create journeys in ${body.municipality}.`);
    if (body.permitGrantedOn > today()) throw new Problem(422, 'Invalid request', 'A date lies in the future.', [{ path: 'permitGrantedOn', message: 'must not be in the future' }]);
    if (body.birthDate && body.birthDate > today()) throw new Problem(422, 'Invalid request', 'A date lies in the future.', [{ path: 'birthDate', message: 'must not be in the future' }]);

    const journeyId = deps.identity.journeyId(body.municipality, body.personRef);
    const regime = body.regime ?? regimeForPermit(body.permitGrantedOn);
    const input: StartJourneyInput = {
      journeyId,
      municipality: body.municipality,
      regime,
      permitGrantedOn: body.permitGrantedOn,
      birthDate: body.birthDate,
      bsnCiphertext: body.bsn ? deps.identity.encryptBsn(body.bsn) : undefined,
      policy,
    };
    try {
      await deps.client.workflow.start(JOURNEY_WORKFLOW, {
        workflowId: journeyId,
        taskQueue: deps.taskQueue,
        args: [input],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: new TypedSearchAttributes([
          { key: municipalityKey, value: body.municipality },
          { key: regimeKey, value: regime },
          { key: phaseKey, value: 'arrival' },
        ]),
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        throw new Problem(409, 'Conflict', 'This person already has a journey in this municipality.', undefined, { journeyId });
      }
      throw err;
    }
    deps.logger.info({ journeyId, municipality: body.municipality, regime }, 'journey started');
    res
      .status(201)
      .location(`/v1/journeys/${journeyId}`)
      .json({ journeyId, municipality: body.municipality, regime, policy: { id: policy.id, version: policy.version } });
  });

  router.get('/journeys/:journeyId', async (req, res) => {
    const principal = req.principal!;
    const state = await readJourney(principal, journeyIdParam(req));
    res.json(presentJourney(state, principal));
  });

  router.post('/journeys/:journeyId/events', requireRole('admin', 'partner'), async (req, res) => {
    const principal = req.principal!;
    const journeyId = journeyIdParam(req);
    const parsed = CloudEvent.safeParse(req.body);
    if (!parsed.success) throw invalid(parsed.error);
    const cloudEvent = parsed.data;
    const type = cloudEvent.type as EventType;
    if (principal.role === 'partner' && !principal.eventTypes.includes(type)) {
      throw new Problem(403, 'Forbidden', `This key may not send events of type ${type}.`);
    }
    const data = eventDataSchema(type).safeParse(cloudEvent.data);
    if (!data.success) throw invalid(data.error, 'data');
    const occurredOn = (data.data as { occurredOn: string }).occurredOn;
    if (occurredOn > today()) throw new Problem(422, 'Invalid request', 'The milestone lies in the future.', [{ path: 'data.occurredOn', message: 'must not be in the future' }]);

    const state = await readJourney(principal, journeyId);
    const event: JourneyEvent = {
      source: cloudEvent.source,
      id: cloudEvent.id,
      type,
      occurredOn,
      data: data.data as Record<string, unknown>,
      receivedAt: new Date(now()).toISOString(),
      actor: { name: principal.name, role: principal.role },
      ...(principal.role === 'admin' ? { correction: true } : {}),
    };
    if (state.events.some((e) => eventKey(e) === eventKey(event))) {
      res.status(200).json({ duplicate: true });
      return;
    }
    await deps.client.workflow.getHandle(journeyId).signal(eventSignal, event);
    deps.logger.info({ journeyId, type, source: event.source }, 'event accepted');
    res.status(202).json({ duplicate: false });
  });

  return router;
}

const notFound = (journeyId: string) => new Problem(404, 'Not found', `No journey ${journeyId}.`);

function journeyIdParam(req: Request): string {
  const journeyId = String(req.params.journeyId);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(journeyId)) throw notFound(journeyId.slice(0, 64));
  return journeyId;
}

/** The contract's journey, plus the administrator's view; personal data only for roles that may see it. */
export function presentJourney(state: JourneyState, principal: Principal) {
  const { milestones, ...rest } = state;
  const { birthDate: _birthDate, ...milestonesWithoutPerson } = milestones;
  return {
    ...rest,
    milestones: milestonesWithoutPerson,
    openTasks: state.openTasks.map((task) => ({
      taskId: task.taskId,
      kind: task.kind,
      dueDate: task.dueDate,
      followUpDate: task.followUpDate,
      candidateGroup: task.candidateGroup,
      ...(task.assignee ? { assignee: task.assignee } : {}),
    })),
    ...(principal.role === 'partner' ? { events: undefined, amendments: undefined } : {}),
  };
}
