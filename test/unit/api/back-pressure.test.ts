import { BackPressure, BACKLOG_CACHE_MS, backlogWaitSeconds, MAX_RETRY_AFTER_SECONDS, shedVerdict } from '../../../api/back-pressure';
import { ApiMetrics } from '../../../api/metrics';
import type { QueueBacklog, TaskQueueBacklog } from '../../../api/temporal';

const idle: QueueBacklog = { ageSeconds: 0, count: 0, dispatchPerSecond: 0 };
/** A workflow-task backlog with no worker dispatching (the age is the wait), activities idle. */
const stalled = (ageSeconds: number, count: number): TaskQueueBacklog => ({ workflow: { ageSeconds, count, dispatchPerSecond: 0 }, activity: idle });

describe('shedVerdict', () => {
  it.each([
    [stalled(0, 0), 5, { shed: false }],
    [stalled(5, 40), 5, { shed: false }],
    [stalled(5.2, 40), 5, { shed: true, retryAfterSeconds: 1 }],
    [stalled(17.5, 900), 5, { shed: true, retryAfterSeconds: 13 }],
    [stalled(3600, 10_000), 5, { shed: true, retryAfterSeconds: MAX_RETRY_AFTER_SECONDS }],
    [stalled(3600, 10_000), 0, { shed: false }],
    [undefined, 5, { shed: false }],
  ])('backlog %j over a limit of %d s: %j', (backlog, limit, verdict) => {
    expect(shedVerdict(backlog, limit)).toEqual(verdict);
  });

  it('does not shed on an old age the workers clear in a moment (the cluster reported 4 tasks aged 124 minutes at 30 dispatched a second)', () => {
    const reading: TaskQueueBacklog = { workflow: { ageSeconds: 7436, count: 4, dispatchPerSecond: 30.4 }, activity: idle };
    expect(backlogWaitSeconds(reading)).toBeCloseTo(4 / 30.4);
    expect(shedVerdict(reading, 5)).toEqual({ shed: false });
  });

  it('sheds on a backlog the workers need longer than the limit to clear, waiting the lesser of its age and its drain time', () => {
    // 220 tasks at 25 a second: 8.8 s to drain, the oldest 5.7 s old.
    expect(shedVerdict({ workflow: { ageSeconds: 5.7, count: 220, dispatchPerSecond: 25 }, activity: idle }, 5)).toEqual({ shed: true, retryAfterSeconds: 1 });
    // 900 tasks at 10 a second: 90 s to drain, but the oldest has waited only 20 s.
    expect(shedVerdict({ workflow: { ageSeconds: 20, count: 900, dispatchPerSecond: 10 }, activity: idle }, 5)).toEqual({ shed: true, retryAfterSeconds: 15 });
  });

  it('takes the slower of the workflow and the activity queue; an empty queue waits nothing whatever its age', () => {
    const activityBehind: TaskQueueBacklog = { workflow: { ageSeconds: 30, count: 0, dispatchPerSecond: 0 }, activity: { ageSeconds: 12, count: 50, dispatchPerSecond: 0 } };
    expect(backlogWaitSeconds(activityBehind)).toBe(12);
    expect(shedVerdict(activityBehind, 5)).toEqual({ shed: true, retryAfterSeconds: 7 });
  });
});

describe('BackPressure', () => {
  function setup(readBacklog: () => Promise<TaskQueueBacklog>, maxBacklogSeconds = 5) {
    let now = 1_000_000;
    const errors: unknown[] = [];
    const metrics = new ApiMetrics({ defaultMetrics: false });
    const pressure = new BackPressure({ readBacklog, maxBacklogSeconds, metrics, now: () => now, onReadError: (err) => errors.push(err) });
    return { pressure, errors, metrics, advance: (ms: number) => (now += ms) };
  }

  it('reads the backlog once per cache period, however many requests ask meanwhile', async () => {
    let reads = 0;
    let age = 12;
    const { pressure, advance } = setup(async () => {
      reads++;
      return stalled(age, 100);
    });
    const verdicts = await Promise.all(Array.from({ length: 20 }, () => pressure.verdict()));
    expect(reads).toBe(1);
    expect(verdicts.every((v) => v.shed)).toBe(true);
    age = 0;
    advance(BACKLOG_CACHE_MS - 1);
    expect((await pressure.verdict()).shed).toBe(true);
    expect(reads).toBe(1);
    advance(1);
    expect(await pressure.verdict()).toEqual({ shed: false });
    expect(reads).toBe(2);
  });

  it('lets traffic through when the backlog cannot be read, and tries again after the cache period', async () => {
    let fail = true;
    const { pressure, errors, advance } = setup(async () => {
      if (fail) throw new Error('UNAVAILABLE');
      return stalled(60, 1);
    });
    expect(await pressure.verdict()).toEqual({ shed: false });
    expect(errors).toHaveLength(1);
    fail = false;
    advance(BACKLOG_CACHE_MS);
    expect(await pressure.verdict()).toEqual({ shed: true, retryAfterSeconds: 55 });
  });

  it('never reads the backlog when shedding is off', async () => {
    const { pressure } = setup(() => Promise.reject(new Error('must not be read')), 0);
    expect(await pressure.verdict()).toEqual({ shed: false });
  });

  it('reports the wait it read as a gauge', async () => {
    const { pressure, metrics } = setup(async () => stalled(7.5, 3));
    await pressure.verdict();
    expect(await metrics.registry.getSingleMetricAsString('koers_task_queue_backlog_age_seconds')).toMatch(/koers_task_queue_backlog_age_seconds 7\.5/);
  });
});
