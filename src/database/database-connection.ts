import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/env';
import type { Logger } from '../common/logger';
import { createDataSource, EntityList } from './data-source';
import { EmbeddedPostgresHandle, NoClusterError, startEmbeddedPostgres } from './embedded-postgres';

/**
 * A command that works on an existing catalog found none where it looked: it names the database
 * it looked for and how to point it at the server's, instead of creating a second, empty catalog.
 */
export class NoCatalogError extends Error {}

export interface OpenOptions {
  /** Apply pending migrations. */
  migrate: boolean;
  /** Refuse to create a catalog: one must exist (every CLI command but those that build the schema). */
  existingCatalog?: boolean;
  poolSize?: number;
  applicationName?: string;
}

/** Where the catalog's PostgreSQL runs: DATABASE_URL's server, or the embedded one under $DATA_DIR/pg. */
export interface DatabaseServer {
  readonly url: string;
  /** Set when this process started (or joined) the embedded PostgreSQL. */
  readonly embedded?: EmbeddedPostgresHandle;
}

export interface DatabaseConnection extends DatabaseServer {
  readonly dataSource: DataSource;
  /** Closes the pool, then stops the embedded server if this process started it. */
  close(): Promise<void>;
}

/** DATABASE_URL, or the embedded PostgreSQL started (or joined) under $DATA_DIR/pg. */
export async function startDatabaseServer(config: AppConfig, log: Logger, opts: Pick<OpenOptions, 'existingCatalog'>): Promise<DatabaseServer> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL };
  const pgLog = log.child({ component: 'embedded-postgres' });
  const dataDir = join(resolve(config.DATA_DIR), 'pg');
  try {
    const embedded = await startEmbeddedPostgres({ dataDir, port: config.EMBEDDED_PG_PORT, sharedBuffersMb: config.EMBEDDED_PG_SHARED_BUFFERS_MB, create: !opts.existingCatalog, log: (level, msg) => pgLog[level](msg) });
    return { url: embedded.url, embedded };
  } catch (err) {
    if (err instanceof NoClusterError) throw noCatalog(config, `there is no embedded PostgreSQL in ${dataDir}`);
    throw err;
  }
}

/** Initialises the pool, checks that a catalog is there when one must be, and applies pending migrations when asked. */
export async function prepareDataSource(dataSource: DataSource, server: DatabaseServer, config: AppConfig, log: Logger, opts: OpenOptions): Promise<void> {
  try {
    await dataSource.initialize();
    if (opts.existingCatalog && !(await holdsCatalog(dataSource))) {
      throw noCatalog(config, `the database ${describeUrl(server.url, !!server.embedded)} holds no catalog (no migration has run there)`);
    }
    if (opts.migrate) {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      for (const m of applied) log.info({ migration: m.name }, 'migration applied');
    }
  } catch (err) {
    if (dataSource.isInitialized) await dataSource.destroy();
    throw err;
  }
}

/**
 * The database outside Nest (the CLI's schema commands, benchmarks): server and CLI both come through
 * startDatabaseServer and prepareDataSource, so they always work on the same database.
 */
export async function openDatabase(config: AppConfig, log: Logger, entities: EntityList, opts: OpenOptions): Promise<DatabaseConnection> {
  const server = await startDatabaseServer(config, log, opts);
  const dataSource = createDataSource({ url: server.url, entities, poolSize: opts.poolSize ?? config.DATABASE_POOL_SIZE, applicationName: opts.applicationName });
  try {
    await prepareDataSource(dataSource, server, config, log, opts);
  } catch (err) {
    await server.embedded?.stop();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    ...server,
    dataSource,
    close: () => {
      closing ??= (async () => {
        if (dataSource.isInitialized) await dataSource.destroy();
        await server.embedded?.stop();
      })();
      return closing;
    },
  };
}

async function holdsCatalog(ds: DataSource): Promise<boolean> {
  const [row] = (await ds.query(`SELECT to_regclass('migrations') IS NOT NULL AS present`)) as { present: boolean }[];
  if (!row?.present) return false;
  const [count] = (await ds.query('SELECT count(*)::int AS n FROM migrations')) as { n: number }[];
  return (count?.n ?? 0) > 0;
}

/** The URL without its password, for messages. */
function describeUrl(url: string, embedded: boolean): string {
  const u = new URL(url);
  u.password = '';
  return embedded ? `"${u.pathname.slice(1)}" of the embedded PostgreSQL` : u.toString();
}

function noCatalog(config: AppConfig, found: string): NoCatalogError {
  const where = config.DATABASE_URL ? `DATABASE_URL` : `DATA_DIR=${config.DATA_DIR} (${resolve(config.DATA_DIR)})`;
  return new NoCatalogError(
    `No catalog found: this command looked at ${where}, and ${found}. ` +
      "It works on the server's catalog and will not create an empty one: run it with the same DATA_DIR or DATABASE_URL as the server " +
      '(e.g. DATA_DIR=/srv/catalog/data npm run cli -- …), or start the server once (npm start) to create the catalog.',
  );
}
