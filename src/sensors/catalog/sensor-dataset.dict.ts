import { spatialProblem } from '../../common/geojson';
import type { QuantityKey, StationInfo, StreamInfo } from '../readings';
import { QUANTITIES, unitOfMeasurement } from './sensor-quantities';
import type { DatastreamRow } from './sensor-thing.repository';

/**
 * What a sensor dataset's package dict should hold, from its station: the parts the sync owns (title, notes, its
 * extras, its keywords, its live resources). Everything else of the dataset, and every resource the sync did not make,
 * stays as a steward left it.
 */

type Dict = Record<string, unknown>;
export type ResourceKind = 'sensor_latest' | 'sensor_datastream' | 'sensor_hourly' | 'sensor_daily';

/** Resource keys the sync owns. */
const OWN_RESOURCE_KEYS = ['name', 'description', 'format', 'url', 'url_type', 'resource_type', 'datastore_active', 'sensor_stream', 'unit'];
/** Extras the sync owns. */
const OWN_EXTRAS = ['spatial', 'sensor_source', 'sensor_station'];
const BASE_TAGS = ['Echtzeitdaten', 'Sensordaten'];

function resource(siteUrl: string, id: string, kind: ResourceKind, name: string, description: string, extra: Dict = {}): Dict {
  const url = `${siteUrl.replace(/\/+$/, '')}/datastore/dump/${id}`;
  return { id, name, description, format: 'CSV', url, url_type: 'datastore', resource_type: kind, datastore_active: true, ...extra };
}

/** The dataset's resources: the latest values, one per datastream, the hourly and daily aggregates, then the steward's own. */
export function liveResources(
  siteUrl: string, station: StationInfo, ids: { latest: string; hourly: string; daily: string },
  streams: { stream: StreamInfo; resourceId: string }[], current: Dict[],
): Dict[] {
  const ours: Dict[] = [
    resource(siteUrl, ids.latest, 'sensor_latest', 'Aktuelle Messwerte', `Der jeweils neueste Messwert jeder Messreihe von ${station.name}.`),
    ...streams.map(({ stream, resourceId }) => {
      const unit = unitOfMeasurement(stream.quantity, stream.unit);
      return resource(siteUrl, resourceId, 'sensor_datastream', stream.name, stream.description ?? `${stream.name} (${unit.symbol}) an ${station.name}: alle Messwerte mit Zeitpunkt und Qualität.`, {
        sensor_stream: stream.key, unit: unit.symbol,
      });
    }),
    resource(siteUrl, ids.hourly, 'sensor_hourly', 'Stundenwerte', `Anzahl, Minimum, Maximum, Mittel und Summe je Stunde und Messreihe von ${station.name}.`),
    resource(siteUrl, ids.daily, 'sensor_daily', 'Tageswerte', `Anzahl, Minimum, Maximum, Mittel und Summe je Tag und Messreihe von ${station.name}.`),
  ];
  const ourIds = new Set(ours.map((r) => r.id as string));
  const byId = new Map(current.map((r) => [r.id as string, r]));
  return [...ours.map((r) => ({ ...(byId.get(r.id as string) ?? {}), ...r })), ...current.filter((r) => !ourIds.has(r.id as string))];
}

/** The fields of the dataset the sync writes (package_create's, or package_patch's when they changed), and its notes. */
export function desiredDataset(station: StationInfo, source: { name: string; title?: string } | null, current: Dict | null, resources: Dict[]): { desired: Dict; notes: string } {
  const labels = [...new Set(station.streams.map((s) => QUANTITIES[s.quantity]?.label ?? s.name))];
  const notes = station.description
    ?? `Laufend aktualisierte Messwerte der Messstelle ${station.name}${labels.length ? ` (${labels.join(', ')})` : ''}${source ? `, übernommen aus der Quelle „${source.title || source.name}“` : ''}. Die Werte sind ungeprüfte Rohdaten.`;
  const spatial = station.location ? spatialOf(station.location) : undefined;
  const ourExtras: Dict = {
    ...(spatial ? { spatial } : {}),
    ...(source ? { sensor_source: source.name, sensor_station: station.key } : {}),
  };
  // Only what this write sets replaces an extra (a SensorThings change of a source's Thing leaves the source's extras);
  // a station moved to a place that is no extent (see spatialOf) leaves none, rather than the old place.
  const dropped = (key: string): boolean => key in ourExtras || (key === 'spatial' && !!station.location && !spatial);
  const currentExtras = ((current?.extras ?? []) as { key: string; value: unknown }[]).filter((e) => !(OWN_EXTRAS.includes(e.key) && dropped(e.key)));
  // How often it changes (DCAT's dct:accrualPeriodicity): the finest interval of its series, else continuous; a steward's choice stays.
  if (!currentExtras.some((e) => e.key === 'frequency')) ourExtras.frequency = frequencyOf(station.streams);
  const extras = [...currentExtras, ...Object.entries(ourExtras).map(([key, value]) => ({ key, value }))];
  const quantityTags = station.streams.map((s) => QUANTITIES[s.quantity]?.tag).filter((x): x is string => !!x);
  // A steward's tags stay as they are, a vocabulary's with its vocabulary_id (sent back as a free tag it would become one).
  const currentTags = ((current?.tags ?? []) as TagRef[]).map((x) => (x.vocabulary_id ? { name: x.name, vocabulary_id: x.vocabulary_id } : { name: x.name }));
  const freeNames = new Set(currentTags.filter((x) => !x.vocabulary_id).map((x) => x.name));
  const ours = [...new Set([...BASE_TAGS, ...quantityTags])].filter((name) => !freeNames.has(name)).map((name) => ({ name }));
  return { desired: { title: station.name, notes, extras, tags: [...currentTags, ...ours], resources }, notes };
}

type TagRef = { name: string; vocabulary_id?: string | null };

/**
 * A station's place as the dataset's `spatial` extent: its GeoJSON geometry (a SensorThings Location may hold a
 * Feature, whose geometry it is), or undefined when it is none the catalog accepts (src/common/geojson.ts: on the
 * globe, not too large), so a SensorThings client's odd Location never fails the dataset's write.
 */
export function spatialOf(location: unknown): string | undefined {
  const l = location as { type?: unknown; geometry?: unknown } | null;
  const geometry = l && typeof l === 'object' && l.type === 'Feature' ? l.geometry : l;
  if (!geometry || typeof geometry !== 'object') return undefined;
  const text = JSON.stringify(geometry);
  return spatialProblem(text) ? undefined : text;
}

const FREQUENCY = 'http://publications.europa.eu/resource/authority/frequency/';
const BY_SECONDS: [number, string][] = [[60, '1MIN'], [300, '5MIN'], [600, '10MIN'], [900, '15MIN'], [1800, '30MIN'], [3600, 'HOURLY']];

/** The EU frequency of a station's data: its finest series interval when the table has it, else CONT. */
export function frequencyOf(streams: StreamInfo[]): string {
  const finest = Math.min(...streams.map((s) => s.intervalSeconds ?? Infinity));
  return FREQUENCY + (BY_SECONDS.find(([seconds]) => seconds === finest)?.[1] ?? 'CONT');
}

/** Whether the dataset differs from what the sync wants in anything the sync owns. */
export function changed(current: Dict, desired: Dict): boolean {
  if (current.title !== desired.title || (current.notes ?? '') !== (desired.notes ?? '')) return true;
  const extras = (l: unknown): string => JSON.stringify(((l ?? []) as { key: string; value: unknown }[]).map((e) => [e.key, e.value]).sort());
  if (extras(current.extras) !== extras(desired.extras)) return true;
  const tags = (l: unknown): string => JSON.stringify(((l ?? []) as TagRef[]).map((x) => `${x.vocabulary_id ?? ''}|${x.name}`).sort());
  if (tags(current.tags) !== tags(desired.tags)) return true;
  const own = (l: unknown): string => JSON.stringify(((l ?? []) as Dict[]).map((r) => [r.id, ...OWN_RESOURCE_KEYS.map((k) => r[k] ?? null)]));
  return own(current.resources) !== own(desired.resources);
}

/**
 * A Datastream as the stream it was made from (for changing a Thing made before): its name without the station's in
 * front, its description unless it is the one made up for it, its declared unit. `keepName`: a Datastream of a Thing
 * made through SensorThings, named as its client named it.
 */
export function streamOf(d: DatastreamRow, stationName: string, keepName = false): StreamInfo {
  const props = { ...(d.properties ?? {}) };
  const declared = typeof props.declared_unit === 'string' ? props.declared_unit : String(d.unit_of_measurement.symbol ?? '');
  delete props.declared_unit;
  const name = keepName || !d.name.startsWith(`${stationName} `) ? d.name : d.name.slice(stationName.length + 1);
  const description = d.description === datastreamDescription(name, stationName) ? undefined : d.description;
  return { key: d.source_key ?? String(d.id), name, description, quantity: d.quantity as QuantityKey, unit: declared, intervalSeconds: d.interval_seconds ?? undefined, properties: props };
}

/** A Datastream's name: the station's and the stream's. */
export const datastreamName = (streamName: string, stationName: string): string => `${stationName} ${streamName}`;
/** The description of a Datastream whose stream brings none. */
export const datastreamDescription = (streamName: string, stationName: string): string => `${streamName} an ${stationName}`;
