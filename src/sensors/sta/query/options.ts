import type { Expr } from './ast';
import { StaQueryError } from './errors';
import { parseFilter, parseOrderBy, type OrderItem } from './filter-parser';
import { MODEL, propertyName, type EntityType } from './model';

/**
 * SensorThings query options (OGC 18-088 §9.3): `$filter`, `$orderby`, `$top`, `$skip`, `$count`, `$select`,
 * `$expand` (with options nested in parentheses, separated by `;`, and nested paths `Datastreams/Observations`),
 * and `$resultFormat=dataArray`. Names are checked against the entity model; option values are parsed here once.
 */

export interface QueryLimits {
  /** `$top` when none is given (FROST: 100). */
  defaultTop: number;
  /** Larger `$top`s are lowered to this, silently, as FROST does; `@iot.nextLink` pages on. */
  maxTop: number;
}
export const DEFAULT_LIMITS: QueryLimits = { defaultTop: 100, maxTop: 10000 };

export interface ExpandItem {
  /** The navigation property expanded (`Datastreams`). */
  navigation: string;
  /** Options for the expanded entities, nested expands included. */
  options: QueryOptions;
}

export interface QueryOptions {
  filter?: Expr;
  orderby: OrderItem[];
  top: number;
  skip: number;
  count: boolean;
  /** Selected properties (JSON members as further segments) and navigation links; absent: all properties. */
  select?: string[][];
  expand: ExpandItem[];
  resultFormat: 'default' | 'dataArray';
}

const KNOWN = new Set(['$filter', '$orderby', '$top', '$skip', '$count', '$select', '$expand', '$resultformat']);
const NESTED = new Set(['$filter', '$orderby', '$top', '$skip', '$count', '$select', '$expand']);

const bad = (message: string): StaQueryError => new StaQueryError(400, 'bad_option', message);

/** Splits on `sep` outside parentheses and quotes. */
function splitTop(text: string, sep: string, what: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inQuote = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'") inQuote = !inQuote;
    else if (inQuote) continue;
    else if (ch === '(') depth++;
    else if (ch === ')') {
      depth--;
      if (depth < 0) throw bad(`Unbalanced ")" in ${what} at position ${i}`);
    } else if (ch === sep && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) throw bad(`Unbalanced "(" in ${what}`);
  out.push(text.slice(start));
  return out;
}

function nonNegativeInt(name: string, v: string): number {
  if (!/^\s*\d+\s*$/.test(v)) throw bad(`${name} must be a whole number of 0 or more, not "${v}"`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw bad(`${name} is too large: ${v}`);
  return n;
}

function withOptionName<T>(name: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof StaQueryError) throw new StaQueryError(e.status, e.code, `${name}: ${e.message}`, e.position);
    throw e;
  }
}

function parseSelect(type: EntityType, text: string): string[][] {
  const def = MODEL[type];
  return splitTop(text, ',', '$select').map((raw) => {
    const item = raw.trim();
    if (!item) throw bad('$select has an empty item');
    const segments = item.split('/').map((s) => s.trim());
    const name = propertyName(segments[0]);
    const prop = def.properties[name];
    if (prop) {
      if (segments.length > 1 && prop.kind !== 'json') throw bad(`$select: ${segments[0]} of ${type} has no members`);
      return [name, ...segments.slice(1)];
    }
    if (def.navigations[segments[0]] && segments.length === 1) return segments;
    throw bad(`$select: ${type} has no property ${segments[0]}`);
  });
}

function parseExpand(type: EntityType, text: string, limits: QueryLimits, depth: number): ExpandItem[] {
  if (depth > 10) throw bad('$expand is nested too deeply');
  const items: ExpandItem[] = [];
  const implicit = new WeakSet<ExpandItem>();
  for (const raw of splitTop(text, ',', '$expand')) {
    const item = raw.trim();
    if (!item) throw bad('$expand has an empty item');
    const open = item.indexOf('(');
    const pathText = open < 0 ? item : item.slice(0, open);
    if (open >= 0 && !item.endsWith(')')) throw bad(`$expand: text after ")" in ${item}`);
    const inner = open < 0 ? '' : item.slice(open + 1, -1);
    const navs = pathText.split('/').map((s) => s.trim());
    // Datastreams/Observations($top=1): the options belong to the last navigation.
    let current: EntityType = type;
    const chain: { navigation: string; type: EntityType }[] = [];
    for (const nav of navs) {
      const def = MODEL[current].navigations[nav];
      if (!def) throw bad(`$expand: ${current} has no navigation property ${nav || '(empty)'}`);
      current = def.target;
      chain.push({ navigation: nav, type: current });
    }
    const leafParams: Record<string, string> = {};
    if (inner.trim()) {
      for (const opt of splitTop(inner, ';', '$expand')) {
        const eq = opt.indexOf('=');
        const key = (eq < 0 ? opt : opt.slice(0, eq)).trim().toLowerCase();
        if (eq < 0 || !NESTED.has(key)) throw bad(`$expand: ${opt.trim() || '(empty)'} is not an option allowed inside $expand`);
        if (key in leafParams) throw bad(`$expand: ${key} given twice for ${pathText}`);
        leafParams[key] = opt.slice(eq + 1);
      }
    }
    const leaf: ExpandItem = { navigation: chain[chain.length - 1].navigation, options: parseOptionMap(chain[chain.length - 1].type, leafParams, limits, depth + 1) };
    // Datastreams/Thing and Datastreams($top=1) together expand Datastreams once, with both.
    let node = leaf;
    for (let k = chain.length - 2; k >= 0; k--) {
      node = { navigation: chain[k].navigation, options: { ...emptyOptions(limits), expand: [node] } };
      implicit.add(node);
    }
    mergeInto(items, node, implicit);
  }
  return items;
}

/** Adds an expand item to a list, merging it with one for the same navigation. */
function mergeInto(items: ExpandItem[], node: ExpandItem, implicit: WeakSet<ExpandItem>): void {
  const same = items.find((x) => x.navigation === node.navigation);
  if (!same) {
    items.push(node);
    return;
  }
  const nested = node.options.expand;
  if (implicit.has(same) && !implicit.has(node)) {
    // The item so far only carried nested paths; the new one brings the options.
    const carried = same.options.expand;
    same.options = { ...node.options, expand: [] };
    implicit.delete(same);
    for (const e of [...carried, ...nested]) mergeInto(same.options.expand, e, implicit);
    return;
  }
  if (!implicit.has(node) && !implicit.has(same)) throw bad(`$expand names ${node.navigation} twice`);
  for (const e of nested) mergeInto(same.options.expand, e, implicit);
}

function emptyOptions(limits: QueryLimits): QueryOptions {
  return { orderby: [], top: limits.defaultTop, skip: 0, count: false, expand: [], resultFormat: 'default' };
}

function parseOptionMap(type: EntityType, params: Record<string, string>, limits: QueryLimits, depth: number): QueryOptions {
  const o = emptyOptions(limits);
  for (const [key, value] of Object.entries(params)) {
    switch (key) {
      case '$filter':
        o.filter = withOptionName('$filter', () => parseFilter(value));
        break;
      case '$orderby':
        o.orderby = withOptionName('$orderby', () => parseOrderBy(value));
        break;
      case '$top':
        o.top = Math.min(nonNegativeInt('$top', value), limits.maxTop);
        break;
      case '$skip':
        o.skip = nonNegativeInt('$skip', value);
        break;
      case '$count': {
        const v = value.trim().toLowerCase();
        if (v !== 'true' && v !== 'false') throw bad(`$count must be true or false, not "${value}"`);
        o.count = v === 'true';
        break;
      }
      case '$select':
        o.select = parseSelect(type, value);
        break;
      case '$expand':
        o.expand = parseExpand(type, value, limits, depth);
        break;
      case '$resultformat':
        if (value.trim().toLowerCase() !== 'dataarray') throw bad(`$resultFormat: only dataArray is supported, not "${value}"`);
        if (type !== 'Observation') throw bad('$resultFormat=dataArray applies to Observations only');
        o.resultFormat = 'dataArray';
        break;
      default:
        throw bad(`Unknown query option ${key}`);
    }
  }
  return o;
}

/**
 * Parses the query options of a request on entities of `type` (the decoded query parameters; those not starting
 * with `$` are not options and are ignored). Throws StaQueryError (400) naming the option and the problem.
 */
export function parseQueryOptions(type: EntityType, query: Readonly<Record<string, string | string[] | undefined>>, limits: QueryLimits = DEFAULT_LIMITS): QueryOptions {
  const params: Record<string, string> = {};
  for (const [rawKey, value] of Object.entries(query)) {
    if (!rawKey.startsWith('$') || value === undefined) continue;
    const key = rawKey.toLowerCase();
    if (!KNOWN.has(key)) throw bad(`Unknown query option ${rawKey}`);
    if (Array.isArray(value) && value.length !== 1) throw bad(`${rawKey} is given more than once`);
    if (key in params) throw bad(`${rawKey} is given more than once`);
    params[key] = Array.isArray(value) ? value[0] : value;
  }
  return parseOptionMap(type, params, limits, 0);
}
