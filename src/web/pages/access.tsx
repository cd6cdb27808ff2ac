import { formatDate, PackageDict } from '../dataset-fields';
import type { MessageKey } from '../i18n/de';
import { CsrfField, PageEnv } from './layout';

/** The access levels in the order the page offers them (src/auth/visibility.ts's ACCESS_LEVELS). */
export const LEVELS = ['public', 'internal', 'shared', 'private'] as const;

/** Where a dataset stands in the approval workflow, as package_show gives it (issue 14). */
export interface ApprovalInfo {
  status: 'draft' | 'pending' | 'published' | 'sent_back';
  note: string | null;
  by: string | null;
  at: string | null;
  submitted_by: string | null;
  submitted_at: string | null;
}

export type WorkflowDict = PackageDict & { owner_org?: string | null; approval?: ApprovalInfo };

/** A share as dataset_share_list answers it. */
export interface ShareDict {
  organization_id: string;
  organization_name: string;
  organization_title: string;
  capacity: string;
  created: string;
  created_by?: string | null;
}

export interface OrgOption {
  id: string;
  name: string;
  title?: string | null;
}

/** Messages by form field ('_' for the form as a whole), already in the page language. */
export type FormMessages = Map<string, string[]>;

/** A message about a form as a whole: what happened (role=status) or what went wrong (role=alert). */
export function Flash({ text, error }: { text?: string; error?: boolean }) {
  if (!text) return null;
  return error ? <p class="error-summary" role="alert">{text}</p> : <p class="notice" role="status">{text}</p>;
}

function FieldError({ id, messages }: { id: string; messages?: string[] }) {
  return messages?.length ? <p class="field-error" id={`${id}-error`}>{messages.join(' ')}</p> : null;
}

const dateOf = (env: PageEnv, iso: string | null | undefined): string => formatDate(iso, env.lang) || (iso ?? '');

/**
 * The dataset's place in the workflow as a banner: a draft, awaiting approval (by whom, since when), or sent back with
 * the approver's note; for those who may change its state, the button that submits a draft for approval.
 */
export function WorkflowBanner({ env, d, mayEdit }: { env: PageEnv; d: WorkflowDict; mayEdit: boolean }) {
  const { t } = env;
  const a = d.approval;
  if (d.state !== 'draft' && d.state !== 'pending') return null;
  let text: string;
  if (d.state === 'pending') text = a?.submitted_by && a.submitted_at ? t('wf.pending', { by: a.submitted_by, at: dateOf(env, a.submitted_at) }) : t('wf.pendingNoBy');
  else if (a?.status === 'sent_back') text = a.by && a.at ? t('wf.sentBack', { by: a.by, at: dateOf(env, a.at) }) : t('wf.sentBackNoBy');
  else text = t('wf.draft');
  return (
    <section class="workflow" aria-label={t('wf.queueTitle')}>
      <p><span class="badge-warn">{d.state === 'pending' ? t('dataset.pending') : t('dataset.draft')}</span> {text}</p>
      {a?.note ? (
        <div class="wf-note">
          <p class="wf-note-label">{a.status === 'sent_back' ? t('wf.note') : t('wf.lastNote')}</p>
          <blockquote>{a.note.split('\n').map((line, i) => (i === 0 ? line : <><br />{line}</>))}</blockquote>
        </div>
      ) : null}
      {mayEdit && d.state === 'draft' && a ? (
        <form method="post" action={`/dataset/${encodeURIComponent(d.name)}/submit`}>
          <CsrfField env={env} />
          <button type="submit">{t('wf.submit')}</button>
        </form>
      ) : null}
    </section>
  );
}

/** The steward's corner of a dataset page: the workflow banner, the links to its access page and (for approvers of a pending one) the queue. */
export function DatasetStewardPart({ env, d, mayEdit, mayApprove }: { env: PageEnv; d: WorkflowDict; mayEdit: boolean; mayApprove?: boolean }) {
  return (
    <>
      <WorkflowBanner env={env} d={d} mayEdit={mayEdit} />
      {mayApprove ? <p><a href="/dashboard/approvals">{env.t('wf.toQueue')}</a></p> : null}
      {mayEdit ? <p><a href={`/dataset/${encodeURIComponent(d.name)}/access`} aria-label={env.t('acc.manageLabel', { title: d.title || d.name })}>{env.t('acc.manage')}</a></p> : null}
    </>
  );
}

/**
 * `/dataset/{name}/access`: the access level with what each level means and a form to change it, the organizations
 * the dataset is shared with (permission, since when, by whom) with forms to add and remove shares. Every change is
 * an action with the caller (package_patch, dataset_share_create, dataset_share_delete), which decides who may.
 */
export function AccessPage({ env, d, shares, orgs, messages, flash, collaboratorsHref }: {
  env: PageEnv; d: WorkflowDict; shares: ShareDict[]; orgs: OrgOption[]; messages: FormMessages; flash?: string; collaboratorsHref?: string;
}) {
  const { t } = env;
  const title = d.title || d.name;
  const action = `/dataset/${encodeURIComponent(d.name)}/access`;
  const level = d.access_level ?? (d.private ? 'private' : 'public');
  const candidates = orgs.filter((o) => o.id !== d.owner_org && o.id !== d.organization?.id);
  const general = messages.get('_');
  const invalid = (k: string): { 'aria-invalid'?: 'true'; 'aria-describedby'?: string } => (messages.has(k) ? { 'aria-invalid': 'true', 'aria-describedby': `${k}-error` } : {});
  return (
    <>
      <p><a href={`/dataset/${encodeURIComponent(d.name)}`}>{t('acc.back', { title })}</a></p>
      <h1>{t('acc.title', { title })}</h1>
      <Flash text={flash} />
      {general?.length ? <p class="error-summary" role="alert">{general.join(' ')}</p> : null}
      <WorkflowBanner env={env} d={d} mayEdit />

      <section aria-labelledby="level-title">
        <h2 id="level-title">{t('acc.levelTitle')}</h2>
        <p>{t('acc.current', { level: LEVELS.includes(level as (typeof LEVELS)[number]) ? t(`access.${level}` as MessageKey) : level })}</p>
        <form class="stack wide" method="post" action={action}>
          <CsrfField env={env} />
          <input type="hidden" name="op" value="level" />
          <fieldset {...(messages.has('access_level') ? { 'aria-describedby': 'access_level-error' } : {})}>
            <legend>{t('acc.levelTitle')}</legend>
            {LEVELS.map((l) => (
              <div class="choice">
                <input type="radio" id={`level-${l}`} name="access_level" value={l} checked={level === l} aria-describedby={`level-${l}-text`} />
                <label for={`level-${l}`}>{t(`access.${l}` as MessageKey)}</label>
                <p class="hint" id={`level-${l}-text`}>{t(`acc.level.${l}` as MessageKey)}</p>
              </div>
            ))}
            <FieldError id="access_level" messages={messages.get('access_level')} />
          </fieldset>
          <p class="meta">{t('acc.levelNote')}</p>
          <div><button type="submit">{t('acc.saveLevel')}</button></div>
        </form>
      </section>

      <section aria-labelledby="shares-title">
        <h2 id="shares-title">{t('acc.sharesTitle')}</h2>
        <p class="meta">{t('acc.sharesNote')}</p>
        {shares.length === 0 ? (
          <p>{t('acc.noShares')}</p>
        ) : (
          <table class="data">
            <thead>
              <tr>
                <th scope="col">{t('acc.shareOrg')}</th>
                <th scope="col">{t('acc.sharePermission')}</th>
                <th scope="col">{t('acc.shareSince')}</th>
                <th scope="col">{t('acc.shareBy')}</th>
                <th scope="col">{t('acc.shareActions')}</th>
              </tr>
            </thead>
            <tbody>
              {shares.map((s) => {
                const org = s.organization_title || s.organization_name;
                return (
                  <tr>
                    <td><a href={`/organization/${encodeURIComponent(s.organization_name)}`}>{org}</a></td>
                    <td>{s.capacity === 'edit' || s.capacity === 'read' ? t(`acc.perm.${s.capacity}`) : s.capacity}</td>
                    <td>{dateOf(env, s.created)}</td>
                    <td>{s.created_by ? <a href={`/user/${encodeURIComponent(s.created_by)}`}>{s.created_by}</a> : t('acc.unknown')}</td>
                    <td>
                      <form method="post" action={action}>
                        <CsrfField env={env} />
                        <input type="hidden" name="op" value="unshare" />
                        <input type="hidden" name="organization_id" value={s.organization_id} />
                        <button type="submit" class="secondary" aria-label={t('acc.removeShareLabel', { org })}>{t('acc.removeShare')}</button>
                      </form>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        <h3>{t('acc.addShare')}</h3>
        {candidates.length === 0 ? (
          <p>{t('acc.noOtherOrgs')}</p>
        ) : (
          <form class="stack" method="post" action={action}>
            <CsrfField env={env} />
            <input type="hidden" name="op" value="share" />
            <div class="field">
              <label for="organization_id">{t('acc.shareOrg')}</label>
              <select id="organization_id" name="organization_id" required {...invalid('organization_id')}>
                {candidates.map((o) => <option value={o.name}>{o.title || o.name}</option>)}
              </select>
              <FieldError id="organization_id" messages={messages.get('organization_id')} />
            </div>
            <div class="field">
              <label for="capacity">{t('acc.sharePermission')}</label>
              <select id="capacity" name="capacity" aria-describedby={messages.has('capacity') ? 'capacity-hint capacity-error' : 'capacity-hint'} {...(messages.has('capacity') ? { 'aria-invalid': 'true' as const } : {})}>
                <option value="read">{t('acc.perm.read')}</option>
                <option value="edit">{t('acc.perm.edit')}</option>
              </select>
              <p class="hint" id="capacity-hint">{t('acc.permHint')}</p>
              <FieldError id="capacity" messages={messages.get('capacity')} />
            </div>
            <div><button type="submit">{t('acc.shareSubmit')}</button></div>
          </form>
        )}
      </section>
      {collaboratorsHref ? <p><a href={collaboratorsHref}>{t('acc.collaborators')}</a></p> : null}
    </>
  );
}

/** A dataset awaiting approval as the queue lists it (dataset_approval_list's package dicts). */
export type QueueItem = WorkflowDict;

/**
 * `/dashboard/approvals`: the datasets awaiting the caller's approval, each with a publish form (access level to
 * publish with) and a send-back form whose note is required; a refused step's message stands beside its form.
 */
export function ApprovalQueuePage({ env, items, count, page, pageSize, errorFor, flash }: {
  env: PageEnv; items: QueueItem[]; count: number; page: number; pageSize: number;
  /** The dataset whose form failed, with messages by field. */
  errorFor?: { id: string; messages: FormMessages };
  flash?: string;
}) {
  const { t } = env;
  const last = Math.max(1, Math.ceil(count / pageSize));
  return (
    <>
      <h1>{t('wf.queueTitle')}</h1>
      <p>{t('wf.queueIntro')}</p>
      <Flash text={flash} />
      {count === 0 ? <p>{t('wf.queueEmpty')}</p> : <p class="meta">{t('wf.queueCount', { count })}</p>}
      <ul class="results queue">
        {items.map((d) => {
          const title = d.title || d.name;
          const key = d.name;
          const msgs = errorFor?.id === d.id || errorFor?.id === d.name ? errorFor.messages : new Map<string, string[]>();
          const general = msgs.get('_');
          const level = d.access_level ?? (d.private ? 'private' : 'public');
          const noteId = `note-${key}`;
          return (
            <li>
              <h2><a href={`/dataset/${encodeURIComponent(d.name)}`}>{title}</a></h2>
              <p class="meta">
                {t('wf.organization', { org: d.organization?.title || d.organization?.name || '–' })}
                {d.approval?.submitted_by && d.approval.submitted_at ? <><br />{t('wf.submittedBy', { by: d.approval.submitted_by, at: dateOf(env, d.approval.submitted_at) })}</> : null}
              </p>
              {d.approval?.note ? <p class="meta">{t('wf.lastNote')}: {d.approval.note}</p> : null}
              {general?.length ? <p class="error-summary" role="alert">{general.join(' ')}</p> : null}
              <div class="queue-forms">
                <form class="stack" method="post" action="/dashboard/approvals">
                  <CsrfField env={env} />
                  <input type="hidden" name="op" value="publish" />
                  <input type="hidden" name="id" value={d.name} />
                  <div class="field">
                    <label for={`level-${key}`}>{t('wf.publishLevel')}</label>
                    <select id={`level-${key}`} name="access_level">
                      {LEVELS.map((l) => <option value={l} selected={l === level}>{t(`access.${l}` as MessageKey)}</option>)}
                    </select>
                  </div>
                  <div><button type="submit" aria-label={t('wf.publishLabel', { title })}>{t('wf.publish')}</button></div>
                </form>
                <form class="stack" method="post" action="/dashboard/approvals">
                  <CsrfField env={env} />
                  <input type="hidden" name="op" value="send_back" />
                  <input type="hidden" name="id" value={d.name} />
                  <div class="field">
                    <label for={noteId}>{t('wf.sendBackNote')}</label>
                    <textarea id={noteId} name="note" rows={3} required {...(msgs.has('note') ? { 'aria-invalid': 'true', 'aria-describedby': `${noteId}-error` } : {})} />
                    <FieldError id={noteId} messages={msgs.get('note')} />
                  </div>
                  <div><button type="submit" class="secondary">{t('wf.sendBack')}</button></div>
                </form>
              </div>
            </li>
          );
        })}
      </ul>
      {last > 1 ? (
        <nav class="paging" aria-label={t('paging.label')}>
          <ul>
            {page > 1 ? <li><a rel="prev" href={`/dashboard/approvals?page=${Math.min(page - 1, last)}`}>{t('paging.previous')}</a></li> : null}
            <li aria-current="page">{t('paging.page', { page, pages: last })}</li>
            {page < last ? <li><a rel="next" href={`/dashboard/approvals?page=${page + 1}`}>{t('paging.next')}</a></li> : null}
          </ul>
        </nav>
      ) : null}
    </>
  );
}

/** A collaborator as package_collaborator_list answers it, with the user's name looked up. */
export interface CollaboratorRow {
  user_id: string;
  name: string;
  capacity: string;
  modified: string;
}

/**
 * CKAN's `/dataset/collaborators/{id}`: the people who collaborate on a dataset, a form to add one (user name, role)
 * and one to remove each. package_collaborator_* decide who may (the organization's admins, sysadmins).
 */
export function CollaboratorsPage({ env, d, rows, capacities, messages, disabled }: {
  env: PageEnv; d: WorkflowDict; rows: CollaboratorRow[]; capacities: string[]; messages: FormMessages; disabled: boolean;
}) {
  const { t } = env;
  const title = d.title || d.name;
  const base = `/dataset/collaborators/${encodeURIComponent(d.name)}`;
  const general = messages.get('_');
  const role = (c: string): string => (c === 'admin' || c === 'editor' || c === 'member' ? t(`role.${c}`) : c);
  return (
    <>
      <p><a href={`/dataset/${encodeURIComponent(d.name)}/access`}>{t('acc.manage')}</a></p>
      <h1>{t('collab.title', { title })}</h1>
      <p>{t('collab.intro')}</p>
      {disabled ? <p class="notice">{t('collab.disabled')}</p> : null}
      {general?.length ? <p class="error-summary" role="alert">{general.join(' ')}</p> : null}
      {!disabled && rows.length === 0 ? <p>{t('collab.none')}</p> : null}
      {rows.length ? (
        <table class="data">
          <thead>
            <tr>
              <th scope="col">{t('collab.user')}</th>
              <th scope="col">{t('collab.capacity')}</th>
              <th scope="col">{t('collab.since')}</th>
              <th scope="col">{t('acc.shareActions')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr>
                <td><a href={`/user/${encodeURIComponent(r.name)}`}>{r.name}</a></td>
                <td>{role(r.capacity)}</td>
                <td>{dateOf(env, r.modified)}</td>
                <td>
                  <form method="post" action={`${base}/delete/${encodeURIComponent(r.user_id)}`}>
                    <CsrfField env={env} />
                    <button type="submit" class="secondary" aria-label={t('collab.removeLabel', { user: r.name })}>{t('collab.remove')}</button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {!disabled ? (
        <>
          <h2>{t('collab.add')}</h2>
          <form class="stack" method="post" action={`${base}/new`}>
            <CsrfField env={env} />
            <div class="field">
              <label for="username">{t('collab.user')}</label>
              <input type="text" id="username" name="username" required {...(messages.has('username') ? { 'aria-invalid': 'true', 'aria-describedby': 'username-error' } : {})} />
              <FieldError id="username" messages={messages.get('username')} />
            </div>
            <div class="field">
              <label for="capacity">{t('collab.capacity')}</label>
              <select id="capacity" name="capacity">
                {capacities.map((c) => <option value={c}>{role(c)}</option>)}
              </select>
            </div>
            <div><button type="submit">{t('collab.addSubmit')}</button></div>
          </form>
        </>
      ) : null}
    </>
  );
}
