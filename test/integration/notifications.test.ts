/**
 * The worker role's notification wiring against the integration dev server: startKoers creates the
 * daily-digest Schedule at KOERS_DIGEST_TIME (and a restart with another time moves it), a triggered
 * run queues the digest from the store, and the dispatcher delivers it as a signed webhook.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { closeClient, connectClient } from '../../platform/temporal';
import { loadConfig } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { DIGEST_SCHEDULE_ID, startKoers, type RunningKoers } from '../../platform/koers';
import { amsterdamDateOf, addDays } from '../../domain/dates';
import { taskIdFor } from '../../domain/tasks';
import { openDatabase } from '../../store/db';
import { migrateToLatest } from '../../store/migrations';
import { TaskStore } from '../../store/tasks';
import { verifyWebhookSignature, type WebhookBody } from '../../store/channels/webhook';
import { testWorkflowBundle } from '../helpers/bundle-setup';
import { testDataConverter, testPayloadKeysSetting } from '../helpers/codec';

interface Received {
  headers: http.IncomingHttpHeaders;
  raw: string;
}

describe('notifications in the worker role', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koers-notify-'));
  const secret = 'webhook-secret-0123456789';
  const received: Received[] = [];
  let receiver: http.Server;
  let client: Client;
  let koers: RunningKoers | undefined;

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      req.on('end', () => {
        received.push({ headers: req.headers, raw });
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as { port: number }).port;
    fs.writeFileSync(path.join(dir, 'notifications.json'), JSON.stringify({ users: { 'cw-e2e': { channel: 'webhook', recipient: `http://127.0.0.1:${port}/digest` } } }));
    client = await connectClient({ namespace: 'default' }, process.env.KOERS_TEST_TEMPORAL_ADDRESS!, testDataConverter);
  });

  afterAll(async () => {
    await koers?.stop();
    await client.schedule.getHandle(DIGEST_SCHEDULE_ID).delete().catch(() => undefined);
    await closeClient(client);
    receiver.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const config = (digestTime: string) =>
    loadConfig({
      KOERS_ROLE: 'worker',
      TEMPORAL_ADDRESS: process.env.KOERS_TEST_TEMPORAL_ADDRESS!,
      KOERS_DATA_DIR: dir,
      KOERS_DATABASE_URL: `sqlite:${path.join(dir, 'koers.db')}`,
      KOERS_TASK_QUEUE: `notify-${process.pid}-${Date.now()}`,
      KOERS_SECRET_KEY: 's'.repeat(40),
      KOERS_PAYLOAD_KEYS: testPayloadKeysSetting,
      KOERS_NOTIFICATIONS_FILE: path.join(dir, 'notifications.json'),
      KOERS_WEBHOOK_SECRET: secret,
      KOERS_DIGEST_TIME: digestTime,
      LOG_LEVEL: 'silent',
    });
  const start = async (digestTime: string) => {
    koers = await startKoers(config(digestTime), createLogger('silent'), { workflowBundle: await testWorkflowBundle() });
  };
  const scheduledAt = async () => {
    const { spec } = await client.schedule.getHandle(DIGEST_SCHEDULE_ID).describe();
    return { timezone: spec.timezone, calendars: spec.calendars?.map((c) => ({ hour: c.hour, minute: c.minute })) };
  };

  it('schedules the digest in Amsterdam time, moves it on a restart, and delivers a run as a signed webhook', async () => {
    // A claimed task due tomorrow, in the store the worker will open.
    const today = amsterdamDateOf(Date.now());
    const db = openDatabase(`sqlite:${path.join(dir, 'koers.db')}`);
    await migrateToLatest(db);
    const tasks = new TaskStore(db);
    await tasks.syncJourneyTasks({
      journeyId: 'j-e2e',
      municipality: 'borger-odoorn',
      tasks: [{ key: 'intake', kind: 'hold-intake', candidateGroup: 'regisseur-werk', followUpDate: today, dueDate: addDays(today, 1) }],
    });
    await tasks.claim(taskIdFor('j-e2e', 'intake'), 'cw-e2e');
    await db.destroy();

    await start('06:30');
    expect(await scheduledAt()).toEqual({ timezone: 'Europe/Amsterdam', calendars: [{ hour: [{ start: 6, end: 6, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] }] });
    await koers!.stop();
    koers = undefined;
    await start('07:15');
    expect((await scheduledAt()).calendars).toEqual([{ hour: [{ start: 7, end: 7, step: 1 }], minute: [{ start: 15, end: 15, step: 1 }] }]);

    await client.schedule.getHandle(DIGEST_SCHEDULE_ID).trigger();
    const deadline = Date.now() + 30_000;
    while (received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received).toHaveLength(1);
    const [{ headers, raw }] = received as [Received];
    expect(verifyWebhookSignature(secret, String(headers['x-koers-timestamp']), raw, String(headers['x-koers-signature']), 300)).toBe(true);
    // The run takes its date when it starts: past midnight that is tomorrow.
    expect([today, addDays(today, 1)].map((d) => `digest:cw-e2e:${d}`)).toContain(headers['idempotency-key']);
    const body = JSON.parse(raw) as WebhookBody;
    expect(body).toMatchObject({ kind: 'digest', subject: expect.stringMatching(/^Dagoverzicht .*: 1 taak$/) });
  });
});
