import type ExcelJS from 'exceljs';
import { Readable, Writable } from 'node:stream';
import type { DumpRows } from './datastore-records.repository';

/** exceljs, loaded on the first xlsx dump: it is large, and most processes never write a workbook. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const excel = (): typeof ExcelJS => require('exceljs') as typeof ExcelJS;

/**
 * The file formats of `/datastore/dump/{id}` (CKAN's ckanext/datastore/writer.py), written row by row as the cursor
 * delivers them. csv/tsv: a header row as Python's csv writer makes it, then the rows as datastore_search's records_format
 * writes them; json: `{"fields": [...], "records": [[...], ...]}`; xml: `<data><row _id="1"><col>…</col></row></data>`;
 * xlsx (beyond CKAN): one worksheet, header row, typed cells, written by exceljs's streaming workbook writer.
 */
export const DUMP_FORMATS = ['csv', 'tsv', 'json', 'xml', 'xlsx'] as const;
export type DumpFormat = (typeof DUMP_FORMATS)[number];

export interface DumpField {
  id: string;
  type?: string;
  info?: unknown;
}

export const DUMP_CONTENT_TYPES: Record<DumpFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  tsv: 'text/tab-separated-values; charset=utf-8',
  json: 'application/json; charset=utf-8',
  xml: 'text/xml; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** What the database hands the writer per row (datastore-records.repository.ts). */
export const DUMP_ROWS: Record<DumpFormat, DumpRows> = { csv: 'csv', tsv: 'tsv', json: 'json', xml: 'values', xlsx: 'values' };

/** Excel's last row is 1,048,576: the header and this many records. */
export const XLSX_MAX_RECORDS = 1_048_575;

const BOM = '\uFEFF';
/** Text is handed on in pieces of about this size, not per row. */
const CHUNK = 64 * 1024;

/** One row as Python's csv writer (excel dialect, QUOTE_MINIMAL) writes it, with its `\r\n`. */
function delimitedRow(values: string[], delimiter: string): string {
  const special = new RegExp(`[${delimiter === '\t' ? '\\t' : delimiter}"\\r\\n]`);
  const cells = values.map((v) => (special.test(v) || (values.length === 1 && v === '') ? `"${v.replace(/"/g, '""')}"` : v));
  return `${cells.join(delimiter)}\r\n`;
}

const escapeText = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttr = (s: string): string => escapeText(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#09;');
const XML_NAME = /^[\p{L}_][\p{L}\p{N}_.-]*$/u;

/** A value as Python's str() writes what CKAN's records hold (True/False for booleans). */
function pyText(v: unknown): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  return String(v);
}

/** ElementTree's element for one value: nil for null, text, or `<value key="…">` children for lists and dicts. */
function xmlElement(tag: string, v: unknown, key?: string): string {
  // CKAN writes the column name as the tag even when it is no XML name (invalid XML); such a column becomes <field name="…">.
  const [open, close] = XML_NAME.test(tag) && !/^xml/i.test(tag) ? [tag, tag] : [`field name="${escapeAttr(tag)}"`, 'field'];
  const attrs = `${v === null ? ' xsi:nil="true"' : ''}${key !== undefined ? ` key="${escapeAttr(key)}"` : ''}`;
  if (v === null) return `<${open}${attrs} />`;
  if (typeof v === 'object') {
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v as Record<string, unknown>);
    if (!entries.length) return `<${open}${attrs} />`;
    return `<${open}${attrs}>${entries.map(([k, x]) => xmlElement('value', x, k)).join('')}</${close}>`;
  }
  const text = pyText(v);
  return text === '' ? `<${open}${attrs} />` : `<${open}${attrs}>${escapeText(text)}</${close}>`;
}

/** A number as PostgreSQL wrote it (a numeric or bigint keeps every digit). */
class NumberText {
  constructor(readonly text: string) {}
}

/** A field's JSON text from PostgreSQL: a top-level number stays as PostgreSQL wrote it, the rest is parsed. */
function jsonValue(text: string | null): unknown {
  if (text === null || text === 'null') return null;
  const c = text[0];
  if (c === '"' || c === '[' || c === '{' || c === 't' || c === 'f') return JSON.parse(text);
  return new NumberText(text);
}

/** The text formats: head, one piece per row, tail. */
interface TextWriter {
  head: string;
  row(values: (string | null)[]): string;
  tail: string;
}

function textWriter(format: Exclude<DumpFormat, 'xlsx'>, fields: DumpField[], bom: boolean): TextWriter {
  const b = bom ? BOM : '';
  const ids = fields.map((f) => f.id);
  switch (format) {
    case 'csv':
    case 'tsv':
      return { head: b + delimitedRow(ids, format === 'csv' ? ',' : '\t'), row: (r) => r[0] ?? '', tail: '' };
    case 'json': {
      let first = true;
      return {
        head: `${b}{\n  "fields": ${JSON.stringify(fields)},\n  "records": [`,
        row: (r) => {
          const sep = first ? '\n    ' : ',\n    ';
          first = false;
          return sep + (r[0] ?? '[]');
        },
        tail: '\n]}\n',
      };
    }
    case 'xml': {
      const idCol = ids[0] === '_id';
      const columns = ids.map((id, i) => ({ id, i })).filter((c) => !(idCol && c.i === 0));
      const text = (v: unknown): unknown => (v instanceof NumberText ? v.text : v);
      return {
        head: `${b}<data xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n`,
        row: (r) => {
          const id = idCol ? ` _id="${escapeAttr(String(text(jsonValue(r[0]))))}"` : '';
          return `<row${id}>${columns.map((c) => xmlElement(c.id, text(jsonValue(r[c.i])))).join('')}</row>\n`;
        },
        tail: '</data>\n',
      };
    }
  }
}

/** Until `out` has room again; fails when it is closed meanwhile (the client went away), which ends the dump. */
async function drained(out: Writable): Promise<void> {
  if (out.destroyed) throw new Error('the client closed the connection');
  await new Promise<void>((resolve, reject) => {
    const done = (err?: Error): void => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = (): void => done();
    const onClose = (): void => done(new Error('the client closed the connection'));
    out.on('drain', onDrain);
    out.on('close', onClose);
  });
}

/** Writes a text dump to `out`, in chunks, waiting whenever `out` is full. */
export async function writeTextDump(format: Exclude<DumpFormat, 'xlsx'>, fields: DumpField[], bom: boolean, rows: Readable, out: Writable): Promise<void> {
  const w = textWriter(format, fields, bom);
  let buf = w.head;
  const flush = async (): Promise<void> => {
    if (out.destroyed) throw new Error('the client closed the connection');
    if (!out.write(buf)) await drained(out);
    buf = '';
  };
  for await (const row of rows) {
    buf += w.row(row as (string | null)[]);
    if (buf.length >= CHUNK) await flush();
  }
  buf += w.tail;
  await flush();
  out.end();
}

/** An xlsx cell: numbers as numbers, dates and timestamps as dates, JSON as its text. */
function cell(text: string | null, type: string | undefined): unknown {
  const v = jsonValue(text);
  if (v === null || typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    if ((type === 'date' || type === 'timestamp') && /^\d{4}-\d{2}-\d{2}/.test(v)) {
      const d = new Date(type === 'date' ? `${v}T00:00:00Z` : `${v}Z`);
      if (!Number.isNaN(d.getTime())) return d;
    }
    return v;
  }
  if (v instanceof NumberText) return Number(v.text);
  return JSON.stringify(v);
}

/** Uncompressed sheet XML that may wait for the compressor before no more rows are made. */
const SHEET_BACKLOG_BYTES = 256 * 1024;

/**
 * exceljs hands the sheet's XML to the zip compressor without waiting for it (its StreamBuf writes to the archiver's
 * entry stream and ignores the answer), so when deflating is slower than making rows, the XML piles up there: 135 MiB
 * for 400,000 rows. The entry stream (a readable-stream PassThrough) still counts what waits; above 256 KiB we wait for
 * it to drain. Reads exceljs's internals (`stream.pipes`, `_writableState`), so each is checked before use: without
 * them the dump still works, only without this wait (a test holds the memory bound, so an exceljs change shows).
 */
async function compressorCaughtUp(sheet: ExcelJS.Worksheet): Promise<void> {
  const entry = (sheet as unknown as { stream?: { pipes?: unknown[] } }).stream?.pipes?.[0] as (Writable & { _writableState?: { length?: number } }) | undefined;
  const waiting = entry?._writableState?.length;
  if (typeof waiting !== 'number' || waiting <= SHEET_BACKLOG_BYTES || typeof entry?.once !== 'function') return;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      entry.off('drain', done);
      entry.off('close', done);
      entry.off('error', done);
      resolve();
    };
    entry.once('drain', done);
    entry.once('close', done);
    entry.once('error', done);
  });
}

/** Writes an xlsx dump to `out` with exceljs's streaming writer: rows are committed as they come. */
export async function writeXlsxDump(fields: DumpField[], rows: Readable, out: Writable): Promise<void> {
  const wb = new (excel().stream.xlsx.WorkbookWriter)({ stream: out, useStyles: false, useSharedStrings: false });
  const sheet = wb.addWorksheet('data');
  sheet.addRow(fields.map((f) => f.id)).commit();
  for await (const row of rows) {
    sheet.addRow((row as (string | null)[]).map((t, i) => cell(t, fields[i]?.type))).commit();
    // The zip is piped into `out`: while the client has not taken what is there, no more rows are made.
    if (out.writableNeedDrain || out.destroyed) await drained(out);
    await compressorCaughtUp(sheet);
  }
  sheet.commit();
  await wb.commit();
}
