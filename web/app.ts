/**
 * The web app for caseworkers and administrators, served under /app by the API's own server.
 *
 * Server-rendered pages (no client framework): every page is an HTML answer built from the API's
 * operations, called for the signed-in person (api-client.ts, through a delegation token of the
 * identity door), so the API's roles and validation hold here too. Two pages add a script: the
 * process view (bpmn-js) and the dashboard (Chart.js). People sign in at the municipality's identity
 * provider (OpenID Connect), or in development mode with an API key (identity/index.ts); sessions live
 * in the store. Which role may open which page is identity/permissions.ts `PAGES`. Every form that
 * changes something carries the session's CSRF token and is refused without it or from another origin.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { parse as parseCookies } from 'cookie';
import type { People } from '../identity';
import { HOME_PAGE, pageRoles, type PersonRole } from '../identity/permissions';
import { amsterdamDateOf } from '../domain/dates';
import { ApiClient, ApiError } from './api-client';
import { assetRouter } from './assets';
import { html } from './html';
import { alert, BASE, href, page, type PageContext } from './layout';
import { LANGS, translator, type Lang } from './messages';
import { problemShown } from './problems';
import { csrfMatches, type Session } from './session';
import { inboxRoutes } from './pages/inbox';
import { journeyRoutes } from './pages/journey';
import { processRoutes } from './pages/process';
import { adminRoutes } from './pages/admin';
import { registerRoutes } from './pages/register';
import { milestoneRoutes } from './pages/milestones';
import { searchRoutes } from './pages/search';
import { processingLogRoutes } from './pages/processing-log';
import { policyRoutes } from './pages/policy';

export const SESSION_COOKIE = 'koers_session';
export const LANG_COOKIE = 'koers_lang';
/** The sealed state of a sign-in at the provider, between leaving and coming back (10 minutes). */
export const PENDING_SIGN_IN_COOKIE = 'koers_sign_in';

export interface WebDeps {
  /** The identity door: sessions, sign-in (provider or, in development mode, API key), delegation to the API. */
  people: People;
  now?: () => number;
  /** The municipalities this deployment's BRP serves (issue 23): the register page offers its lookup there only. */
  brpMunicipalities?: readonly string[];
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
  /** The municipalities with a BRP connection (none: no BRP in this deployment). */
  brpMunicipalities: readonly string[];
}

export type WebHandler = (web: Web) => Promise<void>;

export interface WebRoute {
  method: 'get' | 'post';
  path: string;
  handler: WebHandler;
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

/** Every page of the web app (identity/permissions.ts PAGES has a row for each). */
export function webRoutes(): WebRoute[] {
  return [...inboxRoutes(), ...journeyRoutes(), ...processRoutes(), ...adminRoutes(), ...registerRoutes(), ...milestoneRoutes(), ...searchRoutes(), ...policyRoutes(), ...processingLogRoutes()];
}

export function webApp(deps: WebDeps): express.Router {
  const now = deps.now ?? Date.now;
  const people = deps.people;
  const router = express.Router();
  // Signing out is a form whose answer sends the browser on to the provider's sign-out page.
  const formTargets = people.oidc ? ` ${new URL(people.oidc.settings.issuer).origin}` : '';
  const sessionCookie = (req: Request) => ({ httpOnly: true, sameSite: 'strict' as const, secure: req.secure, path: BASE });

  router.use('/assets', assetRouter());
  router.use(express.urlencoded({ extended: false, limit: '32kb' }));
  router.use(async (req, res, next) => {
    req.webLang = langOf(req, res);
    req.webSession = await people.resolve(parseCookies(req.headers.cookie ?? '')[SESSION_COOKIE]);
    res.set('Cache-Control', 'no-store');
    res.set('X-Frame-Options', 'DENY');
    res.set('Content-Security-Policy', `default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; form-action 'self'${formTargets}; base-uri 'none'`);
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
        ${message ? alert(status >= 400 ? 'error' : 'info', message) : ''}
        ${people.providerName
          ? html`<p class="utrecht-paragraph">${ctx.t('signIn.providerIntro')}</p>
        <p class="utrecht-paragraph"><a class="utrecht-button-link utrecht-button-link--html-a utrecht-button-link--primary-action" href="${href('/sign-in/start')}?next=${encodeURIComponent(next)}">${ctx.t('signIn.viaProvider', { provider: people.providerName })}</a></p>`
          : html`<p class="utrecht-paragraph">${ctx.t('signIn.intro')}</p>
        <form method="post" action="${href('/sign-in')}" class="koers-card" style="max-width:32rem">
          <input type="hidden" name="next" value="${next}">
          <div class="utrecht-form-field utrecht-form-field--text">
            <div class="utrecht-form-field__label"><label class="utrecht-form-label" for="apiKey">${ctx.t('signIn.key')}</label></div>
            <div class="utrecht-form-field__input"><input class="utrecht-textbox utrecht-textbox--html-input" type="password" id="apiKey" name="apiKey" autocomplete="current-password" required></div>
          </div>
          <button type="submit" class="utrecht-button utrecht-button--primary-action">${ctx.t('signIn.submit')}</button>
        </form>`}`,
      ),
    );
  };

  router.get('/sign-in', (req, res) => {
    const t = translator(req.webLang ?? 'nl');
    signInPage(req, res, 200, req.query.expired ? t('signIn.expired') : req.query.signedOut ? t('signIn.signedOut') : undefined);
  });
  // Development mode only: with a provider configured a person never signs in with a key.
  router.post('/sign-in', async (req, res) => {
    const t = translator(req.webLang ?? 'nl');
    if (people.oidc) return signInPage(req, res, 404, t('error.notFound'));
    if (!sameOrigin(req)) return signInPage(req, res, 403, t('error.csrf'));
    const apiKey = typeof req.body?.apiKey === 'string' ? req.body.apiKey.trim() : '';
    const outcome = await people.signInWithKey(apiKey);
    if (!outcome.ok) return outcome.reason === 'partner' ? signInPage(req, res, 403, t('signIn.partner')) : signInPage(req, res, 401, t('signIn.invalid'));
    if (req.webSession) await people.sessions.end(req.webSession.id);
    res.cookie(SESSION_COOKIE, outcome.cookieId, sessionCookie(req));
    res.redirect(303, safeNext(req.body?.next));
  });
  // To the provider's sign-in page (authorization code flow with PKCE, identity/oidc.ts).
  router.get('/sign-in/start', async (req, res) => {
    const t = translator(req.webLang ?? 'nl');
    if (!people.oidc) return res.redirect(303, href('/sign-in'));
    let started;
    try {
      started = await people.startSignIn(safeNext(req.query.next));
    } catch {
      return signInPage(req, res, 503, t('signIn.unavailable'));
    }
    // Lax: the provider sends the browser back with a top-level GET from its own site.
    res.cookie(PENDING_SIGN_IN_COOKIE, started.pendingCookie, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: `${BASE}/sign-in`, maxAge: 10 * 60_000 });
    res.redirect(303, started.url);
  });
  router.get('/sign-in/callback', async (req, res) => {
    const t = translator(req.webLang ?? 'nl');
    if (!people.oidc) return res.redirect(303, href('/sign-in'));
    const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
    const outcome = await people.finishSignIn(query, parseCookies(req.headers.cookie ?? '')[PENDING_SIGN_IN_COOKIE]);
    res.clearCookie(PENDING_SIGN_IN_COOKIE, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: `${BASE}/sign-in` });
    if (!outcome.ok) return signInPage(req, res, outcome.reason === 'provider' || outcome.reason === 'expired' ? 400 : 403, t(`signIn.refused.${outcome.reason}`));
    if (req.webSession) await people.sessions.end(req.webSession.id);
    res.cookie(SESSION_COOKIE, outcome.cookieId, sessionCookie(req));
    // A page of our own, not a redirect: the browser arrived from the provider's site, and a
    // SameSite=Strict cookie is sent only on a navigation that starts on ours.
    const target = safeNext(outcome.next);
    const ctx = baseContext(req, outcome.session);
    res.status(200).type('html').send(
      page(
        ctx,
        ctx.t('signIn.done'),
        html`<meta http-equiv="refresh" content="0;url=${target}"><h1 class="utrecht-heading-1">${ctx.t('signIn.done')}</h1>
        <p class="utrecht-paragraph"><a class="utrecht-link" href="${target}">${ctx.t('signIn.continue')}</a></p>`,
      ),
    );
  });
  router.post('/sign-out', async (req, res) => {
    // Signing out needs no token: the worst a forged sign-out does is sign someone out.
    const cookieId = parseCookies(req.headers.cookie ?? '')[SESSION_COOKIE];
    // Back to where the provider sends people after signing in (KOERS_OIDC_REDIRECT_URL's origin): the address it knows.
    const afterUrl = `${people.oidc ? new URL(people.oidc.settings.redirectUrl).origin : ''}${href('/sign-in')}?signedOut=1`;
    const providerUrl = await people.signOut(cookieId, afterUrl);
    res.clearCookie(SESSION_COOKIE, sessionCookie(req));
    // RP-initiated logout: the provider ends its own session too, then sends the browser back.
    res.redirect(303, providerUrl ?? href('/sign-in'));
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

  router.get('/', (req, res) => res.redirect(303, href(HOME_PAGE[req.webSession!.principal.role as PersonRole] ?? '/inbox')));

  for (const route of webRoutes()) {
    router[route.method](route.path, async (req: Request, res: Response) => {
      const session = req.webSession!;
      const ctx = baseContext(req, session);
      const allowed = pageRoles(route.method, route.path);
      if (!allowed?.includes(session.principal.role)) return refusalPage(res, ctx, session.principal.role);
      // The page calls the API as the person, for this request only (identity/delegation.ts).
      const token = people.delegations.issue(session.principal);
      try {
        await route.handler({ req, res, session, ctx, api: ApiClient.forRequest(req, token), today: amsterdamDateOf(now()), brpMunicipalities: deps.brpMunicipalities ?? [] });
      } finally {
        people.delegations.revoke(token);
      }
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
      if (status === 403 && req.webSession) return refusalPage(res, ctx, req.webSession.principal.role);
      const title = status === 404 ? ctx.t('error.notFound') : ctx.t('error.title');
      // The API's problem in the page's language (problems.ts), never its English detail.
      const shown = problemShown(ctx.t, ctx.lang, err.problem);
      res.status(status).type('html').send(page(ctx, title, html`<h1 class="utrecht-heading-1">${title}</h1>${status === 404 ? '' : alert('error', shown.message)}`));
      return;
    }
    next(err);
  });
  return router;

  /**
   * A page or its API call the role may not use: a calm refusal (403), no error, with the way to the
   * role's start page - the same for every page, whether the page table or the API refused.
   */
  function refusalPage(res: Response, ctx: ReturnType<typeof baseContext>, role: string): void {
    const start = href(HOME_PAGE[role as PersonRole] ?? '/inbox');
    res
      .status(403)
      .type('html')
      .send(
        page(
          ctx,
          ctx.t('error.noAccess'),
          html`<h1 class="utrecht-heading-1">${ctx.t('error.noAccess')}</h1>
          <p class="utrecht-paragraph" id="no-access">${ctx.t('error.noAccessWhy', { role: ctx.t(`role.${role}`) })}</p>
          <p class="utrecht-paragraph"><a class="utrecht-link" href="${start}">${ctx.t('error.toStart')}</a></p>`,
        ),
      );
  }
}
