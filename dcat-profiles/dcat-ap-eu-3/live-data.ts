import { writeDataService } from './services';
import { geojsonToWKT, wktToGeoJSON } from '@terraformer/wkt';
import { iri, named, NamedNode, NS, ReadScope, ResourceScope, Term, typedLiteral, WriteScope } from '../../src/dcat/profile';

/**
 * Places and live data: the `spatial` extra (GeoJSON, as ckanext-spatial stores it) as a dcterms:Location, and the parts of a sensor dataset (`type: "sensor"`) a table cannot say: its DataStore-fed distributions
 * (CSV dumps that change with every reading) and the two APIs that serve them, the SensorThings endpoint and the
 * DataStore API, as dcat:DataService nodes of their own.
 */

const RDF_TYPE = iri('rdf', 'type');
const GSP = NS.gsp;

/** OGC SensorThings API Part 1: Sensing, version 1.1 (OGC 18-088), the standard's identifier. */
export const STA_STANDARD = 'http://www.opengis.net/spec/iot_sensing/1.1';
/** The standard's text, which describes every operation of the endpoint. */
export const STA_DOCUMENT = 'https://docs.ogc.org/is/18-088/18-088.html';
/** SensorThings API's path under the site (src/sensors/sta). */
export const STA_PATH = '/sta/v1.1';
/** Resource types of a sensor dataset that SensorThings also serves (aggregates it does not). */
const STA_RESOURCES = new Set(['sensor_datastream', 'sensor_latest']);

type Position = [number, number, ...number[]];
const isPosition = (p: unknown): p is Position => Array.isArray(p) && p.length >= 2 && p.every((n) => typeof n === 'number' && Number.isFinite(n));
type Geometry = { type: string; coordinates?: unknown; geometries?: Geometry[] };

/** The IANA media type IRI ckanext-dcat (and GeoDCAT-AP) types a GeoJSON literal with. */
export const GEOJSON_DATATYPE = 'https://www.iana.org/assignments/media-types/application/vnd.geo+json';
const WKT_DATATYPE = `${GSP}wktLiteral`;
const GEOJSON_LITERAL = `${GSP}geoJSONLiteral`;
const GEOMETRY_TYPES = new Set(['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon', 'GeometryCollection']);

/** The GeoJSON geometry of a `spatial` value (a Feature's geometry too), or undefined when it is none (a steward's text stays unpublished). */
function geometryOf(raw: string): Geometry | undefined {
  try {
    let g = JSON.parse(raw) as { type?: unknown; coordinates?: unknown; geometry?: unknown; geometries?: unknown };
    if (g && typeof g === 'object' && g.type === 'Feature') g = g.geometry as typeof g;
    if (!g || typeof g !== 'object' || typeof g.type !== 'string' || !GEOMETRY_TYPES.has(g.type)) return undefined;
    if (g.type === 'GeometryCollection') return Array.isArray(g.geometries) ? (g as Geometry) : undefined;
    return 'coordinates' in g ? (g as Geometry) : undefined;
  } catch {
    return undefined;
  }
}

/** Every position of a geometry's coordinates, however deeply nested. */
const positions = (c: unknown): Position[] => (isPosition(c) ? [c] : Array.isArray(c) ? c.flatMap(positions) : []);
const positionsOf = (g: Geometry): Position[] => (g.type === 'GeometryCollection' ? (g.geometries ?? []).flatMap(positionsOf) : positions(g.coordinates));
const wkt = (text: string): Term => typedLiteral(text, WKT_DATATYPE);
const num = (n: number): string => String(Number(n.toFixed(7)));

/** The geometry as WKT (OGC Simple Features, lon/lat, CRS84 as GeoSPARQL's default), or undefined when it has none. */
function toWkt(g: Geometry): string | undefined {
  try {
    return geojsonToWKT(g as Parameters<typeof geojsonToWKT>[0]);
  } catch {
    return undefined;
  }
}

/**
 * A WKT literal as GeoJSON. GeoSPARQL lets it start with its CRS's IRI: CRS84 (the default) is read as it is,
 * EPSG:4326 with its axes swapped back to lon/lat; another CRS cannot be read without a projection library.
 */
export function wktToGeometry(text: string): Geometry | undefined {
  let body = text.trim();
  let swap = false;
  const crs = /^<([^>]*)>\s*/.exec(body);
  if (crs) {
    body = body.slice(crs[0].length);
    if (/\/EPSG\/\d+\/4326$|EPSG:4326$/i.test(crs[1])) swap = true;
    else if (!/CRS84$/i.test(crs[1])) return undefined;
  }
  try {
    const g = wktToGeoJSON(body) as Geometry;
    if (!swap) return g;
    const flip = (c: unknown): unknown => (isPosition(c) ? [c[1], c[0], ...c.slice(2)] : Array.isArray(c) ? c.map(flip) : c);
    const swapped = (x: Geometry): Geometry => (x.type === 'GeometryCollection' ? { ...x, geometries: (x.geometries ?? []).map(swapped) } : { ...x, coordinates: flip(x.coordinates) });
    return swapped(g);
  } catch {
    return undefined;
  }
}

/**
 * dcterms:spatial from the `spatial` extra (GeoJSON, as ckanext-spatial keeps it): a dcterms:Location with
 *  - the shape itself twice, as GeoJSON (gsp:asGeoJSON, typed with the IANA media type ckanext-dcat uses) and as WKT
 *    (gsp:asWKT, gsp:wktLiteral), on a geometry node the Location names by GeoSPARQL's gsp:hasGeometry;
 *  - dcat:bbox: the bounding box as a WKT polygon (not for a point, which has no area);
 *  - dcat:centroid: the box's centre as a WKT point.
 * Not under locn:geometry: no form of it passes both generations of shapes GovData checks (DCAT-AP.de 3.0 wants one
 * node or IRI there, the DCAT-AP 2 conventions one literal; ckanext-dcat, GovData's harvester, reads only literals and
 * fails on a node), while bbox and centroid are literals in both. The reader takes locn:geometry from others in either form.
 */
export function writeSpatialGeometry(s: WriteScope): void {
  const raw = s.get('spatial');
  const g = raw && geometryOf(raw);
  const points = g ? positionsOf(g) : [];
  if (!g || !points.length) return;
  const location = named(`${s.node.value}#location`);
  s.add(s.node, iri('dcterms', 'spatial'), location);
  s.add(location, RDF_TYPE, iri('dcterms', 'Location'));
  const geometry = named(`${s.node.value}#geometry`);
  s.add(location, iri('gsp', 'hasGeometry'), geometry);
  s.add(geometry, RDF_TYPE, iri('gsp', 'Geometry'));
  s.add(geometry, iri('gsp', 'asGeoJSON'), typedLiteral(JSON.stringify(g), GEOJSON_DATATYPE));
  const text = toWkt(g);
  if (text) s.add(geometry, iri('gsp', 'asWKT'), wkt(text));
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const [w, e, so, n] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  if (g.type !== 'Point') s.add(location, iri('dcat', 'bbox'), wkt(`POLYGON((${num(w)} ${num(so)},${num(e)} ${num(so)},${num(e)} ${num(n)},${num(w)} ${num(n)},${num(w)} ${num(so)}))`));
  s.add(location, iri('dcat', 'centroid'), wkt(`POINT(${num((w + e) / 2)} ${num((so + n) / 2)})`));
}

/** A geometry literal (GeoJSON by its datatype or look, else WKT) as GeoJSON. */
function literalGeometry(t: Term): Geometry | undefined {
  if (t.termType !== 'Literal') return undefined;
  const dt = t.datatype.value;
  if (dt === GEOJSON_DATATYPE || dt === GEOJSON_LITERAL || t.value.trim().startsWith('{')) return geometryOf(t.value);
  return wktToGeometry(t.value);
}

/**
 * `spatial` back from a dcterms:Location: its geometry's GeoJSON first, else its WKT turned into GeoJSON, else its
 * dcat:bbox as a polygon, else its centroid as a point. The geometry may be a literal on locn:geometry (ckanext-dcat,
 * DCAT-AP 2), a node under locn:geometry (DCAT-AP 3) or gsp:hasGeometry (ours) with gsp:asGeoJSON / gsp:asWKT.
 */
export function readSpatialGeometry(r: ReadScope): void {
  for (const location of r.objects(r.node, iri('dcterms', 'spatial'))) {
    if (location.termType === 'Literal') continue;
    const candidates: Term[] = [];
    for (const geometry of [...r.objects(location, iri('locn', 'geometry')), ...r.objects(location, iri('gsp', 'hasGeometry'))]) {
      if (geometry.termType === 'Literal') candidates.push(geometry);
      else candidates.push(...r.objects(geometry, iri('gsp', 'asGeoJSON')), ...r.objects(geometry, iri('gsp', 'asWKT')), ...r.objects(geometry, iri('locn', 'geometry')));
    }
    // GeoJSON before WKT: it is the form `spatial` holds, so nothing is lost converting it.
    candidates.sort((a, b) => Number(!(a.termType === 'Literal' && (a.datatype.value === GEOJSON_DATATYPE || a.datatype.value === GEOJSON_LITERAL))) - Number(!(b.termType === 'Literal' && (b.datatype.value === GEOJSON_DATATYPE || b.datatype.value === GEOJSON_LITERAL))));
    for (const c of [...candidates, ...r.objects(location, iri('dcat', 'bbox')), ...r.objects(location, iri('dcat', 'centroid'))]) {
      const g = literalGeometry(c);
      if (g && positionsOf(g).length) return r.set('spatial', JSON.stringify(g));
    }
  }
}

const isSensor = (dataset: Record<string, unknown>): boolean => dataset.type === 'sensor';
const datasetNode = (s: WriteScope): string => `${s.siteUrl}/dataset/${String(s.dataset.id)}`;
const staService = (s: WriteScope): NamedNode => named(`${datasetNode(s)}#sensorthings-api`);
const datastoreService = (s: WriteScope): NamedNode => named(`${datasetNode(s)}#datastore-api`);

/** A sensor dataset's APIs: the SensorThings endpoint (its Thing, Datastreams and Observations) and the DataStore API. */
export function writeLiveServices(s: WriteScope): void {
  if (!isSensor(s.dataset)) return;
  writeDataService(s, staService(s), {
    title: 'OGC SensorThings API',
    description: 'Messstelle, Messreihen und Messwerte dieses Datensatzes nach OGC SensorThings API 1.1 (Things, Datastreams, Observations), lesbar mit jedem SensorThings-Client.',
    endpoints: [`${s.siteUrl}${STA_PATH}`],
    endpointDescription: STA_DOCUMENT,
    conformsTo: [STA_STANDARD],
    serves: [s.node],
  });
  writeDataService(s, datastoreService(s), {
    title: 'CKAN DataStore API',
    description: 'Die Messwerte dieses Datensatzes als Tabellen der DataStore-API (datastore_search, datastore_search_sql), je Ressource.',
    endpoints: [`${s.siteUrl}/api/3/action/datastore_search`],
    endpointDescription: `${s.siteUrl}/api/3/action/help_show?name=datastore_search`,
    serves: [s.node],
  });
}

/**
 * dcterms:temporal of a sensor dataset: a PeriodOfTime from its first observation on, without an end, as it is live.
 * Only while it has observations, and only when a steward set no temporal_start / temporal_end (written as such).
 */
export function writeLiveTemporal(s: WriteScope): void {
  const start = s.live?.firstObservationAt;
  if (!isSensor(s.dataset) || !start || s.get('temporal_start') || s.get('temporal_end')) return;
  const period = named(`${datasetNode(s)}#observation-period`);
  s.add(s.node, iri('dcterms', 'temporal'), period);
  s.add(period, RDF_TYPE, iri('dcterms', 'PeriodOfTime'));
  s.add(period, iri('dcat', 'startDate'), typedLiteral(start, `${NS.xsd}dateTime`));
}

/**
 * A DataStore-fed distribution of a sensor dataset: its CSV dump is the download (text/csv, renewed with every
 * reading), reachable also through the APIs that serve the dataset.
 */
export function writeLiveDistribution(s: ResourceScope): void {
  if (!isSensor(s.dataset) || s.get('url_type') !== 'datastore' || s.resource.datastore_active !== true) return;
  const dump = s.get('url');
  const d = dump && s.value('iri', dump);
  if (d) s.add(s.node, iri('dcat', 'downloadURL'), d);
  if (!s.get('mimetype')) s.add(s.node, iri('dcat', 'mediaType'), named('https://www.iana.org/assignments/media-types/text/csv'));
  if (STA_RESOURCES.has(s.get('resource_type') ?? '')) s.add(s.node, iri('dcat', 'accessService'), staService(s));
  s.add(s.node, iri('dcat', 'accessService'), datastoreService(s));
}
