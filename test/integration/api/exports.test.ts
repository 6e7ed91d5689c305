/**
 * The lists and the dashboard as CSV (issue 25): every row over several store pages, the filters
 * applied, only what the caller's role may see, and the same rows and fields as the JSON lists.
 */
import { addDays } from '../../../domain/dates';
import { EXPORT_PAGE_SIZE } from '../../../api/export';
import type { TaskKind } from '../../../domain/types';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import request from 'supertest';
import { apiHarness, KEYS, type ApiHarness } from './harness';

const JOURNEYS = EXPORT_PAGE_SIZE * 2 + 17;

/** A CSV answer's rows as objects by header (the test's values hold no comma or quote). */
function parseCsv(text: string): Array<Record<string, string>> {
  const [header, ...lines] = text.replace(/^\uFEFF/, '').trimEnd().split('\n');
  const names = header!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i]!, v])));
}

const csv = (r: { text: string }) => parseCsv(r.text);

describe('CSV exports of the lists and the dashboard', () => {
  let h: ApiHarness;

  beforeAll(async () => {
    h = await apiHarness();
    // Written straight into the read model and the task store, as the journeys' own steps write them.
    for (let i = 0; i < JOURNEYS; i++) {
      const journeyId = `export-${String(i).padStart(5, '0')}`;
      const municipality = i % 3 === 0 ? 'midden-drenthe' : 'borger-odoorn';
      const dueDate = addDays('2026-01-01', i % 400);
      await h.journeys.write({
        journeyId,
        seq: 1,
        municipality,
        regime: 'wi2021',
        phase: i % 2 ? 'intake' : 'arrival',
        runStatus: 'running',
        caseworker: { role: 'regisseur-werk' },
        view: {},
        deadlines: [{ clock: 'pip', finalDate: dueDate, open: true }],
        startedAt: new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString(),
      });
      await h.tasks.syncJourneyTasks({
        journeyId,
        municipality,
        caseworkerRole: 'regisseur-werk',
        tasks: [{ key: 'draw-up-pip', kind: 'draw-up-pip' as TaskKind, candidateGroup: 'regisseur-werk', followUpDate: dueDate, dueDate, ...(i % 5 === 0 ? { assignee: 'cw-anna' } : i % 7 === 0 ? { assignee: 'cw-bram' } : {}) }],
      });
    }
  }, 120_000);

  afterAll(() => h?.stop());

  it('downloads every journey the admin list filters find, with the list\'s fields', async () => {
    const all = await h.as('admin').get('/v1/journeys/export');
    expect(all.status).toBe(200);
    expect(all.headers['content-type']).toMatch(/^text\/csv/);
    expect(all.headers['content-disposition']).toMatch(/^attachment; filename="trajecten-\d{4}-\d{2}-\d{2}\.csv"$/);
    const rows = csv(all);
    expect(rows).toHaveLength(JOURNEYS);
    expect(new Set(rows.map((r) => r.journeyId)).size).toBe(JOURNEYS);
    // Newest first, as the list; the same fields as its first page.
    const page = await h.as('admin').get('/v1/journeys?pageSize=3');
    expect(rows.slice(0, 3).map((r) => r.journeyId)).toEqual(page.body.journeys.map((j: { journeyId: string }) => j.journeyId));
    expect(rows[0]).toEqual({
      journeyId: page.body.journeys[0].journeyId,
      status: 'RUNNING',
      startedAt: page.body.journeys[0].startedAt,
      municipality: page.body.journeys[0].municipality,
      phase: page.body.journeys[0].phase,
      regime: 'wi2021',
      overdue: String(page.body.journeys[0].overdue),
      nextFinalDate: '',
      caseworkerRole: 'regisseur-werk',
      caseworkerId: '',
      endReason: '',
      endedOn: '',
    });

    const filtered = csv(await h.as('admin').get('/v1/journeys/export?municipality=midden-drenthe&phase=intake'));
    const count = await h.as('admin').get('/v1/journeys/count?municipality=midden-drenthe&phase=intake');
    expect(filtered).toHaveLength(count.body.count);
    expect(filtered.every((r) => r.municipality === 'midden-drenthe' && r.phase === 'intake')).toBe(true);

    expect((await h.as('caseworker').get('/v1/journeys/export')).status).toBe(403);
    const bad = await h.as('admin').get('/v1/journeys/export?phase=nowhere');
    expect(bad.status).toBe(400);
  });

  it("downloads a caseworker's tasks and the team's tasks, only of the caller's municipalities", async () => {
    const team = csv(await h.as('caseworker').get('/v1/tasks/team/export?status=all'));
    const expected = Array.from({ length: JOURNEYS }, (_, i) => i).filter((i) => i % 3 !== 0).length;
    expect(team).toHaveLength(expected);
    expect(team.every((r) => r.municipality === 'borger-odoorn' && r.kind === 'draw-up-pip')).toBe(true);
    // Sorted by due date as the list, and the list's fields.
    const first = await h.as('caseworker').get('/v1/tasks/team?status=all&pageSize=1');
    expect(team[0]).toEqual(expect.objectContaining({ taskId: first.body.tasks[0].taskId, dueDate: first.body.tasks[0].dueDate, overdue: String(first.body.tasks[0].overdue) }));

    const mine = csv(await h.as('caseworker').get('/v1/tasks/mine/export'));
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((r) => r.assignee === 'cw-anna')).toBe(true);
    const overdue = csv(await h.as('caseworker').get('/v1/tasks/team/export?overdue=true'));
    expect(overdue.every((r) => r.overdue === 'true')).toBe(true);

    expect(csv(await h.as('caseworkerOther').get('/v1/tasks/team/export?status=all')).every((r) => r.municipality === 'midden-drenthe')).toBe(true);
    expect((await h.as('partnerBrp').get('/v1/tasks/team/export')).status).toBe(403);
  });

  it("keeps my tasks mine: a behandelaar filter narrows them, it never lists another's (was: /v1/tasks/mine?assignee=cw-bram listed cw-bram's)", async () => {
    const bram = csv(await h.as('caseworker').get('/v1/tasks/team/export?assignee=cw-bram'));
    expect(bram.length).toBeGreaterThan(0);
    expect(bram.every((r) => r.assignee === 'cw-bram')).toBe(true);
    expect(csv(await h.as('caseworker').get('/v1/tasks/mine/export?assignee=cw-bram'))).toEqual([]);
    expect((await h.as('caseworker').get('/v1/tasks/mine?assignee=cw-bram')).body.tasks).toEqual([]);
    expect(csv(await h.as('caseworker').get('/v1/tasks/mine/export?assigned=false'))).toEqual([]);
    const mine = csv(await h.as('caseworker').get('/v1/tasks/mine/export'));
    expect(csv(await h.as('caseworker').get('/v1/tasks/mine/export?assignee=cw-anna'))).toEqual(mine);
  });

  it("applies every filter of the inbox page to its downloads, the behandelaar and the journey among them (was: the behandelaar was dropped)", async () => {
    const server = h.app.listen(0, '127.0.0.1');
    try {
      const web = request.agent(server);
      expect((await web.post('/app/sign-in').type('form').send({ apiKey: KEYS.caseworker })).status).toBe(303);
      const rowsOf = async (url: string) => parseCsv((await web.get(url).buffer(true)).text);
      // The pool: nobody holds the team's tasks, and none of mine is in it.
      const page = await web.get('/app/inbox?status=all&assignee=*none');
      expect(page.text).toContain('href="/app/exports/tasks-team.csv?assignee=*none&amp;status=all"');
      const pool = await rowsOf('/app/exports/tasks-team.csv?status=all&assignee=*none');
      expect(pool).toHaveLength(csv(await h.as('caseworker').get('/v1/tasks/team/export?status=all&assigned=false')).length);
      expect(pool.length).toBeGreaterThan(0);
      expect(pool.every((r) => r.Behandelaar === '')).toBe(true);
      expect(await rowsOf('/app/exports/tasks-mine.csv?status=all&assignee=*none')).toEqual([]);
      // A colleague: the team's tasks they hold; my tasks, none (the page shows none of mine either).
      const bram = await rowsOf('/app/exports/tasks-team.csv?status=all&assignee=cw-bram');
      expect(bram.length).toBeGreaterThan(0);
      expect(bram.every((r) => r.Behandelaar === 'cw-bram')).toBe(true);
      expect(await rowsOf('/app/exports/tasks-mine.csv?status=all&assignee=cw-bram')).toEqual([]);
      // One journey: its tasks only, as the page lists them.
      const journeyId = bram[0]!['Traject-id']!;
      const one = await rowsOf(`/app/exports/tasks-team.csv?status=all&journey=${journeyId}`);
      expect(one.map((r) => r['Traject-id'])).toEqual([journeyId]);
      expect((await web.get(`/app/inbox?status=all&journey=${journeyId}`)).text).toContain(`data-task-id="${one[0]!['Taak-id']}"`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("downloads the dashboard's tables with the same figures as the dashboard", async () => {
    const stats = await h.as('admin').get('/v1/statistics?municipality=borger-odoorn');
    const rows = csv(await h.as('admin').get('/v1/statistics/export?municipality=borger-odoorn'));
    expect(rows.filter((r) => r.table === 'municipality')).toEqual(
      stats.body.municipalities.map((b: { key: string; journeys: number }) => expect.objectContaining({ key: b.key, journeys: String(b.journeys) })),
    );
    expect(rows.filter((r) => r.table === 'month')).toHaveLength(stats.body.months.length);
    expect((await h.as('caseworker').get('/v1/statistics/export')).status).toBe(403);
  });

  it('streams a 20,000-row export a page at a time without holding up the API: another request is answered while the export is unfinished', async () => {
    // 200 journeys of 100 tasks each in a municipality of their own, a journey's tasks due on one day (so the list, in due order, reads them journey by journey).
    const BULK_JOURNEYS = 200;
    const PER_JOURNEY = 100;
    const bulkId = (j: number) => `bulk-${String(j).padStart(4, '0')}`;
    for (let j = 0; j < BULK_JOURNEYS; j++) {
      const dueDate = addDays('2026-01-01', j);
      await h.tasks.syncJourneyTasks({
        journeyId: bulkId(j),
        municipality: 'westerveld',
        caseworkerRole: 'regisseur-werk',
        tasks: Array.from({ length: PER_JOURNEY }, (_, k) => ({ key: `bulk-${k}`, kind: 'draw-up-pip' as TaskKind, candidateGroup: 'regisseur-werk', followUpDate: dueDate, dueDate })),
      });
    }
    // Over a Unix socket: its buffers are small and fixed (no TCP autotuning), so a client that stops reading
    // holds the export up after a few pages, as a slow client over the network does.
    const socketPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'koers-export-')), 'api.sock');
    const server = h.app.listen(socketPath);
    try {
      await once(server, 'listening');
      // The server's side of the export: 'finish' when its last byte has been handed to the socket.
      let exportFinished = false;
      const finished = new Promise<void>((resolve) =>
        server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
          if (!req.url?.startsWith('/v1/tasks/team/export')) return;
          res.on('finish', () => {
            exportFinished = true;
            resolve();
          });
        }),
      );
      const get = (urlPath: string) => http.get({ socketPath, path: urlPath, headers: { authorization: `Bearer ${KEYS.admin}` } });
      const exportRequest = get('/v1/tasks/team/export?municipality=westerveld&status=all');
      const [exportAnswer] = (await once(exportRequest, 'response')) as [http.IncomingMessage];
      expect(exportAnswer.statusCode).toBe(200);
      // Take the first part of the download, then read no further for now (a slow client).
      const chunks: Buffer[] = [];
      await new Promise<void>((resolve) =>
        exportAnswer.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          if (chunks.length === 1) {
            exportAnswer.pause();
            resolve();
          }
        }),
      );

      const [other] = (await once(get('/v1/journeys/count'), 'response')) as [http.IncomingMessage];
      expect(other.statusCode).toBe(200);
      const otherBody: Buffer[] = [];
      for await (const chunk of other) otherBody.push(chunk as Buffer);
      expect((JSON.parse(Buffer.concat(otherBody).toString('utf8')) as { count: number }).count).toBe(JOURNEYS);
      // Answered while the export was unfinished, and the export had read only the pages the client took:
      // journeys of later pages are not yet recorded as exported (api/processing.ts records each page as it is read).
      expect(exportFinished).toBe(false);
      const exported = await Promise.all(
        Array.from({ length: BULK_JOURNEYS }, async (_, j) => (await h.processingLog.records({ subject: { journeyId: bulkId(j) }, activities: ['export'] }, 1)).items.length > 0),
      );
      expect(exported[0]).toBe(true);
      expect(exported.at(-1)).toBe(false);

      exportAnswer.resume();
      await Promise.all([once(exportAnswer, 'end'), finished]);
      const rows = parseCsv(Buffer.concat(chunks).toString('utf8'));
      expect(rows).toHaveLength(BULK_JOURNEYS * PER_JOURNEY);
      expect(new Set(rows.map((r) => r.taskId)).size).toBe(BULK_JOURNEYS * PER_JOURNEY);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }, 180_000);

  it('offers the downloads on the pages, with the filters shown, and streams them through the web app', async () => {
    const server = h.app.listen(0, '127.0.0.1');
    try {
      const web = request.agent(server);
      const signIn = async (key: string) => expect((await web.post('/app/sign-in').type('form').send({ apiKey: key })).status).toBe(303);
      await signIn(KEYS.admin);
      const admin = await web.get('/app/admin?municipality=midden-drenthe&phase=intake');
      expect(admin.text).toContain('href="/app/exports/journeys.csv?municipality=midden-drenthe&amp;phase=intake"');
      expect(admin.text).toContain('Downloaden als CSV');
      const download = await web.get('/app/exports/journeys.csv?municipality=midden-drenthe&phase=intake').buffer(true);
      expect(download.status).toBe(200);
      expect(download.headers['content-disposition']).toMatch(/^attachment; filename="trajecten-/);
      const rows = parseCsv(download.text);
      expect(rows).toHaveLength((await h.as('admin').get('/v1/journeys/count?municipality=midden-drenthe&phase=intake')).body.count);
      expect((await web.get('/app/dashboard?municipality=borger-odoorn')).text).toContain('href="/app/exports/dashboard.csv?municipality=borger-odoorn"');

      await signIn(KEYS.caseworker);
      const inbox = await web.get('/app/inbox?status=all');
      expect(inbox.text).toContain('href="/app/exports/tasks-team.csv?status=all"');
      const team = parseCsv((await web.get('/app/exports/tasks-team.csv?status=all').buffer(true)).text);
      expect(team.every((r) => r.Gemeente === 'Borger-Odoorn')).toBe(true);
      expect(team.length).toBeGreaterThan(EXPORT_PAGE_SIZE);
      // The journey list is the administrators': a caseworker's session gets no download.
      expect((await web.get('/app/exports/journeys.csv')).status).toBe(403);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("gives every download of the web app for people: the page's headings and words in its language, times local (was: field names, codes, UTC)", async () => {
    const server = h.app.listen(0, '127.0.0.1');
    try {
      const web = request.agent(server);
      const signIn = async (key: string) => expect((await web.post('/app/sign-in').type('form').send({ apiKey: key })).status).toBe(303);
      const download = async (url: string) => {
        const answer = await web.get(url).buffer(true);
        expect(answer.status).toBe(200);
        return parseCsv(answer.text);
      };
      await signIn(KEYS.admin);
      const journeys = await download('/app/exports/journeys.csv?municipality=midden-drenthe');
      expect(Object.keys(journeys[0]!)).toEqual(['Traject-id', 'Status', 'Gestart op', 'Gemeente', 'Fase', 'Wet', 'Te laat', 'Eerstvolgende fatale datum', 'Rol klantmanager', 'Klantmanager', 'Reden beëindiging', 'Beëindigd op']);
      // export-00000 started 2025-01-01T00:00:00Z: 01:00 in Amsterdam (winter time).
      expect(journeys.find((r) => r['Traject-id'] === 'export-00000')).toMatchObject({ Status: 'loopt', 'Gestart op': '2025-01-01 01:00:00', Gemeente: 'Midden-Drenthe', Fase: 'aankomst', Wet: 'Wet inburgering 2021', 'Te laat': 'ja', 'Rol klantmanager': 'regisseur werk' });
      expect(journeys.every((r) => /^(\d{4}-\d{2}-\d{2})?$/.test(r['Eerstvolgende fatale datum']!))).toBe(true);
      expect(new Set(journeys.map((r) => r.Fase))).toEqual(new Set(['aankomst', 'intake']));
      const dashboard = await download('/app/exports/dashboard.csv?municipality=borger-odoorn');
      expect(dashboard[0]).toMatchObject({ Tabel: 'per gemeente', 'Gemeente of maand': 'Borger-Odoorn' });
      expect(dashboard.filter((r) => r.Tabel === 'per maand').every((r) => /^\d{4}-\d{2}$/.test(r['Gemeente of maand']!))).toBe(true);
      // The rows here have no clock rows, so no steps: the headings only.
      const steps = await web.get('/app/exports/process-steps.csv').buffer(true);
      expect(steps.text.replace(/^\uFEFF/, '').split('\n')[0]).toBe('Termijn,Status,Trajecten');

      await signIn(KEYS.caseworker);
      const tasks = await download('/app/exports/tasks-team.csv?status=all');
      expect(Object.keys(tasks[0]!)).toEqual(['Taak-id', 'Traject-id', 'Taak', 'Gemeente', 'Team', 'Behandelaar', 'Termijn', 'Opvolgdatum', 'Fatale datum', 'Status', 'Te laat', 'Afgerond door', 'Afgerond op']);
      expect(tasks[0]).toMatchObject({ Taak: 'PIP opstellen', Team: 'regisseur werk', Status: expect.stringMatching(/^(open|opgepakt)$/), 'Te laat': expect.stringMatching(/^(ja|nee)$/) });
      // The English page's download is in English; the API's own CSV (no `lang`) stays the machine's.
      expect((await web.get('/app/inbox?lang=en')).status).toBe(200);
      expect(Object.keys((await download('/app/exports/tasks-team.csv?status=all'))[0]!).slice(0, 3)).toEqual(['Task id', 'Journey id', 'Task']);
      const machine = csv(await h.as('caseworker').get('/v1/tasks/team/export?status=all'));
      expect(machine[0]).toMatchObject({ kind: 'draw-up-pip', candidateGroup: 'regisseur-werk' });
      expect((await h.as('caseworker').get('/v1/tasks/team/export?lang=fr')).status).toBe(400);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
