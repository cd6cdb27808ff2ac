import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ActionContext } from '../api/action-context';
import { CkanError, ValidationError } from '../api/errors';
import type { Lang } from './i18n/i18n';
import type { PageEnv } from './pages/layout';
import {
  HarvestClearPage, HarvestFormPage, HarvestJob, HarvestListPage, HarvestReport, HarvestSource, HarvestSourcePage, OrgOption, SensorFormPage, SensorListPage,
  SensorSource, SensorSourcePage, SourceFormValues, SourceMessages,
} from './pages/sources';
import { typedText } from './form-text';
import { localMessage } from './validation-messages';
import { orForbidden, Page, PageError, WebPages } from './web-pages';

type Build = (ctx: ActionContext, env: PageEnv, query: Record<string, unknown>, form: URLSearchParams) => Promise<Page>;

/** Jobs the source page lists, newest first. */
const RECENT_JOBS = 10;
/** The config key the form's secret field fills: the CKAN harvester's API key, the sensor feeds' password. */
const HARVEST_SECRET = 'api_key';
const SENSOR_SECRET = 'password';
const DONE = new Set(['run', 'pending', 'abort', 'clear', 'saved']);

/** An action's field map as messages per form field, in the page language; a setting's errors under `config` name the setting. */
export function sourceMessages(fields: Record<string, unknown>, lang: Lang): SourceMessages {
  const out: SourceMessages = new Map();
  const add = (field: string, text: string): void => void out.set(field, [...(out.get(field) ?? []), text]);
  const walk = (field: string, value: unknown, prefix: string): void => {
    if (Array.isArray(value)) for (const v of value) walk(field, v, prefix);
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value as Record<string, unknown>)) walk(field, v, `${prefix}${k}: `);
    else if (value !== undefined && value !== null) add(field, `${prefix}${localMessage(String(value), lang)}`);
  };
  for (const [k, v] of Object.entries(fields)) walk(k === 'source_id' || k === 'id' || k === 'message' ? '_' : k, v, '');
  return out;
}

/** The config text with the secret field's value set under `key`; text that is no JSON object goes as typed (the action says why). */
export function withSecret(config: string, secret: string, key: string): string {
  if (!secret) return config;
  let parsed: unknown;
  try {
    parsed = config.trim() ? JSON.parse(config) : {};
  } catch {
    return config;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return config;
  return JSON.stringify({ ...(parsed as Record<string, unknown>), [key]: secret });
}

/** The form's values (never the secret: it is not shown back). */
const valuesOf = (form: URLSearchParams, keys: string[]): SourceFormValues => Object.fromEntries(keys.map((k) => [k, typedText(form.get(k) ?? '')]));

/**
 * The steward's harvest and sensor sources (issue 17): ckanext-harvest's pages at its addresses (`/harvest`,
 * `/harvest/{name}`, `/harvest/new`, `/harvest/edit/{name}`, `/harvest/refresh|abort|clear/{name}`) and ours for sensor
 * sources (`/sensors/sources…`). Everything goes through the harvest_* and sensor_source_* actions with the page's
 * caller: who may see, change or run a source is their decision (a refusal is the 403 page), never this file's.
 */
@Injectable()
export class SourcePages {
  constructor(private readonly pages: WebPages) {}

  /** A page of the workspace: the login first (then back here), an action's refusal the 403 page. */
  private serve(req: FastifyRequest, reply: FastifyReply, build: Build): Promise<void> {
    return this.pages.serve(req, reply, async (ctx, env, query, form) => {
      if (!env.user) return { title: '', redirect: `/user/login?came_from=${encodeURIComponent(req.url.split('?')[0])}` };
      return orForbidden(build(ctx, env, query, form));
    });
  }

  private orgs(ctx: ActionContext, permission: 'read' | 'create_dataset'): Promise<OrgOption[]> {
    return ctx.call<OrgOption[]>('organization_list_for_user', { permission });
  }

  private done(query: Record<string, unknown>): string | undefined {
    return typeof query.done === 'string' && DONE.has(query.done) ? query.done : undefined;
  }

  // ---- harvest sources -------------------------------------------------------------------------------------------

  harvestList(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    return this.serve(req, reply, async (ctx, env) => {
      const [sources, orgs] = await Promise.all([
        ctx.call<HarvestSource[]>('harvest_source_list', { return_last_job_status: true }),
        this.orgs(ctx, 'create_dataset'),
      ]);
      return { title: env.t('harvest.title'), body: <HarvestListPage env={env} sources={sources} mayCreate={orgs.length > 0} /> };
    });
  }

  harvestSource(req: FastifyRequest, reply: FastifyReply, name: string): Promise<void> {
    return this.serve(req, reply, async (ctx, env, query) => {
      const s = await ctx.call<HarvestSource>('harvest_source_show', { id: name });
      const status = await ctx.call<{ total_datasets: number }>('harvest_source_show_status', { id: s.id });
      // Jobs and reports are the source's managers' (harvest_job_list's rule); readers see the source without them.
      const jobs = await ctx.call<HarvestJob[]>('harvest_job_list', { source_id: s.id }).then(
        (all) => all.slice(0, RECENT_JOBS),
        (err: unknown) => (err instanceof CkanError && err.kind === 'not_authorized' ? null : Promise.reject(err)),
      );
      const report = jobs?.[0] ? await ctx.call<HarvestReport>('harvest_job_report', { id: jobs[0].id }) : null;
      return {
        title: s.title || s.name,
        body: <HarvestSourcePage env={env} s={s} jobs={jobs} report={report} totalDatasets={status.total_datasets} mayManage={jobs !== null} done={this.done(query)} />,
      };
    });
  }

  private async harvestForm(ctx: ActionContext, env: PageEnv, action: string, v: SourceFormValues, editing: boolean, messages: SourceMessages = new Map(), status?: number): Promise<Page> {
    const [types, orgs] = await Promise.all([ctx.call<{ name: string; title?: string }[]>('harvest_source_type_list', {}), this.orgs(ctx, 'create_dataset')]);
    if (!editing && orgs.length === 0) throw new PageError(403, env.t('sources.noOrg'));
    // A stored organization the caller may not pick (a sysadmin's source elsewhere) stays selectable.
    if (v.owner_org && !orgs.some((o) => o.id === v.owner_org || o.name === v.owner_org)) orgs.unshift({ id: v.owner_org, name: v.owner_org });
    return { status, title: env.t(editing ? 'harvest.editTitle' : 'harvest.newTitle'), body: <HarvestFormPage env={env} action={action} v={v} types={types} orgs={orgs} messages={messages} editing={editing} /> };
  }

  private static readonly HARVEST_KEYS = ['title', 'name', 'url', 'source_type', 'frequency', 'owner_org', 'notes', 'config', 'private', 'active'];

  private harvestInput(form: URLSearchParams, v: SourceFormValues): Record<string, unknown> {
    return {
      url: v.url.trim(), name: v.name.trim(), title: v.title.trim() || undefined, notes: v.notes, source_type: v.source_type, frequency: v.frequency || 'MANUAL',
      owner_org: v.owner_org || undefined, config: withSecret(v.config, form.get('secret') ?? '', HARVEST_SECRET), private: v.private === 'true',
    };
  }

  newHarvest(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    return this.serve(req, reply, async (ctx, env, _query, form) => {
      if (req.method !== 'POST') return this.harvestForm(ctx, env, '/harvest/new', { frequency: 'MANUAL', source_type: 'ckan' }, false);
      const v = valuesOf(form, SourcePages.HARVEST_KEYS);
      try {
        const created = await ctx.call<HarvestSource>('harvest_source_create', this.harvestInput(form, v));
        return { title: '', redirect: `/harvest/${encodeURIComponent(created.name)}?done=saved` };
      } catch (err) {
        if (err instanceof ValidationError) return this.harvestForm(ctx, env, '/harvest/new', v, false, sourceMessages(err.fields, env.lang), 409);
        throw err;
      }
    });
  }

  editHarvest(req: FastifyRequest, reply: FastifyReply, name: string): Promise<void> {
    return this.serve(req, reply, async (ctx, env, _query, form) => {
      const s = await ctx.call<HarvestSource>('harvest_source_show', { id: name });
      const action = `/harvest/edit/${encodeURIComponent(s.name)}`;
      // The form is offered to those who may create datasets in the source's organization; saving is harvest_source_patch's decision.
      if (s.owner_org && !(await this.orgs(ctx, 'create_dataset')).some((o) => o.id === s.owner_org)) throw new PageError(403);
      if (req.method !== 'POST') {
        const v: SourceFormValues = {
          title: s.title ?? '', name: s.name, url: s.url, source_type: s.source_type, frequency: s.frequency, owner_org: s.owner_org ?? '', notes: s.notes ?? '',
          config: s.config ?? '', private: s.private ? 'true' : '', active: s.active ? 'true' : 'false',
        };
        return this.harvestForm(ctx, env, action, v, true);
      }
      const v = valuesOf(form, SourcePages.HARVEST_KEYS);
      try {
        const saved = await ctx.call<HarvestSource>('harvest_source_patch', { ...this.harvestInput(form, v), id: s.id, notes: v.notes, active: v.active === 'true' });
        return { title: '', redirect: `/harvest/${encodeURIComponent(saved.name)}?done=saved` };
      } catch (err) {
        if (err instanceof ValidationError) return this.harvestForm(ctx, env, action, v, true, sourceMessages(err.fields, env.lang), 409);
        throw err;
      }
    });
  }

  /** A button's POST (run now, abort, clear): the action, then back to the source with a notice; a refusal in words (400). */
  harvestCommand(req: FastifyRequest, reply: FastifyReply, name: string, command: 'refresh' | 'abort' | 'clear'): Promise<void> {
    return this.serve(req, reply, async (ctx, env) => {
      const s = await ctx.call<HarvestSource>('harvest_source_show', { id: name });
      const back = (done: string): Page => ({ title: '', redirect: `/harvest/${encodeURIComponent(s.name)}?done=${done}` });
      if (req.method !== 'POST') {
        if (command !== 'clear') throw new PageError(404);
        return { title: env.t('harvest.clearTitle', { title: s.title || s.name }), body: <HarvestClearPage env={env} s={s} /> };
      }
      try {
        if (command === 'refresh') await ctx.call('harvest_job_create', { source_id: s.id });
        else if (command === 'abort') await ctx.call('harvest_job_abort', { source_id: s.id });
        else await ctx.call('harvest_source_clear', { id: s.id });
        return back(command === 'refresh' ? 'run' : command);
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        if (command === 'refresh' && JSON.stringify(err.fields).includes('already')) return back('pending');
        throw new PageError(400, [...sourceMessages(err.fields, env.lang).values()].flat().join(' '));
      }
    });
  }

  // ---- sensor sources --------------------------------------------------------------------------------------------

  sensorList(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    return this.serve(req, reply, async (ctx, env) => {
      const [sources, orgs] = await Promise.all([ctx.call<SensorSource[]>('sensor_source_list', {}), this.orgs(ctx, 'create_dataset')]);
      return { title: env.t('sensorSrc.title'), body: <SensorListPage env={env} sources={sources} mayCreate={orgs.length > 0} /> };
    });
  }

  sensorSource(req: FastifyRequest, reply: FastifyReply, id: string): Promise<void> {
    return this.serve(req, reply, async (ctx, env, query) => {
      const s = await ctx.call<SensorSource>('sensor_source_show', { id });
      const [readable, editable] = await Promise.all([this.orgs(ctx, 'read'), this.orgs(ctx, 'create_dataset')]);
      const org = readable.find((o) => o.id === s.owner_org);
      return {
        title: s.title || s.name,
        body: <SensorSourcePage env={env} s={s} orgTitle={org?.title || org?.name || s.owner_org} mayManage={editable.some((o) => o.id === s.owner_org)} done={this.done(query)} />,
      };
    });
  }

  private static readonly SENSOR_KEYS = ['title', 'name', 'type', 'owner_org', 'config', 'state'];

  private async sensorForm(ctx: ActionContext, env: PageEnv, action: string, v: SourceFormValues, editing: boolean, messages: SourceMessages = new Map(), status?: number): Promise<Page> {
    const orgs = await this.orgs(ctx, 'create_dataset');
    if (!editing && orgs.length === 0) throw new PageError(403, env.t('sources.noOrg'));
    if (v.owner_org && !orgs.some((o) => o.id === v.owner_org || o.name === v.owner_org)) orgs.unshift({ id: v.owner_org, name: v.owner_org });
    return { status, title: env.t(editing ? 'sensorSrc.editTitle' : 'sensorSrc.newTitle'), body: <SensorFormPage env={env} action={action} v={v} orgs={orgs} messages={messages} editing={editing} /> };
  }

  private sensorInput(form: URLSearchParams, v: SourceFormValues): Record<string, unknown> {
    const config = withSecret(v.config, form.get('secret') ?? '', SENSOR_SECRET);
    return { name: v.name.trim(), title: v.title.trim() || undefined, owner_org: v.owner_org, type: v.type, state: v.state === 'paused' ? 'paused' : 'active', ...(config.trim() ? { config } : {}) };
  }

  newSensor(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    return this.serve(req, reply, async (ctx, env, _query, form) => {
      if (req.method !== 'POST') return this.sensorForm(ctx, env, '/sensors/sources/new', { type: 'pegelonline', config: '{}' }, false);
      const v = valuesOf(form, SourcePages.SENSOR_KEYS);
      try {
        const created = await ctx.call<SensorSource>('sensor_source_create', this.sensorInput(form, v));
        return { title: '', redirect: `/sensors/sources/${encodeURIComponent(created.name)}?done=saved` };
      } catch (err) {
        if (err instanceof ValidationError) return this.sensorForm(ctx, env, '/sensors/sources/new', v, false, sourceMessages(err.fields, env.lang), 409);
        throw err;
      }
    });
  }

  editSensor(req: FastifyRequest, reply: FastifyReply, id: string): Promise<void> {
    return this.serve(req, reply, async (ctx, env, _query, form) => {
      const s = await ctx.call<SensorSource>('sensor_source_show', { id });
      const action = `/sensors/sources/${encodeURIComponent(s.name)}/edit`;
      if (!(await this.orgs(ctx, 'create_dataset')).some((o) => o.id === s.owner_org)) throw new PageError(403);
      if (req.method !== 'POST') {
        const v: SourceFormValues = { title: s.title, name: s.name, type: s.type, owner_org: s.owner_org, state: s.state, config: JSON.stringify(s.config, null, 2) };
        return this.sensorForm(ctx, env, action, v, true);
      }
      // The kind stays the stored one whatever the form says (sensor_source_update refuses a change anyway).
      const v = { ...valuesOf(form, SourcePages.SENSOR_KEYS), type: s.type };
      try {
        const saved = await ctx.call<SensorSource>('sensor_source_update', { ...this.sensorInput(form, v), id: s.id });
        return { title: '', redirect: `/sensors/sources/${encodeURIComponent(saved.name)}?done=saved` };
      } catch (err) {
        if (err instanceof ValidationError) return this.sensorForm(ctx, env, action, v, true, sourceMessages(err.fields, env.lang), 409);
        throw err;
      }
    });
  }

  /** "Run now": sensor_source_run, back to the source saying whether a run was queued or one was already waiting. */
  runSensor(req: FastifyRequest, reply: FastifyReply, id: string): Promise<void> {
    return this.serve(req, reply, async (ctx) => {
      const s = await ctx.call<SensorSource>('sensor_source_show', { id });
      const r = await ctx.call<{ queued: boolean }>('sensor_source_run', { id: s.id });
      return { title: '', redirect: `/sensors/sources/${encodeURIComponent(s.name)}?done=${r.queued ? 'run' : 'pending'}` };
    });
  }
}
