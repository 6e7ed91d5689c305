/**
 * The Zaken API of the tests: Prism serving the ZGW Zaken API 1.5.1 document (test/helpers/prism.ts,
 * `--errors`, dynamic answers), which validates every request Koers sends, behind a recording proxy that
 * keeps each request with Prism's answer (Prism's answers are generated, so a test asserts on what Koers
 * sent) and answers 502 while Prism is down (`down()`/`up()`: an outage on the same address). And the
 * outbox's delivery to it as `npm start` wires it (chain/zaken), with a short back-off so a catch-up
 * after an outage takes seconds.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startPrism, type PrismMock } from './prism';
import { zakenConfigFile } from './zaken';
import { KeptZaken, ZaakRegistration, createZakenChannel, parseZakenConfig, type ZakenConfig } from '../../chain/zaken';
import { Dispatcher } from '../../store/dispatcher';
import type { Db } from '../../store/db';
import type { Outbox } from '../../store/outbox';
import type { Identity } from '../../api/identity';
import type { ProcessingLog } from '../../processing-log';

/** A request as Koers sent it, with the answer it got (status 502 and no answer while the Zaken API was down). */
export interface SentToZaken {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown> | undefined;
  status: number;
  answer: Record<string, unknown> | undefined;
  /** The `traceparent` the Zaken API answered with, when it did. */
  answerTraceparent?: string;
}

export interface ZakenMock {
  /** Base URL Koers is configured with (the proxy). */
  readonly url: string;
  readonly prism: PrismMock;
  /** Every request so far, in order. */
  readonly sent: SentToZaken[];
  /** The KOERS_ZAKEN_CONFIG of borger-odoorn with this mock as its Zaken API (test/helpers/zaken.ts). */
  config(): ZakenConfig;
  /** The Zaken API goes down (every request 502) … */
  down(): Promise<void>;
  /** … and comes back on the same address. */
  up(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts Prism on the Zaken API document and the recording proxy before it. */
export async function startZakenMock(): Promise<ZakenMock> {
  const prism = await startPrism('zaken-api-1.5.1.yaml', { dynamic: true });
  const sent: SentToZaken[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const url = new URL(req.url ?? '/', 'http://proxy');
        const record: SentToZaken = {
          method: req.method ?? '',
          path: url.pathname,
          query: url.searchParams,
          authorization: String(req.headers.authorization ?? ''),
          headers: req.headers,
          body: raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined,
          status: 502,
          answer: undefined,
        };
        sent.push(record);
        try {
          const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !['host', 'connection', 'content-length'].includes(name))) as Record<string, string>;
          const answer = await fetch(`${prism.url}${req.url}`, { method: req.method, headers, ...(raw ? { body: raw } : {}) });
          const text = await answer.text();
          record.status = answer.status;
          record.answer = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
          const traceparent = answer.headers.get('traceparent');
          if (traceparent) record.answerTraceparent = traceparent;
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json', ...(traceparent ? { traceparent } : {}) });
          res.end(text);
        } catch {
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end('{"detail":"Zaken API down"}');
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    prism,
    sent,
    config: () => parseZakenConfig(zakenConfigFile(`${url}/`)),
    down: () => prism.stop(),
    up: () => prism.restart(),
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await prism.stop();
    },
  };
}

/** The zaken of `config`'s municipalities, for the API harness (`apiHarness({ zaken })`) as platform/koers.ts wires it. */
export const zaakRegistrationOf = (config: ZakenConfig): ZaakRegistration => new ZaakRegistration((m) => m in config.municipalities);

/**
 * The outbox's delivery to the Zaken API as the worker runs it (channel `zaken`, chain/zaken/channel.ts),
 * started: a round every 100 ms, back-off 200 ms doubling to 2 s, attempts enough never to die in a test.
 * Stop it with `stop()` before the harness.
 */
export function startZakenDelivery(h: { db: Db; outbox: Outbox; identity: Identity; processingLog: ProcessingLog }, config: ZakenConfig): Dispatcher {
  const dispatcher = new Dispatcher(h.outbox, {
    channels: { zaken: createZakenChannel({ config, zaken: new KeptZaken(h.db), unsealBsn: (sealed, journeyId) => h.identity.decryptBsn(journeyId, sealed), processingLog: h.processingLog }) },
    baseDelayMs: 200,
    factor: 2,
    maxDelayMs: 2_000,
    maxAttempts: 1_000,
  });
  dispatcher.start(100);
  return dispatcher;
}
