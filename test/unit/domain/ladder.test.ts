import { distanceForRung, routeForRung } from '../../../domain/ladder';
import { amendPolicy } from '../../../domain/policy';
import { findPolicy } from '../../../domain/policies';
import type { LadderRung } from '../../../domain/types';

const bo = findPolicy('borger-odoorn')!;
const md = findPolicy('midden-drenthe')!;
const boRung3Long = amendPolicy(bo, { ladder: { rung3Distance: 'long' } }, '2026-01-01');

describe('ladder routing (seed §3.2.3, §4.1)', () => {
  it.each<[LadderRung, 'short' | 'long', 'short' | 'long', string, string]>([
    [1, 'long', 'long', 'sociaal-werker-participatie', 'sociaal-werker-participatie'],
    [2, 'long', 'long', 'sociaal-werker-participatie', 'sociaal-werker-participatie'],
    [3, 'short', 'long', 'regisseur-werk', 'sociaal-werker-participatie'],
    [4, 'short', 'short', 'regisseur-werk', 'regisseur-werk'],
    [5, 'short', 'short', 'regisseur-werk', 'regisseur-werk'],
    [6, 'short', 'short', 'regisseur-werk', 'regisseur-werk'],
  ])('rung %d: distance %s (rung 3 long: %s), route %s (rung 3 long: %s)', (rung, distance, distanceLong, route, routeLong) => {
    expect(distanceForRung(rung, bo)).toBe(distance);
    expect(distanceForRung(rung, boRung3Long)).toBe(distanceLong);
    expect(routeForRung(rung, bo)).toBe(route);
    expect(routeForRung(rung, boRung3Long)).toBe(routeLong);
    expect(routeForRung(rung, md)).toBe('statushouder-specialist');
  });

  it('without a policy, rung 3 is long distance', () => {
    expect(distanceForRung(3)).toBe('long');
  });
});
