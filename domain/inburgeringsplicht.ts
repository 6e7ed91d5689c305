/**
 * Who is inburgeringsplichtig, from when, and why not (api-contract.md, "Additions (v1.1)").
 *
 * Both regimes oblige the same people in the same way for a statushouder:
 * - The plicht arises with the residence permit (Wi2013 art. 3(1), seed §3.1.2; Wi2021 art. 3(1)),
 *   for a person of 16 or older who has not reached the pension age (AOW-leeftijd, AOW art. 7a).
 * - A person who is leerplichtig or kwalificatieplichtig is not obliged (Wi2013 art. 5, seed §3.1.2;
 *   Wi2021 art. 3 with the Leerplichtwet 1969, Schulinck "Minderjarige vreemdelingen"). The full
 *   leerplicht ends at the end of the school year in which the child turns 16 (Leerplichtwet 1969
 *   art. 4); the kwalificatieplicht then runs until a startkwalificatie is obtained or the age of 18
 *   is reached (art. 4a). A startkwalificatie (HAVO, VWO, MBO-2) is itself a diploma that frees from
 *   the plicht, so a minor without one becomes obliged on the 18th birthday, and the plicht's start is
 *   `max(permit date, 18th birthday)`. The 16 of art. 3 therefore never starts it earlier for a
 *   newcomer (a 16- or 17-year-old is kwalificatieplichtig until 18 unless freed by a diploma).
 * - A listed Dutch diploma frees from the plicht (Wi2013 art. 5, "aangewezen diploma", seed §3.1.2;
 *   Wi2021 art. 4(1), Regeling inburgering 2021 art. 2.1). One obtained on or before the plicht's start
 *   means the person was never obliged; one obtained later frees from then on (the plicht's clocks are
 *   waived on that day with the diploma as reason).
 *
 * Not modelled, because the journey has no fact for them: eight years in the Netherlands during the
 * leerplichtige leeftijd (Wi2013 art. 5; Wi2021 art. 4), and following a course that leads to a freeing
 * diploma (a temporary vrijstelling). DUO's exemption (ontheffing) is a separate event.
 */
import { addPeriod, isAfter, isBefore, maxDate } from './dates';
import type { JourneyFacts } from './facts';
import type { Diploma, LocalDate } from './types';

export type InburgeringsplichtStatus = 'plichtig' | 'not-yet' | 'not-plichtig';

/** The contract's `inburgeringsplicht` object, plus when a person already obliged was freed. */
export interface Inburgeringsplicht {
  status: InburgeringsplichtStatus;
  /** Why, in words a caseworker reads, naming the rule. */
  reason: string;
  /** The day the plicht starts or started (`plichtig`, `not-yet`). */
  startsOn?: LocalDate;
  /**
   * `not-plichtig` after the plicht had started: the day the person was freed (a diploma obtained during
   * the plicht). The plicht's clocks that started are waived from then. Absent when never obliged.
   */
  freedOn?: LocalDate;
}

/**
 * Kwalificatieplicht ends on reaching 18 or with a startkwalificatie (Leerplichtwet 1969: the duty of
 * art. 4a(1), its end in art. 4b as journey-rules.md cites it).
 */
export const KWALIFICATIEPLICHT_UNTIL_AGE = 18;

const DIPLOMA_NAMES: Readonly<Record<Diploma, string>> = {
  inburgeringsdiploma: 'inburgeringsdiploma',
  nt2: 'diploma staatsexamen NT2',
  'mbo2-plus': 'MBO diploma (level 2 or higher) taught in Dutch',
  havo: 'HAVO diploma taught in Dutch',
  vwo: 'VWO diploma taught in Dutch',
  hbo: 'HBO diploma taught in Dutch',
  wo: 'WO diploma taught in Dutch',
  vmbo: 'VMBO diploma taught in Dutch',
};

/**
 * v1.2 (contract "Diplomas"): the staatsexamen NT2 diploma frees a person fully only when the plicht
 * started before this day; from then on the plicht also holds the ONA part (seed §3.1.4) and, later, the
 * PVT and the MAP, which the NT2 diploma does not cover: it meets the language part only (as
 * `exam.passed` with route `staatsexamen`, clocks.ts `plichtMetOn`).
 */
export const NT2_FREES_PLICHT_BEFORE: LocalDate = '2015-01-01';

/** True when the v1.2 rules apply to the journey (facts.ts `rules` absent). */
export function hasV12Rules(facts: Pick<JourneyFacts, 'rules'>): boolean {
  return facts.rules === undefined;
}

/**
 * The diploma that frees from the plicht, if any: every listed diploma, except (v1.2) an NT2 diploma for
 * a plicht that started on or after {@link NT2_FREES_PLICHT_BEFORE}, which meets the language part only.
 */
export function freeingDiploma(facts: JourneyFacts): { on: LocalDate; diploma: Diploma } | undefined {
  if (facts.diplomaRecognisedOn === undefined || facts.diploma === undefined) return undefined;
  if (facts.diploma === 'nt2' && hasV12Rules(facts) && !isBefore(plichtStartOn(facts), NT2_FREES_PLICHT_BEFORE)) return undefined;
  return { on: facts.diplomaRecognisedOn, diploma: facts.diploma };
}

/**
 * The pension age (AOW-leeftijd) by date of birth, AOW art. 7a as published by the SVB. The law sets
 * it five years ahead; the last cohort below (born 1 Oct 1960 - 30 Sep 1961: 67 years 3 months, reached
 * in 2028 and 2029) is the last one fixed, and later births get it as the known minimum (art. 7a only
 * raises it). Every such person reaches it after 2028, so no permit that can be reported today is
 * affected by a later raise.
 */
const AOW_COHORTS: ReadonlyArray<{ bornBefore: LocalDate; years: number; months: number }> = [
  { bornBefore: '1948-01-01', years: 65, months: 0 },
  { bornBefore: '1948-12-01', years: 65, months: 1 },
  { bornBefore: '1949-11-01', years: 65, months: 2 },
  { bornBefore: '1950-10-01', years: 65, months: 3 },
  { bornBefore: '1951-07-01', years: 65, months: 6 },
  { bornBefore: '1952-04-01', years: 65, months: 9 },
  { bornBefore: '1953-01-01', years: 66, months: 0 },
  { bornBefore: '1955-09-01', years: 66, months: 4 },
  { bornBefore: '1956-06-01', years: 66, months: 7 },
  { bornBefore: '1957-03-01', years: 66, months: 10 },
  { bornBefore: '1960-10-01', years: 67, months: 0 },
];
const AOW_LATEST = { years: 67, months: 3 };

/** The pension age for a date of birth (AOW art. 7a), as years and months. */
export function pensionAge(birthDate: LocalDate): { years: number; months: number } {
  const cohort = AOW_COHORTS.find((c) => isBefore(birthDate, c.bornBefore));
  return cohort === undefined ? AOW_LATEST : { years: cohort.years, months: cohort.months };
}

/** The day the pension age is reached (calendar arithmetic of dates.ts: 29 Feb + n years = 28 Feb). */
export function pensionAgeReachedOn(birthDate: LocalDate): LocalDate {
  return addPeriod(birthDate, pensionAge(birthDate));
}

/**
 * The day the inburgeringsplicht starts: the permit date, or a minor's 18th birthday when later (the
 * kwalificatieplicht, see above). Without a birth date the person is taken to be an adult.
 */
export function plichtStartOn(facts: Pick<JourneyFacts, 'permitGrantedOn' | 'birthDate'>): LocalDate {
  if (facts.birthDate === undefined) return facts.permitGrantedOn;
  return maxDate(facts.permitGrantedOn, addPeriod(facts.birthDate, { years: KWALIFICATIEPLICHT_UNTIL_AGE }));
}

const citation = (facts: Pick<JourneyFacts, 'regime'>): string => (facts.regime === 'wi2013' ? 'Wi2013 art. 3' : 'Wi2021 art. 3');
const diplomaCitation = (facts: Pick<JourneyFacts, 'regime'>): string => (facts.regime === 'wi2013' ? 'Wi2013 art. 5' : 'Wi2021 art. 4');

/**
 * Whether the person is inburgeringsplichtig on `today`, per the rules above. Pure; the workflow asks
 * it with its own today, the API reads it from the workflow's state.
 *
 * - `not-plichtig`: the pension age reached on the plicht's start, or a listed diploma obtained on or
 *   before it (never obliged), or a diploma obtained later (`freedOn`: freed from then on).
 * - `not-yet`: a minor, until the plicht's start (`startsOn`).
 * - `plichtig`: from `startsOn`.
 */
export function inburgeringsplicht(facts: JourneyFacts, today: LocalDate): Inburgeringsplicht {
  const startsOn = plichtStartOn(facts);
  if (facts.birthDate !== undefined) {
    const pensionOn = pensionAgeReachedOn(facts.birthDate);
    if (!isAfter(pensionOn, startsOn)) {
      const age = pensionAge(facts.birthDate);
      return {
        status: 'not-plichtig',
        // No date of its own: the day the pension age is reached would reveal the birth date.
        reason: `pension age (AOW-leeftijd ${age.years} years${age.months ? ` ${age.months} months` : ''}, AOW art. 7a) reached before the plicht would start on ${startsOn} (${citation(facts)})`,
      };
    }
  }
  const diploma = freeingDiploma(facts);
  if (diploma !== undefined) {
    const reason = `${DIPLOMA_NAMES[diploma.diploma]} obtained on ${diploma.on} (${diplomaCitation(facts)})`;
    if (!isAfter(diploma.on, startsOn)) return { status: 'not-plichtig', reason };
    return { status: 'not-plichtig', reason, freedOn: diploma.on };
  }
  // Only a minor waits: an adult is obliged from the permit whatever day is asked about.
  if (isBefore(today, startsOn) && isAfter(startsOn, facts.permitGrantedOn)) {
    return {
      status: 'not-yet',
      reason: `leerplichtig or kwalificatieplichtig until the age of ${KWALIFICATIEPLICHT_UNTIL_AGE} (Leerplichtwet 1969 art. 4a-4b; ${citation(facts)}): obliged from ${startsOn}`,
      startsOn,
    };
  }
  return {
    status: 'plichtig',
    reason: isAfter(startsOn, facts.permitGrantedOn)
      ? `obliged from the 18th birthday, when the kwalificatieplicht ended (Leerplichtwet 1969 art. 4a-4b; ${citation(facts)})`
      : `obliged from the residence permit (${citation(facts)}${facts.birthDate === undefined ? '; birth date unknown, taken as an adult' : ''})`,
    startsOn,
  };
}

/** True when the v1.1 rules apply to the journey (it did not start before them, see facts.ts `rules`). */
export function hasV11Rules(facts: Pick<JourneyFacts, 'rules'>): boolean {
  return facts.rules !== 'v1.0';
}
