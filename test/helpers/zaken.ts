/**
 * A municipality's Zaken API settings for the tests (chain/zaken/config.ts): catalogue URLs under a
 * made-up Catalogi API, the RSIN of a test organisation (passes the elfproef), a secret of 32 characters.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PHASES } from '../../domain/vocabulary';
import { JOURNEY_ENDS } from '../../domain/journey-end';

const CATALOGI = 'https://catalogi.test.example/api/v1';

/** The KOERS_ZAKEN_CONFIG file's content for `municipalities`, each with the Zaken API at `baseUrl`. */
export function zakenConfigFile(baseUrl: string, municipalities: string[] = ['borger-odoorn']): { municipalities: Record<string, Record<string, unknown>> } {
  return {
    municipalities: Object.fromEntries(
      municipalities.map((municipality) => [
        municipality,
        {
          baseUrl,
          clientId: `koers-${municipality}`,
          secret: 'test-zaken-secret-0123456789abcdef',
          bronorganisatie: '002220647',
          zaaktype: `${CATALOGI}/zaaktypen/inburgering-${municipality}`,
          roltype: `${CATALOGI}/roltypen/belanghebbende-${municipality}`,
          statustypen: Object.fromEntries(PHASES.map((phase) => [phase, `${CATALOGI}/statustypen/${municipality}-${phase}`])),
          eindstatustype: `${CATALOGI}/statustypen/${municipality}-afgerond`,
          resultaattypen: Object.fromEntries(JOURNEY_ENDS.map((end) => [end, `${CATALOGI}/resultaattypen/${municipality}-${end}`])),
        },
      ]),
    ),
  };
}

/** One request Koers sent to the Zaken API, with the (Prism's) answer. */
export interface Sent {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown> | undefined;
  status: number;
  answer: Record<string, unknown> | undefined;
}

/** A proxy that forwards to Prism and records each request with Prism's answer; 502 while Prism is down. */
export async function recordingProxy(target: () => string): Promise<{ url: string; sent: Sent[]; close(): Promise<void> }> {
  const sent: Sent[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const url = new URL(req.url ?? '/', 'http://proxy');
        const record: Sent = {
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
          const answer = await fetch(`${target()}${req.url}`, { method: req.method, headers, ...(raw ? { body: raw } : {}) });
          const text = await answer.text();
          record.status = answer.status;
          record.answer = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
          res.end(text);
        } catch {
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end('{"detail":"Zaken API down"}');
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, sent, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
