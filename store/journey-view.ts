/**
 * A journey's stored view as it stands on a later day, and what the read model keeps of it so the
 * dashboard's figures and the lists can be SQL over every journey (issue 25).
 *
 * `viewOn` is the one definition of the date-dependent statuses: `GET /v1/journeys/{id}` applies it to
 * the stored view. A view changes by date alone in steps: a clock on the day after its final date
 * (domain/clocks.ts `clockOn`), the phase on the day a minor's plicht starts. {@link viewFigures} asks
 * `viewOn` itself what each step turns the view into and from which day, and the read model stores that
 * (`journey_clocks.lapsed_status` from `lapses_on`, `journeys.phase_later` from `phase_later_on`), so SQL
 * reads "the stored status until that day, the later one from it" and never re-implements the rule.
 */
import { clockOn } from '../domain/clocks';
import { addPeriod, dayAfter, dayNumber, maxDate, type Period } from '../domain/dates';
import type { JourneyFacts } from '../domain/facts';
import { inburgeringsplicht } from '../domain/inburgeringsplicht';
import { derivePhase } from '../domain/phase';
import type { JourneyState } from '../workflows/definitions';

/**
 * A stored view as it stands on `today` (Europe/Amsterdam): a running clock whose final date has passed
 * since the row was written is overdue (a window ended), and the phase and plicht follow, by the same
 * pure functions the workflow computes with (domain/clocks.ts clockOn, domain/phase.ts, domain/inburgeringsplicht.ts).
 * Tasks and the next wake-up are the journey's: it wakes on every day they change and writes a new row.
 */
export function viewOn(view: JourneyState, today: string): JourneyState {
  if (view.today >= today) return view;
  // A journey that ended for a reason (domain/journey-end.ts) stays as it ended: no clock runs on.
  if (view.ended) return { ...view, today };
  const clocks = view.clocks.map((c) => clockOn(c, today));
  const facts = view.milestones as JourneyFacts;
  return { ...view, today, clocks, phase: derivePhase(facts, clocks, today), ...(view.inburgeringsplicht ? { inburgeringsplicht: inburgeringsplicht(facts, today) } : {}) };
}

/** "Within three months of the intake" (Bijlage 7 of the seed: re-integration within 3 months). */
export const REINTEGRATION_WITHIN: Period = { months: 3 };

/** A later status from a day on: `status` from `on` (`YYYY-MM-DD`) onwards. */
export interface Later<S extends string = string> {
  on: string;
  status: S;
}

/** One clock as the read model keeps it for figures. */
export interface ClockFigures {
  clock: string;
  status: string;
  finalDate: string;
  settledOn?: string;
  /** The status `viewOn` gives it from a later day on; absent when no day changes it. */
  later?: Later;
}

/** What the read model keeps of a view for the dashboard's figures (all dates `YYYY-MM-DD`, Europe/Amsterdam). */
export interface ViewFigures {
  /** The day the view was computed for. */
  today: string;
  permitGrantedOn: string;
  intakeHeldOn?: string;
  /** Days from the permit to the intake. */
  permitToIntakeDays?: number;
  /** The intake + {@link REINTEGRATION_WITHIN}: the last day re-integration starts "within three months". */
  reintegrationDue?: string;
  reintegrationStartedOn?: string;
  /** The phase `viewOn` gives from a later day on; absent when no day changes it. */
  phaseLater?: Later;
  clocks: ClockFigures[];
}

/**
 * The figures of a journey's view, or undefined for a value that is not a journey's view (no milestones
 * or clocks: a row written by hand). Each later status is `viewOn`'s own answer on the day it starts.
 */
export function viewFigures(view: unknown): ViewFigures | undefined {
  const v = view as Partial<JourneyState> | null;
  if (!v || typeof v !== 'object' || !Array.isArray(v.clocks) || !v.milestones || typeof v.today !== 'string') return undefined;
  const state = v as JourneyState;
  const facts = state.milestones as JourneyFacts;
  if (typeof facts.permitGrantedOn !== 'string') return undefined;
  const cache = new Map<string, JourneyState>();
  const on = (day: string) => {
    let later = cache.get(day);
    if (!later) cache.set(day, (later = viewOn(state, day)));
    return later;
  };
  const clocks = state.clocks.map((c, i): ClockFigures => {
    // clockOn changes a clock only from the day after its final date, and viewOn nothing up to the view's own day.
    const day = dayAfter(maxDate(state.today, c.finalDate));
    const status = on(day).clocks[i]!.status;
    return { clock: c.name, status: c.status, finalDate: c.finalDate, ...(c.settledOn ? { settledOn: c.settledOn } : {}), ...(status !== c.status ? { later: { on: day, status } } : {}) };
  });
  // The phase follows the plicht, which starts on a minor's day (inburgeringsplicht.ts `startsOn`); the clocks' steps do not move it.
  const plicht = inburgeringsplicht(facts, state.today);
  const phaseDay = plicht.status === 'not-yet' && plicht.startsOn ? maxDate(plicht.startsOn, dayAfter(state.today)) : dayAfter(state.today);
  const phase = on(phaseDay).phase;
  return {
    today: state.today,
    permitGrantedOn: facts.permitGrantedOn,
    ...(facts.intakeHeldOn
      ? { intakeHeldOn: facts.intakeHeldOn, permitToIntakeDays: dayNumber(facts.intakeHeldOn) - dayNumber(facts.permitGrantedOn), reintegrationDue: addPeriod(facts.intakeHeldOn, REINTEGRATION_WITHIN) }
      : {}),
    ...(facts.reintegrationStartedOn ? { reintegrationStartedOn: facts.reintegrationStartedOn } : {}),
    ...(phase !== state.phase ? { phaseLater: { on: phaseDay, status: phase } } : {}),
    clocks,
  };
}
