/**
 * Privacy by design, end to end: `npm start` (embedded Temporal server, worker, API) runs a journey
 * through its main events with a BSN, a birth date, a personRef, a staff id and a task form's note;
 * then the raw Temporal database file, `temporal workflow show --output json` of every workflow, the
 * process's logs and `/metrics` are searched for each of them in clear. Then the payload key is
 * rotated, the journey goes on under the new key, and the same search finds nothing either. The
 * administrator's codec endpoint (the CLI's `--codec-endpoint`) does see the data: the search works.
 * Issue 23: with a BRP (Prism on the BRP API Personen document, test/helpers/brp-mock.ts), the name the
 * journey page shows and the BRP's answers (its birth date) are found nowhere either: not in Temporal,
 * the logs, the metrics, nor the store.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { temporalCliPath } from '../../platform/tools';
import { freePort } from '../helpers/ports';
import { brpDate, brpTestSettings, startBrpMock, type BrpMock } from '../helpers/brp-mock';
import { foundIn, storeFiles, withDecodedBase64 } from '../helpers/privacy-scan';

const root = path.resolve(__dirname, '../..');

const KEYS = {
  admin: crypto.randomBytes(18).toString('base64url'),
  caseworker: crypto.randomBytes(18).toString('base64url'),
  partner: crypto.randomBytes(18).toString('base64url'),
};
// What must never be found in clear. The staff id is the caseworker key's name (tasks are assigned to it).
const PERSONAL = {
  bsn: '111222333',
  birthDate: '1988-07-19',
  personRef: 'PREF-8812-ZX',
  staffId: 'cw-privacy-4471',
  formNote: 'spreekt Tigrinya, wil graag bij een fietsenmaker werken',
  secondBsn: '123456782',
  secondBirthDate: '1991-11-03',
  secondPersonRef: 'PREF-9931-QK',
  // What the BRP answers (issue 23): a name and a birth date Koers never registered.
  brpName: 'Selamawit Berhane Tsegay',
  brpBirthDate: '1986-09-17',
};
const payloadKey = () => crypto.randomBytes(32).toString('base64');
const [KEY_A, KEY_B] = [payloadKey(), payloadKey()];

interface Running {
  child: ChildProcess;
  logs: string[];
  exited: Promise<number | null>;
}

// Two full starts of Koers (embedded server, worker, API) and a CLI call per workflow.
jest.setTimeout(300_000);

describe('personal data stays out of Temporal, logs and metrics', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'koers-privacy-'));
  const keysFile = path.join(dataDir, 'api-keys.json');
  const brpFile = path.join(dataDir, 'brp.json');
  let brp: BrpMock;
  let ports: { api: number; temporal: number; ui: number; metrics: number };
  const allLogs: string[] = [];
  let koers: Running | undefined;

  beforeAll(async () => {
    ports = { api: await freePort(), temporal: await freePort(), ui: await freePort(), metrics: await freePort() };
    brp = await startBrpMock();
    for (const bsn of [PERSONAL.bsn, PERSONAL.secondBsn]) {
      brp.persons.set(bsn, { naam: { volledigeNaam: PERSONAL.brpName }, geboorte: { datum: brpDate(PERSONAL.brpBirthDate) }, gemeenteVanInschrijving: { code: '1681', omschrijving: 'Borger-Odoorn' } });
    }
    fs.writeFileSync(brpFile, JSON.stringify(brpTestSettings(brp.url)));
    fs.writeFileSync(
      keysFile,
      JSON.stringify([
        { key: KEYS.admin, role: 'admin', name: 'admin-privacy' },
        { key: KEYS.caseworker, role: 'caseworker', name: PERSONAL.staffId, municipalities: ['borger-odoorn'] },
        { key: KEYS.partner, role: 'partner', name: 'brp-borger-odoorn', municipalities: ['borger-odoorn'], eventTypes: ['nl.koers.brp.registered', 'nl.koers.bijstand.applied'] },
      ]),
    );
  });
  afterAll(async () => {
    await brp?.stop();
    if (koers && koers.child.exitCode === null) {
      koers.child.kill('SIGTERM');
      await koers.exited;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(payloadKeys: string): Promise<Running> {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(ports.api),
        KOERS_DATA_DIR: dataDir,
        KOERS_API_KEYS_FILE: keysFile,
        KOERS_BRP_FILE: brpFile,
        KOERS_SECRET_KEY: 'privacy-test-secret-0123456789-abcdefgh',
        KOERS_PAYLOAD_KEYS: payloadKeys,
        KOERS_EMBEDDED_TEMPORAL_PORT: String(ports.temporal),
        KOERS_EMBEDDED_TEMPORAL_UI_PORT: String(ports.ui),
        KOERS_WORKER_METRICS_PORT: String(ports.metrics),
        LOG_LEVEL: 'debug',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logs: string[] = [];
    child.stdout!.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      if (await fetch(`http://127.0.0.1:${ports.api}/health`).then((r) => r.ok, () => false)) return { child, logs, exited };
      if (child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`koers did not start: ${logs.join('').slice(-3000)}`);
  }

  async function stop(running: Running): Promise<void> {
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    allLogs.push(...running.logs);
  }

  const api = async (method: string, url: string, key: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${ports.api}${url}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  const event = (type: string, occurredOn: string) => ({ specversion: '1.0', id: crypto.randomUUID(), source: 'urn:nl:brp:borger-odoorn', type, data: { occurredOn } });
  async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (ok(value) || Date.now() > deadline) return value;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  // Asynchronous: a blocked event loop would let the HTTP client reuse a connection the server has since closed.
  const cli = (args: string[]) =>
    new Promise<string>((resolve, reject) =>
      execFile(temporalCliPath(), [...args, '--address', `127.0.0.1:${ports.temporal}`], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
        err ? reject(new Error(`temporal ${args.join(' ')}: ${stderr}`)) : resolve(stdout),
      ),
    );

  /** `temporal workflow show --output json` of every workflow, optionally through a codec endpoint. */
  async function showAll(codecArgs: string[] = []): Promise<string> {
    const list = (await cli(['workflow', 'list', '--output', 'json'])).trim();
    const executions = (list ? JSON.parse(list.startsWith('[') ? list : `[${list.split('\n').join(',')}]`) : []) as Array<{ execution: { workflowId: string; runId: string } }>;
    expect(executions.length).toBeGreaterThan(0);
    const shown: string[] = [];
    for (const e of executions) shown.push(await cli(['workflow', 'show', '--output', 'json', '--workflow-id', e.execution.workflowId, '--run-id', e.execution.runId, ...codecArgs]));
    return shown.join('\n');
  }

  /** Every place where one of `values` appears in clear: `where: value-name`. */
  async function scan(values: Record<string, string>): Promise<string[]> {
    const places: Record<string, string> = {};
    // The raw database file and its write-ahead log, as bytes.
    for (const file of fs.readdirSync(dataDir).filter((f) => f.startsWith('temporal.db'))) places[`database ${file}`] = fs.readFileSync(path.join(dataDir, file)).toString('latin1');
    places['temporal workflow show'] = withDecodedBase64(await showAll());
    places.logs = [...allLogs, ...(koers?.logs ?? [])].join('');
    places.metrics = await fetch(`http://127.0.0.1:${ports.api}/metrics`).then(
      (r) => r.text(),
      (err: unknown) => {
        throw new Error(`GET /metrics: ${String(err)} ${String((err as { cause?: unknown }).cause)} ${JSON.stringify((err as { cause?: unknown }).cause)}; exit ${koers?.child.exitCode}; log tail ${(koers?.logs ?? []).join('').slice(-3000)}`);
      },
    );
    return foundIn(places, values);
  }

  /** Every store file (the embedded SQLite database and its write-ahead log) where one of `values` appears. */
  const scanStore = (values: Record<string, string>): string[] => foundIn(storeFiles(path.join(dataDir, 'koers.db')), values);

  it('runs a journey with personal data, and none of it is found in clear; after a key rotation neither', async () => {
    koers = await start(`k-2026a:${KEY_A}`);

    // Create (with BSN, birth date, personRef), and a refused duplicate create.
    const create = (personRef: string, bsn: string, birthDate: string) =>
      api('POST', '/v1/journeys', KEYS.admin, { personRef, municipality: 'borger-odoorn', permitGrantedOn: '2021-06-01', birthDate, bsn });
    const created = await create(PERSONAL.personRef, PERSONAL.bsn, PERSONAL.birthDate);
    expect(created.status).toBe(201);
    const journeyId = created.body.journeyId as string;
    expect((await create(PERSONAL.personRef, PERSONAL.bsn, PERSONAL.birthDate)).status).toBe(409);

    // Partner events, a caseworker assigned by staff id, a task completed with a note.
    expect((await api('POST', `/v1/journeys/${journeyId}/events`, KEYS.partner, event('nl.koers.brp.registered', '2025-04-01'))).status).toBe(202);
    expect((await api('POST', `/v1/journeys/${journeyId}/events`, KEYS.partner, event('nl.koers.bijstand.applied', '2025-05-01'))).status).toBe(202);
    // The caseworker has used Koers, so the staff directory knows them: a journey's caseworker must be a colleague.
    expect((await api('GET', '/v1/tasks/mine', KEYS.caseworker)).status).toBe(200);
    expect((await api('PUT', `/v1/journeys/${journeyId}/caseworker`, KEYS.admin, { role: 'regisseur-werk', id: PERSONAL.staffId })).status).toBe(202);
    // The intake task among the caseworker's (a Wi2013 term from 2021 has its own overdue task too).
    const mine = await until(() => api('GET', '/v1/tasks/mine', KEYS.caseworker), (r) => ((r.body.tasks as Array<{ kind: string }>) ?? []).some((t) => t.kind === 'hold-intake'));
    const task = (mine.body.tasks as Array<{ taskId: string; kind: string }>).find((t) => t.kind === 'hold-intake')!;
    expect(task).toBeDefined();
    const completed = await api('POST', `/v1/tasks/${encodeURIComponent(task.taskId)}/complete`, KEYS.caseworker, { form: { heldOn: '2025-05-10', interpreterUsed: true, note: PERSONAL.formNote } });
    expect(completed.status).toBe(200);
    const read = await until(() => api('GET', `/v1/journeys/${journeyId}`, KEYS.admin), (r) => (r.body.milestones as { intakeHeldOn?: string })?.intakeHeldOn === '2025-05-10');
    expect(read.body.bsn).toBe(PERSONAL.bsn);

    // The administrator's codec endpoint decodes what Temporal holds: the search does find data where it is.
    const decodedShow = withDecodedBase64(await showAll(['--codec-endpoint', `http://127.0.0.1:${ports.api}/codec`, '--codec-auth', `Bearer ${KEYS.admin}`]));
    expect(decodedShow).toContain(PERSONAL.birthDate);
    expect(decodedShow).toContain(PERSONAL.formNote);
    await expect(showAll(['--codec-endpoint', `http://127.0.0.1:${ports.api}/codec`, '--codec-auth', `Bearer ${KEYS.caseworker}`])).rejects.toThrow(/401|decode|codec/i);

    // Issue 23: the BRP's answers reach the pages (the name on the journey, the prefill at registration) and nothing else.
    const person = await api('GET', `/v1/journeys/${journeyId}/person`, KEYS.caseworker);
    expect(person.body).toMatchObject({ name: PERSONAL.brpName, nameSource: 'brp' });
    const lookup = await api('POST', '/v1/persons/brp-lookup', KEYS.caseworker, { municipality: 'borger-odoorn', bsn: PERSONAL.bsn });
    expect(lookup.body).toMatchObject({ found: true, birth: { date: PERSONAL.brpBirthDate } });
    expect((await api('GET', `/v1/journeys/${journeyId}/brp-proposal`, KEYS.caseworker)).body).toEqual({ journeyId });
    expect(brp.prism.violations()).toEqual([]);
    const fromBrp = { brpName: PERSONAL.brpName, brpBirthDate: PERSONAL.brpBirthDate };

    const first = { bsn: PERSONAL.bsn, birthDate: PERSONAL.birthDate, personRef: PERSONAL.personRef, staffId: PERSONAL.staffId, formNote: PERSONAL.formNote, ...fromBrp };
    expect(await scan(first)).toEqual([]);
    // Nor in the store, which keeps other personal data sealed but never held the BRP's (the right files: the journey id is in them).
    expect(scanStore({ journeyId })).toEqual(expect.arrayContaining([expect.stringMatching(/journeyId$/)]));
    expect(scanStore(fromBrp)).toEqual([]);
    // The scan reads the right database: the (pseudonymous) journey id is in it.
    expect(fs.readFileSync(path.join(dataDir, 'temporal.db')).toString('latin1').includes(journeyId) || fs.readFileSync(path.join(dataDir, 'temporal.db-wal')).toString('latin1').includes(journeyId)).toBe(true);
    await stop(koers);

    // Rotation: a new key encrypts, the old one still decrypts the running journey's history.
    koers = await start(`k-2026b:${KEY_B},k-2026a:${KEY_A}`);
    expect((await api('POST', `/v1/journeys/${journeyId}/events`, KEYS.partner, event('nl.koers.brp.registered', '2025-04-02'))).status).toBe(202);
    const second = await create(PERSONAL.secondPersonRef, PERSONAL.secondBsn, PERSONAL.secondBirthDate);
    expect(second.status).toBe(201);
    const again = await until(() => api('GET', `/v1/journeys/${journeyId}`, KEYS.admin), (r) => r.status === 200);
    expect(again.body.bsn).toBe(PERSONAL.bsn);
    expect((await api('GET', `/v1/journeys/${second.body.journeyId as string}`, KEYS.admin)).body.bsn).toBe(PERSONAL.secondBsn);
    expect(await showAll()).toContain(Buffer.from('k-2026b').toString('base64'));
    expect(await scan({ ...first, secondBsn: PERSONAL.secondBsn, secondBirthDate: PERSONAL.secondBirthDate, secondPersonRef: PERSONAL.secondPersonRef })).toEqual([]);
    expect(scanStore(fromBrp)).toEqual([]);
    await stop(koers);
    koers = undefined;
  });
});
