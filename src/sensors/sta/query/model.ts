/**
 * The SensorThings entity model over the sensors module's tables (migration 1795800000000-Sensors): each entity
 * type's table, its STA properties and the SQL that reads them, and the navigation links between types. The query
 * compiler takes identifiers only from here, never from a client's text.
 */

export type EntityType = 'Thing' | 'Location' | 'HistoricalLocation' | 'Datastream' | 'Sensor' | 'ObservedProperty' | 'Observation' | 'FeatureOfInterest';

/** Entity set name in a path (`Things`) → entity type. */
export const ENTITY_SETS: Readonly<Record<string, EntityType>> = {
  Things: 'Thing', Locations: 'Location', HistoricalLocations: 'HistoricalLocation', Datastreams: 'Datastream', Sensors: 'Sensor',
  ObservedProperties: 'ObservedProperty', Observations: 'Observation', FeaturesOfInterest: 'FeatureOfInterest',
};
export const SET_OF: Readonly<Record<EntityType, string>> = Object.fromEntries(Object.entries(ENTITY_SETS).map(([s, t]) => [t, s])) as Record<EntityType, string>;

/**
 * How a property reads and compares:
 *  - id: the bigint `@iot.id`; text: a text column; json: a jsonb object whose members a path may reach
 *    (`properties/owner`); geo: GeoJSON in jsonb (a geometry or a Feature); time: timestamptz;
 *  - interval: an instant or a time interval (`start`, `end`; end = start for an instant), compared as OGC 18-088
 *    and FROST compare intervals;
 *  - result: an Observation's result, a number (`result`) or any JSON (`result_json`).
 */
export type PropertyKind = 'id' | 'text' | 'json' | 'geo' | 'time' | 'interval' | 'result';

export interface PropertyDef {
  kind: PropertyKind;
  /** SQL of the value (the start, for an interval) for a row under alias `a`. */
  sql(a: string): string;
  /** For intervals: SQL of the end (equal to the start for an instant). */
  end?(a: string): string;
  /** SQL of the JSON value served, for a row under alias `a`. */
  out(a: string): string;
}

export interface NavigationDef {
  target: EntityType;
  many: boolean;
  /** The child's column holding the parent's id (Thing → Datastreams: sensor_datastream.thing_id). */
  childFk?: string;
  /** The parent's column holding the child's id (Datastream → Thing: sensor_datastream.thing_id). */
  parentFk?: string;
  /** A link table (Thing ↔ Location). */
  via?: { table: string; parentCol: string; childCol: string };
}

export interface EntityDef {
  type: EntityType;
  table: string;
  properties: Readonly<Record<string, PropertyDef>>;
  navigations: Readonly<Record<string, NavigationDef>>;
  /** Properties served by default (all of them). */
  defaultSelect: readonly string[];
  /** The SQL giving the Thing id of a row under alias `a`, or null for types not owned by one Thing (see visibility in sql.ts). */
  thingIdSql?(a: string): string;
}

const TIME = (sql: string): string => `sta_time_text(${sql})`;
const col = (name: string, kind: PropertyKind = 'text'): PropertyDef => ({
  kind,
  sql: (a) => `${a}.${name}`,
  out: (a) => (kind === 'time' ? TIME(`${a}.${name}`) : `${a}.${name}`),
});
const ID: PropertyDef = { kind: 'id', sql: (a) => `${a}.id`, out: (a) => `${a}.id` };
const interval = (start: (a: string) => string, end: (a: string) => string): PropertyDef => ({
  kind: 'interval',
  sql: start,
  end,
  // An instant serves as one time; an interval as `start/end`, as STA's TM_Period.
  out: (a) => `CASE WHEN ${start(a)} IS NULL THEN NULL WHEN ${end(a)} IS NULL OR ${end(a)} = ${start(a)} THEN ${TIME(start(a))} ELSE ${TIME(start(a))} || '/' || ${TIME(end(a))} END`,
});

const NAMED = { name: col('name'), description: col('description') };

export const MODEL: Readonly<Record<EntityType, EntityDef>> = {
  Thing: {
    type: 'Thing',
    table: 'sensor_thing',
    properties: { id: ID, ...NAMED, properties: col('properties', 'json') },
    navigations: {
      Datastreams: { target: 'Datastream', many: true, childFk: 'thing_id' },
      Locations: { target: 'Location', many: true, via: { table: 'sensor_thing_location', parentCol: 'thing_id', childCol: 'location_id' } },
      HistoricalLocations: { target: 'HistoricalLocation', many: true, childFk: 'thing_id' },
    },
    defaultSelect: ['id', 'name', 'description', 'properties'],
    thingIdSql: (a) => `${a}.id`,
  },
  Location: {
    type: 'Location',
    table: 'sensor_location',
    properties: { id: ID, ...NAMED, encodingType: col('encoding_type'), location: col('location', 'geo'), properties: col('properties', 'json') },
    navigations: {
      Things: { target: 'Thing', many: true, via: { table: 'sensor_thing_location', parentCol: 'location_id', childCol: 'thing_id' } },
      HistoricalLocations: { target: 'HistoricalLocation', many: true, via: { table: 'sensor_historical_location_location', parentCol: 'location_id', childCol: 'historical_location_id' } },
    },
    defaultSelect: ['id', 'name', 'description', 'encodingType', 'location', 'properties'],
  },
  HistoricalLocation: {
    type: 'HistoricalLocation',
    table: 'sensor_historical_location',
    properties: { id: ID, time: col('time', 'time') },
    navigations: {
      Thing: { target: 'Thing', many: false, parentFk: 'thing_id' },
      Locations: { target: 'Location', many: true, via: { table: 'sensor_historical_location_location', parentCol: 'historical_location_id', childCol: 'location_id' } },
    },
    defaultSelect: ['id', 'time'],
    thingIdSql: (a) => `${a}.thing_id`,
  },
  Datastream: {
    type: 'Datastream',
    table: 'sensor_datastream',
    properties: {
      id: ID,
      ...NAMED,
      observationType: col('observation_type'),
      unitOfMeasurement: col('unit_of_measurement', 'json'),
      observedArea: col('observed_area', 'geo'),
      // Aggregated from the observations, as the standard defines them: the first reading's start (found on the
      // primary key) to the newest reading's end (kept in sensor_latest by the observations writer).
      phenomenonTime: interval(
        (a) => `(SELECT min(o.phenomenon_time) FROM sensor_observation o WHERE o.datastream_id = ${a}.id)`,
        (a) => `(SELECT COALESCE(l.phenomenon_time_end, l.phenomenon_time) FROM sensor_latest l WHERE l.datastream_id = ${a}.id)`,
      ),
      resultTime: interval(
        (a) => `(SELECT min(o.result_time) FROM sensor_observation o WHERE o.datastream_id = ${a}.id)`,
        (a) => `(SELECT max(o.result_time) FROM sensor_observation o WHERE o.datastream_id = ${a}.id)`,
      ),
      properties: col('properties', 'json'),
    },
    navigations: {
      Thing: { target: 'Thing', many: false, parentFk: 'thing_id' },
      Sensor: { target: 'Sensor', many: false, parentFk: 'sensor_id' },
      ObservedProperty: { target: 'ObservedProperty', many: false, parentFk: 'observed_property_id' },
      Observations: { target: 'Observation', many: true, childFk: 'datastream_id' },
    },
    defaultSelect: ['id', 'name', 'description', 'observationType', 'unitOfMeasurement', 'observedArea', 'phenomenonTime', 'resultTime', 'properties'],
    thingIdSql: (a) => `${a}.thing_id`,
  },
  Sensor: {
    type: 'Sensor',
    table: 'sensor_sensor',
    properties: { id: ID, ...NAMED, encodingType: col('encoding_type'), metadata: col('metadata'), properties: col('properties', 'json') },
    navigations: { Datastreams: { target: 'Datastream', many: true, childFk: 'sensor_id' } },
    defaultSelect: ['id', 'name', 'description', 'encodingType', 'metadata', 'properties'],
  },
  ObservedProperty: {
    type: 'ObservedProperty',
    table: 'sensor_observed_property',
    properties: { id: ID, ...NAMED, definition: col('definition'), properties: col('properties', 'json') },
    navigations: { Datastreams: { target: 'Datastream', many: true, childFk: 'observed_property_id' } },
    defaultSelect: ['id', 'name', 'definition', 'description', 'properties'],
  },
  Observation: {
    type: 'Observation',
    table: 'sensor_observation',
    properties: {
      id: ID,
      phenomenonTime: interval((a) => `${a}.phenomenon_time`, (a) => `COALESCE(${a}.phenomenon_time_end, ${a}.phenomenon_time)`),
      resultTime: col('result_time', 'time'),
      result: {
        kind: 'result',
        sql: (a) => `${a}.result`,
        out: (a) => `CASE WHEN ${a}.result IS NOT NULL THEN to_jsonb(${a}.result) ELSE ${a}.result_json END`,
      },
      resultQuality: col('quality'),
      parameters: col('parameters', 'json'),
    },
    navigations: {
      Datastream: { target: 'Datastream', many: false, parentFk: 'datastream_id' },
      FeatureOfInterest: { target: 'FeatureOfInterest', many: false, parentFk: 'feature_of_interest_id' },
    },
    defaultSelect: ['id', 'phenomenonTime', 'resultTime', 'result', 'resultQuality', 'parameters'],
    thingIdSql: (a) => `(SELECT d.thing_id FROM sensor_datastream d WHERE d.id = ${a}.datastream_id)`,
  },
  FeatureOfInterest: {
    type: 'FeatureOfInterest',
    table: 'sensor_feature_of_interest',
    properties: { id: ID, ...NAMED, encodingType: col('encoding_type'), feature: col('feature', 'geo'), properties: col('properties', 'json') },
    navigations: { Observations: { target: 'Observation', many: true, childFk: 'feature_of_interest_id' } },
    defaultSelect: ['id', 'name', 'description', 'encodingType', 'feature', 'properties'],
  },
};

/** `@iot.id` and `id` both name the id (STA 1.1 allows either in $select, $filter and $orderby). */
export function propertyName(name: string): string {
  return name === '@iot.id' ? 'id' : name;
}

/** Entity types a path may not name: recognised, and refused with a clear message. */
export const UNSUPPORTED_SETS: Readonly<Record<string, string>> = {
  MultiDatastreams: 'MultiDatastreams (the MultiDatastream extension) are not supported by this service',
};
