/**
 * Resource formats: the canonical label CKAN clients expect ('CSV'), the MIME types and file
 * extensions that mean it. Used to normalise `format` case-insensitively (`csv`, `text/csv` → CSV)
 * and to guess it from a URL's extension when a steward leaves it empty, as CKAN's
 * clean_format / if_empty_guess_format do. Unknown formats are kept as given.
 */
interface FormatEntry {
  label: string;
  mimetypes: string[];
  extensions: string[];
  aliases?: string[];
}

const FORMATS: FormatEntry[] = [
  { label: 'CSV', mimetypes: ['text/csv', 'application/csv'], extensions: ['csv'], aliases: ['comma separated values'] },
  { label: 'TSV', mimetypes: ['text/tab-separated-values'], extensions: ['tsv', 'tab'] },
  { label: 'JSON', mimetypes: ['application/json'], extensions: ['json'] },
  { label: 'GeoJSON', mimetypes: ['application/geo+json', 'application/vnd.geo+json'], extensions: ['geojson'] },
  { label: 'JSON-LD', mimetypes: ['application/ld+json'], extensions: ['jsonld'] },
  { label: 'XML', mimetypes: ['application/xml', 'text/xml'], extensions: ['xml'] },
  { label: 'RDF', mimetypes: ['application/rdf+xml'], extensions: ['rdf', 'owl'] },
  { label: 'TTL', mimetypes: ['text/turtle'], extensions: ['ttl'], aliases: ['turtle'] },
  { label: 'N3', mimetypes: ['text/n3'], extensions: ['n3'] },
  { label: 'XLS', mimetypes: ['application/vnd.ms-excel'], extensions: ['xls'] },
  { label: 'XLSX', mimetypes: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'], extensions: ['xlsx'] },
  { label: 'ODS', mimetypes: ['application/vnd.oasis.opendocument.spreadsheet'], extensions: ['ods'] },
  { label: 'DOC', mimetypes: ['application/msword'], extensions: ['doc'] },
  { label: 'DOCX', mimetypes: ['application/vnd.openxmlformats-officedocument.wordprocessingml.document'], extensions: ['docx'] },
  { label: 'ODT', mimetypes: ['application/vnd.oasis.opendocument.text'], extensions: ['odt'] },
  { label: 'PDF', mimetypes: ['application/pdf'], extensions: ['pdf'] },
  { label: 'TXT', mimetypes: ['text/plain'], extensions: ['txt'], aliases: ['text'] },
  { label: 'HTML', mimetypes: ['text/html', 'application/xhtml+xml'], extensions: ['html', 'htm', 'xhtml'] },
  { label: 'ZIP', mimetypes: ['application/zip', 'application/x-zip-compressed'], extensions: ['zip'] },
  { label: 'GZ', mimetypes: ['application/gzip', 'application/x-gzip'], extensions: ['gz'] },
  { label: 'TAR', mimetypes: ['application/x-tar'], extensions: ['tar'] },
  { label: '7Z', mimetypes: ['application/x-7z-compressed'], extensions: ['7z'] },
  { label: 'SHP', mimetypes: ['application/x-shapefile', 'application/vnd.shp', 'application/x-esri-shape'], extensions: ['shp'], aliases: ['shapefile', 'esri shapefile'] },
  { label: 'KML', mimetypes: ['application/vnd.google-earth.kml+xml'], extensions: ['kml'] },
  { label: 'KMZ', mimetypes: ['application/vnd.google-earth.kmz'], extensions: ['kmz'] },
  { label: 'GML', mimetypes: ['application/gml+xml'], extensions: ['gml'] },
  { label: 'GPX', mimetypes: ['application/gpx+xml'], extensions: ['gpx'] },
  { label: 'GeoTIFF', mimetypes: ['image/tiff; application=geotiff'], extensions: ['geotiff'] },
  { label: 'GPKG', mimetypes: ['application/geopackage+sqlite3'], extensions: ['gpkg'], aliases: ['geopackage'] },
  { label: 'WMS', mimetypes: [], extensions: [], aliases: ['ogc:wms', 'wms_srvc'] },
  { label: 'WFS', mimetypes: [], extensions: [], aliases: ['ogc:wfs', 'wfs_srvc'] },
  { label: 'WMTS', mimetypes: [], extensions: [], aliases: ['ogc:wmts'] },
  { label: 'PNG', mimetypes: ['image/png'], extensions: ['png'] },
  { label: 'JPEG', mimetypes: ['image/jpeg'], extensions: ['jpg', 'jpeg'], aliases: ['jpg'] },
  { label: 'GIF', mimetypes: ['image/gif'], extensions: ['gif'] },
  { label: 'TIFF', mimetypes: ['image/tiff'], extensions: ['tif', 'tiff'] },
  { label: 'SVG', mimetypes: ['image/svg+xml'], extensions: ['svg'] },
  { label: 'SQL', mimetypes: ['application/sql'], extensions: ['sql'] },
  { label: 'Parquet', mimetypes: ['application/vnd.apache.parquet'], extensions: ['parquet'] },
  { label: 'ICS', mimetypes: ['text/calendar'], extensions: ['ics'] },
  { label: 'API', mimetypes: [], extensions: [] },
  { label: 'ATOM', mimetypes: ['application/atom+xml'], extensions: ['atom'] },
  { label: 'RSS', mimetypes: ['application/rss+xml'], extensions: ['rss'] },
  { label: 'MP4', mimetypes: ['video/mp4'], extensions: ['mp4'] },
  { label: 'MP3', mimetypes: ['audio/mpeg'], extensions: ['mp3'] },
];

const byKey = new Map<string, FormatEntry>();
const byExtension = new Map<string, FormatEntry>();
for (const f of FORMATS) {
  for (const k of [f.label, ...f.mimetypes, ...(f.aliases ?? [])]) byKey.set(k.toLowerCase(), f);
  for (const e of f.extensions) byExtension.set(e, f);
}

/** clean_format: the canonical label of a known format, else the value as given. */
export function cleanFormat(format: string): string {
  const trimmed = format.trim();
  return byKey.get(trimmed.toLowerCase())?.label ?? byKey.get(trimmed.replace(/^\./, '').toLowerCase())?.label ?? trimmed;
}

/** if_empty_guess_format: the format a URL's file extension implies, if any. */
export function guessFormatFromUrl(url: string): string | undefined {
  let path = url;
  try {
    const parsed = new URL(url);
    if (!parsed.pathname || parsed.pathname === '/') return undefined;
    path = parsed.pathname;
  } catch {
    /* a bare file name or relative path */
  }
  const m = /\.([A-Za-z0-9]+)$/.exec(path.split('?')[0]);
  return m ? byExtension.get(m[1].toLowerCase())?.label : undefined;
}

/** The MIME type of a known format label, for uploads without a sniffed type. */
export function mimetypeForFormat(label: string): string | undefined {
  return byKey.get(label.toLowerCase())?.mimetypes[0];
}

/** The format label of a MIME type, if it is a known one (for uploads whose name says nothing). */
export function formatForMimetype(mimetype: string): string | undefined {
  return byKey.get(mimetype.split(';')[0].trim().toLowerCase())?.label;
}
