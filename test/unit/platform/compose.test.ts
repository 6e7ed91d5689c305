import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { configVariableNames, loadConfig } from '../../../platform/config';
import { journeySearchAttributes, searchAttributeCliArgs } from '../../../platform/search-attributes';
import { TEMPORAL_SERVER_VERSION } from '../../../platform/tools';
import { PROCESSING_ACTIVITIES } from '../../../processing-log';
import { parseBrpSettings } from '../../../chain/brp';
import { parseZakenConfig } from '../../../chain/zaken';

/** No Docker engine runs here, so the compose file is checked by reading it. */
interface Service {
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  build?: unknown;
  image?: string;
  entrypoint?: string[];
  volumes?: string[];
  ports?: string[];
}

const root = path.resolve(__dirname, '../../..');
// With YAML merge keys resolved, as compose does (database and TLS settings are anchors).
const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const koersServices = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);

/** Stand-ins of variables whose value has a structure (the rest get 40 characters). */
const STAND_INS: Record<string, string> = {
  KOERS_PROCESSING_ACTIVITIES: PROCESSING_ACTIVITIES.map((key) => `${key}=https://register.gemeente.test/${key}`).join(','),
};

/** Compose substitutes ${VAR:?message} from the operator's environment; use a stand-in value of the right shape. */
const substitute = (env: Record<string, string>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{([A-Z_]+):\?[^}]*\}/g, (_m, name: string) => STAND_INS[name] ?? 'x'.repeat(40)).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]),
  );

describe('docker-compose.yml', () => {
  it('runs the worker and the API as separate Koers services', () => {
    const roles = koersServices.map(([, s]) => s.environment?.KOERS_ROLE).sort();
    expect(roles).toEqual(['api', 'worker']);
  });

  it.each(koersServices)('%s sets only variables Koers reads, and a valid config', (_name, service) => {
    const env = substitute(service.environment ?? {});
    for (const variable of Object.keys(env)) expect(configVariableNames).toContain(variable);
    const config = loadConfig(env);
    expect(config.temporal.address).toBe('temporal:7233');
    expect(config.databaseUrl).toMatch(/^postgres:\/\//);
    expect(env.KOERS_SECRET_KEY).toBeDefined();
    if (config.role === 'api') expect(env.KOERS_API_KEYS_FILE).toBeDefined();
    // In a container loopback is unreachable from outside: the setting opens it.
    expect(config.bindAddress).toBe('0.0.0.0');
    // Production mode, so the cluster only over mutual TLS, with Koers's own certificate.
    expect(config.production).toBe(true);
    expect(config.temporal).toMatchObject({ tls: true, requireTls: true, tlsCaPath: '/run/tls/ca.pem', tlsCertPath: '/run/tls/koers.pem', tlsKeyPath: '/run/tls/koers-key.pem', tlsServerName: 'temporal' });
  });

  it("wires the municipal chain as its header says: each part optional, the example files pass Koers's start-up checks", () => {
    const text = fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
    // The header's recipe: `cp deploy/<example> deploy/chain/<file>   # then KOERS_X=/run/koers-chain/<file>`.
    const recipe = [...text.matchAll(/^#\s+cp (deploy\/\S+) (deploy\/chain\/\S+)\s+# then (KOERS_[A-Z_]+)=(\S+)$/gm)].map((m) => ({ example: m[1]!, copy: m[2]!, variable: m[3]!, value: m[4]! }));
    expect(recipe.map((r) => r.variable).sort()).toEqual(['KOERS_BRP_FILE', 'KOERS_ZAKEN_CONFIG']);
    const checks: Record<string, (raw: unknown) => unknown> = { KOERS_BRP_FILE: parseBrpSettings, KOERS_ZAKEN_CONFIG: parseZakenConfig };
    for (const r of recipe) expect(() => checks[r.variable]!(JSON.parse(fs.readFileSync(path.join(root, r.example), 'utf8')))).not.toThrow();
    // The BRP is the API's (pages and routes); the Zaken API file is checked by every role (platform/koers.ts).
    const wants: Record<string, string[]> = { api: ['KOERS_BRP_FILE', 'KOERS_ZAKEN_CONFIG'], worker: ['KOERS_ZAKEN_CONFIG'] };
    for (const [name, service] of koersServices) {
      const env = service.environment ?? {};
      const role = env.KOERS_ROLE!;
      for (const variable of wants[role]!) {
        // Optional: unset by the operator, no BRP or no zaak, and Koers starts.
        expect(`${name} ${variable} ${env[variable]}`).toBe(`${name} ${variable} \${${variable}:-}`);
        expect(loadConfig(substitute(env))[variable === 'KOERS_BRP_FILE' ? 'brpFile' : 'zakenConfigFile']).toBeUndefined();
        // Set as the header says: the file the operator copied, where the service sees it.
        const r = recipe.find((x) => x.variable === variable)!;
        const config = loadConfig({ ...substitute(env), [variable]: r.value });
        expect(config[variable === 'KOERS_BRP_FILE' ? 'brpFile' : 'zakenConfigFile']).toBe(r.value);
        const mount = (service.volumes ?? []).map((v) => v.split(':')).find(([, to]) => r.value.startsWith(`${to}/`));
        expect(mount?.[2]).toBe('ro');
        expect(path.posix.join(mount![0]!, r.value.slice(mount![1]!.length))).toBe(path.posix.normalize(r.copy));
      }
    }
    // The operator's copies hold credentials: never committed.
    expect(fs.readFileSync(path.join(root, '.gitignore'), 'utf8')).toMatch(/^deploy\/chain\/\*\.json$/m);
  });

  it('names only existing services in depends_on, without cycles', () => {
    const names = new Set(Object.keys(compose.services));
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (name: string) => {
      if (done.has(name)) return;
      expect(visiting.has(name)).toBe(false);
      visiting.add(name);
      for (const dependency of Object.keys(compose.services[name]?.depends_on ?? {})) {
        expect(names).toContain(dependency);
        visit(dependency);
      }
      visiting.delete(name);
      done.add(name);
    };
    for (const name of names) visit(name);
  });

  it('starts Koers only after the schema and search attributes are set up', () => {
    for (const [, service] of koersServices) {
      expect(service.depends_on?.['temporal-setup']?.condition).toBe('service_completed_successfully');
    }
    expect(compose.services.temporal?.depends_on?.['temporal-schema']?.condition).toBe('service_completed_successfully');
  });

  it('registers the same search attributes as the embedded server', () => {
    const listed = fs
      .readFileSync(path.join(root, 'deploy/search-attributes.txt'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.replace(' ', '='));
    const embedded = searchAttributeCliArgs().filter((arg) => arg !== '--search-attribute');
    expect(listed).toEqual(embedded);
    expect(listed).toHaveLength(journeySearchAttributes.length);
  });

  describe('Temporal only over mutual TLS, nothing of it beyond loopback', () => {
    const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
    /** `./deploy/tls/<file>` → where the service sees it. */
    const tlsMounts = (service: Service) =>
      Object.fromEntries((service.volumes ?? []).map((v) => v.split(':')).filter(([from]) => from!.startsWith('./deploy/tls/')).map(([from, to, mode]) => [from!.slice('./deploy/tls/'.length), { to, mode }]));
    const certsScript = read('scripts/temporal-certs.sh');

    it('mounts read-only only files the certificate script writes, and each service only its own key', () => {
      // What scripts/temporal-certs.sh writes: the names a municipality's files take (docs/deployment.md).
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koers-compose-certs-'));
      execFileSync('bash', [path.join(root, 'scripts/temporal-certs.sh'), dir], { stdio: 'ignore' });
      const issued = fs.readdirSync(dir).sort();
      fs.rmSync(dir, { recursive: true, force: true });
      expect(issued).toEqual(['ca.pem', 'koers-key.pem', 'koers.pem', 'temporal-key.pem', 'temporal.pem', 'ui-key.pem', 'ui.pem']);
      const keyOwner: Record<string, string[]> = { 'temporal-key.pem': ['temporal'], 'koers-key.pem': ['temporal-setup', 'koers-worker', 'koers-api'], 'ui-key.pem': ['temporal-ui'] };
      for (const [name, service] of Object.entries(compose.services)) {
        // Never the whole deploy folder: the server's key is in it.
        for (const volume of service.volumes ?? []) expect(volume.split(':')[0]).not.toMatch(/^\.\/deploy\/?(tls\/?)?$/);
        for (const [file, { mode }] of Object.entries(tlsMounts(service))) {
          expect(issued).toContain(file);
          expect(mode).toBe('ro');
          if (file.endsWith('-key.pem')) expect(keyOwner[file]).toContain(name);
        }
      }
    });

    it('runs the server with client certificates required, frontend and internode, as the local cluster does', () => {
      const temporal = compose.services.temporal!;
      const env = temporal.environment!;
      expect(env.TEMPORAL_TLS_REQUIRE_CLIENT_AUTH).toBe('true');
      // Every TLS variable deploy/temporal-server.yaml reads is set here and exported by the cluster script.
      const serverConfig = read('deploy/temporal-server.yaml');
      const variables = [...serverConfig.matchAll(/env "(TEMPORAL_TLS_[A-Z0-9_]+)"/g)].map((m) => m[1]!);
      expect(new Set(variables)).toEqual(new Set(['TEMPORAL_TLS_SERVER_CERT', 'TEMPORAL_TLS_SERVER_KEY', 'TEMPORAL_TLS_SERVER_CA_CERT', 'TEMPORAL_TLS_INTERNODE_SERVER_NAME', 'TEMPORAL_TLS_FRONTEND_CERT', 'TEMPORAL_TLS_FRONTEND_KEY', 'TEMPORAL_TLS_CLIENT1_CA_CERT', 'TEMPORAL_TLS_FRONTEND_SERVER_NAME']));
      expect(serverConfig.match(/requireClientAuth: true/g)).toHaveLength(2);
      const clusterScript = read('scripts/temporal-cluster.sh');
      const mounted = Object.fromEntries(Object.entries(tlsMounts(temporal)).map(([file, { to }]) => [to, file]));
      for (const variable of variables) {
        expect(env[variable]).toBeDefined();
        expect(clusterScript).toContain(`${variable}=`);
        if (variable.endsWith('_NAME')) expect(env[variable]).toBe('temporal');
        else expect(mounted[env[variable]!]).toBe(variable.endsWith('_KEY') ? 'temporal-key.pem' : variable.includes('CA_CERT') ? 'ca.pem' : 'temporal.pem');
      }
      // The image's template lists a second client CA: the same one, so no other CA's certificates get in.
      expect(env.TEMPORAL_TLS_CLIENT2_CA_CERT).toBe(env.TEMPORAL_TLS_CLIENT1_CA_CERT);
      // The name every client checks is in the server's certificate.
      expect(certsScript).toMatch(/san="DNS:temporal,/);
    });

    it('gives the namespace set-up and Koers the Koers client certificate, mounted where the settings point', () => {
      for (const name of ['temporal-setup', 'koers-worker', 'koers-api']) {
        const service = compose.services[name]!;
        const mounted = Object.fromEntries(Object.entries(tlsMounts(service)).map(([file, { to }]) => [to, file]));
        const env = service.environment!;
        expect([mounted[env.TEMPORAL_TLS_CA_PATH!], mounted[env.TEMPORAL_TLS_CERT_PATH!], mounted[env.TEMPORAL_TLS_KEY_PATH!]]).toEqual(['ca.pem', 'koers.pem', 'koers-key.pem']);
        expect(env.TEMPORAL_TLS_SERVER_NAME).toBe('temporal');
      }
      expect(read('deploy/temporal-setup.sh')).toMatch(/--tls-cert-path "\$TEMPORAL_TLS_CERT_PATH"/);
    });

    it('keeps the Web UI read-only, on TLS to the frontend with host-name verification', () => {
      const ui = compose.services['temporal-ui']!;
      const env = ui.environment!;
      expect(env.TEMPORAL_DISABLE_WRITE_ACTIONS).toBe('true');
      expect(env.TEMPORAL_TLS_ENABLE_HOST_VERIFICATION).toBe('true');
      expect(env.TEMPORAL_TLS_SERVER_NAME).toBe('temporal');
      const mounted = Object.fromEntries(Object.entries(tlsMounts(ui)).map(([file, { to }]) => [to, file]));
      expect([mounted[env.TEMPORAL_TLS_CA!], mounted[env.TEMPORAL_TLS_CERT!], mounted[env.TEMPORAL_TLS_KEY!]]).toEqual(['ca.pem', 'ui.pem', 'ui-key.pem']);
    });

    it('publishes Temporal and its UI on loopback only, and nothing else but the API', () => {
      for (const [name, service] of Object.entries(compose.services)) {
        for (const port of service.ports ?? []) {
          if (name === 'koers-api') continue;
          expect(`${name} ${port}`).toMatch(new RegExp(`^${name} 127\\.0\\.0\\.1:\\d+:\\d+$`));
        }
      }
      expect(Object.entries(compose.services).filter(([, s]) => s.ports?.length).map(([name]) => name).sort()).toEqual(['koers-api', 'temporal', 'temporal-ui']);
    });
  });

  describe('runs the Temporal cluster as scripts/temporal-cluster.sh does (tested by npm run test:cluster)', () => {
    const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
    const clusterScript = read('scripts/temporal-cluster.sh');
    // The server's own template syntax ({{ env "X" }}) stands in for values the script sets at start.
    const serverConfig = parse(read('deploy/temporal-server.yaml').replace(/\{\{[^}]*\}\}/g, '0')) as {
      persistence: { numHistoryShards: number; datastores: Record<string, { sql: { pluginName: string; databaseName: string } }> };
    };
    // With YAML merge keys resolved, as compose does (the database settings are an anchor).
    const merged = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
    const temporal = merged.services.temporal!;
    const temporalEnv = temporal.environment as Record<string, string>;

    it('runs the same server version that the install step builds', () => {
      expect(temporal.image).toBe(`temporalio/server:${TEMPORAL_SERVER_VERSION}`);
      for (const [, service] of Object.entries(compose.services).filter(([, s]) => s.image?.startsWith('temporalio/admin-tools:'))) {
        expect(service.image).toBe(`temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`);
      }
      expect(read('scripts/install-tools.sh')).toContain(`TEMPORAL_SERVER_VERSION="${TEMPORAL_SERVER_VERSION}"`);
      expect(clusterScript).toContain(`TEMPORAL_SERVER_VERSION="${TEMPORAL_SERVER_VERSION}"`);
    });

    it('uses the same history shard count and PostgreSQL plugin and databases', () => {
      expect(Number(temporalEnv.NUM_HISTORY_SHARDS)).toBe(serverConfig.persistence.numHistoryShards);
      const stores = Object.values(serverConfig.persistence.datastores).map((d) => d.sql);
      expect(stores.map((s) => s.pluginName)).toEqual([temporalEnv.DB, temporalEnv.DB]);
      expect(stores.map((s) => s.databaseName).sort()).toEqual(['temporal', 'temporal_visibility']);
      expect(read('deploy/temporal-schema.sh')).toMatch(/for db in temporal temporal_visibility/);
    });

    it('mounts the dynamic config file the local cluster runs with', () => {
      const file = 'deploy/dynamicconfig/koers.yaml';
      expect(temporal.volumes).toContain(`./${file}:${temporalEnv.DYNAMIC_CONFIG_FILE_PATH}:ro`);
      expect(clusterScript).toContain(`TEMPORAL_DYNAMIC_CONFIG_FILE="$project_dir/${file}"`);
      expect(read('deploy/temporal-server.yaml')).toMatch(/dynamicConfigClient:\s+filepath: "\{\{ env "TEMPORAL_DYNAMIC_CONFIG_FILE" \}\}"/);
      // Temporal's format: each key a list of values with constraints.
      const settings = parse(read(file)) as Record<string, Array<{ value: unknown; constraints: object }>>;
      expect(Object.keys(settings).length).toBeGreaterThan(0);
      for (const values of Object.values(settings)) for (const v of values) expect(Object.keys(v).sort()).toEqual(['constraints', 'value']);
    });

    it('sets up schemas, namespace and search attributes with the same scripts', () => {
      expect(compose.services['temporal-schema']?.entrypoint).toEqual(['bash', '/deploy/temporal-schema.sh']);
      expect(compose.services['temporal-setup']?.entrypoint).toEqual(['bash', '/deploy/temporal-setup.sh']);
      expect(clusterScript).toContain('bash "$project_dir/deploy/temporal-schema.sh"');
      expect(clusterScript).toContain('bash "$project_dir/deploy/temporal-setup.sh"');
      expect(clusterScript).toContain('-f "$project_dir/deploy/postgres-init.sql"');
    });
  });
});
