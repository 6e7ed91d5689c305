/**
 * `npm run bench`: what one journey costs at national scale (~100,000 active journeys).
 *
 * A journey wakes up on every change and every due day and asks the domain what follows: clocks,
 * tasks, notifications and the next wake-up. This measures that evaluation for a population of
 * synthetic journeys in every stage, and the memory their facts take, and reports each as a ratio
 * against a baseline measured in the same process (a structured clone of the same facts), so the
 * numbers compare across machines. Nothing here asserts a time: read the ratios.
 */
import { addDays, addMonths, amsterdamDateOf, fromDayNumberToDate, dayNumber } from '../domain/dates';
import { applyEvent, initialFacts, type JourneyFacts } from '../domain/facts';
import { computeClocks } from '../domain/clocks';
import { derivePhase } from '../domain/phase';
import { desiredTasks } from '../domain/tasks';
import { nextWakeUp, plannedNotifications } from '../domain/schedule';
import { findPolicy } from '../domain/policies';
import type { EventType } from '../domain/events';
import type { Policy } from '../domain/policy';

const JOURNEYS = Number(process.env.BENCH_JOURNEYS ?? 100_000);
const today = amsterdamDateOf(Date.parse('2026-11-28T12:00:00Z'));

/** A deterministic pseudo-random sequence, so every run measures the same population. */
function* random(seed: number): Generator<number> {
  let state = seed;
  for (;;) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    yield state / 2 ** 31;
  }
}

const steps: Array<{ type: EventType; afterDays: number; data?: Record<string, unknown> }> = [
  { type: 'nl.koers.duo.notified', afterDays: 7 },
  { type: 'nl.koers.brp.registered', afterDays: 14 },
  { type: 'nl.koers.bijstand.applied', afterDays: 14 },
  { type: 'nl.koers.intake.held', afterDays: 30 },
  { type: 'nl.koers.pip.established', afterDays: 60, data: { leerroute: 'b1' } },
  { type: 'nl.koers.reintegration.started', afterDays: 80, data: { instrument: 'vrijwilligerswerk' } },
  { type: 'nl.koers.participatieverklaring.signed', afterDays: 300 },
  { type: 'nl.koers.map.completed', afterDays: 500 },
  { type: 'nl.koers.exam.passed', afterDays: 800, data: { route: 'b1' } },
];

function population(count: number): Array<{ facts: JourneyFacts; policy: Policy }> {
  const policies = [findPolicy('borger-odoorn')!, findPolicy('midden-drenthe')!];
  const rand = random(42);
  const journeys = [];
  for (let i = 0; i < count; i++) {
    // Permits spread over the last four years: every stage of the journey is represented.
    const permit = fromDayNumberToDate(dayNumber(today) - Math.floor(rand.next().value * 1460));
    let facts = initialFacts({ permitGrantedOn: permit, birthDate: addMonths(permit, -12 * 30) });
    for (const step of steps) {
      const on = addDays(permit, step.afterDays + Math.floor(rand.next().value * 30));
      if (on > today) break;
      facts = applyEvent(facts, { source: 'bench', id: `${i}-${step.type}`, type: step.type, occurredOn: on, data: { occurredOn: on, ...step.data }, receivedAt: `${on}T12:00:00Z` });
    }
    journeys.push({ facts, policy: policies[i % 2]! });
  }
  return journeys;
}

function timeIt(label: string, work: () => void): number {
  work(); // warm-up: the JIT settles before the measured run
  const start = process.hrtime.bigint();
  work();
  const ns = Number(process.hrtime.bigint() - start);
  console.log(`${label.padEnd(48)} ${(ns / 1e6).toFixed(1).padStart(9)} ms  ${(ns / JOURNEYS / 1000).toFixed(2).padStart(8)} µs/journey`);
  return ns;
}

function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

const before = heapUsed();
const journeys = population(JOURNEYS);
const factsBytes = heapUsed() - before;

console.log(`Koers domain benchmark: ${JOURNEYS.toLocaleString('en')} journeys, evaluated on ${today}\n`);
const baseline = timeIt('baseline: structuredClone(facts)', () => {
  for (const j of journeys) structuredClone(j.facts);
});
const evaluation = timeIt('wake-up: clocks, phase, tasks, notifications', () => {
  for (const { facts, policy } of journeys) {
    const clocks = computeClocks(facts, policy, today);
    derivePhase(facts, clocks);
    desiredTasks(facts, clocks, policy, policy.defaultCaseworkerRole, today);
    plannedNotifications(clocks, policy, policy.defaultCaseworkerRole);
    nextWakeUp(clocks, policy, policy.defaultCaseworkerRole, today);
  }
});
const cloneBefore = heapUsed();
const clones = journeys.map((j) => structuredClone(j.facts));
const cloneBytes = heapUsed() - cloneBefore;

console.log(`\nwake-up / baseline time ratio:   ${(evaluation / baseline).toFixed(2)}`);
console.log(`facts in memory:                 ${(factsBytes / JOURNEYS).toFixed(0)} bytes/journey (incl. its policy reference)`);
console.log(`facts / cloned-facts memory:     ${(factsBytes / Math.max(1, cloneBytes * (JOURNEYS / clones.length))).toFixed(2)}`);
