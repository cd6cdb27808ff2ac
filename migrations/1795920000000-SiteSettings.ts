import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Site settings a sysadmin changes at run time (config_option_update: site title, description, about, intro), one
 * row per key. A key without a row has its default (from the environment). No entity: src/site/ reads and writes
 * the few rows with plain SQL in site-setting.repository.ts.
 */
export class SiteSettings1795920000000 implements MigrationInterface {
  name = 'SiteSettings1795920000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE site_setting (
        key text PRIMARY KEY,
        value text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE site_setting`);
  }
}
