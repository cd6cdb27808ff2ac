import { CsvError, Parser } from 'csv-parse';
import { pipeline, Readable } from 'node:stream';
import { LoaderError } from './loader.errors';
import { BatchStream, RawRow } from './raw-row';
import { Separator } from './separator';

/** A record longer than this is no real cell: almost always a quote that is never closed. It bounds memory too. */
const MAX_RECORD_CHARS = 8 * 1024 * 1024;

/**
 * The rows of UTF-8 delimited text, read by csv-parse as they stream in: quoted fields may hold separators,
 * quotes and line breaks; lines may end in CRLF, LF or CR, mixed within one file; a stray quote inside an
 * unquoted field is kept as text. Every row carries the line it starts on, so the log can name it. Rows come
 * in batches (see BATCH_ROWS).
 */
export async function* csvRows(text: Readable, separator: Separator): AsyncGenerator<RawRow[]> {
  const parser = new LineCountingParser({
    delimiter: separator,
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    relax_quotes: true,
    max_record_size: MAX_RECORD_CHARS,
  });
  const batches = new BatchStream<RawRow>();
  pipeline(text, parser, batches, () => undefined); // an error reaches the reader through `batches`
  try {
    yield* batches as AsyncIterable<RawRow[]>;
  } catch (err) {
    throw err instanceof CsvError ? explain(err, parser.linesParsed + 1) : err;
  } finally {
    batches.destroy(); // a reader that stops early stops the parse and closes the file
  }
}

/**
 * csv-parse's Parser, numbering each record by the line it starts on as the record is parsed (not when the reader
 * gets to it), so an error names the line right after the last complete record. Done here rather than in
 * `on_record`, which makes csv-parse build an info object per record (a quarter of the parse time), and rather than
 * with `info.lines`, which counts a CRLF inside quotes as two lines.
 */
class LineCountingParser extends Parser {
  linesParsed = 0;

  override push(record: unknown, encoding?: BufferEncoding): boolean {
    if (record === null) return super.push(null, encoding);
    const cells = record as string[];
    const line = this.linesParsed + 1;
    this.linesParsed = line + lineBreaksIn(cells);
    this.expectWidth(cells.length);
    return super.push({ line, cells } satisfies RawRow);
  }

  /**
   * csv-parse compares every record's width with the first record's and, even with relax_column_count, builds an
   * error object (stack trace included) for each one that differs: after a one-cell title line, that is every row,
   * and reading got ten times slower. Comparing with the previous record instead costs one error per change of
   * width. `state` is csv-parse's public-for-compatibility parser state; without it, reading is only slower.
   */
  private expectWidth(width: number): void {
    const state = (this as unknown as { state?: { expectedRecordLength?: number } }).state;
    if (state) state.expectedRecordLength = width;
  }
}

/** Line breaks inside a record's quoted fields, so the next record's line is right. */
function lineBreaksIn(cells: string[]): number {
  let n = 0;
  for (const cell of cells) if (cell.includes('\n') || cell.includes('\r')) n += cell.match(/\r\n|\n|\r/g)?.length ?? 0;
  return n;
}

function explain(err: CsvError, line: number): LoaderError {
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new LoaderError('Ein Anführungszeichen (") am Anfang eines Feldes wird bis zum Dateiende nicht geschlossen.', line);
    case 'CSV_MAX_RECORD_SIZE':
      return new LoaderError(
        'Ein Feld ist länger als 8 MiB; vermutlich wird ein Anführungszeichen (") nicht geschlossen.',
        line,
      );
    default:
      return new LoaderError(`Die Zeile ist kein gültiges CSV: ${err.message}`, line);
  }
}
