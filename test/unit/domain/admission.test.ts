import fc from 'fast-check';
import { admitEvent, admitStart, admissionNeedsJourney, isWellFormedText } from '../../../domain/admission';
import { computeClocks } from '../../../domain/clocks';
import type { JourneyEvent } from '../../../domain/events';
import { initialFacts } from '../../../domain/facts';
import { findPolicy } from '../../../domain/policies';

const policy = findPolicy('borger-odoorn')!;
const facts = initialFacts({ regime: 'wi2013', permitGrantedOn: '2025-03-14' });
const clocks = computeClocks(facts, policy, '2025-06-01');
const event = (type: string, occurredOn: string, data: Record<string, unknown> = {}, extra: Partial<JourneyEvent> = {}): JourneyEvent =>
  ({ source: 'urn:nl:duo', id: 'duo-1', type, occurredOn, data: { occurredOn, ...data }, receivedAt: '2025-06-01T10:00:00Z', ...extra }) as JourneyEvent;

describe('admission (contract v1.1: dates the service accepts)', () => {
  it.each([
    [{ permitGrantedOn: '0129-05-25', birthDate: '0046-01-06' }, 'permitGrantedOn'],
    [{ permitGrantedOn: '2020-06-01', birthDate: '0046-01-06' }, 'birthDate'],
    [{ permitGrantedOn: '2020-06-01', birthDate: '2021-01-01' }, 'birthDate'],
    [{ permitGrantedOn: '2200-01-01' }, 'permitGrantedOn'],
    [{ permitGrantedOn: '2025-02-30' }, 'permitGrantedOn'],
  ])('refuses the start %j at %s', (input, field) => {
    expect(admitStart(input)).toMatchObject({ ok: false, field });
  });

  it('admits a start on the edges of the range, a birth date on the permit date', () => {
    expect(admitStart({ permitGrantedOn: '2199-12-31', birthDate: '1900-01-01' })).toEqual({ ok: true });
    expect(admitStart({ permitGrantedOn: '2020-06-01', birthDate: '2020-06-01' })).toEqual({ ok: true });
  });

  it.each([
    ['9999-12-31'],
    ['0001-01-01'],
    ['2028-03-14'], // the current final date itself
    ['2026-01-01'], // earlier: an "extension" that shortens the term
  ])('refuses a partner extension to %s', (newFinalDate) => {
    expect(admitEvent(event('nl.koers.extension.granted', '2025-05-01', { newFinalDate }), facts, clocks)).toMatchObject({ ok: false, field: 'data.newFinalDate' });
  });

  it('admits a later final date, and an admin correction to any date in range', () => {
    expect(admitEvent(event('nl.koers.extension.granted', '2025-05-01', { newFinalDate: '2028-03-15' }), facts, clocks)).toEqual({ ok: true });
    expect(admitEvent(event('nl.koers.extension.granted', '2025-05-01', { newFinalDate: '2026-01-01' }, { correction: true }), facts, clocks)).toEqual({ ok: true });
    expect(admitEvent(event('nl.koers.extension.granted', '2025-05-01', { newFinalDate: '2200-01-01' }, { correction: true }), facts, clocks)).toMatchObject({ ok: false });
  });

  it('refuses a PIP or plan before the permit, admits one on the permit date', () => {
    expect(admitEvent(event('nl.koers.pip.established', '2025-03-13'), facts, clocks)).toMatchObject({ ok: false, field: 'data.occurredOn' });
    expect(admitEvent(event('nl.koers.pip.established', '2025-03-14'), facts, clocks)).toEqual({ ok: true });
  });

  it('refuses keys with control characters or lone surrogates, and overlong keys', () => {
    expect(admitEvent(event('nl.koers.brp.registered', '2025-04-01', {}, { id: 'x\ud800' }), facts, clocks)).toMatchObject({ ok: false, field: 'id' });
    expect(admitEvent(event('nl.koers.brp.registered', '2025-04-01', {}, { source: 'urn:x\u0000y' }), facts, clocks)).toMatchObject({ ok: false, field: 'source' });
    expect(admitEvent(event('nl.koers.brp.registered', '2025-04-01', {}, { id: 'x'.repeat(257) }), facts, clocks)).toMatchObject({ ok: false, field: 'id' });
    expect(isWellFormedText('caf\u00e9 \ud83d\ude00')).toBe(true);
  });

  it('never throws, whatever a signal carries', () => {
    fc.assert(
      fc.property(fc.anything(), (anything) => {
        const verdict = admitEvent(anything as JourneyEvent, facts, clocks);
        expect(typeof verdict.ok).toBe('boolean');
      }),
    );
  });

  it('says which events need the journey to be checked', () => {
    expect(admissionNeedsJourney({ type: 'nl.koers.extension.granted' })).toBe(true);
    expect(admissionNeedsJourney({ type: 'nl.koers.extension.granted', correction: true })).toBe(false);
    expect(admissionNeedsJourney({ type: 'nl.koers.pip.established' })).toBe(true);
    expect(admissionNeedsJourney({ type: 'nl.koers.brp.registered' })).toBe(false);
  });
});
