/**
 * Downloads of the lists and the dashboard as CSV (RFC 4180, UTF-8 with a byte order mark so
 * spreadsheet programs read accents right), written by `csv-stringify`, and of the dashboard's tables as
 * an XLSX workbook, written by ExcelJS's streaming `WorkbookWriter`. Every row of the list with the
 * filters applied, the same fields its JSON answer gives the caller's role and no others.
 *
 * Streamed: rows come a keyset page at a time from the store and are pulled only as fast as the client
 * reads (Readable.from over an async generator: the next page is fetched when the socket has drained),
 * so a large export holds one page in memory and the API keeps answering between its pages.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import { z } from 'zod';
import { journeyStateText, localTimestamp } from '../web/format';
import { LANGS, translator, type Lang, type Translate } from '../web/messages';

/** The rows a page-by-page export reads per query of the store. */
export const EXPORT_PAGE_SIZE = 1000;

/** The declared answer of an export operation (the OpenAPI document). */
export const CSV_RESPONSE = {
  description: 'CSV (RFC 4180, UTF-8 with BOM), a header row and then every row, streamed',
  contentType: 'text/csv',
  headers: { 'Content-Disposition': { description: 'attachment; filename=…', schema: { type: 'string' } } },
};

/** The media type of an XLSX workbook (Office Open XML, ECMA-376). */
export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The declared answer of a workbook download (the OpenAPI document). */
export const XLSX_RESPONSE = {
  description: 'An XLSX workbook (Office Open XML), streamed: numbers and dates as typed cells',
  contentType: XLSX_MEDIA_TYPE,
  headers: CSV_RESPONSE.headers,
};

/** A cell's machine value: a text (codes, `YYYY-MM-DD` days, ISO-8601 instants in UTC), a number, a yes/no, or empty. */
export type CsvValue = string | number | boolean | undefined;

/**
 * A column of a list's one formatter table: its machine header, how a row gives its machine value
 * (undefined: empty), and how the people's form words a non-empty text value (e.g. a task kind as the
 * page names it). The people's heading is the catalogue's `label`, by default `csv.<header>` (web/messages.ts); without a
 * `words`, a yes/no reads "ja"/"nee" and an instant its local time (`localTimestamp`), other values as they are.
 */
export type CsvColumn<R> = [header: string, value: (row: R) => CsvValue, words?: (value: string, t: Translate) => string, label?: string];

/** `words` of a code the catalogue names as `<prefix>.<code>`; a code it does not name stays as it is (never hidden). */
export const wordOf =
  (prefix: string) =>
  (value: string, t: Translate): string => {
    const key = `${prefix}.${value}`;
    const text = t(key);
    return text === key ? value : text;
  };

/** `words` of a journey's run status (`RUNNING`, `completed`, …): the pages' own wording (web/format.ts `journeyStateText`). */
export const journeyStatusWords = (value: string, t: Translate): string => journeyStateText(t, value);

/**
 * `lang` of an export operation: absent, the machine CSV for systems (the headers and codes above, instants
 * in UTC); `nl` or `en`, the people's form a download from the web app gives (docs/web-app.md).
 */
export const ExportLang = z.object({
  lang: z
    .enum(LANGS)
    .optional()
    .describe(
      "Absent: the machine CSV (field names, codes, `true`/`false`, instants in UTC). `nl` or `en`: for people - the web app's headings and words in that language, yes/no as words, instants as local time in Europe/Amsterdam (`YYYY-MM-DD HH:MM:SS`), days as `YYYY-MM-DD`.",
    ),
});

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** A cell as people read it in `t`'s language: see `CsvColumn`. */
function peopleCell(value: CsvValue, words: CsvColumn<unknown>[2], t: Translate): string | number | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'boolean') return t(value ? 'yes' : 'no');
  if (words) return words(String(value), t);
  if (typeof value === 'number') return value;
  return INSTANT.test(value) ? localTimestamp(value) : value;
}

/**
 * Writes `rows` to `res` as a CSV attachment named `filename`: headers first, then rows as the client
 * takes them; with `lang`, in the people's form of that language (`ExportLang`). Resolves when the last
 * row is written; rejects when the client goes away or a page fails (the answer is then cut off: a
 * client sees an incomplete download, never a silently short one).
 */
export async function sendCsv<R>(res: Response, filename: string, columns: Array<CsvColumn<R>>, rows: Iterable<R> | AsyncIterable<R>, lang?: Lang): Promise<void> {
  res.status(200);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  const t = lang ? translator(lang) : undefined;
  async function* records() {
    for await (const row of rows) yield columns.map(([, value, words]) => (t ? peopleCell(value(row), words, t) : value(row)) ?? '');
  }
  const headers = columns.map(([header, , , label]) => (t ? t(label ?? `csv.${header}`) : header));
  await pipeline(Readable.from(records()), stringify({ bom: true, header: true, columns: headers, cast: { boolean: (b) => (b ? 'true' : 'false') } }), res);
}

/** Every item of a keyset-paged source: `page(cursor)` answers items and the next cursor (none: the last page). */
export async function* allPages<T>(page: (cursor: string | undefined) => Promise<{ items: T[]; next?: string }>): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const { items, next } = await page(cursor);
    yield* items;
    cursor = next;
  } while (cursor !== undefined);
}

/**
 * A cell of a workbook: a number (a typed numeric cell), a text, a calendar day `YYYY-MM-DD` or a month
 * `YYYY-MM` as a typed date cell (`{ day }`, `{ month }`: the day at 00:00 UTC, which is the serial
 * number of that calendar day in a spreadsheet, so no time zone shifts it), a share (a number shown as a
 * percentage), or empty.
 */
export type XlsxCell = number | string | { day: string } | { month: string } | { share: number } | undefined;

/** A column of a sheet: its header, how a row gives its cell, and its width in characters. */
export interface XlsxColumn<R> {
  header: string;
  value: (row: R) => XlsxCell;
  width?: number;
}

/** A sheet of a workbook, ready to be written: see `xlsxSheet`. */
export interface XlsxSheet {
  name: string;
  write: (workbook: ExcelJS.stream.xlsx.WorkbookWriter) => Promise<void>;
}

const DAY_FORMAT = 'dd-mm-yyyy';
const MONTH_FORMAT = 'mmmm yyyy';
const SHARE_FORMAT = '0.0%';

/** A cell's value and number format as ExcelJS writes it. */
function typedCell(cell: XlsxCell): { value: ExcelJS.CellValue; numFmt?: string } {
  if (cell === undefined || typeof cell === 'number' || typeof cell === 'string') return { value: cell ?? null };
  if ('share' in cell) return { value: cell.share, numFmt: SHARE_FORMAT };
  const [y, m, d] = ('day' in cell ? cell.day : `${cell.month}-01`).split('-').map(Number) as [number, number, number];
  return { value: new Date(Date.UTC(y, m - 1, d)), numFmt: 'day' in cell ? DAY_FORMAT : MONTH_FORMAT };
}

/** A sheet named `name` (at most 31 characters, a spreadsheet's limit): a bold header row, then a row per item of `rows`. */
export function xlsxSheet<R>(name: string, columns: Array<XlsxColumn<R>>, rows: Iterable<R> | AsyncIterable<R>): XlsxSheet {
  return {
    name,
    write: async (workbook) => {
      const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
      sheet.columns = columns.map((c) => ({ header: c.header, width: c.width ?? Math.min(60, Math.max(12, c.header.length + 2)) }));
      sheet.getRow(1).font = { bold: true };
      sheet.getRow(1).commit();
      for await (const item of rows) {
        const row = sheet.addRow([]);
        columns.forEach((column, i) => {
          const { value, numFmt } = typedCell(column.value(item));
          const cell = row.getCell(i + 1);
          cell.value = value;
          if (numFmt) cell.numFmt = numFmt;
        });
        row.commit();
      }
      sheet.commit();
    },
  };
}

/**
 * Writes `sheets` to `res` as an XLSX attachment named `filename`, a row at a time into the zip stream
 * (ExcelJS `WorkbookWriter`): a committed row is not held by the workbook. ExcelJS does not wait for a
 * slow client between rows, so this serves tables of bounded size (the dashboard's: a row per
 * municipality, month or step); a list of unbounded length goes out as CSV (`sendCsv`, with backpressure).
 * Resolves when the workbook is complete; rejects when a row's source fails (the answer is then cut
 * off, never silently short).
 */
export async function sendXlsx(res: Response, filename: string, sheets: XlsxSheet[]): Promise<void> {
  res.status(200);
  res.setHeader('Content-Type', XLSX_MEDIA_TYPE);
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: res, useStyles: true, useSharedStrings: false });
  try {
    for (const sheet of sheets) await sheet.write(workbook);
    await workbook.commit();
  } catch (error) {
    res.destroy(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
}
