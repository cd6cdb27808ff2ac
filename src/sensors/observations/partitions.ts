import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Logger } from '../../common/logger';
import { LOGGER } from '../../common/logger.provider';

/** The job that makes the coming months' partitions ahead, daily. */
export const PARTITIONS_JOB = 'sensors.partitions';
/** Months made ahead by the job, the current one included. */
export const MONTHS_AHEAD = 3;

const PARENT = 'sensor_observation';
const DEFAULT_PARTITION = 'sensor_observation_default';
const NAME = /^sensor_observation_p(\d{4})_(\d{2})$/;
/** One advisory lock for every change of the partition set (made here, dropped by retention). */
export const PARTITION_LOCK_KEY = 0x53454e53; // 'SENS'
/**
 * A partition change waits at most this long for a lock (readers and writers of the default partition): longer, and
 * it gives up for now, the readings go to the default partition and the daily job tries again.
 */
const LOCK_TIMEOUT = '2s';

/** A month as 'YYYY-MM' (UTC). */
export type Month = string;

export const monthOf = (d: Date): Month => `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
export const partitionName = (m: Month): string => `sensor_observation_p${m.replace('-', '_')}`;
/** [start, end) of a month in UTC. */
export function monthBounds(m: Month): { from: Date; to: Date } {
  const [y, mo] = m.split('-').map(Number);
  return { from: new Date(Date.UTC(y, mo - 1, 1)), to: new Date(Date.UTC(y, mo, 1)) };
}
export function addMonths(m: Month, n: number): Month {
  const { from } = monthBounds(m);
  return monthOf(new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + n, 1)));
}

/**
 * The monthly partitions of sensor_observation (UTC months, named sensor_observation_pYYYY_MM). The daily job makes
 * the current and the next months ahead; the writer asks for the months a batch touches before it writes. Each
 * partition is made in its own short transaction, serialised by an advisory lock: rows the default partition holds
 * for that month move into it first (PostgreSQL refuses a partition whose rows sit in the default one). When a lock
 * is not to be had quickly, nothing fails: the readings go to the default partition, which the next run empties.
 */
@Injectable()
export class PartitionManager {
  /** Months known to have a partition (this process's view; a stale entry only sends rows to the default partition). */
  private known: Set<Month> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** The months that have a partition, read from the catalog. */
  async list(db: EntityManager = this.dataSource.manager): Promise<Month[]> {
    const rows: { name: string }[] = await db.query(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass`,
      [PARENT],
    );
    const months = rows.map((r) => NAME.exec(r.name)).filter((m): m is RegExpExecArray => m !== null).map((m) => `${m[1]}-${m[2]}`);
    this.known = new Set(months);
    return months.sort();
  }

  /** Makes sure each month has a partition (those that have one cost nothing after the first call). Answers the months made. */
  async ensure(months: Iterable<Month>): Promise<Month[]> {
    if (!this.known) await this.list();
    const missing = [...new Set(months)].filter((m) => !this.known!.has(m)).sort();
    if (missing.length === 0) return [];
    await this.list(); // another process may have made them
    const made: Month[] = [];
    for (const m of missing) {
      if (this.known!.has(m)) continue;
      try {
        if (await this.create(m)) made.push(m);
        this.known!.add(m);
      } catch (err) {
        // Not fatal: the default partition takes the readings; the daily job (or the next batch) tries again.
        this.log.warn({ err, month: m }, 'could not make a sensor observation partition now; readings go to the default partition');
      }
    }
    return made;
  }

  /** The job: the current month and the next ones, plus any month whose rows sit in the default partition. */
  async ensureAhead(now = new Date()): Promise<Month[]> {
    const current = monthOf(now);
    const months = Array.from({ length: MONTHS_AHEAD }, (_, i) => addMonths(current, i));
    const stray: { m: string }[] = await this.dataSource.query(
      `SELECT DISTINCT to_char(date_trunc('month', phenomenon_time, 'UTC') AT TIME ZONE 'UTC', 'YYYY-MM') AS m FROM ${DEFAULT_PARTITION}`,
    );
    return this.ensure([...months, ...stray.map((r) => r.m)]);
  }

  /** Forgets what this process knows (after partitions were dropped). */
  forget(month?: Month): void {
    if (month) this.known?.delete(month);
    else this.known = null;
  }

  /** One month's partition, in its own transaction; false if it already existed. */
  private create(m: Month): Promise<boolean> {
    const name = partitionName(m);
    const { from, to } = monthBounds(m);
    return this.dataSource.transaction(async (tx) => {
      await tx.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
      await tx.query(`SELECT pg_advisory_xact_lock($1)`, [PARTITION_LOCK_KEY]);
      const exists: { r: string | null }[] = await tx.query(`SELECT to_regclass($1) AS r`, [name]);
      if (exists[0]?.r) return false;
      // First the default partition, so no writer adds rows of this month to it between the move and the attach.
      await tx.query(`LOCK TABLE ${DEFAULT_PARTITION} IN ACCESS EXCLUSIVE MODE`);
      await tx.query(`CREATE TABLE ${name} (LIKE ${PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
      // The bound as a CHECK constraint: ATTACH then skips scanning the new table.
      await tx.query(`ALTER TABLE ${name} ADD CONSTRAINT ${name}_bound CHECK (phenomenon_time >= '${from.toISOString()}' AND phenomenon_time < '${to.toISOString()}')`);
      await tx.query(
        `WITH moved AS (DELETE FROM ${DEFAULT_PARTITION} WHERE phenomenon_time >= $1 AND phenomenon_time < $2 RETURNING *) INSERT INTO ${name} SELECT * FROM moved`,
        [from.toISOString(), to.toISOString()],
      );
      await tx.query(`ALTER TABLE ${PARENT} ATTACH PARTITION ${name} FOR VALUES FROM ('${from.toISOString()}') TO ('${to.toISOString()}')`);
      await tx.query(`ALTER TABLE ${name} DROP CONSTRAINT ${name}_bound`);
      return true;
    });
  }
}
