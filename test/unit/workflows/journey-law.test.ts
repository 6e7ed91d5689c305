import { findPolicy } from '../../../domain/policies';
import type { InstrumentState } from '../../../domain/instruments';
import type { JourneyEvent } from '../../../domain/events';
import { Journey } from '../../../workflows/journey-state';
import type { StartJourneyInput } from '../../../workflows/definitions';

/** The Journey state class under the v1.1 law rules, driven directly (no Temporal): the workflow's decisions. */
const policy = findPolicy('borger-odoorn')!;
const at = (date: string) => () => Date.parse(`${date}T10:00:00Z`);
const input = (more: Partial<StartJourneyInput> = {}): StartJourneyInput => ({
  journeyId: 'j-law',
  municipality: 'borger-odoorn',
  regime: 'wi2013',
  permitGrantedOn: '2021-06-15',
  birthDate: '1980-01-01',
  policy,
  ...more,
});
let n = 0;
const event = (type: JourneyEvent['type'], occurredOn: string, data: Record<string, unknown> = {}): JourneyEvent => ({
  source: 'urn:test',
  id: `e-${++n}`,
  type,
  occurredOn,
  data: { occurredOn, ...data },
  receivedAt: '2026-01-01T00:00:00Z',
});

describe('Journey: which rules a run keeps', () => {
  it('a run before the v1.1 law marks its facts, and the mark is carried across continue-as-new', () => {
    const old = new Journey(input(), undefined, at('2021-07-01'), { crossFieldRules: false, lawV11: false });
    expect(old.memory.facts.rules).toBe('v1.0');
    const next = new Journey(input(), old.memory, at('2021-07-01'), { crossFieldRules: true, lawV11: true });
    expect(next.memory.facts.rules).toBe('v1.0');
    expect(new Journey(input(), undefined, at('2021-07-01')).memory.facts.rules).toBeUndefined();
  });
});

describe('Journey: the end of a journey (contract v1.1)', () => {
  it('an exempted person on bijstand keeps it running until the outflow', () => {
    const j = new Journey(input({ permitGrantedOn: '2021-01-04' }), undefined, at('2021-09-01'));
    j.receiveEvent(event('nl.koers.exemption.granted', '2021-08-01'));
    j.receiveEvent(event('nl.koers.bijstand.applied', '2021-08-02'));
    j.receiveEvent(event('nl.koers.intake.held', '2021-08-05'));
    j.receiveEvent(event('nl.koers.pip.established', '2021-08-10')); // the plan of approach (Wi2013)
    j.receiveEvent(event('nl.koers.bijstand.decided', '2021-08-20', { decision: 'granted' }));
    j.assessLadder({ rung: 4, assessedOn: '2021-08-06', assessedBy: 'cw-1' });
    j.receiveEvent(event('nl.koers.reintegration.started', '2021-08-25', { instrument: 'werkstage' }));
    expect(j.derive().tasks).toEqual([]);
    expect(j.isFinished(j.derive())).toBe(false);
    j.receiveEvent(event('nl.koers.bijstand.ended', '2021-08-30', { reason: 'work' }));
    expect(j.isFinished(j.derive())).toBe(true);
  });

  it('on the earlier rules the exemption ends it, bijstand or not', () => {
    const j = new Journey(input({ permitGrantedOn: '2021-01-04' }), undefined, at('2021-09-01'), { crossFieldRules: false, lawV11: false });
    j.receiveEvent(event('nl.koers.bijstand.applied', '2021-08-02'));
    j.receiveEvent(event('nl.koers.intake.held', '2021-08-05'));
    j.receiveEvent(event('nl.koers.pip.established', '2021-08-10'));
    j.receiveEvent(event('nl.koers.reintegration.started', '2021-08-25', { instrument: 'werkstage' }));
    j.receiveEvent(event('nl.koers.exemption.granted', '2021-08-01'));
    expect(j.isFinished(j.derive())).toBe(true);
  });
});

describe('Journey: a reassessment reaches the instrument', () => {
  const participatieplaats = (extensions: number, endsOn: string): InstrumentState => ({
    instrumentId: 'j-law-instrument-1',
    kind: 'participatieplaats',
    startedOn: '2021-09-01',
    endsOn,
    extensions,
    status: 'active',
    reassessBy: '2023-06-30',
    reassessmentDue: true,
  });
  const complete = (j: Journey, decision: string, assessedOn: string) =>
    j.completeTask({ taskKey: `reassess-instrument:j-law-instrument-1:${j.memory.instruments[0]!.endsOn}`, completedBy: 'cw-1', completedOn: assessedOn, form: { decision, assessedOn } });

  it('"extend" within the limits: the instrument is told to extend', () => {
    const j = new Journey(input(), undefined, at('2023-07-01'));
    j.instrumentChanged(participatieplaats(0, '2023-08-31'));
    complete(j, 'extend', '2023-06-20');
    expect(j.instrumentCommands).toEqual([{ instrumentId: 'j-law-instrument-1', action: 'extend', reassessedOn: '2023-06-20', by: 'cw-1' }]);
  });

  it('"extend" past the limit: refused, naming the limit; nothing is sent', () => {
    const j = new Journey(input(), undefined, at('2025-07-01'));
    j.instrumentChanged(participatieplaats(2, '2025-08-31'));
    complete(j, 'extend', '2025-06-20');
    expect(j.instrumentCommands).toEqual([]);
    expect(j.memory.rejectedMessages).toEqual([expect.objectContaining({ message: 'reassess-instrument', reason: expect.stringContaining('participatieplaats.max-extensions') })]);
  });

  it('"stop" ends it on the day of the reassessment; on the earlier rules nothing happens', () => {
    const j = new Journey(input(), undefined, at('2023-07-01'));
    j.instrumentChanged(participatieplaats(0, '2023-08-31'));
    complete(j, 'stop', '2023-06-20');
    expect(j.instrumentCommands).toEqual([expect.objectContaining({ action: 'end', endedOn: '2023-06-20' })]);
    const old = new Journey(input(), undefined, at('2023-07-01'), { crossFieldRules: false, lawV11: false });
    old.instrumentChanged(participatieplaats(0, '2023-08-31'));
    complete(old, 'stop', '2023-06-20');
    expect(old.instrumentCommands).toEqual([]);
  });
});
