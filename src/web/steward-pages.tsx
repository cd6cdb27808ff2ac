import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ActionContext } from '../api/action-context';
import { cookieFrom, SESSION_COOKIE, WebSessions } from '../auth/web-sessions';
import { csrfMatches, newCsrfToken, overHttps, sameOrigin } from './csrf';
import type { PageEnv } from './pages/layout';
import { DashboardDataset, DashboardOrg, DashboardPage, LoginPage, UserDict, UserPage } from './pages/steward';
import { Page, PageError, WebPages } from './web-pages';

/** The login form's own CSRF cookie (before a login there is no session to bind a token to): double submit. */
const LOGIN_CSRF_COOKIE = 'odp_login_csrf';
/** Datasets the dashboard lists per organization. */
const DASHBOARD_ROWS = 100;

/** A `came_from` that stays on this site: a path, never `//host` or `/\host` (an open redirect). */
function localPath(v: string | null | undefined): string | undefined {
  return v && /^\/(?![/\\])[^\s]*$/.test(v) ? v : undefined;
}

/**
 * The steward's pages (issue 17): login and logout, the user page and the dashboard. Logging in is WebSessions'
 * (auth's) work; who a request's caller is stays Authenticator's; what a page shows comes from actions with that caller.
 */
@Injectable()
export class StewardPages {
  constructor(private readonly pages: WebPages, private readonly sessions: WebSessions) {}

  private cookie(req: FastifyRequest, name: string, value: string, maxAgeSeconds: number, path = '/'): string {
    return `${name}=${value}; Path=${path}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${overHttps(req) ? '; Secure' : ''}`;
  }

  loginForm(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    return this.pages.serve(req, reply, async (_ctx, env, query) => {
      const cameFrom = localPath(typeof query.came_from === 'string' ? query.came_from : undefined);
      if (env.user) return { title: '', redirect: cameFrom ?? '/dashboard' };
      return this.loginPage(req, env, '', cameFrom);
    });
  }

  private loginPage(req: FastifyRequest, env: PageEnv, login: string, cameFrom: string | undefined, error?: string): Page {
    const token = cookieFrom(req.headers.cookie, LOGIN_CSRF_COOKIE) ?? newCsrfToken();
    return {
      title: env.t('login.title'),
      cookies: [this.cookie(req, LOGIN_CSRF_COOKIE, token, 3600, '/user/login')],
      body: <LoginPage env={env} token={token} login={login} cameFrom={cameFrom} error={error} />,
    };
  }

  login(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    return this.pages.serve(
      req,
      reply,
      async (_ctx, env, _query, form) => {
        // Login CSRF: the form's token must be the one in this browser's login cookie, and the POST from this site.
        if (!sameOrigin(req) || !csrfMatches(form.get('_csrf'), cookieFrom(req.headers.cookie, LOGIN_CSRF_COOKIE))) throw new PageError(403, env.t('error.csrfText'));
        const login = (form.get('login') ?? form.get('username') ?? '').trim();
        const password = form.get('password') ?? '';
        const cameFrom = localPath(form.get('came_from'));
        if (!login || !password) return { ...this.loginPage(req, env, login, cameFrom, env.t('login.missing')), status: 400 };
        // Throws TooManyRequests while the account or the address is locked: the 429 page.
        const session = await this.sessions.login(login, password, req.ip);
        if (!session) return { ...this.loginPage(req, env, login, cameFrom, env.t('login.failed')), status: 401 };
        return {
          title: '',
          redirect: cameFrom ?? '/dashboard',
          cookies: [this.cookie(req, SESSION_COOKIE, session.secret, this.sessions.minutes * 60), this.cookie(req, LOGIN_CSRF_COOKIE, '', 0, '/user/login')],
        };
      },
      { csrf: 'none' },
    );
  }

  /** Ends the web login (the session row goes, so a copied cookie is worthless too). Needs the session's CSRF token. */
  logout(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    return this.pages.serve(req, reply, async () => {
      await this.sessions.logout(cookieFrom(req.headers.cookie, SESSION_COOKIE));
      return { title: '', redirect: '/', cookies: [this.cookie(req, SESSION_COOKIE, '', 0)] };
    });
  }

  user(req: FastifyRequest, reply: FastifyReply, name: string): Promise<void> {
    return this.pages.serve(req, reply, async (ctx, env) => {
      const u = await ctx.call<UserDict>('user_show', { id: name, include_datasets: true });
      return { title: u.fullname || u.name, body: <UserPage env={env} u={u} /> };
    });
  }

  dashboard(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    return this.pages.serve(req, reply, async (ctx, env) => {
      if (!env.user) return { title: '', redirect: '/user/login?came_from=%2Fdashboard' };
      return { title: env.t('dashboard.title'), body: <DashboardPage env={env} orgs={await this.dashboardOrgs(ctx)} /> };
    });
  }

  /** The caller's organizations (any role) with their datasets, private and drafts included, as package_search lets the caller see them. */
  private async dashboardOrgs(ctx: ActionContext): Promise<DashboardOrg[]> {
    const orgs = await ctx.call<{ id: string; name: string; title?: string; capacity?: string }[]>('organization_list_for_user', { permission: 'read' });
    return Promise.all(
      orgs.map(async (o) => {
        const found = await ctx.call<{ count: number; results: DashboardDataset[] }>('package_search', {
          fq: `owner_org:"${o.id}"`, include_private: true, include_drafts: true, rows: DASHBOARD_ROWS, sort: 'title_string asc',
        });
        return { name: o.name, title: o.title, capacity: o.capacity, count: found.count, datasets: found.results };
      }),
    );
  }
}
