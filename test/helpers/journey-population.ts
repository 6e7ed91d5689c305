/**
 * A population of generated journeys for the figures' tests (issue 25): journeys at every stage, each
 * written into the read model as the journey itself writes its projection, on the day of its last step
 * (so clocks and phases lapse between the write and today). Seeded, so a failure reproduces.
 */
import { addDays, isAfter } from '../../domain/dates';
import type { EventType } from '../../domain/events';
import { findPolicy } from '../../domain/policies';
import type { Regime } from '../../domain/types';
import type { JourneyReadModel } from '../../store/journeys';
import { Journey } from '../../workflows/journey-state';

/** A small seeded generator (mulberry32), so a failure reproduces. */
export function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Generated {
  journeyId: string;
  municipality: string;
  writtenOn: string;
  runStatus: 'running' | 'completed' | 'failed';
  events: Array<{ type: EventType; occurredOn: string; data?: Record<string, unknown> }>;
  regime: Regime;
  permitGrantedOn: string;
  birthDate?: string;
}

/**
 * Journeys at every stage, written up to 500 days before today (so clocks and phases lapse between the
 * write and today): a share of minors whose plicht starts later, some runs stopped.
 */
export function generate(count: number, { today, municipalities, seed = 25 }: { today: string; municipalities: readonly string[]; seed?: number }): Generated[] {
  const rnd = random(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const journeys: Generated[] = [];
  for (let i = 0; i < count; i++) {
    const writtenOn = addDays(today, -Math.floor(rnd() * 500));
    const permitGrantedOn = addDays(writtenOn, -Math.floor(rnd() * 1400));
    const regime: Regime = permitGrantedOn < '2022-01-01' ? 'wi2013' : rnd() < 0.2 ? 'wi2013' : 'wi2021';
    const minor = rnd() < 0.1;
    const birthDate = minor ? addDays(permitGrantedOn, -(365 * 17 + Math.floor(rnd() * 300))) : rnd() < 0.5 ? addDays(permitGrantedOn, -365 * (20 + Math.floor(rnd() * 30))) : undefined;
    let day = permitGrantedOn;
    const events: Generated['events'] = [];
    // Each step happens with some chance, some days after the one before, never after the write.
    const step = (type: EventType, chance: number, maxDays: number, data?: Record<string, unknown>) => {
      if (rnd() >= chance) return false;
      const next = addDays(day, Math.floor(rnd() * maxDays));
      if (isAfter(next, writtenOn)) return false;
      day = next;
      events.push({ type, occurredOn: next, ...(data ? { data } : {}) });
      return true;
    };
    if (step('nl.koers.brp.registered', 0.9, 60)) {
      step('nl.koers.duo.notified', 0.85, 30);
      if (step('nl.koers.bijstand.applied', 0.8, 30) && step('nl.koers.intake.held', 0.8, 60)) {
        step('nl.koers.reintegration.started', 0.6, 150, { instrument: 'werkstage' });
      }
      if (step('nl.koers.pip.established', 0.6, 90, regime === 'wi2021' ? { leerroute: pick(['b1', 'onderwijs', 'zelfredzaamheid']) } : undefined)) {
        step('nl.koers.participatieverklaring.signed', 0.6, 400);
        step('nl.koers.exam.passed', 0.3, 700, { route: 'inburgeringsexamen' });
      }
      step('nl.koers.exemption.granted', 0.03, 300);
    }
    journeys.push({
      journeyId: `j-${String(i).padStart(5, '0')}`,
      municipality: pick(municipalities),
      writtenOn,
      runStatus: rnd() < 0.05 ? 'failed' : rnd() < 0.05 ? 'completed' : 'running',
      events,
      regime,
      permitGrantedOn,
      ...(birthDate ? { birthDate } : {}),
    });
  }
  return journeys;
}

/** The journey's own rules on the day of its write, its projection as the workflow writes it (journey-state.ts). */
export async function write(model: JourneyReadModel, g: Generated): Promise<void> {
  const policy = findPolicy(g.municipality)!;
  const journey = new Journey(
    { journeyId: g.journeyId, municipality: g.municipality, regime: g.regime, permitGrantedOn: g.permitGrantedOn, ...(g.birthDate ? { birthDate: g.birthDate } : {}), policy },
    undefined,
    () => Date.parse(`${g.writtenOn}T10:00:00Z`),
  );
  for (const [n, e] of g.events.entries()) {
    journey.receiveEvent({ source: 'urn:test', id: `${g.journeyId}-${n}`, type: e.type, occurredOn: e.occurredOn, data: { occurredOn: e.occurredOn, ...e.data }, receivedAt: `${e.occurredOn}T10:00:00Z` });
  }
  const row = journey.projection(journey.derive(), g.runStatus === 'completed' ? 'completed' : 'running', `${g.permitGrantedOn}T09:00:00.000Z`);
  await model.write({ ...row, seq: 1, journeyId: g.journeyId, municipality: g.municipality });
  if (g.runStatus === 'failed') await model.setRunStatus(g.journeyId, 'failed');
}
