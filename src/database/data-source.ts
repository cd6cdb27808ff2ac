import './pg-types';
import { DataSource, DataSourceOptions, EntitySchema } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { SnakeNamingStrategy } from './naming.strategy';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM takes entity classes as plain constructors
export type EntityList = (Function | EntitySchema)[];

export interface DataSourceSettings {
  url: string;
  /** The entities of every module (src/entities.ts): the database knows none of them itself. */
  entities: EntityList;
  poolSize?: number;
  applicationName?: string;
}

/** The one set of connection options: server (through @nestjs/typeorm), CLI, tests and benchmarks share them. */
export function dataSourceOptions(s: DataSourceSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: s.url,
    entities: s.entities,
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
  };
}

/** A DataSource outside Nest (CLI schema commands, test set-up, benchmarks). */
export function createDataSource(s: DataSourceSettings): DataSource {
  return new DataSource(dataSourceOptions(s));
}
