import { computeClocks } from '../../../domain/clocks';
import { validateExtensionRequest, type ExtensionRequestInput } from '../../../domain/extensions';
import { initialFacts, type JourneyFacts } from '../../../domain/facts';
import { findPolicy } from '../../../domain/policies';

const bo = findPolicy('borger-odoorn')!;
const today = '2026-06-01';
const w13 = (more: Partial<JourneyFacts> = {}): JourneyFacts => ({ ...initialFacts({ regime: 'wi2013', permitGrantedOn: '2021-09-01' }), ...more });
// Wi2021 term: PIP 2023-06-01 -> term from 2023-06-02 to 2026-06-01; an illness request is allowed from 2025-12-02.
const w21 = (more: Partial<JourneyFacts> = {}): JourneyFacts => ({
  ...initialFacts({ regime: 'wi2021', permitGrantedOn: '2023-02-01' }),
  pipEstablishedOn: '2023-06-01',
  leerroute: 'b1',
  leerrouteChosenOn: '2023-06-01',
  ...more,
});
const verdict = (r: ExtensionRequestInput, f: JourneyFacts, on = today) => validateExtensionRequest(r, f, computeClocks(f, bo, on), on);
const field = (r: ExtensionRequestInput, f: JourneyFacts, on = today) => {
  const v = verdict(r, f, on);
  return v.ok ? 'ok' : v.field;
};

describe('validateExtensionRequest, Wi2013 grounds (seed §3.1.4)', () => {
  it.each<[string, ExtensionRequestInput, string]>([
    ['illness', { ground: 'illness', requestedOn: '2026-05-01', circumstanceFrom: '2026-01-01' }, 'ok'],
    ['illness without its start', { ground: 'illness', requestedOn: '2026-05-01' }, 'circumstanceFrom'],
    ['pregnancy', { ground: 'pregnancy', requestedOn: '2026-05-01', circumstanceFrom: '2026-02-01', circumstanceUntil: '2026-09-01' }, 'ok'],
    ['≥300 h lessons, each part tried twice', { ground: 'lessons', requestedOn: '2026-05-01', lessonHours: 300, attemptsPerMissingPart: 2 }, 'ok'],
    ['299 h lessons', { ground: 'lessons', requestedOn: '2026-05-01', lessonHours: 299, attemptsPerMissingPart: 3 }, 'lessonHours'],
    ['a part tried once', { ground: 'lessons', requestedOn: '2026-05-01', lessonHours: 400, attemptsPerMissingPart: 1 }, 'attemptsPerMissingPart'],
    ['a Wi2021 ground', { ground: 'birth', requestedOn: '2026-05-01', circumstanceFrom: '2026-04-01' }, 'ground'],
    ['an unknown ground', { ground: 'toString', requestedOn: '2026-05-01' }, 'ground'],
  ])('%s -> %s', (_what, request, expected) => {
    expect(field(request, w13())).toBe(expected);
  });
});

describe('validateExtensionRequest, Wi2021 grounds (inburgeren.nl; Stcrt 2022-33825)', () => {
  it.each<[string, ExtensionRequestInput, string]>([
    ['illness > 3 months, after 2.5 years', { ground: 'illness', requestedOn: '2025-12-02', circumstanceFrom: '2025-06-01', circumstanceUntil: '2025-09-02' }, 'ok'],
    ['illness requested before 2.5 years of the term', { ground: 'illness', requestedOn: '2025-12-01', circumstanceFrom: '2025-06-01', circumstanceUntil: '2025-10-01' }, 'requestedOn'],
    ['illness of exactly 3 months', { ground: 'illness', requestedOn: '2026-01-01', circumstanceFrom: '2025-06-01', circumstanceUntil: '2025-09-01' }, 'circumstanceUntil'],
    ['illness without an end', { ground: 'illness', requestedOn: '2026-01-01', circumstanceFrom: '2025-06-01' }, 'circumstanceUntil'],
    ['birth of a child', { ground: 'birth', requestedOn: '2024-05-01', circumstanceFrom: '2024-04-20' }, 'ok'],
    ['birth without a date', { ground: 'birth', requestedOn: '2024-05-01' }, 'circumstanceFrom'],
    ['special circumstances of 3 months', { ground: 'special-circumstances', requestedOn: '2025-01-01', circumstanceFrom: '2024-06-01', circumstanceUntil: '2024-09-01' }, 'ok'],
    ['special circumstances shorter', { ground: 'special-circumstances', requestedOn: '2025-01-01', circumstanceFrom: '2024-06-01', circumstanceUntil: '2024-08-31' }, 'circumstanceUntil'],
    ['a non-exempting course', { ground: 'course', requestedOn: '2025-01-01', circumstanceFrom: '2024-09-01' }, 'ok'],
    ['a Wi2013 ground', { ground: 'lessons', requestedOn: '2025-01-01', lessonHours: 600, attemptsPerMissingPart: 3 }, 'ground'],
  ])('%s -> %s', (_what, request, expected) => {
    expect(field(request, w21())).toBe(expected);
  });
});

describe('validateExtensionRequest, dates and state', () => {
  const ok: ExtensionRequestInput = { ground: 'course', requestedOn: '2025-01-01', circumstanceFrom: '2024-09-01' };

  it.each<[string, ExtensionRequestInput, string]>([
    ['a request dated in the future', { ...ok, requestedOn: '2026-06-02' }, 'requestedOn'],
    ['a circumstance starting in the future', { ...ok, circumstanceFrom: '2026-06-02' }, 'circumstanceFrom'],
    ['an expected end in the future is fine', { ...ok, circumstanceUntil: '2026-12-01' }, 'ok'],
    ['an end before the start', { ...ok, circumstanceUntil: '2024-08-31' }, 'circumstanceUntil'],
    ['not a calendar date', { ...ok, requestedOn: '2025-02-30' }, 'requestedOn'],
    ['not a calendar date (circumstance)', { ...ok, circumstanceFrom: '2024-13-01' }, 'circumstanceFrom'],
    ['a request before the term started', { ...ok, requestedOn: '2023-06-01', circumstanceFrom: '2023-05-01' }, 'requestedOn'],
  ])('%s -> %s', (_what, request, expected) => {
    expect(field(request, w21())).toBe(expected);
  });

  it('refuses before the PIP, after exemption and once the plicht is met', () => {
    const noPip = { ...initialFacts({ regime: 'wi2021', permitGrantedOn: '2023-02-01' }) };
    expect(verdict(ok, noPip)).toEqual({ ok: false, field: 'journey', reason: expect.stringContaining('has not started') });
    expect(verdict(ok, { ...noPip, exemptedOn: '2023-05-01' })).toEqual({ ok: false, field: 'journey', reason: expect.stringContaining('exempted') });
    expect(verdict(ok, w21({ exemptedOn: '2024-05-01' }))).toMatchObject({ ok: false, field: 'journey' });
    const met = w21({ examPassedOn: '2025-03-01', examRoute: 'b1', participatieverklaringSignedOn: '2024-01-01', mapCompletedOn: '2024-06-01' });
    expect(verdict(ok, met)).toEqual({ ok: false, field: 'journey', reason: 'the inburgeringsplicht was met on 2025-03-01' });
  });

  it('an overdue term can still be the subject of a request (DUO decides)', () => {
    expect(verdict({ ...ok, requestedOn: '2026-06-05' }, w21(), '2026-06-10')).toEqual({ ok: true });
  });

  it('never twice for the same period', () => {
    const granted = w21({
      extensions: [{ grantedOn: '2025-01-15', newFinalDate: '2026-12-01', circumstanceFrom: '2024-09-01', circumstanceUntil: '2024-12-31' }],
      extensionFinalDate: '2026-12-01',
    });
    expect(verdict({ ground: 'course', requestedOn: '2026-01-10', circumstanceFrom: '2024-12-01', circumstanceUntil: '2025-04-01' }, granted)).toEqual({
      ok: false,
      field: 'circumstanceFrom',
      reason: expect.stringContaining('never twice for the same period'),
    });
    expect(verdict({ ground: 'course', requestedOn: '2026-01-10', circumstanceFrom: '2025-01-01', circumstanceUntil: '2025-04-01' }, granted)).toEqual({ ok: true });
  });
});
