import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ActionContext } from '../api/action-context';
import { Dispatcher } from '../api/dispatcher';
import { CkanError, ValidationError } from '../api/errors';
import type { Lang } from './i18n/i18n';
import type { PageEnv } from './pages/layout';
import { GroupHead, GroupKind, MemberDeletePage, MemberFormPage, MembersPage, Messages, MemberUser } from './pages/members';
import { localMessage } from './validation-messages';
import { orForbidden, Page, PageError, WebPages } from './web-pages';

/** Users offered in the user name field's datalist; more are found by their suggestions after a miss. */
const KNOWN_USERS = 500;
/** Suggestions (user_autocomplete) shown beside an unknown user name. */
const SUGGESTIONS = 8;

/** The organization or group with its members (organization_show / group_show with include_users). */
type GroupWithUsers = GroupHead & { users?: MemberUser[] };

/** A write's field errors in the page language, by field; messages for no field shown go under '' (the summary). */
export function fieldMessages(fields: Record<string, unknown>, lang: Lang, shown: string[], own: (message: string) => { field: string; text: string } | undefined): Messages {
  const out: Messages = new Map();
  for (const [key, value] of Object.entries(fields)) {
    for (const raw of (Array.isArray(value) ? value : [value]).flat()) {
      const message = typeof raw === 'string' ? raw : JSON.stringify(raw);
      const mine = own(message);
      const field = mine?.field ?? (shown.includes(key) ? key : '');
      out.set(field, [...(out.get(field) ?? []), mine?.text ?? localMessage(message, lang)]);
    }
  }
  return out;
}

/**
 * Members and roles of an organization or group (issue 17), at CKAN's addresses: the list, the form that adds a
 * member or changes a role, and the confirmation before one is removed. Everything goes through the actions
 * (organization_show, member_roles_list, organization_member_create/_delete, user_list, user_autocomplete); whether
 * the caller may manage members is the member action's own auth rule, asked through the dispatcher without running it.
 */
@Injectable()
export class MemberPages {
  constructor(private readonly pages: WebPages, private readonly dispatcher: Dispatcher) {}

  private show(ctx: ActionContext, kind: GroupKind, id: string): Promise<GroupWithUsers> {
    return ctx.call<GroupWithUsers>(`${kind}_show`, { id, include_datasets: false, include_users: true, include_followers: false });
  }

  /** Whether the member action's auth rule lets the caller add members here (CKAN's check_access). */
  private mayManage(ctx: ActionContext, kind: GroupKind, g: GroupHead, env: PageEnv): Promise<boolean> {
    return env.user ? this.pages.may(ctx, `${kind}_member_create`, { id: g.id, username: env.user, role: 'member' }) : Promise.resolve(false);
  }

  private login(path: string): Page {
    return { title: '', redirect: `/user/login?came_from=${encodeURIComponent(path)}` };
  }

  /** `/{kind}/members/{name}`: anyone who may see the organization sees its members (CKAN: group_show's rule). */
  members(req: FastifyRequest, reply: FastifyReply, kind: GroupKind, id: string): Promise<void> {
    return this.pages.serve(req, reply, async (ctx, env) => {
      const g = await this.show(ctx, kind, id);
      const users = [...(g.users ?? [])].sort((a, b) => a.name.localeCompare(b.name));
      return { title: env.t('members.title', { name: g.title || g.name }), body: <MembersPage env={env} kind={kind} g={g} users={users} canManage={await this.mayManage(ctx, kind, g, env)} /> };
    });
  }

  /** `/{kind}/member_new/{name}`: GET the form (`?user=` to change that member's role), POST it through `{kind}_member_create`. */
  memberNew(req: FastifyRequest, reply: FastifyReply, kind: GroupKind, id: string): Promise<void> {
    return this.pages.serve(req, reply, async (ctx, env, query, form) => {
      if (!env.user) return this.login(req.url);
      const g = await this.show(ctx, kind, id);
      // The form only for those the action would let add members: the action's auth rule, asked without running it.
      await orForbidden(this.dispatcher.authorize(`${kind}_member_create`, { id: g.id, username: env.user, role: 'member' }, ctx));
      const roles = await ctx.call<{ value: string; text: string }[]>('member_roles_list', { group_type: kind });
      const post = req.method === 'POST';
      const asked = post ? (form.get('username') ?? '').trim() : typeof query.user === 'string' ? query.user : '';
      const current = (g.users ?? []).find((u) => u.name === asked);
      const editing = post ? form.get('editing') === '1' && !!current : !!current;
      if (!post && asked && !current) throw new PageError(404);
      const render = async (username: string, role: string, messages: Messages = new Map(), suggestions: string[] = []): Promise<Page> => ({
        status: messages.size ? 409 : undefined,
        title: env.t(editing ? 'members.editTitle' : 'members.newTitle', { name: g.title || g.name }),
        body: (
          <MemberFormPage
            env={env} kind={kind} g={g} roles={roles} username={username} role={role} editing={editing}
            known={suggestions.length ? suggestions : await this.knownUsers(ctx, g)} messages={messages} summary={messages.size > 0}
          />
        ),
      });
      if (!post) return render(asked, current?.capacity?.toLowerCase() ?? 'member');
      const role = form.get('role') ?? '';
      try {
        await ctx.call(`${kind}_member_create`, { id: g.id, username: asked, role });
      } catch (err) {
        if (err instanceof ValidationError) {
          const messages = fieldMessages(err.fields, env.lang, ['username', 'role'], (m) => this.ownMessage(env, m));
          const suggestions = messages.has('username') && asked ? await this.suggest(ctx, asked) : [];
          if (suggestions.length) messages.get('username')!.push(env.t('members.suggestions', { names: suggestions.join(', ') }));
          return render(asked, role, messages, suggestions);
        }
        // Admins cannot take their own admin role away: the action's 403, shown beside the role.
        if (err instanceof CkanError && err.kind === 'not_authorized' && /own admin/.test(err.message)) {
          return render(asked, role, new Map([['role', [env.t('members.ownAdmin')]]]));
        }
        throw err instanceof CkanError && err.kind === 'not_authorized' ? new PageError(403) : err;
      }
      return { title: '', redirect: `/${kind}/members/${encodeURIComponent(g.name)}` };
    });
  }

  /** The messages the member actions write that the form says in its own words, beside their field. */
  private ownMessage(env: PageEnv, m: string): { field: string; text: string } | undefined {
    if (/^User .* does not exist\.$/.test(m)) return { field: 'username', text: env.t('members.unknownUser') };
    if (m === 'role does not exist.') return { field: 'role', text: env.t('members.badRole') };
    return undefined;
  }

  /** The site's users for the datalist, less those already members; none when the caller may not list users. */
  private async knownUsers(ctx: ActionContext, g: GroupWithUsers): Promise<string[]> {
    const members = new Set((g.users ?? []).map((u) => u.name));
    try {
      const names = await ctx.call<string[]>('user_list', { all_fields: false, order_by: 'name' });
      return names.filter((n) => !members.has(n)).slice(0, KNOWN_USERS);
    } catch (err) {
      if (err instanceof CkanError) return [];
      throw err;
    }
  }

  /** Users whose name or full name contains what was typed (user_autocomplete). */
  private async suggest(ctx: ActionContext, q: string): Promise<string[]> {
    try {
      const found = await ctx.call<{ name: string }[]>('user_autocomplete', { q, limit: SUGGESTIONS });
      return found.map((u) => u.name);
    } catch (err) {
      if (err instanceof CkanError) return [];
      throw err;
    }
  }

  /**
   * `/{kind}/member_delete/{name}?user=…`: GET the confirmation (CKAN's), POST removes the member through
   * `{kind}_member_delete`; then the members list, or the organization's page for someone who removed themself.
   */
  memberDelete(req: FastifyRequest, reply: FastifyReply, kind: GroupKind, id: string): Promise<void> {
    return this.pages.serve(req, reply, async (ctx, env, query, form) => {
      if (!env.user) return this.login(req.url);
      const g = await this.show(ctx, kind, id);
      const name = form.get('user') ?? (typeof query.user === 'string' ? query.user : '');
      await orForbidden(this.dispatcher.authorize(`${kind}_member_delete`, { id: g.id, username: name || env.user }, ctx));
      const user = (g.users ?? []).find((u) => u.name === name);
      if (!user) throw new PageError(404);
      if (req.method !== 'POST') return { title: env.t('members.deleteTitle', { name: g.title || g.name }), body: <MemberDeletePage env={env} kind={kind} g={g} user={user} /> };
      await orForbidden(ctx.call(`${kind}_member_delete`, { id: g.id, username: user.name }));
      const self = user.name === env.user;
      return { title: '', redirect: self ? `/${kind}/${encodeURIComponent(g.name)}` : `/${kind}/members/${encodeURIComponent(g.name)}` };
    });
  }
}
