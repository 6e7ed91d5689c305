/**
 * The administrators' dashboard: the seed's own questions answered over every journey that matches the
 * filter, per municipality and per month, and the counts per process step. The database counts
 * (store/journeys.ts figureCounts, over the read model and its clock rows, with each status as GET
 * derives it today); medians and shares are computed here from those exact counts.
 */
import { z } from 'zod';
import { CLOCK_ORDER, isWindowClock } from '../domain/clocks';
import { addDays } from '../domain/dates';
import type { ClockName } from '../domain/types';
import type { FigureCounts, StepCount } from '../store/journeys';
import type { ApiContext } from './context';
import { CSV_RESPONSE, ExportLang, sendCsv, sendXlsx, wordOf, XLSX_RESPONSE, xlsxSheet, type CsvColumn, type XlsxColumn } from './export';
import { route, type RouteDef } from './route';
import { Statistics, StatisticsQuery, StatisticsSteps } from './schemas';
import { municipalityName } from '../web/format';
import { LANGS, translator, type Translate } from '../web/messages';

/** The workbook's filters are the dashboard's; `lang` the language of its headings and words (default Dutch). */
const StatisticsWorkbookQuery = StatisticsQuery.extend({ lang: z.enum(LANGS).default('nl').describe('The language of the headings: `nl` (default) or `en`.') });

/** "Deadlines in 30/60/90 days": running deadlines whose final date is within this many days of today. */
export const DEADLINE_HORIZONS = [30, 60, 90] as const;

type Share = { yes: number; total: number };
interface Bucket {
  journeys: number;
  /** Days from permit to intake → how many intakes took that long. */
  permitToIntake: Map<number, number>;
  reintegrationWithin3Months: Share;
  participatieverklaringOnTime: Share;
  overdueClocks: number;
  deadlines: Record<(typeof DEADLINE_HORIZONS)[number], number>;
}

const emptyBucket = (): Bucket => ({
  journeys: 0,
  permitToIntake: new Map(),
  reintegrationWithin3Months: { yes: 0, total: 0 },
  participatieverklaringOnTime: { yes: 0, total: 0 },
  overdueClocks: 0,
  deadlines: { 30: 0, 60: 0, 90: 0 },
});

/** The median of values given as value → count (the mean of the two middle ones for an even count); undefined for none. */
export function medianOfCounts(counts: ReadonlyMap<number, number>): number | undefined {
  const total = [...counts.values()].reduce((n, c) => n + c, 0);
  if (total === 0) return undefined;
  const sorted = [...counts.entries()].sort(([a], [b]) => a - b);
  // The values at 0-based positions lo and hi of the sorted list (equal for an odd count).
  const lo = Math.floor((total - 1) / 2);
  const hi = Math.floor(total / 2);
  let seen = 0;
  let low: number | undefined;
  for (const [value, count] of sorted) {
    if (low === undefined && lo < seen + count) low = value;
    if (hi < seen + count) return (low! + value) / 2;
    seen += count;
  }
  return undefined;
}

/**
 * The figures from the exact counts:
 * - journeys with a live run per municipality and per month of the permit;
 * - permit → intake: the median of the days from `permitGrantedOn` to `intakeHeldOn` (month of the permit);
 * - re-integration within three months: of the intakes whose three months are over or that started
 *   re-integration, the share that started on or before intake + 3 months (month of the intake);
 * - participatieverklaring on time: of the PVT clocks met or overdue, the share met on or before their
 *   final date (month of the final date);
 * - overdue clocks, and running deadline clocks (not service windows) whose final date falls within
 *   30/60/90 days of today (month of the final date);
 * - per clock, the number of journeys per status.
 * A month appears when one of its figures counts something.
 */
export function figures(counts: FigureCounts) {
  const byMunicipality = new Map<string, Bucket>();
  const byMonth = new Map<string, Bucket>();
  const maps = { municipality: byMunicipality, month: byMonth };
  const bucket = (map: Map<string, Bucket>, key: string) => {
    let b = map.get(key);
    if (!b) map.set(key, (b = emptyBucket()));
    return b;
  };
  let journeys = 0;
  let unavailable = 0;
  for (const row of counts.journeys) {
    journeys += row.available;
    unavailable += row.count - row.available;
    if (row.available === 0) continue;
    bucket(byMunicipality, row.municipality).journeys += row.available;
    if (row.month) bucket(byMonth, row.month).journeys += row.available;
  }
  for (const by of ['municipality', 'month'] as const) {
    for (const { key, days, count } of counts.intakes[by]) {
      const histogram = bucket(maps[by], key).permitToIntake;
      histogram.set(days, (histogram.get(days) ?? 0) + count);
    }
  }
  for (const row of counts.reintegration) {
    for (const b of [bucket(byMunicipality, row.municipality), bucket(byMonth, row.month)]) {
      b.reintegrationWithin3Months.total += row.total;
      b.reintegrationWithin3Months.yes += row.yes;
    }
  }
  for (const by of ['municipality', 'month'] as const) {
    for (const row of counts.clocks[by]) {
      if (row.clock === 'participatieverklaring' && (row.status === 'met' || row.status === 'overdue')) {
        const share = bucket(maps[by], row.key).participatieverklaringOnTime;
        share.total += row.count;
        if (row.status === 'met') share.yes += row.settledInTime;
      }
      if (row.status === 'overdue') bucket(maps[by], row.key).overdueClocks += row.count;
      // Service windows end rather than fall due: only deadlines count.
      if (row.status === 'running' && !isWindowClock(row.clock as ClockName)) {
        for (const horizon of DEADLINE_HORIZONS) {
          if (row.within[horizon]) bucket(maps[by], row.key).deadlines[horizon] += row.within[horizon];
        }
      }
    }
  }
  const sorted = (map: Map<string, Bucket>) => [...map.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, b]) => present(key, b));
  return { journeys, unavailable, municipalities: sorted(byMunicipality), months: sorted(byMonth), steps: stepsOf(counts.steps) };
}

/** The counts per step as the API answers them: per clock, per status, the running journeys there (none absent). */
export function stepsOf(counts: readonly StepCount[]): Record<string, Record<string, number>> {
  const steps: Record<string, Record<string, number>> = {};
  for (const row of counts) if (row.count > 0) (steps[row.clock] ??= {})[row.status] = row.count;
  return steps;
}

const present = (key: string, b: Bucket) => {
  const permitToIntake = medianOfCounts(b.permitToIntake);
  return {
    key,
    journeys: b.journeys,
    ...(permitToIntake !== undefined ? { permitToIntakeMedianDays: permitToIntake } : {}),
    intakes: [...b.permitToIntake.values()].reduce((n, c) => n + c, 0),
    reintegrationWithin3Months: b.reintegrationWithin3Months,
    participatieverklaringOnTime: b.participatieverklaringOnTime,
    overdueClocks: b.overdueClocks,
    deadlines: { within30: b.deadlines[30], within60: b.deadlines[60], within90: b.deadlines[90] },
  };
};

export function statisticsRoutes(ctx: ApiContext): RouteDef[] {
  return [
    route(
      {
        method: 'get',
        path: '/v1/statistics',
        operationId: 'getStatistics',
        summary: "The dashboard's figures: the seed's questions per municipality and per month, and counts per process step",
        description:
          "Counted by the database over every journey that matches the filter (the read model), with each clock's status and the phase as `GET /v1/journeys/{journeyId}` derives them today. " +
          'Journeys whose run stopped (failed, terminated, timed out, canceled, or a failing workflow task) are left out and counted in `unavailable`.',
        tags: ['administration'],
        query: StatisticsQuery,
        responses: { 200: { description: 'The figures', schema: Statistics } },
      },
      async ({ query }) => ({ status: 200, body: await statistics(query) }),
    ),
    route(
      {
        method: 'get',
        path: '/v1/statistics/steps',
        operationId: 'getStatisticsSteps',
        summary: "The process view's counts: per clock (step) and status, the running journeys",
        description: 'The `steps` of `GET /v1/statistics` with the same filters, without the other figures: one count by the database.',
        tags: ['administration'],
        query: StatisticsQuery,
        responses: { 200: { description: 'The counts per step', schema: StatisticsSteps } },
      },
      async ({ query }) => ({ status: 200, body: await steps(query) }),
    ),
    route(
      {
        method: 'get',
        path: '/v1/statistics/export',
        operationId: 'exportStatistics',
        summary: "The dashboard's tables as CSV: a row per municipality and per month",
        description: 'The same figures as `GET /v1/statistics` with the same filters; the column `table` says `municipality` or `month`.',
        tags: ['administration'],
        query: StatisticsQuery.extend(ExportLang.shape),
        responses: { 200: CSV_RESPONSE },
      },
      async ({ res, query: { lang, ...query } }) => {
        const stats = await statistics(query);
        async function* rows() {
          for (const b of stats.municipalities) yield { table: 'municipality', ...b };
          for (const b of stats.months) yield { table: 'month', ...b };
        }
        await sendCsv(res, `dashboard-${stats.today}.csv`, BUCKET_COLUMNS, rows(), lang);
        return { status: 200 };
      },
    ),
    route(
      {
        method: 'get',
        path: '/v1/statistics/steps/export',
        operationId: 'exportStatisticsSteps',
        summary: "The process view's counts as CSV: per clock (step) and status, the running journeys",
        description: 'The `steps` of `GET /v1/statistics` with the same filters, a row per clock and status, the clocks in the order of the process.',
        tags: ['administration'],
        query: StatisticsQuery.extend(ExportLang.shape),
        responses: { 200: CSV_RESPONSE },
      },
      async ({ res, query: { lang, ...query } }) => {
        const stats = await steps(query);
        await sendCsv(res, `processtappen-${stats.today}.csv`, STEP_COLUMNS, stepRows(stats.steps), lang);
        return { status: 200 };
      },
    ),
    route(
      {
        method: 'get',
        path: '/v1/statistics/workbook',
        operationId: 'exportStatisticsWorkbook',
        summary: "The dashboard's tables as an XLSX workbook: per municipality, per month and per process step",
        description:
          'The same figures as `GET /v1/statistics` with the same filters, one sheet per table with headings in the asked language (Dutch by default), ' +
          'counts and medians as numbers, shares as their two counts and a percentage, months as dates; the first sheet names the filters, the date of today (Europe/Amsterdam) and what each column means. ' +
          'Streamed a row at a time (ExcelJS `WorkbookWriter`). Figures only: no journey, person or staff member is named.',
        tags: ['administration'],
        query: StatisticsWorkbookQuery,
        responses: { 200: XLSX_RESPONSE },
      },
      async ({ res, query }) => {
        const { lang, ...filter } = query;
        const stats = await statistics(filter);
        await sendXlsx(res, `dashboard-${stats.today}.xlsx`, workbookSheets(translator(lang), filter, stats));
        return { status: 200 };
      },
    ),
  ];

  async function statistics(query: Parameters<ApiContext['journeys']['figureCounts']>[0]) {
    const today = ctx.today();
    const until = Object.fromEntries(DEADLINE_HORIZONS.map((h) => [h, addDays(today, h)]));
    const counts = await ctx.journeys.figureCounts(query, today, until);
    return { today, ...figures(counts) };
  }

  async function steps(query: Parameters<ApiContext['journeys']['stepCounts']>[0]) {
    const today = ctx.today();
    return { today, steps: stepsOf(await ctx.journeys.stepCounts(query, today)) };
  }
}

type BucketRow = ReturnType<typeof present> & { table: string };
/** The dashboard tables' columns: the figures of a bucket, shares as their two counts. */
const BUCKET_COLUMNS: Array<CsvColumn<BucketRow>> = [
  ['table', (b) => b.table, wordOf('csv.table')],
  // A municipality by its name; a month stays `YYYY-MM`, which a spreadsheet reads as a month.
  ['key', (b) => b.key, (key) => (/^\d{4}-\d{2}$/.test(key) ? key : municipalityName(key))],
  ['journeys', (b) => b.journeys],
  ['permitToIntakeMedianDays', (b) => b.permitToIntakeMedianDays],
  ['intakes', (b) => b.intakes],
  ['reintegrationWithin3MonthsYes', (b) => b.reintegrationWithin3Months.yes],
  ['reintegrationWithin3MonthsTotal', (b) => b.reintegrationWithin3Months.total],
  ['participatieverklaringOnTimeYes', (b) => b.participatieverklaringOnTime.yes],
  ['participatieverklaringOnTimeTotal', (b) => b.participatieverklaringOnTime.total],
  ['overdueClocks', (b) => b.overdueClocks],
  ['deadlinesWithin30', (b) => b.deadlines.within30],
  ['deadlinesWithin60', (b) => b.deadlines.within60],
  ['deadlinesWithin90', (b) => b.deadlines.within90],
];

type StatisticsAnswer = ReturnType<typeof figures> & { today: string };

/** The counts per step as rows: the clocks in the process's order, each status as the process view counts it. */
function stepRows(steps: StatisticsAnswer['steps']): Array<{ clock: string; status: string; running: number }> {
  return CLOCK_ORDER.flatMap((clock) => Object.entries(steps[clock] ?? {}).map(([status, running]) => ({ clock, status, running })));
}

const STEP_COLUMNS: Array<CsvColumn<ReturnType<typeof stepRows>[number]>> = [
  ['clock', (s) => s.clock, wordOf('clock')],
  ['status', (s) => s.status, wordOf('status')],
  ['journeys', (s) => s.running],
];

/**
 * The dashboard's workbook: "Toelichting" (the filters, today's date, the numbers counted and what each
 * column means), then a sheet per table of the dashboard (per municipality, per month) and the process
 * view's counts per step. Shares are given as their two counts and the share itself (empty when there
 * is nothing to divide), so a reader can recompute and add them up.
 */
export function workbookSheets(t: Translate, filter: { municipality?: string; regime?: string; phase?: string }, stats: StatisticsAnswer) {
  const share = (s: { yes: number; total: number }) => (s.total === 0 ? undefined : { share: s.yes / s.total });
  const figureColumns: Array<XlsxColumn<StatisticsAnswer['municipalities'][number]>> = [
    { header: t('workbook.journeys'), value: (b) => b.journeys },
    { header: t('workbook.permitToIntake'), value: (b) => b.permitToIntakeMedianDays },
    { header: t('workbook.intakes'), value: (b) => b.intakes },
    { header: t('workbook.reintegrationYes'), value: (b) => b.reintegrationWithin3Months.yes },
    { header: t('workbook.reintegrationTotal'), value: (b) => b.reintegrationWithin3Months.total },
    { header: t('workbook.reintegrationShare'), value: (b) => share(b.reintegrationWithin3Months) },
    { header: t('workbook.pvtYes'), value: (b) => b.participatieverklaringOnTime.yes },
    { header: t('workbook.pvtTotal'), value: (b) => b.participatieverklaringOnTime.total },
    { header: t('workbook.pvtShare'), value: (b) => share(b.participatieverklaringOnTime) },
    { header: t('workbook.overdue'), value: (b) => b.overdueClocks },
    { header: t('workbook.within', { days: 30 }), value: (b) => b.deadlines.within30 },
    { header: t('workbook.within', { days: 60 }), value: (b) => b.deadlines.within60 },
    { header: t('workbook.within', { days: 90 }), value: (b) => b.deadlines.within90 },
  ];
  const all = t('workbook.filter.none');
  const about: Array<[string, string | number | { day: string } | undefined]> = [
    [t('workbook.title'), undefined],
    [t('workbook.today'), { day: stats.today }],
    [t('workbook.filter.municipality'), filter.municipality ? municipalityName(filter.municipality) : all],
    [t('workbook.filter.regime'), filter.regime ? t(`regime.${filter.regime}`) : all],
    [t('workbook.filter.phase'), filter.phase ? t(`phase.${filter.phase}`) : all],
    [t('workbook.counted'), stats.journeys],
    [t('workbook.unavailable'), stats.unavailable],
    ['', undefined],
    [t('workbook.meaning'), undefined],
    [t('journey.municipality'), t('workbook.explain.municipality')],
    [t('dashboard.month'), t('workbook.explain.month')],
    [t('workbook.journeys'), t('workbook.explain.journeys')],
    [t('workbook.permitToIntake'), t('workbook.explain.permitToIntake')],
    [t('workbook.intakes'), t('workbook.explain.intakes')],
    [`${t('workbook.reintegrationYes')}; ${t('workbook.reintegrationTotal')}; ${t('workbook.reintegrationShare')}`, t('workbook.explain.reintegration')],
    [`${t('workbook.pvtYes')}; ${t('workbook.pvtTotal')}; ${t('workbook.pvtShare')}`, t('workbook.explain.pvt')],
    [t('workbook.overdue'), t('workbook.explain.overdue')],
    [[30, 60, 90].map((days) => t('workbook.within', { days })).join('; '), t('workbook.explain.within')],
    [t('workbook.sheet.steps'), t('workbook.explain.steps')],
  ];
  const steps = stepRows(stats.steps);
  return [
    xlsxSheet(t('workbook.sheet.about'), [
      { header: t('workbook.item'), value: ([item]) => item, width: 70 },
      { header: t('workbook.value'), value: ([, value]) => value, width: 70 },
    ], about),
    xlsxSheet(t('workbook.sheet.municipalities'), [{ header: t('journey.municipality'), value: (b) => municipalityName(b.key), width: 24 }, ...figureColumns], stats.municipalities),
    xlsxSheet(t('workbook.sheet.months'), [{ header: t('dashboard.month'), value: (b) => ({ month: b.key }), width: 16 }, ...figureColumns], stats.months),
    xlsxSheet(t('workbook.sheet.steps'), [
      { header: t('workbook.step'), value: (s) => t(`clock.${s.clock}`), width: 40 },
      { header: t('workbook.status'), value: (s) => t(`status.${s.status}`), width: 16 },
      { header: t('workbook.running'), value: (s) => s.running },
    ], steps),
  ];
}
