/**
 * The ingestion adapters: pure parsers and mappers from what a source sends to ReadingBatch / StationInfo[]
 * (src/sensors/readings.ts). None of them touches the database; the observations writer applies units,
 * sentinels, plausibility, duplicates and revisions to what they return, the same for every path.
 */

/** Which adapter reads which source kind, for the source catalog and its help texts. */
export const INGEST_ADAPTERS = [
  { kind: 'push-json', reads: 'HTTP push JSON: the proposed batch, flat record lists (Eco-Counter), one series with its unit', entry: 'parseJsonPush' },
  { kind: 'push-csv', reads: 'HTTP push / file CSV under a per-source dialect, columns mapped by header name', entry: 'parseCsvBatch' },
  { kind: 'pegelonline', reads: 'PEGELONLINE REST API v2 stations and measurements (and state gauges in the same shape)', entry: 'PegelonlineClient' },
  { kind: 'datex2', reads: 'DATEX II MeasuredDataPublication v3 XML/JSON and v2 XML, through a MeasurementSiteTable', entry: 'parseDatexMeasuredData' },
  { kind: 'mqtt', reads: 'MQTT: SensorThings Observation creates, flat topic trees, The Things Stack uplinks', entry: 'mapMqttMessage' },
] as const;

export type IngestAdapterKind = (typeof INGEST_ADAPTERS)[number]['kind'];

export { parseInstant, TimeResolver, assertTimeZone, type LocalTimePolicy, type LocalResult } from './time';
export { checkDialect, parseDecimal, type CsvDialect } from './csv-dialect';
export { BoundMapping, UNIT_SUFFIXES, checkRecordMapping, jsonNumber, readQuality, type RecordMapping, type ValueField, type TimeFormat } from './record-mapping';
export { parseCsvBatch, PUSH_CSV_DIALECT, PUSH_CSV_MAPPING } from './push-csv';
export { parseJsonPush, PUSH_JSON_MAPPING, type JsonPushConfig, type JsonPushShape, type PushBatchMeta } from './push-json';
export { parseJsonPayload } from './json-input';
export { guardedFetchText, type FetchText } from './http-fetch';
export {
  PEGELONLINE_BASE_URL,
  PegelonlineClient,
  parsePegelonlineMeasurements,
  parsePegelonlineStations,
  pegelonlineMeasurementsUrl,
  pegelonlineStationsUrl,
  type StationsQuery,
} from './pegelonline';
export { DatexClient, parseDatexMeasuredData } from './datex2';
export { datexStations, parseMeasurementSiteTableXml, parseSiteIndexMap, type DatexIndex, type DatexSite, type DatexSiteTable } from './datex2-site-table';
export {
  compileTopicPattern,
  mapFlatMessage,
  mapMqttMessage,
  mapStaObservation,
  mapTtsUplink,
  staTopicDatastream,
  ttsUplinkTopic,
  type FlatTopicConfig,
  type MqttMapped,
  type MqttMappingConfig,
  type StaObservationMessage,
  type TopicPattern,
  type TtsConfig,
  type TtsDeviceMapping,
} from './mqtt-payloads';
