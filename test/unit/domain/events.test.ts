import fc from 'fast-check';
import { EVENT_TYPES, eventDataSchema, eventKey, isEventType, type EventType } from '../../../domain/events';

describe('event types (api-contract.md)', () => {
  it('lists the twelve contract types, the three of v1.1 and the two of v1.2', () => {
    expect(EVENT_TYPES).toHaveLength(17);
    expect(isEventType('nl.koers.bijstand.completion-requested')).toBe(true);
    expect(isEventType('nl.koers.bijstand.completed')).toBe(true);
    expect(isEventType('nl.koers.diploma.recognised')).toBe(true);
    expect(isEventType('nl.koers.bijstand.decided')).toBe(true);
    expect(isEventType('nl.koers.bijstand.ended')).toBe(true);
    expect(isEventType('nl.koers.exam.passed')).toBe(true);
    expect(isEventType('nl.koers.exam.failed')).toBe(false);
  });

  it.each(EVENT_TYPES.map((t) => [t]))('%s needs a real occurredOn', (type: EventType) => {
    const schema = eventDataSchema(type);
    const issues = (data: unknown) => {
      const r = schema.safeParse(data);
      return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
    };
    expect(issues({})).toContain('occurredOn');
    expect(issues({ occurredOn: '2025-02-30' })).toContain('occurredOn');
    expect(issues({ occurredOn: '2025-02-28T10:00:00Z' })).toContain('occurredOn');
  });

  it.each<[EventType, Record<string, unknown>, string[]]>([
    ['nl.koers.brp.registered', { occurredOn: '2025-03-01' }, []],
    ['nl.koers.pip.established', { occurredOn: '2025-03-01', leerroute: 'b1' }, []],
    ['nl.koers.pip.established', { occurredOn: '2025-03-01' }, []], // a Wi2013 plan of approach has no leerroute
    ['nl.koers.pip.established', { occurredOn: '2025-03-01', leerroute: 'a2' }, ['leerroute']],
    ['nl.koers.reintegration.started', { occurredOn: '2025-03-01', instrument: 'werkstage' }, []],
    ['nl.koers.reintegration.started', { occurredOn: '2025-03-01' }, ['instrument']],
    ['nl.koers.reintegration.started', { occurredOn: '2025-03-01', instrument: '' }, ['instrument']],
    ['nl.koers.exam.passed', { occurredOn: '2025-03-01', route: 'staatsexamen' }, []],
    ['nl.koers.exam.passed', { occurredOn: '2025-03-01', route: 'onderwijs' }, ['route']],
    ['nl.koers.exam.passed', { occurredOn: '2025-03-01' }, ['route']],
    ['nl.koers.extension.granted', { occurredOn: '2025-03-01', newFinalDate: '2029-02-28' }, []],
    ['nl.koers.extension.granted', { occurredOn: '2025-03-01' }, ['newFinalDate']],
    ['nl.koers.extension.granted', { occurredOn: '2025-03-01', newFinalDate: '2029-02-29' }, ['newFinalDate']],
  ])('%s %j -> issues at %j', (type, data, paths) => {
    const r = eventDataSchema(type).safeParse(data);
    expect(r.success ? [] : r.error.issues.map((i) => i.path.join('.'))).toEqual(paths);
  });

  it('drops unknown data fields (the contract grows only by adding)', () => {
    const r = eventDataSchema('nl.koers.exam.passed').parse({ occurredOn: '2025-03-01', route: 'b1', score: 7 });
    expect(r).toEqual({ occurredOn: '2025-03-01', route: 'b1' });
  });

  it('with today, refuses a milestone in the future but not a future newFinalDate', () => {
    const schema = eventDataSchema('nl.koers.extension.granted', { today: '2026-01-10' });
    expect(schema.safeParse({ occurredOn: '2026-01-10', newFinalDate: '2029-01-01' }).success).toBe(true);
    const r = schema.safeParse({ occurredOn: '2026-01-11', newFinalDate: '2029-01-01' });
    expect(r.success ? [] : r.error.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['occurredOn', 'must not be in the future']]);
  });

  it('eventKey dedupes by source and id only', () => {
    expect(eventKey({ source: 'urn:nl:duo', id: '1' })).toBe(eventKey({ source: 'urn:nl:duo', id: '1' }));
    expect(eventKey({ source: 'urn:nl:duo', id: '1' })).not.toBe(eventKey({ source: 'urn:nl:brp', id: '1' }));
    // The separator cannot be forged by shifting characters between source and id.
    expect(eventKey({ source: 'a:b', id: 'c' })).not.toBe(eventKey({ source: 'a', id: 'b:c' }));
    // Issue 8: the old key joined the two with a NUL, so these two events had one key.
    expect(eventKey({ source: 'urn:x\u0000y', id: '1' })).not.toBe(eventKey({ source: 'urn:x', id: 'y\u00001' }));
    // Lone surrogates stay distinct in the key (a database would fold both into U+FFFD).
    expect(eventKey({ source: 's', id: 'x\ud800' })).not.toBe(eventKey({ source: 's', id: 'x\udbff' }));
  });

  it('eventKey is injective: two pairs share a key only when they are the same pair', () => {
    const text = fc.string({ unit: 'binary', maxLength: 12 });
    const oneOf = fc.constantFrom('', '\u0000', '"', '\\', ',', '[', ']', ':', 'a');
    const part = fc.oneof(text, fc.array(oneOf, { maxLength: 6 }).map((xs) => xs.join('')));
    fc.assert(
      fc.property(part, part, part, part, (s1, i1, s2, i2) => {
        const same = s1 === s2 && i1 === i2;
        expect(eventKey({ source: s1, id: i1 }) === eventKey({ source: s2, id: i2 })).toBe(same);
      }),
      { numRuns: 2000 },
    );
  });
});
