import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { IngestError, type IngestWarning, type QuantityKey, type Reading, type ReadingBatch, type StationInfo, type StreamInfo } from '../readings';
import type { FetchText } from './http-fetch';
import { parseJsonPayload } from './json-input';
import { parseInstant } from './time';

/**
 * DATEX II traffic detectors: a MeasuredDataPublication (v3 XML, v3 JSON or v2 XML, told apart by the root's
 * namespace or the JSON wrapper) read through the MeasurementSiteTable, which alone says what a site's `index`
 * means (lane and quantity). A value is meaningful only through its site and index, so an unknown site or index
 * is skipped with a warning (the caller refreshes the table) and never becomes a new station. `dataError=true`
 * makes a reading `invalid` with the source's reason: a dead loop's 0 is no real zero.
 */

export const DATEX_V3_NAMESPACE_PREFIX = 'http://datex2.eu/schema/3/';
export const DATEX_V2_NAMESPACE = 'http://datex2.eu/schema/2/2_0';

type DatexQuantity = Extract<QuantityKey, 'vehicle_flow' | 'speed' | 'occupancy'>;

/** What one index of a site measures. */
export interface DatexIndex {
  index: string;
  lane: string;
  quantity: DatexQuantity;
  unit: string;
  periodSeconds?: number;
}

export interface DatexSite {
  id: string;
  version?: string;
  name: string;
  location?: { lon: number; lat: number };
  indexes: Map<string, DatexIndex>;
}

export interface DatexSiteTable {
  id?: string;
  version?: string;
  sites: Map<string, DatexSite>;
}

/** The units DATEX II fixes for each quantity's value element (vehicleFlowRate, speed, percentage). */
const UNITS: Record<DatexQuantity, string> = { vehicle_flow: 'veh/h', speed: 'km/h', occupancy: '%' };
const NAMES: Record<DatexQuantity, string> = { vehicle_flow: 'Verkehrsstärke', speed: 'Mittlere Geschwindigkeit', occupancy: 'Belegung' };

/** Site-table value types (v2/v3 `specificMeasurementValueType`, and the summary file's words) as quantities. */
function quantityOf(word: string | undefined): DatexQuantity | undefined {
  switch (word) {
    case 'trafficFlow':
    case 'vehicleFlow':
      return 'vehicle_flow';
    case 'trafficSpeed':
      return 'speed';
    case 'trafficConcentration':
    case 'occupancy':
      return 'occupancy';
    default:
      return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
/** An element's text, whether it came as a string, a number or an object with attributes. */
function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() || undefined;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (isObject(v)) return text(v['#text'] ?? v.value);
  return undefined;
}
const localName = (qname: string | undefined): string | undefined => qname?.replace(/^.*:/, '');
const finite = (v: unknown): number | undefined => {
  const t = text(v);
  const n = t === undefined ? NaN : Number(t);
  return Number.isFinite(n) ? n : undefined;
};

// ---------------------------------------------------------------------------------------------------------------
// XML

interface XmlDocument {
  /** The root element's local name and namespace URI. */
  root: string;
  namespace: string | undefined;
  /** The root element with namespace prefixes removed from element and attribute names (`@_type`, `@_id`). */
  node: Record<string, unknown>;
}

function stripPrefixes(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripPrefixes);
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, child] of Object.entries(v)) {
    if (k === '@_xmlns' || k.startsWith('@_xmlns:')) continue;
    const name = k.startsWith('@_') ? `@_${localName(k.slice(2))}` : k.startsWith('#') || k.startsWith('?') ? k : (localName(k) as string);
    const value = stripPrefixes(child);
    out[name] = name in out ? [...arr(out[name]), ...arr(value)] : value;
  }
  return out;
}

/**
 * Parses XML with fast-xml-parser (htmlEntities: also character references such as &#252;, which it otherwise leaves
 * as they are) (a maintained, dependency-light parser; these documents are a few MB at most, so a
 * tree is simpler than streaming). A DOCTYPE is refused outright: DATEX II never has one, and refusing it closes
 * the door to entity expansion attacks. Malformed XML refuses the payload naming line and column.
 */
function parseXml(input: string | Buffer, what: string): XmlDocument {
  const xml = typeof input === 'string' ? input : input.toString('utf8');
  if (/<!DOCTYPE/i.test(xml)) throw new IngestError('malformed', `${what}: XML mit DOCTYPE wird nicht gelesen.`, `byte ${Buffer.byteLength(xml.slice(0, xml.search(/<!DOCTYPE/i)))}`);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new IngestError('malformed', `${what}: kein wohlgeformtes XML: ${msg}`, `line ${line}, column ${col}`);
  }
  const tree = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, parseAttributeValue: false, processEntities: true, htmlEntities: true }).parse(xml) as Record<string, unknown>;
  const rootKey = Object.keys(tree).find((k) => !k.startsWith('?') && !k.startsWith('#'));
  if (!rootKey || !isObject(tree[rootKey])) throw new IngestError('malformed', `${what}: kein Wurzelelement.`, 'byte 0');
  const rootNode = tree[rootKey] as Record<string, unknown>;
  const prefix = rootKey.includes(':') ? rootKey.slice(0, rootKey.indexOf(':')) : undefined;
  const namespace = text(rootNode[prefix ? `@_xmlns:${prefix}` : '@_xmlns']);
  return { root: localName(rootKey) as string, namespace, node: stripPrefixes(rootNode) as Record<string, unknown> };
}

// ---------------------------------------------------------------------------------------------------------------
// Measurement site table

/**
 * The summary a source may keep instead of the XML table (test/fixtures/sensors/datex2/site-index-map.json):
 * `{measurementSiteTable{id,version}, sites[{id, version, name, latitude, longitude, indexes[{index, lane, quantity, unit, period_s}]}]}`.
 */
export function parseSiteIndexMap(input: string | Buffer): DatexSiteTable {
  const body = parseJsonPayload(input, 'DATEX II site index map');
  if (!isObject(body) || !Array.isArray(body.sites)) throw new IngestError('invalid', 'Erwartet: {measurementSiteTable, sites: [...]}.', 'sites');
  const table: DatexSiteTable = { sites: new Map() };
  if (isObject(body.measurementSiteTable)) {
    table.id = text(body.measurementSiteTable.id);
    table.version = text(body.measurementSiteTable.version);
  }
  body.sites.forEach((s, i) => {
    const id = isObject(s) ? text(s.id) : undefined;
    if (!isObject(s) || !id) throw new IngestError('invalid', `sites[${i}] hat keine id.`, `sites[${i}]`);
    const site: DatexSite = { id, version: text(s.version), name: text(s.name) ?? id, indexes: new Map() };
    const lat = finite(s.latitude);
    const lon = finite(s.longitude);
    if (lat !== undefined && lon !== undefined) site.location = { lon, lat };
    arr(s.indexes).forEach((x, j) => {
      const at = `sites[${i}].indexes[${j}]`;
      const quantity = isObject(x) ? quantityOf(text(x.quantity)) : undefined;
      const index = isObject(x) ? text(x.index) : undefined;
      const lane = isObject(x) ? text(x.lane) : undefined;
      if (!isObject(x) || !quantity || !index || !lane) throw new IngestError('invalid', `${at}: index, lane und eine bekannte quantity sind nötig.`, at);
      site.indexes.set(index, { index, lane, quantity, unit: text(x.unit) ?? UNITS[quantity], periodSeconds: finite(x.period_s) });
    });
    table.sites.set(id, site);
  });
  return table;
}

/** A v3 MeasurementSiteTablePublication (XML): sites with names, point locations and what each index measures. */
export function parseMeasurementSiteTableXml(input: string | Buffer): DatexSiteTable {
  const doc = parseXml(input, 'DATEX II MeasurementSiteTable');
  if (!doc.namespace?.startsWith(DATEX_V3_NAMESPACE_PREFIX) || doc.root !== 'payload' || localName(text(doc.node['@_type'])) !== 'MeasurementSiteTablePublication') {
    throw new IngestError('invalid', `Keine DATEX-II-v3-MeasurementSiteTablePublication (Wurzel ${doc.root}, Namensraum ${doc.namespace ?? '-'}).`, 'byte 0');
  }
  const tables = arr(doc.node.measurementSiteTable).filter(isObject);
  if (!tables.length) throw new IngestError('invalid', 'Die Publikation enthält keine measurementSiteTable.', 'measurementSiteTable');
  const table: DatexSiteTable = { id: text(tables[0]['@_id']), version: text(tables[0]['@_version']), sites: new Map() };
  for (const t of tables) {
    arr(t.measurementSite).forEach((s, i) => {
      const at = `measurementSite[${i}]`;
      const id = isObject(s) ? text(s['@_id']) : undefined;
      if (!isObject(s) || !id) throw new IngestError('invalid', `${at} hat keine id.`, at);
      const name = arr(isObject(s.measurementSiteName) && isObject(s.measurementSiteName.values) ? s.measurementSiteName.values.value : undefined).map(text).find(Boolean);
      const site: DatexSite = { id, version: text(s['@_version']), name: name ?? id, indexes: new Map() };
      const coords = (s.measurementSiteLocation as Record<string, Record<string, Record<string, unknown>>> | undefined)?.pointByCoordinates?.pointCoordinates;
      const lat = finite(coords?.latitude);
      const lon = finite(coords?.longitude);
      if (lat !== undefined && lon !== undefined) site.location = { lon, lat };
      for (const c of arr(s.measurementSpecificCharacteristics).filter(isObject)) {
        const index = text(c['@_index']);
        const inner = isObject(c.measurementSpecificCharacteristics) ? c.measurementSpecificCharacteristics : c;
        const quantity = quantityOf(text(inner.specificMeasurementValueType));
        const lane = text(inner.specificLane) ?? 'allLanesCompleteCarriageway';
        if (!index || !quantity) continue; // a value type this platform does not store (travel time, vehicle classes)
        site.indexes.set(index, { index, lane, quantity, unit: UNITS[quantity], periodSeconds: finite(inner.period) });
      }
      table.sites.set(id, site);
    });
  }
  return table;
}

const laneName = (lane: string): string => {
  const n = /^lane(\d+)$/.exec(lane);
  return n ? `Fahrstreifen ${n[1]}` : lane;
};
const streamKey = (ix: DatexIndex): string => `${ix.lane}/${ix.quantity}`;

/** One StationInfo per site, one stream per lane and quantity (several indexes for the same pair share it). */
export function datexStations(table: DatexSiteTable): StationInfo[] {
  return [...table.sites.values()].map((site) => {
    const streams = new Map<string, StreamInfo>();
    for (const ix of site.indexes.values()) {
      const key = streamKey(ix);
      if (streams.has(key)) continue;
      const stream: StreamInfo = { key, name: `${NAMES[ix.quantity]}, ${laneName(ix.lane)}`, quantity: ix.quantity, unit: ix.unit, properties: { lane: ix.lane, index: Number(ix.index) } };
      if (ix.periodSeconds) stream.intervalSeconds = ix.periodSeconds;
      streams.set(key, stream);
    }
    const properties: Record<string, unknown> = {};
    if (table.id) properties.measurementSiteTable = table.id;
    if (site.version) properties.siteVersion = site.version;
    const station: StationInfo = { key: site.id, name: site.name, streams: [...streams.values()], properties };
    if (site.location) station.location = { type: 'Point', coordinates: [site.location.lon, site.location.lat] };
    return station;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Measured data

/** One index's value as read, before the site table gives it meaning. */
interface RawValue {
  index: string;
  kind: DatexQuantity | undefined;
  value: number | null;
  dataError: boolean;
  reason?: string;
}

interface RawSiteMeasurement {
  site: string;
  time: unknown;
  periodSeconds?: number;
  values: RawValue[];
  at: string;
}

/** The value element inside basicData (v2 and v3 XML, after prefixes are stripped; v3 JSON has the same names). */
function readBasicData(type: string | undefined, data: Record<string, unknown>, index: string): RawValue {
  const pick = (outer: string, leaf: string, kind: DatexQuantity): RawValue | undefined => {
    const el = data[outer];
    if (!isObject(el)) return undefined;
    const dataError = text(el.dataError) === 'true';
    const reasonValues = isObject(el.reasonForDataError) ? el.reasonForDataError.values : undefined;
    const reason = arr(isObject(reasonValues) ? reasonValues.value : reasonValues)
      .map(text)
      .find(Boolean);
    const raw = text(el[leaf]);
    const n = raw === undefined ? undefined : Number(raw);
    return { index, kind, value: n !== undefined && Number.isFinite(n) ? n : null, dataError, ...(reason ? { reason } : {}) };
  };
  const t = localName(type)?.replace(/^roadTrafficData/, '');
  const found =
    (t === undefined || t === 'TrafficFlow' ? pick('vehicleFlow', 'vehicleFlowRate', 'vehicle_flow') : undefined) ??
    (t === undefined || t === 'TrafficSpeed' ? pick('averageVehicleSpeed', 'speed', 'speed') : undefined) ??
    (t === undefined || t === 'TrafficConcentration' ? pick('occupancy', 'percentage', 'occupancy') : undefined);
  return found ?? { index, kind: undefined, value: null, dataError: false };
}

function v3XmlSites(node: Record<string, unknown>): RawSiteMeasurement[] {
  return arr(node.siteMeasurements)
    .filter(isObject)
    .map((sm, i) => {
      const time = isObject(sm.measurementTimeDefault) ? sm.measurementTimeDefault : {};
      const values = arr(sm.physicalQuantity)
        .filter(isObject)
        .map((pq) => {
          const inner = isObject(pq.physicalQuantity) ? pq.physicalQuantity : {};
          const basic = isObject(inner.basicData) ? inner.basicData : {};
          return readBasicData(text(basic['@_type']), basic, text(pq['@_index']) ?? '?');
        });
      const ref = isObject(sm.measurementSiteReference) ? sm.measurementSiteReference : {};
      return { site: text(ref['@_id']) ?? '', time: text(time.timeValue), periodSeconds: finite(time.period), values, at: `siteMeasurements[${i}]` };
    });
}

function v2XmlSites(node: Record<string, unknown>): RawSiteMeasurement[] {
  return arr(node.siteMeasurements)
    .filter(isObject)
    .map((sm, i) => {
      const values = arr(sm.measuredValue)
        .filter(isObject)
        .map((mv) => {
          const inner = isObject(mv.measuredValue) ? mv.measuredValue : mv;
          const basic = isObject(inner.basicData) ? inner.basicData : {};
          return readBasicData(text(basic['@_type']), basic, text(mv['@_index']) ?? '?');
        });
      const ref = isObject(sm.measurementSiteReference) ? sm.measurementSiteReference : {};
      return { site: text(ref['@_id']) ?? '', time: text(sm.measurementTimeDefault), values, at: `siteMeasurements[${i}]` };
    });
}

/** v3 JSON: subtype keys join package and class (`roadTrafficDataTrafficFlow`), identifiers are `idG`. */
function v3JsonSites(publication: Record<string, unknown>): RawSiteMeasurement[] {
  return arr(publication.siteMeasurements)
    .filter(isObject)
    .map((sm, i) => {
      const time = isObject(sm.measurementTimeDefault) ? sm.measurementTimeDefault : {};
      const values = arr(sm.physicalQuantity)
        .filter(isObject)
        .map((pq) => {
          const wrapper = isObject(pq.physicalQuantity) ? pq.physicalQuantity : {};
          const single = Object.values(wrapper).find(isObject) ?? {};
          const basicWrapper = isObject(single.basicData) ? single.basicData : {};
          const [type, basic] = Object.entries(basicWrapper).find(([, v]) => isObject(v)) ?? [undefined, {}];
          return readBasicData(type, basic as Record<string, unknown>, text(pq.index) ?? '?');
        });
      const ref = isObject(sm.measurementSiteReference) ? sm.measurementSiteReference : {};
      return { site: text(ref.idG ?? ref.id) ?? '', time: text(time.timeValue), periodSeconds: finite(time.period), values, at: `siteMeasurements[${i}]` };
    });
}

/** Which DATEX II encoding a payload is in, and its site measurements. */
function readMeasuredData(input: string | Buffer): { version: 'v2' | 'v3-xml' | 'v3-json'; sites: RawSiteMeasurement[]; publicationTime?: string } {
  const head = (typeof input === 'string' ? input : input.subarray(0, 64).toString('utf8')).trimStart();
  if (head.startsWith('{')) {
    const body = parseJsonPayload(input, 'DATEX II v3 JSON');
    const payload = isObject(body) && isObject(body.payload) ? body.payload : undefined;
    const publication = payload && isObject(payload.roadTrafficDataMeasuredDataPublication) ? payload.roadTrafficDataMeasuredDataPublication : undefined;
    if (!publication) throw new IngestError('invalid', 'Kein DATEX-II-v3-JSON mit payload.roadTrafficDataMeasuredDataPublication.', 'payload');
    return { version: 'v3-json', sites: v3JsonSites(publication), publicationTime: text(publication.publicationTime) };
  }
  const doc = parseXml(input, 'DATEX II MeasuredDataPublication');
  if (doc.namespace === DATEX_V2_NAMESPACE && doc.root === 'd2LogicalModel') {
    const publication = arr(doc.node.payloadPublication).find(isObject);
    if (!publication || localName(text(publication['@_type'])) !== 'MeasuredDataPublication') {
      throw new IngestError('invalid', 'DATEX II v2 ohne payloadPublication vom Typ MeasuredDataPublication.', 'payloadPublication');
    }
    return { version: 'v2', sites: v2XmlSites(publication), publicationTime: text(publication.publicationTime) };
  }
  if (doc.namespace?.startsWith(DATEX_V3_NAMESPACE_PREFIX) && doc.root === 'payload') {
    if (localName(text(doc.node['@_type'])) !== 'MeasuredDataPublication') {
      throw new IngestError('invalid', `DATEX II v3 payload vom Typ ${text(doc.node['@_type']) ?? '-'}, erwartet MeasuredDataPublication.`, 'payload');
    }
    return { version: 'v3-xml', sites: v3XmlSites(doc.node), publicationTime: text(doc.node.publicationTime) };
  }
  throw new IngestError('invalid', `Kein DATEX II v2 oder v3 (Wurzel ${doc.root}, Namensraum ${doc.namespace ?? '-'}).`, 'byte 0');
}

/**
 * A MeasuredDataPublication (v3 XML, v3 JSON or v2 XML) as readings of the sites the table knows: station = site
 * id, stream = lane/quantity, time = measurementTimeDefault (the interval's start), end = time + period (the
 * publication's, else the table's). A time without offset refuses the payload.
 */
export function parseDatexMeasuredData(input: string | Buffer, table: DatexSiteTable): ReadingBatch & { version: string; publicationTime?: Date } {
  const { version, sites, publicationTime } = readMeasuredData(input);
  const readings: Reading[] = [];
  const warnings: IngestWarning[] = [];
  for (const sm of sites) {
    const site = table.sites.get(sm.site);
    if (!site) {
      warnings.push({ code: 'unknown_station', message: `Messstelle "${sm.site}" steht nicht in der Messstellentabelle; übersprungen (Tabelle neu laden).`, at: sm.at, station: sm.site });
      continue;
    }
    const time = parseInstant(sm.time, `${sm.at}/measurementTimeDefault`);
    for (const v of sm.values) {
      const at = `${sm.at}/index ${v.index}`;
      const ix = site.indexes.get(v.index);
      if (!ix) {
        warnings.push({ code: 'unknown_stream', message: `Index ${v.index} ist für Messstelle "${site.id}" nicht definiert; übersprungen.`, at, station: site.id });
        continue;
      }
      if (v.kind !== ix.quantity) {
        warnings.push({ code: 'unknown_stream', message: `Index ${v.index} von "${site.id}" ist ${ix.quantity}, geliefert wurde ${v.kind ?? 'ein unbekannter Wert'}; übersprungen.`, at, station: site.id });
        continue;
      }
      const reading: Reading = { station: site.id, stream: streamKey(ix), time, value: v.value, unit: ix.unit, at };
      const period = sm.periodSeconds ?? ix.periodSeconds;
      if (period) reading.end = new Date(time.getTime() + period * 1000);
      if (v.dataError) {
        reading.quality = 'invalid';
        reading.qualityReason = v.reason ?? 'dataError';
      } else if (v.value === null) {
        reading.quality = 'missing';
      }
      readings.push(reading);
    }
  }
  const result: ReadingBatch & { version: string; publicationTime?: Date } = { readings, warnings, version };
  if (publicationTime) result.publicationTime = parseInstant(publicationTime, 'publicationTime');
  return result;
}

/**
 * Pulls a source's DATEX II over HTTP (fetch injected; the guarded one in production): the site table (v3 XML, or
 * the JSON index map) and the measured data read through it.
 */
export class DatexClient {
  constructor(private readonly fetchText: FetchText) {}

  async siteTable(url: string): Promise<DatexSiteTable> {
    const body = await this.fetchText(url);
    return body.trimStart().startsWith('{') ? parseSiteIndexMap(body) : parseMeasurementSiteTableXml(body);
  }

  async measuredData(url: string, table: DatexSiteTable): Promise<ReturnType<typeof parseDatexMeasuredData>> {
    return parseDatexMeasuredData(await this.fetchText(url), table);
  }
}
