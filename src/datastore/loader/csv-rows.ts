import { CsvError, parse } from 'csv-parse';
import { Readable } from 'node:stream';
import { LoaderError } from './loader.errors';
import { RawRow } from './raw-row';
import { Separator } from './separator';

/** A record longer than this is no real cell: almost always a quote that is never closed. It bounds memory too. */
const MAX_RECORD_CHARS = 8 * 1024 * 1024;

/**
 * The rows of UTF-8 delimited text, read by csv-parse as they stream in: quoted fields may hold separators,
 * quotes and line breaks; lines may end in CRLF, LF or CR, mixed within one file; a stray quote inside an
 * unquoted field is kept as text. Every row carries the line it starts on, so the log can name it.
 */
export async function* csvRows(text: Readable, separator: Separator): AsyncGenerator<RawRow> {
  const parser = parse({
    delimiter: separator,
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    relax_quotes: true,
    max_record_size: MAX_RECORD_CHARS,
    info: true,
  });
  text.on('error', (err) => parser.destroy(err));
  text.pipe(parser);
  let lastLine = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      yield { line: lastLine + 1, cells: record };
      lastLine = info.lines;
    }
  } catch (err) {
    throw err instanceof CsvError ? explain(err, lastLine + 1) : err;
  } finally {
    text.unpipe(parser);
    text.destroy();
  }
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
