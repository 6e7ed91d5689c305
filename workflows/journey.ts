/**
 * One statushouder's journey: every legal clock of the pinned policy, kept by durable timers and
 * moved by partner events. The law lives in ../domain (pure functions); this workflow only keeps the
 * facts, asks the domain what follows from them today, and hands tasks and notifications to activities.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setHandler,
  startChild,
  getExternalWorkflowHandle,
  upsertSearchAttributes,
  workflowInfo,
  ApplicationFailure,
  ParentClosePolicy,
} from '@temporalio/workflow';
import type { JourneyActivities } from '../activities';
import { amsterdamDateOf, amsterdamStartOfDay, ageOn } from '../domain/dates';
import { computeClocks, isWindowClock } from '../domain/clocks';
import { derivePhase } from '../domain/phase';
import { desiredTasks, taskIdFor } from '../domain/tasks';
import { dueNotifications, plannedNotifications, nextWakeUp } from '../domain/schedule';
import { applyEvent, initialFacts, type JourneyFacts } from '../domain/facts';
import { eventDataSchema, eventKey, EVENT_TYPES, type JourneyEvent } from '../domain/events';
import { validateExtensionRequest } from '../domain/extensions';
import { checkEligibility } from '../domain/instruments';
import { distanceForRung, routeForRung } from '../domain/ladder';
import type { Policy } from '../domain/policy';
import type { Clock, DesiredTask, LocalDate } from '../domain/types';
import {
  amendPolicySignal,
  assignCaseworkerSignal,
  endInstrumentUpdate,
  eventSignal,
  ladderAssessedSignal,
  moveMunicipalitySignal,
  requestExtensionUpdate,
  startInstrumentUpdate,
  stateQuery,
  taskCompletedSignal,
  type AmendmentLogEntry,
  type Caseworker,
  type EventLogEntry,
  type ExtensionRequestLogEntry,
  type InstrumentState,
  type JourneyState,
  type LadderAssessment,
  type StartJourneyInput,
} from './definitions';
import { instrumentWorkflow, instrumentChangedSignal, endInstrumentSignal } from './instrument';
import {
  caseworkerIdKey,
  caseworkerRoleKey,
  municipalityKey,
  nextFinalDateKey,
  overdueKey,
  phaseKey,
  regimeKey,
} from '../platform/search-attributes';

const { syncJourneyTasks, sendNotifications } = proxyActivities<JourneyActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** Everything a journey knows; carried whole across continue-as-new. */
export interface JourneyMemory {
  municipality: string;
  policy: Policy;
  caseworker: Caseworker;
  facts: JourneyFacts;
  events: EventLogEntry[];
  seenEventKeys: string[];
  amendments: AmendmentLogEntry[];
  ladder: LadderAssessment[];
  instruments: InstrumentState[];
  extensionRequests: ExtensionRequestLogEntry[];
  completedTaskKeys: string[];
  sentNotificationKeys: string[];
}

export interface JourneyOutcome {
  phase: JourneyState['phase'];
  finishedOn: LocalDate;
}

/** Source recorded for facts a caseworker establishes by completing a task. */
const TASK_SOURCE = 'urn:nl:koers:tasks';

export async function journeyWorkflow(input: StartJourneyInput, carried?: JourneyMemory): Promise<JourneyOutcome> {
  const memory: JourneyMemory = carried ?? {
    municipality: input.municipality,
    policy: input.policy,
    caseworker: input.caseworker ?? { role: input.policy.defaultCaseworkerRole },
    facts: initialFacts({ regime: input.regime, permitGrantedOn: input.permitGrantedOn, birthDate: input.birthDate }),
    events: [],
    seenEventKeys: [],
    amendments: [],
    ladder: [],
    instruments: [],
    extensionRequests: [],
    completedTaskKeys: [],
    sentNotificationKeys: [],
  };
  const seen = new Set(memory.seenEventKeys);
  const completedTasks = new Set(memory.completedTaskKeys);
  const sent = new Set(memory.sentNotificationKeys);
  let changed = true;

  const today = (): LocalDate => amsterdamDateOf(Date.now());
  const clocksToday = (): Clock[] => computeClocks(memory.facts, memory.policy, today());
  const openTasks = (clocks: Clock[]): DesiredTask[] =>
    desiredTasks(memory.facts, clocks, memory.policy, memory.caseworker.role, today())
      .filter((task) => !completedTasks.has(task.key))
      .concat(instrumentTasks())
      .map((task) => (memory.caseworker.id && !task.assignee && task.candidateGroup === memory.caseworker.role ? { ...task, assignee: memory.caseworker.id } : task));

  function instrumentTasks(): DesiredTask[] {
    return memory.instruments
      .filter((i) => i.status === 'active' && i.reassessmentDue && i.reassessBy !== undefined)
      .map((i) => ({
        key: `reassess-instrument:${i.instrumentId}:${i.endsOn}`,
        kind: 'reassess-instrument' as const,
        candidateGroup: memory.caseworker.role,
        followUpDate: i.reassessBy!,
        dueDate: i.endsOn,
      }))
      .filter((task) => !completedTasks.has(task.key));
  }

  function accept(event: JourneyEvent): boolean {
    const key = eventKey(event);
    if (seen.has(key)) return false;
    if (!EVENT_TYPES.includes(event.type) || !eventDataSchema(event.type).safeParse(event.data).success) {
      // The API validates first; a malformed signal from elsewhere must not break the journey.
      log.warn('ignored malformed event', { type: event.type });
      return false;
    }
    seen.add(key);
    memory.seenEventKeys.push(key);
    memory.events.push({
      source: event.source,
      id: event.id,
      type: event.type,
      occurredOn: event.occurredOn,
      receivedAt: event.receivedAt,
      actor: event.actor,
      correction: event.correction,
    });
    memory.facts = applyEvent(memory.facts, event);
    changed = true;
    return true;
  }

  function currentRung(): LadderAssessment | undefined {
    return memory.ladder[memory.ladder.length - 1];
  }

  setHandler(eventSignal, (event) => {
    accept(event);
  });

  setHandler(amendPolicySignal, ({ policy, reason, amendedBy }) => {
    memory.amendments.push({
      at: new Date(Date.now()).toISOString(),
      from: { id: memory.policy.id, version: memory.policy.version },
      to: { id: policy.id, version: policy.version },
      reason,
      amendedBy,
    });
    log.info('policy amended', { from: memory.policy.version, to: policy.version, policy: policy.id });
    memory.policy = policy;
    changed = true;
  });

  setHandler(assignCaseworkerSignal, (caseworker) => {
    memory.caseworker = caseworker;
    changed = true;
  });

  setHandler(moveMunicipalitySignal, ({ municipality, policy, movedBy }) => {
    memory.amendments.push({
      at: new Date(Date.now()).toISOString(),
      from: { id: memory.policy.id, version: memory.policy.version },
      to: { id: policy.id, version: policy.version },
      reason: `moved from ${memory.municipality} to ${municipality}`,
      amendedBy: movedBy,
    });
    memory.municipality = municipality;
    memory.policy = policy;
    // A warm hand-over: the new municipality's default team picks the journey up.
    memory.caseworker = { role: policy.defaultCaseworkerRole };
    changed = true;
  });

  setHandler(ladderAssessedSignal, (assessment) => {
    memory.ladder.push(assessment);
    memory.caseworker = { role: routeForRung(assessment.rung, memory.policy) };
    changed = true;
  });

  setHandler(taskCompletedSignal, (completion) => {
    if (completedTasks.has(completion.taskKey)) return;
    completedTasks.add(completion.taskKey);
    memory.completedTaskKeys.push(completion.taskKey);
    const factEvent = eventForCompletedTask(completion.taskKey, completion.completedOn, completion.form);
    if (factEvent) accept({ ...factEvent, source: TASK_SOURCE, id: completion.taskKey, receivedAt: new Date(Date.now()).toISOString(), actor: { name: completion.completedBy, role: 'caseworker' } });
    const rung = completion.form.rung;
    if (typeof rung === 'number' && rung >= 1 && rung <= 6) {
      memory.ladder.push({ rung: rung as LadderAssessment['rung'], assessedOn: completion.completedOn, assessedBy: completion.completedBy });
      memory.caseworker = { role: routeForRung(rung as LadderAssessment['rung'], memory.policy), id: memory.caseworker.id };
    }
    changed = true;
  });

  setHandler(
    requestExtensionUpdate,
    (request) => {
      memory.extensionRequests.push({ ...request, status: 'filed' });
      changed = true;
      return { accepted: true as const };
    },
    {
      validator: (request) => {
        const verdict = validateExtensionRequest(request, memory.facts, clocksToday(), today());
        if (!verdict.ok) throw ApplicationFailure.nonRetryable(verdict.reason, 'InvalidExtensionRequest', { field: verdict.field });
      },
    },
  );

  setHandler(
    startInstrumentUpdate,
    async (request) => {
      const instrumentId = `${input.journeyId}-instrument-${memory.instruments.length + 1}`;
      await startChild(instrumentWorkflow, {
        workflowId: instrumentId,
        args: [{ instrumentId, journeyId: input.journeyId, kind: request.kind, startedOn: request.startedOn, policy: memory.policy, hasStartkwalificatie: request.hasStartkwalificatie }],
        // A journey continues as new over the years; its instruments must outlive each run. They
        // signal the journey by workflow id, which always reaches the current run.
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      return pendingInstrumentState(instrumentId);
    },
    {
      validator: (request) => {
        if (!memory.facts.birthDate) throw ApplicationFailure.nonRetryable('birth date unknown: eligibility needs the age', 'IneligibleInstrument', { field: 'birthDate' });
        const rung = currentRung();
        const { kind, startedOn: _startedOn, requestedBy: _requestedBy, ...stated } = request;
        const verdict = checkEligibility(
          kind,
          {
            ...stated,
            age: ageOn(memory.facts.birthDate, request.startedOn),
            distance: rung ? distanceForRung(rung.rung, memory.policy) : 'long',
          },
          memory.policy,
        );
        if (!verdict.eligible) throw ApplicationFailure.nonRetryable(verdict.reason, 'IneligibleInstrument', { rule: verdict.rule });
      },
    },
  );

  // The child reports its state; the parent keeps the list an administrator sees.
  const pendingInstruments = new Map<string, (state: InstrumentState) => void>();
  function pendingInstrumentState(instrumentId: string): Promise<InstrumentState> {
    const known = memory.instruments.find((i) => i.instrumentId === instrumentId);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => pendingInstruments.set(instrumentId, resolve));
  }
  setHandler(instrumentChangedSignal, (state) => {
    const index = memory.instruments.findIndex((i) => i.instrumentId === state.instrumentId);
    if (index >= 0) memory.instruments[index] = state;
    else memory.instruments.push(state);
    pendingInstruments.get(state.instrumentId)?.(state);
    pendingInstruments.delete(state.instrumentId);
    changed = true;
  });

  setHandler(
    endInstrumentUpdate,
    async (end) => {
      await getExternalWorkflowHandle(end.instrumentId).signal(endInstrumentSignal, end);
      await condition(() => memory.instruments.find((i) => i.instrumentId === end.instrumentId)?.status === 'ended');
      return memory.instruments.find((i) => i.instrumentId === end.instrumentId)!;
    },
    {
      validator: (end) => {
        const instrument = memory.instruments.find((i) => i.instrumentId === end.instrumentId);
        if (!instrument) throw ApplicationFailure.nonRetryable('no such instrument', 'UnknownInstrument', { field: 'instrumentId' });
        if (instrument.status === 'ended') throw ApplicationFailure.nonRetryable('instrument already ended', 'UnknownInstrument', { field: 'instrumentId' });
      },
    },
  );

  let projected: { tasks: DesiredTask[]; caseworker: Caseworker; municipality: string } | undefined;

  setHandler(stateQuery, (): JourneyState => {
    const clocks = clocksToday();
    return {
      journeyId: input.journeyId,
      municipality: memory.municipality,
      regime: memory.facts.regime,
      phase: derivePhase(memory.facts, clocks),
      today: today(),
      policy: { id: memory.policy.id, version: memory.policy.version },
      caseworker: memory.caseworker,
      clocks,
      milestones: memory.facts,
      openTasks: openTasks(clocks).map((task) => ({ ...task, taskId: taskIdFor(input.journeyId, task.key) })),
      nextWakeUp: nextWakeUp(clocks, memory.policy, memory.caseworker.role, today()),
      events: memory.events,
      amendments: memory.amendments,
      ladder: memory.ladder,
      instruments: memory.instruments,
      extensionRequests: memory.extensionRequests,
      notificationsSent: sent.size,
    };
  });

  const historyIsLong = (): boolean => {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength > (input.maxHistoryEvents ?? 10_000);
  };

  let lastSearchAttributes = '';
  for (;;) {
    changed = false;
    const clocks = clocksToday();
    const phase = derivePhase(memory.facts, clocks);
    const tasks = openTasks(clocks);

    if (
      !projected ||
      JSON.stringify(projected.tasks) !== JSON.stringify(tasks) ||
      projected.caseworker !== memory.caseworker ||
      projected.municipality !== memory.municipality
    ) {
      await syncJourneyTasks({ journeyId: input.journeyId, municipality: memory.municipality, caseworkerRole: memory.caseworker.role, tasks });
      projected = { tasks, caseworker: memory.caseworker, municipality: memory.municipality };
    }

    const due = dueNotifications(plannedNotifications(clocks, memory.policy, memory.caseworker.role), today(), sent);
    if (due.length > 0) {
      await sendNotifications({ journeyId: input.journeyId, municipality: memory.municipality, notifications: due });
      for (const n of due) {
        sent.add(n.key);
        memory.sentNotificationKeys.push(n.key);
      }
    }

    const searchAttributes = journeySearchAttributes(memory, clocks, phase);
    const serialized = JSON.stringify(searchAttributes);
    if (serialized !== lastSearchAttributes) {
      upsertSearchAttributes(searchAttributes);
      lastSearchAttributes = serialized;
    }

    const active = memory.instruments.some((i) => i.status === 'active');
    if ((phase === 'plicht-met' || phase === 'exempted') && tasks.length === 0 && !active && !changed) {
      await condition(allHandlersFinished);
      return { phase, finishedOn: today() };
    }

    if (historyIsLong() && !changed) {
      // Drain running update handlers so no accepted message is lost, then carry everything over.
      await condition(allHandlersFinished);
      await continueAsNew<typeof journeyWorkflow>(input, memory);
    }

    const wakeUp = nextWakeUp(clocks, memory.policy, memory.caseworker.role, today());
    if (changed) continue;
    // A long history wakes the loop too: duplicates change nothing, yet every one is a history event.
    if (wakeUp === undefined) await condition(() => changed || historyIsLong());
    else await condition(() => changed || historyIsLong(), Math.max(1, amsterdamStartOfDay(wakeUp) - Date.now()));
  }
}

/** Search attributes carry no personal data: only the case's municipality, phase, dates and roles. */
function journeySearchAttributes(memory: JourneyMemory, clocks: Clock[], phase: JourneyState['phase']) {
  const deadlines = clocks.filter((c) => (c.status === 'running' || c.status === 'overdue') && !isWindowClock(c.name));
  const next = deadlines.map((c) => c.finalDate).sort()[0];
  return {
    [municipalityKey.name]: [memory.municipality],
    [phaseKey.name]: [phase],
    [regimeKey.name]: [memory.facts.regime],
    [nextFinalDateKey.name]: next ? [new Date(`${next}T00:00:00Z`)] : [],
    [overdueKey.name]: [clocks.some((c) => c.status === 'overdue')],
    [caseworkerRoleKey.name]: [memory.caseworker.role],
    [caseworkerIdKey.name]: memory.caseworker.id ? [memory.caseworker.id] : [],
  };
}

/** A completed task's form establishes the same fact a partner event would (forms: store/task-forms.ts). */
function eventForCompletedTask(
  taskKey: string,
  completedOn: LocalDate,
  form: Record<string, unknown>,
): Pick<JourneyEvent, 'type' | 'occurredOn' | 'data'> | undefined {
  const kind = taskKey.split(':')[0];
  const date = (field: string): LocalDate | undefined => (typeof form[field] === 'string' ? (form[field] as LocalDate) : undefined);
  const fact = (type: JourneyEvent['type'], on: LocalDate, data: Record<string, unknown> = {}) => ({ type, occurredOn: on, data: { occurredOn: on, ...data } });
  switch (kind) {
    case 'hold-intake':
      return fact('nl.koers.intake.held', date('heldOn') ?? completedOn);
    case 'draw-up-pip':
      return fact('nl.koers.pip.established', date('pipDate') ?? completedOn, { leerroute: form.leerroute });
    case 'draw-up-plan':
      return fact('nl.koers.pip.established', date('planDate') ?? completedOn);
    case 'start-reintegration':
      return fact('nl.koers.reintegration.started', date('startedOn') ?? completedOn, { instrument: form.instrument });
    case 'offer-participatieverklaring': {
      const signedOn = date('signedOn');
      return signedOn ? fact('nl.koers.participatieverklaring.signed', signedOn) : undefined;
    }
    default:
      return undefined;
  }
}
