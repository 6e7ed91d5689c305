/**
 * The dashboard's figures and the process view's counts are exact (issue 25): on a few thousand
 * generated journeys, written into the read model on days before today as the journey itself writes
 * them, every figure the database counts equals a brute-force computation over the views GET answers
 * (viewOn of each stored row, today), for every filter, on SQLite and PostgreSQL.
 */
import { figures, stepsOf, DEADLINE_HORIZONS } from '../../../api/statistics';
import { isWindowClock } from '../../../domain/clocks';
import { addDays, addPeriod, dayNumber, isAfter } from '../../../domain/dates';
import { inTransaction } from '../../../store/db';
import { viewOn } from '../../../store/journey-view';
import { Identity } from '../../../api/identity';
import { JourneyReadModel, type JourneyListFilter, type StoredJourney } from '../../../store/journeys';
import { migrateDown, migrateToLatest } from '../../../store/migrations';
import type { JourneyState } from '../../../workflows/definitions';
import { describeEachDatabase } from './databases';
import { generate, write } from '../../helpers/journey-population';

const TODAY = '2026-06-01';
const JOURNEYS = 2500;
const MUNICIPALITIES = ['borger-odoorn', 'midden-drenthe'];

// ---- the brute force: the dashboard's definitions applied to each view GET answers ----------------

type Share = { yes: number; total: number };
interface Bucket {
  journeys: number;
  days: number[];
  reintegration: Share;
  pvt: Share;
  overdue: number;
  deadlines: Record<number, number>;
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `running`: whether each state's journey still runs (the process view's step counts are of those only). */
function bruteForce(states: JourneyState[], unavailable: number, running: boolean[] = states.map(() => true)) {
  const byMunicipality = new Map<string, Bucket>();
  const byMonth = new Map<string, Bucket>();
  const bucket = (map: Map<string, Bucket>, key: string) => {
    let b = map.get(key);
    if (!b) map.set(key, (b = { journeys: 0, days: [], reintegration: { yes: 0, total: 0 }, pvt: { yes: 0, total: 0 }, overdue: 0, deadlines: { 30: 0, 60: 0, 90: 0 } }));
    return b;
  };
  const steps: Record<string, Record<string, number>> = {};
  states.forEach((state, index) => {
    const facts = state.milestones;
    const municipal = bucket(byMunicipality, state.municipality);
    municipal.journeys++;
    bucket(byMonth, facts.permitGrantedOn.slice(0, 7)).journeys++;
    if (facts.intakeHeldOn) {
      const days = dayNumber(facts.intakeHeldOn) - dayNumber(facts.permitGrantedOn);
      municipal.days.push(days);
      bucket(byMonth, facts.permitGrantedOn.slice(0, 7)).days.push(days);
      const limit = addPeriod(facts.intakeHeldOn, { months: 3 });
      const started = facts.reintegrationStartedOn;
      if (started !== undefined || isAfter(TODAY, limit)) {
        for (const b of [municipal, bucket(byMonth, facts.intakeHeldOn.slice(0, 7))]) {
          b.reintegration.total++;
          if (started !== undefined && !isAfter(started, limit)) b.reintegration.yes++;
        }
      }
    }
    for (const clock of state.clocks) {
      if (running[index]) (steps[clock.name] ??= {})[clock.status] = (steps[clock.name]![clock.status] ?? 0) + 1;
      const month = clock.finalDate.slice(0, 7);
      if (clock.name === 'participatieverklaring' && (clock.status === 'met' || clock.status === 'overdue')) {
        for (const b of [municipal, bucket(byMonth, month)]) {
          b.pvt.total++;
          if (clock.status === 'met' && clock.settledOn !== undefined && !isAfter(clock.settledOn, clock.finalDate)) b.pvt.yes++;
        }
      }
      if (clock.status === 'overdue') for (const b of [municipal, bucket(byMonth, month)]) b.overdue++;
      if (clock.status === 'running' && !isWindowClock(clock.name)) {
        for (const h of DEADLINE_HORIZONS) {
          if (!isAfter(clock.finalDate, addDays(TODAY, h)) && !isAfter(TODAY, clock.finalDate)) for (const b of [municipal, bucket(byMonth, month)]) b.deadlines[h]!++;
        }
      }
    }
  });
  const present = (map: Map<string, Bucket>) =>
    [...map.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, b]) => ({
        key,
        journeys: b.journeys,
        ...(median(b.days) !== undefined ? { permitToIntakeMedianDays: median(b.days) } : {}),
        intakes: b.days.length,
        reintegrationWithin3Months: b.reintegration,
        participatieverklaringOnTime: b.pvt,
        overdueClocks: b.overdue,
        deadlines: { within30: b.deadlines[30], within60: b.deadlines[60], within90: b.deadlines[90] },
      }));
  return { journeys: states.length, unavailable, municipalities: present(byMunicipality), months: present(byMonth), steps };
}

const until = Object.fromEntries(DEADLINE_HORIZONS.map((h) => [h, addDays(TODAY, h)]));

describeEachDatabase('the dashboard figures over every journey', (t) => {
  it('equal a brute-force computation over the views GET answers, for every filter', async () => {
    // As Koers runs it: birth dates sealed in the stored views (issue 24), the figures' columns from the clear view.
    const model = new JourneyReadModel(t.db(), undefined, new Identity('figures-secret-0123456789-0123456789-abcdef'));
    const generated = generate(JOURNEYS, { today: TODAY, municipalities: MUNICIPALITIES });
    // A few hundred journeys per transaction: the same writes, fewer commits.
    for (let i = 0; i < generated.length; i += 250) {
      await inTransaction(t.db(), async (trx) => {
        for (const g of generated.slice(i, i + 250)) await write(model.using(trx), g);
      });
    }

    // What GET answers for each journey today: the stored row, its view as of today.
    const answers: Array<StoredJourney<JourneyState>> = [];
    for (const g of generated) answers.push((await model.get<JourneyState>(g.journeyId))!);
    const live = answers.filter((a) => a.runStatus === 'running' || a.runStatus === 'completed').map((a) => ({ row: a, state: viewOn(a.view, TODAY) }));
    // The population reaches every figure, also through a lapse between write and today.
    const lapsed = live.filter(({ row, state }) => row.view.clocks.some((c, i) => c.status !== state.clocks[i]!.status));
    expect(lapsed.length).toBeGreaterThan(100);
    expect(live.some(({ row, state }) => row.view.phase !== state.phase)).toBe(true);

    const filters: Array<[JourneyListFilter, (a: (typeof live)[number]) => boolean]> = [
      [{}, () => true],
      [{ municipality: 'midden-drenthe' }, (a) => a.row.municipality === 'midden-drenthe'],
      [{ regime: 'wi2013' }, (a) => a.row.regime === 'wi2013'],
      ...(['arrival', 'intake', 'inburgering', 'plicht-met', 'exempted', 'not-plichtig'] as const).map(
        (phase): [JourneyListFilter, (a: (typeof live)[number]) => boolean] => [{ phase }, (a) => a.state.phase === phase],
      ),
      [{ municipality: 'borger-odoorn', phase: 'intake' }, (a) => a.row.municipality === 'borger-odoorn' && a.state.phase === 'intake'],
    ];
    for (const [filter, matches] of filters) {
      const stopped = answers.filter((a) => a.runStatus !== 'running' && a.runStatus !== 'completed' && (filter.municipality === undefined || a.municipality === filter.municipality) && (filter.regime === undefined || a.regime === filter.regime));
      // A stopped run shows no live state: GET has no phase of today for it, so a phase filter finds it by its stored phase.
      const unavailable = stopped.filter((a) => filter.phase === undefined || a.phase === filter.phase).length;
      const expected = bruteForce(live.filter(matches).map((a) => a.state), unavailable, live.filter(matches).map((a) => a.row.runStatus === 'running'));
      expect({ filter, ...figures(await model.figureCounts(filter, TODAY, until)) }).toEqual({ filter, ...expected });
      // The process view's own query (only the counts per step) counts the same.
      expect({ filter, steps: stepsOf(await model.stepCounts(filter, TODAY)) }).toEqual({ filter, steps: expected.steps });
    }

    // The lists count by the phase GET shows.
    const perPhase = new Map<string, number>();
    for (const a of answers) {
      const phase = a.runStatus === 'running' || a.runStatus === 'completed' ? viewOn(a.view, TODAY).phase : a.phase;
      perPhase.set(`${a.municipality}/${phase}`, (perPhase.get(`${a.municipality}/${phase}`) ?? 0) + 1);
    }
    const counted = await model.countByMunicipalityAndPhase({}, TODAY);
    expect(Object.fromEntries(counted.map((c) => [`${c.municipality}/${c.phase}`, c.count]))).toEqual(Object.fromEntries(perPhase));
  }, 180_000);

  it('are filled for the rows written before the figures existed, from their stored views', async () => {
    const db = t.db();
    const model = new JourneyReadModel(db);
    const generated = generate(40, { today: TODAY, municipalities: MUNICIPALITIES });
    for (const g of generated) await write(model, g);
    const before = figures(await model.figureCounts({}, TODAY, until));
    // Back to the schema before 0009_i25_figures (the rows and their views stay), then forward again.
    for (let i = 0; i < 20 && !(await migrateDown(db)).includes('0009_i25_figures'); i++);
    expect((await db.introspection.getTables()).map((x) => x.name)).not.toContain('journey_clocks');
    await migrateToLatest(db);
    expect(figures(await model.figureCounts({}, TODAY, until))).toEqual(before);
    expect(before.journeys).toBeGreaterThan(0);
    expect(Object.keys(before.steps).length).toBeGreaterThan(3);
  });
});
