import { SearchError, SearchQueryError } from '../../api/errors';
import { QNode } from './query/ast';
import { normalizeTimestamp, resolveDate } from './query/date-math';
import { searchField } from './search-fields';

/**
 * The structured part of every search document, held in memory: what filters, facets, counts and
 * sorts need, without text. It answers queries that name only these fields (`*:*`, the harvester's
 * `metadata_modified:[T TO *]`, organization and tag filters) with no SQL at all, and counts facets
 * for match sets PostgreSQL found by text. Keyword values are stored as small integer codes, so
 * counting facets over 100,000 documents is a pass over integer arrays.
 */
const CODED = ['tags', 'groups', 'res_format', 'organization', 'owner_org', 'license_id', 'state', 'capacity', 'type', 'creator_user_id'] as const;
type CodedField = (typeof CODED)[number];

const ALIASES: Record<string, string> = { license: 'license_id', dataset_type: 'type' };
const canonical = (field: string): string => ALIASES[field] ?? field;

export interface MemDoc {
  id: string;
  name: string;
  title: string;
  modified: string;
  created: string;
  numResources: number;
  numTags: number;
  /** Codes per coded field (single-valued fields hold one code, or none for null). */
  codes: Record<CodedField, number[]>;
}

/** A row of search_document as the store loads it. */
export interface DocRow {
  id: string;
  name: string;
  title: string | null;
  state: string;
  capacity: string;
  type: string;
  owner_org: string | null;
  organization: string | null;
  creator_user_id: string | null;
  license_id: string | null;
  tags: string[];
  groups: string[];
  res_format: string[];
  metadata_modified: string;
  metadata_created: string;
  num_resources: number;
  num_tags: number;
}

export type SortKey = 'id' | 'name' | 'title_string' | 'metadata_modified' | 'metadata_created' | 'num_resources' | 'num_tags';
export const SORT_KEYS: readonly SortKey[] = ['id', 'name', 'title_string', 'metadata_modified', 'metadata_created', 'num_resources', 'num_tags'];

export type Pred = (d: MemDoc) => boolean;

const sortValue = (d: MemDoc, key: SortKey): string | number => {
  switch (key) {
    case 'id': return d.id;
    case 'name': return d.name;
    case 'title_string': return d.title;
    case 'metadata_modified': return d.modified;
    case 'metadata_created': return d.created;
    case 'num_resources': return d.numResources;
    case 'num_tags': return d.numTags;
  }
};

const cmp = (a: string | number, b: string | number): number => (a < b ? -1 : a > b ? 1 : 0);

/** String ↔ code for one field's values. */
class Dictionary {
  private readonly codes = new Map<string, number>();
  readonly values: string[] = [];

  code(v: string): number {
    let c = this.codes.get(v);
    if (c === undefined) {
      c = this.values.length;
      this.codes.set(v, c);
      this.values.push(v);
    }
    return c;
  }

  find(v: string): number | undefined {
    return this.codes.get(v);
  }
}

/** Whether the in-memory store can answer a query tree by itself. */
export function inMemoryCapable(node: QNode): boolean {
  switch (node.kind) {
    case 'all': return true;
    case 'free': return false;
    case 'and': case 'or': return node.children.every(inMemoryCapable);
    case 'not': return inMemoryCapable(node.child);
    case 'term': case 'phrase': case 'range': return node.field !== null && searchField(node.field).inMemory;
  }
}

export function isInMemoryFacet(field: string): boolean {
  return (CODED as readonly string[]).includes(canonical(field));
}

export interface ScanRequest {
  predicate: Pred;
  /** Sort key and direction; ties are broken by id in the same direction. */
  sort: { key: SortKey; desc: boolean };
  start: number;
  rows: number;
  /** Continue after this sort tuple instead of skipping `start` rows (a paging cursor). */
  after?: [string | number, string];
  facetFields: string[];
}

export interface ScanResult {
  count: number;
  ids: string[];
  /** The sort tuple of the last row returned, for the next page's cursor. */
  last?: [string | number, string];
  facets: Map<string, Map<string, number>>;
}

/**
 * The documents, kept sorted by every sort key, so a page in any supported order is one pass that
 * also counts matches and facet values.
 */
export class DocStore {
  private readonly byId = new Map<string, MemDoc>();
  private readonly sorted = new Map<SortKey, MemDoc[]>(SORT_KEYS.map((k) => [k, []]));
  private readonly dicts = Object.fromEntries(CODED.map((f) => [f, new Dictionary()])) as Record<CodedField, Dictionary>;
  private loaded = false;

  get ready(): boolean {
    return this.loaded;
  }

  get size(): number {
    return this.byId.size;
  }

  /** Replaces everything (initial load, or after missed changes). */
  reset(rows: DocRow[]): void {
    this.byId.clear();
    for (const r of rows) this.byId.set(r.id, this.toMemDoc(r));
    for (const key of SORT_KEYS) {
      const arr = [...this.byId.values()];
      arr.sort((a, b) => this.order(a, b, key));
      this.sorted.set(key, arr);
    }
    this.loaded = true;
  }

  invalidate(): void {
    this.loaded = false;
  }

  /** Applies changed documents: `rows` are the current ones, ids missing from them are gone. */
  apply(ids: string[], rows: DocRow[]): void {
    const current = new Map(rows.map((r) => [r.id, r]));
    for (const id of ids) {
      const old = this.byId.get(id);
      if (old) {
        for (const key of SORT_KEYS) this.removeSorted(key, old);
        this.byId.delete(id);
      }
      const row = current.get(id);
      if (row) {
        const doc = this.toMemDoc(row);
        this.byId.set(id, doc);
        for (const key of SORT_KEYS) this.insertSorted(key, doc);
      }
    }
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Compiles a query tree (of in-memory fields) into a predicate over documents. */
  predicate(node: QNode, now: Date): Pred {
    switch (node.kind) {
      case 'all': return () => true;
      case 'and': {
        const ps = node.children.map((c) => this.predicate(c, now));
        return (d) => ps.every((p) => p(d));
      }
      case 'or': {
        const ps = node.children.map((c) => this.predicate(c, now));
        return (d) => ps.some((p) => p(d));
      }
      case 'not': {
        const p = this.predicate(node.child, now);
        return (d) => !p(d);
      }
      case 'free': throw new Error('free text is not answered in memory');
      case 'term':
      case 'phrase':
        return this.match(canonical(node.field ?? 'text'), node.value, node.kind === 'term' && node.wildcard, now);
      case 'range':
        return this.range(canonical(node.field), node.lo, node.hi, node.loInclusive, node.hiInclusive, now);
    }
  }

  private match(field: string, value: string, wildcard: boolean, now: Date): Pred {
    if ((CODED as readonly string[]).includes(field)) {
      const f = field as CodedField;
      if (wildcard) {
        const re = wildcardRegex(value);
        const matching = new Set(this.dicts[f].values.flatMap((v, code) => (re.test(v) ? [code] : [])));
        return (d) => d.codes[f].some((c) => matching.has(c));
      }
      const code = this.dicts[f].find(value);
      return code === undefined ? () => false : (d) => d.codes[f].includes(code);
    }
    const get = this.scalar(field);
    const type = searchField(field).type;
    if (type === 'date') {
      const at = resolveDate(value, now);
      return (d) => get(d) === at;
    }
    if (type === 'int') {
      const n = toNumber(value, field);
      return (d) => get(d) === n;
    }
    if (wildcard) {
      const re = wildcardRegex(value);
      return (d) => re.test(String(get(d)));
    }
    return (d) => get(d) === value;
  }

  private range(field: string, loRaw: string | null, hiRaw: string | null, loInc: boolean, hiInc: boolean, now: Date): Pred {
    const type = searchField(field).type;
    const conv = (v: string | null): string | number | null =>
      v === null ? null : type === 'date' ? resolveDate(v, now) : type === 'int' ? toNumber(v, field) : v;
    const lo = conv(loRaw);
    const hi = conv(hiRaw);
    const inRange = (v: string | number): boolean => {
      if (lo !== null && (loInc ? cmp(v, lo) < 0 : cmp(v, lo) <= 0)) return false;
      if (hi !== null && (hiInc ? cmp(v, hi) > 0 : cmp(v, hi) >= 0)) return false;
      return true;
    };
    if ((CODED as readonly string[]).includes(field)) {
      const f = field as CodedField;
      const matching = new Set(this.dicts[f].values.flatMap((v, code) => (v !== '' && inRange(v) ? [code] : [])));
      return (d) => d.codes[f].some((c) => matching.has(c));
    }
    const get = this.scalar(field);
    return (d) => {
      const v = get(d);
      return v !== '' && inRange(v);
    };
  }

  private scalar(field: string): (d: MemDoc) => string | number {
    switch (field) {
      case 'id': return (d) => d.id;
      case 'name': return (d) => d.name;
      case 'title_string': return (d) => d.title;
      case 'metadata_modified': return (d) => d.modified;
      case 'metadata_created': return (d) => d.created;
      case 'num_resources': return (d) => d.numResources;
      case 'num_tags': return (d) => d.numTags;
      default: throw new SearchError(`field ${field} is not held in memory`);
    }
  }

  scan(req: ScanRequest, restrictTo?: Set<string>): ScanResult {
    const arr = this.sorted.get(req.sort.key)!;
    const n = arr.length;
    const counters = this.counters(req.facetFields);
    const ids: string[] = [];
    let count = 0;
    let skipped = 0;
    let last: [string | number, string] | undefined;
    const after = req.after;
    for (let i = 0; i < n; i++) {
      const d = arr[req.sort.desc ? n - 1 - i : i];
      if (restrictTo && !restrictTo.has(d.id)) continue;
      if (!req.predicate(d)) continue;
      count++;
      for (const c of counters) c.add(d);
      if (ids.length >= req.rows) continue;
      if (after) {
        const c = cmp(sortValue(d, req.sort.key), after[0]) || cmp(d.id, after[1]);
        if (req.sort.desc ? c >= 0 : c <= 0) continue;
      } else if (skipped < req.start) {
        skipped++;
        continue;
      }
      ids.push(d.id);
      last = [sortValue(d, req.sort.key), d.id];
    }
    return { count, ids, last, facets: new Map(counters.map((c) => [c.field, c.result()])) };
  }

  /** Facet counts over a set of documents (found by text in PostgreSQL). */
  facetsOf(ids: Iterable<string>, fields: string[]): Map<string, Map<string, number>> {
    const counters = this.counters(fields);
    for (const id of ids) {
      const d = this.byId.get(id);
      if (d) for (const c of counters) c.add(d);
    }
    return new Map(counters.map((c) => [c.field, c.result()]));
  }

  private counters(fields: string[]): { field: string; add(d: MemDoc): void; result(): Map<string, number> }[] {
    return fields.map((field) => {
      const f = canonical(field) as CodedField;
      const dict = this.dicts[f];
      if (!dict) throw new SearchError(`field ${field} is not held in memory`);
      const counts = new Int32Array(dict.values.length);
      return {
        field,
        add: (d: MemDoc) => {
          for (const c of d.codes[f]) counts[c]++;
        },
        result: () => {
          const out = new Map<string, number>();
          for (let c = 0; c < counts.length; c++) if (counts[c] > 0) out.set(dict.values[c], counts[c]);
          return out;
        },
      };
    });
  }

  private toMemDoc(r: DocRow): MemDoc {
    const one = (f: CodedField, v: string | null): number[] => (v === null || v === '' ? [] : [this.dicts[f].code(v)]);
    const many = (f: CodedField, vs: string[]): number[] => [...new Set(vs.filter((v) => v !== '').map((v) => this.dicts[f].code(v)))];
    return {
      id: r.id,
      name: r.name,
      title: r.title ?? '',
      modified: normalizeTimestamp(r.metadata_modified),
      created: normalizeTimestamp(r.metadata_created),
      numResources: r.num_resources,
      numTags: r.num_tags,
      codes: {
        tags: many('tags', r.tags),
        groups: many('groups', r.groups),
        res_format: many('res_format', r.res_format),
        organization: one('organization', r.organization),
        owner_org: one('owner_org', r.owner_org),
        license_id: one('license_id', r.license_id),
        state: one('state', r.state),
        capacity: one('capacity', r.capacity),
        type: one('type', r.type),
        creator_user_id: one('creator_user_id', r.creator_user_id),
      },
    };
  }

  private order(a: MemDoc, b: MemDoc, key: SortKey): number {
    return cmp(sortValue(a, key), sortValue(b, key)) || cmp(a.id, b.id);
  }

  private position(key: SortKey, doc: MemDoc): number {
    const arr = this.sorted.get(key)!;
    let lo = 0;
    let hi = arr.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.order(arr[mid], doc, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private insertSorted(key: SortKey, doc: MemDoc): void {
    this.sorted.get(key)!.splice(this.position(key, doc), 0, doc);
  }

  private removeSorted(key: SortKey, doc: MemDoc): void {
    const arr = this.sorted.get(key)!;
    const i = this.position(key, doc);
    const at = arr[i] === doc ? i : arr.indexOf(doc);
    if (at < 0) throw new SearchError('search document store out of order');
    arr.splice(at, 1);
  }
}

function wildcardRegex(pattern: string): RegExp {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 's');
}

function toNumber(v: string, field: string): number {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new SearchQueryError(`'${v}' is not a number for field ${field}`);
  return n;
}
