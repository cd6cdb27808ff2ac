import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { ActionRegistry } from '../api/action-registry';
import { EndpointDocs } from '../api/endpoint-docs';
import { DATASTORE_ENDPOINT_PATHS, DATASTORE_ENDPOINT_TAG } from './datastore.api-docs';
import type { ActionContext } from '../api/action-context';
import { AuthModule } from '../auth/auth.module';
import { CatalogModule } from '../catalog/catalog.module';
import { APP_CONFIG, AppConfig } from '../config/env';
import { DatasetChanges } from '../catalog/datasets/dataset-changes';
import { JobQueue } from '../jobs/job-queue';
import { JobsModule } from '../jobs/jobs.module';
import { DatastoreLoadJob } from './datastore-load.job';
import { DatastoreLoadRepository } from './datastore-load.repository';
import { DatastoreLoads, LOAD_JOB, LoadJobData } from './datastore-load.service';
import { DatastoreDumpController } from './datastore-dump.controller';
import { DatastoreReadActions } from './datastore-read.actions';
import { DatastoreRecordsRepository } from './datastore-records.repository';
import { DatastoreResources } from './datastore-resources.service';
import { DatastoreSearch } from './datastore-search.service';
import { DatastoreSqlActions } from './datastore-sql.actions';
import { DatastoreSqlRepository } from './datastore-sql.repository';
import { DatastoreTableRepository } from './datastore-table.repository';
import { DatastoreWriteActions } from './datastore-write.actions';
import { DatastoreViews } from './datastore-views';
import { DatastoreWriter } from './datastore-writer.service';
import { XloaderActions } from './xloader.actions';
import { ResourcePreviewActions } from './resource-preview.actions';

/**
 * The DataStore: CKAN's datastore_* actions on one table per resource in schema `datastore`. It knows the catalog only
 * through its actions and exported services; a dataset write that removes a resource, deletes or purges a dataset drops
 * the tables that belonged to them, in the same transaction (DatasetChanges.onWrite). The loader (xloader_*) runs as the
 * job `datastore.load`, queued by xloader_submit and by any write that adds or changes a tabular file.
 */
@Module({
  imports: [CatalogModule, AuthModule, JobsModule],
  controllers: [DatastoreDumpController],
  providers: [
    DatastoreTableRepository, DatastoreRecordsRepository, DatastoreResources, DatastoreWriter, DatastoreSearch, DatastoreReadActions, DatastoreWriteActions,
    DatastoreSqlRepository, DatastoreSqlActions, DatastoreLoadRepository, DatastoreLoads, DatastoreLoadJob, XloaderActions, DatastoreViews,
    ResourcePreviewActions,
  ],
  exports: [DatastoreResources, DatastoreWriter, DatastoreTableRepository, DatastoreViews],
})
export class DatastoreModule implements OnModuleInit {
  constructor(
    private readonly registry: ActionRegistry,
    private readonly endpoints: EndpointDocs,
    private readonly reads: DatastoreReadActions,
    private readonly writes: DatastoreWriteActions,
    private readonly changes: DatasetChanges,
    private readonly tables: DatastoreTableRepository,
    private readonly resources: DatastoreResources,
    private readonly xloader: XloaderActions,
    private readonly loads: DatastoreLoads,
    private readonly loadJob: DatastoreLoadJob,
    private readonly jobs: JobQueue,
    private readonly sql: DatastoreSqlActions,
    private readonly previews: ResourcePreviewActions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.endpoints.register(DATASTORE_ENDPOINT_TAG, DATASTORE_ENDPOINT_PATHS);
    this.registry.register([...this.reads.all(), ...this.writes.all(), ...this.xloader.all(), ...this.previews.all()]);
    // CKAN registers datastore_search_sql only when ckan.datastore.sqlsearch.enabled is set.
    if (this.config.DATASTORE_SQL_ENABLED) this.registry.register(this.sql.all());
    this.changes.onWrite((ctx, ids) => this.dropOrphans(ctx, ids));
    this.changes.onWrite((ctx, ids) => this.loads.onDatasetsWritten(ctx, ids));
    // xloader's job_timeout (3600 s); a file that cannot be loaded is recorded, not retried, so one retry is for crashes.
    this.jobs.register<LoadJobData>(LOAD_JOB, { retry: { limit: 1, delaySeconds: 30, backoff: false }, timeoutSeconds: 3600, handler: (data, run) => this.loadJob.run(data, run) });
  }

  /** Tables whose resource is gone, or whose dataset is deleted or purged, go with them (CKAN's after_resource_delete). */
  private async dropOrphans(ctx: ActionContext, datasetIds: string[]): Promise<void> {
    const tables = await this.tables.ofDatasets(ctx.db, datasetIds);
    if (!tables.length) return;
    const live = new Map<string, Set<string> | undefined>();
    for (const t of tables) {
      if (!live.has(t.package_id)) live.set(t.package_id, await this.resources.liveResourceIds(ctx, t.package_id));
      const resources = live.get(t.package_id);
      if (resources?.has(t.resource_id)) continue;
      await this.tables.lock(ctx.db, t.resource_id);
      await this.tables.drop(ctx.db, t.resource_id);
      // A resource that stays (its dataset was deleted, not purged) no longer has a table.
      const r = resources === undefined ? await this.resources.find(ctx, t.resource_id) : undefined;
      if (r) await this.resources.setActive(ctx, r, false);
    }
  }
}
