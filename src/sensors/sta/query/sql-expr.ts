import type { ComparisonOp, Expr, Literal } from './ast';
import { StaQueryError, badFilter } from './errors';
import { MODEL, propertyName, type EntityType, type NavigationDef } from './model';

/**
 * Compiles `$filter` and `$orderby` expressions to PostgreSQL. Values are always parameters (`$n` with an explicit
 * cast); identifiers come only from model.ts. A path through to-one navigations (`Datastream/Thing/name`) joins
 * the related row; a path through a to-many navigation (`Datastreams/name` on Things) makes the condition around it
 * an EXISTS over the related rows (FROST answers such paths with the entities for which some related row matches).
 */

/** A compiled value and what kind of value it is. */
export type Typed =
  | { t: 'number' | 'text' | 'bool' | 'duration' | 'date' | 'timeofday' | 'geo' | 'null'; sql: string }
  /** An instant; `offset` in minutes for literals written with one (date functions read them in that offset). */
  | { t: 'time'; sql: string; offset?: number }
  | { t: 'interval'; sql: string; end: string }
  /** A jsonb value: a JSON property or a member of one. */
  | { t: 'json'; sql: string }
  /** An Observation's result: `sql` the numeric column, `json` the jsonb one. */
  | { t: 'result'; sql: string; json: string };

export class Params {
  readonly values: unknown[] = [];
  add(value: unknown, cast: string): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
}

/** Restricts every table a query reads to what the reader may see (see sql.ts `Visibility`). */
export type ScopeGuard = (type: EntityType, alias: string) => string | null;

/** A FROM list with its own joins: the query's main table, or the table of an EXISTS over a to-many navigation. */
export class Scope {
  readonly joins: string[] = [];
  private readonly joined = new Map<string, { alias: string; type: EntityType }>();
  constructor(
    readonly type: EntityType,
    readonly alias: string,
    /** Navigation names from the query's entity to this scope's (empty for the main scope). */
    readonly prefix: string[],
    readonly parent: Scope | undefined,
    readonly ctx: ExprContext,
  ) {}

  /** The alias of the row reached by the to-one navigations `navs` from this scope's row, joining as needed. */
  joinToOne(navs: string[]): { alias: string; type: EntityType } {
    let alias = this.alias;
    let type = this.type;
    for (let k = 0; k < navs.length; k++) {
      const key = navs.slice(0, k + 1).join('/');
      const nav = MODEL[type].navigations[navs[k]];
      let hit = this.joined.get(key);
      if (!hit) {
        const a = this.ctx.nextAlias();
        this.joins.push(`LEFT JOIN ${MODEL[nav.target].table} ${a} ON ${a}.id = ${alias}.${nav.parentFk}`);
        hit = { alias: a, type: nav.target };
        this.joined.set(key, hit);
      }
      alias = hit.alias;
      type = hit.type;
    }
    return { alias, type };
  }
}

export class ExprContext {
  private aliases = 0;
  constructor(
    readonly params: Params,
    readonly guard: ScopeGuard,
    /** Whether the guard restricts anything (a reader who may not read all). */
    readonly restricted: boolean,
  ) {}
  nextAlias(): string {
    return `e${++this.aliases}`;
  }
}

/** Signals a path through a to-many navigation, to be turned into an EXISTS at the nearest condition. */
class ToMany {
  constructor(
    readonly scope: Scope,
    /** Navigations from the scope's row: to-one ones, then the to-many one. */
    readonly navs: string[],
  ) {}
}

/** The SQL linking a child row (alias `c`) to its parent row (alias `p`) over navigation `nav`. */
export function linkSql(nav: NavigationDef, p: string, c: string): string {
  if (nav.childFk) return `${c}.${nav.childFk} = ${p}.id`;
  if (nav.parentFk) return `${c}.id = ${p}.${nav.parentFk}`;
  const v = nav.via!;
  return `EXISTS (SELECT 1 FROM ${v.table} WHERE ${v.table}.${v.parentCol} = ${p}.id AND ${v.table}.${v.childCol} = ${c}.id)`;
}

const jsonPath = (segments: string[], params: Params): string => params.add(segments.map((s) => s.replace(/^\[(\d+)\]$/, '$1')), 'text[]');

function resolvePath(scope: Scope, segments: string[], pos: number): Typed {
  // The deepest scope whose navigations start this path reads it.
  let s: Scope | undefined = scope;
  let owner = scope;
  for (; s; s = s.parent) {
    if (s.prefix.length <= segments.length && s.prefix.every((n, k) => n === segments[k])) {
      owner = s;
      break;
    }
  }
  if (!s) owner = rootOf(scope);
  const rest = segments.slice(owner.prefix.length);
  let type = owner.type;
  const toOne: string[] = [];
  let k = 0;
  for (; k < rest.length; k++) {
    const nav = MODEL[type].navigations[rest[k]];
    if (!nav) break;
    if (nav.many) throw new ToMany(owner, [...toOne, rest[k]]);
    toOne.push(rest[k]);
    type = nav.target;
  }
  if (k === rest.length) throw badFilter(`${segments.join('/')} is an entity, not a value; name one of its properties`, pos);
  const { alias } = owner.joinToOne(toOne);
  const name = propertyName(rest[k]);
  const prop = MODEL[type].properties[name];
  if (!prop) throw badFilter(`${type} has no property ${rest[k]}`, pos);
  const members = rest.slice(k + 1);
  const params = owner.ctx.params;
  if (members.length) {
    if (prop.kind === 'json') return { t: 'json', sql: `(${prop.sql(alias)} #> ${jsonPath(members, params)})` };
    if (prop.kind === 'result') return { t: 'json', sql: `(${alias}.result_json #> ${jsonPath(members, params)})` };
    if (prop.kind === 'geo') return { t: 'json', sql: `(${prop.sql(alias)} #> ${jsonPath(members, params)})` };
    throw badFilter(`${rest[k]} of ${type} has no member ${members[0]}`, pos);
  }
  switch (prop.kind) {
    case 'id':
      return { t: 'number', sql: prop.sql(alias) };
    case 'text':
      return { t: 'text', sql: prop.sql(alias) };
    case 'json':
      return { t: 'json', sql: prop.sql(alias) };
    case 'geo':
      return { t: 'geo', sql: prop.sql(alias) };
    case 'time':
      return { t: 'time', sql: prop.sql(alias) };
    case 'interval':
      return { t: 'interval', sql: prop.sql(alias), end: prop.end!(alias) };
    case 'result':
      return { t: 'result', sql: prop.sql(alias), json: `${alias}.result_json` };
  }
}

function rootOf(s: Scope): Scope {
  return s.parent ? rootOf(s.parent) : s;
}

function literal(l: Literal, params: Params, pos: number): Typed {
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

function asText(v: Typed, pos: number): string {
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

function asNumber(v: Typed, pos: number): string {
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

function asBool(v: Typed, pos: number): string {
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

function asTime(v: Typed, pos: number): { sql: string; offset: number } {
  if (v.t === 'time') return { sql: v.sql, offset: v.offset ?? 0 };
  if (v.t === 'interval') return { sql: v.sql, offset: 0 };
  if (v.t === 'null') return { sql: 'NULL::timestamptz', offset: 0 };
  throw badFilter(`Expected a time but found a ${v.t}`, pos);
}

function asGeo(v: Typed, pos: number): string {
  if (v.t === 'geo' || v.t === 'json') return v.sql;
  if (v.t === 'null') return 'NULL::jsonb';
  throw badFilter(`Expected a geometry but found a ${v.t}`, pos);
}

const SQL_OP: Record<ComparisonOp, string> = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' };

/** OGC 18-088 comparisons of time intervals, an instant being the interval [t, t] (FROST's rules). */
function compareIntervals(op: ComparisonOp, s1: string, e1: string, s2: string, e2: string): string {
  switch (op) {
    case 'eq':
      return `(${s1} = ${s2} AND ${e1} = ${e2})`;
    case 'ne':
      return `NOT (${s1} = ${s2} AND ${e1} = ${e2})`;
    case 'gt':
      return `(${s1} >= ${e2} AND ${s1} > ${s2})`;
    case 'ge':
      return `(${s1} >= ${s2} AND ${e1} >= ${e2})`;
    case 'lt':
      // s2 <= e2 holds for every interval (the parser refuses others); it keeps e2's parameter in the statement.
      return `(${e1} <= ${s2} AND ${s1} < ${s2} AND ${s2} <= ${e2})`;
    case 'le':
      return `(${s1} <= ${s2} AND ${e1} <= ${e2})`;
  }
}

function isNull(v: Typed): string {
  if (v.t === 'result') return `(${v.sql} IS NULL AND ${v.json} IS NULL)`;
  if (v.t === 'json') return `(${v.sql} IS NULL OR ${v.sql} = 'null'::jsonb)`;
  return `${v.sql} IS NULL`;
}

function compare(op: ComparisonOp, l: Typed, r: Typed, pos: number): string {
  if (l.t === 'null' || r.t === 'null') {
    const other = l.t === 'null' ? r : l;
    if (other.t === 'null') return op === 'eq' || op === 'ge' || op === 'le' ? 'TRUE' : 'FALSE';
    if (op === 'eq') return isNull(other);
    if (op === 'ne') return `NOT ${isNull(other)}`;
    return 'FALSE';
  }
  const o = SQL_OP[op];
  const temporal = new Set(['time', 'interval']);
  if (temporal.has(l.t) || temporal.has(r.t)) {
    const [s1, e1] = l.t === 'interval' ? [l.sql, l.end] : [asTime(l, pos).sql, asTime(l, pos).sql];
    const [s2, e2] = r.t === 'interval' ? [r.sql, r.end] : [asTime(r, pos).sql, asTime(r, pos).sql];
    if (l.t === 'interval' || r.t === 'interval') return compareIntervals(op, s1, e1, s2, e2);
    return `(${s1} ${o} ${s2})`;
  }
  for (const t of ['date', 'timeofday', 'duration'] as const) {
    if (l.t === t || r.t === t) {
      if (l.t !== r.t) throw badFilter(`Cannot compare a ${l.t} with a ${r.t}`, pos);
      return `(${l.sql} ${o} ${r.sql})`;
    }
  }
  if (l.t === 'geo' || r.t === 'geo') {
    if (op !== 'eq' && op !== 'ne') throw badFilter('Geometries compare only with eq and ne; use the st_ functions', pos);
    return `(${op === 'ne' ? 'NOT ' : ''}sta_st_equals(${asGeo(l, pos)}, ${asGeo(r, pos)}))`;
  }
  const kinds = new Set([l.t, r.t]);
  // ets-sta10 compares `result gt '3'` as text (results 4..9 of 1..12 match), as FROST does.
  if (kinds.has('text')) return `(${asText(l, pos)} ${o} ${asText(r, pos)} COLLATE "C")`;
  if (kinds.has('number')) return `(${asNumber(l, pos)} ${o} ${asNumber(r, pos)})`;
  if (kinds.has('bool')) {
    if (op !== 'eq' && op !== 'ne') throw badFilter('Booleans compare only with eq and ne', pos);
    return `(${asBool(l, pos)} ${o} ${asBool(r, pos)})`;
  }
  if (l.t === 'json' && r.t === 'json') return `(${l.sql} ${o} ${r.sql})`;
  if (kinds.has('result')) {
    const other = l.t === 'result' ? r : l;
    if (other.t === 'json' || other.t === 'result') return `(${l.t === 'result' ? l.sql : asNumber(l, pos)} ${o} ${r.t === 'result' ? r.sql : asNumber(r, pos)})`;
  }
  throw badFilter(`Cannot compare a ${l.t} with a ${r.t}`, pos);
}

function arith(e: Extract<Expr, { type: 'arith' }>, scope: Scope): Typed {
  const l = value(e.left, scope);
  const r = value(e.right, scope);
  const timeish = (v: Typed): boolean => v.t === 'time' || v.t === 'interval';
  if (timeish(l) || timeish(r) || l.t === 'duration' || r.t === 'duration') {
    const op = e.op === 'add' ? '+' : e.op === 'sub' ? '-' : null;
    if (timeish(l) && r.t === 'duration' && op) {
      return l.t === 'interval' ? { t: 'interval', sql: `(${l.sql} ${op} ${r.sql})`, end: `(${l.end} ${op} ${r.sql})` } : { t: 'time', sql: `(${l.sql} ${op} ${r.sql})` };
    }
    if (l.t === 'duration' && timeish(r) && e.op === 'add') return arith({ ...e, left: e.right, right: e.left }, scope);
    if (timeish(l) && timeish(r) && e.op === 'sub') return { t: 'duration', sql: `(${l.sql} - ${r.sql})` };
    if (l.t === 'duration' && r.t === 'duration' && op) return { t: 'duration', sql: `(${l.sql} ${op} ${r.sql})` };
    if (l.t === 'duration' && (e.op === 'mul' || e.op === 'div')) return { t: 'duration', sql: `(${l.sql} ${e.op === 'mul' ? '*' : '/'} ${asNumber(r, e.pos)})` };
    throw badFilter(`Cannot ${e.op} a ${l.t} and a ${r.t}`, e.pos);
  }
  const a = asNumber(l, e.left.pos);
  const b = asNumber(r, e.right.pos);
  switch (e.op) {
    case 'add':
      return { t: 'number', sql: `(${a} + ${b})` };
    case 'sub':
      return { t: 'number', sql: `(${a} - ${b})` };
    case 'mul':
      return { t: 'number', sql: `(${a} * ${b})` };
    // Division by zero gives null (no match) rather than an error for the whole request.
    case 'div':
      return { t: 'number', sql: `((${a})::double precision / NULLIF(${b}, 0))` };
    case 'mod':
      return { t: 'number', sql: `mod((${a})::numeric, NULLIF(${b}, 0)::numeric)` };
  }
}

function call(e: Extract<Expr, { type: 'call' }>, scope: Scope): Typed {
  const args = e.args.map((a) => value(a, scope));
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

/** Compiles an expression as a value (for comparisons, functions and $orderby). */
export function value(e: Expr, scope: Scope): Typed {
  switch (e.type) {
    case 'literal':
      return literal(e.literal, scope.ctx.params, e.pos);
    case 'path':
      return resolvePath(scope, e.segments, e.pos);
    case 'arith':
      return arith(e, scope);
    case 'neg':
      return { t: 'number', sql: `(-${asNumber(value(e.operand, scope), e.pos)})` };
    case 'call':
      return call(e, scope);
    default:
      return { t: 'bool', sql: guarded(e, scope) };
  }
}

/**
 * Compiles a condition. A path through a to-many navigation makes an EXISTS over the related rows: around the
 * whole filter, or around the branch of an `or` or the operand of a `not` it sits in. Conditions joined by `and`
 * thus speak of the same related row (`Datastreams/Observations/result gt 11 and Datastreams/Observations/result
 * lt 100`: one observation in (11, 100)), as FROST's joins do; `or` and `not` keep their plain meaning (`not
 * Datastreams/name eq 'x'`: no Datastream is named x).
 */
function guarded(e: Expr, scope: Scope): string {
  const mark = scope.ctx.params.values.length;
  try {
    return condition(e, scope);
  } catch (signal) {
    if (!(signal instanceof ToMany)) throw signal;
    // The attempt is discarded, and with it the parameters it added (PostgreSQL refuses unused ones).
    scope.ctx.params.values.length = mark;
    return exists(e, scope, signal);
  }
}

function condition(e: Expr, scope: Scope): string {
  switch (e.type) {
    case 'and':
      return `(${condition(e.left, scope)} AND ${condition(e.right, scope)})`;
    case 'or':
      return `(${guarded(e.left, scope)} OR ${guarded(e.right, scope)})`;
    case 'not':
      return `(NOT ${guarded(e.operand, scope)})`;
    case 'compare':
      return compare(e.op, value(e.left, scope), value(e.right, scope), e.pos);
    default:
      return asBool(value(e, scope), e.pos);
  }
}

function exists(e: Expr, scope: Scope, signal: ToMany): string {
  const from = signal.scope;
  const toOne = signal.navs.slice(0, -1);
  const manyName = signal.navs[signal.navs.length - 1];
  const { alias: parentAlias, type: parentType } = from.joinToOne(toOne);
  const nav = MODEL[parentType].navigations[manyName];
  const alias = scope.ctx.nextAlias();
  const inner = new Scope(nav.target, alias, [...from.prefix, ...signal.navs], scope, scope.ctx);
  const cond = guarded(e, inner);
  const guard = scope.ctx.guard(nav.target, alias);
  const where = [linkSql(nav, parentAlias, alias), guard, cond].filter(Boolean).join(' AND ');
  return `EXISTS (SELECT 1 FROM ${MODEL[nav.target].table} ${alias} ${inner.joins.join(' ')} WHERE ${where})`;
}

/** A `$filter` as a condition on the scope's rows. */
export function filterSql(e: Expr, scope: Scope): string {
  if (e.type === 'literal' && e.literal.kind !== 'boolean') throw badFilter('$filter must be a condition, such as name eq \'x\'', e.pos);
  return guarded(e, scope);
}

/** `$orderby` items as ORDER BY terms. */
export function orderSql(items: { expr: Expr; direction: 'asc' | 'desc' }[], scope: Scope): string[] {
  const out: string[] = [];
  for (const item of items) {
    const dir = item.direction === 'desc' ? ' DESC' : '';
    let v: Typed;
    try {
      v = value(item.expr, scope);
    } catch (signal) {
      if (signal instanceof ToMany) throw new StaQueryError(400, 'bad_option', `$orderby: cannot order by ${signal.navs.join('/')}, which names many entities`, item.expr.pos);
      throw signal;
    }
    switch (v.t) {
      case 'interval':
        out.push(`${v.sql}${dir}`, `${v.end}${dir}`);
        break;
      case 'text':
        out.push(`${v.sql} COLLATE "C"${dir}`);
        break;
      case 'result':
        // Numbers in numeric order, other results after them in text order.
        out.push(`${v.sql}${dir}`, `(${v.json} #>> '{}') COLLATE "C"${dir}`);
        break;
      case 'geo':
        throw new StaQueryError(400, 'bad_option', '$orderby: geometries have no order', item.expr.pos);
      default:
        out.push(`${v.sql}${dir}`);
    }
  }
  return out;
}
