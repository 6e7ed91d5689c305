import { BackPressure, BACKLOG_CACHE_MS, MAX_RETRY_AFTER_SECONDS, shedVerdict } from '../../../api/back-pressure';
import { ApiMetrics } from '../../../api/metrics';
import type { TaskQueueBacklog } from '../../../api/temporal';

describe('shedVerdict', () => {
  it.each([
    [{ ageSeconds: 0, count: 0 }, 5, { shed: false }],
    [{ ageSeconds: 5, count: 40 }, 5, { shed: false }],
    [{ ageSeconds: 5.2, count: 40 }, 5, { shed: true, retryAfterSeconds: 1 }],
    [{ ageSeconds: 17.5, count: 900 }, 5, { shed: true, retryAfterSeconds: 13 }],
    [{ ageSeconds: 3600, count: 10_000 }, 5, { shed: true, retryAfterSeconds: MAX_RETRY_AFTER_SECONDS }],
    [{ ageSeconds: 3600, count: 10_000 }, 0, { shed: false }],
    [undefined, 5, { shed: false }],
  ])('backlog %j over a limit of %d s: %j', (backlog, limit, verdict) => {
    expect(shedVerdict(backlog, limit)).toEqual(verdict);
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
      return { ageSeconds: age, count: 100 };
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
      return { ageSeconds: 60, count: 1 };
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

  it('reports the backlog age it read as a gauge', async () => {
    const { pressure, metrics } = setup(async () => ({ ageSeconds: 7.5, count: 3 }));
    await pressure.verdict();
    expect(await metrics.registry.getSingleMetricAsString('koers_task_queue_backlog_age_seconds')).toMatch(/koers_task_queue_backlog_age_seconds 7\.5/);
  });
});
