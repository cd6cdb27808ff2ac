import { IngestError, type IngestWarning, type Reading, type ReadingBatch } from '../readings';
import { parseJsonPayload } from './json-input';
import { BoundMapping, jsonNumber, type RecordMapping } from './record-mapping';
import { parseInstant, TimeResolver, type LocalTimePolicy } from './time';

/**
 * JSON batches pushed over HTTP (or fetched as a file), in one of three shapes a source is configured with:
 *  - `batch`: our proposed push format `{source, batch_id, sent_at, readings: [{station, timeseries, timestamp,
 *    value, unit, quality}]}` (a bare `readings` array too);
 *  - `records`: an array of flat objects read through a record mapping (a counter export such as Eco-Counter's
 *    `{timestamp, count, direction}`, a mixed list of gauge and lane records);
 *  - `timeseries`: one series with its declared unit, PEGELONLINE-like `{shortname, unit, measurements: [...]}`,
 *    or a bare `[{timestamp, value}]` array whose station, stream and unit the source's settings name.
 * Every shape keeps the unit as declared; a broken body, an unknown field or a naive time without a declared zone
 * refuses the whole payload; skipped items come back as warnings.
 */
export type JsonPushShape =
  | { shape: 'batch' }
  | { shape: 'records'; mapping: RecordMapping }
  | { shape: 'timeseries'; station: string; stream?: string; unit?: string };

export type JsonPushConfig = JsonPushShape & LocalTimePolicy;

/** The batch's own description, when it carries one (the batch id doubles as the Idempotency-Key). */
export interface PushBatchMeta {
  source?: string;
  batchId?: string;
  sentAt?: Date;
}

/** The push batch's readings: one reading per item, unit and quality as the item says. */
export const PUSH_JSON_MAPPING: RecordMapping = {
  time: 'timestamp',
  station: '{station}',
  values: [{ field: 'value', stream: '{timeseries}', unitField: 'unit' }],
  quality: 'quality',
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function readRecords(items: unknown[], mapping: RecordMapping, times: TimeResolver, policy: LocalTimePolicy, path: string): ReadingBatch {
  const readings: Reading[] = [];
  const warnings: IngestWarning[] = [];
  // Items of one batch nearly always share their fields: the mapping is bound (checked) once per set of field names.
  const bindings = new Map<string, BoundMapping>();
  const format = { dateFormat: 'iso' as const, ...policy };
  // One reader of fields and numbers for all items (the item and its place change): no closures per item.
  let current: Record<string, unknown> = {};
  let at = '';
  const cell = (name: string): unknown => current[name];
  const number = (raw: unknown, name: string): number => (typeof raw === 'number' && Number.isFinite(raw) ? raw : jsonNumber(at)(raw, name));
  items.forEach((item, i) => {
    at = `${path}[${i}]`;
    if (!isObject(item)) throw new IngestError('invalid', `${at} ist kein Objekt.`, at);
    current = item;
    const names = Object.keys(item);
    const signature = names.join('\u0000');
    let bound = bindings.get(signature);
    if (!bound) bindings.set(signature, (bound = BoundMapping.bind(mapping, names, at)));
    const got = bound.apply(cell, number, times, format, at);
    for (const r of got.readings) readings.push(r);
    for (const w of got.warnings) warnings.push(w);
  });
  return { readings, warnings };
}

function readMeta(body: Record<string, unknown>): PushBatchMeta {
  const meta: PushBatchMeta = {};
  if (typeof body.source === 'string') meta.source = body.source;
  if (typeof body.batch_id === 'string') meta.batchId = body.batch_id;
  if (body.sent_at !== undefined) meta.sentAt = parseInstant(body.sent_at, 'sent_at');
  return meta;
}

const BATCH_KEYS = new Set(['source', 'batch_id', 'sent_at', 'readings']);

/** Parses one pushed JSON body (or reads one already parsed, `{value}`) under its source's configured shape. */
export function parseJsonPush(input: string | Buffer | { value: unknown }, config: JsonPushConfig): ReadingBatch & { meta: PushBatchMeta } {
  const body = typeof input === 'string' || Buffer.isBuffer(input) ? parseJsonPayload(input, 'push') : input.value;
  const policy: LocalTimePolicy = { timeZone: config.timeZone, inSequence: config.inSequence };
  const times = new TimeResolver(policy);
  switch (config.shape) {
    case 'batch': {
      if (Array.isArray(body)) return { ...readRecords(body, PUSH_JSON_MAPPING, times, policy, 'readings'), meta: {} };
      if (!isObject(body) || !Array.isArray(body.readings)) throw new IngestError('invalid', 'Ein Push-Batch braucht ein Feld "readings" (Liste).', 'readings');
      const unknown = Object.keys(body).find((k) => !BATCH_KEYS.has(k) && !k.startsWith('_'));
      if (unknown) throw new IngestError('unknown_column', `Unbekanntes Feld "${unknown}" im Push-Batch.`, unknown);
      return { ...readRecords(body.readings, PUSH_JSON_MAPPING, times, policy, 'readings'), meta: readMeta(body) };
    }
    case 'records': {
      if (!Array.isArray(body)) throw new IngestError('invalid', 'Erwartet wird eine Liste von Objekten.', 'byte 0');
      return { ...readRecords(body, config.mapping, times, policy, ''), meta: {} };
    }
    case 'timeseries': {
      const series = Array.isArray(body) ? { measurements: body } : body;
      if (!isObject(series) || !Array.isArray(series.measurements)) {
        throw new IngestError('invalid', 'Erwartet wird eine Zeitreihe {shortname, unit, measurements: [...]} oder eine Liste [{timestamp, value}].', 'measurements');
      }
      const stream = typeof series.shortname === 'string' ? series.shortname : config.stream;
      if (!stream) throw new IngestError('invalid', 'Die Zeitreihe nennt keinen Namen (shortname) und die Quelle keinen.', 'shortname');
      // The unit the payload declares wins over the configured one: it is what the values are in.
      const unit = typeof series.unit === 'string' ? series.unit : config.unit;
      const mapping: RecordMapping = { time: 'timestamp', station: config.station, values: [{ field: 'value', stream, unit }] };
      return { ...readRecords(series.measurements, mapping, times, policy, 'measurements'), meta: {} };
    }
  }
}
