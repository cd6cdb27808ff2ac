/**
 * The kinds of web service a CKAN resource's `format` can name, and how each is described as a dcat:DataService:
 * the standard it conforms to (dct:conformsTo), where its self-description is (dcat:endpointDescription) and the EU
 * file type its format maps to where that table has one (WMS_SRVC, WFS_SRVC, WCS_SRVC; the EU table,
 * version 20221214-0, has no code for WMTS, OGC API Features or SensorThings, so those publish no dcterms:format and
 * the standard names what they are).
 *
 * Standards: the OGC Naming Authority's service types (http://www.opengis.net/def/serviceType/ogc/…, what GeoDCAT-AP
 * and INSPIRE's OGC-based services name as their protocol) for the classic OGC web services, the standards' own
 * identifiers (http://www.opengis.net/spec/…) for OGC API Features Part 1 and SensorThings API 1.1, which have no
 * service type there.
 */

export interface ServiceKind {
  /** The canonical CKAN `format` for it (what a distribution without an EU file type reads back as). */
  format: string;
  title: string;
  /** The EU file-type code, where the EU table has one. */
  fileType?: string;
  /** dct:conformsTo of its DataService. */
  standard: string;
  /** Spellings seen in CKAN `format` values, normalised (lower case, "ogc" and all but letters and digits dropped). */
  spellings: readonly string[];
  /** The endpoint (dcat:endpointURL) and its self-description (dcat:endpointDescription), from the resource's URL. */
  describe(url: string): { endpoint: string; description: string };
}

/** An OGC web service's URL without its request parameters (SERVICE, REQUEST, VERSION…): the service's address. */
function kvpEndpoint(url: string): URL | undefined {
  try {
    const u = new URL(url);
    for (const key of [...u.searchParams.keys()]) {
      if (/^(service|request|version|acceptversions|layers?|typenames?|typename|outputformat)$/i.test(key)) u.searchParams.delete(key);
    }
    return u;
  } catch {
    return undefined;
  }
}

/** A classic OGC web service (KVP binding): its capabilities document is `?SERVICE=<X>&REQUEST=GetCapabilities`. */
function ogcKvp(service: string): ServiceKind['describe'] {
  return (url) => {
    const u = kvpEndpoint(url);
    if (!u) return { endpoint: url, description: url };
    const endpoint = u.href.replace(/\?$/, '');
    u.searchParams.set('SERVICE', service);
    u.searchParams.set('REQUEST', 'GetCapabilities');
    return { endpoint, description: u.href };
  };
}

/** OGC API Features: the landing page is the endpoint (a collection's URL is cut back to it), its OpenAPI document `/api`. */
const ogcApi: ServiceKind['describe'] = (url) => {
  const base = url.split(/[?#]/)[0].replace(/\/collections(\/.*)?$/, '').replace(/\/(api|conformance)\/?$/, '').replace(/\/+$/, '');
  return { endpoint: base, description: `${base}/api` };
};

/** SensorThings: the service root (…/v1.1), which lists its entity sets and, from 1.1 on, its conformance classes. */
const sensorThings: ServiceKind['describe'] = (url) => {
  const plain = url.split(/[?#]/)[0];
  const m = /^(.*?\/v\d+\.\d+)(\/|$)/.exec(plain);
  const root = m ? m[1] : plain.replace(/\/+$/, '');
  return { endpoint: root, description: root };
};

export const SERVICE_KINDS: readonly ServiceKind[] = [
  { format: 'WMS', title: 'OGC Web Map Service (WMS)', fileType: 'WMS_SRVC', standard: 'http://www.opengis.net/def/serviceType/ogc/wms', spellings: ['wms', 'wmssrvc', 'webmapservice', 'wmsdienst', 'wmsservice'], describe: ogcKvp('WMS') },
  { format: 'WFS', title: 'OGC Web Feature Service (WFS)', fileType: 'WFS_SRVC', standard: 'http://www.opengis.net/def/serviceType/ogc/wfs', spellings: ['wfs', 'wfssrvc', 'webfeatureservice', 'wfsdienst', 'wfsservice'], describe: ogcKvp('WFS') },
  { format: 'WCS', title: 'OGC Web Coverage Service (WCS)', fileType: 'WCS_SRVC', standard: 'http://www.opengis.net/def/serviceType/ogc/wcs', spellings: ['wcs', 'wcssrvc', 'webcoverageservice', 'wcsdienst'], describe: ogcKvp('WCS') },
  { format: 'WMTS', title: 'OGC Web Map Tile Service (WMTS)', standard: 'http://www.opengis.net/def/serviceType/ogc/wmts', spellings: ['wmts', 'wmtssrvc', 'webmaptileservice', 'wmtsdienst', 'wmtsservice'], describe: ogcKvp('WMTS') },
  {
    format: 'OGC API Features', title: 'OGC API – Features', standard: 'http://www.opengis.net/spec/ogcapi-features-1/1.0',
    spellings: ['apifeatures', 'oapif', 'oaf', 'apifeature', 'featuresapi', 'apifeaturesdienst', 'apif'], describe: ogcApi,
  },
  {
    format: 'SensorThings', title: 'OGC SensorThings API', standard: 'http://www.opengis.net/spec/iot_sensing/1.1',
    spellings: ['sensorthings', 'sensorthingsapi', 'sta', 'iotsensing', 'sensorthingsapi11', 'sensorthingsapi10'], describe: sensorThings,
  },
];

const BY_SPELLING = new Map(SERVICE_KINDS.flatMap((k) => k.spellings.map((s) => [s, k] as const)));
const BY_STANDARD = new Map(SERVICE_KINDS.map((k) => [k.standard, k] as const));

/** The service a CKAN `format` value names ("WMS", "OGC:WFS", "WMS_SRVC", "OGC API - Features", "SensorThings API"…), if any. */
export function serviceKindOf(format: unknown): ServiceKind | undefined {
  if (typeof format !== 'string') return undefined;
  const key = format.toLowerCase().replace(/^https?:\/\/publications\.europa\.eu\/resource\/authority\/file-type\//, '').replace(/ogc/g, '').replace(/[^a-z0-9]/g, '');
  return BY_SPELLING.get(key);
}

/** The service kind a dct:conformsTo IRI names (also the SensorThings 1.0 standard and OGC API Features' conformance classes). */
export function serviceKindByStandard(iri: string): ServiceKind | undefined {
  const known = BY_STANDARD.get(iri);
  if (known) return known;
  if (/^https?:\/\/www\.opengis\.net\/spec\/ogcapi-features-1\//.test(iri)) return BY_STANDARD.get('http://www.opengis.net/spec/ogcapi-features-1/1.0');
  if (/^https?:\/\/www\.opengis\.net\/spec\/iot_sensing\//.test(iri)) return BY_STANDARD.get('http://www.opengis.net/spec/iot_sensing/1.1');
  return undefined;
}
