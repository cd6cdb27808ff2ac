import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

const PARENT = 'sensor_observation';
export const DEFAULT_PARTITION = 'sensor_observation_default';
/** One advisory lock for every change of the partition set (made by PartitionManager, dropped by retention). */
const PARTITION_LOCK_KEY = 0x53454e53; // 'SENS'
/** Partition names are made here only, from a month 'YYYY-MM'; anything else is refused before it reaches SQL. */
const NAME = /^sensor_observation_p\d{4}_\d{2}$/;

function checked(name: string): string {
  if (!NAME.test(name)) throw new Error(`not a sensor observation partition name: ${name}`);
  return name;
}

/**
 * The partition DDL of sensor_observation. Each change runs in the transaction it is given, which should be short
 * and of its own: it takes the partition lock, and waits for table locks at most `lockTimeout`.
 */
@Injectable()
export class PartitionRepository {
  /** Names of the partitions (the default one included). */
  async names(db: EntityManager): Promise<string[]> {
    const rows: { name: string }[] = await db.query(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass`,
      [PARENT],
    );
    return rows.map((r) => r.name);
  }

  /** The months ('YYYY-MM', UTC) the default partition holds rows of. */
  async defaultPartitionMonths(db: EntityManager): Promise<string[]> {
    const rows: { m: string }[] = await db.query(
      `SELECT DISTINCT to_char(date_trunc('month', phenomenon_time, 'UTC') AT TIME ZONE 'UTC', 'YYYY-MM') AS m FROM ${DEFAULT_PARTITION}`,
    );
    return rows.map((r) => r.m);
  }

  /** Takes the partition lock for the transaction and bounds its lock waits. */
  async lock(tx: EntityManager, lockTimeout: string): Promise<void> {
    if (!/^\d+(ms|s)$/.test(lockTimeout)) throw new Error(`bad lock timeout ${lockTimeout}`);
    await tx.query(`SET LOCAL lock_timeout = '${lockTimeout}'`);
    await tx.query(`SELECT pg_advisory_xact_lock($1)`, [PARTITION_LOCK_KEY]);
  }

  async exists(tx: EntityManager, name: string): Promise<boolean> {
    const rows: { r: string | null }[] = await tx.query(`SELECT to_regclass($1) AS r`, [checked(name)]);
    return rows[0]?.r !== null && rows[0]?.r !== undefined;
  }

  /**
   * Makes partition `name` for [from, to): the default partition is locked first (so no writer adds rows of this
   * month to it meanwhile), its rows of the month move into the new table, which is then attached.
   */
  async create(tx: EntityManager, name: string, from: Date, to: Date): Promise<void> {
    const n = checked(name);
    const a = from.toISOString();
    const b = to.toISOString();
    await tx.query(`LOCK TABLE ${DEFAULT_PARTITION} IN ACCESS EXCLUSIVE MODE`);
    await tx.query(`CREATE TABLE ${n} (LIKE ${PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    // The bound as a CHECK constraint: ATTACH then need not scan the new table.
    await tx.query(`ALTER TABLE ${n} ADD CONSTRAINT ${n}_bound CHECK (phenomenon_time >= '${a}' AND phenomenon_time < '${b}')`);
    await tx.query(`WITH moved AS (DELETE FROM ${DEFAULT_PARTITION} WHERE phenomenon_time >= $1 AND phenomenon_time < $2 RETURNING *) INSERT INTO ${n} SELECT * FROM moved`, [a, b]);
    await tx.query(`ALTER TABLE ${PARENT} ATTACH PARTITION ${n} FOR VALUES FROM ('${a}') TO ('${b}')`);
    await tx.query(`ALTER TABLE ${n} DROP CONSTRAINT ${n}_bound`);
  }

  /** Whether partition `name` holds rows of any of these datastreams. */
  async holdsAny(tx: EntityManager, name: string, datastreamIds: number[]): Promise<boolean> {
    const rows: { k: boolean }[] = await tx.query(`SELECT EXISTS (SELECT 1 FROM ${checked(name)} WHERE datastream_id = ANY($1::bigint[])) AS k`, [datastreamIds]);
    return rows[0].k;
  }

  async drop(tx: EntityManager, name: string): Promise<void> {
    const n = checked(name);
    await tx.query(`ALTER TABLE ${PARENT} DETACH PARTITION ${n}`);
    await tx.query(`DROP TABLE ${n}`);
  }
}
