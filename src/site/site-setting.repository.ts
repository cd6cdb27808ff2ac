import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** Every query on site_setting (a key-value table without an entity, see its migration). */
@Injectable()
export class SiteSettingRepository {
  async all(db: EntityManager): Promise<Map<string, string>> {
    const rows: { key: string; value: string }[] = await db.query(`SELECT key, value FROM site_setting`);
    return new Map(rows.map((r) => [r.key, r.value]));
  }

  async save(db: EntityManager, values: Record<string, string>): Promise<void> {
    const keys = Object.keys(values);
    if (!keys.length) return;
    await db.query(
      `INSERT INTO site_setting (key, value) SELECT * FROM unnest($1::text[], $2::text[])
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = clock_timestamp()`,
      [keys, keys.map((k) => values[k])],
    );
  }
}
