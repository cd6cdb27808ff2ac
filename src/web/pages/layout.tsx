import type { ComponentChildren } from 'preact';
import { STYLE_PATH } from '../assets/style';
import type { Lang, Translate } from '../i18n/i18n';

/** What every page knows: language, translator, the site's title and the address of the other language. */
export interface PageEnv {
  lang: Lang;
  t: Translate;
  siteTitle: string;
  /** The same page in the other language (`?lang=…`, kept in a cookie by the server). */
  switchHref: string;
  /** The logged-in caller's name (web login or API token), if any. */
  user?: string;
  /** The form token of the caller's web login (its forms that change something carry it); none without a login. */
  csrf?: string;
}

/** The frame of every page: skip link, header with navigation and language switch, main, footer. No JavaScript. */
export function Layout({ env, title, alternates = [], assets = [], children }: {
  env: PageEnv; title: string; alternates?: { type: string; href: string }[];
  /** The client islands a page uses (chart, map): their stylesheet and deferred script, under content-hashed addresses. */
  assets?: { js: string; css?: string }[];
  children: ComponentChildren;
}) {
  const { t } = env;
  const other = env.lang === 'de' ? 'en' : 'de';
  return (
    <html lang={env.lang}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title === env.siteTitle ? title : `${title} – ${env.siteTitle}`}</title>
        <link rel="stylesheet" href={STYLE_PATH} />
        {alternates.map((a) => <link rel="alternate" type={a.type} href={a.href} />)}
        {assets.map((a) => (a.css ? <link rel="stylesheet" href={a.css} /> : null))}
        {assets.map((a) => <script defer src={a.js} />)}
      </head>
      <body>
        <a class="skip" href="#main">{t('site.skip')}</a>
        <header class="site">
          <div class="wrap">
            <a class="brand" href="/">{env.siteTitle}</a>
            <nav aria-label={t('site.nav')}>
              <ul>
                <li><a href="/dataset">{t('site.datasets')}</a></li>
                <li><a href="/organization">{t('site.organizations')}</a></li>
                <li><a href="/group">{t('site.groups')}</a></li>
                <li><a href="/sensors/gauges">{t('site.gauges')}</a></li>
                <li><a href="/sensors/traffic">{t('site.traffic')}</a></li>
                <li><a href="/api">{t('site.api')}</a></li>
              </ul>
            </nav>
            <a class="lang" href={env.switchHref} hrefLang={other} lang={other} aria-label={t('site.switchLanguageLabel')}>{t('site.switchLanguage')}</a>
            <Account env={env} />
          </div>
        </header>
        <main id="main" tabIndex={-1}>
          <div class="wrap">{children}</div>
        </main>
        <footer class="site">
          <div class="wrap">
            <p>{t('site.footer')} <a href="/catalog.ttl">{t('site.catalogRdf')}</a></p>
          </div>
        </footer>
      </body>
    </html>
  );
}

/** The search form (GET, named field, a visible label), on the home and search pages. */
export function SearchForm({ env, action, q, hidden = [] }: { env: PageEnv; action: string; q: string; hidden?: [string, string][] }) {
  const { t } = env;
  return (
    <form class="search" method="get" action={action} role="search">
      <div class="field">
        <label for="q">{t('search.label')}</label>
        <input type="search" id="q" name="q" value={q} placeholder={t('search.placeholder')} />
      </div>
      {hidden.map(([name, value]) => <input type="hidden" name={name} value={value} />)}
      <button type="submit">{t('search.submit')}</button>
    </form>
  );
}

/** The header's account corner: a login link, or the workspace link and a logout button (a POST form with the CSRF token). */
function Account({ env }: { env: PageEnv }) {
  const { t } = env;
  if (!env.user) return <a class="account" href="/user/login">{t('site.login')}</a>;
  return (
    <div class="account">
      <a href="/dashboard">{t('site.dashboard')}</a>
      <a href={`/user/${encodeURIComponent(env.user)}/api-tokens`}>{t('tokens.link')}</a>
      <span class="who">{t('site.loggedInAs', { name: env.user })}</span>
      {env.csrf ? (
        <form method="post" action="/user/logout">
          <input type="hidden" name="_csrf" value={env.csrf} />
          <button type="submit" class="link">{t('site.logout')}</button>
        </form>
      ) : null}
    </div>
  );
}

/** The hidden field every form that changes something carries (CSRF). */
export function CsrfField({ env }: { env: PageEnv }) {
  return env.csrf ? <input type="hidden" name="_csrf" value={env.csrf} /> : null;
}
