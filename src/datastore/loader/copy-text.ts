import { DatastoreType } from './infer-types';
import { LoaderError } from './loader.errors';
import { DataRow } from './table';
import { integerType, isMissingMarker, Notation, parseBoolean, parseDate, parseNumber, parseTimestamp } from './values';

/** The column facts the converter needs (an InferredColumn, or one a steward changed in the data dictionary). */
export interface CopyColumn {
  name: string;
  type: DatastoreType;
  notation?: Notation;
}

/** NULL in COPY's text format. */
const NULL = '\\N';

type Convert = (trimmed: string) => string | null;

/**
 * Rows to PostgreSQL `COPY … FROM STDIN` text-format lines (tab between columns, `\N` for NULL, newline at the
 * end), ready for pg-copy-streams. Typed columns get PostgreSQL's input form (`1.234,56` → `1234.56`,
 * `31.12.2023` → `2023-12-31`, `ja` → `t`), and their empty cells and missing markers become NULL; text columns keep
 * the cell exactly as read (only an empty cell is NULL), with backslash, tab, newline and carriage return escaped.
 * A value that does not fit its column's type (after a steward's override) throws a LoaderError naming the line.
 */
export class CopyTextConverter {
  private readonly converts: Convert[];

  constructor(private readonly columns: CopyColumn[]) {
    this.converts = columns.map(converterFor);
  }

  /** A batch of rows as COPY text: one string for one write to the COPY stream. */
  lines(rows: DataRow[]): string {
    let out = '';
    for (const row of rows) out += this.line(row.values, row.line);
    return out;
  }

  line(values: string[], sourceLine: number): string {
    let out = '';
    for (let i = 0; i < this.columns.length; i++) {
      if (i > 0) out += '\t';
      out += this.cell(i, values[i] ?? '', sourceLine);
    }
    return `${out}\n`;
  }

  private cell(i: number, value: string, sourceLine: number): string {
    const { type, name } = this.columns[i];
    if (type === 'text') return value === '' ? NULL : escapeCopyText(value);
    const trimmed = value.trim();
    if (trimmed === '' || isMissingMarker(trimmed)) return NULL;
    const converted = this.converts[i](trimmed);
    if (converted === null) throw new LoaderError(`Spalte '${name}': '${value}' passt nicht zum Typ ${type}.`, sourceLine);
    return converted;
  }
}

/** COPY text format: a backslash starts an escape, and tab and line breaks end fields and rows. NUL cannot be stored. */
export function escapeCopyText(value: string): string {
  return /[\\\t\n\r\0]/.test(value) ? value.replace(/[\\\t\n\r\0]/g, escapeChar) : value;
}

function escapeChar(c: string): string {
  switch (c) {
    case '\\':
      return '\\\\';
    case '\t':
      return '\\t';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    default:
      return ''; // NUL: PostgreSQL text cannot hold it
  }
}

function converterFor({ type, notation }: CopyColumn): Convert {
  switch (type) {
    case 'text':
      return (v) => v;
    case 'int4':
    case 'int8':
      return (v) => {
        const n = readNumber(v, notation);
        const fits = n === null ? null : integerType(n);
        return fits === 'int4' || (fits === 'int8' && type === 'int8') ? n : null;
      };
    case 'numeric':
    case 'float8':
      return (v) => readNumber(v, notation);
    case 'bool':
      return parseBoolean;
    case 'date':
      return parseDate;
    case 'timestamp':
      return (v) => {
        const t = parseTimestamp(v);
        return t && t.zone === null ? t.local : null;
      };
    case 'timestamptz':
      return (v) => {
        const t = parseTimestamp(v);
        return t && t.zone !== null ? t.local + t.zone : null;
      };
  }
}

/** A number in the column's notation; with none given (a steward's override), whichever reading is unambiguous. */
function readNumber(v: string, notation: Notation | undefined): string | null {
  if (notation) return parseNumber(v, notation);
  const [de, en] = [parseNumber(v, 'de'), parseNumber(v, 'en')];
  return de !== null && en !== null && de !== en ? null : (de ?? en);
}
