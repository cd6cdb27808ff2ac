/**
 * What every ingestion path hands to the one observations writer, whatever it read (SensorThings, MQTT, PEGELONLINE,
 * DATEX II, HTTP push): readings keyed by the source's own names for a station and one of its time series, and the
 * stations' descriptions from which a source creates and updates its sensor datasets. Adapters only parse and map;
 * units are converted, sentinels and plausibility applied, duplicates and revisions decided where readings are
 * written (src/sensors/observations/), so every path follows the same rules.
 */

/**
 * A reading's quality code, stored with it:
 *  - `good`: a measured value;
 *  - `missing`: no value (a sentinel such as -777 or an empty cell); `value` is null;
 *  - `invalid`: the source says the value is wrong (DATEX II `dataError`) or it is outside the quantity's plausible
 *    range; the value is kept as sent, never clamped, and hidden from the default live view;
 *  - `suspect`: kept and shown, but flagged (late beyond the source's window and accepted by a backfill, say).
 */
export type Quality = 'good' | 'missing' | 'invalid' | 'suspect';
export const QUALITIES: readonly Quality[] = ['good', 'missing', 'invalid', 'suspect'];

/**
 * The quantities the platform knows, each with one canonical unit its observations are stored in (see
 * observations/units.ts): a reading in another unit of the same quantity is converted, one in an unknown or
 * incompatible unit refuses its batch.
 */
export type QuantityKey =
  | 'water_level' // W, cm over gauge zero
  | 'discharge' // Q, m³/s
  | 'water_temperature' // WT, °C
  | 'air_temperature' // LT, °C
  | 'vehicle_count' // vehicles per interval
  | 'vehicle_flow' // vehicles per hour (DATEX II vehicleFlowRate)
  | 'speed' // km/h
  | 'occupancy' // %
  | 'other'; // anything else: stored in the unit declared when the datastream was made, never converted

/** One reading as an adapter read it. */
export interface Reading {
  /** The source's key of the station or detector site (PEGELONLINE uuid, DATEX II site id, device id, push `station`). */
  station: string;
  /** The source's key of the time series at that station (`W`, `Q`, `WT`, `lane1/flow`, a decoded payload key). */
  stream: string;
  /** Phenomenon time: the instant measured, or the start of the interval for interval data (counts). */
  time: Date;
  /** End of the interval for interval data; absent for instants. */
  end?: Date;
  /** The numeric result; null when the reading carries no value (then `quality` is `missing` or `invalid`). */
  value: number | null;
  /** A result that is no number (SensorThings allows any JSON); `value` is then null. */
  result?: unknown;
  /** The unit as the source declared it for this reading; undefined: the unit the datastream was declared with. */
  unit?: string | null;
  /** What the source said about the value; the writer may still flag it (range, sentinel). Default `good`. */
  quality?: Quality;
  /** Why the quality is not `good`, in the source's words (`LOOP_OPEN`, `sentinel -777`). */
  qualityReason?: string;
  /** SensorThings resultTime, when the source sends one. */
  resultTime?: Date;
  /** SensorThings parameters, when the source sends them. */
  parameters?: Record<string, unknown>;
  /** Where the reading came from inside its payload (line of a CSV, index in a JSON array), for error messages. */
  at?: string;
}

/** Something an adapter skipped without refusing the whole payload (an unknown DATEX site, an unmapped key). */
export interface IngestWarning {
  code: 'unknown_station' | 'unknown_stream' | 'ambiguous_time' | 'skipped' | string;
  message: string;
  /** Where in the payload: `line 12`, `siteMeasurements[3]/index 17`, `byte 4711`. */
  at?: string;
  station?: string;
  stream?: string;
}

/** What an adapter made of one payload. */
export interface ReadingBatch {
  readings: Reading[];
  warnings: IngestWarning[];
}

/**
 * A payload an adapter refuses as a whole (malformed JSON, a naive timestamp without a declared zone, an unknown
 * column): nothing of it is stored. `at` names the place (byte offset, line, field) so a steward can find it.
 */
export class IngestError extends Error {
  constructor(
    readonly code: 'malformed' | 'naive_time' | 'ambiguous_time' | 'unknown_unit' | 'incompatible_unit' | 'missing_unit' | 'unknown_column' | 'too_large' | 'invalid' | string,
    message: string,
    readonly at?: string,
  ) {
    super(message);
    this.name = 'IngestError';
  }
}

/** A GeoJSON point, longitude first. */
export interface GeoPoint {
  type: 'Point';
  coordinates: [number, number] | [number, number, number];
}

/** One time series of a station, as the source describes it. */
export interface StreamInfo {
  /** The source's key (`W`, `lane1/flow`); unique within the station. */
  key: string;
  /** Name shown to users (`Wasserstand`, `Fahrzeuge je Stunde, Fahrstreifen 1`). */
  name: string;
  description?: string;
  quantity: QuantityKey;
  /** The unit the source declares for this series (`cm`, `m³/s`, `km/h`). */
  unit: string;
  /** Seconds between readings, when the source says (PEGELONLINE equidistance × 60, a counter's interval). */
  intervalSeconds?: number;
  /** Further properties kept on the Datastream: a gauge's characteristic values (MNW, MW, MHW, HSW, marks), gauge zero. */
  properties?: Record<string, unknown>;
  /**
   * What a SensorThings client gave a Datastream of its own (18-088 keeps what is posted): its unitOfMeasurement as
   * sent, and the Sensor and ObservedProperty it was created with or linked to.
   */
  own?: { unitOfMeasurement?: Record<string, unknown>; sensorId?: number; observedPropertyId?: number };
}

/** A station or detector site, as the source describes it: one sensor dataset and one SensorThings Thing. */
export interface StationInfo {
  /** The source's key of the station (stable: PEGELONLINE uuid, DATEX II site id). */
  key: string;
  /** Name shown to users (`KOBLENZ`, `B9 Koblenz-Nord, MQ0101`). */
  name: string;
  description?: string;
  location?: GeoPoint;
  /** Further properties kept on the Thing (PEGELONLINE number, water, km, agency; DATEX II site version). */
  properties?: Record<string, unknown>;
  streams: StreamInfo[];
}
