import './pg-types';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from './entities';
import { SnakeNamingStrategy } from './naming.strategy';

export interface DataSourceSettings {
  url: string;
  poolSize?: number;
  applicationName?: string;
}

/** The one way a DataSource is built: server, CLI, tests and benchmarks share these settings. */
export function createDataSource(s: DataSourceSettings): DataSource {
  return new DataSource({
    type: 'postgres',
    url: s.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    // One migration = one transaction: a failing step leaves the schema as it was.
    migrationsTransactionMode: 'each',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    logging: false,
    applicationName: s.applicationName ?? 'catalog',
    extra: {
      max: s.poolSize ?? 10,
      // Timestamps are read as text in UTC (see pg-types.ts); statement_timeout guards against runaway queries.
      options: '-c TimeZone=UTC -c statement_timeout=60000',
    },
  });
}
