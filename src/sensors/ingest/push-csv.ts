import { parse } from 'csv-parse/sync';
import { IngestError, type IngestWarning, type Reading, type ReadingBatch } from '../readings';
import { checkDialect, parseDecimal, type CsvDialect } from './csv-dialect';
import { decodePayload } from './json-input';
import { BoundMapping, type RecordMapping } from './record-mapping';
import { TimeResolver } from './time';

/**
 * A CSV batch (HTTP push, a file export) read under its source's dialect and mapping. Columns are taken by header
 * name; an unknown header, a cell that is no number in the dialect, a naive time without a declared zone or a
 * broken CSV refuse the whole batch naming the line and column. Rows skipped one by one (an ambiguous local time,
 * no station) come back as warnings.
 */
export function parseCsvBatch(input: string | Buffer, dialect: CsvDialect, mapping: RecordMapping): ReadingBatch {
  checkDialect(dialect);
  const text = decodePayload(input, 'CSV', dialect.encoding);
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(text, { delimiter: dialect.separator, bom: true, skip_empty_lines: true, info: true, relax_column_count: true }) as unknown as typeof rows;
  } catch (err) {
    const e = err as { message?: string; lines?: number };
    throw new IngestError('malformed', `Kein gültiges CSV (Trennzeichen ${JSON.stringify(dialect.separator)}): ${e.message ?? String(err)}`, e.lines ? `line ${e.lines}` : undefined);
  }
  if (!rows.length) throw new IngestError('invalid', 'Die CSV-Datei ist leer (keine Kopfzeile).', 'line 1');
  const header = rows[0].record.map((h) => h.trim());
  const dup = header.find((h, i) => header.indexOf(h) !== i);
  if (dup !== undefined) throw new IngestError('invalid', `Spalte "${dup}" steht zweimal in der Kopfzeile.`, `line 1, ${dup}`);
  const bound = BoundMapping.bind(mapping, header, 'line 1');
  bound.requireTemplateFields(header, 'line 1');
  const missing = [mapping.time, mapping.timeOfDay].filter((c): c is string => !!c && !header.includes(c));
  if (missing.length) throw new IngestError('missing_column', `Spalte "${missing[0]}" fehlt in der Kopfzeile.`, `line 1, ${missing[0]}`);
  if (!bound.valueNames().length) throw new IngestError('missing_column', 'Keine Spalte mit Messwerten in der Kopfzeile.', 'line 1');

  const index = new Map(header.map((h, i) => [h, i]));
  const times = new TimeResolver({ timeZone: dialect.timeZone, inSequence: dialect.inSequence });
  const readings: Reading[] = [];
  const warnings: IngestWarning[] = [];
  for (const { record, info } of rows.slice(1)) {
    const at = `line ${info.lines}`;
    // Checked here, after the header: a wrong separator then names the header it could not map, not line 2.
    if (record.length !== header.length) {
      throw new IngestError('malformed', `Zeile hat ${record.length} statt ${header.length} Felder (Trennzeichen ${JSON.stringify(dialect.separator)}).`, at);
    }
    const cell = (name: string): string | undefined => {
      const i = index.get(name);
      return i === undefined ? undefined : record[i];
    };
    const number = (raw: unknown, name: string): number => {
      const n = parseDecimal(String(raw), dialect.decimalMark);
      if (n === undefined) {
        throw new IngestError('invalid_number', `"${String(raw)}" in Spalte "${name}" (${at}) ist keine Zahl mit Dezimalzeichen "${dialect.decimalMark}".`, `${at}, ${name}`);
      }
      return n;
    };
    const got = bound.apply(cell, number, times, dialect, at);
    readings.push(...got.readings);
    warnings.push(...got.warnings);
  }
  return { readings, warnings };
}

/**
 * The CSV form of our proposed push batch (one reading per row): `station;timeseries;timestamp;value;unit` and an
 * optional `quality` column, as in test/fixtures/sensors/push/batch-gauges.csv.
 */
export const PUSH_CSV_MAPPING: RecordMapping = {
  time: 'timestamp',
  station: '{station}',
  values: [{ field: 'value', stream: '{timeseries}', unitField: 'unit' }],
  quality: 'quality',
};

/** The dialect of that push CSV: `;`, decimal point, ISO 8601 with offsets. */
export const PUSH_CSV_DIALECT: CsvDialect = { separator: ';', decimalMark: '.', dateFormat: 'iso' };
