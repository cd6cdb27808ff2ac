import type { Literal } from './ast';
import { badFilter } from './errors';
import type { Params, Typed } from './sql-scope';

/** Literals as parameters, and compiled values read as the kind an operator or function needs. */

export function literal(l: Literal, params: Params, pos: number): Typed {
  switch (l.kind) {
    case 'string':
      return { t: 'text', sql: params.add(l.value, 'text') };
    case 'number':
      // Integers that fit a bigint go as written (ids beyond 2^53 stay exact), others as double precision.
      if (l.integer && /^[+-]?\d{1,18}$/.test(l.text)) return { t: 'number', sql: params.add(l.text.replace(/^\+/, ''), 'bigint') };
      return { t: 'number', sql: params.add(l.value, 'double precision') };
    case 'boolean':
      return { t: 'bool', sql: params.add(l.value, 'boolean') };
    case 'null':
      return { t: 'null', sql: 'NULL' };
    case 'datetime':
      return { t: 'time', sql: params.add(l.value, 'timestamptz'), offset: l.offsetMinutes };
    case 'interval':
      return { t: 'interval', sql: params.add(l.start, 'timestamptz'), end: params.add(l.end, 'timestamptz') };
    case 'date':
      return { t: 'date', sql: params.add(l.value, 'date') };
    case 'time':
      return { t: 'timeofday', sql: params.add(l.value, 'time') };
    case 'duration': {
      // PostgreSQL reads ISO 8601 durations but not a leading sign.
      const negative = l.value.startsWith('-');
      const v = params.add(l.value.replace(/^[+-]/, ''), 'interval');
      return { t: 'duration', sql: negative ? `(-${v})` : v };
    }
    case 'geometry':
      return { t: 'geo', sql: params.add(JSON.stringify(l.value), 'jsonb') };
    default:
      throw badFilter('Unknown literal', pos);
  }
}

const NUMBER_OF_JSON = (j: string): string => `(CASE WHEN jsonb_typeof(${j}) = 'number' THEN (${j})::double precision END)`;
const BOOL_OF_JSON = (j: string): string => `(CASE WHEN jsonb_typeof(${j}) = 'boolean' THEN (${j})::boolean END)`;

export function asText(v: Typed, pos: number): string {
  switch (v.t) {
    case 'text':
      return v.sql;
    case 'json':
      return `(${v.sql} #>> '{}')`;
    case 'result':
      // The result as text: a number as PostgreSQL writes it (3, 2.5), else the JSON value's text.
      return `COALESCE((${v.sql})::text, ${v.json} #>> '{}')`;
    case 'number':
      return `(${v.sql})::text`;
    case 'time':
      return `sta_time_text(${v.sql})`;
    case 'interval':
      return `sta_time_text(${v.sql})`;
    case 'null':
      return 'NULL::text';
    default:
      throw badFilter(`Expected a text but found a ${v.t}`, pos);
  }
}

export function asNumber(v: Typed, pos: number): string {
  switch (v.t) {
    case 'number':
      return v.sql;
    case 'result':
      return v.sql;
    case 'json':
      return NUMBER_OF_JSON(v.sql);
    case 'null':
      return 'NULL::double precision';
    default:
      throw badFilter(`Expected a number but found a ${v.t}`, pos);
  }
}

export function asBool(v: Typed, pos: number): string {
  switch (v.t) {
    case 'bool':
      return v.sql;
    case 'json':
      return BOOL_OF_JSON(v.sql);
    case 'result':
      return BOOL_OF_JSON(v.json);
    case 'null':
      return 'NULL::boolean';
    default:
      throw badFilter(`Expected a condition but found a ${v.t}`, pos);
  }
}

export function asTime(v: Typed, pos: number): { sql: string; offset: number } {
  if (v.t === 'time') return { sql: v.sql, offset: v.offset ?? 0 };
  if (v.t === 'interval') return { sql: v.sql, offset: 0 };
  if (v.t === 'null') return { sql: 'NULL::timestamptz', offset: 0 };
  throw badFilter(`Expected a time but found a ${v.t}`, pos);
}

export function asGeo(v: Typed, pos: number): string {
  if (v.t === 'geo' || v.t === 'json') return v.sql;
  if (v.t === 'null') return 'NULL::jsonb';
  throw badFilter(`Expected a geometry but found a ${v.t}`, pos);
}

