import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

type Json = Record<string, unknown>;
const json = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v));

/** A Datastream as a SensorThings write needs it: its Thing, the Thing's dataset, and its resource. */
export interface DatastreamOwner {
  id: number;
  thing_id: number;
  package_id: string;
  resource_id: string | null;
  source_key: string | null;
}

/** A stored Observation, as PATCH/PUT read it back. */
export interface ObservationRow {
  id: number;
  datastream_id: number;
  phenomenon_time: Date;
  phenomenon_time_end: Date | null;
  result: number | null;
  result_json: unknown;
  result_time: Date | null;
  quality: string;
  parameters: Json | null;
  feature_of_interest_id: number | null;
}

/**
 * Common table expressions over `d(thing_id, ...)`: `loc`, each Thing's current Location, and `f`, the oldest
 * FeatureOfInterest made from each (same name and feature), as featureFromThingLocation finds them one by one.
 */
const LOCATION_FEATURES = `
  loc AS (
    SELECT DISTINCT ON (tl.thing_id) tl.thing_id, l.name, l.description, l.encoding_type, l.location
      FROM sensor_thing_location tl JOIN sensor_location l ON l.id = tl.location_id
     WHERE tl.thing_id IN (SELECT thing_id FROM d)
     ORDER BY tl.thing_id, l.id DESC),
  f AS (
    SELECT f.name, f.feature, min(f.id) AS id FROM sensor_feature_of_interest f
     WHERE f.name IN (SELECT name FROM loc) GROUP BY f.name, f.feature)`;

/** A Thing's current Location and the FeatureOfInterest made from it (foi null: none yet; name null: no Location). */
interface LocationFeatureRow {
  thing_id: number | string;
  name: string | null;
  description: string;
  encoding_type: string;
  location: unknown;
  foi: string | null;
}

/** Entity types a write may change as rows of their own (the rest go through the catalog and the observations writer). */
export type PlainType = 'Sensor' | 'ObservedProperty' | 'FeatureOfInterest' | 'Location';
const PLAIN: Record<PlainType, { table: string; columns: Record<string, { col: string; json?: boolean }> }> = {
  Sensor: { table: 'sensor_sensor', columns: { name: { col: 'name' }, description: { col: 'description' }, encodingType: { col: 'encoding_type' }, metadata: { col: 'metadata' }, properties: { col: 'properties', json: true } } },
  ObservedProperty: { table: 'sensor_observed_property', columns: { name: { col: 'name' }, description: { col: 'description' }, definition: { col: 'definition' }, properties: { col: 'properties', json: true } } },
  FeatureOfInterest: { table: 'sensor_feature_of_interest', columns: { name: { col: 'name' }, description: { col: 'description' }, encodingType: { col: 'encoding_type' }, feature: { col: 'feature', json: true }, properties: { col: 'properties', json: true } } },
  Location: { table: 'sensor_location', columns: { name: { col: 'name' }, description: { col: 'description' }, encodingType: { col: 'encoding_type' }, location: { col: 'location', json: true }, properties: { col: 'properties', json: true } } },
};

/**
 * The queries of SensorThings writes that neither the catalog (Things, Datastreams and their datasets) nor the
 * observations writer make: who owns an entity (for the edit check), the entities without a dataset of their own
 * (Sensors, ObservedProperties, FeaturesOfInterest, Locations), and reading an Observation back.
 */
@Injectable()
export class StaWriteRepository {
  async thingPackage(db: EntityManager, thingId: number): Promise<string | null> {
    const rows: { package_id: string }[] = await db.query(`SELECT package_id FROM sensor_thing WHERE id = $1`, [thingId]);
    return rows[0]?.package_id ?? null;
  }

  /** Several Datastreams with their Things, by id (those that exist). */
  async datastreams(db: EntityManager, ids: readonly number[]): Promise<Map<number, DatastreamOwner>> {
    const rows: DatastreamOwner[] = await db.query(
      `SELECT d.id::int AS id, d.thing_id::int AS thing_id, t.package_id, d.resource_id, d.source_key FROM sensor_datastream d JOIN sensor_thing t ON t.id = d.thing_id WHERE d.id = ANY($1::bigint[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  async datastream(db: EntityManager, id: number): Promise<DatastreamOwner | null> {
    const rows: DatastreamOwner[] = await db.query(
      `SELECT d.id::int AS id, d.thing_id::int AS thing_id, t.package_id, d.resource_id, d.source_key FROM sensor_datastream d JOIN sensor_thing t ON t.id = d.thing_id WHERE d.id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /**
   * What storing Observations of several Datastreams needs, in one query: the Datastreams that exist, with their
   * Things, and the default FeatureOfInterest of each of those Things (as featuresFromThingLocations, made where
   * missing). Each Datastream comes with the version of the rows its observations writer settings come from (the
   * Datastream's, its Thing's and its source's): equal versions, equal settings, so a writer may keep them between
   * transactions, and between instances of the service.
   */
  async observationTargets(db: EntityManager, ids: readonly number[]): Promise<{ datastreams: Map<number, DatastreamOwner & { version: string }>; features: Map<number, number | null>; latest: Map<number, number> }> {
    const rows: (DatastreamOwner & { version: string; latest_ms: string | null } & LocationFeatureRow)[] = await db.query(
      `WITH d AS (
         SELECT d.id::int AS id, d.thing_id::int AS thing_id, t.package_id, d.resource_id, d.source_key,
                concat_ws(':', d.xmin, d.ctid, t.xmin, t.ctid, s.xmin, s.ctid) AS version,
                (SELECT (extract(epoch FROM l.phenomenon_time) * 1000)::bigint FROM sensor_latest l WHERE l.datastream_id = d.id) AS latest_ms
           FROM sensor_datastream d JOIN sensor_thing t ON t.id = d.thing_id LEFT JOIN sensor_source s ON s.id = t.source_id
          WHERE d.id = ANY($1::bigint[])),
       ${LOCATION_FEATURES}
       SELECT d.*, loc.name, f.id AS foi,
              CASE WHEN f.id IS NULL THEN loc.description END AS description, CASE WHEN f.id IS NULL THEN loc.encoding_type END AS encoding_type,
              CASE WHEN f.id IS NULL THEN loc.location END AS location
         FROM d LEFT JOIN loc ON loc.thing_id = d.thing_id LEFT JOIN f ON f.name = loc.name AND f.feature = loc.location`,
      [ids],
    );
    const datastreams = new Map<number, DatastreamOwner & { version: string }>();
    const latest = new Map<number, number>();
    for (const r of rows) {
      datastreams.set(r.id, { id: r.id, thing_id: r.thing_id, package_id: r.package_id, resource_id: r.resource_id, source_key: r.source_key, version: r.version });
      if (r.latest_ms !== null) latest.set(r.id, Number(r.latest_ms));
    }
    return { datastreams, features: await this.featuresOf(db, rows), latest };
  }

  /** Whether an Observation is stored at this key (Datastream and phenomenonTime). */
  async observationAt(db: EntityManager, datastreamId: number, time: Date): Promise<boolean> {
    const rows: unknown[] = await db.query(`SELECT 1 FROM sensor_observation WHERE datastream_id = $1 AND phenomenon_time = $2`, [datastreamId, time]);
    return rows.length > 0;
  }

  /**
   * Gives the Observation stored as `from` the id `to` (one just removed), and the latest value with it: an
   * Observation moved to another phenomenonTime keeps its @iot.id, as an entity does when PATCHed.
   */
  async renumberObservation(db: EntityManager, from: number, to: number): Promise<void> {
    await db.query(`UPDATE sensor_observation SET id = $2 WHERE id = $1`, [from, to]);
    await db.query(`UPDATE sensor_latest SET observation_id = $2 WHERE observation_id = $1`, [from, to]);
  }

  async observation(db: EntityManager, id: number): Promise<ObservationRow | null> {
    const rows: ObservationRow[] = await db.query(
      `SELECT id::int AS id, datastream_id::int AS datastream_id, phenomenon_time, phenomenon_time_end, result, result_json, result_time, quality, parameters, feature_of_interest_id::int AS feature_of_interest_id
         FROM sensor_observation WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** The Things an entity belongs to (whose datasets decide who may change it). */
  async thingsUsing(db: EntityManager, type: PlainType | 'HistoricalLocation', id: number): Promise<number[]> {
    const sql: Record<PlainType | 'HistoricalLocation', string> = {
      Sensor: `SELECT DISTINCT thing_id AS id FROM sensor_datastream WHERE sensor_id = $1`,
      ObservedProperty: `SELECT DISTINCT thing_id AS id FROM sensor_datastream WHERE observed_property_id = $1`,
      FeatureOfInterest: `SELECT DISTINCT d.thing_id AS id FROM sensor_observation o JOIN sensor_datastream d ON d.id = o.datastream_id WHERE o.feature_of_interest_id = $1`,
      Location: `SELECT thing_id AS id FROM sensor_thing_location WHERE location_id = $1
                 UNION SELECT h.thing_id FROM sensor_historical_location_location hl JOIN sensor_historical_location h ON h.id = hl.historical_location_id WHERE hl.location_id = $1`,
      HistoricalLocation: `SELECT thing_id AS id FROM sensor_historical_location WHERE id = $1`,
    };
    const rows: { id: string }[] = await db.query(sql[type], [id]);
    return rows.map((r) => Number(r.id));
  }

  async exists(db: EntityManager, type: PlainType | 'HistoricalLocation', id: number): Promise<boolean> {
    const table = type === 'HistoricalLocation' ? 'sensor_historical_location' : PLAIN[type].table;
    const rows: unknown[] = await db.query(`SELECT 1 FROM ${table} WHERE id = $1`, [id]);
    return rows.length > 0;
  }

  async insertPlain(db: EntityManager, type: PlainType, values: Json): Promise<number> {
    const def = PLAIN[type];
    const cols = Object.keys(values).filter((k) => def.columns[k]);
    const rows: { id: string }[] = await db.query(
      `INSERT INTO ${def.table} (${cols.map((k) => def.columns[k].col).join(', ')}) VALUES (${cols.map((k, i) => `$${i + 1}${def.columns[k].json ? '::jsonb' : ''}`).join(', ')}) RETURNING id`,
      cols.map((k) => (def.columns[k].json ? json(values[k]) : values[k])),
    );
    return Number(rows[0].id);
  }

  async updatePlain(db: EntityManager, type: PlainType, id: number, values: Json): Promise<void> {
    const def = PLAIN[type];
    const cols = Object.keys(values).filter((k) => def.columns[k]);
    if (!cols.length) return;
    await db.query(
      `UPDATE ${def.table} SET ${cols.map((k, i) => `${def.columns[k].col} = $${i + 2}${def.columns[k].json ? '::jsonb' : ''}`).join(', ')} WHERE id = $1`,
      [id, ...cols.map((k) => (def.columns[k].json ? json(values[k]) : values[k]))],
    );
  }

  /**
   * Deletes a Sensor, ObservedProperty, FeatureOfInterest or Location. OGC 18-088 §10.4: deleting a Sensor or
   * ObservedProperty deletes its Datastreams (done by the caller through the catalog first, so nothing uses it here);
   * a FeatureOfInterest's Observations go with it; a Location leaves its Things and histories.
   */
  async deletePlain(db: EntityManager, type: PlainType, id: number): Promise<void> {
    if (type === 'FeatureOfInterest') await db.query(`DELETE FROM sensor_observation WHERE feature_of_interest_id = $1`, [id]);
    // A HistoricalLocation left without any Location records nothing: it goes with the Location (18-088 §10.4, the
    // conformance suite's delete check, FROST).
    if (type === 'Location') {
      await db.query(
        `WITH gone AS (DELETE FROM sensor_historical_location_location WHERE location_id = $1 RETURNING historical_location_id)
         DELETE FROM sensor_historical_location h USING gone WHERE h.id = gone.historical_location_id
           AND NOT EXISTS (SELECT 1 FROM sensor_historical_location_location x WHERE x.historical_location_id = h.id AND x.location_id <> $1)`,
        [id],
      );
    }
    await db.query(`DELETE FROM ${PLAIN[type].table} WHERE id = $1`, [id]);
  }

  async datastreamsUsing(db: EntityManager, type: 'Sensor' | 'ObservedProperty', id: number): Promise<number[]> {
    const rows: { id: string }[] = await db.query(`SELECT id FROM sensor_datastream WHERE ${type === 'Sensor' ? 'sensor_id' : 'observed_property_id'} = $1`, [id]);
    return rows.map((r) => Number(r.id));
  }

  /** A Location as a GeoJSON value and name, for a Thing's move or an Observation's default FeatureOfInterest. */
  async location(db: EntityManager, id: number): Promise<{ id: number; name: string; description: string; encoding_type: string; location: unknown } | null> {
    const rows: { id: string; name: string; description: string; encoding_type: string; location: unknown }[] = await db.query(
      `SELECT id, name, description, encoding_type, location FROM sensor_location WHERE id = $1`,
      [id],
    );
    return rows[0] ? { ...rows[0], id: Number(rows[0].id) } : null;
  }

  /**
   * The FeatureOfInterest made from a Thing's current Location (18-088 §10.2: an Observation without one gets its
   * Thing's Location), made once and reused while the Location stays, as FROST does. null: the Thing has no Location.
   */
  async featureFromThingLocation(db: EntityManager, thingId: number, made?: (id: number) => void): Promise<number | null> {
    const rows: { id: string; name: string; description: string; encoding_type: string; location: unknown }[] = await db.query(
      `SELECT l.id, l.name, l.description, l.encoding_type, l.location FROM sensor_location l JOIN sensor_thing_location tl ON tl.location_id = l.id
        WHERE tl.thing_id = $1 ORDER BY l.id DESC LIMIT 1`,
      [thingId],
    );
    const loc = rows[0];
    if (!loc) return null;
    const found: { id: string }[] = await db.query(
      `SELECT id FROM sensor_feature_of_interest WHERE name = $1 AND feature = $2::jsonb ORDER BY id LIMIT 1`,
      [loc.name, JSON.stringify(loc.location)],
    );
    if (found[0]) return Number(found[0].id);
    const id = await this.insertPlain(db, 'FeatureOfInterest', { name: loc.name, description: loc.description, encodingType: loc.encoding_type, feature: loc.location });
    made?.(id);
    return id;
  }

  /** A Thing's HistoricalLocations, oldest first. */
  async historicalLocationsOf(db: EntityManager, thingId: number): Promise<number[]> {
    const rows: { id: string }[] = await db.query(`SELECT id FROM sensor_historical_location WHERE thing_id = $1 ORDER BY time, id`, [thingId]);
    return rows.map((r) => Number(r.id));
  }

  /**
   * featureFromThingLocation for several Things at once, in one query (plus an insert for each Location without its
   * FeatureOfInterest yet): a group of MQTT messages touches a hundred Things, two queries each were most of its cost.
   */
  async featuresFromThingLocations(db: EntityManager, thingIds: readonly number[], made?: (id: number) => void): Promise<Map<number, number | null>> {
    const rows: LocationFeatureRow[] = await db.query(
      `WITH d AS (SELECT DISTINCT id AS thing_id FROM unnest($1::bigint[]) AS t(id)),
       ${LOCATION_FEATURES}
       SELECT d.thing_id, loc.name, loc.description, loc.encoding_type, loc.location, f.id AS foi
         FROM d LEFT JOIN loc ON loc.thing_id = d.thing_id LEFT JOIN f ON f.name = loc.name AND f.feature = loc.location`,
      [thingIds],
    );
    return this.featuresOf(db, rows, made);
  }

  /** Each Thing's default FeatureOfInterest from the rows of LOCATION_FEATURES, made where its Location has none yet. */
  private async featuresOf(db: EntityManager, rows: LocationFeatureRow[], madeFeature?: (id: number) => void): Promise<Map<number, number | null>> {
    const out = new Map<number, number | null>();
    // A Location several Things share, or two alike, gets one FeatureOfInterest, as one by one.
    const made = new Map<string, number>();
    for (const r of rows) {
      const thing = Number(r.thing_id);
      if (out.has(thing)) continue;
      if (r.name === null) out.set(thing, null);
      else if (r.foi !== null) out.set(thing, Number(r.foi));
      else {
        const key = `${r.name}\u0000${JSON.stringify(r.location)}`;
        let id = made.get(key);
        if (id === undefined) {
          id = await this.insertPlain(db, 'FeatureOfInterest', { name: r.name, description: r.description, encodingType: r.encoding_type, feature: r.location });
          made.set(key, id);
          madeFeature?.(id);
        }
        out.set(thing, id);
      }
    }
    return out;
  }

  async insertHistoricalLocation(db: EntityManager, thingId: number, time: Date, locationIds: number[]): Promise<number> {
    const [h]: { id: string }[] = await db.query(`INSERT INTO sensor_historical_location (thing_id, time) VALUES ($1, $2) RETURNING id`, [thingId, time]);
    for (const l of locationIds) await db.query(`INSERT INTO sensor_historical_location_location (historical_location_id, location_id) VALUES ($1, $2)`, [h.id, l]);
    return Number(h.id);
  }

  async updateHistoricalLocation(db: EntityManager, id: number, time: Date): Promise<void> {
    await db.query(`UPDATE sensor_historical_location SET time = $2 WHERE id = $1`, [id, time]);
  }

  async deleteHistoricalLocation(db: EntityManager, id: number): Promise<void> {
    await db.query(`DELETE FROM sensor_historical_location WHERE id = $1`, [id]);
  }
}

/** Location links of a Thing, as the SensorThings writes change them besides the catalog's own moves. */
@Injectable()
export class StaLocationLinks {
  /** The Thing's current Location id, or null. */
  async current(db: EntityManager, thingId: number): Promise<number | null> {
    const rows: { id: string }[] = await db.query(`SELECT location_id AS id FROM sensor_thing_location WHERE thing_id = $1 ORDER BY location_id DESC LIMIT 1`, [thingId]);
    return rows[0] ? Number(rows[0].id) : null;
  }

  /** The Thing is at `locationId` from now on (its Locations replaced, a HistoricalLocation added, 18-088 §8.2.3). */
  async moveTo(db: EntityManager, thingId: number, locationId: number): Promise<void> {
    await db.query(`DELETE FROM sensor_thing_location WHERE thing_id = $1`, [thingId]);
    await db.query(`INSERT INTO sensor_thing_location (thing_id, location_id) VALUES ($1, $2)`, [thingId, locationId]);
    const [h]: { id: string }[] = await db.query(`INSERT INTO sensor_historical_location (thing_id, time) VALUES ($1, now()) RETURNING id`, [thingId]);
    await db.query(`INSERT INTO sensor_historical_location_location (historical_location_id, location_id) VALUES ($1, $2)`, [h.id, locationId]);
  }

  /** Points the Thing's current Location and its history at `locationId` instead of `replaced`, which goes if unused. */
  async replace(db: EntityManager, thingId: number, replaced: number, locationId: number): Promise<void> {
    await db.query(`UPDATE sensor_thing_location SET location_id = $3 WHERE thing_id = $1 AND location_id = $2`, [thingId, replaced, locationId]);
    await db.query(
      `UPDATE sensor_historical_location_location hl SET location_id = $3 FROM sensor_historical_location h
        WHERE h.id = hl.historical_location_id AND h.thing_id = $1 AND hl.location_id = $2`,
      [thingId, replaced, locationId],
    );
    await db.query(
      `DELETE FROM sensor_location l WHERE l.id = $1 AND NOT EXISTS (SELECT 1 FROM sensor_thing_location WHERE location_id = $1)
          AND NOT EXISTS (SELECT 1 FROM sensor_historical_location_location WHERE location_id = $1)`,
      [replaced],
    );
  }

  /** Things whose current Location this is. */
  async thingsAt(db: EntityManager, locationId: number): Promise<number[]> {
    const rows: { id: string }[] = await db.query(`SELECT thing_id AS id FROM sensor_thing_location WHERE location_id = $1`, [locationId]);
    return rows.map((r) => Number(r.id));
  }
}

/** An ObservedProperty's name and definition (a Datastream's quantity is read from it). */
export async function observedPropertyRow(db: EntityManager, id: number): Promise<{ name: string; definition: string } | null> {
  const rows: { name: string; definition: string }[] = await db.query(`SELECT name, definition FROM sensor_observed_property WHERE id = $1`, [id]);
  return rows[0] ?? null;
}
