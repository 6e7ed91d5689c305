import { addJourney } from '../../../api/statistics';
import { computeClocks } from '../../../domain/clocks';
import { applyEvent, initialFacts, type JourneyFacts } from '../../../domain/facts';
import { findPolicy } from '../../../domain/policies';
import type { EventType } from '../../../domain/events';
import type { JourneyState } from '../../../workflows/definitions';

const TODAY = '2026-06-01';

function journey(municipality: string, permit: string, events: Array<[EventType, string, Record<string, unknown>?]>): JourneyState {
  const policy = findPolicy(municipality)!;
  const facts = events.reduce<JourneyFacts>(
    (f, [type, occurredOn, data]) => applyEvent(f, { source: 'urn:test', id: `${type}-${occurredOn}`, type, occurredOn, data: data ?? {}, receivedAt: `${occurredOn}T10:00:00Z` }),
    initialFacts({ permitGrantedOn: permit }),
  );
  return { municipality, milestones: facts, clocks: computeClocks(facts, policy, TODAY) } as unknown as JourneyState;
}

describe("the dashboard's figures", () => {
  it('answers the seed questions per municipality and per month', () => {
    const byMunicipality = new Map();
    const byMonth = new Map();
    // Intake 30 days after the permit, re-integration 2 months later: within three months.
    addJourney(journey('borger-odoorn', '2025-01-10', [['nl.koers.intake.held', '2025-02-09'], ['nl.koers.reintegration.started', '2025-04-09', { instrument: 'werkstage' }]]), TODAY, byMunicipality, byMonth);
    // Intake 50 days after the permit, no re-integration and the three months are over: not within.
    addJourney(journey('borger-odoorn', '2025-01-20', [['nl.koers.intake.held', '2025-03-11']]), TODAY, byMunicipality, byMonth);
    // Intake a week ago: its three months are not over, so it is not counted yet.
    addJourney(journey('midden-drenthe', '2026-05-01', [['nl.koers.intake.held', '2026-05-25']]), TODAY, byMunicipality, byMonth);

    const bo = byMunicipality.get('borger-odoorn');
    expect(bo.journeys).toBe(2);
    expect(bo.permitToIntakeDays.sort()).toEqual([30, 50]);
    expect(bo.reintegrationWithin3Months).toEqual({ yes: 1, total: 2 });
    const md = byMunicipality.get('midden-drenthe');
    expect(md.reintegrationWithin3Months).toEqual({ yes: 0, total: 0 });
    // Per month of the permit and of the intake.
    expect(byMonth.get('2025-01').journeys).toBe(2);
    expect(byMonth.get('2025-02').reintegrationWithin3Months).toEqual({ yes: 1, total: 1 });
    expect(byMonth.get('2025-03').reintegrationWithin3Months).toEqual({ yes: 0, total: 1 });
  });

  it('counts overdue clocks and final dates within 30/60/90 days', () => {
    const byMunicipality = new Map();
    const byMonth = new Map();
    // Wi2021 PIP clock from 2026-05-01: final date 2026-07-10, 39 days after today (within 60 and 90).
    addJourney(journey('borger-odoorn', '2026-04-01', [['nl.koers.brp.registered', '2026-05-01'], ['nl.koers.duo.notified', '2026-05-01']]), TODAY, byMunicipality, byMonth);
    // A PIP clock that ended long ago: overdue.
    addJourney(journey('borger-odoorn', '2025-03-14', [['nl.koers.brp.registered', '2025-04-01'], ['nl.koers.duo.notified', '2025-04-01']]), TODAY, byMunicipality, byMonth);
    const bo = byMunicipality.get('borger-odoorn');
    expect(bo.overdueClocks).toBe(1);
    // Only the PIP's final date falls due (the windows end, they do not fall due): within 60 and 90 days.
    expect(bo.deadlines).toEqual({ 30: 0, 60: 1, 90: 1 });
    expect(byMonth.get('2026-07').deadlines).toEqual({ 30: 0, 60: 1, 90: 1 });
  });
});
