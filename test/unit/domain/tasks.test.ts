import { computeClocks } from '../../../domain/clocks';
import { initialFacts, type JourneyFacts } from '../../../domain/facts';
import { findPolicy } from '../../../domain/policies';
import { desiredTasks } from '../../../domain/tasks';
import type { DesiredTask } from '../../../domain/types';

const bo = findPolicy('borger-odoorn')!;
const md = findPolicy('midden-drenthe')!;
const w13 = (more: Partial<JourneyFacts> = {}): JourneyFacts => ({ ...initialFacts({ regime: 'wi2013', permitGrantedOn: '2021-06-15' }), ...more });
const w21 = (more: Partial<JourneyFacts> = {}): JourneyFacts => ({ ...initialFacts({ regime: 'wi2021', permitGrantedOn: '2024-04-15' }), ...more });
const tasksOn = (f: JourneyFacts, today: string, policy = bo, role: DesiredTask['candidateGroup'] = 'regisseur-werk') =>
  desiredTasks(f, computeClocks(f, policy, today), policy, role, today);
const keys = (tasks: DesiredTask[]) => tasks.map((t) => t.key);

describe('desiredTasks, Wi2013', () => {
  it('check family reunification during the first 3 months (seed §3.3)', () => {
    expect(tasksOn(w13(), '2021-06-20')).toEqual([
      {
        key: 'check-family-reunification',
        kind: 'check-family-reunification',
        candidateGroup: 'regisseur-werk',
        clock: 'family-reunification',
        followUpDate: '2021-09-15',
        dueDate: '2021-09-15',
      },
    ]);
    expect(tasksOn(w13(), '2021-09-16')).toEqual([]);
  });

  it('hold the intake while it is not held, overdue included; then the plan and the re-integration', () => {
    const applied = w13({ bijstandAppliedOn: '2021-08-02', brpRegisteredOn: '2021-08-01' });
    expect(tasksOn(applied, '2021-10-01')).toEqual([
      { key: 'hold-intake', kind: 'hold-intake', candidateGroup: 'regisseur-werk', clock: 'intake', followUpDate: '2021-08-13', dueDate: '2021-08-16' },
      {
        key: 'offer-participatieverklaring',
        kind: 'offer-participatieverklaring',
        candidateGroup: 'regisseur-werk',
        clock: 'participatieverklaring',
        followUpDate: '2022-05-01',
        dueDate: '2022-08-01',
      },
    ]);
    const held = { ...applied, intakeHeldOn: '2021-08-10' };
    expect(tasksOn(held, '2021-10-01')).toEqual([
      expect.objectContaining({ key: 'draw-up-plan', clock: 'reintegration-start', followUpDate: '2021-10-27', dueDate: '2021-11-10' }),
      expect.objectContaining({ key: 'start-reintegration', clock: 'reintegration-start', followUpDate: '2021-10-27', dueDate: '2021-11-10' }),
      expect.objectContaining({ key: 'offer-participatieverklaring' }),
    ]);
    const planned = { ...held, pipEstablishedOn: '2021-09-01', reintegrationStartedOn: '2021-09-15', reintegrationInstrument: 'werkstage', participatieverklaringSignedOn: '2021-12-01' };
    expect(tasksOn(planned, '2021-12-02')).toEqual([]);
  });

  it('a missed term is a review for the team lead, keyed by the final date: no automatic fine (RvS 2025)', () => {
    const f = w13({ permitGrantedOn: '2018-01-10', brpRegisteredOn: '2018-03-01', participatieverklaringSignedOn: '2018-10-01' });
    expect(tasksOn(f, '2021-01-11')).toEqual([
      {
        key: 'review-missed-term:inburgering:2021-01-10',
        kind: 'review-missed-term',
        candidateGroup: 'team-lead',
        clock: 'inburgering',
        followUpDate: '2021-01-11',
        dueDate: '2021-02-08',
      },
    ]);
    expect(tasksOn(f, '2021-01-10')).toEqual([]);
    // A granted extension sets a new term; missed again, it gets a new review.
    const extended = { ...f, extensionFinalDate: '2022-01-10', extensions: [{ grantedOn: '2021-01-20', newFinalDate: '2022-01-10' }] };
    expect(keys(tasksOn(extended, '2021-06-01'))).toEqual([]);
    expect(keys(tasksOn(extended, '2022-01-11'))).toEqual(['review-missed-term:inburgering:2022-01-10']);
  });

  it('a missed Wi2013 PVT year is reviewed too, and the offer stays open', () => {
    const f = w13({ brpRegisteredOn: '2021-08-01' });
    expect(keys(tasksOn(f, '2022-08-02'))).toEqual(['offer-participatieverklaring', 'review-missed-term:participatieverklaring:2022-08-01']);
  });

  it('exemption closes the inburgering tasks but not the intake', () => {
    const f = w13({ bijstandAppliedOn: '2021-08-02', brpRegisteredOn: '2021-08-01', exemptedOn: '2021-08-05' });
    expect(keys(tasksOn(f, '2021-10-01'))).toEqual(['hold-intake']);
    expect(keys(tasksOn({ ...f, permitGrantedOn: '2018-01-10' }, '2021-10-01'))).toEqual(['hold-intake']);
  });
});

describe('desiredTasks, Wi2021', () => {
  it('draw up the PIP once notified and registered', () => {
    const f = w21({ duoNotifiedOn: '2024-07-01', brpRegisteredOn: '2024-07-03' });
    expect(tasksOn(f, '2024-10-01', md, 'statushouder-specialist')).toEqual([
      { key: 'draw-up-pip', kind: 'draw-up-pip', candidateGroup: 'statushouder-specialist', clock: 'pip', followUpDate: '2024-08-28', dueDate: '2024-09-11' },
    ]);
  });

  it('no hold-intake or draw-up-plan under Wi2021 (the brede intake is part of the PIP)', () => {
    const f = w21({ bijstandAppliedOn: '2024-07-01', intakeHeldOn: '2024-07-05' });
    expect(keys(tasksOn(f, '2024-09-01'))).toEqual(['start-reintegration']);
  });

  it('PVT and MAP are offered from the day the term starts (the day after the PIP)', () => {
    const f = w21({ duoNotifiedOn: '2024-07-01', brpRegisteredOn: '2024-07-03', pipEstablishedOn: '2024-08-01', leerroute: 'b1', leerrouteChosenOn: '2024-08-01' });
    expect(keys(tasksOn(f, '2024-08-01'))).toEqual([]);
    expect(tasksOn(f, '2024-08-02')).toEqual([
      expect.objectContaining({ key: 'offer-participatieverklaring', followUpDate: '2027-05-01', dueDate: '2027-08-01' }),
      expect.objectContaining({ key: 'offer-map', followUpDate: '2027-02-01', dueDate: '2027-08-01' }),
    ]);
    expect(keys(tasksOn({ ...f, leerroute: 'onderwijs' }, '2024-08-02'))).toEqual(['offer-participatieverklaring']);
  });

  it('only one review when the shared term is missed', () => {
    const f = w21({ pipEstablishedOn: '2024-08-01', leerroute: 'b1', leerrouteChosenOn: '2024-08-01' });
    expect(keys(tasksOn(f, '2027-08-02'))).toEqual(['offer-participatieverklaring', 'offer-map', 'review-missed-term:inburgering:2027-08-01']);
  });
});

describe('desiredTasks, v1.1 roads in', () => {
  const none = { ladder: [], instruments: [] };

  it('assess the ladder rung at the intake and after each instrument ends (seed §3.2.3), until assessed', () => {
    const f = w13({ bijstandAppliedOn: '2021-08-02', intakeHeldOn: '2021-08-10' });
    const ladder = (t: DesiredTask[]) => t.filter((x) => x.kind === 'assess-ladder');
    const on = (trajectory: Parameters<typeof desiredTasks>[5]) => ladder(desiredTasks(f, computeClocks(f, bo, '2021-09-01'), bo, 'regisseur-werk', '2021-09-01', trajectory));
    expect(on(none)).toEqual([
      { key: 'assess-ladder:intake', kind: 'assess-ladder', candidateGroup: 'regisseur-werk', followUpDate: '2021-08-10', dueDate: '2021-09-07' },
    ]);
    expect(on({ ladder: [{ assessedOn: '2021-08-10' }], instruments: [] })).toEqual([]);
    const ended = { instrumentId: 'j-1-instrument-1', status: 'ended' as const, endedOn: '2021-08-20' };
    expect(on({ ladder: [{ assessedOn: '2021-08-12' }], instruments: [ended, { instrumentId: 'j-1-instrument-2', status: 'active' }] })).toEqual([
      { key: 'assess-ladder:j-1-instrument-1', kind: 'assess-ladder', candidateGroup: 'regisseur-werk', followUpDate: '2021-08-20', dueDate: '2021-09-17' },
    ]);
    // without the trajectory, or on the earlier rules: none
    expect(ladder(tasksOn(f, '2021-09-01'))).toEqual([]);
    const old = { ...f, rules: 'v1.0' as const };
    expect(ladder(desiredTasks(old, computeClocks(old, bo, '2021-09-01'), bo, 'regisseur-werk', '2021-09-01', none))).toEqual([]);
  });

  it.each([
    ['b1-not-feasible', 'leerbaarheidstoets (2024-05-20): B1 not feasible, consider the Z-route'],
    ['b1-feasible', 'leerbaarheidstoets (2024-05-20): B1 feasible, consider the B1-route (or the onderwijsroute for a young person)'],
  ] as const)('the leerbaarheidstoets outcome %s is advice on the PIP task', (outcome, advice) => {
    const f = w21({ duoNotifiedOn: '2024-05-01', brpRegisteredOn: '2024-05-10', intakeHeldOn: '2024-05-20', leerbaarheidstoets: outcome, leerbaarheidstoetsOn: '2024-05-20' });
    expect(tasksOn(f, '2024-05-21').find((t) => t.kind === 'draw-up-pip')?.advice).toBe(advice);
    expect(tasksOn({ ...f, rules: 'v1.0' }, '2024-05-21').find((t) => t.kind === 'draw-up-pip')?.advice).toBeUndefined();
  });

  it('no PIP task for a person the law does not oblige, none before a minor is obliged', () => {
    const old = w21({ birthDate: '1950-01-01', duoNotifiedOn: '2024-05-01', brpRegisteredOn: '2024-05-10' });
    expect(tasksOn(old, '2024-05-21').map((t) => t.kind)).not.toContain('draw-up-pip');
    const minor = w21({ birthDate: '2011-01-01', duoNotifiedOn: '2024-05-01', brpRegisteredOn: '2024-05-10' });
    expect(tasksOn(minor, '2024-05-21').map((t) => t.kind)).not.toContain('draw-up-pip');
    expect(tasksOn(minor, '2029-01-01').map((t) => t.kind)).toContain('draw-up-pip');
  });
});
