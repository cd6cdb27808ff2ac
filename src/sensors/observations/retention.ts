import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Logger } from '../../common/logger';
import { LOGGER } from '../../common/logger.provider';
import { AggregateService } from './aggregates';
import { monthBounds, PARTITION_LOCK_KEY, partitionName, PartitionManager, type Month } from './partitions';

/** The job that deletes what the sources no longer keep. */
export const RETENTION_JOB = 'sensors.retention';

/**
 * A source's retention (`config.retention`), each in days; absent: kept forever. E.g. `{ raw_days: 90 }`: raw
 * readings for 90 days, hourly and daily aggregates forever.
 */
export interface Retention {
  rawDays?: number;
  hourlyDays?: number;
  dailyDays?: number;
}

export function parseRetention(config: unknown): Retention {
  const r = (config as { retention?: Record<string, unknown> } | null | undefined)?.retention;
  if (!r || typeof r !== 'object') return {};
  const days = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);
  return { rawDays: days(r.raw_days), hourlyDays: days(r.hourly_days), dailyDays: days(r.daily_days) };
}

export interface RetentionRun {
  /** Monthly partitions dropped whole. */
  droppedPartitions: Month[];
  /** Raw readings deleted row by row. */
  deletedObservations: number;
  deletedAggregates: number;
}

const DAY_MS = 86_400_000;

/**
 * Retention per source. First the pending aggregates are computed, so raw readings go only once their hours are
 * aggregated. A monthly partition is dropped whole when no datastream with rows in it is kept that long (datastreams
 * of no source, or of a source without a raw limit, keep everything); then older readings are deleted row by row
 * per source, and aggregates beyond their limits.
 */
@Injectable()
export class RetentionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly aggregates: AggregateService,
    private readonly partitions: PartitionManager,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async run(now = new Date()): Promise<RetentionRun> {
    await this.aggregates.run();
    const out: RetentionRun = { droppedPartitions: [], deletedObservations: 0, deletedAggregates: 0 };
    const sources: { id: string; config: unknown }[] = await this.dataSource.query(`SELECT id, config FROM sensor_source`);
    const streams: { id: number; source_id: string | null }[] = await this.dataSource.query(
      `SELECT d.id, t.source_id FROM sensor_datastream d JOIN sensor_thing t ON t.id = d.thing_id`,
    );
    const retention = new Map(sources.map((s) => [s.id, parseRetention(s.config)]));
    const rawCutoff = (sourceId: string | null): number => {
      const days = sourceId ? retention.get(sourceId)?.rawDays : undefined;
      return days === undefined ? -Infinity : now.getTime() - days * DAY_MS;
    };

    // Whole partitions: every datastream with rows there must have a cutoff at or after the partition's end.
    const limited = [...retention.values()].map((r) => r.rawDays).filter((d): d is number => d !== undefined);
    if (limited.length > 0) {
      const latestCutoff = now.getTime() - Math.min(...limited) * DAY_MS;
      for (const month of await this.partitions.list()) {
        const { to } = monthBounds(month);
        if (to.getTime() > latestCutoff) continue;
        // A datastream keeps rows in this month if its cutoff is before the month's end.
        const keepers = streams.filter((s) => rawCutoff(s.source_id) < to.getTime());
        if (await this.drop(month, keepers.map((s) => Number(s.id)))) out.droppedPartitions.push(month);
      }
    }

    // Row by row, per source with limits.
    for (const [sourceId, r] of retention) {
      const ids = streams.filter((s) => s.source_id === sourceId).map((s) => Number(s.id));
      if (ids.length === 0) continue;
      if (r.rawDays !== undefined) {
        const [, n] = (await this.dataSource.query(`DELETE FROM sensor_observation WHERE datastream_id = ANY($1::bigint[]) AND phenomenon_time < $2`, [
          ids, new Date(now.getTime() - r.rawDays * DAY_MS).toISOString(),
        ])) as [unknown, number];
        out.deletedObservations += n;
      }
      for (const [period, days] of [['hour', r.hourlyDays], ['day', r.dailyDays]] as const) {
        if (days === undefined) continue;
        const [, n] = (await this.dataSource.query(`DELETE FROM sensor_aggregate WHERE datastream_id = ANY($1::bigint[]) AND period = $2 AND bucket < $3`, [
          ids, period, new Date(now.getTime() - days * DAY_MS).toISOString(),
        ])) as [unknown, number];
        out.deletedAggregates += n;
      }
    }
    return out;
  }

  /** Drops a month's partition unless one of `keepers` has rows in it; false if kept (or the lock was not to be had). */
  private async drop(month: Month, keepers: number[]): Promise<boolean> {
    const name = partitionName(month);
    try {
      const dropped = await this.dataSource.transaction(async (tx) => {
        await tx.query(`SET LOCAL lock_timeout = '5s'`);
        await tx.query(`SELECT pg_advisory_xact_lock($1)`, [PARTITION_LOCK_KEY]);
        const exists: { r: string | null }[] = await tx.query(`SELECT to_regclass($1) AS r`, [name]);
        if (!exists[0]?.r) return false;
        const kept: { k: boolean }[] = await tx.query(`SELECT EXISTS (SELECT 1 FROM ${name} WHERE datastream_id = ANY($1::bigint[])) AS k`, [keepers]);
        if (kept[0].k) return false;
        await tx.query(`ALTER TABLE sensor_observation DETACH PARTITION ${name}`);
        await tx.query(`DROP TABLE ${name}`);
        return true;
      });
      if (dropped) this.partitions.forget(month);
      return dropped;
    } catch (err) {
      this.log.warn({ err, month }, 'could not drop a sensor observation partition now; the next run tries again');
      return false;
    }
  }
}
