import fc from 'fast-check';
import { compareDates, isLocalDate } from '../../../domain/dates';
import { checkEligibility, extendInstrument, instrumentPlan, reassessmentEffect, type Applicant } from '../../../domain/instruments';
import { INSTRUMENT_KINDS } from '../../../domain/vocabulary';
import { findPolicy } from '../../../domain/policies';
import type { InstrumentKind } from '../../../domain/types';
import { dateIn } from './arbitraries';

const bo = findPolicy('borger-odoorn')!;
const md = findPolicy('midden-drenthe')!;

const person = (more: Partial<Applicant> = {}): Applicant => ({
  age: 35,
  distance: 'short',
  hasStartkwalificatie: false,
  generalBijstand: true,
  ...more,
});

describe('checkEligibility (instruments table, seed §3.2.3)', () => {
  it.each<[InstrumentKind, Partial<Applicant>, string | null]>([
    // proefplaatsing: short distance, employer commits to ≥ 6 months
    ['proefplaatsing', { employerJobCommitmentMonths: 6 }, null],
    ['proefplaatsing', { employerJobCommitmentMonths: 5 }, 'proefplaatsing.employer-job-commitment'],
    ['proefplaatsing', {}, 'proefplaatsing.employer-job-commitment'],
    ['proefplaatsing', { distance: 'long', employerJobCommitmentMonths: 12 }, 'proefplaatsing.distance'],
    // werkstage: short distance
    ['werkstage', {}, null],
    ['werkstage', { distance: 'long' }, 'werkstage.distance'],
    // loonkostensubsidie: doelgroep; Borger-Odoorn also a doelgroepverklaring
    ['loonkostensubsidie', { inLoonkostensubsidieDoelgroep: true, doelgroepverklaring: true }, null],
    ['loonkostensubsidie', { inLoonkostensubsidieDoelgroep: true }, 'loonkostensubsidie.doelgroepverklaring'],
    ['loonkostensubsidie', { doelgroepverklaring: true }, 'loonkostensubsidie.loonkostensubsidie-doelgroep'],
    // plaatsingssubsidie: any one ground
    ['plaatsingssubsidie', { hasStartkwalificatie: true, unemploymentBenefitYears: 1 }, null],
    ['plaatsingssubsidie', { hasStartkwalificatie: true, unemploymentBenefitYears: 0.9 }, 'plaatsingssubsidie.plaatsing-ground'],
    ['plaatsingssubsidie', { hasStartkwalificatie: true, singleParentChildUnder12: true }, null],
    ['plaatsingssubsidie', { hasStartkwalificatie: true, age: 50 }, null],
    ['plaatsingssubsidie', { hasStartkwalificatie: true, age: 49 }, 'plaatsingssubsidie.plaatsing-ground'],
    ['plaatsingssubsidie', { hasStartkwalificatie: false }, null],
    ['plaatsingssubsidie', { hasStartkwalificatie: false, inLoonkostensubsidieDoelgroep: true }, 'plaatsingssubsidie.plaatsing-ground'],
    // leerwerkplek, vrijwilligerswerk: anyone
    ['leerwerkplek', { age: 18, distance: 'long', generalBijstand: false }, null],
    ['vrijwilligerswerk', { age: 18, distance: 'long', generalBijstand: false }, null],
    // scholing: 27 or older
    ['scholing', { age: 27 }, null],
    ['scholing', { age: 26 }, 'scholing.min-age'],
    // participatieplaats: 27+, general bijstand, long distance
    ['participatieplaats', { distance: 'long', age: 27 }, null],
    ['participatieplaats', { distance: 'long', age: 26 }, 'participatieplaats.min-age'],
    ['participatieplaats', { distance: 'long', generalBijstand: false }, 'participatieplaats.general-bijstand'],
    ['participatieplaats', { distance: 'short' }, 'participatieplaats.distance'],
    // sociale activering: long distance
    ['sociale-activering', { distance: 'long' }, null],
    ['sociale-activering', { distance: 'short' }, 'sociale-activering.distance'],
  ])('%s %j -> %s', (kind, more, rule) => {
    const verdict = checkEligibility(kind, person(more), bo);
    if (rule === null) expect(verdict).toEqual({ eligible: true });
    else {
      expect(verdict).toMatchObject({ eligible: false, rule });
      if (!verdict.eligible) expect(verdict.reason).toMatch(/Re-integratieverordening|Verordening loonkostensubsidie/);
    }
  });

  it('Midden-Drenthe does not require a doelgroepverklaring for loonkostensubsidie', () => {
    expect(checkEligibility('loonkostensubsidie', person({ inLoonkostensubsidieDoelgroep: true }), md)).toEqual({ eligible: true });
  });
});

describe('instrumentPlan', () => {
  it('werkstage: 3 months, one extension of 3, no reassessment required', () => {
    expect(instrumentPlan('werkstage', '2025-01-15', bo)).toEqual({
      kind: 'werkstage',
      startedOn: '2025-01-15',
      endsOn: '2025-04-14',
      termIsMaximum: true,
      maxExtensions: 1,
      extensionLength: { months: 3 },
      latestEndOn: '2025-07-14',
      reassessments: [],
      premiumDates: [],
      milestones: [],
    });
  });

  it('proefplaatsing: at most 6 months, no extension', () => {
    expect(instrumentPlan('proefplaatsing', '2025-01-01', bo)).toMatchObject({ endsOn: '2025-06-30', maxExtensions: 0, latestEndOn: '2025-06-30', reassessments: [] });
  });

  it('participatieplaats: 2 years + 1 + 1, reassessed before each expiry, scholing from 6 months, a premium every 6 months', () => {
    const plan = instrumentPlan('participatieplaats', '2025-01-01', bo, { hasStartkwalificatie: false });
    expect(plan).toMatchObject({
      endsOn: '2026-12-31',
      maxExtensions: 2,
      extensionLength: { years: 1 },
      latestEndOn: '2028-12-31',
      reassessBy: '2026-10-31',
      reassessments: [
        { termEndsOn: '2026-12-31', reassessBy: '2026-10-31' },
        { termEndsOn: '2027-12-31', reassessBy: '2027-10-31' },
      ],
      scholingOfferFrom: '2025-07-01',
    });
    expect(plan.premiumDates).toEqual(['2025-07-01', '2026-01-01', '2026-07-01', '2027-01-01', '2027-07-01', '2028-01-01', '2028-07-01', '2029-01-01']);
    expect(plan.milestones[0]).toEqual({ kind: 'offer-scholing', dueOn: '2025-07-01' });
    expect(plan.milestones).toHaveLength(9);
  });

  it('participatieplaats with a startkwalificatie: no scholing offer', () => {
    const plan = instrumentPlan('participatieplaats', '2025-01-01', bo, { hasStartkwalificatie: true });
    expect(plan.scholingOfferFrom).toBeUndefined();
    expect(plan.milestones.map((m) => m.kind)).not.toContain('offer-scholing');
  });

  it('renewable instruments: the first reassessment only, no latest end', () => {
    const plan = instrumentPlan('leerwerkplek', '2025-03-01', bo);
    expect(plan).toMatchObject({ endsOn: '2025-08-31', maxExtensions: null, reassessBy: '2025-08-17', reassessments: [] });
    expect(plan.latestEndOn).toBeUndefined();
  });

  it('property: every plan is well-formed for every instrument and start', () => {
    fc.assert(
      fc.property(fc.constantFrom(...INSTRUMENT_KINDS), dateIn(), fc.boolean(), fc.constantFrom(bo, md), (kind, start, sk, policy) => {
        const plan = instrumentPlan(kind, start, policy, { hasStartkwalificatie: sk });
        expect(compareDates(start, plan.endsOn)).toBeLessThan(0);
        if (plan.latestEndOn) expect(compareDates(plan.endsOn, plan.latestEndOn)).toBeLessThanOrEqual(0);
        if (plan.reassessBy) expect(compareDates(plan.reassessBy, plan.endsOn)).toBeLessThanOrEqual(0);
        for (const m of plan.milestones) expect(isLocalDate(m.dueOn) && compareDates(start, m.dueOn) < 0).toBe(true);
        expect([...plan.milestones].sort((a, b) => compareDates(a.dueOn, b.dueOn))).toEqual(plan.milestones);
      }),
    );
  });
});

describe('extendInstrument', () => {
  it('werkstage: once, by 3 months from the start in one count', () => {
    const first = { startedOn: '2025-11-30', endsOn: '2026-02-27', extensions: 0 };
    expect(extendInstrument('werkstage', first, '2026-02-20', bo)).toEqual({ ok: true, endsOn: '2026-05-29', extensions: 1 });
    expect(extendInstrument('werkstage', { ...first, endsOn: '2026-05-29', extensions: 1 }, '2026-05-01', bo)).toMatchObject({
      ok: false,
      rule: 'werkstage.max-extensions',
    });
  });

  it('participatieplaats: twice, each with the next reassessment date; a third is refused', () => {
    const start = { startedOn: '2025-01-01', endsOn: '2026-12-31', extensions: 0 };
    const one = extendInstrument('participatieplaats', start, '2026-10-15', bo);
    expect(one).toEqual({ ok: true, endsOn: '2027-12-31', reassessBy: '2027-10-31', extensions: 1 });
    const two = extendInstrument('participatieplaats', { ...start, endsOn: '2027-12-31', extensions: 1 }, '2027-10-20', bo);
    expect(two).toEqual({ ok: true, endsOn: '2028-12-31', extensions: 2 }); // no further reassessment: max 4 years
    expect(extendInstrument('participatieplaats', { ...start, endsOn: '2028-12-31', extensions: 2 }, '2028-10-01', bo)).toMatchObject({
      ok: false,
      rule: 'participatieplaats.max-extensions',
    });
  });

  it('refuses after expiry, before the start, and for instruments without extensions', () => {
    const start = { startedOn: '2025-01-01', endsOn: '2026-12-31', extensions: 0 };
    expect(extendInstrument('participatieplaats', start, '2027-01-01', bo)).toMatchObject({ ok: false, rule: 'participatieplaats.before-expiry' });
    expect(extendInstrument('participatieplaats', start, '2024-12-31', bo)).toMatchObject({ ok: false, rule: 'participatieplaats.reassessed-on' });
    expect(extendInstrument('proefplaatsing', { startedOn: '2025-01-01', endsOn: '2025-06-30', extensions: 0 }, '2025-06-01', bo)).toMatchObject({
      ok: false,
      rule: 'proefplaatsing.max-extensions',
      reason: expect.stringContaining('no extension'),
    });
  });
});

describe('reassessmentEffect (a completed reassess-instrument task)', () => {
  const policy = findPolicy('borger-odoorn')!;
  const pp = { startedOn: '2024-01-01', endsOn: '2025-12-31', extensions: 0 };

  it('extend: one more term within the limits', () => {
    expect(reassessmentEffect('participatieplaats', pp, 'extend', '2025-10-15', policy)).toEqual({ action: 'extend', endsOn: '2026-12-31', extensions: 1, reassessBy: '2026-10-31' });
  });

  it('extend: names the limit that forbids it', () => {
    expect(reassessmentEffect('participatieplaats', { ...pp, endsOn: '2027-12-31', extensions: 2 }, 'extend', '2027-10-01', policy)).toMatchObject({
      action: 'refused',
      rule: 'participatieplaats.max-extensions',
    });
    expect(reassessmentEffect('participatieplaats', pp, 'extend', '2026-01-05', policy)).toMatchObject({ action: 'refused', rule: 'participatieplaats.before-expiry' });
    expect(reassessmentEffect('proefplaatsing', { startedOn: '2024-01-01', endsOn: '2024-06-30', extensions: 0 }, 'extend', '2024-06-01', policy)).toMatchObject({
      action: 'refused',
      rule: 'proefplaatsing.max-extensions',
    });
  });

  it('stop and change end it on the day; continue changes nothing', () => {
    expect(reassessmentEffect('participatieplaats', pp, 'stop', '2025-03-01', policy)).toMatchObject({ action: 'end', endedOn: '2025-03-01' });
    expect(reassessmentEffect('participatieplaats', pp, 'change', '2025-03-01', policy)).toMatchObject({ action: 'end', endedOn: '2025-03-01' });
    expect(reassessmentEffect('participatieplaats', pp, 'continue', '2025-03-01', policy)).toEqual({ action: 'none' });
  });
});
