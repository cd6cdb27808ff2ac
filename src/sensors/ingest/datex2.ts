import { IngestError, type IngestWarning, type Reading, type ReadingBatch } from '../readings';
import { DATEX_V2_NAMESPACE, DATEX_V3_NAMESPACE_PREFIX, datexStreamKey, parseMeasurementSiteTableXml, parseSiteIndexMap, type DatexQuantity, type DatexSiteTable } from './datex2-site-table';
import { arr, finite, isObject, localName, parseXml, text } from './datex2-xml';
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
      const reading: Reading = { station: site.id, stream: datexStreamKey(ix), time, value: v.value, unit: ix.unit, at };
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
