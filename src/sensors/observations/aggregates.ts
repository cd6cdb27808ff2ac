import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** The job that brings the hourly and daily aggregates up to date. */
export const AGGREGATE_JOB = 'sensors.aggregate';
/**
 * Days are local days of the platform's users (German municipalities): a daily bucket starts at local midnight and
 * has 23, 24 or 25 hours. Its offsets are whole hours, so a day is exactly a set of hourly buckets.
 */
export const AGGREGATE_DAY_ZONE = 'Europe/Berlin';
/** Pending hours taken per transaction. */
const CHUNK = 20_000;
const AGGREGATE_LOCK_KEY = 0x53414747; // 'SAGG'

export interface AggregateRun {
  hours: number;
  days: number;
}

/**
 * Hourly and daily min/max/avg/sum/count per datastream (sensor_aggregate), kept up to date incrementally: the writer
 * notes each (datastream, hour) a batch touched in sensor_aggregate_pending, and a run recomputes exactly those hours
 * from the observations and the days that hold them from the hours. Only `good` and `suspect` readings with a value
 * count: missing and invalid ones never reach an aggregate. Runs are serialised (an advisory lock), so two of them
 * never compute one day from each other's half-written hours.
 */
@Injectable()
export class AggregateService {
  constructor(private readonly dataSource: DataSource) {}

  /** Works off every pending hour; answers how many hours and days were recomputed. */
  async run(): Promise<AggregateRun> {
    const total: AggregateRun = { hours: 0, days: 0 };
    for (;;) {
      const step = await this.step();
      total.hours += step.hours;
      total.days += step.days;
      if (step.hours < CHUNK) return total;
    }
  }

  private step(): Promise<AggregateRun> {
    return this.dataSource.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock($1)`, [AGGREGATE_LOCK_KEY]);
      await tx.query(`CREATE TEMPORARY TABLE sensor_agg_hours (datastream_id bigint NOT NULL, hour timestamptz NOT NULL) ON COMMIT DROP`);
      await tx.query(
        `WITH taken AS (
           DELETE FROM sensor_aggregate_pending p
            WHERE (p.datastream_id, p.hour) IN (SELECT datastream_id, hour FROM sensor_aggregate_pending ORDER BY datastream_id, hour LIMIT $1 FOR UPDATE SKIP LOCKED)
           RETURNING p.datastream_id, p.hour)
         INSERT INTO pg_temp.sensor_agg_hours SELECT datastream_id, hour FROM taken`,
        [CHUNK],
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
         SELECT DISTINCT datastream_id, date_trunc('day', hour, '${AGGREGATE_DAY_ZONE}') AS day,
                ((date_trunc('day', hour, '${AGGREGATE_DAY_ZONE}') AT TIME ZONE '${AGGREGATE_DAY_ZONE}') + interval '1 day') AT TIME ZONE '${AGGREGATE_DAY_ZONE}' AS next
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
    });
  }
}
