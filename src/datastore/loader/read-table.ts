import { pipeline } from 'node:stream';
import { csvRows } from './csv-rows';
import { DecodeStream } from './decode';
import { detectFormat, FormatHint, TableFormat } from './format';
import { LoadLog } from './load-log';
import { Separator, sniffSeparator } from './separator';
import { peekSource, SAMPLE_BYTES, TableSource } from './source';
import { findTable, Table } from './table';
import { xlsxRows } from './xlsx-rows';

export interface ReadOptions {
  /** What the resource says it is (format field or file extension); the file's own bytes decide. */
  format?: FormatHint;
  /** Where remarks go; a new log if absent. Pass the same log to both passes of a load only if you want them twice. */
  log?: LoadLog;
}

/** A table ready to stream: header, rows, how the file was read, and the log of what was skipped or repaired. */
export interface ReadTable extends Table {
  format: TableFormat;
  /** The separator of a text file; absent for a workbook. */
  separator?: Separator;
  log: LoadLog;
}

const SEPARATOR_NAMES: Record<Separator, string> = { ';': 'Semikolon', ',': 'Komma', '\t': 'Tabulator', '|': 'senkrechter Strich' };

/**
 * Open a CSV/TSV/text file or an XLSX workbook and find its table. Resolves once the header is found (the first
 * 64 KiB and 100 rows are read for that); the rows then stream as the caller pulls them. Throws a LoaderError
 * with a plain message for a file that is no table (empty, binary, ODS, XLS, an unterminated quote).
 */
export async function readTable(source: TableSource, options: ReadOptions = {}): Promise<ReadTable> {
  const log = options.log ?? new LoadLog();
  const bytes = await peekSource(source);
  const format = await detectFormat(bytes.head, options.format, log);
  if (format === 'xlsx') {
    const table = await findTable(xlsxRows(bytes.stream), log, { reportShortRows: false });
    return { ...table, format, log };
  }
  const decoded = new DecodeStream(log);
  pipeline(bytes.stream, decoded, () => undefined); // an error reaches the reader through `decoded`
  const text = await peekSource(decoded);
  const separator = sniffSeparator(wholeLines(text.head));
  log.info(`Trennzeichen: ${SEPARATOR_NAMES[separator]}.`);
  const table = await findTable(csvRows(text.stream, separator), log, { reportShortRows: true });
  return { ...table, format, separator, log };
}

/** The sample as text up to its last line break, so a cut row or character does not mislead the sniffer. */
function wholeLines(head: Buffer): string {
  const text = head.toString('utf8');
  if (head.length < SAMPLE_BYTES) return text;
  const end = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
  return end > 0 ? text.slice(0, end + 1) : text;
}
