import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { startKoers, type RunningKoers } from '../../platform/koers';
import { testWorkflowBundle } from '../helpers/bundle-setup';
import { freePort } from '../helpers/ports';

/**
 * The `npm start` path end to end: embedded Temporal server persisting to a file, worker and API.
 * A journey started over HTTP takes an event, and its state survives a restart of everything.
 */
describe('npm start, end to end', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'koers-smoke-'));
  const keysFile = path.join(dataDir, 'keys.json');
  const adminKey = 'smoke-admin-key-0123456789';
  const partnerKey = 'smoke-partner-key-0123456789';
  let koers: RunningKoers | undefined;
  let env: Record<string, string>;

  beforeAll(async () => {
    fs.writeFileSync(
      keysFile,
      JSON.stringify([
        { key: adminKey, role: 'admin', name: 'smoke admin' },
        { key: partnerKey, role: 'partner', name: 'gemeente BRP', municipalities: ['borger-odoorn'], eventTypes: ['nl.koers.brp.registered'] },
      ]),
    );
    env = {
      PORT: String(await freePort()),
      KOERS_DATA_DIR: dataDir,
      KOERS_API_KEYS_FILE: keysFile,
      KOERS_EMBEDDED_TEMPORAL_PORT: String(await freePort()),
      KOERS_EMBEDDED_TEMPORAL_UI_PORT: String(await freePort()),
      LOG_LEVEL: 'silent',
    };
  });

  afterAll(async () => {
    await koers?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async () => {
    koers = await startKoers(loadConfig(env), createLogger('silent'), { workflowBundle: await bundle });
    return koers.apiUrl!;
  };
  const bundle = testWorkflowBundle();

  const call = (url: string, key: string, method = 'GET', body?: unknown) =>
    fetch(url, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });

  async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (ok(value) || Date.now() > deadline) return value;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('starts, takes a signal, answers a query, and keeps the state across a restart', async () => {
    let api = await start();
    const health = await fetch(`${api}/health`);
    expect(await health.json()).toMatchObject({ status: 'ok', temporal: 'reachable', apiKeys: 'current', store: 'writable', disk: 'ok' });

    const created = await call(`${api}/v1/journeys`, adminKey, 'POST', {
      personRef: 'smoke-1',
      municipality: 'borger-odoorn',
      permitGrantedOn: '2025-03-14',
      birthDate: '1990-05-01',
    });
    expect(created.status).toBe(201);
    const { journeyId } = (await created.json()) as { journeyId: string };
    expect(created.headers.get('location')).toBe(`/v1/journeys/${journeyId}`);

    // The Temporal Web UI (embedded in the dev server) shows the journey workflow.
    const ui = await fetch(`${koers!.temporalUiUrl}/api/v1/namespaces/default/workflows/${journeyId}`);
    expect(ui.status).toBe(200);
    const shown = (await ui.json()) as { workflowExecutionInfo: { type: { name: string } } };
    expect(shown.workflowExecutionInfo.type.name).toBe('journeyWorkflow');

    const accepted = await call(`${api}/v1/journeys/${journeyId}/events`, partnerKey, 'POST', {
      specversion: '1.0',
      id: 'brp-1',
      source: 'urn:nl:brp:borger-odoorn',
      type: 'nl.koers.brp.registered',
      data: { occurredOn: '2025-04-01' },
    });
    expect(accepted.status).toBe(202);

    type Journey = { today: string; regime: string; clocks: Array<{ name: string; startsOn: string; finalDate: string }> };
    const read = async () => (await (await call(`${api}/v1/journeys/${journeyId}`, adminKey)).json()) as Journey;
    const before = await eventually(read, (j) => j.clocks.some((c) => c.name === 'maatschappelijke-begeleiding'), 1000);
    expect(before.regime).toBe('wi2021');
    expect(before.clocks.find((c) => c.name === 'maatschappelijke-begeleiding')).toMatchObject({ startsOn: '2025-04-01', finalDate: '2026-10-01' });

    await koers!.stop();
    koers = undefined;
    api = await start();
    const after = await read();
    expect(after).toEqual({ ...before, today: after.today });
  });
});
