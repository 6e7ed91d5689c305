import * as domain from '../../../domain';

describe('domain index', () => {
  it('re-exports the public API', () => {
    for (const name of [
      'isLocalDate',
      'addPeriod',
      'amsterdamDateOf',
      'amsterdamStartOfDay',
      'ageOn',
      'PolicySchema',
      'amendPolicy',
      'policyCatalog',
      'findPolicy',
      'latestPolicies',
      'EVENT_TYPES',
      'eventDataSchema',
      'eventKey',
      'initialFacts',
      'applyEvent',
      'regimeForPermit',
      'computeClocks',
      'isPlichtMet',
      'derivePhase',
      'plannedNotifications',
      'nextWakeUp',
      'desiredTasks',
      'routeForRung',
      'distanceForRung',
      'checkEligibility',
      'instrumentPlan',
      'extendInstrument',
      'validateExtensionRequest',
    ]) {
      expect(typeof (domain as Record<string, unknown>)[name]).not.toBe('undefined');
    }
  });
});
