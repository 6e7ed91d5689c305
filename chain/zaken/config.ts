/**
 * The Zaken API settings of each municipality (KOERS_ZAKEN_CONFIG, a JSON file), validated at start:
 * a wrong file stops Koers with one message naming every wrong field. A municipality that is not in
 * the file has no zaak (nothing is queued for its journeys).
 *
 * Sources: ZGW API's "Autorisatie" (a JWT signed HS256 with the client's secret, claims iss, iat,
 * client_id, user_id, user_representation), Zaken API 1.5.1 (`bronorganisatie` an RSIN: 9 digits
 * passing the elfproef), the zaaktype's statustypen, roltypen and resultaattypen in the Catalogi API.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { PHASES } from '../../domain/vocabulary';
import { JOURNEY_ENDS } from '../../domain/journey-end';

/** A wrong KOERS_ZAKEN_CONFIG: the message names the file's every wrong field, never a secret. */
export class ZakenConfigError extends Error {}

/** The elfproef of an RSIN (as the BSN's: 9 digits, Σ digit·(9..2) − last digit divisible by 11, not all zeros). */
export function isValidRsin(rsin: string): boolean {
  if (!/^\d{9}$/.test(rsin) || rsin === '000000000') return false;
  const digits = [...rsin].map(Number);
  return (digits.slice(0, 8).reduce((sum, digit, i) => sum + digit * (9 - i), 0) - digits[8]!) % 11 === 0;
}

const Url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const Rsin = z.string().refine(isValidRsin, 'must be an RSIN: 9 digits passing the elfproef');

const MunicipalitySchema = z.strictObject({
  /** The Zaken API's base URL, e.g. `https://zaken.gemeente.nl/zaken/api/v1` (no trailing slash needed). */
  baseUrl: Url,
  /** The ZGW client id Koers was given (the JWT's `iss` and `client_id`). */
  clientId: z.string().min(1, 'is required'),
  /** The client's shared secret: the JWT's HS256 key. */
  secret: z.string().min(16, 'needs at least 16 characters'),
  /** The JWT's `user_id` and `user_representation`: who acts (default: Koers itself, the system). */
  userId: z.string().min(1).default('koers'),
  userRepresentation: z.string().min(1).default('Koers'),
  /** The municipality's RSIN: the zaak's `bronorganisatie` (and `verantwoordelijkeOrganisatie` unless set). */
  bronorganisatie: Rsin,
  verantwoordelijkeOrganisatie: Rsin.optional(),
  /** The ZAAKTYPE of an integration journey (Catalogi API). */
  zaaktype: Url,
  /** The ROLTYPE (of the zaaktype) of the statushouder as betrokkene, e.g. the one with omschrijvingGeneriek `belanghebbende`. */
  roltype: Url,
  /** A STATUSTYPE per phase (domain/vocabulary.ts PHASES): the status set when the journey enters it. */
  statustypen: z.strictObject(Object.fromEntries(PHASES.map((phase) => [phase, Url])) as Record<(typeof PHASES)[number], typeof Url>),
  /** The zaaktype's last STATUSTYPE: setting it closes the zaak (its einddatum). */
  eindstatustype: Url,
  /** A RESULTAATTYPE per way a journey ends (domain/journey-end.ts JOURNEY_ENDS). */
  resultaattypen: z.strictObject(Object.fromEntries(JOURNEY_ENDS.map((end) => [end, Url])) as Record<(typeof JOURNEY_ENDS)[number], typeof Url>),
});

const FileSchema = z.strictObject({
  municipalities: z.record(z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a municipality slug'), MunicipalitySchema),
});

/** One municipality's Zaken API settings, defaults applied. */
export type ZakenMunicipality = z.infer<typeof MunicipalitySchema>;

/** The settings of every municipality that has a zaak registration, by municipality slug. */
export interface ZakenConfig {
  municipalities: Record<string, ZakenMunicipality>;
}

/**
 * Checks the parsed JSON of a KOERS_ZAKEN_CONFIG file. Throws {@link ZakenConfigError} listing every
 * wrong field (`municipalities.x.statustypen.intake: must be an http(s) URL; …`).
 */
export function parseZakenConfig(raw: unknown, source = 'KOERS_ZAKEN_CONFIG'): ZakenConfig {
  const parsed = FileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys.join(', ')] : issue.path;
      const message =
        issue.code === 'unrecognized_keys'
          ? 'unknown field'
          : issue.code === 'invalid_key'
            ? (issue.issues[0]?.message ?? issue.message)
            : issue.code === 'invalid_type' && issue.input === undefined
              ? 'is required'
              : issue.message;
      return `${path.map(String).join('.') || '(top level)'}: ${message}`;
    });
    throw new ZakenConfigError(`invalid setting ${source}: ${problems.join('; ')}`);
  }
  const municipalities = Object.fromEntries(Object.entries(parsed.data.municipalities).map(([slug, m]) => [slug, { ...m, baseUrl: m.baseUrl.replace(/\/+$/, '') }]));
  return { municipalities };
}

/** Reads and checks the file KOERS_ZAKEN_CONFIG names; no file: no municipality has a zaak. */
export function loadZakenConfig(file: string | undefined): ZakenConfig {
  if (!file) return { municipalities: {} };
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ZakenConfigError(`invalid setting KOERS_ZAKEN_CONFIG: ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  return parseZakenConfig(raw, `KOERS_ZAKEN_CONFIG (${file})`);
}
