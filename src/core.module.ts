import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from './config/env';
import type { Logger } from './common/logger';
import { LOGGER } from './common/logger.provider';
import { DatabaseConnection } from './database/database-connection';

export const DATABASE = Symbol('DATABASE');

/** Closes the pool and stops the embedded PostgreSQL last, after HTTP has stopped taking requests. */
@Injectable()
class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly db: DatabaseConnection, @Inject(LOGGER) private readonly log: Logger) {}

  async onApplicationShutdown(signal?: string): Promise<void> {
    this.log.info({ signal }, 'shutting down: closing the database');
    await this.db.close();
  }
}

export interface CoreOptions {
  config: AppConfig;
  logger: Logger;
  database: DatabaseConnection;
  /** Tests close the database themselves (it outlives one app). */
  ownsDatabase?: boolean;
}

/** Configuration, logger and database: what every module may inject. */
@Global()
@Module({})
export class CoreModule {
  static register(o: CoreOptions): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: APP_CONFIG, useValue: o.config },
        { provide: LOGGER, useValue: o.logger },
        { provide: DATABASE, useValue: o.database },
        { provide: DataSource, useValue: o.database.dataSource },
        ...(o.ownsDatabase === false ? [] : [DatabaseLifecycle]),
      ],
      exports: [APP_CONFIG, LOGGER, DATABASE, DataSource],
    };
  }
}
