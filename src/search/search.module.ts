import { Module, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ActionRegistry } from '../api/action-registry';
import { AuthModule } from '../auth/auth.module';
import type { Logger } from '../common/logger';
import { LOGGER } from '../common/logger.provider';
import { APP_CONFIG, AppConfig } from '../config/env';
import { CatalogModule } from '../catalog/catalog.module';
import { DatasetChanges } from '../catalog/datasets/dataset-changes';
import { JobQueue } from '../jobs/job-queue';
import { JobsModule } from '../jobs/jobs.module';
import { MeiliOutboxRepository } from './meili/meili-outbox.repository';
import { MeiliSearchBackend, MEILI_BACKEND } from './meili/meili-search.backend';
import { PgSearchBackend } from './pg/pg-search.backend';
import { SearchDocumentRepository } from './pg/search-document.repository';
import { SearchCursors } from './search-cursor.repository';
import { SearchActions } from './search.actions';
import { SearchService } from './search.service';

/**
 * package_search and its index. The PostgreSQL index (search_document) follows every dataset
 * write inside the writing transaction; Meilisearch, when MEILI_URL is set, follows through the outbox
 * and a drain job on the job queue.
 */
@Module({
  imports: [CatalogModule, AuthModule, JobsModule],
  providers: [
    PgSearchBackend,
    SearchDocumentRepository,
    MeiliOutboxRepository,
    SearchCursors,
    SearchService,
    SearchActions,
    {
      provide: MEILI_BACKEND,
      inject: [DataSource, MeiliOutboxRepository, SearchDocumentRepository, DatasetChanges, JobQueue, APP_CONFIG, LOGGER],
      useFactory: (ds: DataSource, outbox: MeiliOutboxRepository, docs: SearchDocumentRepository, changes: DatasetChanges, jobs: JobQueue, config: AppConfig, log: Logger) =>
        config.MEILI_URL ? new MeiliSearchBackend(ds, outbox, docs, changes, jobs, config, log) : undefined,
    },
  ],
  exports: [SearchService, PgSearchBackend, MEILI_BACKEND],
})
export class SearchModule implements OnModuleInit {
  constructor(
    private readonly registry: ActionRegistry,
    private readonly actions: SearchActions,
    private readonly changes: DatasetChanges,
    private readonly documents: SearchDocumentRepository,
  ) {}

  onModuleInit(): void {
    this.registry.register(this.actions.all());
    // The search index changes in the same transaction as the datasets it describes.
    this.changes.onWrite((ctx, ids) => this.documents.refresh(ctx.db, ids));
    // A dataset's metadata quality is set after its write (DCAT's write check): its two columns follow.
    this.changes.onDerived((ctx, ids) => this.documents.refreshDerived(ctx.db, ids));
  }
}
