/**
 * The web app for caseworkers and administrators, served under /app by the API's own server.
 *
 * Server-rendered pages (no client framework): every page is an HTML answer built from the API's
 * operations, called with the signed-in user's key (api-client.ts), so the API's roles and validation
 * hold here too. Two pages add a script: the process view (bpmn-js) and the dashboard (Chart.js).
 * Sign-in exchanges an API key for a session (session.ts); every form that changes something carries
 * the session's CSRF token and is refused without it or from another origin.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { parse as parseCookies } from 'cookie';
import type { ApiKeys } from '../api/auth';
import { amsterdamDateOf } from '../domain/dates';
import { ApiClient, ApiError } from './api-client';
import { assetRouter } from './assets';
import { html } from './html';
import { alert, BASE, href, page, type PageContext } from './layout';
import { LANGS, translator, type Lang } from './messages';
import { problemShown } from './problems';
import { csrfMatches, Sessions, type Session } from './session';
import { inboxRoutes } from './pages/inbox';
import { journeyRoutes } from './pages/journey';
import { processRoutes } from './pages/process';
import { adminRoutes } from './pages/admin';

export const SESSION_COOKIE = 'koers_session';
export const LANG_COOKIE = 'koers_lang';

export interface WebDeps {
  keys: ApiKeys;
  now?: () => number;
}

/** What a page handler gets: the signed-in session, an API client with its key, and the page context. */
export interface Web {
  req: Request;
  res: Response;
  session: Session;
  api: ApiClient;
  ctx: PageContext;
  /** Today in Europe/Amsterdam, `YYYY-MM-DD`. */
  today: string;
}

export type WebHandler = (web: Web) => Promise<void>;
export interface WebRoute {
  method: 'get' | 'post';
  path: string;
  handler: WebHandler;
  /** Only for these roles (others get a 403 page); default both. */
  roles?: Array<'admin' | 'caseworker'>;
}

declare module 'express-serve-static-core' {
  interface Request {
    webSession?: Session;
    webLang?: Lang;
  }
}

function langOf(req: Request, res: Response): Lang {
  const asked = typeof req.query.lang === 'string' ? req.query.lang : undefined;
  if (asked && (LANGS as string[]).includes(asked)) {
    res.cookie(LANG_COOKIE, asked, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: BASE, maxAge: 365 * 24 * 3600 * 1000 });
    return asked as Lang;
  }
  const cookie = parseCookies(req.headers.cookie ?? '')[LANG_COOKIE];
  return cookie && (LANGS as string[]).includes(cookie) ? (cookie as Lang) : 'nl';
}

/**
 * A form that changes something must come from our own host when the browser names its origin (an
 * opaque "null" origin is refused). The host, not the scheme: behind a TLS-terminating proxy this
 * server sees http while the browser says https.
 */
function sameOrigin(req: Request): boolean {
  const origin = req.get('origin');
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.get('host');
  } catch {
    return false;
  }
}

/** Only paths inside the web app, so a `next` parameter cannot send anyone elsewhere. */
const safeNext = (next: unknown): string => (typeof next === 'string' && /^\/app\/[A-Za-z0-9/_:.?=&%-]*$/.test(next) && !next.startsWith('//') ? next : href('/'));

export function webApp(deps: WebDeps): express.Router {
  const now = deps.now ?? Date.now;
  const sessions = new Sessions(now);
  const router = express.Router();

  router.use('/assets', assetRouter());
  router.use(express.urlencoded({ extended: false, limit: '32kb' }));
  router.use((req, res, next) => {
    req.webLang = langOf(req, res);
    req.webSession = sessions.find(parseCookies(req.headers.cookie ?? '')[SESSION_COOKIE]);
    res.set('Cache-Control', 'no-store');
    res.set('X-Frame-Options', 'DENY');
    res.set('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; form-action 'self'");
    res.set('Referrer-Policy', 'same-origin');
    next();
  });

  const baseContext = (req: Request, session?: Session): PageContext => {
    const lang = req.webLang ?? 'nl';
    return {
      t: translator(lang),
      lang,
      url: req.originalUrl,
      ...(session ? { principal: session.principal, csrfToken: session.csrfToken } : {}),
    };
  };

  const signInPage = (req: Request, res: Response, status: number, message?: string) => {
    const ctx = baseContext(req);
    const next = safeNext(req.body?.next ?? req.query.next);
    res.status(status).type('html').send(
      page(
        ctx,
        ctx.t('signIn.title'),
        html`<h1 class="utrecht-heading-1">${ctx.t('signIn.title')}</h1>
        ${message ? alert(status === 401 || status === 403 ? 'error' : 'info', message) : ''}
        <p class="utrecht-paragraph">${ctx.t('signIn.intro')}</p>
        <form method="post" action="${href('/sign-in')}" class="koers-card" style="max-width:32rem">
          <input type="hidden" name="next" value="${next}">
          <div class="utrecht-form-field utrecht-form-field--text">
            <div class="utrecht-form-field__label"><label class="utrecht-form-label" for="apiKey">${ctx.t('signIn.key')}</label></div>
            <div class="utrecht-form-field__input"><input class="utrecht-textbox utrecht-textbox--html-input" type="password" id="apiKey" name="apiKey" autocomplete="current-password" required></div>
          </div>
          <button type="submit" class="utrecht-button utrecht-button--primary-action">${ctx.t('signIn.submit')}</button>
        </form>`,
      ),
    );
  };

  router.get('/sign-in', (req, res) => signInPage(req, res, 200, req.query.expired ? translator(req.webLang ?? 'nl')('signIn.expired') : undefined));
  router.post('/sign-in', (req, res) => {
    const t = translator(req.webLang ?? 'nl');
    if (!sameOrigin(req)) return signInPage(req, res, 403, t('error.csrf'));
    const apiKey = typeof req.body?.apiKey === 'string' ? req.body.apiKey.trim() : '';
    const principal = apiKey ? deps.keys.find(apiKey) : undefined;
    if (!principal) return signInPage(req, res, 401, t('signIn.invalid'));
    if (principal.role === 'partner') return signInPage(req, res, 403, t('signIn.partner'));
    if (req.webSession) sessions.end(req.webSession.id);
    const session = sessions.create(apiKey, principal);
    res.cookie(SESSION_COOKIE, session.id, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: BASE });
    res.redirect(303, safeNext(req.body?.next));
  });
  router.post('/sign-out', (req, res) => {
    // Signing out needs no token: the worst a forged sign-out does is sign someone out.
    if (req.webSession) sessions.end(req.webSession.id);
    res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: BASE });
    res.redirect(303, href('/sign-in'));
  });

  // Everything below needs a session; a signed-out browser is sent to sign in and comes back after.
  router.use((req, res, next) => {
    if (req.webSession) return next();
    if (req.method === 'GET') return res.redirect(303, `${href('/sign-in')}?next=${encodeURIComponent(req.originalUrl.replace(/([?&])lang=[a-z]+&?/, '$1'))}`);
    return res.redirect(303, `${href('/sign-in')}?expired=1`);
  });
  router.post(/.*/, (req, res, next) => {
    if (sameOrigin(req) && csrfMatches(req.webSession!, req.body?._csrf)) return next();
    const ctx = baseContext(req, req.webSession);
    res.status(403).type('html').send(page(ctx, ctx.t('error.title'), html`<h1 class="utrecht-heading-1">${ctx.t('error.title')}</h1>${alert('error', ctx.t('error.csrf'))}`));
  });

  router.get('/', (req, res) => res.redirect(303, href(req.webSession!.principal.role === 'admin' ? '/admin' : '/inbox')));

  const routes: WebRoute[] = [...inboxRoutes(), ...journeyRoutes(), ...processRoutes(), ...adminRoutes()];
  for (const route of routes) {
    router[route.method](route.path, async (req: Request, res: Response) => {
      const session = req.webSession!;
      const ctx = baseContext(req, session);
      const role = session.principal.role as 'admin' | 'caseworker';
      if (route.roles && !route.roles.includes(role)) {
        res.status(403).type('html').send(page(ctx, ctx.t('error.title'), html`<h1 class="utrecht-heading-1">${ctx.t('error.title')}</h1>${alert('error', ctx.t('error.forbidden'))}`));
        return;
      }
      await route.handler({ req, res, session, ctx, api: ApiClient.forRequest(req, session.apiKey), today: amsterdamDateOf(now()) });
    });
  }

  router.use((req: Request, res: Response) => {
    const ctx = baseContext(req, req.webSession);
    res.status(404).type('html').send(page(ctx, ctx.t('error.notFound'), html`<h1 class="utrecht-heading-1">${ctx.t('error.notFound')}</h1>`));
  });
  router.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const ctx = baseContext(req, req.webSession);
    if (err instanceof ApiError) {
      const status = err.problem.status >= 400 && err.problem.status < 600 ? err.problem.status : 502;
      const title = status === 404 ? ctx.t('error.notFound') : status === 403 ? ctx.t('error.forbidden') : ctx.t('error.title');
      // The API's problem in the page's language (problems.ts), never its English detail.
      const shown = problemShown(ctx.t, ctx.lang, err.problem);
      res.status(status).type('html').send(page(ctx, title, html`<h1 class="utrecht-heading-1">${title}</h1>${status === 404 || status === 403 ? '' : alert('error', shown.message)}`));
      return;
    }
    next(err);
  });
  return router;
}
