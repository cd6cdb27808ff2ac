import { SearchQueryError } from '../../api/errors';

/**
 * Solr dates in queries: ISO-8601 (`2025-05-01T08:59:03.512345Z`, the CKAN harvester sends six
 * fraction digits), `NOW`, and date math on either (`NOW-1DAY`, `NOW/DAY`, `…+2HOURS`).
 * The result is UTC with microseconds, `YYYY-MM-DDTHH:MM:SS.ffffff`, which sorts as strings in time order.
 */
const UNITS: Record<string, string> = {
  YEAR: 'year', YEARS: 'year', MONTH: 'month', MONTHS: 'month', DAY: 'day', DAYS: 'day', DATE: 'day',
  HOUR: 'hour', HOURS: 'hour', MINUTE: 'minute', MINUTES: 'minute', SECOND: 'second', SECONDS: 'second',
  MILLI: 'ms', MILLIS: 'ms', MILLISECOND: 'ms', MILLISECONDS: 'ms',
};

export function resolveDate(value: string, now: Date = new Date()): string {
  const s = value.trim();
  const m = /^(NOW|\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?Z?)((?:[+-]\d+[A-Z]+|\/[A-Z]+)*)$/.exec(s);
  if (!m) throw new SearchQueryError(`Invalid date in query: '${value}'`);
  let micros: number;
  let base: Date;
  if (m[1] === 'NOW') {
    base = new Date(now.getTime());
    micros = 0;
  } else {
    const d = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?Z?$/.exec(m[1])!;
    base = new Date(Date.UTC(+d[1], +d[2] - 1, +d[3], +(d[4] ?? 0), +(d[5] ?? 0), +(d[6] ?? 0)));
    if (base.getUTCMonth() !== +d[2] - 1 || base.getUTCDate() !== +d[3]) throw new SearchQueryError(`Invalid date in query: '${value}'`);
    const frac = (d[7] ?? '').padEnd(6, '0').slice(0, 6);
    base.setUTCMilliseconds(Math.floor(+frac / 1000));
    micros = +frac % 1000;
  }
  for (const op of m[2].match(/[+-]\d+[A-Z]+|\/[A-Z]+/g) ?? []) {
    const unitName = op.replace(/^[+/-]\d*/, '');
    const unit = UNITS[unitName];
    if (!unit) throw new SearchQueryError(`Invalid date math unit in query: '${unitName}'`);
    if (op[0] === '/') {
      micros = 0;
      const parts: [number, number, number, number, number, number, number] = [base.getUTCFullYear(), base.getUTCMonth(), base.getUTCDate(), base.getUTCHours(), base.getUTCMinutes(), base.getUTCSeconds(), base.getUTCMilliseconds()];
      const keep = { year: 1, month: 2, day: 3, hour: 4, minute: 5, second: 6, ms: 7 }[unit as 'year'];
      for (let i = keep; i < 7; i++) parts[i] = i === 2 ? 1 : 0;
      base = new Date(Date.UTC(...parts));
      continue;
    }
    const n = parseInt(op.slice(0, op.length - unitName.length), 10);
    switch (unit) {
      case 'year': base.setUTCFullYear(base.getUTCFullYear() + n); break;
      case 'month': base.setUTCMonth(base.getUTCMonth() + n); break;
      case 'day': base.setUTCDate(base.getUTCDate() + n); break;
      case 'hour': base.setUTCHours(base.getUTCHours() + n); break;
      case 'minute': base.setUTCMinutes(base.getUTCMinutes() + n); break;
      case 'second': base.setUTCSeconds(base.getUTCSeconds() + n); break;
      default: base.setUTCMilliseconds(base.getUTCMilliseconds() + n);
    }
  }
  if (Number.isNaN(base.getTime()) || base.getUTCFullYear() < 1 || base.getUTCFullYear() > 9999) throw new SearchQueryError(`Invalid date in query: '${value}'`);
  return `${base.toISOString().slice(0, 23)}${String(micros).padStart(3, '0')}`;
}

/** A stored timestamp (PostgreSQL text, UTC) in the same sortable form. */
export function normalizeTimestamp(pg: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?/.exec(pg);
  if (!m) throw new Error(`unexpected timestamp: ${pg}`);
  return `${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(6, '0')}`;
}
