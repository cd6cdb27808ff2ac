import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ActionContext } from '../api/action-context';
import { CkanError, ValidationError } from '../api/errors';
import { messagesByField } from './dataset-form';
import { typedText } from './form-text';
import { mayEditDataset } from './steward-parts';
import type { MessageKey } from './i18n/de';
import { AccessPage, ApprovalQueuePage, CollaboratorRow, CollaboratorsPage, FormMessages, OrgOption, QueueItem, ShareDict, WorkflowDict } from './pages/access';
import type { PageEnv } from './pages/layout';
import { Page, PageError, WebPages } from './web-pages';

/** organization_list: dicts per call with all_fields (CKAN's limit), names per call. */
const ORG_PAGE = 25;
const ORG_LIST_MAX = 1000;
/** Datasets the approval queue shows per page. */
const QUEUE_PAGE = 20;
/** The capacities the collaborator form offers (CKAN's defaults; "admin" only where the platform allows it, which the action checks). */
const COLLABORATOR_CAPACITIES = ['member', 'editor'];
const COLLABORATORS_OFF = 'Dataset collaborators not enabled';

const enc = encodeURIComponent;
const loginFirst = (path: string): Page => ({ title: '', redirect: `/user/login?came_from=${enc(path)}` });

/** A refused write in words: which field it concerns ('_' for the whole form), and the status the page answers. */
interface Refusal {
  status: number;
  messages: FormMessages;
}

/**
 * The steward's access pages (issue 17): a dataset's access level and shares (`/dataset/{name}/access`), its
 * collaborators (CKAN's `/dataset/collaborators/{id}`), submitting a draft for approval and the approvers' queue
 * (`/dashboard/approvals`). Everything is read and written through actions with the session's caller, so who may do
 * what is the actions' decision (and src/auth's); a refusal is a message on the page, never a 500.
 */
@Injectable()
export class AccessPages {
  constructor(private readonly pages: WebPages) {}

  /** An action's refusal as messages on the form; anything else goes on to the error page. */
  private refusal(err: unknown, env: PageEnv, fieldOf: (field: string) => string = (f) => f): Refusal {
    if (!(err instanceof CkanError)) throw err;
    const messages: FormMessages = new Map();
    const add = (k: string, m: string[]): void => void messages.set(k, [...(messages.get(k) ?? []), ...m]);
    if (err instanceof ValidationError) {
      for (const [k, m] of messagesByField(err.fields, env.lang)) add(fieldOf(k), m);
      return { status: 409, messages };
    }
    if (err.kind === 'not_authorized') {
      const key: MessageKey = /make a dataset public|make package .* public/.test(err.message)
        ? 'acc.refusedPublic'
        : /requires an approver/.test(err.message) ? 'acc.refusedPublish' : 'acc.refused';
      add('_', [env.t(key)]);
      return { status: 403, messages };
    }
    if (err.kind === 'not_found') {
      add('_', [env.t('acc.notFound')]);
      return { status: 404, messages };
    }
    if (err.kind === 'rate_limited') throw err;
    add('_', [env.t('wf.failed', { reason: err.message })]);
    return { status: 400, messages };
  }

  /** The dataset for a steward page: its reader may see it (else 404); only who may edit it gets the page (else 403). */
  private async stewardDataset(ctx: ActionContext, id: string): Promise<WorkflowDict> {
    const d = await ctx.call<WorkflowDict>('package_show', { id });
    if (!(await mayEditDataset(ctx, d))) throw new PageError(403);
    return d;
  }

  /** `/dataset/{name}/access`: GET the page; POST `op` = level | share | unshare, then 303 back with what was done. */
  access(req: FastifyRequest, reply: FastifyReply, id: string): Promise<void> {
    return this.pages.serve(req, reply, async (ctx, env, query, form) => {
      if (!env.user) return loginFirst(`/dataset/${id}/access`);
      const d = await this.stewardDataset(ctx, id);
      const self = `/dataset/${enc(d.name)}/access`;
      let refused: Refusal | undefined;
      if (req.method === 'POST') {
        const op = form.get('op');
        const org = form.get('organization_id') ?? '';
        try {
          if (op === 'level') {
            await ctx.call('package_patch', { id: d.id, access_level: form.get('access_level') ?? '' });
            return { title: '', redirect: `${self}?done=level` };
          }
          if (op === 'share') {
            const share = await ctx.call<ShareDict>('dataset_share_create', { id: d.id, organization_id: org, capacity: form.get('capacity') ?? 'read' });
            return { title: '', redirect: `${self}?done=shared&org=${enc(share.organization_name)}` };
          }
          if (op === 'unshare') {
            await ctx.call('dataset_share_delete', { id: d.id, organization_id: org });
            return { title: '', redirect: `${self}?done=unshared&org=${enc(org)}` };
          }
          throw new PageError(400);
        } catch (err) {
          if (err instanceof PageError) throw err;
          // A share's field errors concern the share form's fields; a level's 'private' or 'state' the level.
          refused = this.refusal(err, env, (f) => (op === 'level' && f !== '_' ? 'access_level' : f));
          if (refused.status === 404 && op !== 'level') refused = { status: 400, messages: new Map([['organization_id', [env.t('acc.orgNotFound')]]]) };
        }
      }
      const [shares, orgs, collaboratorsHref] = await Promise.all([
        ctx.call<ShareDict[]>('dataset_share_list', { id: d.id }),
        this.organizations(ctx),
        this.collaboratorsLink(ctx, d),
      ]);
      const flash = this.accessFlash(env, query, orgs);
      return {
        status: refused?.status,
        title: env.t('acc.title', { title: d.title || d.name }),
        body: <AccessPage env={env} d={d} shares={shares} orgs={orgs} messages={refused?.messages ?? new Map()} flash={refused ? undefined : flash} collaboratorsHref={collaboratorsHref} />,
      };
    });
  }

  /**
   * Every organization for the share picker, with titles: organization_list answers at most 25 dicts a call (CKAN's
   * all_fields limit), so the pages of 25 are asked together after the names say how many there are.
   */
  private async organizations(ctx: ActionContext): Promise<OrgOption[]> {
    const names = await ctx.call<string[]>('organization_list', { limit: ORG_LIST_MAX });
    const pages = Array.from({ length: Math.ceil(names.length / ORG_PAGE) }, (_, i) =>
      ctx.call<OrgOption[]>('organization_list', { all_fields: true, include_dataset_count: false, sort: 'title asc', limit: ORG_PAGE, offset: i * ORG_PAGE }),
    );
    return (await Promise.all(pages)).flat();
  }

  /** What the last POST did, from the address it redirected to (an organization named only when it exists). */
  private accessFlash(env: PageEnv, query: Record<string, unknown>, orgs: OrgOption[]): string | undefined {
    const org = orgs.find((o) => o.name === query.org || o.id === query.org);
    const orgName = org ? org.title || org.name : undefined;
    if (query.done === 'level') return env.t('acc.levelSaved');
    if (query.done === 'shared' && orgName) return env.t('acc.shared', { org: orgName });
    if (query.done === 'unshared' && orgName) return env.t('acc.unshared', { org: orgName });
    return undefined;
  }

  /** The collaborators page's address when the caller may manage them (package_collaborator_list answers them). */
  private async collaboratorsLink(ctx: ActionContext, d: WorkflowDict): Promise<string | undefined> {
    try {
      await ctx.call('package_collaborator_list', { id: d.id });
      return `/dataset/collaborators/${enc(d.name)}`;
    } catch (err) {
      if (err instanceof CkanError && (err.kind === 'not_authorized' || err.kind === 'validation')) return undefined;
      throw err;
    }
  }

  /** POST `/dataset/{name}/submit`: dataset_submit, then back to the dataset. A refusal is the error page in words. */
  submit(req: FastifyRequest, reply: FastifyReply, id: string): Promise<void> {
    return this.pages.serve(req, reply, async (ctx, env) => {
      if (!env.user) throw new PageError(403);
      try {
        const d = await ctx.call<WorkflowDict>('dataset_submit', { id });
        return { title: '', redirect: `/dataset/${enc(d.name)}` };
      } catch (err) {
        if (err instanceof ValidationError) throw new PageError(400, [...messagesByField(err.fields, env.lang).values()].flat().join(' '));
        if (err instanceof CkanError && err.kind === 'not_authorized') throw new PageError(403, env.t('acc.refused'));
        throw err;
      }
    });
  }

  /**
   * `/dashboard/approvals`: dataset_approval_list's pending datasets, each with publish (dataset_publish with an access
   * level) and send back (dataset_send_back with a required note). POST `op` = publish | send_back, `id`, then 303 back.
   */
  approvals(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    return this.pages.serve(req, reply, async (ctx, env, query, form) => {
      if (!env.user) return loginFirst('/dashboard/approvals');
      const page = Math.min(Math.max(1, Math.trunc(Number(query.page)) || 1), 500);
      let errorFor: { id: string; messages: FormMessages } | undefined;
      let status: number | undefined;
      if (req.method === 'POST') {
        const op = form.get('op');
        const id = form.get('id') ?? '';
        try {
          if (op === 'publish') {
            const level = form.get('access_level');
            const d = await ctx.call<WorkflowDict>('dataset_publish', { id, ...(level ? { access_level: level } : {}) });
            return { title: '', redirect: `/dashboard/approvals?done=published&id=${enc(d.name)}` };
          }
          if (op === 'send_back') {
            const d = await ctx.call<WorkflowDict>('dataset_send_back', { id, note: typedText(form.get('note') ?? '') });
            return { title: '', redirect: `/dashboard/approvals?done=sent_back&id=${enc(d.name)}` };
          }
          throw new PageError(400);
        } catch (err) {
          if (err instanceof PageError) throw err;
          const r = this.refusal(err, env);
          if (r.messages.has('note')) r.messages.set('note', [env.t('wf.noteMissing')]);
          errorFor = { id, messages: r.messages };
          status = r.status;
        }
      }
      const list = await ctx.call<{ count: number; results: QueueItem[] }>('dataset_approval_list', { limit: QUEUE_PAGE, offset: (page - 1) * QUEUE_PAGE });
      let flash: string | undefined;
      if ((query.done === 'published' || query.done === 'sent_back') && typeof query.id === 'string') {
        const done = await this.titleOf(ctx, query.id);
        if (done) flash = env.t(query.done === 'published' ? 'wf.published' : 'wf.sentBackDone', { title: done });
      }
      const lost = errorFor && !list.results.some((d) => d.id === errorFor?.id || d.name === errorFor?.id) ? [...errorFor.messages.values()].flat().join(' ') : undefined;
      const approver = list.count > 0 || (await ctx.call<unknown[]>('organization_list_for_user', { permission: 'admin' })).length > 0;
      return {
        status,
        title: env.t('wf.queueTitle'),
        body: (
          <>
            {lost ? <p class="error-summary" role="alert">{lost}</p> : null}
            {approver ? null : <p class="notice">{env.t('wf.notApprover')}</p>}
            <ApprovalQueuePage env={env} items={list.results} count={list.count} page={page} pageSize={QUEUE_PAGE} errorFor={errorFor} flash={flash} />
          </>
        ),
      };
    });
  }

  /** A dataset's title for a message, when the caller may read it. */
  private async titleOf(ctx: ActionContext, id: string): Promise<string | undefined> {
    try {
      const d = await ctx.call<WorkflowDict>('package_show', { id });
      return d.title || d.name;
    } catch (err) {
      if (err instanceof CkanError && (err.kind === 'not_found' || err.kind === 'not_authorized' || err.kind === 'validation')) return undefined;
      throw err;
    }
  }

  /**
   * CKAN's `/dataset/collaborators/{id}` (GET), `/dataset/collaborators/{id}/new` (POST) and
   * `/dataset/collaborators/{id}/delete/{user_id}` (POST), through package_collaborator_*.
   */
  collaborators(req: FastifyRequest, reply: FastifyReply, id: string, op?: { add: true } | { remove: string }): Promise<void> {
    return this.pages.serve(req, reply, async (ctx, env, _query, form) => {
      if (!env.user) return loginFirst(`/dataset/collaborators/${id}`);
      const d = await ctx.call<WorkflowDict>('package_show', { id });
      const self = `/dataset/collaborators/${enc(d.name)}`;
      let refused: Refusal | undefined;
      if (req.method === 'POST' && op) {
        try {
          if ('add' in op) await ctx.call('package_collaborator_create', { id: d.id, user_id: (form.get('username') ?? '').trim(), capacity: form.get('capacity') ?? '' });
          else await ctx.call('package_collaborator_delete', { id: d.id, user_id: op.remove });
          return { title: '', redirect: self };
        } catch (err) {
          refused = this.refusal(err, env, (f) => (f === 'user_id' ? 'username' : f));
          if (refused.status === 404 && 'add' in op) refused = { status: 400, messages: new Map([['username', [env.t('collab.unknownUser')]]]) };
          if (refused.status === 403) throw new PageError(403);
        }
      }
      let rows: CollaboratorRow[] = [];
      let disabled = false;
      try {
        const list = await ctx.call<{ user_id: string; capacity: string; modified: string }[]>('package_collaborator_list', { id: d.id });
        rows = await Promise.all(list.map(async (c) => ({ ...c, name: (await ctx.call<{ name: string }>('user_show', { id: c.user_id })).name })));
      } catch (err) {
        if (err instanceof ValidationError && JSON.stringify(err.fields).includes(COLLABORATORS_OFF)) disabled = true;
        else if (err instanceof CkanError && err.kind === 'not_authorized') throw new PageError(403);
        else throw err;
      }
      return {
        status: refused?.status,
        title: env.t('collab.title', { title: d.title || d.name }),
        body: <CollaboratorsPage env={env} d={d} rows={rows} capacities={COLLABORATOR_CAPACITIES} messages={refused?.messages ?? new Map()} disabled={disabled} />,
      };
    });
  }
}
