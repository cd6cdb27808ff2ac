import { IngestError, type QuantityKey, type StationInfo, type StreamInfo } from '../readings';
import { arr, finite, isObject, localName, parseXml, text } from './datex2-xml';
import { parseJsonPayload } from './json-input';

/**
 * The DATEX II MeasurementSiteTable: which sites exist, where, and what each site's `index` measures (lane and
 * quantity). Without it a measured value means nothing, so it is read first and kept by the source.
 */

export const DATEX_V3_NAMESPACE_PREFIX = 'http://datex2.eu/schema/3/';
export const DATEX_V2_NAMESPACE = 'http://datex2.eu/schema/2/2_0';
export type DatexQuantity = Extract<QuantityKey, 'vehicle_flow' | 'speed' | 'occupancy'>;

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

export const DATEX_UNITS: Record<DatexQuantity, string> = { vehicle_flow: 'veh/h', speed: 'km/h', occupancy: '%' };
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
      site.indexes.set(index, { index, lane, quantity, unit: text(x.unit) ?? DATEX_UNITS[quantity], periodSeconds: finite(x.period_s) });
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
        site.indexes.set(index, { index, lane, quantity, unit: DATEX_UNITS[quantity], periodSeconds: finite(inner.period) });
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
export const datexStreamKey = (ix: DatexIndex): string => `${ix.lane}/${ix.quantity}`;

/** One StationInfo per site, one stream per lane and quantity (several indexes for the same pair share it). */
export function datexStations(table: DatexSiteTable): StationInfo[] {
  return [...table.sites.values()].map((site) => {
    const streams = new Map<string, StreamInfo>();
    for (const ix of site.indexes.values()) {
      const key = datexStreamKey(ix);
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
