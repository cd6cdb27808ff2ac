import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `sensor_source.last_warnings`: what the last successful run (or MQTT message) skipped, apart from `last_error`, which
 * is now only a failure's. Until now a run with warnings showed them as `last_error` with `code: "warnings"`; those move.
 */
export class SensorSourceWarnings1795870000000 implements MigrationInterface {
  name = 'SensorSourceWarnings1795870000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sensor_source ADD COLUMN last_warnings jsonb`);
    await q.query(`UPDATE sensor_source SET last_warnings = last_error - 'code', last_error = NULL WHERE last_error ->> 'code' = 'warnings'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE sensor_source SET last_error = last_warnings || '{"code": "warnings"}'::jsonb WHERE last_error IS NULL AND jsonb_typeof(last_warnings) = 'object'`);
    await q.query(`ALTER TABLE sensor_source DROP COLUMN last_warnings`);
  }
}
