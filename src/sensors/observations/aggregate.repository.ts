import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

const AGGREGATE_LOCK_KEY = 0x53414747; // 'SAGG'

/**
 * Every query on sensor_aggregate and sensor_aggregate_pending (the writer fills the latter through
 * ObservationRepository.bookkeep), and the retention deletes.
 */
@Injectable()
export class AggregateRepository {
  /**
   * In `tx`: takes up to `limit` pending hours, recomputes their hourly aggregates from the observations and the
   * days holding them (local days in `zone`) from the hourly ones. Serialised by an advisory lock, so two runs never
   * compute one day from each other's half-written hours. Answers how many hours and days were recomputed.
   */
  async recomputePending(tx: EntityManager, limit: number, zone: string): Promise<{ hours: number; days: number }> {
    if (!/^[A-Za-z_]+(\/[A-Za-z_+-]+)*$/.test(zone)) throw new Error(`bad time zone ${zone}`);

    await tx.query(`SELECT pg_advisory_xact_lock($1)`, [AGGREGATE_LOCK_KEY]);
    await tx.query(`CREATE TEMPORARY TABLE sensor_agg_hours (datastream_id bigint NOT NULL, hour timestamptz NOT NULL) ON COMMIT DROP`);
    await tx.query(
      `WITH taken AS (
         DELETE FROM sensor_aggregate_pending p
          WHERE (p.datastream_id, p.hour) IN (SELECT datastream_id, hour FROM sensor_aggregate_pending ORDER BY datastream_id, hour LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING p.datastream_id, p.hour)
       INSERT INTO pg_temp.sensor_agg_hours SELECT datastream_id, hour FROM taken`,
      [limit],
    );
    const [{ n: hours }]: { n: number }[] = await tx.query(`SELECT count(*)::int AS n FROM pg_temp.sensor_agg_hours`);
    if (hours === 0) return { hours: 0, days: 0 };
    await tx.query(`ANALYZE pg_temp.sensor_agg_hours`);
    // An hour whose readings are all missing or invalid now has no aggregate: delete, then insert what there is.
    await tx.query(
      `DELETE FROM sensor_aggregate a USING pg_temp.sensor_agg_hours h
        WHERE a.datastream_id = h.datastream_id AND a.period = 'hour' AND a.bucket = h.hour`,
    );
    await tx.query(
      `INSERT INTO sensor_aggregate (datastream_id, period, bucket, count, min, max, avg, sum)
       SELECT h.datastream_id, 'hour', h.hour, count(o.result), min(o.result), max(o.result), avg(o.result), sum(o.result)
         FROM pg_temp.sensor_agg_hours h
         JOIN sensor_observation o ON o.datastream_id = h.datastream_id AND o.phenomenon_time >= h.hour AND o.phenomenon_time < h.hour + interval '1 hour'
        WHERE o.quality IN ('good', 'suspect') AND o.result IS NOT NULL
          -- a datastream deleted meanwhile has no aggregates (and its pending hours are simply used up)
          AND EXISTS (SELECT 1 FROM sensor_datastream d WHERE d.id = h.datastream_id)
        GROUP BY h.datastream_id, h.hour`,
    );
    await tx.query(
      `CREATE TEMPORARY TABLE sensor_agg_days ON COMMIT DROP AS
       SELECT DISTINCT datastream_id, date_trunc('day', hour, '${zone}') AS day,
              ((date_trunc('day', hour, '${zone}') AT TIME ZONE '${zone}') + interval '1 day') AT TIME ZONE '${zone}' AS next
         FROM pg_temp.sensor_agg_hours`,
    );
    await tx.query(
      `DELETE FROM sensor_aggregate a USING pg_temp.sensor_agg_days d
        WHERE a.datastream_id = d.datastream_id AND a.period = 'day' AND a.bucket = d.day`,
    );
    // A day from its hours: counts and sums add up, the mean is their quotient (not a mean of hourly means).
    await tx.query(
      `INSERT INTO sensor_aggregate (datastream_id, period, bucket, count, min, max, avg, sum)
       SELECT d.datastream_id, 'day', d.day, sum(a.count), min(a.min), max(a.max), sum(a.sum) / nullif(sum(a.count), 0), sum(a.sum)
         FROM pg_temp.sensor_agg_days d
         JOIN sensor_aggregate a ON a.datastream_id = d.datastream_id AND a.period = 'hour' AND a.bucket >= d.day AND a.bucket < d.next
        GROUP BY d.datastream_id, d.day`,
    );
    const [{ n: days }]: { n: number }[] = await tx.query(`SELECT count(*)::int AS n FROM pg_temp.sensor_agg_days`);
    return { hours, days };
  }

  /** Deletes the raw readings of these datastreams before `before`; answers how many. */
  async deleteObservationsBefore(db: EntityManager, datastreamIds: number[], before: Date): Promise<number> {
    const [, n] = (await db.query(`DELETE FROM sensor_observation WHERE datastream_id = ANY($1::bigint[]) AND phenomenon_time < $2`, [
      datastreamIds, before.toISOString(),
    ])) as [unknown, number];
    return n;
  }

  /** Deletes aggregates of one period of these datastreams before `before`; answers how many. */
  async deleteAggregatesBefore(db: EntityManager, datastreamIds: number[], period: 'hour' | 'day', before: Date): Promise<number> {
    const [, n] = (await db.query(`DELETE FROM sensor_aggregate WHERE datastream_id = ANY($1::bigint[]) AND period = $2 AND bucket < $3`, [
      datastreamIds, period, before.toISOString(),
    ])) as [unknown, number];
    return n;
  }

  /** Every source's config, and every datastream with its source (null: a datastream of no source). */
  async retentionScope(db: EntityManager): Promise<{ sources: { id: string; config: unknown }[]; streams: { id: number; sourceId: string | null }[] }> {
    const sources: { id: string; config: unknown }[] = await db.query(`SELECT id, config FROM sensor_source`);
    const streams: { id: number; source_id: string | null }[] = await db.query(`SELECT d.id, t.source_id FROM sensor_datastream d JOIN sensor_thing t ON t.id = d.thing_id`);
    return { sources, streams: streams.map((r) => ({ id: Number(r.id), sourceId: r.source_id })) };
  }
}
