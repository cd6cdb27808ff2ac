import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { ActionRegistry } from '../api/action-registry';
import { Dispatcher } from '../api/dispatcher';
import type { Logger } from '../common/logger';
import { LOGGER } from '../common/logger.provider';
import { APP_CONFIG, AppConfig } from '../config/env';
import { CatalogModule } from '../catalog/catalog.module';
import { DatasetChanges } from '../catalog/datasets/dataset-changes';
import { JobQueue, JobRun } from '../jobs/job-queue';
import { JobsModule } from '../jobs/jobs.module';
import { DcatCatalogParser } from '../dcat/catalog-parser';
import { DcatModule } from '../dcat/dcat.module';
import { HarvestAccess } from './harvest-access';
import { HarvestDatasetMirror } from './harvest-dataset-mirror';
import { HARVEST_RUN_JOB, HarvestJobActions, HarvestRunData } from './harvest-job.actions';
import { HarvestRunner } from './harvest-runner';
import { HarvestSourceActions } from './harvest-source.actions';
import { HarvestRepository } from './harvest.repository';
import { HARVESTER_PLUGINS } from './harvester-plugins';
import { HARVEST_TOOLS, HarvesterRegistry } from './harvester-registry';
import { SourceConfigs } from './source-config';

/** Every minute: finish jobs whose worker died, then queue the sources that are due by their frequency. */
export const HARVEST_SCHEDULE_JOB = 'harvest.schedule';

/**
 * Harvesting (issue 15), ckanext-harvest compatible: sources, jobs, objects and their actions, the runner (queue job
 * `harvest.run`) and the scheduler (`harvest.schedule`). Plug-ins (harvesters/<type>/) are registered in
 * HarvesterRegistry here; the runner reaches the catalog only through actions.
 */
@Module({
  imports: [JobsModule, DcatModule, CatalogModule],
  providers: [{ provide: HARVEST_TOOLS, useExisting: DcatCatalogParser }, HarvestRepository, HarvestDatasetMirror, HarvesterRegistry, SourceConfigs, HarvestAccess, HarvestSourceActions, HarvestJobActions, HarvestRunner],
  exports: [HarvesterRegistry, HarvestRunner, HarvestJobActions, HarvestRepository],
})
export class HarvestModule implements OnModuleInit {
  constructor(
    private readonly registry: ActionRegistry,
    private readonly harvesters: HarvesterRegistry,
    private readonly sources: HarvestSourceActions,
    private readonly jobActions: HarvestJobActions,
    private readonly runner: HarvestRunner,
    private readonly repo: HarvestRepository,
    private readonly dispatcher: Dispatcher,
    private readonly jobs: JobQueue,
    private readonly changes: DatasetChanges,
    private readonly mirror: HarvestDatasetMirror,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onModuleInit(): void {
    this.registry.register([...this.sources.all(), ...this.jobActions.all()]);
    // What harvest needs of datasets (a source's state and organization, its datasets' state) it keeps itself.
    this.changes.onWrite((ctx, ids) => this.mirror.onWrite(ctx, ids));
    for (const plugin of HARVESTER_PLUGINS) this.harvesters.register(plugin);
    // A run ends itself (Finished or Aborted) and is never retried: a worker that died leaves it Running, and the sweep
    // below ends it. The queue's own timeout only frees the slot of a run that outlived the job timeout.
    this.jobs.register<HarvestRunData>(HARVEST_RUN_JOB, {
      retry: { limit: 0, delaySeconds: 1, backoff: false },
      timeoutSeconds: Math.ceil(this.config.HARVEST_JOB_TIMEOUT_MINUTES * 60) + 300,
      handler: (data, run) => this.run(data.job_id, run),
    });
    this.jobs.register(HARVEST_SCHEDULE_JOB, { retry: { limit: 1, delaySeconds: 30, backoff: false }, timeoutSeconds: 300, handler: () => this.schedule() });
    this.jobs.schedule(HARVEST_SCHEDULE_JOB, '* * * * *');
  }

  /** One job, its progress also in the queue's job_progress (jobs list), a few times a second at most. */
  private async run(jobId: string, job: JobRun): Promise<unknown> {
    let last = 0;
    const stats = await this.runner.run(jobId, (done, total, s) => {
      if (Date.now() - last < 1000) return;
      last = Date.now();
      void job.report(total ? done / total : null, `${done}${total ? `/${total}` : ''} records; added ${s.added}, updated ${s.updated}, errored ${s.errored}`).catch(() => undefined);
    });
    return { harvest_job_id: jobId, stats };
  }

  async schedule(): Promise<{ aborted: string[]; queued: string[] }> {
    const ctx = this.dispatcher.context(null, { ignoreAuth: true });
    const minutes = this.config.HARVEST_JOB_TIMEOUT_MINUTES;
    const aborted = await this.repo.abortStale(ctx.db, minutes + 5, `The job was still running after HARVEST_JOB_TIMEOUT_MINUTES (${minutes}): its worker stopped; ended by the sweep`);
    if (aborted.length) this.log.warn({ jobs: aborted }, 'harvest jobs left running were ended as Aborted');
    const queued: string[] = [];
    for (const sourceId of await this.repo.dueSourceIds(ctx.db)) {
      try {
        await ctx.transaction(async (tx) => queued.push((await this.jobActions.createJob(tx, sourceId)).id));
      } catch (err) {
        this.log.warn({ err, source: sourceId }, 'a due harvest source could not be queued');
      }
    }
    return { aborted, queued };
  }
}
