import { resolveTerm } from '../../dcat-profiles/vocabularies';
import { splitMany } from './dcat-graph';
import type { Dict } from './profile';

/**
 * A dataset's metadata quality in the manner of data.europa.eu's Metadata Quality Assessment (MQA,
 * https://data.europa.eu/mqa/methodology): five dimensions, each indicator worth the MQA's weight, 405 points in all,
 * rated excellent (351–405), good (221–350), sufficient (121–220) or bad (0–120). Each indicator names the CKAN
 * field(s) it reads, so a steward sees what would raise the score.
 *
 * Where the MQA asks about distributions, the points are the weight times the share of distributions that meet it
 * (as the MQA does over a catalogue), rounded to one decimal. Nothing here touches the network: an HTTP status is
 * known only for what the catalog itself serves (an uploaded file, a DataStore table); other URLs are "not checked"
 * (met: null) and earn nothing.
 */
export type QualityDimension = 'findability' | 'accessibility' | 'interoperability' | 'reusability' | 'contextuality';
export type QualityRating = 'excellent' | 'good' | 'sufficient' | 'bad';

export interface QualityIndicator {
  dimension: QualityDimension;
  /** The MQA indicator, e.g. `keyword_usage`. */
  indicator: string;
  /** The CKAN fields it reads; `resources.<key>` for a resource field. */
  fields: string[];
  points: number;
  max: number;
  /** true: fully met; false: not (or only partly) met; null: not checked (the points are 0). */
  met: boolean | null;
  /** What would raise it, short (the fields say where): only when not fully met. */
  hint_de?: string;
  hint_en?: string;
}

export interface QualityReport {
  score: number;
  max: number;
  rating: QualityRating;
  dimensions: Record<QualityDimension, { points: number; max: number }>;
  indicators: QualityIndicator[];
}

/** Whether DCAT-AP.de validation found the dataset free of violations (undefined where none ran). */
export interface ComplianceVerdict {
  conforms: boolean;
}

/** MQA's rating bands (data.europa.eu, "Rating"). */
export function ratingOf(score: number): QualityRating {
  if (score >= 351) return 'excellent';
  if (score >= 221) return 'good';
  if (score >= 121) return 'sufficient';
  return 'bad';
}

/**
 * Non-proprietary formats (EU file types): open specifications anyone may implement without a licence. Our own list,
 * written after the MQA's "non-proprietary" vocabulary; a format not in it earns no point here.
 */
const NON_PROPRIETARY = new Set([
  'CSV', 'TSV', 'JSON', 'JSON_LD', 'GEOJSON', 'XML', 'RDF', 'RDF_XML', 'RDF_TURTLE', 'RDF_N_TRIPLES', 'RDF_N_QUADS', 'RDF_TRIG', 'N3',
  'ODS', 'ODT', 'ODP', 'ODG', 'ODF', 'TXT', 'HTML', 'XHTML', 'GML', 'KML', 'KMZ', 'GPKG', 'GPX', 'PNG', 'SVG', 'TIFF', 'GEOTIFF',
  'NETCDF', 'HDF5', 'ATOM', 'RSS', 'ZIP', 'GZIP', 'TAR', '7Z', 'PDFA1A', 'PDFA1B', 'PDFA2A', 'PDFA2B', 'PARQUET', 'YAML', 'MARKDOWN',
  'WMS_SRVC', 'WFS_SRVC', 'WMTS_SRVC', 'WCS_SRVC', 'SPARQLQ', 'GRID', 'JPEG', 'JPEG2000', 'WEBP', 'OWL', 'SKOS_XML', 'ICS', 'DBF',
]);

/** Machine-readable formats (EU file types): structured data a program reads without a person. Our own list, after the MQA's. */
const MACHINE_READABLE = new Set([
  'CSV', 'TSV', 'JSON', 'JSON_LD', 'GEOJSON', 'XML', 'RDF', 'RDF_XML', 'RDF_TURTLE', 'RDF_N_TRIPLES', 'RDF_N_QUADS', 'RDF_TRIG', 'N3',
  'ODS', 'XLS', 'XLSX', 'GML', 'KML', 'KMZ', 'GPKG', 'GPX', 'SHP', 'NETCDF', 'HDF5', 'ATOM', 'RSS', 'PARQUET', 'YAML', 'DBF', 'MDB',
  'WMS_SRVC', 'WFS_SRVC', 'WMTS_SRVC', 'WCS_SRVC', 'SPARQLQ', 'GRID', 'GEOTIFF', 'OWL', 'SKOS_XML', 'ICS', 'SQL', 'XLSM',
]);

const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');
const has = (v: unknown): boolean => str(v) !== '';

/** The dataset's value of `key`: a top-level field, else an extra. */
function field(d: Dict, key: string): unknown {
  if (has(d[key]) || Array.isArray(d[key])) return d[key];
  const extras = (d.extras as { key: string; value: unknown }[] | undefined) ?? [];
  return extras.find((e) => e.key === key)?.value;
}
const filled = (d: Dict, key: string): boolean => splitMany(field(d, key)).length > 0;
/** The organization's extras a dataset inherits when it has none of its own (as the profiles publish them). */
const INHERITED = Symbol('inherited');
type Scored = Dict & { [INHERITED]?: Record<string, string> };
const inherited = (d: Scored, key: string): boolean => has(d[INHERITED]?.[key]);

const round1 = (n: number): number => Math.round(n * 10) / 10;

interface Rule {
  dimension: QualityDimension;
  indicator: string;
  fields: string[];
  max: number;
  de: string;
  en: string;
  /** The hint when it could not be checked, if it differs. */
  unchecked?: { de: string; en: string };
  /** The share met (0–1), or null when it could not be checked. */
  share: (d: Scored, resources: Dict[], compliance?: ComplianceVerdict) => number | null;
}

/** Share of resources meeting `test`; 0 when the dataset has none (a distribution is what the MQA looks at). */
const shareOf = (resources: Dict[], test: (r: Dict) => boolean): number => (resources.length ? resources.filter(test).length / resources.length : 0);

/** A resource the catalog serves itself: an uploaded file or a DataStore table (its dump), known to answer 200. */
const servedHere = (r: Dict): boolean => (r.url_type === 'upload' && has(r.url)) || r.datastore_active === true || r.url_type === 'datastore';

/** The download URL our profiles publish: the resource's download_url, else the URL of an upload. */
const downloadUrl = (r: Dict): boolean => has(r.download_url) || (r.url_type === 'upload' && has(r.url)) || r.datastore_active === true;

/** The EU file type of a resource's format, if it is one. */
const fileType = (r: Dict): string | undefined => (has(r.format) ? resolveTerm('fileType', str(r.format))?.code : undefined);

/**
 * Share of resources whose URL is known to answer 200: those the catalog serves itself. Of other URLs nothing is known
 * (they are not fetched during a write): when no URL is ours, the indicator is not checked.
 */
function reachability(resources: Dict[], relevant: (r: Dict) => boolean): number | null {
  const subject = resources.filter(relevant);
  if (!subject.length) return 0;
  const ours = subject.filter(servedHere).length;
  return ours ? ours / resources.length : null;
}

const RULES: Rule[] = [
  // Findability (100)
  { dimension: 'findability', indicator: 'keyword_usage', fields: ['tags'], max: 30, de: 'Schlagwörter angeben.', en: 'Add keywords.', share: (d) => (splitMany(d.tags).length ? 1 : 0) },
  { dimension: 'findability', indicator: 'categories', fields: ['groups', 'theme'], max: 30, de: 'Ein EU-Datenthema angeben (Gruppe oder Extra theme).', en: 'Add an EU data theme (group or extra theme).', share: (d) => ((d.groups as Dict[] | undefined)?.some((g) => resolveTerm('theme', str(g.name))) || splitMany(field(d, 'theme')).some((t) => resolveTerm('theme', t)) ? 1 : 0) },
  { dimension: 'findability', indicator: 'geo_search', fields: ['spatial', 'spatial_uri', 'politicalGeocodingURI'], max: 20, de: 'Den räumlichen Bezug angeben.', en: 'Give the spatial coverage.', share: (d) => (['spatial', 'spatial_uri', 'politicalGeocodingURI'].some((k) => filled(d, k)) || inherited(d, 'politicalGeocodingURI') ? 1 : 0) },
  { dimension: 'findability', indicator: 'time_based_search', fields: ['temporal_start', 'temporal_end'], max: 20, de: 'Den zeitlichen Bezug angeben.', en: 'Give the temporal coverage.', share: (d) => (filled(d, 'temporal_start') || filled(d, 'temporal_end') ? 1 : 0) },
  // Accessibility (100)
  { dimension: 'accessibility', indicator: 'access_url_status', fields: ['resources.url'], max: 50, de: 'Nicht geprüft: nur Hochgeladenes und der DataStore gelten als erreichbar.', en: 'Not checked: only uploads and the DataStore count as reachable.', share: (_d, rs) => reachability(rs, () => true) },
  { dimension: 'accessibility', indicator: 'download_url', fields: ['resources.download_url', 'resources.url_type'], max: 20, de: 'Eine Download-URL angeben oder die Datei hochladen.', en: 'Give a download URL or upload the file.', share: (_d, rs) => shareOf(rs, downloadUrl) },
  { dimension: 'accessibility', indicator: 'download_url_status', fields: ['resources.download_url', 'resources.url_type'], max: 30, de: 'Nicht geprüft: nur Hochgeladenes und der DataStore gelten als erreichbar.', en: 'Not checked: only uploads and the DataStore count as reachable.', share: (_d, rs) => reachability(rs, downloadUrl) },
  // Interoperability (110)
  { dimension: 'interoperability', indicator: 'format', fields: ['resources.format'], max: 20, de: 'Bei jeder Ressource das Format angeben.', en: 'Give each resource its format.', share: (_d, rs) => shareOf(rs, (r) => has(r.format)) },
  { dimension: 'interoperability', indicator: 'media_type', fields: ['resources.mimetype'], max: 10, de: 'Bei jeder Ressource den Medientyp angeben.', en: 'Give each resource its media type.', share: (_d, rs) => shareOf(rs, (r) => /^[\w.+-]+\/[\w.+-]+$/.test(str(r.mimetype))) },
  { dimension: 'interoperability', indicator: 'format_media_type_vocabulary', fields: ['resources.format'], max: 10, de: 'Das Format aus der EU-Dateitypliste wählen.', en: 'Choose the format from the EU file-type list.', share: (_d, rs) => shareOf(rs, (r) => fileType(r) !== undefined) },
  { dimension: 'interoperability', indicator: 'format_non_proprietary', fields: ['resources.format'], max: 20, de: 'Ein offenes, nicht proprietäres Format anbieten.', en: 'Offer a non-proprietary format.', share: (_d, rs) => shareOf(rs, (r) => NON_PROPRIETARY.has(fileType(r) ?? '')) },
  { dimension: 'interoperability', indicator: 'format_machine_readable', fields: ['resources.format'], max: 20, de: 'Ein maschinenlesbares Format anbieten.', en: 'Offer a machine-readable format.', share: (_d, rs) => shareOf(rs, (r) => MACHINE_READABLE.has(fileType(r) ?? '')) },
  { dimension: 'interoperability', indicator: 'dcat_ap_compliance', fields: ['dcat_validation'], max: 30, de: 'Die Verstöße beheben, die dcat_validate meldet.', en: 'Fix the violations dcat_validate reports.', unchecked: { de: 'Nicht geprüft: die Prüfung war aus (dcat_validation).', en: 'Not checked: validation was off (dcat_validation).' }, share: (_d, _rs, c) => (c ? (c.conforms ? 1 : 0) : null) },
  // Reusability (75)
  { dimension: 'reusability', indicator: 'license_information', fields: ['license_id', 'resources.license'], max: 20, de: 'Eine Lizenz angeben.', en: 'Give a licence.', share: (d, rs) => (rs.length ? shareOf(rs, (r) => has(r.license) || has(d.license_id)) : has(d.license_id) ? 1 : 0) },
  { dimension: 'reusability', indicator: 'license_vocabulary', fields: ['license_id', 'resources.license'], max: 10, de: 'Die Lizenz aus der DCAT-AP.de-Liste wählen.', en: 'Choose the licence from the DCAT-AP.de list.', share: (d, rs) => { const ok = (v: unknown): boolean => has(v) && resolveTerm('license', str(v)) !== undefined; return rs.length ? shareOf(rs, (r) => (has(r.license) ? ok(r.license) : ok(d.license_id))) : ok(d.license_id) ? 1 : 0; } },
  { dimension: 'reusability', indicator: 'access_restrictions', fields: ['access_rights'], max: 10, de: 'Die Zugriffsrechte angeben.', en: 'State the access rights.', share: (d) => (filled(d, 'access_rights') ? 1 : 0) },
  { dimension: 'reusability', indicator: 'access_restrictions_vocabulary', fields: ['access_rights'], max: 5, de: 'Die Zugriffsrechte aus der EU-Liste wählen.', en: 'Choose the access rights from the EU list.', share: (d) => (splitMany(field(d, 'access_rights')).some((v) => resolveTerm('accessRights', v)) ? 1 : 0) },
  { dimension: 'reusability', indicator: 'contact_point', fields: ['contact_email', 'contact_url', 'maintainer_email', 'author_email'], max: 20, de: 'Eine Kontakt-E-Mail oder -Webseite angeben.', en: 'Give a contact e-mail or web page.', share: (d) => (['contact_email', 'contact_url', 'contact_tel', 'maintainer_email', 'author_email'].some((k) => filled(d, k)) || ['contact_email', 'contact_url', 'contact_tel', 'publisher_email', 'publisher_url'].some((k) => inherited(d, k)) ? 1 : 0) },
  { dimension: 'reusability', indicator: 'publisher', fields: ['publisher_name', 'owner_org'], max: 10, de: 'Den Herausgeber angeben.', en: 'Name the publisher.', share: (d) => (filled(d, 'publisher_name') || has(d.owner_org) ? 1 : 0) },
  // Contextuality (20)
  { dimension: 'contextuality', indicator: 'rights', fields: ['resources.rights'], max: 5, de: 'Bei jeder Ressource die Rechte angeben.', en: 'Give each resource its rights.', share: (_d, rs) => shareOf(rs, (r) => has(r.rights)) },
  { dimension: 'contextuality', indicator: 'file_size', fields: ['resources.size'], max: 5, de: 'Bei jeder Ressource die Größe in Bytes angeben.', en: 'Give each resource its size in bytes.', share: (_d, rs) => shareOf(rs, (r) => typeof r.size === 'number' && r.size >= 0) },
  { dimension: 'contextuality', indicator: 'date_of_issue', fields: ['issued', 'metadata_created'], max: 5, de: 'Das Veröffentlichungsdatum angeben.', en: 'Give the date of issue.', share: (d) => (filled(d, 'issued') || has(d.metadata_created) ? 1 : 0) },
  { dimension: 'contextuality', indicator: 'modification_date', fields: ['modified', 'metadata_modified'], max: 5, de: 'Das Änderungsdatum angeben.', en: 'Give the modification date.', share: (d) => (filled(d, 'modified') || has(d.metadata_modified) ? 1 : 0) },
];

/** The MQA's maximum per dimension: 100, 100, 110, 75, 20. */
export const QUALITY_MAX = RULES.reduce((n, r) => n + r.max, 0);

/**
 * The quality of dataset dict `d` (as package_show shows it). `compliance`: the DCAT-AP.de validation of the same
 * dict, or undefined when none ran (its 30 points are then "not checked"). `organization`: the extras of its
 * organization, which the profiles publish for a dataset without its own (contact, publisher, political geocoding).
 * Deleted resources are not distributions.
 */
export function assessQuality(dict: Dict, compliance?: ComplianceVerdict, organization?: { extras: Record<string, string> }): QualityReport {
  const d: Scored = { ...dict, [INHERITED]: organization?.extras };
  const resources = ((dict.resources as Dict[] | undefined) ?? []).filter((r) => r.state === undefined || r.state === 'active');
  const dimensions = {} as QualityReport['dimensions'];
  const indicators: QualityIndicator[] = [];
  for (const rule of RULES) {
    const share = rule.share(d, resources, compliance);
    const points = share === null ? 0 : round1(rule.max * share);
    const met = share === null ? null : share >= 1;
    const hint = met === null && rule.unchecked ? rule.unchecked : rule;
    indicators.push({ dimension: rule.dimension, indicator: rule.indicator, fields: rule.fields, points, max: rule.max, met, ...(met ? {} : { hint_de: hint.de, hint_en: hint.en }) });
    const dim = (dimensions[rule.dimension] ??= { points: 0, max: 0 });
    dim.points = round1(dim.points + points);
    dim.max += rule.max;
  }
  const score = round1(indicators.reduce((n, i) => n + i.points, 0));
  return { score, max: QUALITY_MAX, rating: ratingOf(score), dimensions, indicators };
}
