import { erasureDueOn, LEGAL_RETENTION, retentionFor } from '../../../domain/policy';

/** Retention by law (issue 22): the binding period per track is the minimum; a policy may lengthen it. */
describe('retention per track (Wet inburgering 2021 / VNG handreiking; Selectielijst gemeenten 2020)', () => {
  it('Wi2021 inburgering only: 5 years after the end', () => {
    expect(retentionFor(undefined, { regime: 'wi2021', bijstand: false })).toBe(LEGAL_RETENTION['inburgering-wi2021']);
    expect(erasureDueOn('2026-03-01', undefined, { regime: 'wi2021', bijstand: false })).toBe('2031-03-01');
  });

  it('Wi2013 inburgering (Selectielijst proces 8.1) and any bijstand track: 10 years', () => {
    expect(erasureDueOn('2026-03-01', undefined, { regime: 'wi2013', bijstand: false })).toBe('2036-03-01');
    expect(erasureDueOn('2026-03-01', undefined, { regime: 'wi2021', bijstand: true })).toBe('2036-03-01');
    // Unknown bijstand: the binding longer period is assumed.
    expect(retentionFor(undefined, { regime: 'wi2021' }).basis).toContain('Selectielijst');
  });

  it('a policy may lengthen the legal period, never shorten it', () => {
    const short = { retention: { afterEnd: { years: 2 }, basis: 'municipal' } };
    const long = { retention: { afterEnd: { years: 12 }, basis: 'municipal archive' } };
    expect(erasureDueOn('2026-03-01', short, { regime: 'wi2021', bijstand: false })).toBe('2031-03-01');
    expect(erasureDueOn('2026-03-01', long, { regime: 'wi2021', bijstand: true })).toBe('2038-03-01');
    expect(retentionFor(long, { regime: 'wi2021', bijstand: true }).basis).toBe('municipal archive');
  });
});
