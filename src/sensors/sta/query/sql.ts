import { StaQueryError } from './errors';
import { MODEL, type EntityType, type NavigationDef } from './model';
import type { ExpandItem, QueryOptions } from './options';
import { lastSegment, type ResourcePath } from './path';
import { filterSql, orderSql } from './sql-expr';
import { ExprContext, Params, Scope, linkSql, type ScopeGuard } from './sql-scope';

/**
 * Builds the SQL of SensorThings reads from a parsed path and parsed options: a collection (with its count query),
 * one entity, a property, references, and the per-parent child queries of `$expand`. Values are always
 * parameters; identifiers only come from model.ts.
 *
 * Visibility: every table a query reads (the entities served, the parents in a path, the related rows an EXISTS
 * looks at, expanded children) is restricted by `visibility.packageCondition`, applied to the `package_id` of the
 * Thing (or Things) an entity belongs to: a Thing is readable iff its dataset is, a Datastream, Observation or
 * HistoricalLocation iff its Thing is, and a Location, Sensor, ObservedProperty or FeatureOfInterest iff one
 * readable Thing uses it or no Thing uses it at all. Callers pass src/auth/visibility.ts's readableSql joined to `package`; `null` reads all.
 */

export interface Visibility {
  /** An SQL condition that holds when the dataset `packageIdSql` (a uuid expression) is readable; pushes its values onto `params`. */
  packageCondition(packageIdSql: string, params: unknown[]): string;
}

export interface ReadContext {
  /** null: read everything (sysadmin, the site itself). */
  visibility: Visibility | null;
}

export interface SqlQuery {
  sql: string;
  params: unknown[];
}

export interface CompiledRead {
  /** What the path names and how to answer it. */
  kind: 'collection' | 'entity' | 'property' | 'value';
  type: EntityType;
  isRef: boolean;
  /**
   * The rows: column `@iot.id` (bigint, as a string from pg) and one column per selected property, named as in
   * STA (JSON members in columns named by `memberColumns`; with `$resultFormat=dataArray`, column `@datastream`
   * too). Collections return up to `top + 1` rows: one more than asked says a next
   * page exists (`@iot.nextLink`). For a property, one row with column `value`.
   */
  query: SqlQuery;
  /** `$count=true` on a collection: one row, column `count` (bigint as string). */
  count?: SqlQuery;
  /**
   * For a collection reached by navigation (`Things(1)/Datastreams`): one row, column `found`, false when the
   * entity it hangs from does not exist or may not be read; FROST then answers 404, not an empty collection.
   */
  parentCheck?: SqlQuery;
  /** Selected navigation properties (their links are served, nothing is read). */
  navigationLinks: string[];
  /** Columns holding selected JSON members (`$select=properties/owner`): column name → the selected path. */
  memberColumns: Record<string, string[]>;
  top: number;
  skip: number;
}

/** The visibility guard for any entity type under `alias`; null when nothing is restricted. */
function guardFor(visibility: Visibility | null, params: Params): ScopeGuard {
  if (!visibility) return () => null;
  return (type, a) => {
    const visibleThing = (thingId: string): string => {
      const cond = visibility.packageCondition('vt.package_id', params.values);
      return `EXISTS (SELECT 1 FROM sensor_thing vt WHERE vt.id = ${thingId} AND ${cond})`;
    };
    const anyThing = (from: string, thingCol: string, where: string): string => {
      const cond = visibility.packageCondition('vt.package_id', params.values);
      return `EXISTS (SELECT 1 FROM ${from} JOIN sensor_thing vt ON vt.id = ${thingCol} WHERE ${where} AND ${cond})`;
    };
    // An entity no Thing uses (a Sensor posted before its Datastream, a Location before its Thing) belongs to no
    // dataset and so shows nothing of one: everyone reads it, as FROST serves every entity (and the conformance
    // suite reads what it posted). Once a Thing uses it, that Thing's dataset decides.
    const orphan = (from: string, where: string): string => `NOT EXISTS (SELECT 1 FROM ${from} WHERE ${where})`;
    switch (type) {
      case 'Thing':
        return visibility.packageCondition(`${a}.package_id`, params.values);
      case 'Datastream':
      case 'HistoricalLocation':
        return visibleThing(`${a}.thing_id`);
      case 'Observation':
        return anyThing('sensor_datastream vd', 'vd.thing_id', `vd.id = ${a}.datastream_id`);
      case 'Location':
        return `(${anyThing('sensor_thing_location vl', 'vl.thing_id', `vl.location_id = ${a}.id`)}
          OR (${orphan('sensor_thing_location vl', `vl.location_id = ${a}.id`)} AND ${orphan('sensor_historical_location_location vhl', `vhl.location_id = ${a}.id`)}))`;
      case 'Sensor':
        return `(${anyThing('sensor_datastream vd', 'vd.thing_id', `vd.sensor_id = ${a}.id`)} OR ${orphan('sensor_datastream vd', `vd.sensor_id = ${a}.id`)})`;
      case 'ObservedProperty':
        return `(${anyThing('sensor_datastream vd', 'vd.thing_id', `vd.observed_property_id = ${a}.id`)} OR ${orphan('sensor_datastream vd', `vd.observed_property_id = ${a}.id`)})`;
      case 'FeatureOfInterest':
        // The Datastreams that observed it decide (sensor_feature_use keeps them when the Observations go, so a
        // private gauge's FeatureOfInterest never turns public after retention); observed by none: nobody's.
        return `(${anyThing('sensor_feature_use vu JOIN sensor_datastream vd ON vd.id = vu.datastream_id', 'vd.thing_id', `vu.feature_of_interest_id = ${a}.id`)}
          OR ${orphan('sensor_feature_use vu', `vu.feature_of_interest_id = ${a}.id`)})`;
    }
  };
}

/** Conditions restricting alias `a` (of the path's segment `k`) to the rows the path names. */
function pathConditions(path: ResourcePath, k: number, a: string, ctx: ExprContext): string[] {
  const seg = path.segments[k];
  const conds: string[] = [];
  if (seg.id !== undefined) conds.push(`${a}.id = ${ctx.params.add(seg.id, 'bigint')}`);
  const parent = k > 0 ? path.segments[k - 1] : undefined;
  const nav: NavigationDef | undefined = parent ? MODEL[parent.type].navigations[seg.navigation!] : undefined;
  // The common case, Datastreams(7)/Observations, as a plain condition on the child's key (index, partitions).
  // Over a child key, a readable child always has a readable parent, so the parent's guard adds nothing.
  if (k === 1 && parent?.id !== undefined && nav?.childFk) {
    const parentId = ctx.params.add(parent.id, 'bigint');
    // A child whose readability is its parent's (an Observation's is its Datastream's, a Datastream's or
    // HistoricalLocation's its Thing's): the parent's guard, on the parent's id, is asked once for the whole
    // collection (an InitPlan), not once per child row (a day of a Datastream is 288 rows).
    const viaParent = (parent.type === 'Datastream' && seg.type === 'Observation') || (parent.type === 'Thing' && (seg.type === 'Datastream' || seg.type === 'HistoricalLocation'));
    const guard = viaParent ? parentGuard(parent.type, parentId, ctx) : ctx.guard(seg.type, a);
    if (guard) conds.push(guard);
    conds.push(`${a}.${nav.childFk} = ${parentId}`);
    return conds;
  }
  const guard = ctx.guard(seg.type, a);
  if (guard) conds.push(guard);
  if (!parent || !nav) return conds;
  const p = ctx.nextAlias();
  const parentConds = pathConditions(path, k - 1, p, ctx);
  conds.push(`EXISTS (SELECT 1 FROM ${MODEL[parent.type].table} ${p} WHERE ${[linkSql(nav, p, a), ...parentConds].join(' AND ')})`);
  return conds;
}

/** The guard of the entity `type` with id `idParam`, as a condition with no reference to the outer query. */
function parentGuard(type: EntityType, idParam: string, ctx: ExprContext): string | null {
  const p = ctx.nextAlias();
  const guard = ctx.guard(type, p);
  return guard ? `EXISTS (SELECT 1 FROM ${MODEL[type].table} ${p} WHERE ${p}.id = ${idParam} AND ${guard})` : null;
}

/** Property names come from the model (plain words), so quoting them needs no escaping. */
const quoteName = (name: string): string => `"${name}"`;

/** The selected columns of entities under alias `a`. */
function selectColumns(type: EntityType, select: string[][] | undefined, a: string, params: Params): { columns: string[]; navigationLinks: string[]; memberColumns: Record<string, string[]> } {
  const def = MODEL[type];
  const columns = [`${a}.id AS "@iot.id"`];
  const memberColumns: Record<string, string[]> = {};
  const navigationLinks: string[] = [];
  const items = select ?? def.defaultSelect.map((n) => [n]);
  for (const item of items) {
    const [name, ...members] = item;
    if (def.navigations[name]) {
      navigationLinks.push(name);
      continue;
    }
    if (name === 'id') continue;
    const prop = def.properties[name];
    if (members.length) {
      // A member's column is named by its position, never by the client's text; `members` maps it back.
      const base = prop.kind === 'result' ? `${a}.result_json` : prop.sql(a);
      const column = `m${Object.keys(memberColumns).length + 1}`;
      memberColumns[column] = item;
      columns.push(`${base} #> ${params.add(members, 'text[]')} AS ${column}`);
    } else {
      columns.push(`${prop.out(a)} AS ${quoteName(name)}`);
    }
  }
  if (!select) navigationLinks.push(...Object.keys(def.navigations));
  return { columns, navigationLinks, memberColumns };
}

/**
 * ORDER BY terms, the id last so that pages are stable; except where the first term already orders the rows of one
 * Datastream totally: an Observation's phenomenonTime is unique in its Datastream (the primary key), so
 * `Datastreams(7)/Observations?$orderby=phenomenonTime desc&$top=1` reads the primary key backwards and stops.
 */
function orderTerms(type: EntityType, items: QueryOptions['orderby'], scope: Scope, a: string, oneDatastream: boolean): string[] {
  const first = items[0];
  if (oneDatastream && type === 'Observation' && first?.expr.type === 'path' && first.expr.segments.length === 1 && first.expr.segments[0] === 'phenomenonTime') {
    return [`${a}.phenomenon_time${first.direction === 'desc' ? ' DESC' : ''}`];
  }
  return [...orderSql(items, scope), `${a}.id`];
}

const REF_ONLY = (a: string): ReturnType<typeof selectColumns> => ({ columns: [`${a}.id AS "@iot.id"`], navigationLinks: [], memberColumns: {} });

/**
 * The SQL answering a GET on `path` with `options`. Throws StaQueryError (400) for a filter or order that
 * cannot be compiled (a type mismatch, a to-many path in $orderby).
 */
export function compileRead(path: ResourcePath, options: QueryOptions, read: ReadContext): CompiledRead {
  const last = lastSegment(path);
  const type = last.type;
  const params = new Params();
  const ctx = new ExprContext(params, guardFor(read.visibility, params), read.visibility !== null);
  const a = 'a';
  const scope = new Scope(type, a, [], undefined, ctx);
  const where = pathConditions(path, path.segments.length - 1, a, ctx);
  const table = MODEL[type].table;

  if (path.property) {
    const [name, ...members] = path.property;
    const prop = MODEL[type].properties[name === '@iot.id' ? 'id' : name];
    const base = members.length ? `${prop.kind === 'result' ? `${a}.result_json` : prop.sql(a)} #> ${params.add(members, 'text[]')}` : prop.out(a);
    const sql = `SELECT ${base} AS value FROM ${table} ${a} WHERE ${where.join(' AND ') || 'TRUE'} LIMIT 1`;
    return { kind: path.isValue ? 'value' : 'property', type, isRef: false, query: { sql, params: params.values }, navigationLinks: [], memberColumns: {}, top: 1, skip: 0 };
  }

  if (!last.isCollection) {
    const { columns, navigationLinks, memberColumns } = path.isRef ? REF_ONLY(a) : selectColumns(type, options.select, a, params);
    const sql = `SELECT ${columns.join(', ')} FROM ${table} ${a} WHERE ${where.join(' AND ') || 'TRUE'} LIMIT 1`;
    return { kind: 'entity', type, isRef: path.isRef, query: { sql, params: params.values }, navigationLinks, memberColumns, top: 1, skip: 0 };
  }

  let parentCheck: SqlQuery | undefined;
  if (path.segments.length > 1) {
    const own = new Params();
    const ownCtx = new ExprContext(own, guardFor(read.visibility, own), read.visibility !== null);
    const k = path.segments.length - 2;
    const conds = pathConditions(path, k, 'p', ownCtx);
    parentCheck = { sql: `SELECT EXISTS (SELECT 1 FROM ${MODEL[path.segments[k].type].table} p WHERE ${conds.join(' AND ') || 'TRUE'}) AS found`, params: own.values };
  }
  if (options.filter) where.push(filterSql(options.filter, scope));
  const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
  // The count shares the path's and the filter's parameters; it is built before the page adds its own (order,
  // select, limit), since PostgreSQL refuses parameters a statement does not use.
  const count = options.count ? { sql: `SELECT count(*) AS count FROM ${table} ${a} ${scope.joins.join(' ')} ${whereSql}`, params: [...params.values] } : undefined;
  const parent = path.segments[path.segments.length - 2];
  const order = orderTerms(type, options.orderby, scope, a, parent?.type === 'Datastream' && parent.id !== undefined && last.navigation === 'Observations');
  const from = `FROM ${table} ${a} ${scope.joins.join(' ')}`;
  const { columns, navigationLinks, memberColumns } = path.isRef ? REF_ONLY(a) : selectColumns(type, options.select, a, params);
  // dataArray groups Observations by their Datastream.
  if (options.resultFormat === 'dataArray' && !path.isRef) columns.push(`${a}.datastream_id AS "@datastream"`);
  const limit = params.add(options.top + 1, 'bigint');
  const offset = params.add(options.skip, 'bigint');
  const sql = `SELECT ${columns.join(', ')} ${from} ${whereSql} ORDER BY ${order.join(', ')} LIMIT ${limit} OFFSET ${offset}`;
  return { kind: 'collection', type, isRef: path.isRef, query: { sql, params: params.values }, count, parentCheck, navigationLinks, memberColumns, top: options.top, skip: options.skip };
}

export interface CompiledExpand {
  type: EntityType;
  many: boolean;
  /**
   * Rows of all parents at once: column `@parent` (the parent's id), then the child's columns as in CompiledRead.
   * To-many navigations return up to `top + 1` rows per parent (the extra one says a next page exists), ordered
   * by parent then the options' order; `@count` holds each parent's total when `$count=true`.
   */
  query: SqlQuery;
  navigationLinks: string[];
  memberColumns: Record<string, string[]>;
  top: number;
  skip: number;
}

/**
 * The child query of one `$expand` item for a set of parents: `Datastreams($top=1;$orderby=…)` for Things 1, 2
 * and 3 in one query, with `$top`/`$skip` applied per parent (a LATERAL subquery per parent, so each uses the
 * child's index: the newest Observation of 100 Datastreams reads 100 rows). Nested `$expand`s are answered by
 * calling this again with the children's ids.
 */
export function compileExpand(parentType: EntityType, item: ExpandItem, parentIds: readonly string[], read: ReadContext): CompiledExpand {
  const nav = MODEL[parentType].navigations[item.navigation];
  if (!nav) throw new StaQueryError(400, 'bad_option', `$expand: ${parentType} has no navigation property ${item.navigation}`);
  const type = nav.target;
  const o = item.options;
  const params = new Params();
  const ctx = new ExprContext(params, guardFor(read.visibility, params), read.visibility !== null);
  const a = 'a';
  const scope = new Scope(type, a, [], undefined, ctx);
  const ids = params.add(parentIds, 'bigint[]');
  const where: string[] = [];
  const guard = ctx.guard(type, a);
  if (guard) where.push(guard);
  let from = `${MODEL[type].table} ${a}`;
  if (nav.childFk) where.push(`${a}.${nav.childFk} = pid.id`);
  else if (nav.parentFk) {
    where.push(`${a}.id = (SELECT pp.${nav.parentFk} FROM ${MODEL[parentType].table} pp WHERE pp.id = pid.id)`);
  } else {
    const v = nav.via!;
    from = `${v.table} x JOIN ${from} ON ${a}.id = x.${v.childCol}`;
    where.push(`x.${v.parentCol} = pid.id`);
  }
  if (o.filter) where.push(filterSql(o.filter, scope));
  const { columns, navigationLinks, memberColumns } = selectColumns(type, o.select, a, params);
  const fromSql = `FROM ${from} ${scope.joins.join(' ')} WHERE ${where.join(' AND ')}`;
  const countCol = o.count && nav.many ? `, (SELECT count(*) ${fromSql}) AS "@count"` : '';
  const order = orderTerms(type, o.orderby, scope, a, parentType === 'Datastream' && item.navigation === 'Observations');
  const limit = nav.many ? `LIMIT ${params.add(o.top + 1, 'bigint')} OFFSET ${params.add(o.skip, 'bigint')}` : 'LIMIT 1';
  const sql =
    `SELECT pid.id AS "@parent", c.*${countCol} FROM unnest(${ids}) WITH ORDINALITY AS pid(id, n) ` +
    `CROSS JOIN LATERAL (SELECT ${columns.join(', ')} ${fromSql} ORDER BY ${order.join(', ')} ${limit}) c ORDER BY pid.n`;
  return { type, many: nav.many, query: { sql, params: params.values }, navigationLinks, memberColumns, top: nav.many ? o.top : 1, skip: nav.many ? o.skip : 0 };
}
