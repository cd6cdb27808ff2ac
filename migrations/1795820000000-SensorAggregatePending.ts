import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The hours whose aggregates are out of date: the observations writer notes every (datastream, hour) a batch touched,
 * and the `sensors.aggregate` job recomputes just those hourly buckets (and the days around them), so aggregation
 * stays incremental without scanning the observations for what changed (they have no index on received_at).
 */
export class SensorAggregatePending1795820000000 implements MigrationInterface {
  name = 'SensorAggregatePending1795820000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sensor_aggregate_pending (
        datastream_id bigint NOT NULL,
        hour timestamptz NOT NULL,
        PRIMARY KEY (datastream_id, hour)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sensor_aggregate_pending`);
  }
}
