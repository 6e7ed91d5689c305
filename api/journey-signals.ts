/**
 * Delivery of the signals a store write owes a journey (store/journey-signals.ts): a command that
 * writes the store and tells the journey queues the signal in its own transaction, then `deliver`s it
 * at once; what Temporal did not take (stalled, away, past the call's deadline) the relay's loop
 * delivers until Temporal acknowledges it. So such a command has one outcome whatever fails between
 * the store and Temporal: recorded and delivered, or (the transaction failed) not recorded at all.
 */
import { defineSignal } from '@temporalio/workflow';
import type { JourneySignals, PendingSignal } from '../store/journey-signals';
import type { ApiLogger } from './context';
import { Problem } from './problem';
import type { TemporalGateway } from './temporal';

export class JourneySignalRelay {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<unknown> | undefined;
  private stopped = true;

  constructor(
    private readonly signals: JourneySignals,
    private readonly temporal: TemporalGateway,
    private readonly logger: ApiLogger,
  ) {}

  /**
   * Sends one queued signal; true once Temporal has it (the row is gone). False: it stays queued and
   * the loop tries again later. A journey that has ended takes nothing any more: the row goes too.
   */
  async deliver(signal: PendingSignal): Promise<boolean> {
    try {
      await this.temporal.signal(signal.journeyId, defineSignal<[unknown]>(signal.signal), signal.arg);
    } catch (err) {
      if (err instanceof Problem && err.status === 409) {
        this.logger.warn({ journeyId: signal.journeyId, signal: signal.signal }, 'journey ended before a queued signal reached it; dropped');
        await this.signals.acknowledge(signal.id);
        return true;
      }
      await this.signals.retryLater(signal.id, err instanceof Error ? `${err.name}: ${err.message}` : String(err));
      this.logger.warn({ journeyId: signal.journeyId, signal: signal.signal, attempts: signal.attempts + 1 }, 'signal not delivered; queued for the journey');
      return false;
    }
    await this.signals.acknowledge(signal.id);
    return true;
  }

  /** One round over the due rows. */
  async runOnce(): Promise<{ delivered: number; left: number }> {
    let delivered = 0;
    let left = 0;
    for (const signal of await this.signals.due()) {
      if (await this.deliver(signal)) delivered++;
      else left++;
    }
    return { delivered, left };
  }

  /** Runs rounds every `intervalMs` until {@link stop}. */
  start(intervalMs = 1000): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = async () => {
      try {
        this.round = this.runOnce();
        await this.round;
      } catch (err) {
        this.logger.error({ err: err instanceof Error ? err.name : String(err) }, 'journey signal relay round failed');
      }
      if (!this.stopped) this.timer = setTimeout(() => void tick(), intervalMs);
    };
    this.timer = setTimeout(() => void tick(), intervalMs);
  }

  /** Stops the loop and waits for the round under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.round?.catch(() => undefined);
  }
}
