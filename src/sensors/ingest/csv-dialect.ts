import { IngestError } from '../readings';
import type { PayloadEncoding } from './json-input';
import { assertTimeZone } from './time';

/**
 * A source's CSV dialect, configured per source and applied as written: never a locale guessed from the data.
 * German exports use `;`, the decimal comma and `dd.MM.yyyy` plus `HH:mm` in local time; others ISO 8601.
 */
export interface CsvDialect {
  /** Field separator: `,`, `;` or a tab. */
  separator: string;
  /** The decimal mark numbers are written with; the other mark is never accepted (no thousands separators). */
  decimalMark: '.' | ',';
  /** `iso` (ISO 8601 in one field) or a luxon date format such as `dd.MM.yyyy`. */
  dateFormat: 'iso' | string;
  /** A separate time-of-day field's luxon format (`HH:mm`); used when the mapping names a `timeOfDay` field. */
  timeFormat?: string;
  /** IANA zone of naive local times; without one they refuse the batch. */
  timeZone?: string;
  /** The source sends each series in time order (resolves the repeated fall-back hour by arrival). */
  inSequence?: boolean;
  /** The file's encoding; default UTF-8 (checked). German office exports are often windows-1252. */
  encoding?: PayloadEncoding;
}

/** Checks a dialect once, when a source is configured or its batch read. */
export function checkDialect(d: CsvDialect): void {
  if (typeof d.separator !== 'string' || d.separator.length !== 1 || /["\r\n]/.test(d.separator)) {
    throw new IngestError('invalid', `Ungültiges Trennzeichen ${JSON.stringify(d.separator)} im CSV-Dialekt.`, 'dialect.separator');
  }
  if (d.decimalMark !== '.' && d.decimalMark !== ',') throw new IngestError('invalid', `Dezimalzeichen muss "." oder "," sein, nicht ${JSON.stringify(d.decimalMark)}.`, 'dialect.decimalMark');
  if (d.decimalMark === d.separator) throw new IngestError('invalid', 'Dezimalzeichen und Trennzeichen dürfen nicht gleich sein.', 'dialect.decimalMark');
  if (d.timeZone) assertTimeZone(d.timeZone);
  if (d.encoding && !['utf-8', 'latin1', 'windows-1252'].includes(d.encoding)) {
    throw new IngestError('invalid', `Unbekannte Kodierung ${JSON.stringify(d.encoding)} (utf-8, latin1, windows-1252).`, 'dialect.encoding');
  }
}

/**
 * A number as the dialect writes it: an optional sign, digits, at most one decimal mark, an optional exponent.
 * `1.234,5` or `301,000` under the other mark is no number; the caller refuses the batch naming the cell.
 */
export function parseDecimal(text: string, decimalMark: '.' | ','): number | undefined {
  const t = text.trim();
  const mark = decimalMark === ',' ? ',' : '\\.';
  if (!new RegExp(`^[+-]?(\\d+(${mark}\\d*)?|${mark}\\d+)([eE][+-]?\\d+)?$`).test(t)) return undefined;
  const n = Number(decimalMark === ',' ? t.replace(',', '.') : t);
  return Number.isFinite(n) ? n : undefined;
}
