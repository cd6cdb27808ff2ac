import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ActionContext } from '../api/action-context';
import { CkanError, ValidationError } from '../api/errors';
import { cookieFrom, SESSION_COOKIE, WebSessions } from '../auth/web-sessions';
import { csrfMatches, newCsrfToken, overHttps } from './csrf';
import type { PackageDict } from './dataset-fields';
import { dictFromState, FieldMessages, FormState, messagesByField, stateFromDict, stateFromForm } from './dataset-form';
import type { MessageKey } from './i18n/de';
import { DatasetFormPage, FormOptions } from './pages/dataset-form';
import type { PageEnv } from './pages/layout';
import { DashboardDataset, DashboardOrg, DashboardPage, LoginPage, UserDict, UserPage } from './pages/steward';
import { mayChangeDataset } from './steward-parts';
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
        if (!this.pages.sameOrigin(req) || !csrfMatches(form.get('_csrf'), cookieFrom(req.headers.cookie, LOGIN_CSRF_COOKIE))) throw new PageError(403, env.t('error.csrfText'));
        const login = (form.get('login') ?? form.get('username') ?? '').trim();
        const password = form.get('password') ?? '';
        const cameFrom = localPath(form.get('came_from'));
        if (!login || !password) return { ...this.loginPage(req, env, login, cameFrom, env.t('login.missing')), status: 400 };
        // Throws TooManyRequests while the account or the address is locked: the 429 page.
        const session = await this.sessions.login(login, password, req.ip, cookieFrom(req.headers.cookie, SESSION_COOKIE));
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
      const orgs = await this.dashboardOrgs(ctx);
      // Approvers (admins of an organization, sysadmins) get the approval queue's link with how many datasets wait.
      const approvals = orgs.some((o) => o.capacity === 'admin') ? (await ctx.call<{ count: number }>('dataset_approval_list', { limit: 1 })).count : undefined;
      return { title: env.t('dashboard.title'), body: <DashboardPage env={env} orgs={orgs} approvals={approvals} /> };
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

  /** The organizations the caller may create datasets in, and the licences: the form's pickers. */
  private async formOptions(ctx: ActionContext): Promise<FormOptions> {
    const [orgs, licenses] = await Promise.all([
      ctx.call<{ id: string; name: string; title?: string }[]>('organization_list_for_user', { permission: 'create_dataset' }),
      ctx.call<{ id: string; title?: string }[]>('license_list', {}),
    ]);
    return { orgs, licenses };
  }

  private formPage(env: PageEnv, action: string, s: FormState, opts: FormOptions, editing: boolean, extra: { messages?: FieldMessages; summary?: MessageKey; status?: number; extraRows?: number } = {}): Page {
    return {
      status: extra.status,
      title: env.t(editing ? 'form.editTitle' : 'form.newTitle'),
      body: <DatasetFormPage env={env} action={action} s={s} opts={opts} messages={extra.messages ?? new Map()} summary={extra.summary} editing={editing} extraRows={extra.extraRows} />,
    };
  }

  /** `/dataset/new`: GET the empty form, POST it through package_create with the session's caller. */
  newDataset(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    return this.pages.serve(req, reply, async (ctx, env, _query, form) => {
      if (!env.user) return { title: '', redirect: '/user/login?came_from=%2Fdataset%2Fnew' };
      const opts = await this.formOptions(ctx);
      if (opts.orgs.length === 0) throw new PageError(403, env.t('form.noOrg'));
      if (req.method !== 'POST') return this.formPage(env, '/dataset/new', stateFromForm(new URLSearchParams()), opts, false);
      const s = stateFromForm(form);
      if (form.has('add_row')) return this.formPage(env, '/dataset/new', s, opts, false, { extraRows: 1 });
      try {
        const created = await ctx.call<{ name: string }>('package_create', dictFromState(s));
        return { title: '', redirect: `/dataset/${encodeURIComponent(created.name)}` };
      } catch (err) {
        if (err instanceof ValidationError) return this.formPage(env, '/dataset/new', s, opts, false, { messages: messagesByField(err.fields, env.lang), summary: 'form.hasErrors', status: 409 });
        throw err;
      }
    });
  }

  /**
   * `/dataset/edit/{name}`: GET the form with the stored values and the DCAT-AP.de findings beside their fields
   * (dcat_validate), POST it through package_patch. Whether the caller may edit is package_patch's decision; the
   * form is offered to whom package_patch's auth rule lets write (mayChangeDataset).
   */
  editDataset(req: FastifyRequest, reply: FastifyReply, id: string): Promise<void> {
    return this.pages.serve(req, reply, async (ctx, env, _query, form) => {
      if (!env.user) return { title: '', redirect: `/user/login?came_from=${encodeURIComponent(`/dataset/edit/${id}`)}` };
      const d = await ctx.call<PackageDict & { owner_org?: string }>('package_show', { id });
      if (!(await mayChangeDataset(this.pages, ctx, d))) throw new PageError(403);
      const opts = await this.formOptions(ctx);
      // A collaborator or a sharing organization's editor may edit without creating datasets in its organization: the
      // dataset's own organization stays the picker's choice (moving it is package_patch's decision).
      if (d.owner_org && d.organization && !opts.orgs.some((o) => o.id === d.owner_org)) opts.orgs = [{ id: d.owner_org, name: d.organization.name, title: d.organization.title ?? undefined }, ...opts.orgs];
      const action = `/dataset/edit/${encodeURIComponent(d.name)}`;
      if (req.method !== 'POST') {
        const report = await ctx.call<{ findings: { severity: string; field: string; resource?: number; message: string; message_de?: string; message_en?: string }[] }>('dcat_validate', { id: d.id });
        const fields: Record<string, unknown> = {};
        const resources: Record<string, string[]>[] = [];
        for (const f of report.findings) {
          const text = (env.lang === 'en' ? f.message_en : f.message_de) ?? f.message;
          if (f.resource !== undefined && f.field !== 'license_id') {
            while (resources.length <= f.resource) resources.push({});
            (resources[f.resource][f.field] ??= []).push(text);
          } else ((fields[f.field] ??= []) as string[]).push(text);
        }
        if (resources.length) fields.resources = resources;
        const messages = messagesByField(fields, env.lang);
        return this.formPage(env, action, stateFromDict(d), opts, true, { messages, summary: messages.size ? 'form.findings' : undefined });
      }
      const s = stateFromForm(form);
      if (form.has('add_row')) return this.formPage(env, action, s, opts, true, { extraRows: 1 });
      try {
        const saved = await ctx.call<{ name: string }>('package_patch', { ...dictFromState(s, d), id: d.id });
        return { title: '', redirect: `/dataset/${encodeURIComponent(saved.name)}` };
      } catch (err) {
        if (err instanceof ValidationError) return this.formPage(env, action, s, opts, true, { messages: messagesByField(err.fields, env.lang), summary: 'form.hasErrors', status: 409 });
        if (err instanceof CkanError && err.kind === 'not_authorized') throw new PageError(403);
        throw err;
      }
    });
  }
}
