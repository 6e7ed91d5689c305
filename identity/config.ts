/**
 * The identity settings Koers reads from the environment (platform/config.ts composes them into its
 * one schema): the municipality's OpenID Connect provider, how its groups map to Koers's roles,
 * municipalities and teams, and the web sessions' lifetimes. Documented in docs/identity.md.
 */
import { z } from 'zod';
import { CASEWORKER_ROLES } from '../domain/vocabulary';
import { PERSON_ROLES, type PersonRole } from './permissions';
import { DEFAULT_SESSION_IDLE_MINUTES, DEFAULT_SESSION_MAX_HOURS } from './sessions';

/** Default of KOERS_OIDC_RECHECK_SECONDS: the provider confirms a signed-in person at least this often. */
export const DEFAULT_OIDC_RECHECK_SECONDS = 60;

/** The web app's path the provider sends the browser back to (the redirect URL registered at the provider). */
export const OIDC_CALLBACK_PATH = '/app/sign-in/callback';

/** What one provider group grants; several groups of one person add up (docs/identity.md). */
export const GroupGrantSchema = z.strictObject({
  role: z.enum(PERSON_ROLES).optional(),
  municipalities: z.array(z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a municipality slug')).optional(),
  teams: z.array(z.enum(CASEWORKER_ROLES)).optional(),
});
export type GroupGrant = z.infer<typeof GroupGrantSchema>;

const GroupMapSchema = z.record(z.string().min(1), GroupGrantSchema).refine((map) => Object.values(map).some((g) => g.role), 'no group grants a role: nobody could sign in');

/** The environment variables of this file, as zod schemas (part of platform/config.ts's EnvSchema). */
export const IdentityEnvSchema = {
  // The provider's issuer URL (https; http only on loopback, for tests and a local provider).
  KOERS_OIDC_ISSUER: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
    .refine((u) => u.startsWith('https:') || /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(u), 'must be https (http only on 127.0.0.1 or localhost)')
    .optional(),
  KOERS_OIDC_CLIENT_ID: z.string().min(1).optional(),
  KOERS_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  // Where the provider sends the browser back; default KOERS_PUBLIC_URL + /app/sign-in/callback.
  KOERS_OIDC_REDIRECT_URL: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
    .refine((u) => new URL(u).pathname === OIDC_CALLBACK_PATH, `must end in ${OIDC_CALLBACK_PATH}`)
    .optional(),
  // The claim (ID token or userinfo) listing the person's groups (Keycloak: groups; Entra ID: groups or roles).
  KOERS_OIDC_GROUPS_CLAIM: z.string().min(1).default('groups'),
  // The claim whose value is the person's staff id (what tasks are assigned to).
  KOERS_OIDC_STAFF_ID_CLAIM: z.string().min(1).default('preferred_username'),
  // JSON: { "<group>": { "role": …, "municipalities": [...], "teams": [...] } }.
  KOERS_OIDC_GROUP_MAP: z
    .string()
    .transform((value, ctx) => {
      let raw: unknown;
      try {
        raw = JSON.parse(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON: {"<group>": {"role": "caseworker", "municipalities": ["…"], "teams": ["…"]}}' });
        return z.NEVER;
      }
      const parsed = GroupMapSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        ctx.addIssue({ code: 'custom', message: `${issue.path.length ? `group ${issue.path.map(String).join('.')}: ` : ''}${issue.message}` });
        return z.NEVER;
      }
      return parsed.data;
    })
    .optional(),
  KOERS_OIDC_SCOPES: z.string().regex(/^[\x21-\x7e]+( [\x21-\x7e]+)*$/, 'must be scopes separated by single spaces').refine((s) => s.split(' ').includes('openid'), 'must include openid').default('openid profile email'),
  // The name on the sign-in button: "Inloggen via <name>".
  KOERS_OIDC_PROVIDER_NAME: z.string().min(1).max(60).default('de gemeente'),
  // The provider confirms a signed-in person (refresh) at least this often; 0: on every request.
  KOERS_OIDC_RECHECK_SECONDS: z.coerce.number().int().min(0).max(3600).default(DEFAULT_OIDC_RECHECK_SECONDS),
  KOERS_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(DEFAULT_SESSION_IDLE_MINUTES),
  KOERS_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(7 * 24).default(DEFAULT_SESSION_MAX_HOURS),
};

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUrl: string;
  groupsClaim: string;
  staffIdClaim: string;
  groupMap: Record<string, GroupGrant>;
  scopes: string;
  providerName: string;
  /** Milliseconds between provider checks of a session; 0: every request. */
  recheckMs: number;
}

export interface IdentitySettings {
  /** undefined: no provider; people sign in with an API key (development mode). */
  oidc?: OidcSettings;
  sessions: { idleMs: number; absoluteMs: number };
}

type IdentityEnv = { [K in keyof typeof IdentityEnvSchema]: z.output<(typeof IdentityEnvSchema)[K]> };

/**
 * The identity settings from the parsed environment. Throws `invalid setting <NAME>: …` (one line) when
 * a provider is half configured.
 */
export function identitySettings(e: { [K in keyof IdentityEnv]?: IdentityEnv[K] } & Pick<IdentityEnv, 'KOERS_OIDC_GROUPS_CLAIM' | 'KOERS_OIDC_STAFF_ID_CLAIM' | 'KOERS_OIDC_SCOPES' | 'KOERS_OIDC_PROVIDER_NAME' | 'KOERS_OIDC_RECHECK_SECONDS' | 'KOERS_SESSION_IDLE_MINUTES' | 'KOERS_SESSION_MAX_HOURS'>, publicUrl: string, fail: (message: string) => Error): IdentitySettings {
  const sessions = { idleMs: e.KOERS_SESSION_IDLE_MINUTES * 60_000, absoluteMs: e.KOERS_SESSION_MAX_HOURS * 3_600_000 };
  const given = (['KOERS_OIDC_ISSUER', 'KOERS_OIDC_CLIENT_ID', 'KOERS_OIDC_CLIENT_SECRET', 'KOERS_OIDC_GROUP_MAP'] as const).filter((name) => e[name] !== undefined);
  if (given.length === 0) {
    if (e.KOERS_OIDC_REDIRECT_URL) throw fail('invalid setting KOERS_OIDC_REDIRECT_URL: needs KOERS_OIDC_ISSUER');
    return { sessions };
  }
  for (const name of ['KOERS_OIDC_ISSUER', 'KOERS_OIDC_CLIENT_ID', 'KOERS_OIDC_CLIENT_SECRET', 'KOERS_OIDC_GROUP_MAP'] as const) {
    if (e[name] === undefined) throw fail(`invalid setting ${name}: required because ${given[0]} is set`);
  }
  return {
    sessions,
    oidc: {
      issuer: e.KOERS_OIDC_ISSUER!,
      clientId: e.KOERS_OIDC_CLIENT_ID!,
      clientSecret: e.KOERS_OIDC_CLIENT_SECRET!,
      redirectUrl: e.KOERS_OIDC_REDIRECT_URL ?? `${publicUrl}${OIDC_CALLBACK_PATH}`,
      groupsClaim: e.KOERS_OIDC_GROUPS_CLAIM,
      staffIdClaim: e.KOERS_OIDC_STAFF_ID_CLAIM,
      groupMap: e.KOERS_OIDC_GROUP_MAP!,
      scopes: e.KOERS_OIDC_SCOPES,
      providerName: e.KOERS_OIDC_PROVIDER_NAME,
      recheckMs: e.KOERS_OIDC_RECHECK_SECONDS * 1000,
    },
  };
}

/** Role precedence when a person's groups grant several: the first in this list wins (docs/identity.md). */
export const ROLE_PRECEDENCE: readonly PersonRole[] = ['admin', 'privacy-officer', 'team-lead', 'caseworker', 'reader'];
