import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { configVariableNames, loadConfig } from '../../../platform/config';
import { journeySearchAttributes, searchAttributeCliArgs } from '../../../platform/search-attributes';

/** No Docker engine runs here, so the compose file is checked by reading it. */
interface Service {
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  build?: unknown;
  image?: string;
}

const root = path.resolve(__dirname, '../../..');
const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
const koersServices = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);

/** Compose substitutes ${VAR:?message} from the operator's environment; use a stand-in value of the right shape. */
const substitute = (env: Record<string, string>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{[A-Z_]+:\?[^}]*\}/g, 'x'.repeat(40)).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]),
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
});
