/** The page frame every screen shares: header with navigation and language switch, skip link, main. */
import type { Principal } from '../api/auth';
import { pageRoles } from '../identity/permissions';
import { html, type Html } from './html';
import type { Lang, Translate } from './messages';

export interface PageContext {
  t: Translate;
  lang: Lang;
  /** Present when signed in. */
  principal?: Principal;
  csrfToken?: string;
  /** The path and query of this page, for the language switch. */
  url: string;
  /** Which navigation item is this page's. */
  section?: 'inbox' | 'admin' | 'dashboard' | 'process' | 'search' | 'register' | 'processing-log';
}

export const BASE = '/app';

/** A path inside the web app (`/app/...`). */
export const href = (path: string): string => `${BASE}${path}`;

export function csrfField(ctx: PageContext): Html {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrfToken ?? ''}">`;
}

function languageSwitch(ctx: PageContext): Html {
  const other: Lang = ctx.lang === 'nl' ? 'en' : 'nl';
  const url = new URL(ctx.url, 'http://x');
  url.searchParams.set('lang', other);
  return html`<a class="utrecht-link" href="${url.pathname + url.search}" lang="${other}" hreflang="${other}">${ctx.t('nav.language')}</a>`;
}

function navigation(ctx: PageContext): Html {
  const p = ctx.principal;
  if (!p) return html``;
  // A link only to a page the role may open (identity/permissions.ts PAGES).
  const item = (section: NonNullable<PageContext['section']>, path: string, label: string) =>
    pageRoles('get', path)?.includes(p.role)
      ? html`<li><a class="utrecht-link" href="${href(path)}"${ctx.section === section ? html` aria-current="page"` : ''}>${label}</a></li>`
      : html``;
  return html`<nav class="koers-nav" aria-label="${ctx.t('nav.main')}"><ul>
    ${item('inbox', '/inbox', ctx.t('nav.inbox'))}
    ${item('search', '/search', ctx.t('nav.search'))}
    ${item('register', '/register', ctx.t('nav.register'))}
    ${item('admin', '/admin', ctx.t('nav.admin'))}
    ${item('dashboard', '/dashboard', ctx.t('nav.dashboard'))}
    ${item('process', '/process', ctx.t('nav.process'))}
    ${item('processing-log', '/processing-log', ctx.t('nav.processingLog'))}
  </ul></nav>`;
}

/** A whole page; `title` becomes the document title (the inbox puts its overdue count in front). */
export function page(ctx: PageContext, title: string, body: Html, extra: { head?: Html; scripts?: Html } = {}): string {
  const p = ctx.principal;
  return `<!doctype html>${html`<html lang="${ctx.lang}" class="utrecht-document koers-theme">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Koers</title>
<link rel="stylesheet" href="${href('/assets/utrecht.css')}">
<link rel="stylesheet" href="${href('/assets/koers-theme.css')}">
<link rel="stylesheet" href="${href('/assets/app.css')}">
<link rel="icon" href="${href('/assets/favicon.svg')}" type="image/svg+xml">
${extra.head}
</head>
<body class="utrecht-page koers-theme">
<a class="koers-skip utrecht-link" href="#main">${ctx.t('skip')}</a>
<header class="koers-header">
  <a class="koers-brand" href="${href('/')}">${ctx.t('app.name')}</a>
  ${navigation(ctx)}
  <div class="koers-user">
    ${languageSwitch(ctx)}
    ${p
      ? html`<span class="koers-signed-in" title="${ctx.t('signedInAs', { name: p.name, role: ctx.t(`role.${p.role}`) })}">${ctx.t('signedInAs', { name: p.name, role: ctx.t(`role.${p.role}`) })}</span>
      <form method="post" action="${href('/sign-out')}">${csrfField(ctx)}<button type="submit" class="koers-linkbutton">${ctx.t('nav.signOut')}</button></form>`
      : ''}
  </div>
</header>
<main id="main" tabindex="-1">
${body}
</main>
${extra.scripts}
</body>
</html>`}`;
}

export type AlertType = 'info' | 'ok' | 'warning' | 'error';
export const alert = (type: AlertType, message: Html | string): Html =>
  html`<div class="utrecht-alert utrecht-alert--${type}" role="${type === 'error' ? 'alert' : 'status'}"><div class="utrecht-alert__message"><p class="utrecht-paragraph">${message}</p></div></div>`;

export const statusBadge = (t: Translate, status: string, label?: string): Html =>
  html`<span class="koers-status koers-status--${status}">${label ?? t(`status.${status}`)}</span>`;
