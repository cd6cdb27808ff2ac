import type { PoolClient } from 'pg';
import { EntityManager } from 'typeorm';
import type { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';

/**
 * The pg connection of the transaction `db` belongs to, for what TypeORM's query() cannot do: row arrays with the
 * result's column descriptions, the extended protocol, and cursors (pg-query-stream). Only inside a transaction, so
 * the connection stays the caller's until the transaction ends.
 */
export async function transactionClient(db: EntityManager): Promise<PoolClient> {
  const runner = db.queryRunner as PostgresQueryRunner | undefined;
  if (!runner || runner.isReleased || !runner.isTransactionActive) throw new Error('transactionClient needs an open transaction');
  return (await runner.connect()) as PoolClient;
}
