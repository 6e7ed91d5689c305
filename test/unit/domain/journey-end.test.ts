/** A journey that ends for a reason outside the law's milestones (domain/journey-end.ts): the zaak's end, the clocks, the tasks' words. */
import { cancellationForEnd, END_REASONS, endReasonOfCancellation, JOURNEY_ENDS, journeyEndOf, stopClocks } from '../../../domain/journey-end';
import type { Clock } from '../../../domain/types';

const clock = (name: Clock['name'], status: Clock['status'], extra: Partial<Clock> = {}): Clock => ({ name, status, startsOn: '2025-01-01', targetDate: '2027-10-01', finalDate: '2028-01-01', ...extra });

describe('the end of a journey for a reason', () => {
  it('ends the zaak with the reason, whatever the phase; without one by the phase, else closed', () => {
    expect(journeyEndOf('inburgering', 'deceased')).toBe('deceased');
    expect(journeyEndOf('plicht-met', 'emigrated')).toBe('emigrated');
    expect(journeyEndOf('plicht-met')).toBe('plicht-met');
    expect(journeyEndOf('intake')).toBe('closed');
  });

  it('names every reason as a way a journey ends, so the configuration must map each to a resultaattype', () => {
    for (const reason of END_REASONS) expect(JOURNEY_ENDS).toContain(reason);
  });

  it('stops every open clock on the day it happened (else the day it was confirmed) and leaves settled ones as they were', () => {
    const met = clock('intake', 'met', { settledOn: '2025-02-01' });
    const stopped = stopClocks([clock('inburgering', 'running'), clock('participatieverklaring', 'overdue'), met], { reason: 'deceased', on: '2026-03-02', confirmedOn: '2026-03-10', confirmedBy: 'cw-1' });
    expect(stopped.map((c) => [c.name, c.status, c.settledOn])).toEqual([
      ['inburgering', 'ended', '2026-03-02'],
      ['participatieverklaring', 'ended', '2026-03-02'],
      ['intake', 'met', '2025-02-01'],
    ]);
    expect(stopClocks([clock('inburgering', 'running')], { reason: 'emigrated', confirmedOn: '2026-03-10', confirmedBy: 'cw-1' })[0]).toMatchObject({ status: 'ended', settledOn: '2026-03-10' });
  });

  it("words a task's cancellation so a page can tell the reason back, and nothing else as one", () => {
    for (const reason of END_REASONS) expect(endReasonOfCancellation(cancellationForEnd(reason))).toBe(reason);
    expect(endReasonOfCancellation('no longer needed by the journey')).toBeUndefined();
    expect(endReasonOfCancellation('journey ended: bored')).toBeUndefined();
    expect(endReasonOfCancellation(undefined)).toBeUndefined();
  });
});
