import { computeClocks } from '../../../domain/clocks';
import { initialFacts, type JourneyFacts } from '../../../domain/facts';
import { derivePhase } from '../../../domain/phase';
import { findPolicy } from '../../../domain/policies';
import type { Phase } from '../../../domain/types';

const bo = findPolicy('borger-odoorn')!;
const phaseOf = (f: JourneyFacts, today = '2026-01-01'): Phase => derivePhase(f, computeClocks(f, bo, today));
const w13 = (more: Partial<JourneyFacts> = {}): JourneyFacts => ({ ...initialFacts({ regime: 'wi2013', permitGrantedOn: '2021-06-15' }), ...more });
const w21 = (more: Partial<JourneyFacts> = {}): JourneyFacts => ({ ...initialFacts({ regime: 'wi2021', permitGrantedOn: '2024-06-15' }), ...more });

describe('derivePhase', () => {
  it.each<[string, JourneyFacts, Phase]>([
    // v1.2 (issue 21): the Wi2013 term runs from the start of the plicht (Wi2013 art. 7(1)); no "arrival".
    ['Wi2013 permit only', w13(), 'inburgering'],
    ['Wi2013 registered, no application yet', w13({ brpRegisteredOn: '2021-08-01' }), 'inburgering'],
    ['Wi2013 permit only, v1.1 rules', w13({ rules: 'v1.1' }), 'arrival'],
    ['Wi2013 bijstand applied: intake due', w13({ bijstandAppliedOn: '2021-08-02' }), 'intake'],
    ['Wi2013 intake held, no plan yet', w13({ bijstandAppliedOn: '2021-08-02', intakeHeldOn: '2021-08-10' }), 'intake'],
    ['Wi2013 plan set', w13({ intakeHeldOn: '2021-08-10', pipEstablishedOn: '2021-09-01' }), 'inburgering'],
    ['Wi2013 exam without the required PVT', w13({ pipEstablishedOn: '2021-09-01', examPassedOn: '2023-01-01', examRoute: 'inburgeringsexamen' }), 'inburgering'],
    [
      'Wi2013 exam and PVT',
      w13({ pipEstablishedOn: '2021-09-01', examPassedOn: '2023-01-01', examRoute: 'inburgeringsexamen', participatieverklaringSignedOn: '2022-01-01' }),
      'plicht-met',
    ],
    ['Wi2013 exempted', w13({ exemptedOn: '2022-01-01' }), 'exempted'],
    ['Wi2021 notified only', w21({ duoNotifiedOn: '2024-07-01' }), 'arrival'],
    ['Wi2021 notified and registered: brede intake + PIP due', w21({ duoNotifiedOn: '2024-07-01', brpRegisteredOn: '2024-07-03' }), 'intake'],
    ['Wi2021 brede intake held before the kennisgeving', w21({ intakeHeldOn: '2024-07-01' }), 'intake'],
    ['Wi2021 PIP set', w21({ pipEstablishedOn: '2024-09-01', leerroute: 'b1', leerrouteChosenOn: '2024-09-01' }), 'inburgering'],
    [
      'Wi2021 exam, PVT and MAP',
      w21({
        pipEstablishedOn: '2024-09-01',
        leerroute: 'b1',
        examPassedOn: '2026-01-01',
        examRoute: 'b1',
        participatieverklaringSignedOn: '2025-01-01',
        mapCompletedOn: '2025-06-01',
      }),
      'plicht-met',
    ],
    [
      'plicht met before the exemption stays met',
      w21({ pipEstablishedOn: '2024-09-01', leerroute: 'onderwijs', examPassedOn: '2025-01-01', examRoute: 'staatsexamen', participatieverklaringSignedOn: '2025-01-01', exemptedOn: '2025-02-01' }),
      'plicht-met',
    ],
    [
      'exemption before the plicht was met',
      w21({ pipEstablishedOn: '2024-09-01', leerroute: 'onderwijs', examPassedOn: '2025-03-01', examRoute: 'staatsexamen', participatieverklaringSignedOn: '2025-01-01', exemptedOn: '2025-02-01' }),
      'exempted',
    ],
  ])('%s -> %s', (_what, f, phase) => {
    expect(phaseOf(f)).toBe(phase);
  });
});
