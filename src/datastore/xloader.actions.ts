import { Injectable } from '@nestjs/common';
import { ActionProvider, AnyAction, defineAction } from '../api/action';
import type { ActionContext } from '../api/action-context';
import { NotFound } from '../api/errors';
import { JobQueue } from '../jobs/job-queue';
import { LoadRow } from './datastore-load.repository';
import { DatastoreLoads, LOAD_JOB } from './datastore-load.service';
import { DatastoreResources } from './datastore-resources.service';
import { DatastoreViews } from './datastore-views';
import { LoadableResource } from './load-source';
import { XloaderStatusInput, XloaderSubmitInput } from './xloader.dto';

/** xloader's job_type for a load. */
const JOB_TYPE = 'xloader_to_datastore';

/** xloader_submit and xloader_status (ckanext-xloader's action.py), on the project's job queue. */
@Injectable()
export class XloaderActions implements ActionProvider {
  constructor(
    private readonly resources: DatastoreResources,
    private readonly loads: DatastoreLoads,
    private readonly jobs: JobQueue,
    private readonly views: DatastoreViews,
  ) {}

  /** datastore_auth: the right to edit the resource's dataset (404 for an unknown resource). */
  private async mayEdit(ctx: ActionContext, id: string) {
    const r = await this.resources.get(ctx, id);
    return this.resources.mayEdit(ctx, r.package_id, id);
  }

  readonly xloaderSubmit = defineAction({
    name: 'xloader_submit',
    scope: 'datastore',
    help: `Queue a load of a resource's file (upload or link: CSV, TSV, semicolon-separated text, XLSX) into the DataStore; returns true.

Params: resource_id (or id); ignore_hash (reload even when the file is unchanged since the last load, default false);
set_url_type (default false; true: once loaded, the resource's url_type becomes "datapusher" and its url the
DataStore dump, /datastore/dump/{id}, as ckanext-xloader does; automatic loads then leave it alone). The load runs as a background job: types come from the whole file (or the
data dictionary's type_override), and the new table replaces the old one only when the whole file loaded.
Follow it with xloader_status. Who may call: whoever may edit the resource's dataset.`,
    sideEffectFree: false,
    anonymous: false,
    input: XloaderSubmitInput,
    auth: (ctx, input) => this.mayEdit(ctx, input.resource_id),
    handler: async (ctx, input) => {
      const r = await ctx.withIgnoreAuth().call<LoadableResource>('resource_show', { id: input.resource_id });
      // A load would swap a table in for the view of a live resource.
      await this.views.refuseWrite(ctx, r.id);
      await this.loads.submit(ctx, r, { ignoreHash: input.ignore_hash ?? false, setUrlType: input.set_url_type ?? false });
      return true;
    },
  });

  readonly xloaderStatus = defineAction({
    name: 'xloader_status',
    help: `The latest DataStore load of a resource: status (pending, running, complete, error), job_id, job_type, created,
last_updated, progress (percent), error ({message, line} or null), and task_info with the job's details and its logs
(each with timestamp, level, message and lineno, the line of the source file the remark is about).

Params: resource_id (or id). Who may call: whoever may edit the resource's dataset.`,
    sideEffectFree: true,
    anonymous: true,
    input: XloaderStatusInput,
    auth: (ctx, input) => this.mayEdit(ctx, input.resource_id),
    handler: async (ctx, input) => {
      const r = await this.resources.get(ctx, input.resource_id);
      const row = await this.loads.status(ctx, r.id);
      if (!row) throw new NotFound('Task status not found');
      return this.statusDict(row);
    },
  });

  private async statusDict(row: LoadRow): Promise<Record<string, unknown>> {
    const job = await this.jobs.status(LOAD_JOB, row.job_id);
    const progress = row.status === 'complete' ? 100 : row.status === 'running' && job?.progress != null ? Math.floor(job.progress * 100) : 0;
    const error = row.error ? { ...row.error } : null;
    return {
      status: row.status,
      job_id: row.job_id,
      job_type: JOB_TYPE,
      job_url: null,
      created: row.created_at,
      last_updated: row.last_updated,
      progress,
      error,
      task_info: {
        job_id: row.job_id,
        job_type: JOB_TYPE,
        status: row.status,
        progress,
        error,
        requested_timestamp: row.created_at,
        finished_timestamp: row.finished_at,
        metadata: { resource_id: row.resource_id, ignore_hash: row.ignore_hash },
        logs: row.logs,
      },
    };
  }

  all = (): AnyAction[] => [this.xloaderSubmit, this.xloaderStatus];
}
