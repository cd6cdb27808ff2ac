import type { ClassConstructor } from 'class-transformer';
import {
  booleanValidator, declaredFields, Field, ignoreMissing, Invalid, maxItems, maxLength, NestedList, notEmpty, oneOf, Step, unicodeSafe, validateInto,
} from '../../api/ckan-schema';
import { FieldErrors, ValidationError } from '../../api/errors';
import { checkRecordMapping, type RecordMapping } from '../ingest/record-mapping';
import type { QuantityKey } from '../readings';

const QUANTITY_KEYS = ['water_level', 'discharge', 'water_temperature', 'air_temperature', 'vehicle_count', 'vehicle_flow', 'speed', 'occupancy', 'other'] as const;

/**
 * The `config` of a sensor source, checked per type. Each type's class adds its own keys to the keys every source has
 * (time zone, sentinels, late window, retention, poll interval); unknown keys are refused, so a misspelt setting is
 * never silently ignored. Errors come back as CKAN field errors under `config`:
 * `{"config": {"poll_interval_seconds": ["Must be at least 60"], "retention": {"raw_days": ["..."]}}}`.
 * The ingestion adapters (src/sensors/ingest/) read the typed interfaces exported here.
 */

export const SOURCE_TYPES = ['pegelonline', 'datex2', 'mqtt', 'push', 'sta'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

/** Types that fetch on a schedule (`poll_interval_seconds`, `sensors.poll-due`); the others receive (MQTT, push, STA writes). */
export const POLLED_TYPES: readonly SourceType[] = ['pegelonline', 'datex2', 'sta'];

/** Whether a source fetches on a schedule: a polled type, and for `sta` only with a server to mirror (`url`). */
export const isPolled = (type: SourceType, config: { url?: unknown }): boolean => POLLED_TYPES.includes(type) && (type !== 'sta' || typeof config.url === 'string');

/** The PEGELONLINE REST API v2, the default `base_url` of a pegelonline source. */
export const PEGELONLINE_BASE_URL = 'https://www.pegelonline.wsv.de/webservices/rest-api/v2';
/** PEGELONLINE's timeseries shortnames a source may ask for (specs/sensors.md §1.1). */
export const PEGELONLINE_TIMESERIES = ['W', 'Q', 'WT', 'LT', 'LF', 'DFH', 'TR', 'WG', 'WR', 'O2', 'PH', 'VA', 'CL'] as const;
const MAX_LIST = 1000;

// ---------------------------------------------------------------------------------------------
// Steps

const integer = (min: number, max = Number.MAX_SAFE_INTEGER): Step => (v) => {
  const n = typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) return new Invalid('Must be a whole number');
  if (n < min) return new Invalid(`Must be at least ${min}`);
  if (n > max) return new Invalid(`Must be at most ${max}`);
  return n;
};

const httpUrl: Step = (v) => {
  if (typeof v !== 'string') return new Invalid('Must be a string');
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:' ? v : new Invalid('Must be an http or https URL');
  } catch {
    return new Invalid('Must be a URL');
  }
};

const brokerUrl: Step = (v) => {
  if (typeof v !== 'string') return new Invalid('Must be a string');
  try {
    const u = new URL(v);
    return ['mqtt:', 'mqtts:', 'ws:', 'wss:', 'tcp:', 'ssl:'].includes(u.protocol) ? v : new Invalid('Must be an mqtt, mqtts, ws or wss URL');
  } catch {
    return new Invalid('Must be a URL');
  }
};

/** An IANA time zone PostgreSQL and Intl both know (`Europe/Berlin`, `UTC`). */
export const timeZone: Step = (v) => {
  if (typeof v !== 'string' || !v) return new Invalid('Must be a time zone name such as Europe/Berlin');
  try {
    new Intl.DateTimeFormat('en', { timeZone: v });
    return v;
  } catch {
    return new Invalid(`Unknown time zone: ${v}`);
  }
};

const stringList = (max = MAX_LIST, itemMax = 200): Step => (v) => {
  const list = typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v;
  if (!Array.isArray(list)) return new Invalid('Must be a list of strings');
  if (list.length > max) return new Invalid(`At most ${max} items`);
  for (const x of list) {
    if (typeof x !== 'string' || !x.trim()) return new Invalid('Must be a list of non-empty strings');
    if (x.length > itemMax) return new Invalid(`Each item must be a maximum of ${itemMax} characters long`);
  }
  return list;
};

const numberList: Step = (v) => {
  if (!Array.isArray(v)) return new Invalid('Must be a list of numbers');
  if (v.length > 100) return new Invalid('At most 100 items');
  for (const x of v) if (typeof x !== 'number' || !Number.isFinite(x)) return new Invalid('Must be a list of numbers');
  return v;
};

const subsetOf = (choices: readonly string[]): Step => (v) => {
  const list = stringList(choices.length)(v, {});
  if (list instanceof Invalid) return list;
  for (const x of list as string[]) if (!choices.includes(x)) return new Invalid(`Unknown value ${JSON.stringify(x)}; allowed: ${choices.join(', ')}`);
  return list;
};

/** An MQTT topic filter: levels split by `/`, `+` a whole level, `#` only as the whole last level. */
export const topicFilter: Step = (v) => {
  if (typeof v !== 'string' || !v) return new Invalid('Missing value');
  if (v.length > 1000) return new Invalid('Must be a maximum of 1000 characters long');
  const levels = v.split('/');
  for (const [i, l] of levels.entries()) {
    if (l.includes('#') && (l !== '#' || i !== levels.length - 1)) return new Invalid('"#" must be the whole last level of the topic');
    if (l.includes('+') && l !== '+') return new Invalid('"+" must be a whole level of the topic');
  }
  return v;
};

/** A dict of string to string (a payload key → stream key mapping). */
const stringMap: Step = (v) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return new Invalid('Must be a dict of strings');
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length > MAX_LIST) return new Invalid(`At most ${MAX_LIST} keys`);
  for (const [, x] of entries) if (typeof x !== 'string' || !x) return new Invalid('Must be a dict of strings');
  return v;
};

/**
 * Plausible ranges per quantity (`{"water_level": {"min": -100, "max": 1500}}`), read by the observations writer
 * (observations/plausibility.ts): `min`, `max`, and for counts `max_per_hour`.
 */
const limitsMap: Step = (v) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return new Invalid('Must be a dict of quantities');
  for (const [q, l] of Object.entries(v as Record<string, unknown>)) {
    if (!(QUANTITY_KEYS as readonly string[]).includes(q)) return new Invalid(`Unknown quantity ${JSON.stringify(q)}; allowed: ${QUANTITY_KEYS.join(', ')}`);
    if (typeof l !== 'object' || l === null || Array.isArray(l)) return new Invalid(`${q}: must be a dict of min, max, max_per_hour`);
    for (const [k, x] of Object.entries(l as Record<string, unknown>)) {
      if (!['min', 'max', 'max_per_hour'].includes(k)) return new Invalid(`${q}: unknown limit ${JSON.stringify(k)} (min, max, max_per_hour)`);
      if (typeof x !== 'number' || !Number.isFinite(x)) return new Invalid(`${q}.${k}: must be a number`);
    }
  }
  return v;
};

/** An ISO 8601 duration of days, hours or minutes (`P1D`, `PT6H`), at most `maxDays`. */
const duration = (maxDays: number): Step => (v) => {
  if (typeof v !== 'string') return new Invalid('Must be an ISO 8601 duration such as P1D');
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(v);
  if (!m || v === 'P' || v.endsWith('T')) return new Invalid('Must be an ISO 8601 duration such as P1D or PT6H');
  const seconds = Number(m[1] ?? 0) * 86_400 + Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60;
  if (seconds <= 0) return new Invalid('Must be longer than zero');
  if (seconds > maxDays * 86_400) return new Invalid(`Must be at most P${maxDays}D`);
  return v;
};

/** Seconds of a duration the config step accepted. */
export function durationSeconds(v: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(v);
  return m ? Number(m[1] ?? 0) * 86_400 + Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 : 0;
}

/** A plain dict, checked further by whoever reads it (a record mapping: ingest/record-mapping.ts). */
const dict: Step = (v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : new Invalid('Must be a dict'));

/** A list of dicts (stations of a push source), checked further in the cross checks. */
const dictList = (max: number): Step => (v) => {
  if (!Array.isArray(v)) return new Invalid('Must be a list');
  if (v.length > max) return new Invalid(`At most ${max} items`);
  for (const x of v) if (typeof x !== 'object' || x === null || Array.isArray(x)) return new Invalid('Must be a list of dicts');
  return v;
};

const text = (max = 200): Step[] => [ignoreMissing, unicodeSafe, maxLength(max)];
const required = (max = 1000): Step[] => [notEmpty, unicodeSafe, maxLength(max)];

// ---------------------------------------------------------------------------------------------
// Nested dicts

export class RetentionConfig {
  /** Days raw observations are kept; null or missing: forever. */
  @Field(ignoreMissing, integer(1, 36_500)) raw_days?: number;
  @Field(ignoreMissing, integer(1, 36_500)) hourly_days?: number;
  @Field(ignoreMissing, integer(1, 36_500)) daily_days?: number;
}

export const CSV_DATE_FORMATS = ['iso', 'DD.MM.YYYY HH:mm', 'DD.MM.YYYY HH:mm:ss', 'YYYY-MM-DD HH:mm', 'YYYY-MM-DD HH:mm:ss', 'DD/MM/YYYY HH:mm', 'YYYYMMDDHHmmss', 'epoch'] as const;

export class CsvDialectConfig {
  @Field(ignoreMissing, oneOf([',', ';', '\t', '|'])) separator?: string;
  @Field(ignoreMissing, oneOf(['.', ','])) decimal_mark?: '.' | ',';
  /** How the time column is written; `iso` takes ISO 8601 (with offset, or naive in `time_zone`). */
  @Field(ignoreMissing, oneOf(CSV_DATE_FORMATS)) date_format?: string;
  /** The zone of naive local times; without it a naive time refuses the batch. */
  @Field(ignoreMissing, timeZone) time_zone?: string;
  /** The sender sends in time order, so a repeated local hour at the October switch is resolved by order of arrival. */
  @Field(ignoreMissing, booleanValidator) in_sequence?: boolean;
}

export class MqttDeviceConfig {
  /** The Things Stack device id (`end_device_ids.device_id`). */
  @Field(...required(200)) device_id!: string;
  /** The station (sensor dataset) the device's readings belong to. */
  @Field(...required(200)) station!: string;
  /** `decoded_payload` key → stream key of the station. */
  @Field(notEmpty, stringMap) fields!: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------
// Per type

/** What every source may set. */
export class CommonConfig {
  /** The zone of naive local times in this source's data (`Europe/Berlin`); unset: naive times are refused. */
  @Field(ignoreMissing, timeZone) time_zone?: string;
  /** Values that mean "no value" (`-777`, `-999`): stored as missing with a quality code. */
  @Field(ignoreMissing, numberList) sentinels?: number[];
  /** How many days late a reading may come and still be accepted. */
  @Field(ignoreMissing, integer(0, 3650)) late_window_days?: number;
  @Field(ignoreMissing) retention?: RetentionConfig;
  /** Plausible ranges per quantity, overriding the defaults (observations/plausibility.ts). */
  @Field(ignoreMissing, limitsMap) limits?: Record<string, { min?: number; max?: number; max_per_hour?: number }>;
  /** Seconds between polls (sources that fetch); at least 60. */
  @Field(ignoreMissing, integer(60, 7 * 24 * 3600)) poll_interval_seconds?: number;
  /** A licence id for the datasets the source makes (license_list), else the organization's choice is left open. */
  @Field(...text(100)) license_id?: string;
  /** The datasets the source makes start private (members of the organization only); an editor may publish them later. */
  @Field(ignoreMissing, booleanValidator) private?: boolean;
}

export class PegelonlineConfig extends CommonConfig {
  @Field(ignoreMissing, httpUrl, maxLength(1000)) base_url?: string;
  /** Stations by uuid, number or name (`ids` of /stations.json). */
  @Field(ignoreMissing, stringList()) stations?: string[];
  /** Waters by shortname (`RHEIN`). */
  @Field(ignoreMissing, stringList(100)) waters?: string[];
  @Field(ignoreMissing, subsetOf(PEGELONLINE_TIMESERIES)) timeseries?: string[];
  /** How far back the first poll of a series reaches (ISO 8601 duration, default P1D; PEGELONLINE keeps 31 days). */
  @Field(ignoreMissing, duration(31)) first_window?: string;
}

export const DATEX2_FORMATS = ['v3-xml', 'v3-json', 'v2-xml'] as const;

export class Datex2Config extends CommonConfig {
  /** The MeasuredDataPublication. */
  @Field(notEmpty, httpUrl, maxLength(2000)) url!: string;
  /** The MeasurementSiteTablePublication (names, places and what each index measures). */
  @Field(ignoreMissing, httpUrl, maxLength(2000)) site_table_url?: string;
  @Field(notEmpty, oneOf(DATEX2_FORMATS)) format!: (typeof DATEX2_FORMATS)[number];
  @Field(...text(200)) username?: string;
  @Field(...text(1000)) password?: string;
}

export const MQTT_PAYLOADS = ['sta', 'flat', 'tts'] as const;

export class MqttConfig extends CommonConfig {
  /** The broker; unset: the service's own (MQTT_URL). */
  @Field(ignoreMissing, brokerUrl, maxLength(1000)) url?: string;
  /** The topic filter subscribed to (shared among instances). */
  @Field(topicFilter) topic!: string;
  @Field(notEmpty, oneOf(MQTT_PAYLOADS)) payload!: (typeof MQTT_PAYLOADS)[number];
  /** flat: where station and stream stand in the topic, e.g. `kreis/pegel/{station}/{stream}`. */
  @Field(...text(1000)) topic_pattern?: string;
  @NestedList(MqttDeviceConfig, { before: [maxItems(MAX_LIST, 'devices')] }) devices?: MqttDeviceConfig[];
  @Field(ignoreMissing, integer(0, 1)) qos?: number;
  @Field(...text(200)) username?: string;
  @Field(...text(1000)) password?: string;
  /** With `url`: the MQTT version spoken there, 4 (3.1.1, the default) or 5. */
  @Field(ignoreMissing, integer(4, 5)) protocol_version?: number;
  /** With `url` and MQTT 5: the instances subscribe as `$share/<group>/<topic>` and split the messages between them. */
  @Field(...text(100)) shared_group?: string;
}

export const PUSH_JSON_SHAPES = ['batch', 'records', 'timeseries'] as const;

/** A stream of a push source's station: its key in the pushed data, quantity and unit. */
export interface PushStreamConfig {
  key: string;
  name?: string;
  quantity: QuantityKey;
  unit: string;
  interval_seconds?: number;
}

/** A station a push source feeds: made as its sensor dataset (SensorCatalog.syncStation) when its first batch comes. */
export interface PushStationConfig {
  key: string;
  name?: string;
  description?: string;
  /** [longitude, latitude] */
  coordinates?: [number, number];
  streams: PushStreamConfig[];
}

export class PushConfig extends CommonConfig {
  /** The format of a body without a content type of its own (`text/csv` or `application/json` decide otherwise). */
  @Field(notEmpty, oneOf(['json', 'csv'])) format!: 'json' | 'csv';
  @Field(ignoreMissing) csv?: CsvDialectConfig;
  /** JSON bodies: `batch` (our push batch, the default), `records` (flat objects through `mapping`), `timeseries` (one series). */
  @Field(ignoreMissing, oneOf(PUSH_JSON_SHAPES)) json_shape?: (typeof PUSH_JSON_SHAPES)[number];
  /** How fields become readings (src/sensors/ingest/record-mapping.ts); unset: the push batch's own columns. */
  @Field(ignoreMissing, dict) mapping?: Record<string, unknown>;
  /** `timeseries` shape: the station and stream the series belongs to. */
  @Field(...text(200)) station?: string;
  @Field(...text(200)) stream?: string;
  /** The stations this source feeds, with their streams. */
  @Field(ignoreMissing, dictList(MAX_LIST)) stations?: PushStationConfig[];
  /** Most readings one batch may carry (the spec recommends batches of at most 10,000 rows). */
  @Field(ignoreMissing, integer(1, 100_000)) max_rows?: number;
}

export class StaConfig extends CommonConfig {
  /** Another SensorThings server to mirror; unset: the source only receives writes through our own /sta/v1.1. */
  @Field(ignoreMissing, httpUrl, maxLength(2000)) url?: string;
  @Field(...text(200)) username?: string;
  @Field(...text(1000)) password?: string;
}

export type SourceConfig = PegelonlineConfig | Datex2Config | MqttConfig | PushConfig | StaConfig;

const CONFIG_CLASSES: Record<SourceType, ClassConstructor<CommonConfig>> = {
  pegelonline: PegelonlineConfig, datex2: Datex2Config, mqtt: MqttConfig, push: PushConfig, sta: StaConfig,
};

/** Nested dicts of a config, by key and by type (`retention` everywhere, `csv` for push). */
const NESTED: Record<string, ClassConstructor<object>> = { retention: RetentionConfig, csv: CsvDialectConfig };

/** Keys a config class declares (its own and CommonConfig's). */
const declaredKeys = (cls: ClassConstructor<object>): Set<string> => declaredFields(cls);
const declared = (cls: ClassConstructor<object>): string[] => [...declaredFields(cls)];

/** A dict (not a list or a scalar). */
const isDict = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The config of a source of `type`, checked and converted; throws ValidationError `{config: {...}}` naming every bad key.
 * Cross-field rules: pegelonline needs `stations` or `waters`; mqtt `flat` needs a `topic_pattern` with `{station}` and
 * `{stream}`, and `tts` needs `devices`; a poll interval only for types that poll.
 */
export function parseSourceConfig(type: SourceType, raw: unknown): SourceConfig {
  if (raw === undefined || raw === null) raw = {};
  if (!isDict(raw)) throw new ValidationError({ config: ['Must be a dict'] });
  const cls = CONFIG_CLASSES[type];
  const errors: FieldErrors = {};
  const keys = declaredKeys(cls);
  for (const k of Object.keys(raw)) if (!keys.has(k)) errors[k] = [`Unknown setting for a ${type} source`];
  const { value, errors: own } = validateInto(cls, raw);
  Object.assign(errors, own);
  const out = value as unknown as Record<string, unknown>;
  for (const [key, nestedCls] of Object.entries(NESTED)) {
    const v = raw[key];
    if (v === undefined || v === null || !keys.has(key)) continue;
    if (!isDict(v)) {
      errors[key] = ['Must be a dict'];
      continue;
    }
    const nestedKeys = new Set(declared(nestedCls));
    const nestedErrors: FieldErrors = {};
    for (const k of Object.keys(v)) if (!nestedKeys.has(k)) nestedErrors[k] = ['Unknown setting'];
    const nested = validateInto(nestedCls, v);
    Object.assign(nestedErrors, nested.errors);
    if (Object.keys(nestedErrors).length) errors[key] = nestedErrors;
    else out[key] = { ...nested.value };
  }
  crossChecks(type, out, errors);
  if (Object.keys(errors).length) throw new ValidationError({ config: errors });
  // A plain object (stored as jsonb), without the class's prototype.
  return JSON.parse(JSON.stringify(out)) as SourceConfig;
}

function crossChecks(type: SourceType, c: Record<string, unknown>, errors: FieldErrors): void {
  const has = (k: string): boolean => Array.isArray(c[k]) && (c[k] as unknown[]).length > 0;
  if (type === 'pegelonline' && !has('stations') && !has('waters') && !errors.stations && !errors.waters) {
    errors.stations = ['Name the stations or the waters to fetch (stations or waters)'];
  }
  if (type === 'mqtt' && !errors.payload) {
    if (c.payload === 'flat' && !errors.topic_pattern) {
      const p = typeof c.topic_pattern === 'string' ? c.topic_pattern : '';
      if (!p.includes('{station}') || !p.includes('{stream}')) errors.topic_pattern = ['A flat payload needs a topic_pattern naming {station} and {stream}'];
    }
    if (c.payload === 'tts' && !has('devices') && !errors.devices) errors.devices = ['A tts payload needs devices (device_id, station, fields)'];
  }
  if (type === 'mqtt') ownBrokerChecks(c, errors);
  if (type === 'push') pushChecks(c, errors);
  if (c.poll_interval_seconds !== undefined && !isPolled(type, c) && !errors.poll_interval_seconds) {
    errors.poll_interval_seconds = [type === 'sta' ? 'A sta source is polled only when it names the url of a server to mirror' : `A ${type} source is not polled`];
  }
}

/** A protocol version and a shared group are settings of a source's own broker connection (`url`). */
function ownBrokerChecks(c: Record<string, unknown>, errors: FieldErrors): void {
  for (const k of ['protocol_version', 'shared_group']) {
    if (c[k] !== undefined && c.url === undefined && !errors[k] && !errors.url) errors[k] = [`${k} is a setting of the source's own broker: set url too (without url the service's broker is used, see MQTT_URL)`];
  }
  if (typeof c.shared_group === 'string' && !errors.shared_group) {
    if (!/^[^/+#\s]+$/.test(c.shared_group)) errors.shared_group = ['Must be one topic level without "/", "+", "#" or spaces'];
    else if (c.protocol_version !== 5 && !errors.protocol_version) errors.shared_group = ['Shared subscriptions need MQTT 5: set protocol_version 5'];
  }
}

function pushChecks(c: Record<string, unknown>, errors: FieldErrors): void {
  if (c.mapping !== undefined && !errors.mapping) {
    try {
      checkRecordMapping(c.mapping as unknown as RecordMapping);
    } catch (err) {
      errors.mapping = [err instanceof Error ? err.message : String(err)];
    }
  }
  if (c.json_shape === 'records' && c.mapping === undefined && !errors.mapping) errors.mapping = ['A records shape needs a mapping'];
  if (c.json_shape === 'timeseries' && typeof c.station !== 'string' && !errors.station) errors.station = ['A timeseries shape needs the station it belongs to'];
  if (Array.isArray(c.stations) && !errors.stations) {
    const problems: string[] = [];
    (c.stations as Record<string, unknown>[]).forEach((s, i) => {
      if (typeof s.key !== 'string' || !s.key) problems.push(`[${i}].key: Missing value`);
      if (s.coordinates !== undefined && !(Array.isArray(s.coordinates) && s.coordinates.length === 2 && s.coordinates.every((x) => typeof x === 'number' && Number.isFinite(x)))) {
        problems.push(`[${i}].coordinates: Must be [longitude, latitude]`);
      }
      if (!Array.isArray(s.streams) || !s.streams.length) {
        problems.push(`[${i}].streams: Missing value`);
        return;
      }
      (s.streams as Record<string, unknown>[]).forEach((st, j) => {
        const at = `[${i}].streams[${j}]`;
        if (typeof st !== 'object' || st === null) return problems.push(`${at}: Must be a dict`);
        if (typeof st.key !== 'string' || !st.key) problems.push(`${at}.key: Missing value`);
        if (!(QUANTITY_KEYS as readonly string[]).includes(st.quantity as string)) problems.push(`${at}.quantity: one of ${QUANTITY_KEYS.join(', ')}`);
        if (typeof st.unit !== 'string' || !st.unit) problems.push(`${at}.unit: Missing value`);
        if (st.interval_seconds !== undefined && !(Number.isInteger(st.interval_seconds) && (st.interval_seconds as number) > 0)) problems.push(`${at}.interval_seconds: Must be a whole number above 0`);
      });
    });
    if (problems.length) errors.stations = problems.slice(0, 20);
  }
}
