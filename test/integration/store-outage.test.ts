/**
 * The task store's database unavailable for a while (issue 8, fault tests): PostgreSQL refuses every
 * connection and ends the open ones, while journeys go on deciding tasks and notifications. The
 * process survives, the API answers 503 with Retry-After where it needs the database, and once the
 * database is back the task projection and the outbox catch up through activity retries: each journey
 * ends with exactly the tasks and notifications of a journey that never saw the outage.
 */
import { randomBytes } from 'node:crypto';
import { Client as PgClient } from 'pg';
import type { JourneyEvent } from '../../domain/events';
import { eventSignal } from '../../workflows/definitions';
import { apiHarness, eventually, type ApiHarness } from './api/harness';

jest.setTimeout(180_000);

const postgresUrl = process.env.KOERS_TEST_POSTGRES_URL;
const JOURNEYS = 10;
const OUTAGE_MS = 8000;
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

async function admin(text: string): Promise<void> {
  const client = new PgClient({ connectionString: postgresUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

const describeWithPostgres = postgresUrl ? describe : process.env.CI ? describe : describe.skip;

describeWithPostgres('the task store database unavailable for a while', () => {
  if (!postgresUrl) {
    it('runs against PostgreSQL', () => {
      throw new Error('KOERS_TEST_POSTGRES_URL is not set: start a server with scripts/test-postgres.sh start and export its URL');
    });
    return;
  }
  const dbName = `koers_outage_${randomBytes(5).toString('hex')}`;
  let h: ApiHarness;
  const figures: Record<string, unknown> = {};

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${dbName}`);
    const url = new URL(postgresUrl);
    url.pathname = `/${dbName}`;
    h = await apiHarness({ worker: true, databaseUrl: url.toString() });
  });
  afterAll(async () => {
    console.log(`store outage run: ${JSON.stringify(figures)}`);
    await admin(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS true`).catch(() => undefined);
    await h?.stop();
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  });

  // Signalled straight to Temporal, as events accepted before the outage reach their journeys.
  const events = (run: string): JourneyEvent[] => [
    { source: 'urn:nl:test:outage', id: `${run}-bijstand`, type: 'nl.koers.bijstand.applied', occurredOn: daysAgo(20), data: { occurredOn: daysAgo(20) }, receivedAt: new Date().toISOString() },
    { source: 'urn:nl:test:outage', id: `${run}-intake`, type: 'nl.koers.intake.held', occurredOn: daysAgo(100), data: { occurredOn: daysAgo(100) }, receivedAt: new Date().toISOString() },
  ];
  const shape = async (journeyId: string) => {
    const tasks = await h.db.selectFrom('tasks').select(['key', 'status']).where('journey_id', '=', journeyId).orderBy('key').execute();
    const outbox = await h.db.selectFrom('outbox').select('idempotency_key').where('idempotency_key', 'like', `${journeyId}:%`).orderBy('idempotency_key').execute();
    return JSON.stringify({ tasks: tasks.map((t) => `${t.key}:${t.status}`), notifications: outbox.map((o) => o.idempotency_key.slice(journeyId.length + 1)) });
  };

  it('catches up the task projection and the outbox, losing and doubling nothing', async () => {
    const journeyIds: string[] = [];
    for (let i = 0; i < JOURNEYS; i++) journeyIds.push(await h.createJourney({ permitGrantedOn: daysAgo(120) }));
    for (const id of journeyIds) await h.settled(id, 200);

    // The outage: no new connections, and the open ones ended (as a restart or fail-over does).
    const down = Date.now();
    await admin(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS false`);
    await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${dbName}'`);
    for (const [i, id] of journeyIds.entries()) for (const event of events(`j${i}`)) await h.client.workflow.getHandle(id).signal(eventSignal, event);

    // Meanwhile: what needs the store is a 503 to retry; reading a journey still works (the read model
    // unreachable, the journey answers its query).
    const refused = await h.as('partnerBrp').post(`/v1/journeys/${journeyIds[0]}/events`, {
      specversion: '1.0', id: 'during-outage', source: 'urn:nl:test', type: 'nl.koers.brp.registered', data: { occurredOn: daysAgo(5) },
    });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    const during = await h.as('admin').get(`/v1/journeys/${journeyIds[0]}`);
    expect(during.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, OUTAGE_MS - (Date.now() - down))));
    await admin(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS true`);
    const up = Date.now();
    figures.outageSeconds = Math.round((up - down) / 100) / 10;

    // A journey that never saw the outage: the same facts, decided with the store up.
    const referenceId = await h.createJourney({ permitGrantedOn: daysAgo(120) });
    for (const event of events('reference')) await h.client.workflow.getHandle(referenceId).signal(eventSignal, event);
    await h.settled(referenceId, 300);
    const reference = await shape(referenceId);
    expect(JSON.parse(reference).tasks.length).toBeGreaterThan(0);
    expect(JSON.parse(reference).notifications.length).toBeGreaterThan(0);

    const caughtUp = await eventually(
      async () => (await Promise.all(journeyIds.map(shape))).filter((s) => s === reference).length,
      (n) => n === JOURNEYS,
      60_000,
    );
    figures.journeys = JOURNEYS;
    figures.catchUpSecondsAfterRestore = Math.round((Date.now() - up) / 100) / 10;
    figures.journeysCaughtUp = caughtUp;
    figures.tasksPerJourney = JSON.parse(reference).tasks.length;
    figures.notificationsPerJourney = JSON.parse(reference).notifications.length;
    expect(caughtUp).toBe(JOURNEYS);
    // The journeys' own view agrees with the projection.
    for (const id of journeyIds) {
      const journey = (await h.as('admin').get(`/v1/journeys/${id}`)).body as { openTasks: unknown[] };
      const open = await h.db.selectFrom('tasks').select('id').where('journey_id', '=', id).where('status', 'in', ['open', 'claimed']).execute();
      expect(open).toHaveLength(journey.openTasks.length);
    }
  });
});
