import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiKeys, type ApiKeyEntry } from '../../../api/auth';
import { Identity } from '../../../api/identity';
import { People } from '../../../identity';
import { identitySettings, IdentityEnvSchema } from '../../../identity/config';
import { principalFromClaims } from '../../../identity/oidc';
import { PAGES, permissionsMarkdown } from '../../../identity/permissions';
import { sessionIdHash } from '../../../identity/sessions';
import { DELEGATION_TTL_MS, Delegations } from '../../../identity/delegation';
import { ConfigError, loadConfig } from '../../../platform/config';
import { openDatabase, type Db } from '../../../store/db';
import { migrateToLatest } from '../../../store/migrations';
import { webRoutes } from '../../../web/app';

const SECRET = 'identity-test-secret-0123456789-abcdef';
const ENTRIES: ApiKeyEntry[] = [
  { key: 'caseworker-key-0123456789', role: 'caseworker', name: 'cw-anna', municipalities: ['borger-odoorn'] },
  { key: 'partner-key-0123456789ab', role: 'partner', name: 'duo', municipalities: ['borger-odoorn'] },
  { key: 'old-team-lead-key-012345', role: 'caseworker', name: 'cw-lead', municipalities: ['borger-odoorn'], teams: ['team-lead'] },
];
const MINUTE = 60_000;

describe('web sessions in the store', () => {
  let dir: string;
  let db: Db;
  let now: number;
  const lifetimes = { idleMs: 60 * MINUTE, absoluteMs: 10 * 60 * MINUTE };
  const people = (keys = new ApiKeys(ENTRIES), database = db) =>
    new People({ db: database, keys, secrets: new Identity(SECRET), settings: { sessions: lifetimes }, now: () => now });

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koers-sessions-'));
    db = openDatabase(`sqlite:${path.join(dir, 'koers.db')}`);
    await migrateToLatest(db);
    now = Date.parse('2026-12-07T08:00:00Z');
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('keeps only the hash of the cookie id and no key, and a second API instance (or a restart) on the same store finds the session', async () => {
    const signedIn = await people().signInWithKey('caseworker-key-0123456789');
    if (!signedIn.ok) throw new Error('not signed in');
    expect(signedIn.cookieId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await db.selectFrom('web_sessions').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id_hash).toBe(sessionIdHash(signedIn.cookieId));
    expect(JSON.stringify(rows)).not.toContain(signedIn.cookieId);
    expect(JSON.stringify(rows)).not.toContain('caseworker-key-0123456789');

    const other = openDatabase(`sqlite:${path.join(dir, 'koers.db')}`);
    try {
      const found = await people(new ApiKeys(ENTRIES), other).resolve(signedIn.cookieId);
      expect(found?.principal.name).toBe('cw-anna');
      // The CSRF token is derived from the id and the server secret: the same on every instance.
      expect(found?.csrfToken).toBe(signedIn.session.csrfToken);
    } finally {
      await other.destroy();
    }
  });

  it('ends a session idle for its idle lifetime, and any session at its absolute lifetime however busy', async () => {
    const p = people();
    const idle = await p.signInWithKey('caseworker-key-0123456789');
    const busy = await p.signInWithKey('caseworker-key-0123456789');
    if (!idle.ok || !busy.ok) throw new Error('not signed in');
    now += lifetimes.idleMs - MINUTE;
    expect(await p.resolve(idle.cookieId)).toBeDefined();
    now += lifetimes.idleMs - MINUTE;
    expect(await p.resolve(idle.cookieId)).toBeDefined();
    now += lifetimes.idleMs;
    expect(await p.resolve(idle.cookieId)).toBeUndefined();
    // Used every 50 minutes: still ends 10 hours after sign-in.
    now = Date.parse('2026-12-07T08:00:00Z');
    for (let t = 50; t < 600; t += 50) {
      now = Date.parse('2026-12-07T08:00:00Z') + t * MINUTE;
      expect([t, (await p.resolve(busy.cookieId)) !== undefined]).toEqual([t, true]);
    }
    now = Date.parse('2026-12-07T08:00:00Z') + 600 * MINUTE;
    expect(await p.resolve(busy.cookieId)).toBeUndefined();
    expect(await db.selectFrom('web_sessions').selectAll().execute()).toEqual([]);
  });

  it('ends a key session when the key leaves the key file, and on sign-out; refuses partner keys and unknown keys', async () => {
    const file = path.join(dir, 'keys.json');
    fs.writeFileSync(file, JSON.stringify(ENTRIES));
    const keys = ApiKeys.fromFile(file);
    const p = people(keys);
    const signedIn = await p.signInWithKey('caseworker-key-0123456789');
    if (!signedIn.ok) throw new Error('not signed in');
    expect(await p.resolve(signedIn.cookieId)).toBeDefined();
    fs.writeFileSync(file, JSON.stringify(ENTRIES.slice(1)));
    keys.reloadFrom(file);
    expect(await p.resolve(signedIn.cookieId)).toBeUndefined();

    const again = await p.signInWithKey('partner-key-0123456789ab');
    expect(again).toEqual({ ok: false, reason: 'partner' });
    expect(await p.signInWithKey('no-such-key-0123456789')).toEqual({ ok: false, reason: 'invalid' });
    const lead = await p.signInWithKey('old-team-lead-key-012345');
    if (!lead.ok) throw new Error('not signed in');
    // A caseworker key with team `team-lead` (before the role existed) is a team lead.
    expect(lead.session.principal.role).toBe('team-lead');
    await p.signOut(lead.cookieId, 'http://x/app/sign-in');
    expect(await p.resolve(lead.cookieId)).toBeUndefined();
  });
});

describe('roles from the identity provider', () => {
  const settings = {
    issuer: 'https://idp.example/realms/gemeente',
    groupsClaim: 'groups',
    staffIdClaim: 'preferred_username',
    groupMap: {
      'koers-klantmanagers': { role: 'caseworker' as const, municipalities: ['borger-odoorn'] },
      'koers-coordinatoren': { role: 'team-lead' as const, teams: ['team-lead' as const] },
      'koers-raadplegers': { role: 'reader' as const },
      'team-werk': { teams: ['regisseur-werk' as const], municipalities: ['midden-drenthe'] },
    },
  };

  it('takes the highest role of the groups, adds up their municipalities and teams, and names the person by the staff-id claim', () => {
    const person = principalFromClaims({ sub: 'u1', preferred_username: 'anna.devries', name: 'Anna de Vries', groups: ['koers-raadplegers', 'koers-coordinatoren', 'koers-klantmanagers', 'team-werk', 'unrelated'] }, settings);
    expect(person).toMatchObject({
      principal: { role: 'team-lead', name: 'anna.devries', municipalities: ['borger-odoorn', 'midden-drenthe'], teams: ['regisseur-werk', 'team-lead'] },
      displayName: 'Anna de Vries',
    });
    expect(typeof person !== 'string' && person.principal.keyId).toMatch(/^[0-9a-f]{12}$/);
  });

  it('refuses a person whose groups grant no role, or whose staff-id claim is missing or unusable', () => {
    expect(principalFromClaims({ sub: 'u1', preferred_username: 'anna', groups: ['team-werk'] }, settings)).toBe('no-role');
    expect(principalFromClaims({ sub: 'u1', preferred_username: 'anna' }, settings)).toBe('no-role');
    expect(principalFromClaims({ sub: 'u1', groups: ['koers-raadplegers'] }, settings)).toBe('no-staff-id');
    expect(principalFromClaims({ sub: 'u1', preferred_username: 'Anna de Vries', groups: ['koers-raadplegers'] }, settings)).toBe('no-staff-id');
  });
});

describe('identity settings', () => {
  const oidc = {
    KOERS_OIDC_ISSUER: 'https://login.example.nl/realms/gemeente',
    KOERS_OIDC_CLIENT_ID: 'koers',
    KOERS_OIDC_CLIENT_SECRET: 'a-client-secret',
    KOERS_OIDC_GROUP_MAP: JSON.stringify({ 'koers-klantmanagers': { role: 'caseworker', municipalities: ['borger-odoorn'] } }),
  };

  it('runs without a provider (development mode), with the documented session lifetimes', () => {
    const config = loadConfig({});
    expect(config.identity).toEqual({ sessions: { idleMs: 60 * MINUTE, absoluteMs: 10 * 60 * MINUTE } });
  });

  it('reads a provider, its redirect URL defaulting to the public URL', () => {
    const config = loadConfig({ ...oidc, KOERS_PUBLIC_URL: 'https://koers.gemeente.nl' });
    expect(config.identity.oidc).toMatchObject({ issuer: oidc.KOERS_OIDC_ISSUER, redirectUrl: 'https://koers.gemeente.nl/app/sign-in/callback', groupsClaim: 'groups', recheckMs: 60_000, providerName: 'de gemeente' });
  });

  it.each([
    [{ ...oidc, KOERS_OIDC_CLIENT_SECRET: undefined }, 'invalid setting KOERS_OIDC_CLIENT_SECRET: required because KOERS_OIDC_ISSUER is set'],
    [{ KOERS_OIDC_CLIENT_ID: 'koers' }, 'invalid setting KOERS_OIDC_ISSUER: required because KOERS_OIDC_CLIENT_ID is set'],
    [{ ...oidc, KOERS_OIDC_ISSUER: 'http://login.example.nl/realms/x' }, 'invalid setting KOERS_OIDC_ISSUER: must be https (http only on 127.0.0.1 or localhost)'],
    [{ ...oidc, KOERS_OIDC_GROUP_MAP: '{not json' }, 'invalid setting KOERS_OIDC_GROUP_MAP: must be JSON'],
    [{ ...oidc, KOERS_OIDC_GROUP_MAP: '{"g": {"role": "root"}}' }, 'invalid setting KOERS_OIDC_GROUP_MAP: group g.role:'],
    [{ ...oidc, KOERS_OIDC_GROUP_MAP: '{"g": {"teams": ["regisseur-werk"]}}' }, 'invalid setting KOERS_OIDC_GROUP_MAP: no group grants a role'],
    [{ ...oidc, KOERS_OIDC_REDIRECT_URL: 'https://koers.example/callback' }, 'invalid setting KOERS_OIDC_REDIRECT_URL: must end in /app/sign-in/callback'],
    [{ ...oidc, KOERS_OIDC_SCOPES: 'profile email' }, 'invalid setting KOERS_OIDC_SCOPES: must include openid'],
    [{ KOERS_SESSION_IDLE_MINUTES: '0' }, 'invalid setting KOERS_SESSION_IDLE_MINUTES:'],
  ])('stops start-up with one line naming a wrong setting (%#)', (env, message) => {
    let error: unknown;
    try {
      loadConfig(env as NodeJS.ProcessEnv);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message.startsWith(message)).toBe(true);
    expect((error as Error).message).not.toContain('\n');
  });

  it('covers every setting of the identity door in the one environment schema', () => {
    expect(Object.keys(IdentityEnvSchema).every((name) => name.startsWith('KOERS_OIDC_') || name.startsWith('KOERS_SESSION_'))).toBe(true);
    expect(identitySettings).toBeInstanceOf(Function);
  });
});

describe('the permissions table', () => {
  it('has a row for every page of the web app and no row for a page that does not exist', () => {
    const pages = webRoutes().map((r) => `${r.method.toUpperCase()} ${r.path}`).sort();
    expect(Object.keys(PAGES).sort()).toEqual(pages);
  });

  it('is what docs/roles.md says (regenerate with `npm run docs:roles`)', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'roles.md'), 'utf8');
    expect(doc).toBe(permissionsMarkdown());
  });
});

describe('delegation tokens (the web app calling the API as the person)', () => {
  it('stand for the principal until revoked or a minute has passed, and are unguessable', () => {
    let now = 0;
    const delegations = new Delegations(() => now);
    const principal = { role: 'reader' as const, name: 'rd-rita', municipalities: ['borger-odoorn'], eventTypes: [], keyId: '0123456789ab' };
    const token = delegations.issue(principal);
    expect(token).toMatch(/^koers-delegated\.[A-Za-z0-9_-]{43}$/);
    expect(delegations.issue(principal)).not.toBe(token);
    expect(delegations.find(token)).toBe(principal);
    expect(delegations.find(`${token}x`)).toBeUndefined();
    delegations.revoke(token);
    expect(delegations.find(token)).toBeUndefined();
    const late = delegations.issue(principal);
    now += DELEGATION_TTL_MS;
    expect(delegations.find(late)).toBeUndefined();
  });
});
