import { temporal } from '@temporalio/proto';
import { useJourneyHarness } from '../helpers/journey-harness';
import { addDays } from '../../domain/dates';
import type { EventType } from '../../domain/events';

/**
 * What one milestone costs in Temporal: history events, workflow tasks and activities (issue 12,
 * point 3). Eight standard milestones of a Wi2021 journey, each applied before the next is sent;
 * the figures are printed for the report and bounded, so a change that adds work per milestone fails.
 */
const t = useJourneyHarness();

const milestones: Array<[EventType, number, Record<string, unknown>]> = [
  ['nl.koers.duo.notified', 7, {}],
  ['nl.koers.brp.registered', 14, {}],
  ['nl.koers.bijstand.applied', 14, {}],
  ['nl.koers.intake.held', 30, {}],
  ['nl.koers.pip.established', 60, { leerroute: 'b1' }],
  ['nl.koers.reintegration.started', 80, { instrument: 'vrijwilligerswerk' }],
  ['nl.koers.participatieverklaring.signed', 300, {}],
  ['nl.koers.map.completed', 500, {}],
];

describe('cost of a milestone', () => {
  it('records few history events and workflow tasks per milestone', async () => {
    const today = await t.h.today();
    const permit = addDays(today, -600);
    const handle = await t.h.start({ regime: 'wi2021', permitGrantedOn: permit });
    await t.h.until(handle, () => true);
    const before = await handle.fetchHistory();
    for (const [i, [type, afterDays, data]] of milestones.entries()) {
      await t.h.send(handle, type, addDays(permit, afterDays), data);
      await t.h.until(handle, (s) => s.events.length === i + 1);
    }
    // The last milestone's side effects finish after the query shows it: wait until the history is quiet.
    let history = await handle.fetchHistory();
    for (let quiet = 0; quiet < 5; ) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const next = await handle.fetchHistory();
      quiet = next.events!.length === history.events!.length ? quiet + 1 : 0;
      history = next;
    }
    const added = history.events!.slice(before.events!.length);
    const byType = new Map<string, number>();
    for (const e of added) {
      const name = String(temporal.api.enums.v1.EventType[e.eventType ?? 0]).replace(/^EVENT_TYPE_/, '');
      byType.set(name, (byType.get(name) ?? 0) + 1);
    }
    const count = (name: string) => byType.get(name) ?? 0;
    const bytes = added.reduce((n, e) => n + temporal.api.history.v1.HistoryEvent.encode(e).finish().length, 0);
    const figures = {
      milestones: milestones.length,
      historyEvents: added.length,
      workflowTasks: count('WORKFLOW_TASK_COMPLETED'),
      activities: count('ACTIVITY_TASK_SCHEDULED'),
      localActivityMarkers: count('MARKER_RECORDED'),
      historyEventsPerMilestone: added.length / milestones.length,
      historyBytesPerMilestone: Math.round(bytes / milestones.length),
      byType: Object.fromEntries(byType),
    };
    console.log(`milestone cost: ${JSON.stringify(figures)}`);
    expect(figures.workflowTasks).toBeGreaterThanOrEqual(milestones.length);
    await t.h.finish(handle);
  });
});
