import { DEADLINE_HORIZONS, figures, medianOfCounts } from '../../../api/statistics';
import { addDays } from '../../../domain/dates';
import { computeClocks } from '../../../domain/clocks';
import { applyEvent, initialFacts, type JourneyFacts } from '../../../domain/facts';
import { findPolicy } from '../../../domain/policies';
import { derivePhase } from '../../../domain/phase';
import type { EventType } from '../../../domain/events';
import { openDatabase } from '../../../store/db';
import { JourneyReadModel } from '../../../store/journeys';
import { migrateToLatest } from '../../../store/migrations';
import type { JourneyState } from '../../../workflows/definitions';

const TODAY = '2026-06-01';

function journey(municipality: string, permit: string, events: Array<[EventType, string, Record<string, unknown>?]>): JourneyState {
  const policy = findPolicy(municipality)!;
  const facts = events.reduce<JourneyFacts>(
    (f, [type, occurredOn, data]) => applyEvent(f, { source: 'urn:test', id: `${type}-${occurredOn}`, type, occurredOn, data: data ?? {}, receivedAt: `${occurredOn}T10:00:00Z` }),
    initialFacts({ permitGrantedOn: permit }),
  );
  const clocks = computeClocks(facts, policy, TODAY);
  return { municipality, today: TODAY, phase: derivePhase(facts, clocks, TODAY), milestones: facts, clocks } as unknown as JourneyState;
}

/** The figures the dashboard shows for these journeys, counted by the read model (SQLite). */
async function dashboard(...states: JourneyState[]) {
  const db = openDatabase('sqlite::memory:');
  await migrateToLatest(db);
  const model = new JourneyReadModel(db);
  for (const [i, view] of states.entries()) {
    await model.write({ journeyId: `j-${i}`, seq: 1, municipality: view.municipality, regime: 'wi2021', phase: view.phase, runStatus: 'running', caseworker: {}, view, deadlines: [], startedAt: '2026-01-01T00:00:00.000Z' });
  }
  const result = figures(await model.figureCounts({}, TODAY, Object.fromEntries(DEADLINE_HORIZONS.map((h) => [h, addDays(TODAY, h)]))));
  await db.destroy();
  const key = (list: typeof result.months) => new Map(list.map((b) => [b.key, b]));
  return { byMunicipality: key(result.municipalities), byMonth: key(result.months) };
}

describe("the dashboard's figures", () => {
  it('takes the median of values given with their counts', () => {
    expect(medianOfCounts(new Map())).toBeUndefined();
    expect(medianOfCounts(new Map([[7, 1]]))).toBe(7);
    expect(medianOfCounts(new Map([[50, 1], [30, 1]]))).toBe(40);
    expect(medianOfCounts(new Map([[10, 2], [20, 1], [90, 1]]))).toBe(15);
    expect(medianOfCounts(new Map([[10, 1], [20, 3], [90, 1]]))).toBe(20);
  });

  it('answers the seed questions per municipality and per month', async () => {
    const { byMunicipality, byMonth } = await dashboard(
      // Intake 30 days after the permit, re-integration 2 months later: within three months.
      journey('borger-odoorn', '2025-01-10', [['nl.koers.intake.held', '2025-02-09'], ['nl.koers.reintegration.started', '2025-04-09', { instrument: 'werkstage' }]]),
      // Intake 50 days after the permit, no re-integration and the three months are over: not within.
      journey('borger-odoorn', '2025-01-20', [['nl.koers.intake.held', '2025-03-11']]),
      // Intake a week ago: its three months are not over, so it is not counted yet.
      journey('midden-drenthe', '2026-05-01', [['nl.koers.intake.held', '2026-05-25']]),
    );

    const bo = byMunicipality.get('borger-odoorn')!;
    expect(bo.journeys).toBe(2);
    expect(bo.intakes).toBe(2);
    expect(bo.permitToIntakeMedianDays).toBe(40);
    expect(bo.reintegrationWithin3Months).toEqual({ yes: 1, total: 2 });
    const md = byMunicipality.get('midden-drenthe')!;
    expect(md.reintegrationWithin3Months).toEqual({ yes: 0, total: 0 });
    // Per month of the permit and of the intake.
    expect(byMonth.get('2025-01')!.journeys).toBe(2);
    expect(byMonth.get('2025-02')!.reintegrationWithin3Months).toEqual({ yes: 1, total: 1 });
    expect(byMonth.get('2025-03')!.reintegrationWithin3Months).toEqual({ yes: 0, total: 1 });
  });

  it('counts overdue clocks and final dates within 30/60/90 days', async () => {
    const { byMunicipality, byMonth } = await dashboard(
      // Wi2021 PIP clock from 2026-05-01: final date 2026-07-10, 39 days after today (within 60 and 90).
      journey('borger-odoorn', '2026-04-01', [['nl.koers.brp.registered', '2026-05-01'], ['nl.koers.duo.notified', '2026-05-01']]),
      // A PIP clock that ended long ago: overdue.
      journey('borger-odoorn', '2025-03-14', [['nl.koers.brp.registered', '2025-04-01'], ['nl.koers.duo.notified', '2025-04-01']]),
    );
    const bo = byMunicipality.get('borger-odoorn')!;
    expect(bo.overdueClocks).toBe(1);
    // Only the PIP's final date falls due (the windows end, they do not fall due): within 60 and 90 days.
    expect(bo.deadlines).toEqual({ within30: 0, within60: 1, within90: 1 });
    expect(byMonth.get('2026-07')!.deadlines).toEqual({ within30: 0, within60: 1, within90: 1 });
  });
});
