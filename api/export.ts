/**
 * Downloads of the lists and the dashboard as CSV (RFC 4180, UTF-8 with a byte order mark so
 * spreadsheet programs read accents right), written by `csv-stringify`. Every row of the list with the
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

/** The rows a page-by-page export reads per query of the store. */
export const EXPORT_PAGE_SIZE = 1000;

/** The declared answer of an export operation (the OpenAPI document). */
export const CSV_RESPONSE = {
  description: 'CSV (RFC 4180, UTF-8 with BOM), a header row and then every row, streamed',
  contentType: 'text/csv',
  headers: { 'Content-Disposition': { description: 'attachment; filename=…', schema: { type: 'string' } } },
};

/** A column: its header and how a row gives its value (undefined: empty). */
export type CsvColumn<R> = [header: string, value: (row: R) => string | number | boolean | undefined];

/**
 * Writes `rows` to `res` as a CSV attachment named `filename`: headers first, then rows as the client
 * takes them. Resolves when the last row is written; rejects when the client goes away or a page
 * fails (the answer is then cut off: a client sees an incomplete download, never a silently short one).
 */
export async function sendCsv<R>(res: Response, filename: string, columns: Array<CsvColumn<R>>, rows: AsyncIterable<R>): Promise<void> {
  res.status(200);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  async function* records() {
    for await (const row of rows) yield columns.map(([, value]) => value(row) ?? '');
  }
  await pipeline(Readable.from(records()), stringify({ bom: true, header: true, columns: columns.map(([header]) => header), cast: { boolean: (b) => (b ? 'true' : 'false') } }), res);
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
