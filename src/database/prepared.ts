import type { Pool, PoolClient } from 'pg';
import { EntityManager, QueryFailedError } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';

/**
 * Runs a hot query as a named prepared statement on the same connection TypeORM would use (the
 * transaction's, or one from the pool). PostgreSQL then plans it once per connection instead of on
 * every call; for the dataset-dict query planning cost twice as much as executing it.
 * `name` must always come with the same `text`.
 */
export async function preparedQuery<T>(db: EntityManager, name: string, text: string, values: unknown[]): Promise<T[]> {
  try {
    const runner = db.queryRunner as PostgresQueryRunner | undefined;
    if (runner && !runner.isReleased) {
      const client = (await runner.connect()) as PoolClient;
      return (await client.query({ name, text, values })).rows as T[];
    }
    const pool = (db.connection.driver as PostgresDriver).master as Pool;
    return (await pool.query({ name, text, values })).rows as T[];
  } catch (err) {
    // As db.query fails: constraint violations (a name taken by a concurrent writer) are recognised by the same code.
    throw err instanceof Error && 'code' in err ? new QueryFailedError(text, values, err) : err;
  }
}
