/**
 * The dashboard's tables as an XLSX workbook (issue 25): opened with the same library (ExcelJS, read
 * side), every figure of every sheet equals the JSON answer of `GET /v1/statistics` for the same filter,
 * as typed cells (numbers as numbers, months and today as dates), on a population of generated journeys;
 * the workbook names no journey and no person; a role without the dashboard gets a 403, through the API
 * and through the web app's download.
 */
import ExcelJS from 'exceljs';
import request from 'supertest';
import { amsterdamDateOf } from '../../../domain/dates';
import { CLOCK_ORDER } from '../../../domain/clocks';
import { XLSX_MEDIA_TYPE } from '../../../api/export';
import { municipalityName } from '../../../web/format';
import { messagesOf, translator } from '../../../web/messages';
import { generate, write } from '../../helpers/journey-population';
import { apiHarness, KEYS, type ApiHarness, type KeyName } from './harness';

const MUNICIPALITIES = ['borger-odoorn', 'midden-drenthe'];
const t = translator('nl');

type Share = { yes: number; total: number };
interface Bucket {
  key: string;
  journeys: number;
  permitToIntakeMedianDays?: number;
  intakes: number;
  reintegrationWithin3Months: Share;
  participatieverklaringOnTime: Share;
  overdueClocks: number;
  deadlines: { within30: number; within60: number; within90: number };
}
interface Stats {
  today: string;
  journeys: number;
  unavailable: number;
  municipalities: Bucket[];
  months: Bucket[];
  steps: Record<string, Record<string, number>>;
}

/** A binary answer as a Buffer (supertest parses only text by itself). */
const binary = (res: request.Response, done: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  const stream = res as unknown as NodeJS.ReadableStream;
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
};

const workbookOf = async (body: Buffer) => {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as unknown as ArrayBuffer);
  return workbook;
};

/** A sheet's rows after the header, each as its cells' values (index 0: the first column). */
const rowsOf = (sheet: ExcelJS.Worksheet): ExcelJS.CellValue[][] => {
  const rows: ExcelJS.CellValue[][] = [];
  sheet.eachRow((row, n) => {
    if (n > 1) rows.push(Array.from({ length: sheet.columnCount }, (_, i) => row.getCell(i + 1).value));
  });
  return rows;
};

const utcDay = (day: string) => new Date(`${day}T00:00:00.000Z`);
const share = (s: Share) => (s.total === 0 ? null : s.yes / s.total);
/** A table row as the workbook must have it: the key cell, then every figure as a number (empty: none). */
const expectedRow = (key: ExcelJS.CellValue, b: Bucket): ExcelJS.CellValue[] => [
  key,
  b.journeys,
  b.permitToIntakeMedianDays ?? null,
  b.intakes,
  b.reintegrationWithin3Months.yes,
  b.reintegrationWithin3Months.total,
  share(b.reintegrationWithin3Months),
  b.participatieverklaringOnTime.yes,
  b.participatieverklaringOnTime.total,
  share(b.participatieverklaringOnTime),
  b.overdueClocks,
  b.deadlines.within30,
  b.deadlines.within60,
  b.deadlines.within90,
];

describe("the dashboard's tables as an XLSX workbook", () => {
  let h: ApiHarness;
  const generated = generate(600, { today: amsterdamDateOf(Date.now()), municipalities: MUNICIPALITIES, seed: 2025 });

  beforeAll(async () => {
    h = await apiHarness();
    for (const g of generated) await write(h.journeys, g);
  }, 120_000);
  afterAll(() => h?.stop());

  const download = (url: string, who: KeyName = 'admin') => request(h.app).get(url).set('Authorization', `Bearer ${KEYS[who]}`).buffer(true).parse(binary);

  it.each([[''], ['municipality=borger-odoorn'], ['regime=wi2013'], ['municipality=midden-drenthe&regime=wi2021&phase=inburgering']])(
    'holds every figure of GET /v1/statistics?%s exactly, as typed cells',
    async (filter) => {
      const stats = (await h.as('admin').get(`/v1/statistics?${filter}`)).body as Stats;
      expect(stats.journeys).toBeGreaterThan(0);
      const answer = await download(`/v1/statistics/workbook?${filter}`);
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe(XLSX_MEDIA_TYPE);
      expect(answer.headers['content-disposition']).toBe(`attachment; filename="dashboard-${stats.today}.xlsx"`);
      const workbook = await workbookOf(answer.body as Buffer);
      expect(workbook.worksheets.map((s) => s.name)).toEqual(['Toelichting', 'Per gemeente', 'Per maand', 'Per stap']);

      // The first sheet: today's date as a date, the filters in words, the numbers counted.
      const about = new Map(rowsOf(workbook.getWorksheet('Toelichting')!).map(([item, value]) => [item, value]));
      expect(about.get(t('workbook.today'))).toEqual(utcDay(stats.today));
      const asked = new URLSearchParams(filter);
      expect(about.get(t('workbook.filter.municipality'))).toBe(asked.get('municipality') ? municipalityName(asked.get('municipality')!) : t('workbook.filter.none'));
      expect(about.get(t('workbook.filter.regime'))).toBe(asked.get('regime') ? t(`regime.${asked.get('regime')}`) : t('workbook.filter.none'));
      expect(about.get(t('workbook.filter.phase'))).toBe(asked.get('phase') ? t(`phase.${asked.get('phase')}`) : t('workbook.filter.none'));
      expect(about.get(t('workbook.counted'))).toBe(stats.journeys);
      expect(about.get(t('workbook.unavailable'))).toBe(stats.unavailable);
      // Every figure's column is explained.
      for (const key of ['journeys', 'permitToIntake', 'intakes', 'overdue'] as const) expect(about.get(t(`workbook.${key}`))).toBe(t(`workbook.explain.${key}`));

      // The dashboard's two tables, every figure, in the dashboard's order; months as the first day of the month.
      const byMunicipality = workbook.getWorksheet('Per gemeente')!;
      expect(byMunicipality.getRow(1).getCell(1).value).toBe('Gemeente');
      expect(rowsOf(byMunicipality)).toEqual(stats.municipalities.map((b) => expectedRow(municipalityName(b.key), b)));
      const byMonth = rowsOf(workbook.getWorksheet('Per maand')!);
      expect(byMonth).toEqual(stats.months.map((b) => expectedRow(utcDay(`${b.key}-01`), b)));
      expect(byMonth.flat().every((v) => v === null || typeof v === 'number' || v instanceof Date)).toBe(true);
      expect(workbook.getWorksheet('Per maand')!.getRow(2).getCell(1).numFmt).toBe('mmmm yyyy');

      // The process view's counts per step, the clocks and statuses in Dutch.
      const clockOf = new Map(CLOCK_ORDER.map((c) => [t(`clock.${c}`), c]));
      const statusOf = new Map(['running', 'met', 'overdue', 'waived', 'ended'].map((s) => [t(`status.${s}`), s]));
      const steps: Record<string, Record<string, number>> = {};
      for (const [clock, status, running] of rowsOf(workbook.getWorksheet('Per stap')!)) {
        expect(typeof running).toBe('number');
        (steps[clockOf.get(clock as string)!] ??= {})[statusOf.get(status as string)!] = running as number;
      }
      expect(steps).toEqual(stats.steps);
    },
    60_000,
  );

  it('names no journey and no person: every text is a heading, a word of the catalogue or a municipality', async () => {
    const workbook = await workbookOf((await download('/v1/statistics/workbook')).body as Buffer);
    const catalogue = new Set<string>([...Object.values(messagesOf('nl')), ...MUNICIPALITIES.map(municipalityName), ...[30, 60, 90].map((days) => t('workbook.within', { days }))]);
    const texts = new Set<string>();
    for (const sheet of workbook.worksheets) sheet.eachRow((row) => row.eachCell((cell) => void (typeof cell.value === 'string' && texts.add(cell.value))));
    const composed = [...texts].filter((text) => !catalogue.has(text));
    // The two explanations that list several columns at once join catalogue texts with "; ".
    expect(composed.every((text) => text.split('; ').every((part) => catalogue.has(part)))).toBe(true);
    const ids = new Set(generated.map((g) => g.journeyId));
    expect([...texts].some((text) => [...ids].some((id) => text.includes(id)))).toBe(false);
  });

  it("downloads the process view's counts per step as CSV, equal to the figures' steps, from the process page", async () => {
    for (const regime of ['wi2013', 'wi2021']) {
      const stats = (await h.as('admin').get(`/v1/statistics?regime=${regime}`)).body as Stats;
      // The process view's own question, the counts only: the same counts.
      expect((await h.as('admin').get(`/v1/statistics/steps?regime=${regime}`)).body).toEqual({ today: stats.today, steps: stats.steps });
      const answer = await h.as('admin').get(`/v1/statistics/steps/export?regime=${regime}`);
      expect(answer.status).toBe(200);
      const [header, ...lines] = answer.text.replace(/^\uFEFF/, '').trimEnd().split('\n');
      expect(header).toBe('clock,status,journeys');
      const steps: Record<string, Record<string, number>> = {};
      for (const [clock, status, journeys] of lines.map((line) => line.split(','))) (steps[clock!] ??= {})[status!] = Number(journeys);
      expect(Object.keys(steps).length).toBeGreaterThan(0);
      expect(steps).toEqual(stats.steps);
      // In the order of the process.
      const order = [...new Set(lines.map((line) => line.split(',')[0]!))];
      expect(order).toEqual(CLOCK_ORDER.filter((c) => order.includes(c)));
    }
    expect((await h.as('caseworker').get('/v1/statistics/steps/export')).status).toBe(403);
    expect((await h.as('caseworker').get('/v1/statistics/steps')).status).toBe(403);

    const server = h.app.listen(0, '127.0.0.1');
    try {
      const web = request.agent(server);
      expect((await web.post('/app/sign-in').type('form').send({ apiKey: KEYS.admin })).status).toBe(303);
      const processPage = (await web.get('/app/process?regime=wi2013')).text;
      expect(processPage).toContain('href="/app/exports/process-steps.csv?regime=wi2013"');
      // Every count per step on the page, as the API counts it.
      const { steps } = (await h.as('admin').get('/v1/statistics/steps?regime=wi2013')).body as Pick<Stats, 'steps'>;
      const nl = translator('nl');
      for (const byStatus of Object.values(steps)) for (const [status, n] of Object.entries(byStatus)) expect(processPage).toContain(`${nl(`status.${status}`)}: ${n.toLocaleString('nl-NL')}</a>`);
      const download = await web.get('/app/exports/process-steps.csv?regime=wi2013').buffer(true);
      expect(download.status).toBe(200);
      // The web app's download is for people (lang=nl): each clock and status in the process view's words.
      expect(download.text).toBe((await h.as('admin').get('/v1/statistics/steps/export?regime=wi2013&lang=nl')).text);
      const [head, ...rows] = download.text.replace(/^\uFEFF/, '').trim().split('\n');
      expect(head).toBe('Termijn,Status,Trajecten');
      expect(rows.map((row) => row.split(','))).toEqual(
        CLOCK_ORDER.flatMap((clock) => Object.entries(steps[clock] ?? {}).map(([status, n]) => [nl(`clock.${clock}`), nl(`status.${status}`), String(n)])),
      );
      expect(rows.length).toBeGreaterThan(0);
      expect((await web.post('/app/sign-in').type('form').send({ apiKey: KEYS.caseworker })).status).toBe(303);
      expect((await web.get('/app/process')).text).not.toContain('process-steps.csv');
      expect((await web.get('/app/exports/process-steps.csv')).status).toBe(403);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('is refused to every role without the dashboard, and bad filters are a 400', async () => {
    for (const who of ['caseworker', 'teamLeadRole', 'reader', 'privacyOfficer', 'partnerBrp'] as const) {
      expect([who, (await download('/v1/statistics/workbook', who)).status]).toEqual([who, 403]);
    }
    expect((await download('/v1/statistics/workbook?regime=wi2030')).status).toBe(400);
    expect((await download('/v1/statistics/workbook?lang=fr')).status).toBe(400);
  });

  it('is offered on the dashboard page next to the CSV, in Dutch, and streamed through the web app to admins only', async () => {
    const server = h.app.listen(0, '127.0.0.1');
    try {
      const web = request.agent(server);
      const signIn = async (key: string) => expect((await web.post('/app/sign-in').type('form').send({ apiKey: key })).status).toBe(303);
      await signIn(KEYS.admin);
      const page = await web.get('/app/dashboard?municipality=borger-odoorn');
      expect(page.text).toContain('href="/app/exports/dashboard.csv?municipality=borger-odoorn"');
      expect(page.text).toContain('href="/app/exports/dashboard.xlsx?municipality=borger-odoorn"');
      expect(page.text).toContain(t('export.xlsx'));
      const answer = await web.get('/app/exports/dashboard.xlsx?municipality=borger-odoorn').buffer(true).parse(binary);
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe(XLSX_MEDIA_TYPE);
      const workbook = await workbookOf(answer.body as Buffer);
      const stats = (await h.as('admin').get('/v1/statistics?municipality=borger-odoorn')).body as Stats;
      expect(rowsOf(workbook.getWorksheet('Per gemeente')!)).toEqual(stats.municipalities.map((b) => expectedRow(municipalityName(b.key), b)));

      await signIn(KEYS.caseworker);
      expect((await web.get('/app/exports/dashboard.xlsx')).status).toBe(403);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
