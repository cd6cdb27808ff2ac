import { escapeIdentifier, escapeLiteral } from 'pg';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The read-only DataStore views of sensor data get `result_json`: an Observation whose result is no number (a
 * SensorThings client may post text, a truth value or an object) was stored, but datastore_search and /datastore/dump
 * showed only its empty `result`. The views of every datastream resource and every latest-values resource are replaced
 * with the column at the end (CREATE OR REPLACE VIEW keeps the columns they have, their comments and grants), and the
 * value also goes into `_full_text`, so `q` finds it.
 *
 * Frozen copies of the SELECTs in src/sensors/catalog/sensor-thing.repository.ts (observationsView, latestView) as
 * they are at this migration: the application's may change later, this migration may not.
 */

const OBSERVATIONS_BEFORE = (datastreamId: string): string => `SELECT o.id AS _id,
        to_tsvector('simple', o.quality || coalesce(' ' || o.quality_reason, '')) AS _full_text,
        o.phenomenon_time, o.phenomenon_time_end, o.result, o.quality, o.quality_reason, o.received_at
      FROM public.sensor_observation o WHERE o.datastream_id = ${datastreamId}`;

const OBSERVATIONS_AFTER = (datastreamId: string): string => `SELECT o.id AS _id,
        to_tsvector('simple', o.quality || coalesce(' ' || o.quality_reason, '') || coalesce(' ' || (o.result_json #>> '{}'), '')) AS _full_text,
        o.phenomenon_time, o.phenomenon_time_end, o.result, o.quality, o.quality_reason, o.received_at, o.result_json
      FROM public.sensor_observation o WHERE o.datastream_id = ${datastreamId}`;

const LATEST_BEFORE = (thingId: string): string => `SELECT d.id AS _id,
        to_tsvector('simple', d.name || ' ' || coalesce(d.source_key, '') || ' ' || coalesce(l.quality, '')) AS _full_text,
        d.source_key AS stream, d.name AS datastream, d.quantity, d.unit_of_measurement ->> 'symbol' AS unit,
        l.phenomenon_time, l.phenomenon_time_end, l.result, l.quality, l.received_at
      FROM public.sensor_datastream d LEFT JOIN public.sensor_latest l ON l.datastream_id = d.id WHERE d.thing_id = ${thingId}`;

const LATEST_AFTER = (thingId: string): string => `SELECT d.id AS _id,
        to_tsvector('simple', d.name || ' ' || coalesce(d.source_key, '') || ' ' || coalesce(l.quality, '') || coalesce(' ' || (l.result_json #>> '{}'), '')) AS _full_text,
        d.source_key AS stream, d.name AS datastream, d.quantity, d.unit_of_measurement ->> 'symbol' AS unit,
        l.phenomenon_time, l.phenomenon_time_end, l.result, l.quality, l.received_at, l.result_json
      FROM public.sensor_datastream d LEFT JOIN public.sensor_latest l ON l.datastream_id = d.id WHERE d.thing_id = ${thingId}`;

/** The data dictionary entry of a datastream view's result_json, as the catalog writes it (`_info` in the comment). */
const RESULT_JSON_COMMENT = ` ${JSON.stringify({ _info: { label: 'Wert (kein Zahlenwert)', notes: 'Ergebnis, das keine Zahl ist (Text, Wahrheitswert oder Objekt), als JSON; leer, wenn result eine Zahl ist' } })}`;

interface SensorView {
  resource_id: string;
  /** The datastream's or the Thing's id, as PostgreSQL prints the bigint. */
  owner_id: string;
  kind: 'observations' | 'latest';
}

export class SensorViewsResultJson1795880000000 implements MigrationInterface {
  name = 'SensorViewsResultJson1795880000000';

  async up(q: QueryRunner): Promise<void> {
    for (const v of await this.views(q)) {
      const table = `datastore.${escapeIdentifier(v.resource_id)}`;
      await q.query(`CREATE OR REPLACE VIEW ${table} AS ${v.kind === 'latest' ? LATEST_AFTER(v.owner_id) : OBSERVATIONS_AFTER(v.owner_id)}`);
      if (v.kind === 'observations') await q.query(`COMMENT ON COLUMN ${table}.result_json IS ${escapeLiteral(RESULT_JSON_COMMENT)}`);
    }
  }

  /** A view cannot lose a column in place: each is made anew from the earlier SELECT, its other columns' comments kept. */
  async down(q: QueryRunner): Promise<void> {
    for (const v of await this.views(q)) {
      const table = `datastore.${escapeIdentifier(v.resource_id)}`;
      const comments: { column: string; comment: string }[] = await q.query(
        `SELECT a.attname AS column, d.description AS comment FROM pg_attribute a JOIN pg_description d ON d.objoid = a.attrelid AND d.objsubid = a.attnum
          WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped AND a.attname <> 'result_json'`,
        [table],
      );
      await q.query(`DROP VIEW ${table}`);
      await q.query(`CREATE VIEW ${table} AS ${v.kind === 'latest' ? LATEST_BEFORE(v.owner_id) : OBSERVATIONS_BEFORE(v.owner_id)}`);
      for (const c of comments) await q.query(`COMMENT ON COLUMN ${table}.${escapeIdentifier(c.column)} IS ${escapeLiteral(c.comment)}`);
    }
  }

  /** The read-only views of datastream and latest-values resources that exist. */
  private async views(q: QueryRunner): Promise<SensorView[]> {
    const rows: SensorView[] = await q.query(`
      SELECT v.resource_id::text AS resource_id, v.owner_id::text AS owner_id, v.kind FROM (
        SELECT d.resource_id, d.id AS owner_id, 'observations' AS kind FROM sensor_datastream d WHERE d.resource_id IS NOT NULL
        UNION ALL
        SELECT th.latest_resource_id, th.id, 'latest' FROM sensor_thing th WHERE th.latest_resource_id IS NOT NULL
      ) v
      JOIN datastore_table t ON t.resource_id = v.resource_id AND t.read_only
      JOIN pg_class c ON c.oid = to_regclass(format('datastore.%I', v.resource_id::text)) AND c.relkind = 'v'
      ORDER BY v.kind, v.owner_id`);
    // The ids go into the views' SQL as literals (a view has no parameters): digits only, as a bigint prints.
    for (const r of rows) if (!/^[0-9]+$/.test(r.owner_id)) throw new Error(`unexpected id ${r.owner_id} of view ${r.resource_id}`);
    return rows;
  }
}
