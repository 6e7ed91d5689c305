/**
 * One re-integration instrument (werkstage, participatieplaats, ...) as its own workflow: its own
 * end date, extensions and reassessments, with a short history of its own. It reports every change
 * to the journey, which owns the tasks.
 */
import { condition, defineSignal, defineUpdate, getExternalWorkflowHandle, setHandler, workflowInfo, ApplicationFailure } from '@temporalio/workflow';
import { amsterdamDateOf, amsterdamStartOfDay, dayAfter, subtractPeriod } from '../domain/dates';
import { instrumentPlan, extendInstrument } from '../domain/instruments';
import type { Policy } from '../domain/policy';
import type { InstrumentKind, LocalDate } from '../domain/types';
import type { InstrumentEnd, InstrumentState } from './definitions';

export interface InstrumentInput {
  instrumentId: string;
  journeyId: string;
  kind: InstrumentKind;
  startedOn: LocalDate;
  policy: Policy;
  hasStartkwalificatie: boolean;
}

const REASSESSMENT_NOTICE = { weeks: 4 };

export const instrumentChangedSignal = defineSignal<[InstrumentState]>('instrumentChanged');
export const endInstrumentSignal = defineSignal<[InstrumentEnd]>('endInstrument');
/** An extension after a reassessment; the validator enforces the instrument's limit. */
export const extendInstrumentUpdate = defineUpdate<InstrumentState, [{ reassessedOn: LocalDate; extendedBy: string }]>('extendInstrument');
/**
 * The same extension sent by the journey when a caseworker completes a `reassess-instrument` task with
 * the decision "extend" (a workflow cannot send an update). The journey checked the limit first; a
 * request the limit forbids after all changes nothing.
 */
export const extendInstrumentSignal = defineSignal<[{ reassessedOn: LocalDate; extendedBy: string }]>('extendInstrumentAfterReassessment');

export async function instrumentWorkflow(input: InstrumentInput): Promise<InstrumentState> {
  const plan = instrumentPlan(input.kind, input.startedOn, input.policy, { hasStartkwalificatie: input.hasStartkwalificatie });
  const state: InstrumentState = {
    instrumentId: input.instrumentId,
    kind: input.kind,
    startedOn: input.startedOn,
    endsOn: plan.endsOn,
    extensions: 0,
    status: 'active',
    reassessBy: plan.reassessBy,
    milestones: plan.milestones,
  };
  const parent = getExternalWorkflowHandle(workflowInfo().parent?.workflowId ?? input.journeyId);
  let changed = false;
  let endRequest: InstrumentEnd | undefined;

  setHandler(endInstrumentSignal, (end) => {
    endRequest ??= end;
  });
  setHandler(extendInstrumentSignal, ({ reassessedOn }) => {
    const next = extendInstrument(input.kind, state, reassessedOn, input.policy);
    if (!next.ok) return;
    state.endsOn = next.endsOn;
    state.reassessBy = next.reassessBy;
    state.extensions = next.extensions;
    changed = true;
  });
  setHandler(
    extendInstrumentUpdate,
    ({ reassessedOn }) => {
      const next = extendInstrument(input.kind, state, reassessedOn, input.policy);
      if (!next.ok) throw ApplicationFailure.nonRetryable(next.reason, 'InstrumentLimit', { rule: next.rule });
      state.endsOn = next.endsOn;
      state.reassessBy = next.reassessBy;
      state.extensions = next.extensions;
      changed = true;
      return { ...state };
    },
    {
      validator: ({ reassessedOn }) => {
        const next = extendInstrument(input.kind, state, reassessedOn, input.policy);
        if (!next.ok) throw ApplicationFailure.nonRetryable(next.reason, 'InstrumentLimit', { rule: next.rule });
      },
    },
  );

  const today = () => amsterdamDateOf(Date.now());
  // The reassessment task opens this long before the reassessment is due, so the caseworker can plan it.
  const reassessmentOpensOn = () => (state.reassessBy ? subtractPeriod(state.reassessBy, REASSESSMENT_NOTICE) : undefined);

  let reported = '';
  for (;;) {
    const opensOn = reassessmentOpensOn();
    state.reassessmentDue = opensOn !== undefined && today() >= opensOn;
    const snapshot = JSON.stringify(state);
    if (snapshot !== reported) {
      await parent.signal(instrumentChangedSignal, { ...state });
      reported = snapshot;
    }
    const wakeOn = opensOn !== undefined && today() < opensOn ? opensOn : dayAfter(state.endsOn);
    changed = false;
    await condition(() => changed || endRequest !== undefined, Math.max(1, amsterdamStartOfDay(wakeOn) - Date.now()));
    if (endRequest) {
      state.status = 'ended';
      state.endedOn = endRequest.endedOn;
      state.endReason = endRequest.reason;
      break;
    }
    if (today() > state.endsOn) {
      state.status = 'ended';
      state.endedOn = state.endsOn;
      state.endReason = 'maximum duration reached';
      break;
    }
  }
  state.reassessmentDue = false;
  await parent.signal(instrumentChangedSignal, { ...state });
  return state;
}
