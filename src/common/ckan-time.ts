/**
 * CKAN renders datetimes with Python's isoformat() on naive UTC values: '2025-05-01T08:59:03.512345',
 * microseconds, no zone, and no fraction at all when the microseconds are 0. Harvesters compare these
 * strings, so every timestamp the API returns goes through here.
 *
 * Input is PostgreSQL's text form in a UTC session: '2025-05-01 08:59:03.5123+00'.
 */
export function ckanTimestamp(value: string | Date | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return ckanTimestamp(value.toISOString().replace('Z', '+00'));
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(?:Z|[+-]00(?::?00)?)?$/.exec(value);
  if (!m) throw new Error(`unexpected timestamp from the database: ${value}`);
  const fraction = (m[3] ?? '').padEnd(6, '0');
  return fraction === '000000' ? `${m[1]}T${m[2]}` : `${m[1]}T${m[2]}.${fraction}`;
}

/** Parses a client-supplied ISO-8601 date (CKAN's isodate validator) into a PostgreSQL timestamptz literal, or null. */
export function parseIsoDate(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
  if (Number.isNaN(date.getTime()) || date.getUTCDate() !== Number(d) || date.getUTCMonth() + 1 !== Number(mo) || Number(y) < 1) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  const tz = zone === 'Z' ? '+00:00' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  return `${y}-${mo}-${d} ${h}:${mi}:${s}${frac ? `.${frac}` : ''}${tz}`;
}
