import { IngestError, type IngestWarning, type Reading, type ReadingBatch } from '../readings';
import { parseJsonPayload } from './json-input';
import { BoundMapping, jsonNumber, type RecordMapping } from './record-mapping';
import { parseInstant, TimeResolver, type LocalTimePolicy } from './time';

/**
 * What an MQTT message's topic and payload mean, for the three conventions the subscriber accepts:
 *  - SensorThings "create Observation via MQTT": an Observation published to `v1.1/Datastreams(ID)/Observations`;
 *  - a flat municipal topic tree (`{tenant}/pegel/{station}/{stream}`) with `{ts, value, unit}`, or a flat record
 *    read through a record mapping (a lane's `{interval_start, interval_s, count, avg_speed_kmh}`);
 *  - The Things Stack uplinks on `v3/{app}@{tenant}/devices/{device}/up`, `uplink_message.decoded_payload` keys
 *    mapped per device to streams.
 * Pure functions: the subscriber acknowledges a message only after the writer has committed what they return.
 */

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function jsonObject(payload: Buffer | string, what: string): Record<string, unknown> {
  const body = parseJsonPayload(payload, what);
  if (!isObject(body)) throw new IngestError('invalid', `${what}: erwartet wird ein JSON-Objekt.`, 'byte 0');
  return body;
}

// ---------------------------------------------------------------------------------------------------------------
// SensorThings

/** An Observation to create in a Datastream, as published over MQTT. */
export interface StaObservationMessage {
  /** The Datastream's @iot.id from the topic: a number, or a string for quoted ids (`Datastreams('gauge-7')`). */
  datastreamId: number | string;
  /** The instant measured, or the start of the interval `a/b`. */
  phenomenonTime: Date;
  /** The end of an interval phenomenonTime. */
  phenomenonTimeEnd?: Date;
  result: unknown;
  /** null when the publisher sent none (SensorThings allows it). */
  resultTime: Date | null;
  validTime?: { start: Date; end: Date };
  resultQuality?: unknown;
  parameters?: Record<string, unknown>;
  /** A FeatureOfInterest given inline or by @iot.id, passed on as sent. */
  featureOfInterest?: unknown;
}

const STA_TOPIC = /^v1\.[01]\/Datastreams\((\d+|'(?:[^']|'')*')\)\/Observations$/;
const STA_KEYS = new Set(['phenomenonTime', 'result', 'resultTime', 'validTime', 'resultQuality', 'parameters', 'FeatureOfInterest']);

/** The Datastream id a topic addresses, or undefined when it is no SensorThings create topic. */
export function staTopicDatastream(topic: string): number | string | undefined {
  const m = STA_TOPIC.exec(topic);
  if (!m) return undefined;
  return m[1].startsWith("'") ? m[1].slice(1, -1).replace(/''/g, "'") : Number(m[1]);
}

/** A time or an ISO 8601 interval `start/end`, both with offsets. */
function timeOrInterval(value: unknown, at: string): { start: Date; end?: Date } {
  if (typeof value === 'string' && value.includes('/')) {
    const [a, b, ...rest] = value.split('/');
    if (rest.length) throw new IngestError('invalid', `Kein Zeitintervall an ${at}: "${value}".`, at);
    const start = parseInstant(a, at);
    const end = parseInstant(b, at);
    if (end < start) throw new IngestError('invalid', `Das Intervall an ${at} endet vor seinem Beginn: "${value}".`, at);
    return { start, end };
  }
  return { start: parseInstant(value, at) };
}

/**
 * An Observation published for creation. Without phenomenonTime the server's time is used, as SensorThings says;
 * an unknown property refuses the message, as the HTTP create would.
 */
export function mapStaObservation(topic: string, payload: Buffer | string, now: () => Date = () => new Date()): StaObservationMessage {
  const datastreamId = staTopicDatastream(topic);
  if (datastreamId === undefined) throw new IngestError('invalid', `"${topic}" ist kein SensorThings-Topic v1.1/Datastreams(ID)/Observations.`, 'topic');
  return staObservation(datastreamId, jsonObject(payload, 'SensorThings Observation'), now);
}

/** An Observation's JSON object (already parsed: an HTTP body, a CreateObservations row) for the Datastream. */
export function staObservation(datastreamId: number | string, body: Record<string, unknown>, now: () => Date = () => new Date()): StaObservationMessage {
  const unknown = Object.keys(body).find((k) => !STA_KEYS.has(k));
  if (unknown) throw new IngestError('invalid', `Unbekannte Eigenschaft "${unknown}" einer Observation.`, unknown);
  if (!('result' in body)) throw new IngestError('invalid', 'Eine Observation braucht ein result.', 'result');
  const phenomenon = body.phenomenonTime === undefined || body.phenomenonTime === null ? { start: now() } : timeOrInterval(body.phenomenonTime, 'phenomenonTime');
  const out: StaObservationMessage = {
    datastreamId,
    phenomenonTime: phenomenon.start,
    result: body.result,
    resultTime: body.resultTime === undefined || body.resultTime === null ? null : parseInstant(body.resultTime, 'resultTime'),
  };
  if (phenomenon.end) out.phenomenonTimeEnd = phenomenon.end;
  if (body.validTime !== undefined && body.validTime !== null) {
    const valid = timeOrInterval(body.validTime, 'validTime');
    if (!valid.end) throw new IngestError('invalid', 'validTime muss ein Intervall sein.', 'validTime');
    out.validTime = { start: valid.start, end: valid.end };
  }
  if (body.resultQuality !== undefined) out.resultQuality = body.resultQuality;
  if (body.parameters !== undefined) {
    if (!isObject(body.parameters)) throw new IngestError('invalid', 'parameters muss ein Objekt sein.', 'parameters');
    out.parameters = body.parameters;
  }
  if (body.FeatureOfInterest !== undefined) out.featureOfInterest = body.FeatureOfInterest;
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Topic patterns with named wildcards

/** A topic pattern such as `{tenant}/pegel/{station}/{stream}`: each `{name}` is one level (MQTT's `+`). */
export interface TopicPattern {
  /** The subscription filter (`+/pegel/+/+`). */
  filter: string;
  /** The wildcards' values for a matching topic, else undefined. */
  match(topic: string): Record<string, string> | undefined;
}

export function compileTopicPattern(pattern: string): TopicPattern {
  const levels = pattern.split('/');
  const names: (string | undefined)[] = levels.map((l) => /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(l)?.[1]);
  levels.forEach((l, i) => {
    if (!names[i] && /[{}+#]/.test(l)) throw new IngestError('invalid', `Ungültige Ebene "${l}" im Topic-Muster "${pattern}" (ein {name} je ganze Ebene).`, 'pattern');
  });
  return {
    filter: levels.map((l, i) => (names[i] ? '+' : l)).join('/'),
    match(topic) {
      const parts = topic.split('/');
      if (parts.length !== levels.length) return undefined;
      const vars: Record<string, string> = {};
      for (let i = 0; i < levels.length; i++) {
        const name = names[i];
        if (name) {
          if (!parts[i]) return undefined;
          vars[name] = parts[i];
        } else if (parts[i] !== levels[i]) return undefined;
      }
      return vars;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Flat JSON

/** A flat topic tree: where station and stream come from, and how the payload is read. */
export interface FlatTopicConfig extends LocalTimePolicy {
  /** `{tenant}/pegel/{station}/{stream}`; wildcards fill the templates below and a record mapping's fields. */
  pattern: string;
  /** Station key template; default `{station}`. */
  station?: string;
  /** Stream key template for `{ts, value, unit}` payloads; default `{stream}`. */
  stream?: string;
  /** The unit when a `{ts, value}` payload names none. */
  unit?: string;
  /** Instead of `{ts, value, unit}`: read the payload as one flat record (a lane's interval counts). */
  record?: RecordMapping;
}

/** A message on a flat topic tree, or undefined when its topic does not match the pattern. */
export function mapFlatMessage(topic: string, payload: Buffer | string, config: FlatTopicConfig): ReadingBatch | undefined {
  const vars = compileTopicPattern(config.pattern).match(topic);
  if (!vars) return undefined;
  const body = jsonObject(payload, `MQTT ${topic}`);
  const times = new TimeResolver(config);
  if (config.record) {
    const bound = BoundMapping.bind(config.record, Object.keys(body), topic, Object.keys(vars));
    return bound.apply((name) => body[name], jsonNumber(topic), times, { dateFormat: 'iso', ...config }, topic, vars);
  }
  // `{ts, value, unit}`: further keys (battery_v, rssi) are the device's metadata, not readings.
  const mapping: RecordMapping = {
    time: 'ts',
    station: config.station ?? '{station}',
    values: [{ field: 'value', stream: config.stream ?? '{stream}', unitField: 'unit', unit: config.unit }],
  };
  const known = Object.keys(body).filter((k) => k === 'ts' || k === 'value' || k === 'unit');
  if (!('value' in body)) throw new IngestError('invalid', `Kein "value" in der Nachricht auf ${topic}.`, `${topic}.value`);
  const bound = BoundMapping.bind(mapping, known, topic, Object.keys(vars));
  return bound.apply((name) => body[name], jsonNumber(topic), times, { dateFormat: 'iso', ...config }, topic, vars);
}

// ---------------------------------------------------------------------------------------------------------------
// The Things Stack

/** Which decoded payload keys of one device are readings, and of which stream. */
export interface TtsDeviceMapping {
  /** Station key; default the device id. */
  station?: string;
  keys: Record<string, { stream: string; unit?: string }>;
  /** Decoded keys that are no readings (battery_v, raw distance): skipped without a warning. */
  ignore?: string[];
}

export interface TtsConfig {
  /** By device id. */
  devices: Record<string, TtsDeviceMapping>;
  /** Only this application id (`pegel-musterland`); others are refused. */
  application?: string;
}

const TTS_TOPIC = /^v3\/([^/@]+)@([^/]+)\/devices\/([^/]+)\/up$/;

/** Application, tenant and device of an uplink topic, or undefined for another topic. */
export function ttsUplinkTopic(topic: string): { application: string; tenant: string; device: string } | undefined {
  const m = TTS_TOPIC.exec(topic);
  return m ? { application: m[1], tenant: m[2], device: m[3] } : undefined;
}

/** An uplink's decoded values as readings, timed by `uplink_message.received_at` (else the message's `received_at`). */
export function mapTtsUplink(topic: string, payload: Buffer | string, config: TtsConfig): ReadingBatch {
  const ids = ttsUplinkTopic(topic);
  if (!ids) throw new IngestError('invalid', `"${topic}" ist kein Uplink-Topic v3/{app}@{tenant}/devices/{device}/up.`, 'topic');
  if (config.application && ids.application !== config.application) {
    throw new IngestError('invalid', `Anwendung "${ids.application}" gehört nicht zu dieser Quelle (${config.application}).`, 'topic');
  }
  const body = jsonObject(payload, `TTS uplink ${ids.device}`);
  const deviceIds = isObject(body.end_device_ids) ? body.end_device_ids : undefined;
  if (deviceIds && typeof deviceIds.device_id === 'string' && deviceIds.device_id !== ids.device) {
    throw new IngestError('invalid', `Topic nennt Gerät "${ids.device}", die Nachricht "${deviceIds.device_id}".`, 'end_device_ids.device_id');
  }
  const device = config.devices[ids.device];
  const warnings: IngestWarning[] = [];
  if (!device) {
    warnings.push({ code: 'unknown_station', message: `Gerät "${ids.device}" ist dieser Quelle nicht zugeordnet; Nachricht übersprungen.`, at: 'topic', station: ids.device });
    return { readings: [], warnings };
  }
  const uplink = isObject(body.uplink_message) ? body.uplink_message : undefined;
  const decoded = uplink && isObject(uplink.decoded_payload) ? uplink.decoded_payload : undefined;
  if (!uplink || !decoded) {
    warnings.push({ code: 'skipped', message: `Uplink von "${ids.device}" ohne decoded_payload (kein Payload-Formatter?); übersprungen.`, at: 'uplink_message.decoded_payload', station: ids.device });
    return { readings: [], warnings };
  }
  const whenAt = uplink.received_at !== undefined ? 'uplink_message.received_at' : 'received_at';
  const time = parseInstant(uplink.received_at ?? body.received_at, whenAt);
  const station = device.station ?? ids.device;
  const readings: Reading[] = [];
  for (const [key, raw] of Object.entries(decoded)) {
    const at = `uplink_message.decoded_payload.${key}`;
    const target = device.keys[key];
    if (!target) {
      if (!device.ignore?.includes(key)) warnings.push({ code: 'unknown_stream', message: `Schlüssel "${key}" von "${ids.device}" ist keiner Zeitreihe zugeordnet; übersprungen.`, at, station });
      continue;
    }
    if (raw !== null && (typeof raw !== 'number' || !Number.isFinite(raw))) {
      warnings.push({ code: 'skipped', message: `"${key}" von "${ids.device}" ist keine Zahl (${JSON.stringify(raw)}); übersprungen.`, at, station, stream: target.stream });
      continue;
    }
    const reading: Reading = { station, stream: target.stream, time, value: raw, at };
    if (target.unit !== undefined) reading.unit = target.unit;
    if (raw === null) reading.quality = 'missing';
    readings.push(reading);
  }
  return { readings, warnings };
}

// ---------------------------------------------------------------------------------------------------------------
// One entry point for the subscriber

export interface MqttMappingConfig {
  /** Accept SensorThings create messages on v1.1/Datastreams(ID)/Observations. */
  sensorThings?: boolean;
  flat?: FlatTopicConfig[];
  tts?: TtsConfig;
}

export type MqttMapped =
  | { kind: 'observation'; observation: StaObservationMessage }
  | { kind: 'readings'; batch: ReadingBatch }
  | { kind: 'unmatched' };

/** Routes a message to the mapper its topic belongs to; a topic no mapper claims is `unmatched`. */
export function mapMqttMessage(topic: string, payload: Buffer | string, config: MqttMappingConfig, now?: () => Date): MqttMapped {
  if (config.sensorThings && staTopicDatastream(topic) !== undefined) return { kind: 'observation', observation: mapStaObservation(topic, payload, now) };
  if (config.tts && ttsUplinkTopic(topic)) return { kind: 'readings', batch: mapTtsUplink(topic, payload, config.tts) };
  for (const flat of config.flat ?? []) {
    const batch = mapFlatMessage(topic, payload, flat);
    if (batch) return { kind: 'readings', batch };
  }
  return { kind: 'unmatched' };
}
