import { IngestError, type IngestWarning, type QuantityKey, type ReadingBatch, type StationInfo, type StreamInfo } from '../readings';
import type { FetchText } from './http-fetch';
import { parseJsonPayload } from './json-input';
import { parseJsonPush } from './push-json';

/**
 * PEGELONLINE REST API v2 (and state gauges served in the same shape): the station list with its time series,
 * gauge zeros and characteristic values becomes StationInfo; a series' measurements become readings in the
 * series' declared unit; and a small client builds the URLs a poller needs (stations by id or water, and
 * measurements since the last stored time), fetching through an injected function.
 */

export const PEGELONLINE_BASE_URL = 'https://www.pegelonline.wsv.de/webservices/rest-api/v2';

/** Time series shortnames whose quantity the platform knows; everything else (LF, O2, PH, ...) is `other`. */
const QUANTITIES: Readonly<Record<string, QuantityKey>> = { W: 'water_level', Q: 'discharge', WT: 'water_temperature', LT: 'air_temperature' };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Primitive fields of an object, copied as they are (the API documents characteristic values only as "varies"). */
function primitives(o: Record<string, unknown>, skip: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (!skip.includes(k) && (v === null || ['string', 'number', 'boolean'].includes(typeof v))) out[k] = v;
  return out;
}

/**
 * Characteristic values as a key/value list by shortname (MNW, MW, MHW, HSW, M_I ...), each with whatever the
 * source gives (value, unit, longname, validFrom, timespan): parsed leniently, since the API gives no schema.
 */
function characteristicValues(list: unknown): Record<string, Record<string, unknown>> | undefined {
  if (!Array.isArray(list) || !list.length) return undefined;
  const out: Record<string, Record<string, unknown>> = {};
  for (const item of list) {
    if (!isObject(item)) continue;
    const key = str(item.shortname) ?? str(item.longname);
    if (key) out[key] = primitives(item, ['shortname']);
  }
  return Object.keys(out).length ? out : undefined;
}

function toStream(ts: Record<string, unknown>): StreamInfo | undefined {
  const key = str(ts.shortname);
  if (!key) return undefined;
  const stream: StreamInfo = { key, name: str(ts.longname) ?? key, quantity: QUANTITIES[key] ?? 'other', unit: str(ts.unit) ?? '' };
  const minutes = num(ts.equidistance);
  if (minutes && minutes > 0) stream.intervalSeconds = minutes * 60;
  const properties: Record<string, unknown> = {};
  if (isObject(ts.gaugeZero)) properties.gaugeZero = primitives(ts.gaugeZero);
  const cv = characteristicValues(ts.characteristicValues);
  if (cv) properties.characteristicValues = cv;
  if (Object.keys(properties).length) stream.properties = properties;
  return stream;
}

/** `stations.json` (with or without `includeTimeseries`) as stations keyed by their immutable uuid. */
export function parsePegelonlineStations(input: string | Buffer): { stations: StationInfo[]; warnings: IngestWarning[] } {
  const body = parseJsonPayload(input, 'PEGELONLINE stations.json');
  if (!Array.isArray(body)) throw new IngestError('invalid', 'stations.json muss eine Liste von Stationen sein.', 'byte 0');
  const stations: StationInfo[] = [];
  const warnings: IngestWarning[] = [];
  body.forEach((s, i) => {
    const at = `[${i}]`;
    const uuid = isObject(s) ? str(s.uuid) : undefined;
    if (!isObject(s) || !uuid) {
      warnings.push({ code: 'skipped', message: `Station ${at} ohne uuid übersprungen.`, at });
      return;
    }
    const station: StationInfo = { key: uuid, name: str(s.longname) ?? str(s.shortname) ?? uuid, streams: [] };
    const lon = num(s.longitude);
    const lat = num(s.latitude);
    if (lon !== undefined && lat !== undefined) station.location = { type: 'Point', coordinates: [lon, lat] };
    const properties: Record<string, unknown> = primitives(s, ['uuid', 'longitude', 'latitude']);
    if (isObject(s.water)) properties.water = primitives(s.water);
    station.properties = properties;
    if (Array.isArray(s.timeseries)) {
      s.timeseries.forEach((ts, j) => {
        const stream = isObject(ts) ? toStream(ts) : undefined;
        if (stream) station.streams.push(stream);
        else warnings.push({ code: 'unknown_stream', message: `Zeitreihe ${at}.timeseries[${j}] ohne shortname übersprungen.`, at: `${at}.timeseries[${j}]`, station: uuid });
      });
    }
    stations.push(station);
  });
  return { stations, warnings };
}

/**
 * `stations/{uuid}/{ts}/measurements.json` as readings of that series, in the unit the station list declares for
 * it. PEGELONLINE always sends offsets; a naive time refuses the answer. Sentinels (-777) pass through for the writer.
 */
export function parsePegelonlineMeasurements(input: string | Buffer, series: { station: string; stream: string; unit?: string }): ReadingBatch {
  const { readings, warnings } = parseJsonPush(input, { shape: 'timeseries', station: series.station, stream: series.stream, unit: series.unit });
  return { readings, warnings };
}

/** Encodes one query value or path segment: umlauts as UTF-8, `+` of an offset as %2B, spaces as %20. */
const enc = (v: string): string => encodeURIComponent(v);

export interface StationsQuery {
  /** Station uuids, names or numbers. */
  ids?: string[];
  /** Waters by shortname (`RHEIN`, `MOSEL`). */
  waters?: string[];
  includeTimeseries?: boolean;
  includeCharacteristicValues?: boolean;
  includeCurrentMeasurement?: boolean;
}

/** The station list's URL; time series and characteristic values are included unless turned off. */
export function pegelonlineStationsUrl(query: StationsQuery = {}, base = PEGELONLINE_BASE_URL): string {
  const params: string[] = [];
  if (query.ids?.length) params.push(`ids=${query.ids.map(enc).join(',')}`);
  if (query.waters?.length) params.push(`waters=${query.waters.map(enc).join(',')}`);
  params.push(`includeTimeseries=${query.includeTimeseries ?? true}`);
  params.push(`includeCharacteristicValues=${query.includeCharacteristicValues ?? true}`);
  if (query.includeCurrentMeasurement) params.push('includeCurrentMeasurement=true');
  return `${base.replace(/\/+$/, '')}/stations.json?${params.join('&')}`;
}

/**
 * A series' measurements since `start`: the last stored time (an instant; the reading at it comes again and is a
 * no-op for the writer) or an ISO period such as `P31D` (PEGELONLINE keeps 31 days) for a first poll.
 */
export function pegelonlineMeasurementsUrl(station: string, timeseries: string, start: Date | string, base = PEGELONLINE_BASE_URL): string {
  const from = start instanceof Date ? start.toISOString() : start;
  return `${base.replace(/\/+$/, '')}/stations/${enc(station)}/${enc(timeseries)}/measurements.json?start=${enc(from)}`;
}

/** The poller's view of PEGELONLINE: URLs built here, the fetch injected (the guarded one in production). */
export class PegelonlineClient {
  constructor(
    private readonly fetchText: FetchText,
    private readonly base = PEGELONLINE_BASE_URL,
  ) {}

  async stations(query: StationsQuery = {}): Promise<{ stations: StationInfo[]; warnings: IngestWarning[] }> {
    return parsePegelonlineStations(await this.fetchText(pegelonlineStationsUrl(query, this.base)));
  }

  /** Readings of one series since `start` (see pegelonlineMeasurementsUrl), in the unit the series declares. */
  async measurements(station: string, stream: StreamInfo | string, start: Date | string): Promise<ReadingBatch> {
    const key = typeof stream === 'string' ? stream : stream.key;
    const unit = typeof stream === 'string' ? undefined : stream.unit || undefined;
    const body = await this.fetchText(pegelonlineMeasurementsUrl(station, key, start, this.base));
    return parsePegelonlineMeasurements(body, { station, stream: key, unit });
  }
}
