import { amendPolicy, PolicySchema, type Policy } from '../../../domain/policy';
import { findPolicy, latestPolicies, policyCatalog } from '../../../domain/policies';
import borgerOdoornRaw from '../../../domain/policies/borger-odoorn.v1.json';

const bo = (): Policy => findPolicy('borger-odoorn')!;
const md = (): Policy => findPolicy('midden-drenthe')!;

describe('policy catalog', () => {
  it('holds every version, each valid', () => {
    expect(policyCatalog.map((p) => `${p.id}@${p.version}`)).toEqual(['borger-odoorn@1', 'midden-drenthe@1']);
    for (const p of policyCatalog) expect(PolicySchema.safeParse(p).success).toBe(true);
  });

  it('finds the latest version or a given one', () => {
    expect(findPolicy('borger-odoorn')?.version).toBe(1);
    expect(findPolicy('borger-odoorn', 1)?.id).toBe('borger-odoorn');
    expect(findPolicy('borger-odoorn', 2)).toBeUndefined();
    expect(findPolicy('amsterdam')).toBeUndefined();
    expect(latestPolicies().map((p) => p.id)).toEqual(['borger-odoorn', 'midden-drenthe']);
  });

  it('Borger-Odoorn: intake 14 days after the bijstand application (seed §4.1), no specialist, no parallel norm', () => {
    const p = bo();
    expect(p.periods.intake).toEqual({ days: 14 });
    expect(p.periods.reintegrationStart).toEqual({ months: 3 });
    expect(p.periods.maatschappelijkeBegeleiding).toEqual({ months: 18 });
    expect(p.defaultCaseworkerRole).toBe('regisseur-werk');
    expect(p.statushouderSpecialist).toBe(false);
    expect(p.participationDaysPerWeek).toBeNull();
    expect(p.interpreterAtIntake).toBe(false);
    expect(p.reminderLeadDays).toEqual([14, 3]);
    expect(p.escalation.role).toBe('team-lead');
    expect(p.fines.automatic).toBe(false);
  });

  it('Midden-Drenthe: broad intake within 6 weeks with an interpreter, 2 participation days, a specialist (Bijlage 7)', () => {
    const p = md();
    expect(p.periods.intake).toEqual({ weeks: 6 });
    expect(p.targetLeads.intake).toEqual({ weeks: 2 });
    expect(p.interpreterAtIntake).toBe(true);
    expect(p.participationDaysPerWeek).toBe(2);
    expect(p.statushouderSpecialist).toBe(true);
    expect(p.defaultCaseworkerRole).toBe('statushouder-specialist');
  });

  it('instrument limits from the Re-integratieverordening (seed §3.2.3)', () => {
    const i = bo().instruments;
    expect(i.werkstage).toMatchObject({ distance: 'short', term: { months: 3 }, extensions: { max: 1, length: { months: 3 } } });
    expect(i.proefplaatsing).toMatchObject({ distance: 'short', term: { months: 6 }, minEmployerJobCommitmentMonths: 6 });
    expect(i.proefplaatsing.extensions).toBeUndefined();
    expect(i.participatieplaats).toMatchObject({
      distance: 'long',
      minAge: 27,
      requiresGeneralBijstand: true,
      term: { years: 2 },
      extensions: { max: 2, length: { years: 1 }, requiresReassessment: true },
      scholingOfferAfter: { months: 6 },
      premium: { amountEur: 100, every: { months: 6 } },
    });
    expect(i.scholing.minAge).toBe(27);
    expect(i.loonkostensubsidie.requiresDoelgroepverklaring).toBe(true);
    expect(md().instruments.loonkostensubsidie.requiresDoelgroepverklaring).toBe(false);
  });
});

describe('PolicySchema refuses', () => {
  const raw = (): Record<string, unknown> => JSON.parse(JSON.stringify(borgerOdoornRaw)) as Record<string, unknown>;
  const issuePaths = (input: unknown): string[] => {
    const r = PolicySchema.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
  };

  it('automatic fines (barred since the 2025 rulings)', () => {
    expect(issuePaths({ ...raw(), fines: { automatic: true } })).toEqual(['fines.automatic']);
  });

  it('a specialist without the specialist default, and the reverse', () => {
    expect(issuePaths({ ...raw(), statushouderSpecialist: true })).toEqual(['defaultCaseworkerRole']);
    expect(issuePaths({ ...raw(), defaultCaseworkerRole: 'statushouder-specialist' })).toEqual(['statushouderSpecialist']);
  });

  it('the team lead as default owner, duplicate reminder leads, bad dates, fractional periods, unknown fields', () => {
    expect(issuePaths({ ...raw(), defaultCaseworkerRole: 'team-lead' })).toEqual(['defaultCaseworkerRole']);
    expect(issuePaths({ ...raw(), reminderLeadDays: [3, 3] })).toEqual(['reminderLeadDays']);
    expect(issuePaths({ ...raw(), effectiveFrom: '2018-02-30' })).toEqual(['effectiveFrom']);
    expect(issuePaths({ ...raw(), periods: { intake: { days: 1.5 }, reintegrationStart: {}, maatschappelijkeBegeleiding: {} } })).toEqual([
      'periods.intake.days',
    ]);
    expect(issuePaths({ ...raw(), surprise: 1 })).toEqual(['']);
    expect(issuePaths({ ...raw(), id: 'Borger Odoorn' })).toEqual(['id']);
  });

  it('a target lead for a window (windows have target = final)', () => {
    const r = raw();
    expect(issuePaths({ ...r, targetLeads: { ...(r.targetLeads as object), ontzorgen: { days: 1 } } })).toEqual(['targetLeads']);
  });
});

describe('amendPolicy', () => {
  it('merges nested parameters, bumps the version and validates', () => {
    const next = amendPolicy(bo(), { periods: { intake: { days: 10 } }, reminderLeadDays: [7] }, '2026-01-01');
    expect(next.version).toBe(2);
    expect(next.effectiveFrom).toBe('2026-01-01');
    expect(next.periods.intake).toEqual({ days: 10 });
    expect(next.periods.reintegrationStart).toEqual({ months: 3 });
    expect(next.reminderLeadDays).toEqual([7]);
    expect(bo().periods.intake).toEqual({ days: 14 }); // the catalog's version is untouched
  });

  it('refuses an invalid result', () => {
    expect(() => amendPolicy(bo(), { statushouderSpecialist: true }, '2026-01-01')).toThrow();
  });
});
