/**
 * A real OpenID Connect provider for the sign-in tests: Keycloak from its Quarkus distribution
 * (unpacked by scripts/install-tools.sh), started in development mode on a free loopback port with an
 * in-memory database, and a realm from test/helpers/keycloak-realm.json created through its admin
 * REST API: the client `koers` (confidential, PKCE S256, a groups mapper) and a user per role.
 *
 * KOERS_TEST_KEYCLOAK_URL (with KOERS_TEST_KEYCLOAK_ADMIN_PASSWORD, admin user `admin`) reuses a
 * Keycloak that is already running; each call still creates a realm of its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { keycloakHome } from '../../platform/tools';
import { freePort } from './ports';

export const KEYCLOAK_CLIENT_ID = 'koers';
export const KEYCLOAK_CLIENT_SECRET = 'koers-test-client-secret-0123456789';
/** Every test user's password. */
export const KEYCLOAK_PASSWORD = 'Wachtwoord-voor-test-1';

/** The realm's groups as Koers maps them (KOERS_OIDC_GROUP_MAP), in the form docs/identity.md shows. */
export const GROUP_MAP = {
  'koers-beheerders': { role: 'admin' },
  'koers-coordinatoren': { role: 'team-lead', teams: ['team-lead'] },
  'koers-klantmanagers': { role: 'caseworker' },
  'koers-raadplegers': { role: 'reader' },
  'koers-privacy': { role: 'privacy-officer' },
  'gemeente-borger-odoorn': { municipalities: ['borger-odoorn'] },
  'team-regisseur-werk': { teams: ['regisseur-werk'] },
};

export interface Keycloak {
  /** The issuer URL of the test realm. */
  issuer: string;
  realm: string;
  /** Disables a user (as an administrator does when someone leaves). */
  disableUser(username: string): Promise<void>;
  /** Takes a user out of a group (a role withdrawn). */
  removeFromGroup(username: string, group: string): Promise<void>;
  stop(): Promise<void>;
}

/** How long a start may take: on 2 cores shared with other test runs the build alone took 77 s. */
export const KEYCLOAK_START_TIMEOUT_MS = 480_000;

/** Ends kc.sh and the java it started (the whole process group); SIGKILL for a start that failed, which ignores SIGTERM. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

/** A line Keycloak logs when its start has failed for good while the process stays up. */
const FAILED_START = /Failed to start server|Acquisition timeout while waiting for new connection/;

async function waitFor(url: string, timeoutMs: number, child?: ChildProcess, logs?: string[]): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) throw new Error(`Keycloak exited: ${(logs ?? []).join('').slice(-3000)}`);
    if (logs && FAILED_START.test(logs.join(''))) throw new Error(`Keycloak failed to start: ${logs.join('').slice(-3000)}`);
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`Keycloak did not answer ${url} within ${timeoutMs} ms: ${(logs ?? []).join('').slice(-3000)}`);
}

/** Starts one Keycloak in development mode on a free port and waits until it answers. */
async function launch(adminPassword: string): Promise<{ ok: true; base: string; child: ChildProcess } | { ok: false; error: Error; retry: boolean }> {
  const port = await freePort();
  const logs: string[] = [];
  const child = spawn(path.join(keycloakHome(), 'bin', 'kc.sh'), ['start-dev', '--http-port', String(port), '--http-host', '127.0.0.1', '--db=dev-mem'], {
    env: {
      ...process.env,
      KC_BOOTSTRAP_ADMIN_USERNAME: 'admin',
      KC_BOOTSTRAP_ADMIN_PASSWORD: adminPassword,
      // A test realm's few users need little heap; Keycloak's default takes a share of the machine's memory.
      JAVA_OPTS_KC_HEAP: '-Xms64m -Xmx512m',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const remember = (chunk: Buffer) => {
    logs.push(chunk.toString());
    if (logs.length > 200) logs.shift();
  };
  child.stdout!.on('data', remember);
  child.stderr!.on('data', remember);
  const base = `http://127.0.0.1:${port}`;
  try {
    // start-dev builds Keycloak's dev profile first (Quarkus augmentation): about a minute, several on a busy machine.
    await waitFor(`${base}/realms/master/.well-known/openid-configuration`, KEYCLOAK_START_TIMEOUT_MS, child, logs);
    return { ok: true, base, child };
  } catch (err) {
    killGroup(child, 'SIGKILL');
    return { ok: false, error: err instanceof Error ? err : new Error(String(err)), retry: FAILED_START.test(logs.join('')) };
  }
}

/**
 * Starts Keycloak (or reuses KOERS_TEST_KEYCLOAK_URL) and creates a test realm whose client accepts
 * `redirectUris` (Koers's callback URLs; the sign-out returns to the same origins).
 */
export async function startKeycloak(redirectUris: string[]): Promise<Keycloak> {
  let base = process.env.KOERS_TEST_KEYCLOAK_URL?.replace(/\/+$/, '');
  let adminPassword = process.env.KOERS_TEST_KEYCLOAK_ADMIN_PASSWORD ?? '';
  let child: ChildProcess | undefined;
  if (!base) {
    adminPassword = crypto.randomBytes(12).toString('base64url');
    // A start that failed for good under load (FAILED_START) is tried once more, on a fresh port.
    for (let attempt = 1; ; attempt++) {
      const started = await launch(adminPassword);
      if (started.ok) {
        ({ base, child } = started);
        break;
      }
      if (attempt === 2 || !started.retry) throw started.error;
    }
  }

  const adminToken = async (): Promise<string> => {
    const res = await fetch(`${base}/realms/master/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: adminPassword }),
    });
    if (!res.ok) throw new Error(`Keycloak admin token: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const admin = async (method: string, url: string, body?: unknown): Promise<Response> => {
    const res = await fetch(`${base}/admin/realms${url}`, {
      method,
      headers: { authorization: `Bearer ${await adminToken()}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new Error(`Keycloak admin ${method} ${url}: ${res.status} ${await res.text()}`);
    return res;
  };

  const realm = `gemeente-${crypto.randomBytes(4).toString('hex')}`;
  const template = JSON.parse(fs.readFileSync(path.join(__dirname, 'keycloak-realm.json'), 'utf8')) as {
    realm: string;
    clients: Array<{ redirectUris: string[]; webOrigins: string[] }>;
    users: Array<Record<string, unknown>>;
  };
  template.realm = realm;
  template.clients[0]!.redirectUris = redirectUris;
  const origins = [...new Set(redirectUris.map((u) => new URL(u).origin))];
  template.clients[0]!.webOrigins = origins;
  // After signing out at Keycloak the browser returns to Koers's sign-in page (Keycloak separates entries with ##).
  (template.clients[0] as unknown as { attributes: Record<string, string> }).attributes['post.logout.redirect.uris'] = origins.map((o) => `${o}/app/*`).join('##');
  for (const user of template.users) {
    Object.assign(user, { enabled: true, emailVerified: true, credentials: [{ type: 'password', value: KEYCLOAK_PASSWORD, temporary: false }] });
  }
  await admin('POST', '', template);

  const userId = async (username: string): Promise<string> => {
    const users = (await (await admin('GET', `/${realm}/users?exact=true&username=${encodeURIComponent(username)}`)).json()) as Array<{ id: string }>;
    if (!users[0]) throw new Error(`no user ${username}`);
    return users[0].id;
  };

  return {
    issuer: `${base}/realms/${realm}`,
    realm,
    async disableUser(username) {
      const id = await userId(username);
      const user = (await (await admin('GET', `/${realm}/users/${id}`)).json()) as Record<string, unknown>;
      await admin('PUT', `/${realm}/users/${id}`, { ...user, enabled: false });
    },
    async removeFromGroup(username, group) {
      const id = await userId(username);
      const groups = (await (await admin('GET', `/${realm}/users/${id}/groups`)).json()) as Array<{ id: string; name: string }>;
      const found = groups.find((g) => g.name === group);
      if (!found) throw new Error(`${username} is not in ${group}`);
      await admin('DELETE', `/${realm}/users/${id}/groups/${found.id}`);
    },
    async stop() {
      if (child) {
        await admin('DELETE', `/${realm}`).catch(() => undefined);
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child!.once('exit', () => resolve()));
        killGroup(child);
        await exited;
      } else {
        await admin('DELETE', `/${realm}`).catch(() => undefined);
      }
    },
  };
}
