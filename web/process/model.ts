/**
 * The journey as a process, read from the domain's own clock definitions rather than drawn by hand:
 * each clock's anchors (the milestones its start needs) and the milestones that meet or waive it are
 * found by asking `computeClocks` about facts with and without each milestone. A change to a clock's
 * anchor in domain/clocks.ts therefore changes the diagram with it.
 */
import { CLOCK_ORDER, computeClocks } from '../../domain/clocks';
import { addDays } from '../../domain/dates';
import { EVENT_TYPES, type EventType } from '../../domain/events';
import { applyEvent, initialFacts, type JourneyFacts } from '../../domain/facts';
import { latestPolicies } from '../../domain/policies';
import type { ClockName, ClockStatus, Regime } from '../../domain/types';

/**
 * Milestones that start or settle clocks. An extension grant and the start of alphabetisation move a
 * final date; they neither start nor settle a clock, so they are no step of the process.
 */
export const PROCESS_MILESTONES = EVENT_TYPES.filter(
  (t) => t !== 'nl.koers.extension.granted' && t !== 'nl.koers.alphabetisation.started',
) as readonly EventType[];

export interface ClockStep {
  clock: ClockName;
  /** Milestones the clock's start needs (none: it starts with the permit). */
  anchors: EventType[];
  /** Milestones that together meet the clock (none: a service window that only ends). */
  metBy: EventType[];
  /** Milestones each of which waives it. */
  waivedBy: EventType[];
}

export interface ProcessModel {
  regime: Regime;
  steps: ClockStep[];
}

const PERMIT: Record<Regime, string> = { wi2013: '2020-01-10', wi2021: '2024-01-10' };
/**
 * Data each milestone needs beyond its date (every one must pass its event's schema: one that does not
 * is dropped by the domain, and its step would silently vanish from the model); a b1 leerroute keeps
 * the MAP part of the plicht.
 */
export const MILESTONE_DATA: Partial<Record<EventType, Record<string, unknown>>> = {
  'nl.koers.pip.established': { leerroute: 'b1' },
  'nl.koers.reintegration.started': { instrument: 'werkstage' },
  'nl.koers.exam.passed': { route: 'inburgeringsexamen' },
  // A diploma that frees whatever the plicht's start (an nt2 diploma frees only a plicht from before 2015, contract v1.2).
  'nl.koers.diploma.recognised': { diploma: 'hbo' },
  'nl.koers.bijstand.decided': { decision: 'granted' },
  'nl.koers.bijstand.ended': { reason: 'work' },
  'nl.koers.bijstand.completion-requested': { respondBy: '2030-01-01' },
};

function factsWith(regime: Regime, types: readonly EventType[]): JourneyFacts {
  const permit = PERMIT[regime];
  return types.reduce(
    (facts, type) =>
      applyEvent(facts, {
        source: 'urn:koers:process-model',
        id: type,
        type,
        // Milestones in the order of the contract's list, one day apart, all before "today".
        occurredOn: addDays(permit, 1 + PROCESS_MILESTONES.indexOf(type)),
        data: MILESTONE_DATA[type] ?? {},
        receivedAt: `${permit}T00:00:00Z`,
      }),
    initialFacts({ regime, permitGrantedOn: permit }),
  );
}

function statusOf(regime: Regime, types: readonly EventType[], clock: ClockName): ClockStatus | undefined {
  const policy = latestPolicies()[0]!;
  const today = addDays(PERMIT[regime], 1 + PROCESS_MILESTONES.length);
  return computeClocks(factsWith(regime, types), policy, today).find((c) => c.name === clock)?.status;
}

const without = (types: readonly EventType[], type: EventType) => types.filter((t) => t !== type);

const models = new Map<Regime, ProcessModel>();

/**
 * The clocks of a regime with their anchors and settling milestones, in the contract's clock order.
 * Found by running the domain's rules over combinations of milestones (hundreds of milliseconds), so
 * computed once per regime and process: it depends on nothing else.
 */
export function processModel(regime: Regime): ProcessModel {
  let model = models.get(regime);
  if (!model) models.set(regime, (model = deriveModel(regime)));
  return model;
}

function deriveModel(regime: Regime): ProcessModel {
  const all = PROCESS_MILESTONES;
  const steps: ClockStep[] = [];
  for (const clock of CLOCK_ORDER) {
    if (statusOf(regime, all, clock) === undefined) continue;
    const anchors = all.filter((t) => statusOf(regime, without(all, t), clock) === undefined);
    const others = all.filter((t) => !anchors.includes(t));
    const waivedBy = others.filter((t) => statusOf(regime, [...anchors, t], clock) === 'waived');
    const meeting = others.filter((t) => !waivedBy.includes(t));
    const full = [...anchors, ...meeting];
    const metBy = statusOf(regime, full, clock) === 'met' ? meeting.filter((t) => statusOf(regime, without(full, t), clock) !== 'met') : [];
    steps.push({ clock, anchors, metBy, waivedBy });
  }
  return { regime, steps };
}
