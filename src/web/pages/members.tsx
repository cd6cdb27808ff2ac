import type { MessageKey } from '../i18n/de';
import { CsrfField, PageEnv } from './layout';

export type GroupKind = 'organization' | 'group';

/** A member as organization_show / group_show list them (`users` with `capacity`). */
export interface MemberUser {
  name: string;
  display_name?: string;
  fullname?: string | null;
  capacity?: string;
}

export interface GroupHead {
  id: string;
  name: string;
  title?: string;
}

/** Field messages of a form, by field name, already in the page language. */
export type Messages = Map<string, string[]>;

const ROLE_KEYS: Record<string, MessageKey> = { admin: 'role.admin', editor: 'role.editor', member: 'role.member' };

/** A role's name in the page language (an unknown one as stored). */
export function roleName(env: PageEnv, role: string | undefined): string {
  const key = ROLE_KEYS[(role ?? '').toLowerCase()];
  return key ? env.t(key) : (role ?? '');
}

const titleOf = (g: GroupHead): string => g.title || g.name;
const base = (kind: GroupKind, g: GroupHead, what: string): string => `/${kind}/${what}/${encodeURIComponent(g.name)}`;
const userLabel = (u: MemberUser): string => u.fullname || u.display_name || u.name;

/** `/{kind}/members/{name}`: the members with their roles; those the action lets manage members get the add, edit and remove links. */
export function MembersPage({ env, kind, g, users, canManage }: { env: PageEnv; kind: GroupKind; g: GroupHead; users: MemberUser[]; canManage: boolean }) {
  const { t } = env;
  return (
    <>
      <h1>{t('members.title', { name: titleOf(g) })}</h1>
      <p>{t('members.intro', { name: titleOf(g) })}</p>
      <p><a href={`/${kind}/${encodeURIComponent(g.name)}`}>{t('members.back', { name: titleOf(g) })}</a></p>
      {canManage ? <p><a class="button" href={base(kind, g, 'member_new')}>{t('members.add')}</a></p> : null}
      {users.length === 0 ? (
        <p>{t('members.none')}</p>
      ) : (
        <table class="data">
          <thead>
            <tr>
              <th scope="col">{t('members.user')}</th>
              <th scope="col">{t('members.role')}</th>
              {canManage ? <th scope="col">{t('members.actions')}</th> : null}
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr>
                <td><a href={`/user/${encodeURIComponent(u.name)}`}>{userLabel(u)}</a>{userLabel(u) !== u.name ? <span class="meta"> ({u.name})</span> : null}</td>
                <td>{roleName(env, u.capacity)}</td>
                {canManage ? (
                  <td class="actions">
                    <a href={`${base(kind, g, 'member_new')}?user=${encodeURIComponent(u.name)}`} aria-label={t('members.editLabel', { name: u.name })}>{t('members.edit')}</a>{' '}
                    <a href={`${base(kind, g, 'member_delete')}?user=${encodeURIComponent(u.name)}`} aria-label={t('members.removeLabel', { name: u.name })}>{t('members.remove')}</a>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function FieldErrors({ id, messages }: { id: string; messages?: string[] }) {
  if (!messages?.length) return null;
  return <p class="field-error" id={`${id}-error`}>{messages.join(' ')}</p>;
}

const describedBy = (id: string, messages: Messages, hint: boolean): string => [hint ? `${id}-hint` : '', messages.has(id) ? `${id}-error` : ''].filter(Boolean).join(' ');

/**
 * `/{kind}/member_new/{name}`: a user name (a text field with the site's users as a datalist, so it works without
 * JavaScript) and a role from member_roles_list with what each role may do. Editing a member (`?user=`) fixes the name.
 */
export function MemberFormPage({ env, kind, g, roles, username, role, editing, known, messages, summary }: {
  env: PageEnv; kind: GroupKind; g: GroupHead; roles: { value: string; text: string }[]; username: string; role: string;
  editing: boolean; known: string[]; messages: Messages; summary: boolean;
}) {
  const { t } = env;
  const explain = (value: string): string => {
    if (kind === 'group') return t(value === 'admin' ? 'role.explain.groupAdmin' : 'role.explain.groupMember');
    return value === 'admin' || value === 'editor' || value === 'member' ? t(`role.explain.${value}`) : '';
  };
  return (
    <>
      <h1>{t(editing ? 'members.editTitle' : 'members.newTitle', { name: titleOf(g) })}</h1>
      <p><a href={base(kind, g, 'members')}>{t('members.backToList')}</a></p>
      {summary ? <p class="error-summary" role="alert">{t('members.hasErrors')}</p> : null}
      {messages.get('') ? <p class="error-summary">{messages.get('')!.join(' ')}</p> : null}
      <form class="stack" method="post" action={base(kind, g, 'member_new')}>
        <CsrfField env={env} />
        {editing ? <input type="hidden" name="editing" value="1" /> : null}
        <div class="field">
          <label for="username">{t('members.username')}</label>
          {editing ? null : <p class="meta" id="username-hint">{t('members.usernameHint')}</p>}
          <input
            type="text" id="username" name="username" value={username} required autoComplete="off" readOnly={editing}
            list={editing ? undefined : 'known-users'} spellcheck={false}
            aria-invalid={messages.has('username') ? 'true' : undefined} aria-describedby={describedBy('username', messages, !editing) || undefined}
          />
          {editing ? null : <datalist id="known-users">{known.map((n) => <option value={n} />)}</datalist>}
          <FieldErrors id="username" messages={messages.get('username')} />
        </div>
        <div class="field">
          <label for="role">{t('members.role')}</label>
          <select id="role" name="role" aria-invalid={messages.has('role') ? 'true' : undefined} aria-describedby={describedBy('role', messages, true)}>
            {roles.map((r) => <option value={r.value} selected={r.value === role}>{roleName(env, r.value) || r.text}</option>)}
          </select>
          <FieldErrors id="role" messages={messages.get('role')} />
          <div class="meta" id="role-hint">
            <p>{t('members.roleHint')}</p>
            <dl class="roles">
              {roles.map((r) => (
                <>
                  <dt>{roleName(env, r.value) || r.text}</dt>
                  <dd>{explain(r.value)}</dd>
                </>
              ))}
            </dl>
          </div>
        </div>
        <div>
          <button type="submit">{t(editing ? 'members.save' : 'members.add')}</button>
        </div>
      </form>
    </>
  );
}

/** `/{kind}/member_delete/{name}?user=…`: CKAN's confirmation before a member is removed; the POST carries the CSRF token. */
export function MemberDeletePage({ env, kind, g, user }: { env: PageEnv; kind: GroupKind; g: GroupHead; user: MemberUser }) {
  const { t } = env;
  return (
    <>
      <h1>{t('members.deleteTitle', { name: titleOf(g) })}</h1>
      <p>{t('members.deleteQuestion', { user: userLabel(user), name: titleOf(g) })}</p>
      <form method="post" action={`${base(kind, g, 'member_delete')}?user=${encodeURIComponent(user.name)}`} class="inline-actions">
        <CsrfField env={env} />
        <input type="hidden" name="user" value={user.name} />
        <button type="submit">{t('members.deleteConfirm')}</button>{' '}
        <a href={base(kind, g, 'members')}>{t('members.cancel')}</a>
      </form>
    </>
  );
}
