/** Temporal out of reach: a 503 the caller can retry, not a 500; health says degraded. */
import request from 'supertest';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../../api/app';
import { ApiKeys } from '../../../api/auth';
import { AuditStore, migrateAuditStore } from '../../../api/audit-store';
import { Identity } from '../../../api/identity';
import { openDatabase } from '../../../store/db';
import { migrateToLatest } from '../../../store/migrations';
import { TaskStore } from '../../../store/tasks';
import { PersonIndex } from '../../../store/persons';
import { JourneyReadModel } from '../../../store/journeys';
import { PolicyVersions } from '../../../store/policies';
import { StaffDirectory } from '../../../staff/directory';
import { KEY_ENTRIES, KEYS, cloudEvent } from './harness';
import { JourneySignals } from '../../../store/journey-signals';
import { developmentActivityUris, StoredProcessingLog } from '../../../processing-log';

it('answers 503 when Temporal cannot be reached, and changes nothing', async () => {
  const db = openDatabase('sqlite::memory:');
  await migrateToLatest(db);
  await migrateAuditStore(db);
  // Port 9 (discard) on loopback: nothing answers gRPC there.
  const connection = Connection.lazy({ address: '127.0.0.1:9', connectTimeout: 500 });
  const logger = { info: () => undefined, warn: () => undefined, error: jest.fn() };
  const audit = new AuditStore(db);
  const app = createApp({ client: new Client({ connection }), taskQueue: 'x', keys: new ApiKeys(KEY_ENTRIES), identity: new Identity('s'.repeat(40)), logger, tasks: new TaskStore(db), persons: new PersonIndex(db), journeys: new JourneyReadModel(db), policies: new PolicyVersions(db), staff: new StaffDirectory(db), journeySignals: new JourneySignals(db), processingLog: new StoredProcessingLog(db, new Identity('s'.repeat(40)), developmentActivityUris()), audit, temporalTimeoutMs: 1500 });
  try {
    // Each waits at most its deadline (the client would retry an unreachable server for long).
    const started = Date.now();
    const [count, event, health] = await Promise.all([
      // A journey the read model has no row of is asked of Temporal.
      request(app).get('/v1/journeys/j-somejourney0000000000').set('Authorization', `Bearer ${KEYS.admin}`),
      request(app)
        .post('/v1/journeys/j-somejourney0000000000/events')
        .set('Authorization', `Bearer ${KEYS.partnerBrp}`)
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(cloudEvent('nl.koers.brp.registered', { occurredOn: '2025-04-01' }))),
      request(app).get('/health'),
    ]);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(count.status).toBe(503);
    expect(count.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(event.status).toBe(503);
    expect(await audit.forJourney('j-somejourney0000000000')).toEqual([]);
    expect(health.status).toBe(503);
    expect(health.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(health.body).toEqual({ type: 'about:blank', title: 'Service unavailable', status: 503, detail: 'Temporal cannot be reached.', temporal: 'unreachable' });
    expect(logger.error).not.toHaveBeenCalled();
  } finally {
    await connection.close().catch(() => undefined);
    await db.destroy();
  }
});
