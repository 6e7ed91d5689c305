import fc from 'fast-check';
import { applyEvent, applyEvents, factsOfType, initialFacts, regimeForPermit } from '../../../domain/facts';
import { ev, eventsAndPermutation, partnerEvent } from './arbitraries';

const start = () => initialFacts({ regime: 'wi2021', permitGrantedOn: '2024-02-29', birthDate: '1990-05-01' });

describe('regimeForPermit (art. 54 Wi2021)', () => {
  it.each([
    ['2021-12-31', 'wi2013'],
    ['2022-01-01', 'wi2021'],
    ['2017-06-01', 'wi2013'],
    ['2025-03-14', 'wi2021'],
  ])('%s -> %s', (permit, regime) => {
    expect(regimeForPermit(permit)).toBe(regime);
  });

  it('initialFacts takes the regime from the permit unless given', () => {
    expect(initialFacts({ permitGrantedOn: '2021-06-01' }).regime).toBe('wi2013');
    expect(initialFacts({ permitGrantedOn: '2021-06-01', regime: 'wi2021' }).regime).toBe('wi2021');
    expect(initialFacts({ permitGrantedOn: '2021-06-01' })).toEqual({ regime: 'wi2013', permitGrantedOn: '2021-06-01', extensions: [], corrected: [] });
  });
});

describe('applyEvent', () => {
  it('records each milestone', () => {
    const f = applyEvents(start(), [
      ev('nl.koers.brp.registered', '2024-04-01'),
      ev('nl.koers.duo.notified', '2024-04-10'),
      ev('nl.koers.bijstand.applied', '2024-04-02'),
      ev('nl.koers.intake.held', '2024-04-20'),
      ev('nl.koers.pip.established', '2024-06-01', { leerroute: 'b1' }),
      ev('nl.koers.reintegration.started', '2024-07-01', { instrument: 'werkstage' }),
      ev('nl.koers.participatieverklaring.signed', '2025-01-10'),
      ev('nl.koers.map.completed', '2025-02-10'),
      ev('nl.koers.alphabetisation.started', '2024-05-01'),
      ev('nl.koers.exam.passed', '2026-01-20', { route: 'b1' }),
      ev('nl.koers.extension.granted', '2026-05-01', { newFinalDate: '2027-12-01' }),
      ev('nl.koers.exemption.granted', '2026-06-01'),
    ]);
    expect(f).toEqual({
      regime: 'wi2021',
      permitGrantedOn: '2024-02-29',
      birthDate: '1990-05-01',
      brpRegisteredOn: '2024-04-01',
      duoNotifiedOn: '2024-04-10',
      bijstandAppliedOn: '2024-04-02',
      intakeHeldOn: '2024-04-20',
      pipEstablishedOn: '2024-06-01',
      leerroute: 'b1',
      leerrouteChosenOn: '2024-06-01',
      leerrouteChoices: [{ on: '2024-06-01', leerroute: 'b1' }],
      reintegrationStartedOn: '2024-07-01',
      reintegrationInstrument: 'werkstage',
      participatieverklaringSignedOn: '2025-01-10',
      mapCompletedOn: '2025-02-10',
      alphabetisationStartedOn: '2024-05-01',
      examPassedOn: '2026-01-20',
      examRoute: 'b1',
      extensions: [{ grantedOn: '2026-05-01', newFinalDate: '2027-12-01' }],
      extensionFinalDate: '2027-12-01',
      exemptedOn: '2026-06-01',
      corrected: [],
    });
  });

  it('keeps the earliest milestone date (a later report is no restart)', () => {
    const f = applyEvents(start(), [ev('nl.koers.brp.registered', '2024-05-01'), ev('nl.koers.brp.registered', '2024-04-01'), ev('nl.koers.brp.registered', '2024-06-01')]);
    expect(f.brpRegisteredOn).toBe('2024-04-01');
  });

  it('keeps the first PIP date (Wi2021 art. 11) but the leerroute of the latest PIP', () => {
    const f = applyEvents(start(), [
      ev('nl.koers.pip.established', '2024-09-01', { leerroute: 'z' }),
      ev('nl.koers.pip.established', '2024-06-01', { leerroute: 'b1' }),
      ev('nl.koers.pip.established', '2024-10-01'), // a change without a leerroute keeps the last one named
    ]);
    expect(f).toMatchObject({ pipEstablishedOn: '2024-06-01', leerroute: 'z', leerrouteChosenOn: '2024-09-01' });
  });

  it('uses the most recent extension grant; on the same day the later final date', () => {
    const f = applyEvents(start(), [
      ev('nl.koers.extension.granted', '2027-01-10', { newFinalDate: '2028-03-01' }),
      ev('nl.koers.extension.granted', '2026-06-01', { newFinalDate: '2027-12-01' }),
      ev('nl.koers.extension.granted', '2027-01-10', { newFinalDate: '2028-01-01' }),
    ]);
    expect(f.extensionFinalDate).toBe('2028-03-01');
    expect(f.extensions.map((g) => g.grantedOn)).toEqual(['2026-06-01', '2027-01-10', '2027-01-10']);
  });

  it('records the circumstance period of a grant when DUO sends it', () => {
    const f = applyEvent(start(), ev('nl.koers.extension.granted', '2027-01-10', { newFinalDate: '2028-03-01', circumstanceFrom: '2026-06-01', circumstanceUntil: '2026-12-01' }));
    expect(f.extensions).toEqual([{ grantedOn: '2027-01-10', newFinalDate: '2028-03-01', circumstanceFrom: '2026-06-01', circumstanceUntil: '2026-12-01' }]);
  });

  it('ignores an event whose data does not fit its type', () => {
    const f = start();
    expect(applyEvent(f, ev('nl.koers.exam.passed', '2026-01-20', { route: 'oral' }))).toBe(f);
    expect(applyEvent(f, ev('nl.koers.brp.registered', '2026-02-30'))).toBe(f);
  });

  it('takes the top-level occurredOn as the date', () => {
    const e = { ...ev('nl.koers.intake.held', '2024-04-20'), data: { occurredOn: '2024-01-01' } };
    expect(applyEvent(start(), e).intakeHeldOn).toBe('2024-04-20');
  });

  describe('admin corrections', () => {
    it('replace the fact, even with a later date', () => {
      const f = applyEvents(start(), [ev('nl.koers.brp.registered', '2024-04-01'), ev('nl.koers.brp.registered', '2024-05-01', {}, { correction: true })]);
      expect(f.brpRegisteredOn).toBe('2024-05-01');
      expect(f.corrected).toEqual(['nl.koers.brp.registered']);
    });

    it('are not undone by a partner event, whatever the arrival order', () => {
      const partner = ev('nl.koers.brp.registered', '2024-04-01');
      const admin = ev('nl.koers.brp.registered', '2024-05-01', {}, { correction: true });
      expect(applyEvents(start(), [partner, admin]).brpRegisteredOn).toBe('2024-05-01');
      expect(applyEvents(start(), [admin, partner]).brpRegisteredOn).toBe('2024-05-01');
    });

    it('withdraw a milestone (contract v1.2, data.withdrawn): the fact is gone and a later partner report does not bring it back', () => {
      const exemption = ev('nl.koers.exemption.granted', '2025-06-01');
      const withdrawal = ev('nl.koers.exemption.granted', '2025-07-01', { withdrawn: true }, { correction: true, reason: 'wrong person' });
      const f = applyEvents(start(), [exemption, withdrawal]);
      expect(f.exemptedOn).toBeUndefined();
      expect(f.corrected).toEqual(['nl.koers.exemption.granted']);
      expect(applyEvent(f, ev('nl.koers.exemption.granted', '2025-06-01'))).toEqual(f);
      // A withdrawal of a PIP takes its leerroute with it; of an extension, every grant.
      const pip = applyEvents(start(), [
        ev('nl.koers.pip.established', '2024-06-01', { leerroute: 'b1' }),
        ev('nl.koers.extension.granted', '2026-05-01', { newFinalDate: '2027-12-01' }),
        ev('nl.koers.pip.established', '2024-08-01', { withdrawn: true }, { correction: true }),
        ev('nl.koers.extension.granted', '2026-06-01', { withdrawn: true }, { correction: true }),
      ]);
      expect(pip).toEqual({ ...start(), extensions: [], leerrouteChoices: undefined, corrected: ['nl.koers.extension.granted', 'nl.koers.pip.established'] });
    });

    it('withdraw nothing when the withdrawal is off (journeys replaying from before v1.2)', () => {
      const f = applyEvent(applyEvent(start(), ev('nl.koers.brp.registered', '2024-04-01')), ev('nl.koers.brp.registered', '2024-05-01', { withdrawn: true }, { correction: true }), { withdrawals: false });
      expect(f.brpRegisteredOn).toBe('2024-05-01');
    });

    it('say what they replace (factsOfType)', () => {
      const f = applyEvents(start(), [ev('nl.koers.exam.passed', '2026-01-20', { route: 'b1' })]);
      expect(factsOfType(f, 'nl.koers.exam.passed')).toEqual({ examPassedOn: '2026-01-20', examRoute: 'b1' });
      expect(factsOfType(f, 'nl.koers.extension.granted')).toBeUndefined();
    });

    it('apply among themselves in arrival order', () => {
      const a = ev('nl.koers.exam.passed', '2026-01-20', { route: 'b1' }, { correction: true });
      const b = ev('nl.koers.exam.passed', '2026-03-20', { route: 'staatsexamen' }, { correction: true });
      expect(applyEvents(start(), [a, b])).toMatchObject({ examPassedOn: '2026-03-20', examRoute: 'staatsexamen' });
      expect(applyEvents(start(), [b, a])).toMatchObject({ examPassedOn: '2026-01-20', examRoute: 'b1' });
    });

    it('replace the whole PIP fact, leerroute included', () => {
      const f = applyEvents(start(), [
        ev('nl.koers.pip.established', '2024-06-01', { leerroute: 'z' }),
        ev('nl.koers.pip.established', '2024-07-01', {}, { correction: true }),
      ]);
      expect(f.pipEstablishedOn).toBe('2024-07-01');
      expect(f.leerroute).toBeUndefined();
      expect(f.leerrouteChosenOn).toBeUndefined();
    });

    it('replace the list of extension grants', () => {
      const f = applyEvents(start(), [
        ev('nl.koers.extension.granted', '2027-01-10', { newFinalDate: '2028-03-01' }),
        ev('nl.koers.extension.granted', '2027-01-10', { newFinalDate: '2027-09-01' }, { correction: true }),
      ]);
      expect(f.extensions).toEqual([{ grantedOn: '2027-01-10', newFinalDate: '2027-09-01' }]);
      expect(f.extensionFinalDate).toBe('2027-09-01');
    });
  });
});

describe('switching leerroute (within 18 months of the term start)', () => {
  const start = initialFacts({ regime: 'wi2021', permitGrantedOn: '2024-01-10' });
  const pip = ev('nl.koers.pip.established', '2024-05-01', { leerroute: 'b1' });

  it("takes a later PIP's leerroute up to 18 months after the day after the first PIP", () => {
    // Term starts 2024-05-02; the last day to switch is 2025-11-02.
    const switched = applyEvents(start, [pip, ev('nl.koers.pip.established', '2025-11-02', { leerroute: 'z' })]);
    expect(switched).toMatchObject({ pipEstablishedOn: '2024-05-01', leerroute: 'z', leerrouteChosenOn: '2025-11-02' });
  });

  it('keeps the leerroute when the switch comes later, in whatever order the PIPs arrive', () => {
    const late = ev('nl.koers.pip.established', '2025-11-03', { leerroute: 'z' });
    for (const events of [[pip, late], [late, pip]]) {
      expect(applyEvents(start, events)).toMatchObject({ pipEstablishedOn: '2024-05-01', leerroute: 'b1', leerrouteChosenOn: '2024-05-01' });
    }
  });
});

describe('the leerbaarheidstoets at the brede intake', () => {
  it('records the outcome of the most recent test, in whatever order the reports arrive', () => {
    const start = initialFacts({ regime: 'wi2021', permitGrantedOn: '2024-01-10' });
    const first = ev('nl.koers.intake.held', '2024-03-01', { leerbaarheidstoets: 'b1-not-feasible' });
    const retest = ev('nl.koers.intake.held', '2024-04-15', { leerbaarheidstoets: 'b1-feasible' });
    for (const events of [[first, retest], [retest, first]]) {
      expect(applyEvents(start, events)).toMatchObject({ intakeHeldOn: '2024-03-01', leerbaarheidstoets: 'b1-feasible', leerbaarheidstoetsOn: '2024-04-15' });
    }
  });
});

describe('applyEvent: properties', () => {
  it('any permutation of the same partner events gives equal facts', () => {
    fc.assert(
      fc.property(eventsAndPermutation(partnerEvent()), ([events, permuted]) => {
        expect(applyEvents(start(), permuted)).toEqual(applyEvents(start(), events));
      }),
      { numRuns: 500 },
    );
  });

  it('applying an event again changes nothing', () => {
    fc.assert(
      fc.property(fc.array(partnerEvent(), { maxLength: 15 }), partnerEvent(), (events, again) => {
        const once = applyEvents(start(), [...events, again]);
        expect(applyEvent(once, again)).toEqual(once);
      }),
    );
  });

  it('with one withdrawal per type mixed in (contract v1.2), the order of partner events still does not matter', () => {
    const withWithdrawals = eventsAndPermutation(partnerEvent(), 20).chain(([events, permuted]) =>
      fc.uniqueArray(partnerEvent(), { selector: (e) => e.type, maxLength: 4 }).chain((withdrawn) => {
        const withdrawals = withdrawn.map((w) => ({ ...w, data: { occurredOn: w.occurredOn, withdrawn: true }, correction: true }));
        return fc
          .tuple(fc.shuffledSubarray([...events, ...withdrawals], { minLength: events.length + withdrawals.length }), fc.shuffledSubarray([...permuted, ...withdrawals], { minLength: events.length + withdrawals.length }))
          .map(([a, b]) => [a, b, withdrawn.map((w) => w.type)] as const);
      }),
    );
    fc.assert(
      fc.property(withWithdrawals, ([a, b, types]) => {
        const facts = applyEvents(start(), a);
        expect(applyEvents(start(), b)).toEqual(facts);
        // Whatever arrived before or after it, a withdrawn milestone is gone.
        for (const type of types) expect(factsOfType(facts, type)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('with one correction per type mixed in, the order still does not matter', () => {
    const withCorrections = eventsAndPermutation(partnerEvent(), 20).chain(([events, permuted]) =>
      fc.uniqueArray(partnerEvent(), { selector: (e) => e.type, maxLength: 4 }).chain((corrections) => {
        const admin = corrections.map((c) => ({ ...c, correction: true }));
        return fc
          .tuple(fc.shuffledSubarray([...events, ...admin], { minLength: events.length + admin.length }), fc.shuffledSubarray([...permuted, ...admin], { minLength: events.length + admin.length }))
          .map(([a, b]) => [a, b] as const);
      }),
    );
    fc.assert(
      fc.property(withCorrections, ([a, b]) => {
        expect(applyEvents(start(), a)).toEqual(applyEvents(start(), b));
      }),
      { numRuns: 300 },
    );
  });
});
