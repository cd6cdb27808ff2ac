import { Injectable } from '@nestjs/common';
import { parse } from 'csv-parse/sync';
import type { Readable } from 'node:stream';
import { ActionProvider, AnyAction, defineAction } from '../api/action';
import { Field, maxLength, notEmpty, unicodeSafe } from '../api/ckan-schema';
import { ResourceFiles } from '../catalog/resources/resource-files.service';
import { DatastoreResources } from './datastore-resources.service';
import { LoadableResource, tableHint } from './load-source';
import { decodeSample } from './loader/decode';
import { sniffSeparator } from './loader/separator';

/** How much of a file a preview reads, and how many rows of a table it shows (below the header). */
export const PREVIEW_BYTES = 64 * 1024;
export const PREVIEW_ROWS = 100;

export class ResourcePreviewInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
}

/** What a preview shows: the first rows of a table, a JSON document, plain text, or nothing (and why). */
export type ResourcePreview =
  | { kind: 'table'; encoding: string; separator: string; size: number; truncated: boolean; header: string[]; rows: string[][]; more: boolean }
  | { kind: 'json' | 'text'; encoding: string; size: number; truncated: boolean; text: string }
  | { kind: 'none'; reason: 'link' | 'format' | 'missing' | 'binary' };

/** What a preview needs of a resource dict: what the loader needs, less its hash. */
type PreviewResource = Omit<LoadableResource, 'hash'>;

const JSON_FORMATS = new Set(['json', 'geojson', 'application/json', 'application/geo+json']);
const TEXT_FORMATS = new Set(['txt', 'text', 'md', 'markdown', 'text/plain', 'text/markdown']);

/** What kind of preview a resource's claims (format, media type, file name) ask for. */
function previewKind(r: PreviewResource): 'table' | 'json' | 'text' | undefined {
  const hint = tableHint(r);
  if (hint === 'csv' || hint === 'tsv' || hint === 'txt') return 'table';
  const claims = [r.format, r.mimetype?.split(';')[0], /\.([a-z0-9]{1,8})$/i.exec((r.url ?? '').split(/[?#]/)[0])?.[1]]
    .filter((c): c is string => !!c)
    .map((c) => c.trim().toLowerCase());
  for (const c of claims) {
    const last = c.replace(/^.*\/file-type\//, ''); // an EU file-type IRI (…/file-type/JSON)
    if (JSON_FORMATS.has(c) || JSON_FORMATS.has(last)) return 'json';
    if (TEXT_FORMATS.has(c) || TEXT_FORMATS.has(last)) return 'text';
  }
  return undefined;
}

/** The first `bytes` bytes of a stream; the rest is never read (the stream is closed). */
async function head(body: Readable, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      chunks.push(b);
      size += b.length;
      if (size >= bytes) break;
    }
  } finally {
    body.destroy();
  }
  return Buffer.concat(chunks).subarray(0, bytes);
}

/**
 * resource_preview: the head of an uploaded file as a page shows it, read the way the DataStore loader reads files
 * (its charset rule, its separator sniffing, csv-parse). Only uploads: a link resource is never fetched for a preview.
 */
@Injectable()
export class ResourcePreviewActions implements ActionProvider {
  constructor(private readonly resources: DatastoreResources, private readonly files: ResourceFiles) {}

  readonly resourcePreview = defineAction({
    name: 'resource_preview',
    help: `The start of an uploaded resource's file, for a preview (not in CKAN; the portal's resource page uses it).

Params: id (the resource's id). Reads the first ${PREVIEW_BYTES / 1024} KiB of the upload only, decoded as the DataStore loader does
(UTF-8 with or without BOM, else Windows-1252/Latin-1 by detection). Returns kind "table" (CSV/TSV: header, the first
${PREVIEW_ROWS} rows, separator, more), "json" (pretty-printed when the read part is a whole document) or "text" (plain text,
Markdown), each with encoding, size and truncated; or kind "none" with a reason (link: a link resource, never fetched;
format: no previewable format; missing: no stored file; binary: not text).
Who may call: whoever may read the resource's dataset.`,
    sideEffectFree: true,
    anonymous: true,
    input: ResourcePreviewInput,
    auth: (ctx, input) => this.resources.mayRead(ctx, input.id),
    handler: async (ctx, input): Promise<ResourcePreview> => {
      const r = (await this.resources.get(ctx, input.id)) as PreviewResource;
      if (r.url_type !== 'upload') return { kind: 'none', reason: 'link' };
      const kind = previewKind(r);
      if (!kind) return { kind: 'none', reason: 'format' };
      const upload = await this.files.openUpload(ctx.db, r.id);
      if (!upload) return { kind: 'none', reason: 'missing' };
      const bytes = await head(upload.body, PREVIEW_BYTES);
      const truncated = upload.size > bytes.length;
      const decoded = decodeSample(bytes);
      if (!decoded) return { kind: 'none', reason: 'binary' };
      // A cut file ends at its last whole line (the cut one would show half a row).
      const text = truncated && decoded.text.includes('\n') ? decoded.text.slice(0, decoded.text.lastIndexOf('\n') + 1) : decoded.text;
      const base = { encoding: decoded.encoding, size: upload.size, truncated };
      if (kind === 'table') {
        const table = readRows(text);
        if (table) return { kind, ...base, ...table };
        return { kind: 'text', ...base, text };
      }
      if (kind === 'json' && !truncated) {
        try {
          return { kind, ...base, text: JSON.stringify(JSON.parse(text), null, 2) };
        } catch {
          // Not a whole JSON document: shown as it is.
        }
      }
      return { kind, ...base, text };
    },
  });

  all = (): AnyAction[] => [this.resourcePreview];
}

/** Header and first rows by the loader's separator rule; null when the text does not parse as delimited text. */
function readRows(text: string): { separator: string; header: string[]; rows: string[][]; more: boolean } | null {
  try {
    const separator = sniffSeparator(text);
    const all = parse(text, { delimiter: separator, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, to: PREVIEW_ROWS + 2 }) as string[][];
    if (!all.length) return null;
    const [header, ...rows] = all;
    return { separator, header, rows: rows.slice(0, PREVIEW_ROWS), more: rows.length > PREVIEW_ROWS };
  } catch {
    return null;
  }
}
