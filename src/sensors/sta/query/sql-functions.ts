import type { Expr } from './ast';
import type { Typed } from './sql-scope';
import { asGeo, asNumber, asText, asTime } from './sql-values';

/**
 * The functions of `$filter` in SQL, given their compiled arguments: strings, date and time (read in UTC, or in the
 * offset a literal was written with), math, and the geo functions of migration 1795810000000-SensorGeo.
 */

export function callSql(e: Extract<Expr, { type: 'call' }>, args: Typed[]): Typed {
  const text = (k: number): string => asText(args[k], e.args[k].pos);
  const num = (k: number): string => asNumber(args[k], e.args[k].pos);
  const geo = (k: number): string => asGeo(args[k], e.args[k].pos);
  const local = (): string => {
    const t = asTime(args[0], e.args[0].pos);
    return t.offset ? `((${t.sql} AT TIME ZONE 'UTC') + make_interval(mins => ${t.offset}))` : `(${t.sql} AT TIME ZONE 'UTC')`;
  };
  const part = (field: string): Typed => ({ t: 'number', sql: `EXTRACT(${field} FROM ${local()})::integer` });
  switch (e.name) {
    case 'substringof':
      return { t: 'bool', sql: `(strpos(${text(1)}, ${text(0)}) > 0)` };
    case 'startswith':
      return { t: 'bool', sql: `starts_with(${text(0)}, ${text(1)})` };
    case 'endswith':
      return { t: 'bool', sql: `(right(${text(0)}, char_length(${text(1)})) = ${text(1)})` };
    case 'length':
      return { t: 'number', sql: `char_length(${text(0)})` };
    // 1-based, as FROST answers (position()); OData's 0-based convention is not what STA clients meet in practice.
    case 'indexof':
      return { t: 'number', sql: `strpos(${text(0)}, ${text(1)})` };
    // substring(s, n) skips n characters, as OData.
    case 'substring':
      return { t: 'text', sql: args.length === 3 ? `substr(${text(0)}, (${num(1)})::integer + 1, GREATEST((${num(2)})::integer, 0))` : `substr(${text(0)}, (${num(1)})::integer + 1)` };
    case 'tolower':
      return { t: 'text', sql: `lower(${text(0)})` };
    case 'toupper':
      return { t: 'text', sql: `upper(${text(0)})` };
    case 'trim':
      return { t: 'text', sql: `btrim(${text(0)})` };
    case 'concat':
      return { t: 'text', sql: `(${text(0)} || ${text(1)})` };
    case 'year':
      return part('YEAR');
    case 'month':
      return part('MONTH');
    case 'day':
      return part('DAY');
    case 'hour':
      return part('HOUR');
    case 'minute':
      return part('MINUTE');
    case 'second':
      return { t: 'number', sql: `floor(EXTRACT(SECOND FROM ${local()}))::integer` };
    case 'fractionalseconds':
      return { t: 'number', sql: `(EXTRACT(SECOND FROM ${local()}) - floor(EXTRACT(SECOND FROM ${local()})))::double precision` };
    case 'date':
      return { t: 'date', sql: `(${local()})::date` };
    case 'time':
      return { t: 'timeofday', sql: `(${local()})::time` };
    case 'totaloffsetminutes': {
      const t = asTime(args[0], e.args[0].pos);
      // Stored times are UTC; a literal keeps the offset it was written with.
      return { t: 'number', sql: `(CASE WHEN ${t.sql} IS NULL THEN NULL ELSE ${Number(t.offset)} END)` };
    }
    case 'now':
      return { t: 'time', sql: 'now()' };
    case 'mindatetime':
      return { t: 'time', sql: `'-infinity'::timestamptz` };
    case 'maxdatetime':
      return { t: 'time', sql: `'infinity'::timestamptz` };
    case 'round':
      return { t: 'number', sql: `round((${num(0)})::numeric)::double precision` };
    case 'floor':
      return { t: 'number', sql: `floor(${num(0)})` };
    case 'ceiling':
      return { t: 'number', sql: `ceiling(${num(0)})` };
    case 'geo.distance':
      return { t: 'number', sql: `sta_geo_distance(${geo(0)}, ${geo(1)})` };
    case 'geo.length':
      return { t: 'number', sql: `sta_geo_length(${geo(0)})` };
    case 'geo.intersects':
      return { t: 'bool', sql: `sta_st_intersects(${geo(0)}, ${geo(1)})` };
    case 'st_relate':
      return { t: 'bool', sql: `sta_st_relate(${geo(0)}, ${geo(1)}, ${text(2)})` };
    default:
      // st_equals, st_disjoint, st_touches, st_within, st_overlaps, st_crosses, st_intersects, st_contains
      return { t: 'bool', sql: `sta_${e.name}(${geo(0)}, ${geo(1)})` };
  }
}

