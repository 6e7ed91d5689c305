import { loadConfig } from '../../../platform/config';

describe('config', () => {
  it('defaults to the embedded single-machine setup', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.temporal.address).toBeUndefined();
    expect(config.databaseUrl).toMatch(/^sqlite:.*koers\.db$/);
  });

  it('connects to a cluster with TLS when an API key is set', () => {
    const config = loadConfig({ TEMPORAL_ADDRESS: 'temporal.example:7233', TEMPORAL_NAMESPACE: 'koers', TEMPORAL_API_KEY: 'k' });
    expect(config.temporal).toMatchObject({ address: 'temporal.example:7233', namespace: 'koers', tls: true, apiKey: 'k' });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ TEMPORAL_ADDRESS: 'no-port' }, 'TEMPORAL_ADDRESS'],
    [{ KOERS_DATABASE_URL: 'mysql://x' }, 'KOERS_DATABASE_URL'],
    [{ TEMPORAL_TLS: 'yes' }, 'TEMPORAL_TLS'],
    [{ TEMPORAL_TLS_CERT_PATH: '/c.pem' }, 'TEMPORAL_TLS_CERT_PATH'],
    [{ KOERS_SECRET_KEY: 'short' }, 'KOERS_SECRET_KEY'],
  ])('stops with one line naming the wrong setting %#', (env, name) => {
    expect(() => loadConfig(env)).toThrow(new RegExp(`^invalid setting ${name}: [^\\n]+$`));
  });
});
