import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AggregateRepository } from './aggregate.repository';
import { AggregateService } from './aggregates';
import { monthBounds, PartitionManager, type Month } from './partitions';

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
    private readonly repo: AggregateRepository,
  ) {}

  async run(now = new Date()): Promise<RetentionRun> {
    await this.aggregates.run();
    const out: RetentionRun = { droppedPartitions: [], deletedObservations: 0, deletedAggregates: 0 };
    const db = this.dataSource.manager;
    const { sources, streams } = await this.repo.retentionScope(db);
    const retention = new Map(sources.map((s) => [s.id, parseRetention(s.config)]));
    const rawCutoff = (sourceId: string | null): number => {
      const days = sourceId ? retention.get(sourceId)?.rawDays : undefined;
      return days === undefined ? -Infinity : now.getTime() - days * DAY_MS;
    };
    const ago = (days: number): Date => new Date(now.getTime() - days * DAY_MS);

    // Whole partitions first: dropped when no datastream with rows there keeps that month.
    const limited = [...retention.values()].map((r) => r.rawDays).filter((d): d is number => d !== undefined);
    if (limited.length > 0) {
      const latestCutoff = ago(Math.min(...limited)).getTime();
      for (const month of await this.partitions.list()) {
        const { to } = monthBounds(month);
        if (to.getTime() > latestCutoff) continue;
        // A datastream keeps rows in this month if its cutoff is before the month's end (no limit: -Infinity).
        const keepers = streams.filter((s) => rawCutoff(s.sourceId) < to.getTime()).map((s) => s.id);
        if (await this.partitions.dropUnlessHeld(month, keepers)) out.droppedPartitions.push(month);
      }
    }

    // Then row by row, per source with limits.
    for (const [sourceId, r] of retention) {
      const ids = streams.filter((s) => s.sourceId === sourceId).map((s) => s.id);
      if (ids.length === 0) continue;
      if (r.rawDays !== undefined) out.deletedObservations += await this.repo.deleteObservationsBefore(db, ids, ago(r.rawDays));
      if (r.hourlyDays !== undefined) out.deletedAggregates += await this.repo.deleteAggregatesBefore(db, ids, 'hour', ago(r.hourlyDays));
      if (r.dailyDays !== undefined) out.deletedAggregates += await this.repo.deleteAggregatesBefore(db, ids, 'day', ago(r.dailyDays));
    }
    return out;
  }
}
