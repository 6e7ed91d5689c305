/**
 * Reminders and escalations, and the next day the journey must wake up. Everything keyed by the clock's
 * final date, so a moved final date (a correction, an extension) yields new keys and the old planned
 * notifications simply stop being planned.
 */
import { isWindowClock } from './clocks';
import { addDays, compareDates, dayAfter, isAfter, isBefore, minDate } from './dates';
import type { JourneyFacts } from './facts';
import { hasV11Rules, plichtStartOn } from './inburgeringsplicht';
import type { Policy } from './policy';
import type { CaseworkerRole, Clock, LocalDate, PlannedNotification } from './types';

function reminders(clock: Clock, policy: Policy, caseworkerRole: CaseworkerRole): PlannedNotification[] {
  return policy.reminderLeadDays
    .map((lead) => ({ lead, dueOn: addDays(clock.targetDate, -lead) }))
    .filter(({ dueOn }) => !isBefore(dueOn, clock.startsOn)) // a reminder before the clock started means nothing
    .map(({ lead, dueOn }) => ({
      key: `reminder:${clock.name}:${clock.finalDate}:${lead}d`,
      kind: 'reminder' as const,
      clock: clock.name,
      dueOn,
      recipientRole: caseworkerRole,
      targetDate: clock.targetDate,
      finalDate: clock.finalDate,
    }));
}

/** One escalation, on the day after the final date (the first day the clock is overdue). */
function escalation(clock: Clock, policy: Policy): PlannedNotification {
  return {
    key: `escalation:${clock.name}:${clock.finalDate}`,
    kind: 'escalation',
    clock: clock.name,
    dueOn: dayAfter(clock.finalDate),
    recipientRole: policy.escalation.role,
    targetDate: clock.targetDate,
    finalDate: clock.finalDate,
  };
}

const byDueThenKey = (a: PlannedNotification, b: PlannedNotification): number =>
  compareDates(a.dueOn, b.dueOn) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * The notifications the clocks call for: reminders at each of the policy's lead times before the target
 * date of a running deadline clock, and one escalation the day after the final date of a running or
 * overdue one. Windows are services, not deadlines: no reminders, no escalation. Met and waived clocks
 * need nothing.
 */
export function plannedNotifications(clocks: readonly Clock[], policy: Policy, caseworkerRole: CaseworkerRole): PlannedNotification[] {
  return clocks
    .filter((c) => !isWindowClock(c.name))
    .flatMap((c) => {
      if (c.status === 'running') return [...reminders(c, policy, caseworkerRole), escalation(c, policy)];
      if (c.status === 'overdue') return [escalation(c, policy)];
      return [];
    })
    .sort(byDueThenKey);
}

/**
 * The notifications to deliver on `today`, not yet sent: every due escalation, and per clock only the
 * most recent due reminder, and only while its target date has not passed (after a late report the
 * older reminders are stale, and after the target date the escalation takes over).
 */
export function dueNotifications(planned: readonly PlannedNotification[], today: LocalDate, sentKeys: ReadonlySet<string> = new Set()): PlannedNotification[] {
  const due = planned.filter((n) => !isAfter(n.dueOn, today) && !sentKeys.has(n.key));
  const latestReminder = new Map<string, PlannedNotification>();
  for (const n of due) {
    if (n.kind !== 'reminder' || isAfter(today, n.targetDate)) continue;
    const current = latestReminder.get(n.clock);
    if (current === undefined || byDueThenKey(current, n) < 0) latestReminder.set(n.clock, n);
  }
  return due.filter((n) => n.kind === 'escalation' || latestReminder.get(n.clock) === n);
}

/**
 * The earliest date after `today` on which anything the journey derives can change without a new
 * event: a planned notification falls due, a clock's final date passes (running -> overdue/ended), or
 * a clock starts (the Wi2021 term starts the day after the PIP, and the tasks that offer PVT and MAP
 * open then). The workflow sleeps until the start of that day in Europe/Amsterdam.
 *
 * With `facts` (v1.1 rules), also the day a minor's inburgeringsplicht starts: the plicht's clocks are
 * not listed before it, so no clock can name that date (inburgeringsplicht.ts). This is the durable
 * timer that makes them appear on that day.
 */
export function nextWakeUp(
  clocks: readonly Clock[],
  policy: Policy,
  caseworkerRole: CaseworkerRole,
  today: LocalDate,
  facts?: JourneyFacts,
): LocalDate | undefined {
  const candidates = [
    ...plannedNotifications(clocks, policy, caseworkerRole).map((n) => n.dueOn),
    ...clocks.filter((c) => c.status === 'running').map((c) => dayAfter(c.finalDate)),
    ...clocks.map((c) => c.startsOn),
    ...(facts !== undefined && hasV11Rules(facts) ? [plichtStartOn(facts)] : []),
  ].filter((d) => isAfter(d, today));
  const [first, ...rest] = candidates;
  return first === undefined ? undefined : minDate(first, ...rest);
}
