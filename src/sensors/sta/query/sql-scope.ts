import { badFilter } from './errors';
import { MODEL, propertyName, type EntityType, type NavigationDef } from './model';

/**
 * Where expressions are compiled: the parameters of a statement, the FROM lists (scopes) that paths resolve in,
 * and the resolution of a property path to SQL (joining to-one navigations, signalling to-many ones).
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
export class ToMany {
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

export function resolvePath(scope: Scope, segments: string[], pos: number): Typed {
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

