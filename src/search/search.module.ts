import { Module, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ActionRegistry } from '../api/action-registry';
import { AuthModule } from '../auth/auth.module';
import type { Logger } from '../common/logger';
import { LOGGER } from '../common/logger.provider';
import { APP_CONFIG, AppConfig } from '../config/env';
import { CatalogModule } from '../catalog/catalog.module';
import { DatasetChanges } from '../catalog/datasets/dataset-changes';
import { preparedQuery } from '../database/prepared';
import { MeiliSearchBackend, MEILI_BACKEND } from './meili/meili-search.backend';
import { PgSearchBackend } from './pg/pg-search.backend';
import { SearchCursors } from './search-cursors';
import { SearchActions } from './search.actions';
import { SearchService } from './search.service';

/**
 * package_search and its index. The PostgreSQL index (search_document) follows every dataset
 * write inside the writing transaction; Meilisearch, when MEILI_URL is set, follows through the outbox.
 */
@Module({
  imports: [CatalogModule, AuthModule],
  providers: [
    PgSearchBackend,
    SearchCursors,
    SearchService,
    SearchActions,
    {
      provide: MEILI_BACKEND,
      inject: [DataSource, DatasetChanges, APP_CONFIG, LOGGER],
      useFactory: (ds: DataSource, changes: DatasetChanges, config: AppConfig, log: Logger) =>
        config.MEILI_URL ? new MeiliSearchBackend(ds, changes, config, log) : undefined,
    },
  ],
  exports: [SearchService, PgSearchBackend, MEILI_BACKEND],
})
export class SearchModule implements OnModuleInit {
  constructor(private readonly registry: ActionRegistry, private readonly actions: SearchActions, private readonly changes: DatasetChanges) {}

  onModuleInit(): void {
    this.registry.register(this.actions.all());
    // The search index changes in the same transaction as the datasets it describes.
    this.changes.onWrite(async (ctx, ids) => {
      await preparedQuery(ctx.db, 'search-refresh', 'SELECT catalog_search_refresh($1::uuid[])', [ids]);
    });
  }
}
