import { Injectable } from '@nestjs/common';
import { ActionProvider, allow, AnyAction, defineAction, NoInput } from '../api/action';
import type { ActionContext } from '../api/action-context';
import { NotFound, ValidationError } from '../api/errors';
import { ckanTimestamp } from '../common/ckan-time';
import { Harvester } from './harvester';
import { HarvesterRegistry } from './harvester-registry';
import { HarvestAccess } from './harvest-access';
import {
  HarvestIdInput, HarvestSourceCreateInput, HarvestSourceDeleteInput, HarvestSourceListInput, HarvestSourcePatchInput, HarvestSourceShowInput,
  HarvestSourceUpdateInput, toJobDict,
} from './harvest.dto';
import { HarvestRepository, HarvestSourceRow } from './harvest.repository';
import { SourceConfigs } from './source-config';

type Dict = Record<string, unknown>;

/** The package fields of a source (the rest of the source lives in harvest_source). */
const packageFields = (i: Partial<HarvestSourceCreateInput>): Dict => ({
  name: i.name, title: i.title || i.name, notes: i.notes, url: i.url, type: 'harvest',
  ...(i.owner_org !== undefined ? { owner_org: i.owner_org } : {}), ...(i.private !== undefined ? { private: i.private } : {}),
});

/**
 * harvest_source_create/show/list/update/patch/delete/clear, harvest_source_show_status, harvest_source_type_list
 * (ckanext-harvest's names, params and shapes). A source is a dataset of type `harvest` written through package_*,
 * plus its harvest_source row: url, source_type, frequency, config (secrets masked; sealed apart), active.
 */
@Injectable()
export class HarvestSourceActions implements ActionProvider {
  constructor(
    private readonly repo: HarvestRepository,
    private readonly access: HarvestAccess,
    private readonly registry: HarvesterRegistry,
    private readonly configs: SourceConfigs,
  ) {}

  private harvester(type: string): Harvester {
    const h = this.registry.get(type);
    if (!h) throw new ValidationError({ source_type: [`Unknown harvester type: ${type}. Known types: ${this.registry.types().join(', ') || 'none'}`] });
    return h;
  }

  private async status(ctx: ActionContext, sourceId: string): Promise<Dict> {
    const count = await this.repo.jobCount(ctx.db, sourceId);
    if (!count) return { job_count: 0, next_harvest: '', last_harvest_request: '', msg: 'No jobs yet' };
    const open = await this.repo.openJob(ctx.db, sourceId);
    const [lastFinished] = await this.repo.jobs(ctx.db, { sourceId, status: 'Finished', limit: 1 });
    return {
      job_count: count, next_harvest: open ? 'Scheduled' : 'Not yet scheduled',
      last_harvest_request: lastFinished ? ckanTimestamp(lastFinished.gather_finished) ?? '' : '',
    };
  }

  /** The source as harvest_source_show gives it: its package dict plus the source's fields. */
  private async dict(ctx: ActionContext, row: HarvestSourceRow, pkg?: Dict): Promise<Dict> {
    const p = pkg ?? (await ctx.withIgnoreAuth().call<Dict>('package_show', { id: row.id }));
    return {
      ...p, url: row.url, source_type: row.source_type, frequency: row.frequency, config: row.config, active: row.active,
      user_id: row.user_id, publisher_id: p.owner_org ?? null, status: await this.status(ctx, row.id),
    };
  }

  private async sameUrl(ctx: ActionContext, url: string, except?: string): Promise<void> {
    const other = await this.repo.sourceByUrl(ctx.db, url);
    if (other && other.id !== except) throw new ValidationError({ url: ['There already is a Harvest Source for this URL'] });
  }

  readonly create = defineAction({
    name: 'harvest_source_create',
    help: `Create a harvest source (a dataset of type "harvest"). Params: url (http(s)), name, title, notes, source_type (see
harvest_source_type_list), frequency (MANUAL (default), HOURLY, DAILY, WEEKLY, BIWEEKLY, MONTHLY, ALWAYS), config (a JSON
string; its secret keys, e.g. api_key, are stored encrypted and shown masked), owner_org, active (default true), private.
Returns the source as harvest_source_show. Who may call: whoever may create datasets in owner_org.`,
    sideEffectFree: false, anonymous: false, scope: 'harvest',
    input: HarvestSourceCreateInput,
    auth: (ctx, input) => this.access.mayCreate(ctx, input),
    handler: async (ctx, input) => {
      const stored = this.configs.store(this.harvester(input.source_type), input.config, null);
      await this.sameUrl(ctx, input.url);
      const pkg = await ctx.call<Dict>('package_create', packageFields(input));
      await this.repo.insertSource(ctx.db, {
        id: pkg.id as string, url: input.url, source_type: input.source_type, frequency: input.frequency ?? 'MANUAL', ...stored,
        active: input.active ?? true, user_id: ctx.user?.id ?? null,
      });
      return this.dict(ctx, (await this.repo.source(ctx.db, pkg.id as string))!);
    },
  });

  private async update(ctx: ActionContext, input: HarvestSourcePatchInput, patch: boolean): Promise<Dict> {
    const { row, pkg } = await this.access.source(ctx, input.id);
    const type = input.source_type ?? row.source_type;
    const harvester = this.harvester(type);
    const stored = input.config !== undefined || type !== row.source_type ? this.configs.store(harvester, input.config ?? row.config, row) : row;
    const url = input.url ?? row.url;
    await this.sameUrl(ctx, url, row.id);
    const fields = packageFields({ ...input, url, name: input.name ?? (pkg.name as string), title: input.title ?? (patch ? (pkg.title as string) : undefined) });
    if (patch && input.notes === undefined) fields.notes = pkg.notes;
    await ctx.call(patch ? 'package_patch' : 'package_update', { ...(patch ? {} : { owner_org: pkg.owner_org }), ...fields, id: row.id });
    await this.repo.updateSource(ctx.db, {
      id: row.id, url, source_type: type, frequency: input.frequency ?? (patch ? row.frequency : 'MANUAL'), config: stored.config, secrets: stored.secrets,
      active: input.active ?? (patch ? row.active : true),
    });
    return this.dict(ctx, (await this.repo.source(ctx.db, row.id))!);
  }

  readonly updateAction = defineAction({
    name: 'harvest_source_update',
    help: `Replace a harvest source. Params: id, and those of harvest_source_create (omitted ones take their defaults; a secret
sent back masked keeps its stored value). Returns the source. Who may call: whoever may edit the source's dataset.`,
    sideEffectFree: false, anonymous: false, scope: 'harvest',
    input: HarvestSourceUpdateInput,
    auth: (ctx, input) => this.access.mayManage(ctx, input.id),
    handler: (ctx, input) => this.update(ctx, input, false),
  });

  readonly patch = defineAction({
    name: 'harvest_source_patch',
    help: `Change some fields of a harvest source; the others stay. Params: id, and any of harvest_source_create's. Returns the source.
Who may call: whoever may edit the source's dataset.`,
    sideEffectFree: false, anonymous: false, scope: 'harvest',
    input: HarvestSourcePatchInput,
    auth: (ctx, input) => this.access.mayManage(ctx, input.id),
    handler: (ctx, input) => this.update(ctx, input, true),
  });

  readonly show = defineAction({
    name: 'harvest_source_show',
    help: `Return a harvest source: its dataset dict plus url, source_type, frequency, config (secrets masked), active and status.
Params: id (id or name) or url. Who may call: whoever may read the source's dataset.`,
    sideEffectFree: true, anonymous: true,
    input: HarvestSourceShowInput,
    auth: async (ctx, input) => this.access.mayRead(ctx, await this.ref(ctx, input)),
    handler: async (ctx, input) => {
      const { row, pkg } = await this.access.source(ctx, await this.ref(ctx, input));
      return this.dict(ctx, row, pkg);
    },
  });

  private async ref(ctx: ActionContext, input: HarvestSourceShowInput): Promise<string> {
    if (input.id) return input.id;
    if (!input.url) throw new ValidationError({ id: ['Missing value'] });
    const row = await this.repo.sourceByUrl(ctx.db, input.url);
    if (!row) throw new NotFound('Harvest source not found');
    return row.id;
  }

  readonly list = defineAction({
    name: 'harvest_source_list',
    help: `List the harvest sources the caller may read. Params: organization_id (only that organization's), only_active,
return_last_job_status (add last_job_status). Who may call: anyone.`,
    sideEffectFree: true, anonymous: true,
    input: HarvestSourceListInput,
    auth: async () => allow(),
    handler: async (ctx, input) => {
      let orgId: string | undefined;
      if (input.organization_id) orgId = (await ctx.call<Dict>('organization_show', { id: input.organization_id, include_datasets: false })).id as string;
      const out: Dict[] = [];
      for (const id of await this.repo.sourceIds(ctx.db, { organizationId: orgId, onlyActive: input.only_active })) {
        if (!(await this.access.mayRead(ctx, id).catch(() => ({ allowed: false }))).allowed && !ctx.isSysadmin) continue;
        const row = (await this.repo.source(ctx.db, id))!;
        const d = await this.dict(ctx, row);
        if (input.return_last_job_status) {
          const [last] = await this.repo.jobs(ctx.db, { sourceId: id, limit: 1 });
          d.last_job_status = last ? toJobDict(last) : {};
        }
        out.push(d);
      }
      return out;
    },
  });

  readonly delete = defineAction({
    name: 'harvest_source_delete',
    help: `Delete a harvest source (its dataset is deleted, the source made inactive). Params: id, clearsource (also purge its
datasets and remove its jobs and objects, as harvest_source_clear). Returns null. Who may call: whoever may edit the source's dataset.`,
    sideEffectFree: false, anonymous: false, scope: 'harvest',
    input: HarvestSourceDeleteInput,
    auth: (ctx, input) => this.access.mayManage(ctx, input.id),
    handler: async (ctx, input) => {
      const { row } = await this.access.source(ctx, input.id);
      if (input.clearsource) await this.clearSource(ctx, row.id);
      await ctx.call('package_delete', { id: row.id });
      await this.repo.setActive(ctx.db, row.id, false);
      return null;
    },
  });

  private async clearSource(ctx: ActionContext, sourceId: string): Promise<void> {
    const open = await this.repo.openJob(ctx.db, sourceId);
    if (open?.status === 'Running') throw new ValidationError({ id: ['A job of this source is running: abort it first'] });
    // ckanext-harvest purges them (really gone, names free again), through the catalog's own purge.
    const site = ctx.withIgnoreAuth();
    for (const id of await this.repo.packagesOf(ctx.db, sourceId)) {
      await site.call('dataset_purge', { id }).catch((err) => (err instanceof NotFound ? null : Promise.reject(err)));
    }
    await this.repo.clear(ctx.db, sourceId);
  }

  readonly clear = defineAction({
    name: 'harvest_source_clear',
    help: `Clear a harvest source: the datasets it harvested (current and withdrawn ones; not those detached or now held by another
source) are purged and its jobs, objects and errors removed; the source stays. Refused (409) while a job of it runs. Params: id. Returns {id}. Who may call: whoever may edit the source's dataset.`,
    sideEffectFree: false, anonymous: false, scope: 'harvest',
    input: HarvestIdInput,
    auth: (ctx, input) => this.access.mayManage(ctx, input.id),
    handler: async (ctx, input) => {
      const { row } = await this.access.source(ctx, input.id);
      await this.clearSource(ctx, row.id);
      return { id: row.id };
    },
  });

  readonly showStatus = defineAction({
    name: 'harvest_source_show_status',
    help: `A source's status: job_count, last_job (as harvest_job_show) and total_datasets (active public datasets it holds).
Params: id. Who may call: whoever may read the source's dataset.`,
    sideEffectFree: true, anonymous: true,
    input: HarvestIdInput,
    auth: (ctx, input) => this.access.mayRead(ctx, input.id),
    handler: async (ctx, input) => {
      const { row } = await this.access.source(ctx, input.id);
      const count = await this.repo.jobCount(ctx.db, row.id);
      if (!count) return { job_count: 0, last_job: null, total_datasets: 0 };
      const [last] = await this.repo.jobs(ctx.db, { sourceId: row.id, limit: 1 });
      return { job_count: count, last_job: toJobDict(last, await this.repo.errorSummaries(ctx.db, last.id)), total_datasets: await this.repo.datasetCount(ctx.db, row.id) };
    },
  });

  readonly typeList = defineAction({
    name: 'harvest_source_type_list',
    help: 'The harvester types this site offers: a list of {name, title, description} (ckanext-harvest\'s harvesters_info_show). No params. Who may call: anyone.',
    sideEffectFree: true, anonymous: true,
    input: NoInput,
    auth: async () => allow(),
    handler: async () => this.registry.all().map((h) => ({ ...h.info })),
  });

  readonly infoShow = defineAction({
    name: 'harvesters_info_show',
    help: `The installed harvesters, as ckanext-harvest's harvesters_info_show: a list of each plug-in's info {name, title, description,
form_config_interface (when it has one)} with show_config (true when form_config_interface is "Text"). No params. Who may call: anyone.`,
    sideEffectFree: true, anonymous: true,
    input: NoInput,
    auth: async () => allow(),
    handler: async () => this.registry.all().map((h) => ({ ...h.info, show_config: h.info.form_config_interface === 'Text' })),
  });

  all = (): AnyAction[] => [this.create, this.updateAction, this.patch, this.show, this.list, this.delete, this.clear, this.showStatus, this.typeList, this.infoShow];
}
