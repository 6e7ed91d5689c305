import fc from 'fast-check';
import { computeClocks, isWindowClock } from '../../../domain/clocks';
import { compareDates, dayAfter } from '../../../domain/dates';
import { applyEvents, initialFacts } from '../../../domain/facts';
import { findPolicy } from '../../../domain/policies';
import { dueNotifications, nextWakeUp, plannedNotifications } from '../../../domain/schedule';
import type { Clock, Regime } from '../../../domain/types';
import { dateIn, partnerEvent } from './arbitraries';

const bo = findPolicy('borger-odoorn')!;
const md = findPolicy('midden-drenthe')!;

const intake = (status: Clock['status'] = 'running', finalDate = '2021-08-16'): Clock => ({
  name: 'intake',
  status,
  startsOn: '2021-08-02',
  targetDate: '2021-08-13',
  finalDate,
});
const inburgering: Clock = { name: 'inburgering', status: 'running', startsOn: '2021-06-15', targetDate: '2023-12-15', finalDate: '2024-06-15' };
const family: Clock = { name: 'family-reunification', status: 'running', startsOn: '2021-06-15', targetDate: '2021-09-15', finalDate: '2021-09-15' };

describe('plannedNotifications', () => {
  it('reminders at each lead before the target, dropped before the start; one escalation the day after the final date', () => {
    expect(plannedNotifications([intake()], bo, 'regisseur-werk')).toEqual([
      // 14 days before 2021-08-13 would be 2021-07-30, before the clock started: dropped.
      {
        key: 'reminder:intake:2021-08-16:3d',
        kind: 'reminder',
        clock: 'intake',
        dueOn: '2021-08-10',
        recipientRole: 'regisseur-werk',
        targetDate: '2021-08-13',
        finalDate: '2021-08-16',
      },
      {
        key: 'escalation:intake:2021-08-16',
        kind: 'escalation',
        clock: 'intake',
        dueOn: '2021-08-17',
        recipientRole: 'team-lead',
        targetDate: '2021-08-13',
        finalDate: '2021-08-16',
      },
    ]);
  });

  it('orders by due date and keys by final date, so a moved final date gives new keys', () => {
    const keys = plannedNotifications([inburgering, intake()], bo, 'regisseur-werk').map((n) => `${n.dueOn} ${n.key}`);
    expect(keys).toEqual([
      '2021-08-10 reminder:intake:2021-08-16:3d',
      '2021-08-17 escalation:intake:2021-08-16',
      '2023-12-01 reminder:inburgering:2024-06-15:14d',
      '2023-12-12 reminder:inburgering:2024-06-15:3d',
      '2024-06-16 escalation:inburgering:2024-06-15',
    ]);
    const moved = plannedNotifications([{ ...inburgering, targetDate: '2024-06-30', finalDate: '2024-12-31' }], bo, 'regisseur-werk');
    expect(moved.map((n) => n.key)).toEqual(['reminder:inburgering:2024-12-31:14d', 'reminder:inburgering:2024-12-31:3d', 'escalation:inburgering:2024-12-31']);
  });

  it('overdue: only the escalation; met, waived and windows: nothing', () => {
    expect(plannedNotifications([intake('overdue')], bo, 'regisseur-werk').map((n) => n.key)).toEqual(['escalation:intake:2021-08-16']);
    expect(plannedNotifications([{ ...intake('met'), settledOn: '2021-08-10' }, { ...inburgering, status: 'waived', settledOn: '2022-01-01' }, family], bo, 'regisseur-werk')).toEqual([]);
  });

  it('reminders go to the journey caseworker, escalations to the policy escalation role', () => {
    const roles = plannedNotifications([inburgering], md, 'statushouder-specialist').map((n) => `${n.kind}:${n.recipientRole}`);
    expect(roles).toEqual(['reminder:statushouder-specialist', 'reminder:statushouder-specialist', 'escalation:team-lead']);
  });
});

describe('dueNotifications', () => {
  const planned = plannedNotifications([inburgering, intake()], bo, 'regisseur-werk');

  it('nothing before the first due date', () => {
    expect(dueNotifications(planned, '2021-08-09')).toEqual([]);
  });

  it('a reminder on its day, until the target date', () => {
    expect(dueNotifications(planned, '2021-08-10').map((n) => n.key)).toEqual(['reminder:intake:2021-08-16:3d']);
    expect(dueNotifications(planned, '2021-08-13').map((n) => n.key)).toEqual(['reminder:intake:2021-08-16:3d']);
    expect(dueNotifications(planned, '2021-08-14').map((n) => n.key)).toEqual([]);
  });

  it('after a late report only the latest reminder of a clock, plus any escalation; sent keys are skipped', () => {
    expect(dueNotifications(planned, '2023-12-13').map((n) => n.key)).toEqual(['escalation:intake:2021-08-16', 'reminder:inburgering:2024-06-15:3d']);
    expect(dueNotifications(planned, '2023-12-13', new Set(['escalation:intake:2021-08-16'])).map((n) => n.key)).toEqual(['reminder:inburgering:2024-06-15:3d']);
  });
});

describe('nextWakeUp', () => {
  it('the next reminder, escalation, end of a window or start of a clock after today', () => {
    expect(nextWakeUp([intake(), inburgering, family], bo, 'regisseur-werk', '2021-08-02')).toBe('2021-08-10');
    expect(nextWakeUp([intake(), inburgering, family], bo, 'regisseur-werk', '2021-08-10')).toBe('2021-08-17');
    expect(nextWakeUp([intake(), inburgering, family], bo, 'regisseur-werk', '2021-08-17')).toBe('2021-09-16'); // family window ends
    expect(nextWakeUp([intake(), inburgering, family], bo, 'regisseur-werk', '2021-09-16')).toBe('2023-12-01');
    expect(nextWakeUp([intake(), inburgering, family], bo, 'regisseur-werk', '2024-06-16')).toBeUndefined();
  });

  it('wakes up on the day a Wi2021 term starts (the day after the PIP)', () => {
    const term: Clock = { name: 'participatieverklaring', status: 'running', startsOn: '2024-03-01', targetDate: '2026-11-28', finalDate: '2027-02-28' };
    expect(nextWakeUp([term], bo, 'regisseur-werk', '2024-02-29')).toBe('2024-03-01');
  });

  const journey = fc.record({
    regime: fc.constantFrom<Regime>('wi2013', 'wi2021'),
    permit: dateIn(17_532, 19_722),
    events: fc.array(partnerEvent(), { maxLength: 20 }),
    today: dateIn(17_532, 23_011),
    policy: fc.constantFrom(bo, md),
  });

  it('property: nothing derived changes between today and the wake-up day', () => {
    fc.assert(
      fc.property(journey, fc.integer({ min: 1, max: 400 }), ({ regime, permit, events, today, policy }, step) => {
        const f = applyEvents(initialFacts({ regime, permitGrantedOn: permit }), events);
        const clocks = computeClocks(f, policy, today);
        const wake = nextWakeUp(clocks, policy, 'regisseur-werk', today);
        if (wake !== undefined) expect(compareDates(wake, today)).toBeGreaterThan(0);
        // Any day strictly before the wake-up day: same clocks, no notification falls due.
        let day = today;
        for (let i = 0; i < step; i++) {
          const next = dayAfter(day);
          if (wake !== undefined && compareDates(next, wake) >= 0) break;
          day = next;
        }
        expect(computeClocks(f, policy, day)).toEqual(clocks);
        const planned = plannedNotifications(clocks, policy, 'regisseur-werk');
        expect(planned.filter((n) => compareDates(n.dueOn, today) > 0 && compareDates(n.dueOn, day) <= 0)).toEqual([]);
        // And on the wake-up day itself something does change.
        if (wake !== undefined) {
          const changed =
            JSON.stringify(computeClocks(f, policy, wake)) !== JSON.stringify(clocks) ||
            planned.some((n) => n.dueOn === wake) ||
            clocks.some((c) => c.startsOn === wake);
          expect(changed).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('property: windows never get notifications', () => {
    fc.assert(
      fc.property(journey, ({ regime, permit, events, today, policy }) => {
        const f = applyEvents(initialFacts({ regime, permitGrantedOn: permit }), events);
        for (const n of plannedNotifications(computeClocks(f, policy, today), policy, 'regisseur-werk')) expect(isWindowClock(n.clock)).toBe(false);
      }),
    );
  });
});
