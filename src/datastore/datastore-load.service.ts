import { Inject, Injectable } from '@nestjs/common';
import type { ActionContext } from '../api/action-context';
import { APP_CONFIG, AppConfig } from '../config/env';
import { DatasetDicts } from '../catalog/datasets/dataset-dicts.service';
import { JobQueue } from '../jobs/job-queue';
import { DatastoreLoadRepository, LoadRow } from './datastore-load.repository';
import { LoadableResource, sourceOf, tableHint } from './load-source';

/** The job that loads a resource's file into its DataStore table. */
export const LOAD_JOB = 'datastore.load';

export interface LoadJobData {
  resource_id: string;
  /** xloader_submit's set_url_type: point the resource at its dump once loaded. */
  set_url_type?: boolean;
}

/**
 * When a load starts: on xloader_submit, and on its own when a dataset write creates a resource with a tabular file
 * (upload or link) or changes its file or URL (ckanext-xloader's notify on a new resource or a changed URL). Either
 * way the job is enqueued in the writing transaction, so it exists exactly when the write commits, and the resource's
 * status row names it as the latest load: an older job still waiting finds itself replaced and does nothing.
 */
@Injectable()
export class DatastoreLoads {
  /** The formats loaded on their own (LOADER_FORMATS); semicolon text named .txt counts as CSV. */
  private readonly automatic: Set<string>;

  constructor(
    private readonly jobs: JobQueue,
    private readonly loads: DatastoreLoadRepository,
    private readonly dicts: DatasetDicts,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.automatic = new Set(config.LOADER_FORMATS.split(',').map((f) => f.trim().toLowerCase()).filter((f) => f && f !== 'none'));
    if (this.automatic.has('csv')) this.automatic.add('txt');
  }

  /** Queues a load of the resource in the caller's transaction; returns the job id. */
  async submit(ctx: ActionContext, r: LoadableResource, opts: { ignoreHash: boolean; setUrlType?: boolean }): Promise<string> {
    const data: LoadJobData = opts.setUrlType ? { resource_id: r.id, set_url_type: true } : { resource_id: r.id };
    const jobId = await this.jobs.enqueue<LoadJobData>(LOAD_JOB, data, { transaction: ctx });
    await this.loads.pending(ctx.db, { resource_id: r.id, package_id: r.package_id, job_id: jobId, source: sourceOf(r) ?? '', ignore_hash: opts.ignoreHash });
    return jobId;
  }

  status(ctx: ActionContext, resourceId: string): Promise<LoadRow | null> {
    return this.loads.find(ctx.db, resourceId);
  }

  /** DatasetChanges.onWrite: a new or changed tabular file of these datasets is loaded; status rows of gone resources go. */
  async onDatasetsWritten(ctx: ActionContext, datasetIds: string[]): Promise<void> {
    const known = await this.loads.sources(ctx.db, datasetIds);
    const live = new Set<string>();
    for (const d of await this.dicts.writtenDicts(ctx, datasetIds)) {
      const resources = (d.resources ?? []) as unknown as LoadableResource[];
      for (const r of resources) live.add(r.id);
      if (d.state === 'deleted') continue;
      for (const r of resources) {
        const source = sourceOf(r);
        const hint = tableHint(r);
        if (!source || !hint || !this.automatic.has(hint) || known.get(r.id)?.source === source) continue;
        await this.submit(ctx, { ...r, package_id: d.id }, { ignoreHash: false });
        ctx.log.info({ resource: r.id }, 'a tabular file was added or changed: its DataStore load is queued');
      }
    }
    // Resources gone from their dataset (deleted, or the dataset purged) take their status along.
    const gone = [...known.keys()].filter((id) => !live.has(id));
    if (gone.length) await this.loads.forget(ctx.db, gone);
  }
}
