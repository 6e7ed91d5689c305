/**
 * From a BRP API Personen 2.7.0 answer (`RaadpleegMetBurgerservicenummerResponse`, one `Persoon`) to what
 * Koers uses, and the `fields` each purpose asks for: only the paths the page or check needs (the
 * document's `fields`, "Gebruik de fields parameter om alleen die gegevens op te vragen die je nodig hebt").
 * Pure functions; nothing here is stored.
 */
import type { EndReason } from '../../domain/journey-end';
import type { BrpPurpose, BrpSettings } from './config';

/**
 * The `fields` per purpose (field paths of the document's `Persoon`):
 * - `register`: the birth date and the municipality of registration, offered as a prefill; a BSN the BRP
 *   does not know answers no person at all, so existence needs no field of its own;
 * - `name`: the full name only (`naam.volledigeNaam`: voornamen, voorvoegsel, geslachtsnaam and a title);
 * - `facts`: what changes a journey: the municipality of registration and since when, the death date, and
 *   the residence's start date (its `type` tells a residence abroad: an emigration). `opschortingBijhouding`
 *   (reason O: death, E: emigration) comes with every answer unasked (the document forbids asking for it).
 */
export const BRP_FIELDS: Readonly<Record<BrpPurpose, readonly string[]>> = {
  register: ['geboorte.datum', 'gemeenteVanInschrijving'],
  name: ['naam.volledigeNaam'],
  facts: ['gemeenteVanInschrijving', 'datumInschrijvingInGemeente', 'overlijden.datum', 'verblijfplaats.datumVan'],
};

/** The request body of `POST /personen` for one BSN (`RaadpleegMetBurgerservicenummer`). */
export function consultBody(bsn: string, fields: readonly string[]): { type: 'RaadpleegMetBurgerservicenummer'; burgerservicenummer: [string]; fields: string[] } {
  return { type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: [bsn], fields: [...fields] };
}

/**
 * A BRP date (`AbstractDatum`): `date` (YYYY-MM-DD) only when complete (type `Datum`); `text` is the
 * BRP's own words (`langFormaat`, e.g. "1990" or "onbekend": an incomplete date, frequent for people born abroad).
 */
export interface BrpDate {
  date?: string;
  text?: string;
}

/** A municipality as the BRP names it: CBS gemeentecode (4 digits) and its name (`omschrijving`). */
export interface BrpMunicipality {
  code: string;
  name?: string;
  /** Koers's slug for it, when this deployment serves it (BrpSettings.municipalities). */
  municipality?: string;
}

/** The prefill a registration offers the user to confirm (never applied without them). */
export interface BrpPrefill {
  /** The birth date (the BRP's `geboorte.datum`); named `birth`, not `…Date`, because it is no plain date: it may be incomplete. */
  birth?: BrpDate;
  registeredIn?: BrpMunicipality;
}

/** The BRP's facts that can change a journey. Dates YYYY-MM-DD where complete. */
export interface BrpFacts {
  registeredIn?: BrpMunicipality;
  registeredSince?: BrpDate;
  /** Present when the person died (overlijden, or opschortingBijhouding reason O). */
  deceased?: BrpDate;
  /** Present when the person left the Netherlands (residence abroad, or opschortingBijhouding reason E). */
  emigrated?: BrpDate;
}

/**
 * What a caseworker is asked to confirm: a move to a municipality Koers serves, an end with its reason,
 * or (nothing to confirm) a note that the person lives in a municipality this deployment does not serve.
 */
export type BrpProposal =
  | { kind: 'move'; municipality: string; gemeentecode: string; since?: string }
  | { kind: 'end'; reason: EndReason; on?: string }
  | { kind: 'elsewhere'; gemeentecode: string; name?: string };

type Json = Record<string, unknown>;
const obj = (value: unknown): Json | undefined => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined);
const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The one person of an answer; undefined when the BRP knows no person with the BSN (an empty `personen`). */
export function personOf(answer: unknown): Json | undefined {
  const personen = obj(answer)?.personen;
  return Array.isArray(personen) ? obj(personen[0]) : undefined;
}

/** An `AbstractDatum` as {@link BrpDate}; undefined when absent. */
export function dateOf(value: unknown): BrpDate | undefined {
  const d = obj(value);
  if (!d) return undefined;
  const date = d.type === 'Datum' && typeof d.datum === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(d.datum) ? d.datum : undefined;
  const text = str(d.langFormaat);
  if (!date && !text) return undefined;
  return { ...(date ? { date } : {}), ...(text ? { text } : {}) };
}

/** A `Waardetabel` of the Gemeenten table as {@link BrpMunicipality}, with Koers's slug where the deployment serves it. */
export function municipalityOf(value: unknown, settings: Pick<BrpSettings, 'municipalities'>): BrpMunicipality | undefined {
  const w = obj(value);
  const code = str(w?.code);
  if (!code) return undefined;
  const name = str(w?.omschrijving);
  const slug = Object.entries(settings.municipalities).find(([, m]) => m.gemeentecode === code)?.[0];
  return { code, ...(name ? { name } : {}), ...(slug ? { municipality: slug } : {}) };
}

/** The registration prefill of a person (birth date, municipality of registration). */
export function prefillOf(person: Json, settings: Pick<BrpSettings, 'municipalities'>): BrpPrefill {
  const birthDate = dateOf(obj(person.geboorte)?.datum);
  const registeredIn = municipalityOf(person.gemeenteVanInschrijving, settings);
  return { ...(birthDate ? { birth: birthDate } : {}), ...(registeredIn ? { registeredIn } : {}) };
}

/** The person's full name (`naam.volledigeNaam`); undefined when the BRP gave none. */
export function nameOf(person: Json): string | undefined {
  return str(obj(person.naam)?.volledigeNaam);
}

/** The facts of {@link BRP_FIELDS}`.facts`, with the suspension of the record (opschortingBijhouding) read too. */
export function factsOf(person: Json, settings: Pick<BrpSettings, 'municipalities'>): BrpFacts {
  const suspension = obj(person.opschortingBijhouding);
  const reason = str(obj(suspension?.reden)?.code);
  const suspendedOn = dateOf(suspension?.datum);
  const overlijden = obj(person.overlijden);
  const residence = obj(person.verblijfplaats);
  const registeredIn = municipalityOf(person.gemeenteVanInschrijving, settings);
  const registeredSince = dateOf(person.datumInschrijvingInGemeente);
  const deceased = overlijden ? (dateOf(overlijden.datum) ?? suspendedOn ?? {}) : reason === 'O' ? (suspendedOn ?? {}) : undefined;
  const emigrated = residence?.type === 'VerblijfplaatsBuitenland' ? (dateOf(residence.datumVan) ?? suspendedOn ?? {}) : reason === 'E' ? (suspendedOn ?? {}) : undefined;
  return {
    ...(registeredIn ? { registeredIn } : {}),
    ...(registeredSince ? { registeredSince } : {}),
    ...(deceased ? { deceased } : {}),
    ...(emigrated ? { emigrated } : {}),
  };
}

/**
 * What the facts ask of a journey in `municipality` (a slug): a death first, then an emigration, then a
 * registration in another municipality (a move when Koers serves it there, else a note); undefined when
 * the facts agree with the journey.
 */
export function proposalOf(facts: BrpFacts, municipality: string, settings: Pick<BrpSettings, 'municipalities'>): BrpProposal | undefined {
  if (facts.deceased) return { kind: 'end', reason: 'deceased', ...(facts.deceased.date ? { on: facts.deceased.date } : {}) };
  if (facts.emigrated) return { kind: 'end', reason: 'emigrated', ...(facts.emigrated.date ? { on: facts.emigrated.date } : {}) };
  const here = settings.municipalities[municipality]?.gemeentecode;
  const there = facts.registeredIn;
  if (!here || !there || there.code === here) return undefined;
  if (there.municipality) return { kind: 'move', municipality: there.municipality, gemeentecode: there.code, ...(facts.registeredSince?.date ? { since: facts.registeredSince.date } : {}) };
  return { kind: 'elsewhere', gemeentecode: there.code, ...(there.name ? { name: there.name } : {}) };
}
