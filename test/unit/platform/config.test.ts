import { loadConfig } from '../../../platform/config';
import { PROCESSING_ACTIVITIES } from '../../../processing-log';

describe('config', () => {
  it('takes every processing activity\'s URI in the register, refuses a list missing one or naming an unknown one, and the development register in production', () => {
    expect(loadConfig({}).processingActivities['person-read']).toBe('https://verwerkingsregister.example/verwerkingsactiviteiten/person-read');
    const list = PROCESSING_ACTIVITIES.map((key, i) => `${key}=https://register.gemeente.test/va/${i + 1}`);
    const config = loadConfig({ KOERS_PROCESSING_ACTIVITIES: list.join(', ') });
    expect(config.processingActivities['brp-query']).toBe(`https://register.gemeente.test/va/${PROCESSING_ACTIVITIES.indexOf('brp-query') + 1}`);
    expect(() => loadConfig({ KOERS_PROCESSING_ACTIVITIES: list.slice(1).join(',') })).toThrow(/KOERS_PROCESSING_ACTIVITIES: no URI for person-registration/);
    expect(() => loadConfig({ KOERS_PROCESSING_ACTIVITIES: [...list, 'marketing=https://x.test/1'].join(',') })).toThrow(/KOERS_PROCESSING_ACTIVITIES: "marketing" is no processing activity/);
    expect(() => loadConfig({ KOERS_PROCESSING_ACTIVITIES: list.map((e) => (e.startsWith('export=') ? 'export=not a uri' : e)).join(',') })).toThrow(/KOERS_PROCESSING_ACTIVITIES: export: must be an http\(s\) URI/);
    expect(() => loadConfig({ KOERS_MODE: 'production', KOERS_ROLE: 'worker' })).toThrow(/KOERS_PROCESSING_ACTIVITIES/);
    expect(loadConfig({ KOERS_MODE: 'production', KOERS_ROLE: 'worker', KOERS_PROCESSING_ACTIVITIES: list.join(',') }).production).toBe(true);
  });

  it('defaults to the embedded single-machine setup', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.temporal.address).toBeUndefined();
    expect(config.databaseUrl).toMatch(/^sqlite:.*koers\.db$/);
  });

  it('listens on loopback only unless told otherwise; the codec endpoint admits the embedded UI', () => {
    expect(loadConfig({}).bindAddress).toBe('127.0.0.1');
    expect(loadConfig({ KOERS_BIND_ADDRESS: '0.0.0.0' }).bindAddress).toBe('0.0.0.0');
    expect(loadConfig({ KOERS_EMBEDDED_TEMPORAL_UI_PORT: '8300' }).codecCorsOrigins).toEqual(['http://127.0.0.1:8300', 'http://localhost:8300']);
    expect(loadConfig({ KOERS_CODEC_CORS_ORIGINS: 'https://temporal.example/, http://localhost:8080' }).codecCorsOrigins).toEqual(['https://temporal.example', 'http://localhost:8080']);
    expect(loadConfig({}).requestTimeoutMs).toBe(15_000);
  });

  it('bounds the worker (cache, heap) and sheds load past a backlog by default; 0 turns heap and shedding to their off state', () => {
    expect(loadConfig({})).toMatchObject({ maxCachedWorkflows: 1000, heapMb: 1024, maxBacklogSeconds: 5 });
    expect(loadConfig({ KOERS_MAX_CACHED_WORKFLOWS: '250', KOERS_HEAP_MB: '0', KOERS_MAX_BACKLOG_SECONDS: '0' })).toMatchObject({ maxCachedWorkflows: 250, heapMb: 0, maxBacklogSeconds: 0 });
  });

  it('limits event requests to 600 a minute per key by default; a bulk feed may raise it, 0 turns it off', () => {
    expect(loadConfig({}).eventRateLimitPerMinute).toBe(600);
    expect(loadConfig({ KOERS_EVENT_RATE_LIMIT_PER_MINUTE: '12000' }).eventRateLimitPerMinute).toBe(12_000);
    expect(loadConfig({ KOERS_EVENT_RATE_LIMIT_PER_MINUTE: '0' }).eventRateLimitPerMinute).toBe(0);
  });

  it("bounds a journey's new events to 200 a day by default; 0 turns the budget off", () => {
    expect(loadConfig({}).journeyEventBudgetPerDay).toBe(200);
    expect(loadConfig({ KOERS_JOURNEY_EVENT_BUDGET_PER_DAY: '50' }).journeyEventBudgetPerDay).toBe(50);
    expect(loadConfig({ KOERS_JOURNEY_EVENT_BUDGET_PER_DAY: '0' }).journeyEventBudgetPerDay).toBe(0);
  });

  it('keeps a journey run short (a cache miss replays it) and refuses a limit outside 50-10,000', () => {
    expect(loadConfig({}).maxHistoryEvents).toBe(200);
    expect(loadConfig({ KOERS_MAX_HISTORY_EVENTS: '1000' }).maxHistoryEvents).toBe(1000);
    expect(() => loadConfig({ KOERS_MAX_HISTORY_EVENTS: '20' })).toThrow(/KOERS_MAX_HISTORY_EVENTS/);
    expect(() => loadConfig({ KOERS_MAX_HISTORY_EVENTS: '20000' })).toThrow(/KOERS_MAX_HISTORY_EVENTS/);
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
    [{ KOERS_BIND_ADDRESS: 'everywhere' }, 'KOERS_BIND_ADDRESS'],
    [{ KOERS_CODEC_CORS_ORIGINS: 'ftp://x' }, 'KOERS_CODEC_CORS_ORIGINS'],
    [{ KOERS_REQUEST_TIMEOUT_SECONDS: '0' }, 'KOERS_REQUEST_TIMEOUT_SECONDS'],
    [{ KOERS_PAYLOAD_KEYS: 'k1' }, 'KOERS_PAYLOAD_KEYS'],
    [{ KOERS_MAX_CACHED_WORKFLOWS: '5' }, 'KOERS_MAX_CACHED_WORKFLOWS'],
    [{ KOERS_HEAP_MB: '100' }, 'KOERS_HEAP_MB'],
    [{ KOERS_HEAP_MB: 'lots' }, 'KOERS_HEAP_MB'],
    [{ KOERS_MAX_BACKLOG_SECONDS: '-1' }, 'KOERS_MAX_BACKLOG_SECONDS'],
    [{ KOERS_EVENT_RATE_LIMIT_PER_MINUTE: 'many' }, 'KOERS_EVENT_RATE_LIMIT_PER_MINUTE'],
    [{ KOERS_EVENT_RATE_LIMIT_PER_MINUTE: '-5' }, 'KOERS_EVENT_RATE_LIMIT_PER_MINUTE'],
    [{ KOERS_JOURNEY_EVENT_BUDGET_PER_DAY: 'plenty' }, 'KOERS_JOURNEY_EVENT_BUDGET_PER_DAY'],
  ])('stops with one line naming the wrong setting %#', (env, name) => {
    expect(() => loadConfig(env)).toThrow(new RegExp(`^invalid setting ${name}: [^\\n]+$`));
  });
});
