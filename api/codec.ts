/**
 * The codec endpoint of the Temporal Web UI and CLI (Temporal's remote codec protocol: `POST
 * …/encode` and `POST …/decode` with Payloads as protobuf JSON, an `X-Namespace` header). Only
 * administrators get plain text: by `Authorization: Bearer <admin key>` (the CLI's `--codec-auth`),
 * or, for the browser UI with "Include cross-origin credentials" on, by a session cookie set by
 * signing in at `/codec/login` with an admin key. Everyone else gets 401 and nothing decoded.
 */
import crypto from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import cors from 'cors';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import type { PayloadCodec, Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { ApiKeys, Principal } from './auth';
import type { ApiLogger } from './context';

export interface CodecEndpointOptions {
  codec: PayloadCodec;
  keys: ApiKeys;
  /** Origins of the Web UI allowed to call it with credentials (CORS). */
  corsOrigins: string[];
  logger: ApiLogger;
  /** How long a browser session lasts (default 8 hours). */
  sessionMs?: number;
  now?: () => number;
}

const SESSION_COOKIE = 'koers_codec_session';

/** The codec endpoint's router; mount it at `/codec`. */
export function codecRouter(options: CodecEndpointOptions): Router {
  const now = options.now ?? Date.now;
  const sessionMs = options.sessionMs ?? 8 * 3600_000;
  // Session token → the admin key it was opened with (by hash, so a key removed from the file ends its sessions).
  const sessions = new Map<string, { keyHash: string; expiresAt: number }>();

  const corsPolicy = cors({
    origin: options.corsOrigins,
    credentials: true,
    methods: ['POST'],
    allowedHeaders: ['Content-Type', 'X-Namespace', 'Authorization'],
    maxAge: 600,
  });

  const adminOf = (req: Request): Principal | undefined => {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    if (bearer) {
      const principal = options.keys.find(bearer[1]!);
      return principal?.role === 'admin' ? principal : undefined;
    }
    const token = parseCookies(req.get('cookie') ?? '')[SESSION_COOKIE];
    const session = token ? sessions.get(token) : undefined;
    if (!session) return undefined;
    if (session.expiresAt <= now()) {
      sessions.delete(token!);
      return undefined;
    }
    const principal = options.keys.findByHash(session.keyHash);
    return principal?.role === 'admin' ? principal : undefined;
  };

  const refuse = (res: Response) =>
    res
      .status(401)
      .type('application/problem+json')
      .set('WWW-Authenticate', 'Bearer')
      .send({ type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'The codec endpoint decodes only for an administrator key.' });

  const convert = (direction: 'encode' | 'decode') => async (req: Request, res: Response) => {
    const principal = adminOf(req);
    if (!principal) return refuse(res);
    const body = req.body as { payloads?: unknown } | undefined;
    if (!body || !Array.isArray(body.payloads)) {
      return res.status(400).type('application/problem+json').send({ type: 'about:blank', title: 'Bad request', status: 400, detail: 'Send {"payloads": [...]} (Payloads as protobuf JSON).' });
    }
    let payloads: Payload[];
    try {
      payloads = temporal.api.common.v1.Payloads.fromObject(body).payloads as Payload[];
    } catch {
      return res.status(400).type('application/problem+json').send({ type: 'about:blank', title: 'Bad request', status: 400, detail: 'The payloads are not protobuf JSON.' });
    }
    let converted: Payload[];
    try {
      converted = await options.codec[direction](payloads);
    } catch (err) {
      // An unknown key id or a tampered payload: say so without the payload.
      options.logger.warn({ direction, keyId: principal.keyId, error: err instanceof Error ? err.name : 'Error' }, 'codec endpoint could not convert');
      return res.status(422).type('application/problem+json').send({ type: 'about:blank', title: 'Cannot convert', status: 422, detail: err instanceof Error ? err.message : 'conversion failed' });
    }
    options.logger.info({ direction, payloads: payloads.length, keyId: principal.keyId }, 'codec endpoint');
    res
      .status(200)
      .set('Cache-Control', 'no-store')
      .json(temporal.api.common.v1.Payloads.toObject(temporal.api.common.v1.Payloads.create({ payloads: converted }), { bytes: String }));
  };

  const router = express.Router();
  router.use(corsPolicy);
  router.options(/.*/, corsPolicy);
  const json = express.json({ limit: '4mb', type: 'application/json' });
  // The protocol lets the endpoint sit at any depth: only the last path segment counts.
  router.post(/\/encode$/, json, convert('encode'));
  router.post(/\/decode$/, json, convert('decode'));

  router.get('/login', (_req, res) => {
    res
      .status(200)
      .type('html')
      .set('Cache-Control', 'no-store')
      .set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'")
      .send(LOGIN_PAGE);
  });
  router.post('/session', express.urlencoded({ extended: false, limit: '4kb' }), (req, res) => {
    const key = typeof (req.body as { key?: unknown })?.key === 'string' ? ((req.body as { key: string }).key).trim() : '';
    const principal = key ? options.keys.find(key) : undefined;
    if (principal?.role !== 'admin') return refuse(res);
    const token = crypto.randomBytes(32).toString('base64url');
    sessions.set(token, { keyHash: options.keys.hashOf(key), expiresAt: now() + sessionMs });
    res.set(
      'Set-Cookie',
      serializeCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', path: '/codec', maxAge: Math.floor(sessionMs / 1000), secure: req.secure }),
    );
    options.logger.info({ keyId: principal.keyId }, 'codec session opened');
    res.status(200).type('text/plain').send('Signed in: the Temporal Web UI decodes payloads in this browser (turn on "Include cross-origin credentials" in its codec settings).');
  });
  router.delete('/session', (req, res) => {
    const token = parseCookies(req.get('cookie') ?? '')[SESSION_COOKIE];
    if (token) sessions.delete(token);
    res.set('Set-Cookie', serializeCookie(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'strict', path: '/codec', maxAge: 0 }));
    res.status(204).end();
  });
  return router;
}

const LOGIN_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Koers codec sign-in</title></head>
<body style="font-family: sans-serif; max-width: 32em; margin: 3em auto">
<h1>Decode Temporal payloads</h1>
<p>Koers encrypts everything it gives Temporal. Sign in with an administrator API key to let the Temporal Web UI in this browser show payloads decoded.</p>
<form method="post" action="session">
<label>Administrator API key <input type="password" name="key" autocomplete="off" required></label>
<button type="submit">Sign in</button>
</form>
</body></html>`;
