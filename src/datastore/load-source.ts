import type { FormatHint } from './loader';

/** What the loader needs of a resource dict. */
export interface LoadableResource {
  id: string;
  package_id: string;
  url?: string | null;
  url_type?: string | null;
  format?: string | null;
  mimetype?: string | null;
  hash?: string | null;
}

const BY_FORMAT: Record<string, FormatHint> = { csv: 'csv', tsv: 'tsv', tab: 'tsv', xlsx: 'xlsx' };
const BY_MIMETYPE: Record<string, FormatHint> = {
  'text/csv': 'csv',
  'application/csv': 'csv',
  'text/tab-separated-values': 'tsv',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
};

/** `CSV`, `text/csv`, or an EU file-type IRI (`…/file-type/CSV`): its last part, lower case. */
const formatName = (format: string): string => format.trim().replace(/.*\//, '').toLowerCase();

const extension = (url: string): string => {
  const path = url.split(/[?#]/)[0];
  const m = /\.([a-z0-9]{1,5})$/i.exec(path);
  return m ? m[1].toLowerCase() : '';
};

/**
 * The loader's hint for a resource (what it says it is), or undefined when it names no table the loader reads: its
 * `format` (CSV, TSV, XLSX), else its `mimetype`, else its file name's extension. Semicolon-separated text is CSV
 * here, as offices name it; the reader sniffs the separator and checks the bytes, so a wrong hint only adds a remark.
 */
export function tableHint(r: LoadableResource): FormatHint | undefined {
  if (r.format) {
    const byFormat = BY_FORMAT[formatName(r.format)] ?? BY_MIMETYPE[r.format.trim().toLowerCase()];
    if (byFormat) return byFormat;
  }
  const mime = r.mimetype?.split(';')[0].trim().toLowerCase();
  if (mime && BY_MIMETYPE[mime]) return BY_MIMETYPE[mime];
  const ext = extension(r.url ?? '');
  return BY_FORMAT[ext] ?? (ext === 'txt' && mime === 'text/csv' ? 'txt' : undefined);
}

/**
 * url_types whose URL is the resource's own DataStore dump: `datastore` (a table written through the API), and
 * `datapusher`/`xloader` (set by a load with set_url_type). Loading such a URL would be circular.
 */
export const DUMP_URL_TYPES: readonly string[] = ['datastore', 'datapusher', 'xloader'];

/**
 * What a resource's data comes from, as compared between writes: an upload by its file (the catalog's SHA-256),
 * a link by its URL. Undefined for a resource the loader does not take on its own: no URL, or one whose URL is its
 * DataStore dump.
 */
export function sourceOf(r: LoadableResource): string | undefined {
  if (!r.url || DUMP_URL_TYPES.includes(r.url_type ?? '')) return undefined;
  if (r.url_type === 'upload') return `upload:${r.hash ?? ''}:${r.url}`;
  return `link:${r.url}`;
}
