import { IngestError, type IngestWarning, type Quality, type Reading } from '../readings';
import { parseDecimal } from './csv-dialect';
import { TimeResolver } from './time';

/**
 * One mapping for flat records, whichever way they arrived (a CSV row by its header, a JSON object by its keys, an
 * MQTT payload with its topic's wildcards): fields are taken BY NAME, never by position, and a field the mapping
 * does not know refuses the payload naming it, so a renamed column never lands silently in the wrong stream.
 */

/** A field that holds readings' values. */
export interface ValueField {
  /**
   * The field's name; with `unitInName` its stem: `avg_speed` then matches `avg_speed_kmh` (km/h) and
   * `avg_speed_ms` (m/s), and the suffix is the unit declared for those readings.
   */
  field: string;
  unitInName?: boolean;
  /** The stream key, a template: `lane{lane}/speed` takes the record's `lane` field (or a topic wildcard). */
  stream: string;
  /** The unit, when the field's name carries none and no `unitField` is given. */
  unit?: string;
  /** A field that names the unit per record (the `unit` column of a long table). */
  unitField?: string;
}

export interface RecordMapping {
  /** The field with the time: an ISO 8601 timestamp, or the date when `timeOfDay` holds the time. */
  time: string;
  /** The field with the time of day, for exports with separate date and time columns. */
  timeOfDay?: string;
  /** The station key, a template (`{site}`, or a constant such as `ZS-KO-RAD-1`); the first that can be filled wins. */
  station: string | string[];
  values: ValueField[];
  /** The field with the source's quality word (`raw`, `suspect`). */
  quality?: string;
  /** Fields known to carry nothing for the readings (`direction` of a lane, `battery_v`). Fields starting with `_` are comments. */
  ignore?: string[];
  /** Interval data: readings span this many seconds from their time (which is the interval's start). */
  intervalSeconds?: number;
  /** Interval data whose length each record states in this field (seconds). */
  intervalField?: string;
}

/** How times are written, beyond the zone policy: 'iso' or a luxon date format (with `timeFormat` for a separate time field). */
export interface TimeFormat {
  dateFormat?: 'iso' | string;
  timeFormat?: string;
  timeZone?: string;
  inSequence?: boolean;
}

/**
 * Units a field name may end in (`_kmh`). Only spellings that cannot be misread; anything else refuses the
 * payload, because a unit guessed wrong is worse than a batch refused.
 */
export const UNIT_SUFFIXES: Readonly<Record<string, string>> = {
  kmh: 'km/h',
  ms: 'm/s',
  mph: 'mph',
  cm: 'cm',
  mm: 'mm',
  m: 'm',
  m3s: 'm³/s',
  pct: '%',
  percent: '%',
  degc: '°C',
  vehh: 'veh/h',
};

/** A source's quality words, read into ours. */
const QUALITY_WORDS: Readonly<Record<string, Quality>> = {
  good: 'good',
  raw: 'good', // unchecked, as every live value is; not a reason to flag it
  ok: 'good',
  valid: 'good',
  missing: 'missing',
  invalid: 'invalid',
  suspect: 'suspect',
  doubtful: 'suspect',
};

/** The source's quality word as ours; an unknown word keeps the reading as suspect and says so. */
export function readQuality(word: unknown, at: string): { quality: Quality; qualityReason?: string; warning?: IngestWarning } {
  if (word === undefined || word === null || word === '') return { quality: 'good' };
  const known = QUALITY_WORDS[String(word).trim().toLowerCase()];
  if (known) return { quality: known };
  return {
    quality: 'suspect',
    qualityReason: `quality "${String(word)}"`,
    warning: { code: 'unknown_quality', message: `Unbekannte Qualitätsangabe "${String(word)}" an ${at}; als suspect übernommen.`, at },
  };
}

/** A JSON value as a number: a JSON number, or a numeric string with a decimal point; anything else refuses the payload. */
export function jsonNumber(at: string): (raw: unknown, name: string) => number {
  return (raw, name) => {
    if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
    const n = typeof raw === 'string' ? parseDecimal(raw, '.') : undefined;
    if (n === undefined) throw new IngestError('invalid_number', `${JSON.stringify(raw)} in "${name}" (${at}) ist keine Zahl.`, `${at}.${name}`);
    return n;
  };
}

const TEMPLATE_FIELD = /\{([^{}]+)\}/g;
const templateFields = (t: string): string[] => [...t.matchAll(TEMPLATE_FIELD)].map((m) => m[1]);

/** No topic wildcards (the default of apply's `vars`). */
const NO_VARS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** A template split into literal text and {field} references, made once per template (applied to every record). */
type TemplatePart = string | { field: string };
const COMPILED = new Map<string, TemplatePart[]>();
function compiled(template: string): TemplatePart[] {
  let parts = COMPILED.get(template);
  if (parts) return parts;
  parts = [];
  let last = 0;
  for (const m of template.matchAll(TEMPLATE_FIELD)) {
    if (m.index > last) parts.push(template.slice(last, m.index));
    parts.push({ field: m[1] });
    last = m.index + m[0].length;
  }
  if (last < template.length || parts.length === 0) parts.push(template.slice(last));
  // Templates come from sources' settings: few; the bound only keeps a flood of distinct ones from growing the map.
  if (COMPILED.size >= 1000) COMPILED.clear();
  COMPILED.set(template, parts);
  return parts;
}

/**
 * Checks a mapping once, when a source is configured (sensor_source_create/update), so a typo shows then and not
 * at the first batch: every name non-empty, every template well formed, a unit either in the field name or given.
 */
export function checkRecordMapping(m: RecordMapping, at = 'mapping'): void {
  const bad = (where: string, why: string): never => {
    throw new IngestError('invalid', `${at}.${where}: ${why}`, `${at}.${where}`);
  };
  const name = (v: unknown, where: string): void => {
    if (typeof v !== 'string' || !v.trim()) bad(where, 'ein Feldname ist nötig');
  };
  const template = (t: unknown, where: string): void => {
    if (typeof t !== 'string' || !t.trim()) bad(where, 'eine Vorlage ist nötig');
    const rest = (t as string).replace(TEMPLATE_FIELD, '');
    if (/[{}]/.test(rest)) bad(where, `unvollständige {Feld}-Angabe in "${t as string}"`);
  };
  name(m.time, 'time');
  for (const f of ['timeOfDay', 'quality', 'intervalField'] as const) if (m[f] !== undefined) name(m[f], f);
  const stations = [m.station].flat();
  if (!stations.length) bad('station', 'mindestens eine Vorlage ist nötig');
  stations.forEach((t, i) => template(t, Array.isArray(m.station) ? `station[${i}]` : 'station'));
  if (!Array.isArray(m.values) || !m.values.length) bad('values', 'mindestens ein Wertfeld ist nötig');
  m.values.forEach((v, i) => {
    name(v.field, `values[${i}].field`);
    template(v.stream, `values[${i}].stream`);
    if (v.unitInName && (v.unit !== undefined || v.unitField !== undefined)) bad(`values[${i}].unit`, 'die Einheit steht schon im Feldnamen (unitInName)');
    if (v.unitField !== undefined) name(v.unitField, `values[${i}].unitField`);
  });
  if (m.intervalSeconds !== undefined && !(Number.isFinite(m.intervalSeconds) && m.intervalSeconds > 0)) bad('intervalSeconds', 'eine positive Zahl ist nötig');
  if (m.intervalSeconds !== undefined && m.intervalField !== undefined) bad('intervalField', 'entweder intervalSeconds oder intervalField');
}

/** A value field as found in the payload: its real name and the unit it declares. */
interface BoundValue {
  spec: ValueField;
  name: string;
  unit?: string;
}

/** A mapping bound to a payload's field names: checked once, then applied to each record. */
export class BoundMapping {
  private constructor(
    private readonly mapping: RecordMapping,
    private readonly values: BoundValue[],
  ) {}

  /**
   * Checks `names` (a CSV header, a JSON object's keys) against the mapping: an unknown field, or a unit suffix that is
   * not known, refuses the payload naming it. `provided` are names filled from elsewhere (topic wildcards).
   */
  static bind(mapping: RecordMapping, names: readonly string[], at: string, provided: readonly string[] = []): BoundMapping {
    const known = new Set<string>([mapping.time, ...(mapping.ignore ?? [])]);
    for (const f of [mapping.timeOfDay, mapping.quality, mapping.intervalField]) if (f) known.add(f);
    for (const t of [mapping.station].flat()) for (const f of templateFields(t)) known.add(f);
    for (const v of mapping.values) {
      for (const f of templateFields(v.stream)) known.add(f);
      if (v.unitField) known.add(v.unitField);
    }
    const values: BoundValue[] = [];
    for (const name of names) {
      if (name.startsWith('_')) continue;
      const exact = mapping.values.find((v) => !v.unitInName && v.field === name);
      if (exact) {
        values.push({ spec: exact, name, unit: exact.unit });
        continue;
      }
      if (mapping.values.some((v) => v.unitInName && v.field === name)) {
        throw new IngestError('missing_unit', `Das Feld "${name}" (${at}) nennt keine Einheit (erwartet z. B. ${name}_kmh).`, `${at}, ${name}`);
      }
      const stem = mapping.values.find((v) => v.unitInName && name.startsWith(`${v.field}_`));
      if (stem) {
        const twin = values.find((b) => b.spec === stem);
        // Two units of one quantity (avg_speed_kmh and avg_speed_ms) would give one stream two values at one time.
        if (twin) throw new IngestError('invalid', `Die Felder "${twin.name}" und "${name}" (${at}) liefern dieselbe Zeitreihe.`, `${at}, ${name}`);
        const suffix = name.slice(stem.field.length + 1);
        const unit = UNIT_SUFFIXES[suffix.toLowerCase()];
        if (!unit) throw new IngestError('unknown_unit', `Die Einheit "${suffix}" im Feld "${name}" (${at}) ist unbekannt.`, `${at}, ${name}`);
        values.push({ spec: stem, name, unit });
        continue;
      }
      if (known.has(name) || provided.includes(name)) continue;
      throw new IngestError('unknown_column', `Unbekanntes Feld "${name}" (${at}); die Zuordnung dieser Quelle kennt es nicht.`, `${at}, ${name}`);
    }
    return new BoundMapping(mapping, values);
  }

  /**
   * For a table, whose every row has the header's fields: the fields the station and the streams are made of must
   * be there, else the payload is refused naming the first missing one (rather than skipping every row).
   */
  requireTemplateFields(names: readonly string[], at: string): void {
    const has = (t: string): string | undefined => templateFields(t).find((f) => !names.includes(f));
    const stations = [this.mapping.station].flat();
    const missingStation = stations.map(has);
    if (missingStation.every((f) => f !== undefined)) {
      const f = missingStation[0] as string;
      throw new IngestError('missing_column', `Spalte "${f}" (Station) fehlt (${at}).`, `${at}, ${f}`);
    }
    for (const v of this.values) {
      const f = has(v.spec.stream);
      if (f !== undefined) throw new IngestError('missing_column', `Spalte "${f}" (Zeitreihe von "${v.name}") fehlt (${at}).`, `${at}, ${f}`);
    }
  }

  /** The value fields the payload carries. */
  valueNames(): string[] {
    return this.values.map((v) => v.name);
  }

  /**
   * The readings of one record. `cell` reads a field (undefined: absent); `number` turns a present value into a
   * number or throws; `vars` are topic wildcards.
   */
  apply(
    cell: (name: string) => unknown,
    number: (raw: unknown, name: string) => number,
    times: TimeResolver,
    format: TimeFormat,
    at: string,
    vars: Record<string, string> = NO_VARS,
  ): { readings: Reading[]; warnings: IngestWarning[] } {
    const m = this.mapping;
    const warnings: IngestWarning[] = [];
    const text = (name: string): string | undefined => {
      const v = vars !== NO_VARS && name in vars ? vars[name] : cell(name);
      if (v === undefined || v === null) return undefined;
      const t = (typeof v === 'string' ? v : String(v)).trim();
      return t === '' ? undefined : t;
    };
    const fill = (template: string): string | undefined => {
      const parts = compiled(template);
      if (parts.length === 1) return typeof parts[0] === 'string' ? parts[0] : text(parts[0].field);
      let out = '';
      for (const part of parts) {
        const piece = typeof part === 'string' ? part : text(part.field);
        if (piece === undefined) return undefined;
        out += piece;
      }
      return out;
    };
    const station = [m.station].flat().map(fill).find((s) => s !== undefined);
    if (!station) return { readings: [], warnings: [{ code: 'unknown_station', message: `Keine Station an ${at}; übersprungen.`, at }] };
    const present = this.values.length === 1 ? (cell(this.values[0].name) !== undefined ? this.values : []) : this.values.filter((v) => cell(v.name) !== undefined);
    if (!present.length) return { readings: [], warnings: [{ code: 'skipped', message: `Kein Messwert an ${at}; übersprungen.`, at }] };

    const series = `${station}|${fill(present[0].spec.stream) ?? ''}`;
    const date = text(m.time);
    const timeOfDay = m.timeOfDay ? text(m.timeOfDay) : '';
    if (date === undefined || timeOfDay === undefined) {
      throw new IngestError('invalid', `Keine Zeit im Feld "${date === undefined ? m.time : m.timeOfDay}" an ${at}.`, `${at}, ${date === undefined ? m.time : m.timeOfDay}`);
    }
    const rawTime = m.timeOfDay ? `${date} ${timeOfDay}` : date;
    const resolved = this.resolveTime(rawTime, times, format, at, series);
    if ('warning' in resolved) return { readings: [], warnings: [resolved.warning] };
    const seconds = m.intervalField ? Number(text(m.intervalField)) : m.intervalSeconds;
    if (m.intervalField && !(Number.isFinite(seconds) && (seconds as number) > 0)) {
      throw new IngestError('invalid', `Keine Intervalllänge (Sekunden) im Feld "${m.intervalField}" an ${at}.`, `${at}, ${m.intervalField}`);
    }
    const end = seconds ? new Date(resolved.time.getTime() + seconds * 1000) : undefined;
    const q = m.quality ? readQuality(cell(m.quality), at) : { quality: 'good' as Quality };
    if (q.warning) warnings.push(q.warning);

    const readings: Reading[] = [];
    for (const v of present) {
      const stream = fill(v.spec.stream);
      if (!stream) {
        warnings.push({ code: 'unknown_stream', message: `Zeitreihe "${v.spec.stream}" an ${at} nicht bestimmbar; übersprungen.`, at, station });
        continue;
      }
      const raw = cell(v.name);
      const empty = raw === null || (typeof raw === 'string' && raw.trim() === '');
      const unit = v.spec.unitField ? (text(v.spec.unitField) ?? v.unit) : v.unit;
      const reading: Reading = { station, stream, time: resolved.time, value: empty ? null : number(raw, v.name), at };
      if (end) reading.end = end;
      if (unit !== undefined) reading.unit = unit;
      if (empty) reading.quality = 'missing';
      else if (q.quality !== 'good') reading.quality = q.quality;
      if (!empty && q.qualityReason) reading.qualityReason = q.qualityReason;
      readings.push(reading);
    }
    return { readings, warnings };
  }

  private resolveTime(raw: string, times: TimeResolver, format: TimeFormat, at: string, series: string): ReturnType<TimeResolver['resolveIso']> {
    const m = this.mapping;
    const dateFormat = format.dateFormat ?? 'iso';
    const where = `${at}, ${m.timeOfDay ? `${m.time} ${m.timeOfDay}` : m.time}`;
    if (m.timeOfDay) return times.resolveFormatted(raw, `${dateFormat} ${format.timeFormat ?? 'HH:mm'}`, where, series);
    if (dateFormat === 'iso') return times.resolveIso(raw, where, series);
    return times.resolveFormatted(raw, dateFormat, where, series);
  }
}
