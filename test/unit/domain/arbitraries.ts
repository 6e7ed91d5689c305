/** fast-check generators shared by the domain property tests. */
import fc from 'fast-check';
import { addDays, fromDayNumberToDate } from '../../../domain/dates';
import { EVENT_TYPES, type EventType, type JourneyEvent } from '../../../domain/events';
import type { LocalDate } from '../../../domain/types';

/** 2018-01-01 .. 2032-12-31 */
export const dateIn = (from = 17_532, to = 23_011): fc.Arbitrary<LocalDate> => fc.integer({ min: from, max: to }).map(fromDayNumberToDate);

const dataFor = (type: EventType, occurredOn: LocalDate): fc.Arbitrary<Record<string, unknown>> => {
  switch (type) {
    // v1.2 (Awb art. 4:5, 4:15): the time given to complete the application, on or after the request.
    case 'nl.koers.bijstand.completion-requested':
      return fc.integer({ min: 0, max: 60 }).map((days) => ({ respondBy: addDays(occurredOn, days) }));
    case 'nl.koers.pip.established':
      return fc.option(fc.constantFrom('b1', 'onderwijs', 'z'), { nil: undefined }).map((l) => (l === undefined ? {} : { leerroute: l }));
    case 'nl.koers.reintegration.started':
      return fc.constantFrom('werkstage', 'vrijwilligerswerk', 'taalstage').map((instrument) => ({ instrument }));
    case 'nl.koers.exam.passed':
      return fc.constantFrom('inburgeringsexamen', 'staatsexamen', 'b1', 'z').map((route) => ({ route }));
    case 'nl.koers.extension.granted':
      return dateIn().map((newFinalDate) => ({ newFinalDate }));
    case 'nl.koers.intake.held':
      return fc.option(fc.constantFrom('b1-feasible', 'b1-not-feasible'), { nil: undefined }).map((t) => (t === undefined ? {} : { leerbaarheidstoets: t }));
    case 'nl.koers.diploma.recognised':
      return fc.constantFrom('inburgeringsdiploma', 'nt2', 'mbo2-plus', 'havo', 'vwo', 'hbo', 'wo').map((diploma) => ({ diploma }));
    case 'nl.koers.bijstand.decided':
      return fc.constantFrom('granted', 'refused').map((decision) => ({ decision }));
    case 'nl.koers.bijstand.ended':
      return fc.constantFrom('work', 'education', 'moved', 'other').map((reason) => ({ reason }));
    default:
      return fc.constant({});
  }
};

/** A partner event of any contract type with valid data. */
export const partnerEvent = (types: readonly EventType[] = EVENT_TYPES): fc.Arbitrary<JourneyEvent> =>
  fc
    .record({ type: fc.constantFrom(...types), occurredOn: dateIn(), id: fc.uuid() })
    .chain(({ type, occurredOn, id }) =>
      dataFor(type, occurredOn).map(
        (data): JourneyEvent => ({
          source: 'urn:test',
          id,
          type,
          occurredOn,
          data: { ...data, occurredOn },
          receivedAt: '2026-01-01T00:00:00Z',
        }),
      ),
    );

/** A list of events and a permutation of it. */
export const eventsAndPermutation = (arb: fc.Arbitrary<JourneyEvent>, maxLength = 25) =>
  fc.array(arb, { maxLength }).chain((events) =>
    fc.tuple(fc.constant(events), fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length })),
  );

let counter = 0;
/** A hand-written event for table tests. */
export function ev(type: EventType, occurredOn: LocalDate, data: Record<string, unknown> = {}, extra: Partial<JourneyEvent> = {}): JourneyEvent {
  counter += 1;
  return { source: 'urn:test', id: `e-${counter}`, type, occurredOn, data: { occurredOn, ...data }, receivedAt: '2026-01-01T00:00:00Z', ...extra };
}
