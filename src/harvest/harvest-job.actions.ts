import { Injectable } from '@nestjs/common';
import { ActionProvider, allow, AnyAction, defineAction, deny } from '../api/action';
import type { ActionContext } from '../api/action-context';
import { NotFound, ValidationError } from '../api/errors';
import { JobQueue } from '../jobs/job-queue';
import { HarvestAccess } from './harvest-access';
import { withoutHarvestExtras } from './harvest-runner';
import {
  HarvestIdInput, HarvestJobAbortInput, HarvestJobCreateInput, HarvestJobListInput, HarvestObjectListInput, HarvestObjectShowInput, toJobDict, toObjectDict,
} from './harvest.dto';
import { HarvestJobRow, HarvestRepository, NO_STATS } from './harvest.repository';

/** The queue job that runs one harvest job. */
export const HARVEST_RUN_JOB = 'harvest.run';
export interface HarvestRunData {
  job_id: string;
}

/**
 * harvest_job_create/show/list/abort, harvest_job_report, harvest_object_show (ckanext-harvest's names and shapes) and
 * harvest_dataset_detach (ours): jobs are run by the queue job `harvest.run`, enqueued in the creating transaction.
 */
@Injectable()
export class HarvestJobActions implements ActionProvider {
  constructor(private readonly repo: HarvestRepository, private readonly access: HarvestAccess, private readonly jobs: JobQueue) {}

  /**
   * A job row for a source, enqueued with the caller's transaction; refused while one is open or the source inactive.
   * `enqueue: false`: the caller runs it itself (the CLI), so no worker takes it.
   */
  async createJob(ctx: ActionContext, sourceId: string, opts: { enqueue: boolean } = { enqueue: true }): Promise<HarvestJobRow> {
    const row = await this.repo.source(ctx.db, sourceId, true);
    if (!row) throw new NotFound('Harvest source not found');
    if (!row.active) throw new ValidationError({ source_id: ['Can not create jobs on inactive sources'] });
    if (await this.repo.openJob(ctx.db, sourceId)) throw new ValidationError({ source_id: ['There already is an unrun job for this source'] });
    const job = await this.repo.createJob(ctx.db, sourceId);
    if (opts.enqueue) await this.jobs.enqueue<HarvestRunData>(HARVEST_RUN_JOB, { job_id: job.id }, { transaction: ctx });
    return job;
  }

  private async job(ctx: ActionContext, id: string): Promise<HarvestJobRow> {
    const job = await this.repo.job(ctx.db, id);
    if (!job) throw new NotFound('Harvest job not found');
    return job;
  }

  readonly create = defineAction({
    name: 'harvest_job_create',
    help: `Queue a harvest job for a source. Params: source_id (id or name of the source). Returns the job (status New).
Refused (409) while the source has a job waiting or running, or is inactive. Who may call: whoever may edit the source's dataset.`,
    sideEffectFree: false, anonymous: false, scope: 'harvest',
    input: HarvestJobCreateInput,
    auth: (ctx, input) => this.access.mayManage(ctx, input.source_id),
    handler: async (ctx, input) => {
      const { row } = await this.access.source(ctx, input.source_id);
      return toJobDict(await this.createJob(ctx, row.id));
    },
  });

  readonly show = defineAction({
    name: 'harvest_job_show',
    help: `A harvest job: status (New, Running, Finished, Aborted), created, gather_started, gather_finished, finished, stats
{added, updated, deleted, not modified, errored}, progress, error summaries. Params: id. Who may call: the source's editors.`,
    sideEffectFree: true, anonymous: false,
    input: HarvestIdInput,
    auth: (ctx, input) => this.access.mayManageJob(ctx, input.id),
    handler: async (ctx, input) => {
      const job = await this.job(ctx, input.id);
      return toJobDict(job, await this.repo.errorSummaries(ctx.db, job.id));
    },
  });

  readonly list = defineAction({
    name: 'harvest_job_list',
    help: `Harvest jobs, newest first. Params: source_id (required unless sysadmin), status. Who may call: the source's editors.`,
    sideEffectFree: true, anonymous: false,
    input: HarvestJobListInput,
    auth: async (ctx, input) => (input.source_id ? this.access.mayManage(ctx, input.source_id) : deny('Only sysadmins may list the jobs of all sources')),
    handler: async (ctx, input) => {
      const sourceId = input.source_id ? (await this.access.source(ctx, input.source_id)).row.id : undefined;
      return (await this.repo.jobs(ctx.db, { sourceId, status: input.status })).map((j) => toJobDict(j));
    },
  });

  readonly abort = defineAction({
    name: 'harvest_job_abort',
    help: `Abort a harvest job waiting or running: it ends Aborted (a running one stops between records, in whichever process
runs it). Params: id (the job) or source_id (its open job). Returns the job. Who may call: the source's editors.`,
    sideEffectFree: false, anonymous: false, scope: 'harvest',
    input: HarvestJobAbortInput,
    auth: async (ctx, input) => (input.id ? this.access.mayManageJob(ctx, input.id) : this.access.mayManage(ctx, this.need(input.source_id))),
    handler: async (ctx, input) => {
      let job: HarvestJobRow | null;
      if (input.id) job = await this.job(ctx, input.id);
      else {
        const { row } = await this.access.source(ctx, this.need(input.source_id));
        job = await this.repo.openJob(ctx.db, row.id);
        if (!job) throw new NotFound('No job waiting or running for this source');
      }
      if (job.status !== 'New' && job.status !== 'Running') throw new ValidationError({ id: [`The job is already ${job.status}`] });
      await this.repo.finishJob(ctx.db, job.id, 'Aborted', null, 'Aborted by harvest_job_abort');
      return toJobDict((await this.repo.job(ctx.db, job.id))!);
    },
  });

  private need(v: string | undefined): string {
    if (!v) throw new ValidationError({ id: ['Missing value'] });
    return v;
  }

  readonly report = defineAction({
    name: 'harvest_job_report',
    help: `A job's report: stats {added, updated, deleted, not modified, errored}, gather_errors [{message}] and object_errors
{<object id>: {guid, errors: [{message, line, type}]}}. Params: id. Who may call: the source's editors.`,
    sideEffectFree: true, anonymous: false,
    input: HarvestIdInput,
    auth: (ctx, input) => this.access.mayManageJob(ctx, input.id),
    handler: async (ctx, input) => {
      const job = await this.job(ctx, input.id);
      const objectErrors: Record<string, { guid: string; errors: { message: string; line: number | null; type: string }[] }> = {};
      for (const e of await this.repo.objectErrors(ctx.db, job.id)) {
        (objectErrors[e.harvest_object_id] ??= { guid: e.guid, errors: [] }).errors.push({ message: e.message, line: e.line, type: e.stage });
      }
      return {
        status: job.status, stats: { ...NO_STATS, ...job.stats },
        gather_errors: (await this.repo.gatherErrors(ctx.db, job.id)).map((e) => ({ message: e.message })),
        object_errors: objectErrors,
      };
    },
  });

  readonly objectShow = defineAction({
    name: 'harvest_object_show',
    help: `A harvest object: guid, identifier, current, content as fetched, report_status, the source, job and package it belongs to,
and its errors. Params: id, or dataset_id (the current object of a harvested dataset). Who may call: whoever may read the source.`,
    sideEffectFree: true, anonymous: true,
    input: HarvestObjectShowInput,
    auth: async (ctx, input) => {
      const o = await this.object(ctx, input);
      return this.access.mayRead(ctx, o.source_id);
    },
    handler: async (ctx, input) => {
      const o = await this.object(ctx, input);
      return toObjectDict(o, await this.repo.objectErrorsOf(ctx.db, o.id));
    },
  });

  readonly objectList = defineAction({
    name: 'harvest_object_list',
    help: `Ids of harvest objects (ckanext-harvest's harvest_object_list). Params: source_id (id or name of a source; without it, the
objects of every source the caller may read), only_current (default true: only each record's current object). Who may call: logged-in
users; a source's objects for whoever may read the source.`,
    sideEffectFree: true, anonymous: false,
    input: HarvestObjectListInput,
    // CKAN compat: ckanext-harvest lets any logged-in user list every source's objects; here private sources stay private.
    auth: async (ctx, input) => (input.source_id ? this.access.mayRead(ctx, input.source_id) : allow()),
    handler: async (ctx, input) => {
      let sourceIds: string[] | null = null;
      if (input.source_id) sourceIds = [(await this.access.source(ctx, input.source_id)).row.id];
      else if (!ctx.isSysadmin && !ctx.ignoreAuth) {
        sourceIds = [];
        for (const id of await this.repo.sourceIds(ctx.db)) if ((await this.access.mayRead(ctx, id)).allowed) sourceIds.push(id);
      }
      return this.repo.objectIds(ctx.db, sourceIds, input.only_current ?? true);
    },
  });

  private async object(ctx: ActionContext, input: HarvestObjectShowInput) {
    let o = input.id ? await this.repo.object(ctx.db, input.id) : null;
    if (!input.id) {
      if (!input.dataset_id) throw new ValidationError({ id: ['Missing value'] });
      const pkg = await ctx.withIgnoreAuth().call<{ id: string }>('package_show', { id: input.dataset_id }).catch(() => null);
      o = pkg ? await this.repo.objectOfPackage(ctx.db, pkg.id) : null;
    }
    if (!o) throw new NotFound('Harvest object not found');
    return o;
  }

  readonly detach = defineAction({
    name: 'harvest_dataset_detach',
    help: `Cut a harvested dataset from its source: local editors may edit it again and the source no longer updates or withdraws it.
Params: id (id or name of the dataset). Returns {package_id, harvest_source_id}. Who may call: editors of the source, sysadmins.`,
    sideEffectFree: false, anonymous: false, scope: 'harvest',
    input: HarvestIdInput,
    auth: async (ctx, input) => {
      const o = await this.object(ctx, { dataset_id: input.id });
      return this.access.mayManage(ctx, o.source_id);
    },
    handler: async (ctx, input) => {
      const o = await this.object(ctx, { dataset_id: input.id });
      if (!(await this.repo.detach(ctx.db, o.package_id!))) throw new ValidationError({ id: ['The dataset is already detached from its harvest source'] });
      // Its harvest_* extras go with the link, and the catalog lets local editors edit it again.
      const site = ctx.withIgnoreAuth();
      const pkg = await site.call<{ extras?: unknown }>('package_show', { id: o.package_id });
      await site.call('package_patch', { id: o.package_id, extras: withoutHarvestExtras(pkg.extras), read_only: false });
      return { package_id: o.package_id, harvest_source_id: o.source_id };
    },
  });

  all = (): AnyAction[] => [this.create, this.show, this.list, this.abort, this.report, this.objectShow, this.objectList, this.detach];
}
