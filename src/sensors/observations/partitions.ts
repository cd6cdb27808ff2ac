import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Logger } from '../../common/logger';
import { LOGGER } from '../../common/logger.provider';
import { PartitionRepository } from './partition.repository';

/** The job that makes the coming months' partitions ahead, daily. */
export const PARTITIONS_JOB = 'sensors.partitions';
/** Months made ahead by the job, the current one included. */
export const MONTHS_AHEAD = 3;

const NAME = /^sensor_observation_p(\d{4})_(\d{2})$/;
/**
 * A partition change waits at most this long for a lock (readers and writers of the default partition): longer, and
 * it gives up for now, the readings go to the default partition and the daily job tries again.
 */
const LOCK_TIMEOUT = '2s';
/** After a failed attempt, a month's partition is tried again by a batch this much later (the daily job always tries). */
const RETRY_AFTER_MS = 60_000;

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
  /** Months whose partition could not be made lately, and when: not tried again for a while, so batches never queue on it. */
  private readonly failed = new Map<Month, number>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: PartitionRepository,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** The months that have a partition, read from the catalog. */
  async list(db: EntityManager = this.dataSource.manager): Promise<Month[]> {
    const months = (await this.repo.names(db)).map((n) => NAME.exec(n)).filter((m): m is RegExpExecArray => m !== null).map((m) => `${m[1]}-${m[2]}`);
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
      if (this.known!.has(m) || Date.now() - (this.failed.get(m) ?? -Infinity) < RETRY_AFTER_MS) continue;
      try {
        if (await this.create(m)) made.push(m);
        this.known!.add(m);
        this.failed.delete(m);
      } catch (err) {
        // Not fatal: the default partition takes the readings; the daily job (or a batch a minute later) tries again.
        this.failed.set(m, Date.now());
        this.log.warn({ err, month: m }, 'could not make a sensor observation partition now; readings go to the default partition');
      }
    }
    return made;
  }

  /** The job: the current month and the next ones, plus any month whose rows sit in the default partition. */
  async ensureAhead(now = new Date()): Promise<Month[]> {
    const current = monthOf(now);
    const months = Array.from({ length: MONTHS_AHEAD }, (_, i) => addMonths(current, i));
    this.failed.clear();
    return this.ensure([...months, ...(await this.repo.defaultPartitionMonths(this.dataSource.manager))]);
  }

  /**
   * Drops a month's partition unless one of `keepers` (datastream ids) has rows in it. False if kept, or if the
   * locks were not to be had now (the next run tries again).
   */
  async dropUnlessHeld(month: Month, keepers: number[]): Promise<boolean> {
    const name = partitionName(month);
    try {
      const dropped = await this.dataSource.transaction(async (tx) => {
        await this.repo.lock(tx, '5s');
        if (!(await this.repo.exists(tx, name)) || (await this.repo.holdsAny(tx, name, keepers))) return false;
        await this.repo.drop(tx, name);
        return true;
      });
      if (dropped) this.known?.delete(month);
      return dropped;
    } catch (err) {
      this.log.warn({ err, month }, 'could not drop a sensor observation partition now; the next run tries again');
      return false;
    }
  }

  /** One month's partition, in its own transaction; false if it already existed. */
  private create(m: Month): Promise<boolean> {
    const name = partitionName(m);
    const { from, to } = monthBounds(m);
    return this.dataSource.transaction(async (tx) => {
      await this.repo.lock(tx, LOCK_TIMEOUT);
      if (await this.repo.exists(tx, name)) return false;
      await this.repo.create(tx, name, from, to);
      return true;
    });
  }
}
