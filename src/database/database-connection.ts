import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/env';
import type { Logger } from '../common/logger';
import { createDataSource } from './data-source';
import { EmbeddedPostgresHandle, startEmbeddedPostgres } from './embedded-postgres';

export interface DatabaseConnection {
  readonly dataSource: DataSource;
  readonly url: string;
  readonly embedded?: EmbeddedPostgresHandle;
  /** Closes the pool, then stops the embedded server if this process started it. */
  close(): Promise<void>;
}

/**
 * Connects to DATABASE_URL, or starts (or joins) the embedded PostgreSQL under $DATA_DIR/pg,
 * and applies pending migrations when asked. Server and CLI both come through here, so they
 * always work on the same database.
 */
export async function openDatabase(config: AppConfig, log: Logger, opts: { migrate: boolean; poolSize?: number; applicationName?: string }): Promise<DatabaseConnection> {
  let embedded: EmbeddedPostgresHandle | undefined;
  let url = config.DATABASE_URL;
  if (!url) {
    const pgLog = log.child({ component: 'embedded-postgres' });
    embedded = await startEmbeddedPostgres({
      dataDir: join(resolve(config.DATA_DIR), 'pg'),
      port: config.EMBEDDED_PG_PORT,
      log: (level, msg) => pgLog[level](msg),
    });
    url = embedded.url;
  }
  const dataSource = createDataSource({ url, poolSize: opts.poolSize ?? config.DATABASE_POOL_SIZE, applicationName: opts.applicationName });
  try {
    await dataSource.initialize();
    if (opts.migrate) {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      for (const m of applied) log.info({ migration: m.name }, 'migration applied');
    }
  } catch (err) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    dataSource,
    url,
    embedded,
    close: () => {
      closing ??= (async () => {
        if (dataSource.isInitialized) await dataSource.destroy();
        await embedded?.stop();
      })();
      return closing;
    },
  };
}
