/**
 * The BRP API Personen settings of one deployment (KOERS_BRP_FILE, a JSON file; README "Configuration").
 * Validated at start: a wrong file stops Koers with one line naming the field, never a credential.
 * Without the file there is no BRP: registration, the journey page and the person route work as before.
 *
 * Authentication: the BRP API Personen 2.7.0 document declares no `securitySchemes`; RvIG's own gateway
 * and the municipal gateways in front of it take an API key in a header (`X-API-KEY`, the RvIG proef
 * omgeving and e.g. Nijmegen's) or an OAuth 2.0 access token by client credentials (the RvIG production
 * connection, also behind mTLS at the network layer). Both are offered; the header's name is configurable.
 *
 * Protocollering and doelbinding: the headers the municipal BRP gateways read (VNG's
 * verwerkingenlogging; used alike by Dimpact's ZAC, Open Formulieren and Open Klant): `x-doelbinding`
 * (the legal ground the municipality was authorised on, e.g. `BRPACT-Inburgering`), `x-verwerking` (the
 * processing activity, `Activiteit@Onderwerp`, one per purpose below), `x-gebruiker` (who asked: the staff
 * id, or `Koers` for the service's own check) and `x-origin-oin` (the municipality's OIN). Their names
 * are configurable because gateways differ in case and prefix; values are at most 242 characters (the
 * column width of VNG's verwerkingenlog).
 */
import fs from 'node:fs';
import { z } from 'zod';

/** What Koers asks the BRP for, each with its own processing activity (`x-verwerking`). */
export const BRP_PURPOSES = ['register', 'name', 'facts'] as const;
export type BrpPurpose = (typeof BRP_PURPOSES)[number];

const headerName = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be an HTTP header name');
const headerValue = z.string().min(1).max(242).regex(/^[\x20-\x7e]*$/, 'must be printable ASCII (an HTTP header value)');
const secret = z.string().min(8, 'needs at least 8 characters');

const AuthSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('api-key'), header: headerName.default('X-API-KEY'), key: secret }),
  z.strictObject({
    type: z.literal('oauth2-client-credentials'),
    tokenUrl: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }),
    clientId: z.string().min(1).max(256),
    clientSecret: secret,
    scope: z.string().min(1).max(512).optional(),
  }),
]);

export const BrpSettingsSchema = z.strictObject({
  /** The gateway's base URL; `POST {baseUrl}/personen` is the one operation. */
  baseUrl: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).transform((url) => url.replace(/\/+$/, '')),
  auth: AuthSchema,
  /** The protocollering/doelbinding headers each request carries. */
  protocollering: z.strictObject({
    doelbinding: headerValue,
    /** Per purpose: the processing activity in the municipality's register (`Activiteit@Onderwerp`). */
    verwerking: z.strictObject({ register: headerValue, name: headerValue, facts: headerValue }),
    /** The municipality's OIN (20 digits); the header is left out without it. */
    originOin: z.string().regex(/^\d{20}$/, 'must be an OIN of 20 digits').optional(),
    /** `x-gebruiker` of the service's own requests (no person asked). */
    systemUser: headerValue.default('Koers'),
    headers: z
      .strictObject({ doelbinding: headerName.default('x-doelbinding'), verwerking: headerName.default('x-verwerking'), gebruiker: headerName.default('x-gebruiker'), originOin: headerName.default('x-origin-oin') })
      .default({ doelbinding: 'x-doelbinding', verwerking: 'x-verwerking', gebruiker: 'x-gebruiker', originOin: 'x-origin-oin' }),
  }),
  /**
   * Koers's municipalities the BRP serves, by slug, with their CBS gemeentecode (4 digits, as the BRP's
   * `gemeenteVanInschrijving.code`). A municipality not listed has no BRP: its pages work as before.
   */
  municipalities: z.record(z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a municipality slug'), z.strictObject({ gemeentecode: z.string().regex(/^\d{4}$/, 'must be a gemeentecode of 4 digits') })),
  /** How long one BRP request may take before the page goes on without it (ms). */
  timeoutMs: z.number().int().min(100).max(60_000).default(5000),
});

/** A deployment's BRP settings, validated ({@link BrpSettingsSchema}). */
export type BrpSettings = z.infer<typeof BrpSettingsSchema>;

/** A BRP settings file that cannot be used; the message names the setting and the field, never a value. */
export class BrpConfigError extends Error {}

/**
 * Validates parsed JSON as BRP settings. Throws {@link BrpConfigError} naming the first wrong field
 * (`source: path: message`), and when two municipalities share a gemeentecode.
 */
export function parseBrpSettings(raw: unknown, source = 'KOERS_BRP_FILE'): BrpSettings {
  const parsed = BrpSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]].join('.') : issue.path.join('.') || '(top level)';
    const message = issue.code === 'unrecognized_keys' ? 'unknown field' : issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
    throw new BrpConfigError(`invalid setting ${source}: ${where}: ${message}`);
  }
  const seen = new Map<string, string>();
  for (const [slug, { gemeentecode }] of Object.entries(parsed.data.municipalities)) {
    const other = seen.get(gemeentecode);
    if (other) throw new BrpConfigError(`invalid setting ${source}: municipalities.${slug}.gemeentecode: ${gemeentecode} is also ${other}'s`);
    seen.set(gemeentecode, slug);
  }
  return parsed.data;
}

/** Reads and validates the file (undefined path: no BRP). Throws {@link BrpConfigError}. */
export function loadBrpSettings(file: string | undefined): BrpSettings | undefined {
  if (!file) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new BrpConfigError(`invalid setting KOERS_BRP_FILE: ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  return parseBrpSettings(raw, `KOERS_BRP_FILE: ${file}`);
}
