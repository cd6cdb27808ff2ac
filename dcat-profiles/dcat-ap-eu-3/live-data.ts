import { HVD_LEGISLATION } from '../vocabularies/hvd-categories';
import { publisherNode } from './publisher';
import { iri, literal, named, NS, ReadScope, ResourceScope, Term, typedLiteral, WriteScope } from '../../src/dcat/profile';

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

/** The GeoJSON geometry of a `spatial` value, or undefined when it is none (a steward's text stays unpublished). */
function geometryOf(raw: string): { type: string; coordinates?: unknown } | undefined {
  try {
    const g = JSON.parse(raw) as { type?: unknown; coordinates?: unknown };
    return g && typeof g === 'object' && typeof g.type === 'string' && 'coordinates' in g ? (g as { type: string; coordinates: unknown }) : undefined;
  } catch {
    return undefined;
  }
}

/** Every position of a geometry's coordinates, however deeply nested. */
const positions = (c: unknown): Position[] => (isPosition(c) ? [c] : Array.isArray(c) ? c.flatMap(positions) : []);
const wkt = (text: string): Term => typedLiteral(text, `${GSP}wktLiteral`);

/**
 * dcterms:spatial from the `spatial` extra (GeoJSON): a Location with a point's dcat:centroid, or another shape's
 * dcat:bbox, as WKT literals. Not locn:geometry: DCAT-AP 3.0 wants a locn:Geometry node there, while the DCAT-AP 2
 * shapes GovData's conventions run with want a literal, so no form of it passes both; centroid and bbox are
 * literals in both.
 */
export function writeSpatialGeometry(s: WriteScope): void {
  const raw = s.get('spatial');
  const g = raw && geometryOf(raw);
  const points = g ? positions(g.coordinates) : [];
  if (!g || !points.length) return;
  const location = named(`${s.node.value}#location`);
  s.add(s.node, iri('dcterms', 'spatial'), location);
  s.add(location, RDF_TYPE, iri('dcterms', 'Location'));
  if (g.type === 'Point') {
    s.add(location, iri('dcat', 'centroid'), wkt(`POINT(${points[0][0]} ${points[0][1]})`));
    return;
  }
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const [w, e, so, n] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  s.add(location, iri('dcat', 'bbox'), wkt(`POLYGON((${w} ${so},${e} ${so},${e} ${n},${w} ${n},${w} ${so}))`));
}

/** A point's centroid back into `spatial` as GeoJSON (a bbox is not the shape it came from, so it stays unread). */
export function readSpatialGeometry(r: ReadScope): void {
  for (const location of r.objects(r.node, iri('dcterms', 'spatial'))) {
    const m = /^POINT\s*\(\s*(-?[\d.]+)\s+(-?[\d.]+)\s*\)$/i.exec(r.text(r.one(location, iri('dcat', 'centroid'))) ?? '');
    if (m) return r.set('spatial', JSON.stringify({ type: 'Point', coordinates: [Number(m[1]), Number(m[2])] }));
  }
}

const isSensor = (dataset: Record<string, unknown>): boolean => dataset.type === 'sensor';
const datasetNode = (s: WriteScope): string => `${s.siteUrl}/dataset/${String(s.dataset.id)}`;
const staService = (s: WriteScope): Term => named(`${datasetNode(s)}#sensorthings-api`);
const datastoreService = (s: WriteScope): Term => named(`${datasetNode(s)}#datastore-api`);

/** One DataService serving the dataset, with the dataset's publisher and licence. */
function writeService(s: WriteScope, node: Term, d: { title: string; description: string; endpoint: string; endpointDescription: string; conformsTo?: string }): void {
  s.add(node, RDF_TYPE, iri('dcat', 'DataService'));
  s.add(node, iri('dcterms', 'title'), literal(d.title));
  s.add(node, iri('dcterms', 'description'), literal(d.description));
  s.add(node, iri('dcat', 'endpointURL'), named(d.endpoint));
  s.add(node, iri('dcat', 'endpointDescription'), named(d.endpointDescription));
  if (d.conformsTo) s.add(node, iri('dcterms', 'conformsTo'), named(d.conformsTo));
  s.add(node, iri('dcat', 'servesDataset'), s.node);
  // DCAT-AP.de 3.0 requires a DataService's publisher: the dataset's own (described where the dataset names it).
  const publisher = publisherNode(s);
  if (publisher) s.add(node, iri('dcterms', 'publisher'), publisher.node);
  const license = s.dataset.license_id as string | undefined;
  const l = license ? s.value({ vocab: 'license' }, license) : undefined;
  if (l) s.add(node, iri('dcterms', 'license'), l);
  writeHvdService(s, node, d.endpointDescription);
}

/**
 * The APIs of a high-value dataset carry what the HVD shapes ask of a data service: the dataset's applicable legislation
 * and HVD categories, its documentation (the endpoint's description) and a contact point (the dataset's e-mail or
 * page, else its organization's or publisher's).
 */
function writeHvdService(s: WriteScope, node: Term, documentation: string): void {
  const legislation = s.getMany('applicable_legislation');
  if (!legislation.includes(HVD_LEGISLATION)) return;
  for (const v of legislation) {
    const t = s.value('iri', v);
    if (t) s.add(node, iri('dcatap', 'applicableLegislation'), t);
  }
  for (const v of s.getMany('hvd_category')) {
    const t = s.value({ vocab: 'hvdCategory' }, v);
    if (t) s.add(node, iri('dcatap', 'hvdCategory'), t);
  }
  s.add(node, iri('foaf', 'page'), named(documentation));
  const email = s.get('contact_email', { inherit: true }) ?? s.get('maintainer_email') ?? s.get('publisher_email', { inherit: true });
  const url = s.get('contact_url', { inherit: true }) ?? s.get('publisher_url', { inherit: true });
  const e = email ? s.value('iri', email.startsWith('mailto:') ? email : `mailto:${email.trim()}`) : undefined;
  const u = url ? s.value('iri', url) : undefined;
  if (!e && !u) return;
  const kind = s.blank();
  s.add(node, iri('dcat', 'contactPoint'), kind);
  s.add(kind, RDF_TYPE, iri('vcard', 'Organization'));
  const name = s.get('contact_name', { inherit: true }) ?? publisherNode(s)?.name;
  if (name) s.add(kind, iri('vcard', 'fn'), literal(name));
  if (e) s.add(kind, iri('vcard', 'hasEmail'), e);
  if (u) s.add(kind, iri('vcard', 'hasURL'), u);
}

/** A sensor dataset's APIs: the SensorThings endpoint (its Thing, Datastreams and Observations) and the DataStore API. */
export function writeLiveServices(s: WriteScope): void {
  if (!isSensor(s.dataset)) return;
  writeService(s, staService(s), {
    title: 'OGC SensorThings API',
    description: 'Messstelle, Messreihen und Messwerte dieses Datensatzes nach OGC SensorThings API 1.1 (Things, Datastreams, Observations), lesbar mit jedem SensorThings-Client.',
    endpoint: `${s.siteUrl}${STA_PATH}`,
    endpointDescription: STA_DOCUMENT,
    conformsTo: STA_STANDARD,
  });
  writeService(s, datastoreService(s), {
    title: 'CKAN DataStore API',
    description: 'Die Messwerte dieses Datensatzes als Tabellen der DataStore-API (datastore_search, datastore_search_sql), je Ressource.',
    endpoint: `${s.siteUrl}/api/3/action/datastore_search`,
    endpointDescription: `${s.siteUrl}/api/3/action/help_show?name=datastore_search`,
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
