import type { CsvDialectConfig, PushConfig } from '../catalog/sensor-source-config';
import type { CsvDialect } from '../ingest/csv-dialect';
import { parseCsvBatch, PUSH_CSV_MAPPING } from '../ingest/push-csv';
import { parseJsonPush, PUSH_JSON_MAPPING, type JsonPushConfig } from '../ingest/push-json';
import type { RecordMapping } from '../ingest/record-mapping';
import { IngestError, type ReadingBatch } from '../readings';

/** The source's `csv.date_format` (moment-style, as stewards write it) as the luxon format the adapter reads. */
const luxon = (f: string): string => (f === 'epoch' ? 'X' : f.replace(/YYYY/g, 'yyyy').replace(/DD/g, 'dd'));

/** A push source's CSV dialect; a date format with a time part splits in two when the mapping has a separate time column. */
export function dialectOf(csv: CsvDialectConfig | undefined, mapping: RecordMapping, timeZone: string | undefined): CsvDialect {
  const dialect: CsvDialect = { separator: csv?.separator ?? ';', decimalMark: csv?.decimal_mark ?? '.', dateFormat: 'iso' };
  const format = csv?.date_format;
  if (format && format !== 'iso') {
    const f = luxon(format);
    const space = f.indexOf(' ');
    if (mapping.timeOfDay && space > 0) {
      dialect.dateFormat = f.slice(0, space);
      dialect.timeFormat = f.slice(space + 1);
    } else {
      dialect.dateFormat = f;
    }
  }
  const zone = csv?.time_zone ?? timeZone;
  if (zone) dialect.timeZone = zone;
  if (csv?.in_sequence) dialect.inSequence = true;
  return dialect;
}

export type PushFormat = 'json' | 'csv';

/** What a pushed body became: readings, warnings, the batch's own id, and the zone assumed for naive times. */
export interface ParsedPush extends ReadingBatch {
  batchId?: string;
  assumedZone?: string;
}

/**
 * A pushed body read under its source's settings. Naive local times are read first as the adapters read them without
 * a zone (refused); only a source that declares its zone gets them read in it, and then every reading of the batch
 * records the assumption (`parameters.assumed_time_zone`) and the answer says so.
 */
export function parsePush(body: Buffer, format: PushFormat, cfg: PushConfig, json?: { value: unknown }): ParsedPush {
  const zone = cfg.csv?.time_zone ?? cfg.time_zone;
  const read = (withZone: boolean): ParsedPush => {
    if (format === 'csv') {
      const mapping = (cfg.mapping as unknown as RecordMapping | undefined) ?? PUSH_CSV_MAPPING;
      const dialect = dialectOf(cfg.csv, mapping, withZone ? cfg.time_zone : undefined);
      if (!withZone) delete dialect.timeZone;
      return parseCsvBatch(body, dialect, mapping);
    }
    const shape = cfg.json_shape ?? 'batch';
    const policy = { timeZone: withZone ? zone : undefined, inSequence: cfg.csv?.in_sequence };
    const config: JsonPushConfig =
      shape === 'records'
        ? { shape, mapping: (cfg.mapping as unknown as RecordMapping | undefined) ?? PUSH_JSON_MAPPING, ...policy }
        : shape === 'timeseries'
          ? { shape, station: cfg.station ?? '', stream: cfg.stream, ...policy }
          : { shape, ...policy };
    const got = parseJsonPush(json ?? body, config);
    return { readings: got.readings, warnings: got.warnings, batchId: got.meta.batchId };
  };
  try {
    return read(false);
  } catch (err) {
    if (!(err instanceof IngestError) || err.code !== 'naive_time' || !zone) throw err;
  }
  const got = read(true);
  for (const r of got.readings) r.parameters = { ...(r.parameters ?? {}), assumed_time_zone: zone };
  got.warnings.unshift({ code: 'assumed_time_zone', message: `Zeitpunkte ohne Offset wurden in der Zeitzone der Quelle (${zone}) gelesen und als UTC gespeichert.` });
  return { ...got, assumedZone: zone };
}
