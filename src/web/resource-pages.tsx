import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ActionContext, DataDict } from '../api/action-context';
import { ActionUploads } from '../api/action-uploads';
import { CkanError, ValidationError } from '../api/errors';
import { mixed } from '../api/request-data';
import { APP_CONFIG, AppConfig } from '../config/env';
import { csrfMatches } from './csrf';
import type { PackageDict, ResourceDict } from './dataset-fields';
import type { PageEnv } from './pages/layout';
import { ResourceFormPage, ResourceFormValues, ResourceMessages, sizeInWords } from './pages/resource-form';
import { datasetPath, mayChangeDataset, resourcePagePath } from './steward-parts';
import { typedText } from './form-text';
import { localMessage } from './validation-messages';
import { isMultipart, orForbidden, Page, PageError, WebPages } from './web-pages';

/** The form's fields; a message for any other key goes into the summary. */
const FIELDS = ['name', 'description', 'format', 'url', 'upload'] as const;
/** The API's words for a file above UPLOAD_MAX_BYTES (ResourceUploads, ActionUploads). */
const TOO_LARGE = 'File upload too large';

type Dataset = PackageDict & { owner_org?: string | null };
type Resource = ResourceDict & { resource_type?: string };

const text = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '');

/**
 * The steward's resource forms (issue 17), at CKAN's addresses: `/dataset/{name}/resource/new` and
 * `/dataset/{name}/resource/{id}/edit` (a multipart form: name, description, format, a file or a link), the delete
 * button, and "load again" (`/dataset/{name}/resource_data/{id}`, xloader_submit). A file streams to storage through
 * the action API's own multipart path (ActionUploads) with the session's caller, after the form's CSRF token (sent
 * first) matched; resource_create and resource_patch decide the rest. Refusals are the form again, each message
 * beside its field (409; 413 for a file too large), never a 500.
 */
@Injectable()
export class ResourcePages {
  constructor(private readonly pages: WebPages, private readonly uploads: ActionUploads, @Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** The dataset, if the caller gets the steward's forms for it (403 otherwise; 404 when it may not read it). */
  private async editable(ctx: ActionContext, id: string): Promise<Dataset> {
    const d = await ctx.call<Dataset>('package_show', { id });
    if (!(await mayChangeDataset(this.pages, ctx, d))) throw new PageError(403);
    return d;
  }

  private resourceOf(d: Dataset, rid: string): Resource {
    const r = (d.resources ?? []).find((x) => x.id === rid) as Resource | undefined;
    if (!r) throw new PageError(404);
    return r;
  }

  private formPage(env: PageEnv, d: Dataset, action: string, values: ResourceFormValues, extra: { r?: Resource; messages?: ResourceMessages; status?: number } = {}): Page {
    const r = extra.r;
    return {
      status: extra.status,
      title: env.t(r ? 'upload.editTitle' : 'upload.newTitle'),
      islands: ['upload'],
      body: (
        <ResourceFormPage env={env} action={action} dataset={d} values={values} messages={extra.messages ?? new Map()} summary={!!extra.messages?.size}
          maxBytes={this.config.UPLOAD_MAX_BYTES} currentFile={r?.url_type === 'upload' ? r.url?.replace(/^.*\//, '') : undefined}
          deleteAction={r ? `${resourcePagePath(d, r.id)}/delete` : undefined} cancelHref={r ? resourcePagePath(d, r.id) : datasetPath(d)} />
      ),
    };
  }

  /**
   * The form's data dict. Multipart: through the action API's reader, the CSRF token checked before the first file is
   * stored and once the body is read; an empty file field (no file chosen) is passed over. Any other form was checked
   * by WebPages.serve.
   */
  private async readForm(req: FastifyRequest, ctx: ActionContext, env: PageEnv, form: URLSearchParams, action: string, fixed: DataDict, received: unknown[], seen: { fields: DataDict }): Promise<DataDict> {
    if (!isMultipart(req)) {
      const fields = [...form].filter(([k]) => k !== '_csrf');
      return { ...mixed(fields), ...fixed };
    }
    const refuse = (): PageError => new PageError(403, env.t('error.csrfText'));
    const data = await this.uploads.read(req, action, ctx, received, {
      formOnly: ['_csrf'],
      fixed,
      beforeFile: (fields, part) => {
        if (!csrfMatches(text(fields._csrf), env.csrf)) throw refuse();
        seen.fields = fields;
        return part.filename !== '';
      },
    });
    if (!csrfMatches(text(data._csrf), env.csrf)) throw refuse();
    delete data._csrf;
    return data;
  }

  /** A refused write's messages by the form's fields, in the page's language; 413 when the file was too large. */
  private messages(env: PageEnv, err: ValidationError): { messages: ResourceMessages; status: number } {
    const messages: ResourceMessages = new Map();
    let tooLarge = false;
    for (const [k, v] of Object.entries(err.fields)) {
      const key = (FIELDS as readonly string[]).includes(k) ? k : '_';
      for (const m of Array.isArray(v) ? v : [v]) {
        const said = typeof m === 'string' ? m : JSON.stringify(m);
        if (said === TOO_LARGE) tooLarge = true;
        const shown = said === TOO_LARGE ? env.t('upload.tooLarge', { size: sizeInWords(env, this.config.UPLOAD_MAX_BYTES) }) : localMessage(said, env.lang);
        messages.set(key, [...(messages.get(key) ?? []), key === '_' ? `${k}: ${shown}` : shown]);
      }
    }
    return { messages, status: tooLarge ? 413 : 409 };
  }

  /** Reads the form, runs the action with the session's caller, answers the resource page or the form with its messages. */
  private async save(req: FastifyRequest, ctx: ActionContext, env: PageEnv, form: URLSearchParams, d: Dataset, r: Resource | undefined, formAction: string): Promise<Page> {
    const action = r ? 'resource_patch' : 'resource_create';
    const received: unknown[] = [];
    // What was typed, for the form again: the fields read before a refusal that came while the body was read.
    const seen: { fields: DataDict } = { fields: {} };
    let data: DataDict = {};
    try {
      data = await this.readForm(req, ctx, env, form, action, r ? { id: r.id } : { package_id: d.id }, received, seen);
      const saved = await ctx.call<{ id: string }>(action, r ? editInput(data, r) : createInput(data, d));
      return { title: '', redirect: resourcePagePath(d, saved.id) };
    } catch (err) {
      if (err instanceof ValidationError) {
        if (!Object.keys(data).length) data = seen.fields;
        const values = { name: text(data.name), description: text(data.description), format: text(data.format), url: text(data.url) };
        return this.formPage(env, d, formAction, values, { r, ...this.messages(env, err) });
      }
      if (err instanceof CkanError && err.kind === 'not_authorized') throw new PageError(403);
      throw err;
    } finally {
      await this.uploads.release(received);
    }
  }

  private loginFirst(path: string): Page {
    return { title: '', redirect: `/user/login?came_from=${encodeURIComponent(path)}` };
  }

  /** `/dataset/{name}/resource/new`: GET the empty form, POST it through resource_create. */
  newResource(req: FastifyRequest, reply: FastifyReply, id: string): Promise<void> {
    return this.pages.serve(req, reply, async (ctx, env, _query, form) => {
      if (!env.user) return this.loginFirst(`/dataset/${id}/resource/new`);
      const d = await this.editable(ctx, id);
      const action = `${datasetPath(d)}/resource/new`;
      if (req.method !== 'POST') return this.formPage(env, d, action, { name: '', description: '', format: '', url: '' });
      return this.save(req, ctx, env, form, d, undefined, action);
    }, { csrf: 'multipart' });
  }

  /** `/dataset/{name}/resource/{id}/edit`: GET the form with the stored values, POST it through resource_patch. */
  editResource(req: FastifyRequest, reply: FastifyReply, id: string, rid: string): Promise<void> {
    return this.pages.serve(req, reply, async (ctx, env, _query, form) => {
      if (!env.user) return this.loginFirst(`/dataset/${id}/resource/${rid}/edit`);
      const d = await this.editable(ctx, id);
      const r = this.resourceOf(d, rid);
      const action = `${resourcePagePath(d, r.id)}/edit`;
      if (req.method !== 'POST') {
        const url = r.url_type === 'upload' ? '' : r.url ?? '';
        return this.formPage(env, d, action, { name: r.name ?? '', description: r.description ?? '', format: r.format ?? '', url }, { r });
      }
      return this.save(req, ctx, env, form, d, r, action);
    }, { csrf: 'multipart' });
  }

  /** `POST /dataset/{name}/resource/{id}/delete`: resource_delete, then the dataset page. */
  deleteResource(req: FastifyRequest, reply: FastifyReply, id: string, rid: string): Promise<void> {
    return this.pages.serve(req, reply, async (ctx) => {
      const d = await this.editable(ctx, id);
      const r = this.resourceOf(d, rid);
      await orForbidden(ctx.call('resource_delete', { id: r.id }));
      return { title: '', redirect: datasetPath(d) };
    });
  }

  /** `POST /dataset/{name}/resource_data/{id}`: xloader_submit (a new load, even of an unchanged file), then the loader's state. */
  loadAgain(req: FastifyRequest, reply: FastifyReply, id: string, rid: string): Promise<void> {
    return this.pages.serve(req, reply, async (ctx) => {
      const d = await ctx.call<Dataset>('package_show', { id });
      const r = this.resourceOf(d, rid);
      await orForbidden(ctx.call('xloader_submit', { resource_id: r.id, ignore_hash: true }));
      return { title: '', redirect: `${resourcePagePath(d, r.id)}#loader` };
    });
  }

  /** `GET /dataset/{name}/resource_data/{id}` (xloader's status page): the resource page's loader section. */
  loaderState(req: FastifyRequest, reply: FastifyReply, id: string, rid: string): Promise<void> {
    return this.pages.serve(req, reply, async (ctx) => {
      const d = await ctx.call<Dataset>('package_show', { id });
      const r = this.resourceOf(d, rid);
      return { title: '', redirect: `${resourcePagePath(d, r.id)}#loader` };
    });
  }

}

/** resource_create's input from the form: the dataset is the page's, whatever the form says. */
function createInput(data: DataDict, d: Dataset): DataDict {
  const input: DataDict = { package_id: d.id, name: text(data.name), description: typedText(text(data.description)), format: text(data.format), url: text(data.url) };
  if (data.upload !== undefined) input.upload = data.upload;
  return input;
}

/**
 * resource_patch's input from the form: a new file replaces the old one; else a link given replaces the file (or the
 * old link); an upload resource's empty link field keeps its file.
 */
function editInput(data: DataDict, r: Resource): DataDict {
  const input: DataDict = { id: r.id, name: text(data.name), description: typedText(text(data.description)), format: text(data.format) };
  const url = text(data.url).trim();
  if (data.upload !== undefined) input.upload = data.upload;
  else if (r.url_type === 'upload') {
    if (url) Object.assign(input, { url, clear_upload: true });
  } else input.url = url;
  return input;
}
