/**
 * The BRP of the tests: Prism serving the BRP API Personen 2.7.0 document (test/helpers/prism.ts), which
 * validates every request Koers sends, behind a small proxy that decides who exists. Prism's generated
 * answers name no person a test can rely on (a dynamic `RaadpleegMetBurgerservicenummerResponse` is
 * random, often without `personen`), and cannot play a death or an emigration; so the proxy forwards each
 * request to Prism unchanged, and when Prism accepts it (200) answers with the persons the test set up
 * (an empty `personen` for a BSN it did not), in the document's shape. A request Prism refuses is answered
 * with Prism's refusal and shows in `prism.violations()`. Every request is recorded (headers and body).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startPrism, type PrismMock } from './prism';

/** A request as Koers sent it. */
export interface RecordedBrpRequest {
  headers: http.IncomingHttpHeaders;
  body: { type?: string; burgerservicenummer?: string[]; fields?: string[] };
}

export interface BrpMock {
  /** Base URL Koers is configured with. */
  readonly url: string;
  readonly prism: PrismMock;
  /** The persons the BRP knows, by BSN: a `Persoon` of the document. Change it to play a death, a move. */
  readonly persons: Map<string, Record<string, unknown>>;
  /** Every request so far. */
  requests(): RecordedBrpRequest[];
  /** `traceparent` the mock answers with (the BRP's own trace), for the processing log. */
  readonly traceparent: string;
  stop(): Promise<void>;
}

/** A complete BRP date (`VolledigeDatum`) with its long form as the BRP writes it. */
export function brpDate(date: string): Record<string, unknown> {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const months = ['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober', 'november', 'december'];
  return { type: 'Datum', datum: date, langFormaat: `${d} ${months[m - 1]} ${y}` };
}

/** Starts Prism (dynamic answers) and the proxy before it on loopback ports. */
export async function startBrpMock(): Promise<BrpMock> {
  const prism = await startPrism('brp-personen-2.7.0.yaml', { dynamic: true });
  const persons = new Map<string, Record<string, unknown>>();
  const recorded: RecordedBrpRequest[] = [];
  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let body: RecordedBrpRequest['body'] = {};
      try {
        body = JSON.parse(raw.toString('utf8')) as RecordedBrpRequest['body'];
      } catch {
        // recorded as an empty body; Prism refuses it
      }
      recorded.push({ headers: req.headers, body });
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k))) as Record<string, string>;
      fetch(`${prism.url}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers, ...(raw.length > 0 ? { body: raw } : {}) })
        .then(async (answer) => {
          const text = await answer.text();
          if (answer.status !== 200) {
            res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/problem+json' }).end(text);
            return;
          }
          const bsn = body.burgerservicenummer?.[0];
          const person = bsn ? persons.get(bsn) : undefined;
          const personen = person ? [{ burgerservicenummer: bsn, ...person }] : [];
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', traceparent }).end(JSON.stringify({ type: 'RaadpleegMetBurgerservicenummer', personen }));
        })
        .catch((err: unknown) => res.writeHead(502).end(String(err)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    prism,
    persons,
    traceparent,
    requests: () => [...recorded],
    stop: async () => {
      await new Promise((resolve) => server.close(resolve));
      await prism.stop();
    },
  };
}

/** Settings for a BRP at `url` serving borger-odoorn (1681) and midden-drenthe (1731), API key authentication. */
export function brpTestSettings(url: string): Record<string, unknown> {
  return {
    baseUrl: url,
    auth: { type: 'api-key', key: 'test-brp-api-key-0001' },
    protocollering: {
      doelbinding: 'BRPACT-Inburgering',
      verwerking: { register: 'Inburgering@Registratie statushouder', name: 'Inburgering@Trajectdossier inzien', facts: 'Inburgering@Controle BRP-gegevens traject' },
      originOin: '00000001001234567000',
    },
    municipalities: { 'borger-odoorn': { gemeentecode: '1681' }, 'midden-drenthe': { gemeentecode: '1731' } },
    timeoutMs: 20_000,
  };
}
