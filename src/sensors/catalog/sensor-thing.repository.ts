import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { preparedQuery } from '../../database/prepared';

/** A Thing with the dataset it is and the dataset's resources of its latest values and aggregates. */
export interface ThingRow {
  id: number;
  package_id: string;
  source_id: string | null;
  source_key: string | null;
  name: string;
  description: string;
  properties: Record<string, unknown> | null;
  latest_resource_id: string | null;
  hourly_resource_id: string | null;
  daily_resource_id: string | null;
}

export interface DatastreamRow {
  id: number;
  thing_id: number;
  sensor_id: number;
  observed_property_id: number;
  resource_id: string | null;
  source_key: string | null;
  name: string;
  description: string;
  unit_of_measurement: Record<string, unknown>;
  quantity: string;
  interval_seconds: number | null;
  properties: Record<string, unknown> | null;
}

/** A Datastream as pages show it (streamsOfPackages). */
export interface StreamSummaryRow {
  id: number;
  package_id: string;
  thing: string;
  name: string;
  quantity: string;
  unit: string | null;
  resource_id: string | null;
  properties: Record<string, unknown> | null;
  latest_time: Date | null;
  latest_result: number | string | null;
  location: unknown;
}

export interface ThingValues {
  name: string;
  description: string;
  properties: Record<string, unknown> | null;
}

export interface DatastreamValues {
  name: string;
  description: string;
  unitOfMeasurement: Record<string, unknown>;
  quantity: string;
  intervalSeconds: number | null;
  properties: Record<string, unknown> | null;
}

const THING_COLUMNS = 'id, package_id, source_id, source_key, name, description, properties, latest_resource_id, hourly_resource_id, daily_resource_id';
const DATASTREAM_COLUMNS = 'id, thing_id, sensor_id, observed_property_id, resource_id, source_key, name, description, unit_of_measurement, quantity, interval_seconds, properties';
const json = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v));

/** A SensorThings id in a view's SQL: our own integer, checked, never text from a client. */
const idLiteral = (id: number): string => {
  if (!Number.isSafeInteger(id) || id < 1) throw new Error(`not a SensorThings id: ${id}`);
  return String(id);
};

/**
 * Every query on the SensorThings entities a sensor dataset is made of (Thing, Location, HistoricalLocation, Sensor,
 * ObservedProperty, Datastream) as the catalog side keeps them, the removal of a Thing's or Datastream's observations,
 * and the SELECTs of the read-only DataStore views over them (handed to DatastoreViews).
 */
@Injectable()
export class SensorThingRepository {
  /** Serializes syncs of one station (or one dataset) until the transaction ends. */
  async lock(db: EntityManager, key: string): Promise<void> {
    await db.query(`SELECT pg_advisory_xact_lock(hashtext('sensor-thing:' || $1))`, [key]);
  }

  async findBySourceKey(db: EntityManager, sourceId: string, key: string): Promise<ThingRow | null> {
    const rows: ThingRow[] = await db.query(`SELECT ${THING_COLUMNS} FROM sensor_thing WHERE source_id = $1 AND source_key = $2`, [sourceId, key]);
    return rows[0] ?? null;
  }

  async findById(db: EntityManager, id: number): Promise<ThingRow | null> {
    const rows: ThingRow[] = await db.query(`SELECT ${THING_COLUMNS} FROM sensor_thing WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  async ofPackages(db: EntityManager, packageIds: string[]): Promise<ThingRow[]> {
    return preparedQuery(db, 'sensor-things-of-datasets', `SELECT ${THING_COLUMNS} FROM sensor_thing WHERE package_id = ANY($1::uuid[])`, [packageIds]);
  }

  async insertThing(db: EntityManager, packageId: string, sourceId: string | null, sourceKey: string | null, v: ThingValues): Promise<number> {
    const rows: { id: number }[] = await db.query(
      `INSERT INTO sensor_thing (package_id, source_id, source_key, name, description, properties) VALUES ($1, $2, $3, $4, $5, $6::jsonb) RETURNING id`,
      [packageId, sourceId, sourceKey, v.name, v.description, json(v.properties)],
    );
    return rows[0].id;
  }

  async updateThing(db: EntityManager, id: number, v: ThingValues): Promise<void> {
    await db.query(`UPDATE sensor_thing SET name = $2, description = $3, properties = $4::jsonb WHERE id = $1`, [id, v.name, v.description, json(v.properties)]);
  }

  async setThingResources(db: EntityManager, id: number, r: { latest: string | null; hourly: string | null; daily: string | null }): Promise<void> {
    await db.query(`UPDATE sensor_thing SET latest_resource_id = $2, hourly_resource_id = $3, daily_resource_id = $4 WHERE id = $1`, [id, r.latest, r.hourly, r.daily]);
  }

  /** The Thing's current Location (GeoJSON), if it has one. */
  async currentLocation(db: EntityManager, thingId: number): Promise<{ id: number; location: unknown } | null> {
    const rows: { id: number; location: unknown }[] = await db.query(
      `SELECT l.id, l.location FROM sensor_location l JOIN sensor_thing_location tl ON tl.location_id = l.id WHERE tl.thing_id = $1 ORDER BY l.id DESC LIMIT 1`,
      [thingId],
    );
    return rows[0] ?? null;
  }

  /**
   * The Thing moves to a new Location (SensorThings: a Thing's Locations are replaced, and a HistoricalLocation at
   * this time records where it was from now on); the old Location stays, linked from the history.
   */
  async moveTo(db: EntityManager, thingId: number, loc: { name: string; description: string; location: unknown }): Promise<number> {
    const [{ id }]: { id: number }[] = await db.query(
      `INSERT INTO sensor_location (name, description, encoding_type, location) VALUES ($1, $2, 'application/geo+json', $3::jsonb) RETURNING id`,
      [loc.name, loc.description, JSON.stringify(loc.location)],
    );
    await db.query(`DELETE FROM sensor_thing_location WHERE thing_id = $1`, [thingId]);
    await db.query(`INSERT INTO sensor_thing_location (thing_id, location_id) VALUES ($1, $2)`, [thingId, id]);
    const [h]: { id: number }[] = await db.query(`INSERT INTO sensor_historical_location (thing_id, time) VALUES ($1, now()) RETURNING id`, [thingId]);
    await db.query(`INSERT INTO sensor_historical_location_location (historical_location_id, location_id) VALUES ($1, $2)`, [h.id, id]);
    return id;
  }

  async datastreams(db: EntityManager, thingId: number): Promise<DatastreamRow[]> {
    return db.query(`SELECT ${DATASTREAM_COLUMNS} FROM sensor_datastream WHERE thing_id = $1 ORDER BY id`, [thingId]);
  }

  async datastreamsOfThings(db: EntityManager, thingIds: number[]): Promise<DatastreamRow[]> {
    return db.query(`SELECT ${DATASTREAM_COLUMNS} FROM sensor_datastream WHERE thing_id = ANY($1::bigint[]) ORDER BY id`, [thingIds]);
  }

  /**
   * The Datastreams of the datasets' Things with what a page shows of them: unit symbol, properties (characteristic
   * values), the latest observation and the Thing's current Location.
   */
  async streamsOfPackages(db: EntityManager, packageIds: string[]): Promise<StreamSummaryRow[]> {
    return db.query(
      `SELECT d.id::int AS id, t.package_id, t.name AS thing, d.name, d.quantity, d.unit_of_measurement ->> 'symbol' AS unit, d.resource_id, d.properties,
          l.phenomenon_time AS latest_time, l.result AS latest_result,
          (SELECT loc.location FROM sensor_location loc JOIN sensor_thing_location tl ON tl.location_id = loc.id WHERE tl.thing_id = t.id ORDER BY loc.id DESC LIMIT 1) AS location
        FROM sensor_datastream d JOIN sensor_thing t ON t.id = d.thing_id LEFT JOIN sensor_latest l ON l.datastream_id = d.id
        WHERE t.package_id = ANY($1::uuid[]) ORDER BY t.package_id, d.id`,
      [packageIds],
    );
  }

  /** An ObservedProperty by its definition and name, made when missing (one per quantity, shared by every Datastream of it). */
  async observedProperty(db: EntityManager, p: { name: string; definition: string; description: string }): Promise<number> {
    const found: { id: number }[] = await db.query(`SELECT id FROM sensor_observed_property WHERE definition = $1 AND name = $2 ORDER BY id LIMIT 1`, [p.definition, p.name]);
    if (found[0]) return found[0].id;
    const [row]: { id: number }[] = await db.query(
      `INSERT INTO sensor_observed_property (name, definition, description) VALUES ($1, $2, $3) RETURNING id`,
      [p.name, p.definition, p.description],
    );
    return row.id;
  }

  async insertSensor(db: EntityManager, s: { name: string; description: string; metadata: string; properties: Record<string, unknown> | null }): Promise<number> {
    const [row]: { id: number }[] = await db.query(
      `INSERT INTO sensor_sensor (name, description, encoding_type, metadata, properties) VALUES ($1, $2, 'text/plain', $3, $4::jsonb) RETURNING id`,
      [s.name, s.description, s.metadata, json(s.properties)],
    );
    return row.id;
  }

  async updateSensor(db: EntityManager, id: number, s: { name: string; description: string }): Promise<void> {
    await db.query(`UPDATE sensor_sensor SET name = $2, description = $3 WHERE id = $1`, [id, s.name, s.description]);
  }

  async insertDatastream(
    db: EntityManager, d: DatastreamValues & { thingId: number; sensorId: number; observedPropertyId: number; resourceId: string; sourceKey: string | null },
  ): Promise<number> {
    const [row]: { id: number }[] = await db.query(
      `INSERT INTO sensor_datastream (thing_id, sensor_id, observed_property_id, resource_id, source_key, name, description, unit_of_measurement, quantity, interval_seconds, properties)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11::jsonb) RETURNING id`,
      [d.thingId, d.sensorId, d.observedPropertyId, d.resourceId, d.sourceKey, d.name, d.description, JSON.stringify(d.unitOfMeasurement), d.quantity, d.intervalSeconds, json(d.properties)],
    );
    return row.id;
  }

  async updateDatastream(db: EntityManager, id: number, observedPropertyId: number, d: DatastreamValues): Promise<void> {
    await db.query(
      `UPDATE sensor_datastream SET observed_property_id = $2, name = $3, description = $4, unit_of_measurement = $5::jsonb, quantity = $6, interval_seconds = $7, properties = $8::jsonb
        WHERE id = $1`,
      [id, observedPropertyId, d.name, d.description, JSON.stringify(d.unitOfMeasurement), d.quantity, d.intervalSeconds, json(d.properties)],
    );
  }

  async setDatastreamResource(db: EntityManager, id: number, resourceId: string): Promise<void> {
    await db.query(`UPDATE sensor_datastream SET resource_id = $2 WHERE id = $1`, [id, resourceId]);
  }

  /** Datastreams with everything of theirs: observations, their revisions, latest and aggregates (cascade). */
  async deleteDatastreams(db: EntityManager, ids: number[]): Promise<void> {
    if (!ids.length) return;
    // sensor_observation is partitioned and has no foreign key: its rows go explicitly (each partition by its primary key).
    await db.query(`DELETE FROM sensor_observation WHERE datastream_id = ANY($1::bigint[])`, [ids]);
    await db.query(`DELETE FROM sensor_observation_revision WHERE datastream_id = ANY($1::bigint[])`, [ids]);
    // Their Sensors stay: a Sensor is an entity of its own in SensorThings (ets-sta10's checkDeleteIntegrityConstraint:
    // deleting a Datastream removes it and its Observations and keeps the rest). An earlier clean-up of unused Sensors
    // here never ran (TypeORM answered its DELETE … RETURNING with [rows, count]) and would have broken that rule.
    await db.query(`DELETE FROM sensor_datastream WHERE id = ANY($1::bigint[])`, [ids]);
  }

  /**
   * A Thing with its Datastreams (as deleteDatastreams), its history, and (for a source's station) the Locations no
   * other Thing or history uses. A Thing made through SensorThings leaves its Locations: they are entities of their
   * own there, which a delete of the Thing does not take along (18-088 §10.4, the conformance suite's delete check).
   */
  async deleteThing(db: EntityManager, id: number): Promise<void> {
    await this.deleteDatastreams(db, (await this.datastreams(db, id)).map((d) => d.id));
    const locations: { location_id: number }[] = await db.query(
      `SELECT location_id FROM sensor_thing_location tl WHERE thing_id = $1 AND EXISTS (SELECT 1 FROM sensor_thing t WHERE t.id = $1 AND t.source_id IS NOT NULL)
       UNION SELECT hll.location_id FROM sensor_historical_location_location hll JOIN sensor_historical_location h ON h.id = hll.historical_location_id
        WHERE h.thing_id = $1 AND EXISTS (SELECT 1 FROM sensor_thing t WHERE t.id = $1 AND t.source_id IS NOT NULL)`,
      [id],
    );
    await db.query(`DELETE FROM sensor_thing WHERE id = $1`, [id]);
    await db.query(
      `DELETE FROM sensor_location l WHERE l.id = ANY($1::bigint[])
          AND NOT EXISTS (SELECT 1 FROM sensor_thing_location tl WHERE tl.location_id = l.id)
          AND NOT EXISTS (SELECT 1 FROM sensor_historical_location_location hl WHERE hl.location_id = l.id)`,
      [locations.map((l) => l.location_id)],
    );
  }

  /**
   * When a dataset's observations begin (ISO 8601, UTC): the earliest phenomenon time over its Thing's Datastreams, null while it has
   * none (or is no sensor dataset). Each Datastream's first is one step into the primary key (datastream_id,
   * phenomenon_time) of each partition, so the cost grows with the Datastreams, not with the observations.
   */
  async firstObservationAt(db: EntityManager, packageId: string): Promise<string | null> {
    const [row]: { first: string | null }[] = await db.query(
      `SELECT to_char(min(f.phenomenon_time) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS first
         FROM sensor_thing th
         JOIN sensor_datastream d ON d.thing_id = th.id
         CROSS JOIN LATERAL (SELECT o.phenomenon_time FROM sensor_observation o WHERE o.datastream_id = d.id ORDER BY o.phenomenon_time LIMIT 1) f
        WHERE th.package_id = $1`,
      [packageId],
    );
    // ISO 8601 in UTC with as many fractional digits as there are (none for a whole second).
    return row?.first ? `${row.first.replace(/\.?0+$/, '')}Z` : null;
  }

  /** Counts for tests and status: rows of a Thing's history. */
  async historyCount(db: EntityManager, thingId: number): Promise<number> {
    const [row]: { n: number }[] = await db.query(`SELECT count(*)::int AS n FROM sensor_historical_location WHERE thing_id = $1`, [thingId]);
    return row.n;
  }

  // -------------------------------------------------------------------------------------------
  // The SELECTs of the DataStore views. `_full_text` is built in the `simple` configuration (DatastoreViews' default).

  /**
   * One datastream's observations: CKAN's `_id` is the Observation's id. `result` is a number; a result that is none
   * (a SensorThings client's text, truth value or object) is `result_json`, also found by `q`. New columns go at the
   * end: existing views are replaced in place (CREATE OR REPLACE VIEW keeps their columns and comments), and a
   * migration brings the views made before to this form (1795880000000-SensorViewsResultJson).
   */
  observationsView(datastreamId: number): string {
    return `SELECT o.id AS _id,
        to_tsvector('simple', o.quality || coalesce(' ' || o.quality_reason, '') || coalesce(' ' || (o.result_json #>> '{}'), '')) AS _full_text,
        o.phenomenon_time, o.phenomenon_time_end, o.result, o.quality, o.quality_reason, o.received_at, o.result_json
      FROM public.sensor_observation o WHERE o.datastream_id = ${idLiteral(datastreamId)}`;
  }

  /**
   * A Thing's latest values: one row per datastream (`_id` the Datastream's id), also while it has no reading yet;
   * `result_json` as in observationsView.
   */
  latestView(thingId: number): string {
    return `SELECT d.id AS _id,
        to_tsvector('simple', d.name || ' ' || coalesce(d.source_key, '') || ' ' || coalesce(l.quality, '') || coalesce(' ' || (l.result_json #>> '{}'), '')) AS _full_text,
        d.source_key AS stream, d.name AS datastream, d.quantity, d.unit_of_measurement ->> 'symbol' AS unit,
        l.phenomenon_time, l.phenomenon_time_end, l.result, l.quality, l.received_at, l.result_json
      FROM public.sensor_datastream d LEFT JOIN public.sensor_latest l ON l.datastream_id = d.id WHERE d.thing_id = ${idLiteral(thingId)}`;
  }

  /** A Thing's hourly or daily aggregates over all its datastreams. */
  aggregateView(thingId: number, period: 'hour' | 'day'): string {
    return `SELECT a.id AS _id,
        to_tsvector('simple', d.name || ' ' || coalesce(d.source_key, '')) AS _full_text,
        d.source_key AS stream, d.name AS datastream, d.unit_of_measurement ->> 'symbol' AS unit,
        a.bucket AS period_start, a.count, a.min, a.max, a.avg, a.sum, a.computed_at
      FROM public.sensor_aggregate a JOIN public.sensor_datastream d ON d.id = a.datastream_id
      WHERE d.thing_id = ${idLiteral(thingId)} AND a.period = '${period === 'day' ? 'day' : 'hour'}'`;
  }
}
