/**
 * One statushouder's journey: every legal clock of the pinned policy, kept by durable timers and
 * moved by partner events. The law lives in ../domain (pure functions) and the state with one method
 * per message in ./journey-state.ts; this workflow wires messages to those methods, hands tasks and
 * notifications to activities, sleeps until the next due day, and continues as new when the history
 * grows long. It never fails a workflow task on data: the state refuses what it cannot apply.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  ApplicationFailure,
  ParentClosePolicy,
} from '@temporalio/workflow';
import type { JourneyActivities } from '../activities';
import { amsterdamStartOfDay } from '../domain/dates';
import type { Caseworker, DesiredTask } from '../domain/types';
import { journeySearchAttributePairs } from '../platform/search-attributes';
import {
  amendPolicySignal,
  DEFAULT_MAX_HISTORY_EVENTS,
  assignCaseworkerSignal,
  endInstrumentUpdate,
  eventSignal,
  ladderAssessedSignal,
  memoryQuery,
  moveMunicipalitySignal,
  correctPersonSignal,
  endJourneySignal,
  withdrawEndSignal,
  projectSignal,
  requestExtensionUpdate,
  startInstrumentUpdate,
  stateQuery,
  taskCompletedSignal,
  type InstrumentState,
  type JourneyState,
  type StartJourneyInput,
} from './definitions';
import { instrumentWorkflow, instrumentChangedSignal, endInstrumentSignal, extendInstrumentSignal } from './instrument';
import { Journey, type JourneyMemory } from './journey-state';
import { onRefusedMessage } from './interceptors';
import { cancellationForEnd } from '../domain/journey-end';

export type { JourneyMemory };

const { syncJourneyTasks, sendNotifications } = proxyActivities<JourneyActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

// A short idempotent store write (activities/journey-sync.ts): as a local activity its result is a marker
// in the same workflow task, so a milestone costs one workflow task (issue 12, measured in
// test/workflow/milestone-cost.test.ts). Its input (the journey's view) never enters the history.
const { syncJourney } = proxyLocalActivities<JourneyActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
  // A store outage must not hold the workflow task open (retrying locally): past a second's backoff the
  // next attempt waits on a timer, so the journey answers queries and takes signals meanwhile.
  localRetryThreshold: '1 second',
});

export interface JourneyOutcome {
  phase: JourneyState['phase'];
  finishedOn: string;
}

export async function journeyWorkflow(input: StartJourneyInput, carried?: JourneyMemory): Promise<JourneyOutcome> {
  // Issue 25: a live run's every patched() records a marker and an upsert of TemporalChangeVersion (a
  // visibility write; sdk-core's patch machine), four of each in a journey's first workflow task. A run
  // that starts now takes every patch below at once, with this one marker; a run recorded before it
  // replays without the marker (false) and asks each patch as it did.
  const current = patched('patches-2026-12');
  // Journeys that ran before the v1.1 admission rules keep replaying as they ran (patching-api sample).
  // The same for the v1.1 law rules (who is obliged, the Participatiewet track, the journey end, the
  // roads in): evaluated once here, so a journey keeps one rule set for its whole run.
  const journey = new Journey(input, carried, () => Date.now(), {
    crossFieldRules: current || patched('admission-v1.1'),
    lawV11: current || patched('law-v1.1'),
    // Issue 22: the Algemene termijnenwet, the suspension of Awb 4:15 and the statutes' conditions.
    lawV12: current || patched('law-v1.2'),
    // Asked when a form gives the day, so the marker lands in the history where the behaviour changed.
    formAssessedOn: () => current || patched('ladder-assessed-on'),
    correctionsV12: () => current || patched('corrections-v1.2'),
    instrumentStartsReintegration: () => current || patched('instrument-starts-reintegration'),
  });
  // Journeys recorded before the read model keep their two activities per step (replay); later ones
  // make one local activity that also writes the read model (store/journeys.ts). Asked at every step,
  // not once per run: patched() is false only while replaying history without the marker, so a journey
  // that was running before the upgrade joins the read model at its first live step after it.
  const readModel = (): boolean => current || patched('read-model-v1');
  const { journeyId } = input;
  const startedAt = workflowInfo().startTime.toISOString();

  // A signal sent around the API (its payload not sealed by Koers) is kept as rejected, nothing more.
  onRefusedMessage((message, reason) => journey.refuseMessage(message, reason));
  setHandler(eventSignal, (event) => {
    if (journey.receiveEvent(event) === 'rejected') log.warn('event rejected', { type: String(event?.type) });
  });
  setHandler(amendPolicySignal, (amendment) => journey.amendPolicy(amendment));
  setHandler(assignCaseworkerSignal, (caseworker) => journey.assignCaseworker(caseworker));
  setHandler(moveMunicipalitySignal, (move) => journey.move(move));
  setHandler(correctPersonSignal, (correction) => journey.correctPerson(correction));
  // Behind a patch, asked when the signal arrives: a history where a worker without this handler took
  // (and dropped) it replays as it ran; from the marker on, the journey ends for the reason.
  setHandler(endJourneySignal, (ending) => {
    if (!patched('journey-end-reason')) return;
    journey.end(ending);
  });
  // The same for the withdrawal of an end (it arrives in a run that reopened the ended journey).
  setHandler(withdrawEndSignal, (withdrawal) => {
    if (!patched('journey-end-withdrawal')) return;
    journey.withdrawEnd(withdrawal);
  });
  setHandler(ladderAssessedSignal, (assessment) => journey.assessLadder(assessment));
  setHandler(taskCompletedSignal, (completion) => journey.completeTask(completion));
  setHandler(instrumentChangedSignal, (state) => {
    journey.instrumentChanged(state);
    instrumentReported(state);
  });
  setHandler(stateQuery, () => journey.view());
  // Not part of the history: an ended run answers it too (replayed by a worker), so it can be reopened.
  setHandler(memoryQuery, () => journey.memory);
  // Behind a patch: a history where a worker without this handler took the signal replays as it ran.
  let reproject = false;
  setHandler(projectSignal, () => {
    if (!(current || patched('project-signal'))) return;
    reproject = true;
    journey.changed = true;
  });

  setHandler(
    requestExtensionUpdate,
    (request) => {
      journey.fileExtensionRequest(request);
      return { accepted: true as const };
    },
    { validator: (request) => refuseUnless(journey.checkExtensionRequest(request), 'InvalidExtensionRequest') },
  );

  setHandler(
    startInstrumentUpdate,
    async (request) => {
      // The id is taken before the first await: two concurrent starts never share one.
      const instrumentId = journey.nextInstrumentId();
      await startChild(instrumentWorkflow, {
        workflowId: instrumentId,
        args: [{ instrumentId, journeyId, kind: request.kind, startedOn: request.startedOn, policy: journey.memory.policy, hasStartkwalificatie: request.hasStartkwalificatie }],
        // A journey continues as new over the years; its instruments must outlive each run. They
        // signal the journey by workflow id, which always reaches the current run.
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      journey.instrumentStarted(instrumentId, request);
      return instrumentState(instrumentId);
    },
    {
      validator: (request) => {
        const verdict = journey.checkInstrumentStart(request);
        if (!verdict.ok) {
          const details = { ...(verdict.field ? { field: verdict.field } : {}), ...(verdict.rule ? { rule: verdict.rule } : {}), ...(verdict.code ? { code: verdict.code } : {}) };
          throw ApplicationFailure.nonRetryable(verdict.reason, 'IneligibleInstrument', details);
        }
      },
    },
  );

  setHandler(
    endInstrumentUpdate,
    async (end) => {
      await getExternalWorkflowHandle(end.instrumentId).signal(endInstrumentSignal, end);
      await condition(() => journey.instrument(end.instrumentId)?.status === 'ended');
      return journey.instrument(end.instrumentId) as InstrumentState;
    },
    { validator: (end) => refuseUnless(journey.checkInstrumentEnd(end), 'UnknownInstrument') },
  );

  // The child reports its state by signal; a start update waits for the first report.
  const waitingForInstrument = new Map<string, (state: InstrumentState) => void>();
  function instrumentState(instrumentId: string): Promise<InstrumentState> {
    const known = journey.instrument(instrumentId);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => waitingForInstrument.set(instrumentId, resolve));
  }
  function instrumentReported(state: InstrumentState): void {
    waitingForInstrument.get(state?.instrumentId)?.(state);
    waitingForInstrument.delete(state?.instrumentId);
  }

  // Journeys started before the limit was pinned in their input had 10,000 (a cache miss then cost
  // seconds of CPU); from their first live step after this patch they take the default too.
  const maxHistoryEvents = (): number => input.maxHistoryEvents ?? (current || patched('history-limit-default') ? DEFAULT_MAX_HISTORY_EVENTS : 10_000);
  const historyIsLong = (): boolean => {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength > maxHistoryEvents();
  };

  let projected: { tasks: string; caseworker: Caseworker; municipality: string } | undefined;
  // What the run's search attributes are now: a run of `current` reads those it was started (or continued)
  // with, so a first step that computes the same ones upserts nothing (an upsert is a visibility write).
  let lastSearchAttributes: string | undefined = current ? undefined : '';
  let lastRow = '';
  for (;;) {
    journey.changed = false;
    const derived = journey.tryDerive();
    if (!derived) {
      // Only state carried from before the admission rules can get here; wait for a correction, never fail the task.
      log.error('journey cannot compute its clocks; waiting for a message that changes its state');
      await condition(() => journey.changed);
      continue;
    }
    const memory = journey.memory;

    if (readModel()) {
      await sendInstrumentCommands();
      // Only what changed since the last sync travels; nothing changed, nothing is called.
      const tasks = JSON.stringify(derived.tasks);
      const tasksChanged = !projected || projected.tasks !== tasks || projected.caseworker !== memory.caseworker || projected.municipality !== memory.municipality;
      const due = journey.dueNotifications(derived);
      // Recorded before the row is built, so the row counts them; the outbox's key stops a second delivery.
      if (due.length > 0) journey.markSent(due, derived);
      const row = journey.projection(derived, 'running', startedAt);
      if (reproject) {
        // Written as if for the first time in this run: the whole row, with the BSN ciphertext.
        lastRow = '';
        reproject = false;
      }
      const rowKey = JSON.stringify([memory.municipality, row]);
      const rowChanged = rowKey !== lastRow;
      if (tasksChanged || due.length > 0 || rowChanged) {
        await syncJourney({
          journeyId,
          municipality: memory.municipality,
          ...(tasksChanged
            ? { tasks: { caseworkerRole: memory.caseworker.role, tasks: derived.tasks as DesiredTask[], ...(memory.ended ? { cancelReason: cancellationForEnd(memory.ended.reason) } : {}) } }
            : {}),
          ...(due.length > 0 ? { notifications: due } : {}),
          // The BSN ciphertext once per run: the row keeps it, later writes leave it out.
          ...(rowChanged ? { projection: { ...row, seq: journey.takeProjectionSeq(workflowInfo().historyLength), ...(lastRow === '' && input.bsnCiphertext ? { bsnCiphertext: input.bsnCiphertext } : {}) } } : {}),
        });
        projected = { tasks, caseworker: memory.caseworker, municipality: memory.municipality };
        lastRow = rowKey;
      }
    } else {
      await legacySync(derived);
    }

    const searchAttributes = journeySearchAttributePairs(journey.searchSummary(derived));
    const serialized = JSON.stringify(searchAttributes.map((pair) => pair.value));
    lastSearchAttributes ??= JSON.stringify(searchAttributes.map((pair) => workflowInfo().typedSearchAttributes.get(pair.key) ?? null));
    if (serialized !== lastSearchAttributes) {
      upsertSearchAttributes(searchAttributes);
      lastSearchAttributes = serialized;
    }

    if (journey.isFinished(derived) && !journey.changed) {
      await condition(allHandlersFinished);
      // The workflow's last word in the read model; a stop by other means is the monitor's to write.
      if (readModel()) await syncJourney({ journeyId, municipality: memory.municipality, projection: { ...journey.projection(derived, 'completed', startedAt), seq: journey.takeProjectionSeq(workflowInfo().historyLength) } });
      return { phase: derived.phase, finishedOn: derived.today };
    }

    if (historyIsLong() && !journey.changed) {
      // Drain running update handlers so no accepted message is lost, then carry the (bounded) state over.
      await condition(allHandlersFinished);
      await continueAsNew<typeof journeyWorkflow>(input, memory);
    }

    if (journey.changed) continue;
    // A long history wakes the loop too: duplicates change nothing, yet every one is a history event.
    if (derived.wakeUp === undefined) await condition(() => journey.changed || historyIsLong());
    else await condition(() => journey.changed || historyIsLong(), Math.max(1, amsterdamStartOfDay(derived.wakeUp) - Date.now()));
  }

  /** The step as journeys recorded before read-model-v1 ran it: two activities, in this order. */
  async function legacySync(derived: NonNullable<ReturnType<Journey['tryDerive']>>): Promise<void> {
    const memory = journey.memory;
    const tasks = JSON.stringify(derived.tasks);
    if (!projected || projected.tasks !== tasks || projected.caseworker !== memory.caseworker || projected.municipality !== memory.municipality) {
      await syncJourneyTasks({ journeyId, municipality: memory.municipality, caseworkerRole: memory.caseworker.role, tasks: derived.tasks as DesiredTask[] });
      projected = { tasks, caseworker: memory.caseworker, municipality: memory.municipality };
    }

    await sendInstrumentCommands();

    const due = journey.dueNotifications(derived);
    if (due.length > 0) {
      await sendNotifications({ journeyId, municipality: memory.municipality, notifications: due });
      journey.markSent(due, derived);
    }
  }

  /** A completed reassessment tells the instrument's workflow (which reports back by signal). */
  async function sendInstrumentCommands(): Promise<void> {
    for (const command of journey.instrumentCommands.splice(0)) {
      const instrument = getExternalWorkflowHandle(command.instrumentId);
      try {
        if (command.action === 'extend') await instrument.signal(extendInstrumentSignal, { reassessedOn: command.reassessedOn, extendedBy: command.by });
        else await instrument.signal(endInstrumentSignal, { instrumentId: command.instrumentId, endedOn: command.endedOn, reason: command.reason, endedBy: command.by });
      } catch (err) {
        // The instrument ended meanwhile (its last report is on its way): nothing left to change.
        log.warn('instrument not reachable', { instrumentId: command.instrumentId, error: String(err) });
      }
    }
  }
}

/** An update's validator refuses with the domain's reason; the API answers 422 with it. */
function refuseUnless(admission: { ok: true } | { ok: false; field: string; reason: string }, type: string): void {
  if (!admission.ok) throw ApplicationFailure.nonRetryable(admission.reason, type, { field: admission.field });
}
