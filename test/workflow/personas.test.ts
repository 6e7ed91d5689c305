import type { WorkflowHandle } from '@temporalio/client';
import { useJourneyHarness } from '../helpers/journey-harness';
import { addDays, addMonths, addYears } from '../../domain/dates';
import { isWindowClock } from '../../domain/clocks';
import type { EventType } from '../../domain/events';
import type { ExamRoute, LadderRung, Leerroute, LocalDate, Regime } from '../../domain/types';
import { ladderAssessedSignal, type JourneyState } from '../../workflows/definitions';

/**
 * The five statushouders interviewed in the seed (Bijlage 6), each run from permit to "plicht met"
 * in virtual time under both regimes. Their ages, families and backgrounds choose the route.
 */
interface Persona {
  name: string;
  age: number;
  /** Seed: family, education, work, volunteering. */
  background: string;
  rung: LadderRung;
  leerroute: Leerroute;
  examRoute: { wi2013: ExamRoute; wi2021: ExamRoute };
  /** Months after the permit the exam is passed. */
  examAfterMonths: number;
}

const personas: Persona[] = [
  { name: 'respondent-1', age: 47, background: 'Syria; married, 2 children at primary school; vocational training, electrician; volunteers 1 day a week', rung: 4, leerroute: 'b1', examRoute: { wi2013: 'inburgeringsexamen', wi2021: 'b1' }, examAfterMonths: 30 },
  { name: 'respondent-2', age: 54, background: 'Syria; married, 3 adult children at home; MBO hotel and tourism, restaurant manager; volunteers 2 days a week', rung: 4, leerroute: 'z', examRoute: { wi2013: 'inburgeringsexamen', wi2021: 'z' }, examAfterMonths: 34 },
  { name: 'respondent-3', age: 48, background: 'Armenia; married, 2 adult children living elsewhere; university engineer and beautician; volunteers 4 days a week', rung: 5, leerroute: 'b1', examRoute: { wi2013: 'staatsexamen', wi2021: 'b1' }, examAfterMonths: 20 },
  { name: 'respondent-4', age: 37, background: 'Syria; married, 2 children at primary school; teacher of geography and history; no volunteering', rung: 3, leerroute: 'b1', examRoute: { wi2013: 'inburgeringsexamen', wi2021: 'b1' }, examAfterMonths: 26 },
  { name: 'respondent-5', age: 28, background: 'Syria; married, 3 children at primary school; HAVO-level education, crèche teacher; about to volunteer', rung: 2, leerroute: 'onderwijs', examRoute: { wi2013: 'staatsexamen', wi2021: 'staatsexamen' }, examAfterMonths: 24 },
];

const t = useJourneyHarness();

type Step = { afterDays?: number; afterMonths?: number; type: EventType; data?: (p: Persona, regime: Regime) => Record<string, unknown> };

/** The seed's parallel approach: intake early, plan, re-integration next to the lessons, PVT, then the exam. */
const steps: Record<Regime, Step[]> = {
  wi2013: [
    { afterDays: 10, type: 'nl.koers.brp.registered' },
    { afterDays: 10, type: 'nl.koers.bijstand.applied' },
    { afterDays: 20, type: 'nl.koers.intake.held' },
    { afterDays: 45, type: 'nl.koers.bijstand.decided', data: () => ({ decision: 'granted' }) },
    { afterDays: 35, type: 'nl.koers.pip.established' },
    { afterDays: 60, type: 'nl.koers.reintegration.started', data: () => ({ instrument: 'vrijwilligerswerk' }) },
    { afterMonths: 9, type: 'nl.koers.participatieverklaring.signed' },
    // Every respondent flows on to work after the exam: the journey ends only when bijstand has ended too (contract v1.1).
    { afterMonths: 35, type: 'nl.koers.bijstand.ended', data: () => ({ reason: 'work' }) },
  ],
  wi2021: [
    { afterDays: 7, type: 'nl.koers.duo.notified' },
    { afterDays: 14, type: 'nl.koers.brp.registered' },
    { afterDays: 14, type: 'nl.koers.bijstand.applied' },
    { afterDays: 40, type: 'nl.koers.intake.held' },
    { afterDays: 45, type: 'nl.koers.bijstand.decided', data: () => ({ decision: 'granted' }) },
    { afterDays: 60, type: 'nl.koers.pip.established', data: (p) => ({ leerroute: p.leerroute }) },
    { afterDays: 75, type: 'nl.koers.reintegration.started', data: () => ({ instrument: 'vrijwilligerswerk' }) },
    { afterMonths: 10, type: 'nl.koers.participatieverklaring.signed' },
    { afterMonths: 16, type: 'nl.koers.map.completed' },
    { afterMonths: 35, type: 'nl.koers.bijstand.ended', data: () => ({ reason: 'work' }) },
  ],
};

async function runJourneys(regime: Regime): Promise<Array<{ persona: Persona; handle: WorkflowHandle }>> {
  const permit = await t.h.today();
  const municipality = regime === 'wi2013' ? 'borger-odoorn' : 'midden-drenthe';
  const journeys = [];
  for (const persona of personas) {
    const handle = await t.h.start({ municipality, regime, permitGrantedOn: permit, birthDate: addYears(permit, -persona.age) });
    journeys.push({ persona, handle });
  }
  type Planned = { on: LocalDate; run: (j: { persona: Persona; handle: WorkflowHandle }) => Promise<unknown> };
  const plan: Planned[] = [];
  for (const step of steps[regime]) {
    const on = step.afterMonths ? addMonths(permit, step.afterMonths) : addDays(permit, step.afterDays ?? 0);
    if (step.type === 'nl.koers.map.completed') {
      plan.push({ on, run: ({ persona, handle }) => (persona.leerroute === 'onderwijs' ? Promise.resolve() : t.h.send(handle, step.type, on, step.data?.(persona, regime))) });
    } else {
      plan.push({ on, run: ({ persona, handle }) => t.h.send(handle, step.type, on, step.data?.(persona, regime)) });
    }
  }
  // The rung is assessed after the intake (the intake's assess-ladder task, seed §3.2.3).
  plan.push({ on: addDays(permit, 42), run: ({ persona, handle }) => handle.signal(ladderAssessedSignal, { rung: persona.rung, assessedOn: addDays(permit, 42), assessedBy: 'cw-1' }) });
  for (const persona of personas) {
    const on = addMonths(permit, persona.examAfterMonths);
    plan.push({ on, run: (j) => (j.persona === persona ? t.h.send(j.handle, 'nl.koers.exam.passed', on, { route: persona.examRoute[regime] }) : Promise.resolve()) });
  }
  plan.sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : 0));
  for (const { on, run } of plan) {
    await t.h.advanceTo(on);
    for (const journey of journeys) await run(journey);
  }
  return journeys;
}

describe.each(['wi2013', 'wi2021'] as const)('the five personas of Bijlage 6 under %s', (regime) => {
  it('run from permit to plicht met, every clock settled on time', async () => {
    const journeys = await runJourneys(regime);
    for (const { persona, handle } of journeys) {
      const state: JourneyState = await t.h.until(handle, (s) => s.phase === 'plicht-met');
      const deadlines = state.clocks.filter((c) => !isWindowClock(c.name));
      // On the onderwijsroute the MAP is not part of the plicht: its clock is waived, all others met.
      const waived = persona.leerroute === 'onderwijs' && regime === 'wi2021' ? ['map'] : [];
      expect(deadlines.filter((c) => c.status === 'waived').map((c) => c.name)).toEqual(waived);
      expect(deadlines.filter((c) => c.status !== 'met' && c.status !== 'waived')).toEqual([]);
      expect(deadlines.every((c) => c.settledOn! <= c.finalDate)).toBe(true);
      // Midden-Drenthe has a statushouder specialist who keeps the lead (Bijlage 7); Borger-Odoorn routes by rung.
      const expectedRole = regime === 'wi2021' ? 'statushouder-specialist' : persona.rung <= 2 ? 'sociaal-werker-participatie' : 'regisseur-werk';
      expect(state.caseworker.role).toBe(expectedRole);
      const outcome = await handle.result();
      expect(outcome).toMatchObject({ phase: 'plicht-met' });
      const history = await handle.fetchHistory();
      console.log(`${regime} ${persona.name} (${persona.age}, ${persona.background}): history length ${history.events?.length ?? 0} events`);
      await t.h.record(`${regime}-${persona.name}`, handle);
    }
  });
});
