import { computeClocks } from '../../../domain/clocks';
import { applyEvents, initialFacts } from '../../../domain/facts';
import { findPolicy } from '../../../domain/policies';
import { translator } from '../../../web/messages';
import { basisText } from '../../../web/pages/journey';
import { ev } from '../domain/arbitraries';

/** The journey page says how a clock's dates were computed, in plain Dutch and English (contract v1.2). */
describe('a clock basis in words', () => {
  const facts = applyEvents(initialFacts({ regime: 'wi2021', permitGrantedOn: '2025-01-10', birthDate: '1985-01-01' }), [ev('nl.koers.bijstand.applied', '2025-10-04')]);
  const decision = computeClocks(facts, findPolicy('midden-drenthe')!, '2025-10-10').find((c) => c.name === 'bijstand-decision')!;

  it('Dutch: the rule from the application, then the Algemene termijnenwet with the day it fell on', () => {
    expect(basisText(translator('nl'), decision)).toBe(
      '8 weken na de aanvraag van zaterdag 4 oktober 2025 (Awb art. 4:13); verlengd tot maandag 1 december 2025 omdat zaterdag 29 november 2025 een zaterdag is (Algemene termijnenwet art. 1(1))',
    );
  });

  it('English: the same in English', () => {
    expect(basisText(translator('en'), decision)).toBe(
      '8 weeks after the application of Saturday 4 October 2025 (Awb art. 4:13); extended to Monday 1 December 2025 because Saturday 29 November 2025 is a Saturday (Algemene termijnenwet art. 1(1))',
    );
  });

  it('names who reported the anchor, and a suspension with its days', () => {
    const suspended = applyEvents(facts, [ev('nl.koers.bijstand.completion-requested', '2025-10-10', { respondBy: '2025-10-20' }), ev('nl.koers.bijstand.completed', '2025-10-14')]);
    const clock = computeClocks(suspended, findPolicy('midden-drenthe')!, '2025-10-20').find((c) => c.name === 'bijstand-decision')!;
    const text = basisText(translator('nl'), { ...clock, basis: { ...clock.basis!, anchor: { ...clock.basis!.anchor, reportedBy: 'Sociale Dienst' } } });
    expect(text).toContain('(gemeld door Sociale Dienst)');
    // Saturday 29 November + 4 suspended days = Wednesday 3 December: the Atw (applied after) moves nothing.
    expect(text).toContain('opgeschort: 4 dagen erbij, tot woensdag 3 december 2025 (Awb art. 4:15(1)(a))');
    expect(text).not.toContain('Algemene termijnenwet');
  });

  // Trial finding 6: "3 jaar, gerekend vanaf … (3 years from the day after the first PIP …)" on a Dutch page.
  it.each(['wi2013', 'wi2021'] as const)('the inburgeringstermijn of %s: its rule in Dutch, from the catalogue, not the domain text', (regime) => {
    const events = regime === 'wi2021' ? [ev('nl.koers.duo.notified', '2025-02-01'), ev('nl.koers.brp.registered', '2025-02-03'), ev('nl.koers.pip.established', '2025-03-10')] : [ev('nl.koers.brp.registered', '2013-02-03')];
    const pipFacts = applyEvents(initialFacts({ regime, permitGrantedOn: regime === 'wi2021' ? '2025-01-10' : '2013-01-10', birthDate: '1985-01-01' }), events);
    const clock = computeClocks(pipFacts, findPolicy('borger-odoorn')!, '2025-10-10').find((c) => c.name === 'inburgering')!;
    expect(clock.basis).toBeDefined();
    const nl = basisText(translator('nl'), clock, regime);
    expect(nl).toMatch(/^3 jaar, gerekend vanaf /);
    expect(nl).toContain(regime === 'wi2021' ? 'Wi2021 art. 11' : 'Wi2013 art. 7 lid 1');
    expect(nl).not.toMatch(/\b(?:the|years|from|after|does|not move|start of)\b/);
    expect(nl).not.toContain(clock.basis!.rule);
    // Without the regime given, the anchor tells which rule it is.
    expect(basisText(translator('nl'), clock)).toBe(nl);
    expect(basisText(translator('en'), clock, regime)).toMatch(/^3 years, counted from /);
  });
});
