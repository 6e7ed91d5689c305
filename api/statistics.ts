/**
 * The administrators' dashboard: the seed's own questions answered from the journeys' state (the
 * workflow's state query, the one truth), per municipality and per month. Reads at most
 * MAX_STATISTICS_JOURNEYS journeys of this Koers's task queue, a few at a time; the answer says when
 * it stopped there.
 */
import { isWindowClock } from '../domain/clocks';
import { addDays, addPeriod, dayNumber, isAfter } from '../domain/dates';
import type { JourneyState } from '../workflows/definitions';
import type { ApiContext } from './context';
import { viewOn } from './journeys';
import { route, type RouteDef } from './route';
import { Statistics, StatisticsQuery } from './schemas';

export const MAX_STATISTICS_JOURNEYS = 2000;
/** "Within three months of the intake" (Bijlage 7 of the seed: re-integration within 3 months). */
const REINTEGRATION_WITHIN = { months: 3 };
export const DEADLINE_HORIZONS = [30, 60, 90] as const;

type Share = { yes: number; total: number };
interface Bucket {
  journeys: number;
  permitToIntakeDays: number[];
  reintegrationWithin3Months: Share;
  participatieverklaringOnTime: Share;
  overdueClocks: number;
  deadlines: Record<(typeof DEADLINE_HORIZONS)[number], number>;
}

const emptyBucket = (): Bucket => ({
  journeys: 0,
  permitToIntakeDays: [],
  reintegrationWithin3Months: { yes: 0, total: 0 },
  participatieverklaringOnTime: { yes: 0, total: 0 },
  overdueClocks: 0,
  deadlines: { 30: 0, 60: 0, 90: 0 },
});

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Adds one journey to its buckets:
 * - permit → intake: days from `permitGrantedOn` to `intakeHeldOn` (month of the permit);
 * - re-integration within three months: of the intakes whose three months are over or that started
 *   re-integration, the share that started on or before intake + 3 months (month of the intake);
 * - participatieverklaring on time: of the PVT clocks met or overdue, the share met on or before their
 *   final date (month of the final date);
 * - overdue clocks, and running deadline clocks (not service windows) whose final date falls within
 *   30/60/90 days of today.
 */
export function addJourney(state: JourneyState, today: string, byMunicipality: Map<string, Bucket>, byMonth: Map<string, Bucket>): void {
  const facts = state.milestones;
  const bucket = (map: Map<string, Bucket>, key: string) => {
    let b = map.get(key);
    if (!b) map.set(key, (b = emptyBucket()));
    return b;
  };
  const municipal = bucket(byMunicipality, state.municipality);
  municipal.journeys++;
  bucket(byMonth, facts.permitGrantedOn.slice(0, 7)).journeys++;
  if (facts.intakeHeldOn) {
    const days = dayNumber(facts.intakeHeldOn) - dayNumber(facts.permitGrantedOn);
    municipal.permitToIntakeDays.push(days);
    bucket(byMonth, facts.permitGrantedOn.slice(0, 7)).permitToIntakeDays.push(days);
    const limit = addPeriod(facts.intakeHeldOn, REINTEGRATION_WITHIN);
    const started = facts.reintegrationStartedOn;
    if (started !== undefined || isAfter(today, limit)) {
      const yes = started !== undefined && !isAfter(started, limit) ? 1 : 0;
      for (const b of [municipal, bucket(byMonth, facts.intakeHeldOn.slice(0, 7))]) {
        b.reintegrationWithin3Months.total++;
        b.reintegrationWithin3Months.yes += yes;
      }
    }
  }
  for (const clock of state.clocks) {
    if (clock.name === 'participatieverklaring' && (clock.status === 'met' || clock.status === 'overdue')) {
      const yes = clock.status === 'met' && clock.settledOn !== undefined && !isAfter(clock.settledOn, clock.finalDate) ? 1 : 0;
      for (const b of [municipal, bucket(byMonth, clock.finalDate.slice(0, 7))]) {
        b.participatieverklaringOnTime.total++;
        b.participatieverklaringOnTime.yes += yes;
      }
    }
    if (clock.status === 'overdue') {
      municipal.overdueClocks++;
      bucket(byMonth, clock.finalDate.slice(0, 7)).overdueClocks++;
    }
    // Service windows end rather than fall due: only deadlines count.
    if (clock.status === 'running' && !isWindowClock(clock.name)) {
      for (const horizon of DEADLINE_HORIZONS) {
        if (!isAfter(clock.finalDate, addDays(today, horizon)) && !isAfter(today, clock.finalDate)) {
          municipal.deadlines[horizon]++;
          bucket(byMonth, clock.finalDate.slice(0, 7)).deadlines[horizon]++;
        }
      }
    }
  }
}

const present = (key: string, b: Bucket) => {
  const permitToIntake = median(b.permitToIntakeDays);
  return {
    key,
    journeys: b.journeys,
    ...(permitToIntake !== undefined ? { permitToIntakeMedianDays: permitToIntake } : {}),
    intakes: b.permitToIntakeDays.length,
    reintegrationWithin3Months: b.reintegrationWithin3Months,
    participatieverklaringOnTime: b.participatieverklaringOnTime,
    overdueClocks: b.overdueClocks,
    deadlines: { within30: b.deadlines[30], within60: b.deadlines[60], within90: b.deadlines[90] },
  };
};

export function statisticsRoutes(ctx: ApiContext): RouteDef[] {
  return [
    route(
      {
        method: 'get',
        path: '/v1/statistics',
        operationId: 'getStatistics',
        summary: "The dashboard's figures: the seed's questions per municipality and per month, and counts per process step",
        description: `Computed from each journey's state in the read model, as of today (at most ${MAX_STATISTICS_JOURNEYS} journeys, newest first; \`truncated\` says when there were more). Journeys whose run stopped (failed, terminated, timed out, canceled, or a failing workflow task) are left out and counted in \`unavailable\`.`,
        tags: ['administration'],
        roles: ['admin'],
        query: StatisticsQuery,
        responses: { 200: { description: 'The figures', schema: Statistics } },
      },
      async ({ query }) => {
        const today = ctx.today();
        const { journeys: rows, truncated } = await ctx.journeys.views<JourneyState>(query, today, MAX_STATISTICS_JOURNEYS);
        const byMunicipality = new Map<string, Bucket>();
        const byMonth = new Map<string, Bucket>();
        const steps: Record<string, Record<string, number>> = {};
        let unavailable = 0;
        for (const row of rows) {
          // A stopped run (failed, terminated, …) shows no live state: left out as before.
          if (row.runStatus !== 'running' && row.runStatus !== 'completed') {
            unavailable++;
            continue;
          }
          const state = viewOn(row.view, today);
          addJourney(state, today, byMunicipality, byMonth);
          // The process view counts the journeys still under way at each step; a completed one is at no step.
          if (row.runStatus !== 'running') continue;
          for (const clock of state.clocks) {
            const counts = (steps[clock.name] ??= {});
            counts[clock.status] = (counts[clock.status] ?? 0) + 1;
          }
        }
        const selected = rows;
        const sorted = (map: Map<string, Bucket>) => [...map.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, b]) => present(key, b));
        return {
          status: 200,
          body: {
            today,
            journeys: selected.length - unavailable,
            unavailable,
            truncated,
            municipalities: sorted(byMunicipality),
            months: sorted(byMonth),
            steps,
          },
        };
      },
    ),
  ];
}
