import type { ComparisonOp, Expr } from './ast';
import { StaQueryError, badFilter } from './errors';
import { MODEL } from './model';
import { callSql } from './sql-functions';
import { Scope, ToMany, linkSql, resolvePath, type Typed } from './sql-scope';
import { asBool, asGeo, asNumber, asText, asTime, literal } from './sql-values';


/**
 * Compiles `$filter` and `$orderby` expressions to PostgreSQL. Values are always parameters (`$n` with an explicit
 * cast); identifiers come only from model.ts. A path through to-one navigations (`Datastream/Thing/name`) joins
 * the related row; a path through a to-many navigation (`Datastreams/name` on Things) makes the condition around it
 * an EXISTS over the related rows (FROST answers such paths with the entities for which some related row matches).
 */

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
  // Order comparisons in code point order (as ets-sta10 checks them); equality needs no collation, so indexes serve it.
  if (kinds.has('text')) return `(${asText(l, pos)} ${o} ${asText(r, pos)}${op === 'eq' || op === 'ne' ? '' : ' COLLATE "C"'})`;
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
      return callSql(e, e.args.map((a) => value(a, scope)));
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
        // Geometries in the order of their GeoJSON text, as FROST orders its stored GeoJSON text (the
        // conformance suite orders Locations by location and FeaturesOfInterest by feature, and compares the text).
        out.push(`(${v.sql})::text COLLATE "C"${dir}`);
        break;
      default:
        out.push(`${v.sql}${dir}`);
    }
  }
  return out;
}
