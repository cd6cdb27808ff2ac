import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from './config/env';
import type { Logger } from './common/logger';
import { LOGGER } from './common/logger.provider';
import { DatabaseModule, DatabaseModuleOptions } from './database/database.module';
import { ENTITIES } from './entities';

export interface CoreOptions {
  config: AppConfig;
  logger: Logger;
  /** How to open the database (DATABASE_URL or the embedded one): migrate (default true), existingCatalog, pool size. */
  database?: Omit<DatabaseModuleOptions, 'entities'>;
}

@Global()
@Module({})
class SettingsModule {
  static register(o: CoreOptions): DynamicModule {
    return {
      module: SettingsModule,
      providers: [{ provide: APP_CONFIG, useValue: o.config }, { provide: LOGGER, useValue: o.logger }],
      exports: [APP_CONFIG, LOGGER],
    };
  }
}

/** Configuration, logger and database: what every module may inject. */
@Module({})
export class CoreModule {
  static register(o: CoreOptions): DynamicModule {
    return { module: CoreModule, imports: [SettingsModule.register(o), DatabaseModule.forRoot({ entities: ENTITIES, ...o.database })] };
  }
}
