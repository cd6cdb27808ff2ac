import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/env';
import type { Logger } from '../common/logger';
import { LOGGER } from '../common/logger.provider';
import { dataSourceOptions, EntityList } from './data-source';
import { DatabaseServer, OpenOptions, prepareDataSource, startDatabaseServer } from './database-connection';
import { EmbeddedPostgresHandle } from './embedded-postgres';

export interface DatabaseModuleOptions extends Partial<OpenOptions> {
  /** Every module's entities (src/entities.ts). */
  entities: EntityList;
}

/**
 * The PostgreSQL the service runs on, injectable where a part needs more than the DataSource (its URL
 * for a LISTEN connection, whether it is embedded). Started in @nestjs/typeorm's factory; at shutdown it
 * closes what registered with closeBefore, then the pool, then stops the embedded server.
 */
@Injectable()
export class Database implements DatabaseServer, OnApplicationShutdown {
  private server?: DatabaseServer;
  private dataSource?: DataSource;
  private readonly closers: (() => Promise<void>)[] = [];

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig, @Inject(LOGGER) private readonly log: Logger) {}

  get url(): string {
    if (!this.server) throw new Error('the database has not been started');
    return this.server.url;
  }

  get embedded(): EmbeddedPostgresHandle | undefined {
    return this.server?.embedded;
  }

  async start(opts: OpenOptions): Promise<DatabaseServer> {
    this.server ??= await startDatabaseServer(this.config, this.log, opts);
    return this.server;
  }

  async prepare(dataSource: DataSource, opts: OpenOptions): Promise<DataSource> {
    this.dataSource = dataSource;
    try {
      await prepareDataSource(dataSource, this.server!, this.config, this.log, opts);
    } catch (err) {
      await this.server?.embedded?.stop();
      throw err;
    }
    return dataSource;
  }

  /**
   * Closes something that holds its own connections (the job queue's pool) before the database stops. Nest calls
   * global modules' shutdown hooks first, so a part's own onApplicationShutdown would find the server already gone.
   */
  closeBefore(close: () => Promise<void>): void {
    this.closers.push(close);
  }

  // Nest calls this before the other parts' onApplicationShutdown (global modules come first): their beforeApplicationShutdown
  // hooks have run, the HTTP server is closed, and what holds connections of its own registered with closeBefore.
  async onApplicationShutdown(signal?: string): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) {
      await close().catch((err: unknown) => this.log.warn({ err }, 'a part did not close its connections cleanly'));
    }
    this.log.info({ signal }, 'shutting down: closing the database');
    if (this.dataSource?.isInitialized) await this.dataSource.destroy();
    await this.server?.embedded?.stop();
  }
}

@Global()
@Module({ providers: [Database], exports: [Database] })
class DatabaseServerModule {}

/** The DataSource through @nestjs/typeorm (injectable as `DataSource` everywhere) and the `Database` it runs on. */
@Module({})
export class DatabaseModule {
  static forRoot(o: DatabaseModuleOptions): DynamicModule {
    const opts: OpenOptions = { migrate: o.migrate ?? true, existingCatalog: o.existingCatalog, poolSize: o.poolSize, applicationName: o.applicationName };
    let database: Database | undefined;
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        DatabaseServerModule,
        TypeOrmModule.forRootAsync({
          inject: [Database, APP_CONFIG],
          useFactory: async (db: Database, config: AppConfig) => {
            database = db;
            const server = await db.start(opts);
            const options = dataSourceOptions({ url: server.url, entities: o.entities, poolSize: opts.poolSize ?? config.DATABASE_POOL_SIZE, applicationName: opts.applicationName });
            // Fail at once with our own message (no catalog there, a migration that failed) instead of nine silent retries.
            return { ...options, toRetry: () => false };
          },
          // Our own checks (a catalog must exist for the CLI) and migrations run before anything may query.
          dataSourceFactory: async (options) => database!.prepare(new DataSource(options!), opts),
        }),
      ],
      exports: [DatabaseServerModule, TypeOrmModule],
    };
  }
}
