import fc from 'fast-check';
import { findPolicy } from '../../../domain/policies';
import type { JourneyEvent } from '../../../domain/events';
import { Journey, LIMITS } from '../../../workflows/journey-state';

const policy = findPolicy('borger-odoorn')!;
const input = { journeyId: 'j-1', municipality: 'borger-odoorn', regime: 'wi2013' as const, permitGrantedOn: '2025-03-14', birthDate: '1990-01-01', policy };
const now = () => Date.parse('2025-09-01T10:00:00Z');
const registration = (id: string, occurredOn = '2025-04-01'): JourneyEvent => ({
  source: 'urn:nl:brp:borger-odoorn',
  id,
  type: 'nl.koers.brp.registered',
  occurredOn,
  data: { occurredOn },
  receivedAt: '2025-09-01T10:00:00Z',
  actor: { name: 'BRP', role: 'partner' },
});

describe('Journey state', () => {
  it('carries a bounded memory whatever the number of events (the same registration resent with fresh ids)', () => {
    const journey = new Journey(input, undefined, now);
    const sizes: number[] = [];
    for (let i = 0; i < 50_000; i++) {
      expect(journey.receiveEvent(registration(`nightly-${i}-${'x'.repeat(200)}`))).toBe('applied');
      if (i % 5000 === 0) sizes.push(JSON.stringify(journey.memory).length);
    }
    expect(journey.memory.events.length).toBeLessThanOrEqual(LIMITS.events);
    expect(Math.max(...sizes)).toBeLessThan(LIMITS.carriedBytes);
    expect(journey.memory.facts.brpRegisteredOn).toBe('2025-04-01');
  });

  it('dedupes within the window and survives continue-as-new with the window', () => {
    const journey = new Journey(input, undefined, now);
    expect(journey.receiveEvent(registration('a'))).toBe('applied');
    expect(journey.receiveEvent(registration('a', '2025-03-20'))).toBe('duplicate');
    const next = new Journey(input, JSON.parse(JSON.stringify(journey.memory)), now);
    expect(next.receiveEvent(registration('a'))).toBe('duplicate');
    expect(next.memory.facts.brpRegisteredOn).toBe('2025-04-01');
  });

  it('treats a resent extension as a duplicate, not as one that fails to extend', () => {
    const journey = new Journey(input, undefined, now);
    const extension: JourneyEvent = { ...registration('ext-1'), type: 'nl.koers.extension.granted', occurredOn: '2025-08-01', data: { occurredOn: '2025-08-01', newFinalDate: '2029-01-01' } };
    expect(journey.receiveEvent(extension)).toBe('applied');
    expect(journey.receiveEvent(extension)).toBe('duplicate');
    expect(journey.memory.events.filter((e) => e.outcome === 'rejected')).toEqual([]);
  });

  it('never throws on any message, and what it refuses changes no fact', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (a, b) => {
        const journey = new Journey(input, undefined, now);
        const before = JSON.stringify(journey.memory.facts);
        journey.receiveEvent(a as JourneyEvent);
        journey.amendPolicy(b as never);
        journey.move(b as never);
        journey.assignCaseworker(a as never);
        journey.assessLadder(a as never);
        journey.completeTask(b as never);
        journey.instrumentChanged(a as never);
        expect(JSON.stringify(journey.memory.facts)).toBe(before);
        expect(() => journey.view()).not.toThrow();
      }),
    );
  });

  it('routes a ladder assessment the same way by signal and by a completed task, keeping the caseworker within the same team', () => {
    const bySignal = new Journey(input, undefined, now);
    const byTask = new Journey(input, undefined, now);
    bySignal.assignCaseworker({ role: 'regisseur-werk', id: 'cw-1' });
    byTask.assignCaseworker({ role: 'regisseur-werk', id: 'cw-1' });
    bySignal.assessLadder({ rung: 5, assessedOn: '2025-08-01', assessedBy: 'cw-1' });
    byTask.completeTask({ taskKey: 'assess-ladder:1', completedBy: 'cw-1', completedOn: '2025-08-01', form: { rung: 5 } });
    expect(bySignal.memory.caseworker).toEqual({ role: 'regisseur-werk', id: 'cw-1' });
    expect(byTask.memory.caseworker).toEqual(bySignal.memory.caseworker);
    bySignal.assessLadder({ rung: 1, assessedOn: '2025-08-02', assessedBy: 'cw-1' });
    expect(bySignal.memory.caseworker).toEqual({ role: 'sociaal-werker-participatie' });
  });

  it('hands out distinct instrument ids, also to starts that have not reported yet', () => {
    const journey = new Journey(input, undefined, now);
    expect([journey.nextInstrumentId(), journey.nextInstrumentId()]).toEqual(['j-1-instrument-1', 'j-1-instrument-2']);
  });
});

describe('a journey that ends for a reason (the BRP: died, emigrated)', () => {
  const ending = { id: 'brp-end:deceased:2025-08-20', reason: 'deceased' as const, on: '2025-08-20', confirmedBy: 'cw-1', confirmedOn: '2025-09-01' };

  it('stops its clocks, wants no task and no wake-up, is finished, and shows why in its view and timeline', () => {
    const journey = new Journey(input, undefined, now);
    journey.receiveEvent(registration('brp-1'));
    const before = journey.derive();
    expect(before.tasks.length).toBeGreaterThan(0);
    expect(journey.isFinished(before)).toBe(false);
    journey.end(ending);
    const after = journey.derive();
    expect(after.tasks).toEqual([]);
    expect(after.wakeUp).toBeUndefined();
    expect(after.clocks.filter((c) => c.status === 'running' || c.status === 'overdue')).toEqual([]);
    expect(after.clocks.map((c) => c.name)).toEqual(before.clocks.map((c) => c.name));
    expect(journey.dueNotifications(after)).toEqual([]);
    expect(journey.isFinished(after)).toBe(true);
    expect(journey.view(after).ended).toEqual({ reason: 'deceased', on: '2025-08-20', confirmedOn: '2025-09-01', confirmedBy: 'cw-1' });
    expect(journey.memory.events.at(-1)).toMatchObject({ type: 'nl.koers.journey.ended', occurredOn: '2025-08-20', actor: { name: 'cw-1', role: 'caseworker' } });
  });

  it('changes nothing on a resent end or a second one, and refuses a malformed one', () => {
    const journey = new Journey(input, undefined, now);
    journey.end(ending);
    const memory = JSON.stringify(journey.memory);
    journey.end(ending);
    journey.end({ ...ending, id: 'other', reason: 'emigrated' });
    expect(JSON.stringify(journey.memory)).toBe(memory);
    const fresh = new Journey(input, undefined, now);
    fresh.end({ ...ending, reason: 'bored' as never });
    expect(fresh.memory.ended).toBeUndefined();
    expect(fresh.memory.rejectedMessages?.at(-1)).toMatchObject({ message: 'endJourney' });
  });

  it('stays ended across continue-as-new', () => {
    const journey = new Journey(input, undefined, now);
    journey.end(ending);
    const next = new Journey(input, JSON.parse(JSON.stringify(journey.memory)), now);
    expect(next.isFinished(next.derive())).toBe(true);
    expect(next.derive().tasks).toEqual([]);
  });
});
