/**
 * Reading one cell as a typed value, the way German office exports write them. Each parser answers the value in
 * PostgreSQL's own input form (`-1234.56`, `2024-03-31`, `2024-03-31 14:30:00+01:00`, `t`) or null when the text
 * is no such value. The type pass asks them whether a column fits; the COPY converter uses the same answers.
 */

/** Decimal notation: German `1.234,56` or English `1,234.56`. */
export type Notation = 'de' | 'en';

/**
 * Markers official statistics and office exports put where a number or date is missing (Destatis: `-` nothing,
 * `.` unknown or secret, `x` not applicable, `...` later, `/` too uncertain; `k.A.` keine Angabe; `#NV` Excel's
 * #N/A). They count as missing in a number, date or time column; a text column keeps them as written.
 */
const MISSING_MARKERS = new Set(['-', '–', '—', '.', '...', '…', '/', 'x', 'n/a', 'n.a.', 'k.a.', 'k. a.', '#nv', '#n/a']);

export function isMissingMarker(trimmed: string): boolean {
  return trimmed.length <= 5 && MISSING_MARKERS.has(trimmed.toLowerCase());
}

const DE_NUMBER = /^[+-]?(?:(?:[1-9]\d{0,2}(?:\.\d{3})+|\d+)(?:,\d+)?|,\d+)$/;
const EN_NUMBER = /^[+-]?(?:(?:[1-9]\d{0,2}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?$/;
/** `01067`, `007`: a postal code or key, whose leading zero a number would lose. */
const LEADING_ZERO = /^[+-]?0\d/;

/** True when the text starts with a zero that a number would drop (so the column must stay text). */
export function hasLeadingZero(trimmed: string): boolean {
  return LEADING_ZERO.test(trimmed);
}

/** The number in PostgreSQL's notation (`-1234.56`, `1.5e3`), or null if the text is none in that notation. */
const PLAIN_INTEGER = /^-?[1-9]\d*$|^0$/;

export function parseNumber(trimmed: string, notation: Notation): string | null {
  if (PLAIN_INTEGER.test(trimmed)) return trimmed; // the common case, the same in both notations
  if (hasLeadingZero(trimmed)) return null;
  if (notation === 'de') return DE_NUMBER.test(trimmed) ? trimmed.replace(/^\+/, '').replace(/\./g, '').replace(',', '.') : null;
  return EN_NUMBER.test(trimmed) ? trimmed.replace(/^\+/, '').replace(/,/g, '') : null;
}

/** Which integer type holds the number, or null if it has a fraction or exponent. */
export function integerType(normalized: string): 'int4' | 'int8' | 'numeric' | null {
  if (!/^-?\d+$/.test(normalized)) return null;
  const digits = normalized.replace('-', '').length;
  if (digits < 10) return 'int4';
  const n = BigInt(normalized);
  if (n >= -2147483648n && n <= 2147483647n) return 'int4';
  if (digits < 19 || (n >= -9223372036854775808n && n <= 9223372036854775807n)) return 'int8';
  return 'numeric';
}

const BOOLEANS: Record<string, string> = { ja: 't', nein: 'f', true: 't', false: 'f', wahr: 't', falsch: 'f', yes: 't', no: 'f' };

/** `ja`/`nein`, `wahr`/`falsch`, `true`/`false` (any case) as PostgreSQL's `t`/`f`. */
export function parseBoolean(trimmed: string): string | null {
  return BOOLEANS[trimmed.toLowerCase()] ?? null;
}

const DE_DATE = /^(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `31.12.2023`, `1.2.24` or `2023-12-31` as `2023-12-31`; null for anything else or a day the calendar lacks. */
export function parseDate(trimmed: string): string | null {
  const de = DE_DATE.exec(trimmed);
  if (de) return isoDate(fullYear(de[3]), Number(de[2]), Number(de[1]));
  const iso = ISO_DATE.exec(trimmed);
  return iso ? isoDate(Number(iso[1]), Number(iso[2]), Number(iso[3])) : null;
}

/** Two-digit years as Excel reads them: 00–29 are 2000–2029, 30–99 are 1930–1999. */
function fullYear(text: string): number {
  const y = Number(text);
  return text.length === 4 ? y : y < 30 ? 2000 + y : 1900 + y;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isoDate(year: number, month: number, day: number): string | null {
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  return `${String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}`;
}

function daysIn(year: number, month: number): number {
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return DAYS_IN_MONTH[month - 1] + (leap ? 1 : 0);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** A point in time; `zone` is the offset as written (`+01:00`, `Z` as `+00:00`), null for local time. */
export interface Timestamp {
  local: string;
  zone: string | null;
}

const DE_TIMESTAMP = /^(\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2}))[ ,T]\s*(\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const ISO_TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * `31.12.2023 14:30`, `31.12.2023 14:30:15`, `2023-12-31T14:30:15.5+01:00`, `2023-12-31 14:30Z`; a date alone is
 * its midnight (so a time column whose times are sometimes left off still reads as time).
 */
export function parseTimestamp(trimmed: string): Timestamp | null {
  const de = DE_TIMESTAMP.exec(trimmed);
  if (de) return timestamp(parseDate(de[1]), de[2], de[3], de[4], '', undefined);
  const iso = ISO_TIMESTAMP.exec(trimmed);
  if (iso) return timestamp(parseDate(iso[1]), iso[2], iso[3], iso[4], iso[5] ?? '', iso[6]);
  const date = parseDate(trimmed);
  return date ? { local: `${date} 00:00:00`, zone: null } : null;
}

function timestamp(date: string | null, h: string, m: string, s: string | undefined, fraction: string, zone: string | undefined): Timestamp | null {
  if (!date || Number(h) > 23 || Number(m) > 59 || Number(s ?? 0) > 59) return null;
  return { local: `${date} ${pad(Number(h))}:${m}:${s ?? '00'}${fraction}`, zone: zone === undefined ? null : offset(zone) };
}

function offset(zone: string): string {
  if (zone === 'Z') return '+00:00';
  const digits = zone.slice(1).replace(':', '');
  return `${zone[0]}${digits.slice(0, 2)}:${digits.slice(2) || '00'}`;
}
