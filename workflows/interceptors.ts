/**
 * The workflow interceptors of every Koers workflow (bundled by worker/index.ts): a message whose
 * payload Koers did not seal reaches no handler. The payload codec (platform/codec.ts) hands on a
 * refusal marker (platform/refused-payload.ts) for such a payload; here a signal carrying one is
 * recorded as refused with its reason (the workflow says where: {@link onRefusedMessage}) and changes
 * nothing else, an update is rejected by its validator, a workflow start fails. Nothing sent around the
 * API (the Temporal CLI, the Web UI, a gRPC client) moves a journey, and no such input stops one.
 *
 * Histories recorded before the codec hold only plain payloads: replayed without the
 * `refuse-unsealed-payloads` marker they take the plain value as they did (Temporal's patching API).
 */
import {
  ApplicationFailure,
  log,
  patched,
  type Next,
  type SignalInput,
  type UpdateInput,
  type QueryInput,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptorsFactory,
} from '@temporalio/workflow';
import { isRefusedPayload, REFUSED_PAYLOAD } from '../platform/refused-payload';

/** The patch behind which plain payloads are refused instead of taken. */
export const REFUSE_UNSEALED_PATCH = 'refuse-unsealed-payloads';

/** The failure type of a refused update or workflow start. */
export const REFUSED_PAYLOAD_FAILURE = 'RefusedPayload';

// Module state is per workflow execution (only the preloaded shared modules are shared).
let refusedSink: ((message: string, reason: string) => void) | undefined;

/**
 * Where this workflow records a refused signal (`message` is the signal's name, `reason` the codec's):
 * the journey keeps it among its rejected messages. Without a sink a refusal is only logged.
 */
export function onRefusedMessage(sink: (message: string, reason: string) => void): void {
  refusedSink = sink;
}

/** The first refusal among `args`, if any. */
function refusalIn(args: readonly unknown[]): string | undefined {
  for (const arg of args) if (isRefusedPayload(arg)) return arg[REFUSED_PAYLOAD].reason;
  return undefined;
}

/**
 * The values as a history recorded before the codec had them: the plain value of each marker. A marker
 * without one (a payload that failed to decrypt, e.g. a key missing from this worker) fails the
 * workflow task, which Temporal retries until the keys are right; the journey itself is untouched.
 */
function asRecorded(args: readonly unknown[]): unknown[] {
  return args.map((arg) => {
    if (!isRefusedPayload(arg)) return arg;
    const inner = arg[REFUSED_PAYLOAD];
    if (!('value' in inner)) throw new Error(`a payload in this history cannot be read: ${inner.reason}`);
    return inner.value;
  });
}

class RefuseUnsealed implements WorkflowInboundCallsInterceptor {
  async execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const reason = refusalIn(input.args);
    if (reason === undefined) return next(input);
    if (patched(REFUSE_UNSEALED_PATCH)) throw ApplicationFailure.nonRetryable(`workflow not started by Koers: ${reason}`, REFUSED_PAYLOAD_FAILURE);
    return next({ ...input, args: asRecorded(input.args) });
  }

  async handleSignal(input: SignalInput, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>): Promise<void> {
    const reason = refusalIn(input.args);
    if (reason === undefined) return next(input);
    if (patched(REFUSE_UNSEALED_PATCH)) {
      log.warn('signal refused: its payload was not sealed by Koers', { signal: input.signalName, reason });
      refusedSink?.(input.signalName, `refused: ${reason}`);
      return;
    }
    return next({ ...input, args: asRecorded(input.args) });
  }

  validateUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'validateUpdate'>): void {
    const reason = refusalIn(input.args);
    if (reason !== undefined) throw ApplicationFailure.nonRetryable(`refused: ${reason}`, REFUSED_PAYLOAD_FAILURE);
    next(input);
  }

  // Validators do not run on replay: an update accepted before the codec takes its plain value again.
  async handleUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'handleUpdate'>): Promise<unknown> {
    return next(refusalIn(input.args) === undefined ? input : { ...input, args: asRecorded(input.args) });
  }

  // A query changes nothing; one with a refused argument is answered an error.
  handleQuery(input: QueryInput, next: Next<WorkflowInboundCallsInterceptor, 'handleQuery'>): Promise<unknown> {
    const reason = refusalIn(input.args);
    if (reason !== undefined) throw ApplicationFailure.nonRetryable(`refused: ${reason}`, REFUSED_PAYLOAD_FAILURE);
    return next(input);
  }
}

/** The factory the SDK calls per workflow (named `interceptors`, as the bundler expects). */
export const interceptors: WorkflowInterceptorsFactory = () => ({ inbound: [new RefuseUnsealed()] });
