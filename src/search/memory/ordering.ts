import { SearchError } from '../../api/errors';
import { normalizeTimestamp } from '../query/date-math';
import * as bits from './bits';
import type { Bits } from './bits';
import { DocRow } from './columns';

// Bound here, not called through the import: swc's CommonJS output reads an export getter on every such call, which the per-slot loops notice.
const { hasBit } = bits;

export type SortKey = 'id' | 'name' | 'title_string' | 'metadata_modified' | 'metadata_created' | 'num_resources' | 'num_tags';
export const SORT_KEYS: readonly SortKey[] = ['id', 'name', 'title_string', 'metadata_modified', 'metadata_created', 'num_resources', 'num_tags'];
export const NUMERIC_KEYS = new Set<SortKey>(['num_resources', 'num_tags']);

export const cmp = (a: string | number, b: string | number): number => (a < b ? -1 : a > b ? 1 : 0);

/** Each slot's values of the sort keys (and its id). */
export class SortValues {
  ids: string[] = [];
  private names: string[] = [];
  private titles: string[] = [];
  private modified: string[] = [];
  private created: string[] = [];
  private numResources: Int32Array = new Int32Array(0);
  private numTags: Int32Array = new Int32Array(0);

  /** Room for `capacity` slots, the new ones from `from` on; `keep`: the present slots stay. */
  grow(from: number, capacity: number, keep: boolean): void {
    const ints = (old: Int32Array): Int32Array => {
      const a = new Int32Array(capacity);
      if (keep) a.set(old);
      return a;
    };
    this.numResources = ints(this.numResources);
    this.numTags = ints(this.numTags);
    if (!keep) {
      this.ids = [];
      this.names = [];
      this.titles = [];
      this.modified = [];
      this.created = [];
    }
    for (let s = from; s < capacity; s++) {
      this.ids[s] = '';
      this.names[s] = '';
      this.titles[s] = '';
      this.modified[s] = '';
      this.created[s] = '';
    }
  }

  set(slot: number, r: DocRow): void {
    this.ids[slot] = r.id;
    this.names[slot] = r.name;
    this.titles[slot] = r.title ?? '';
    this.modified[slot] = normalizeTimestamp(r.metadata_modified);
    this.created[slot] = normalizeTimestamp(r.metadata_created);
    this.numResources[slot] = r.num_resources;
    this.numTags[slot] = r.num_tags;
  }

  value(key: SortKey, slot: number): string | number {
    switch (key) {
      case 'id': return this.ids[slot];
      case 'name': return this.names[slot];
      case 'title_string': return this.titles[slot];
      case 'metadata_modified': return this.modified[slot];
      case 'metadata_created': return this.created[slot];
      case 'num_resources': return this.numResources[slot];
      case 'num_tags': return this.numTags[slot];
    }
  }
}

/** What a page of matches asks for. */
export interface PageRequest {
  /** The matching slots. */
  mask: Bits;
  /** Scores: order by score first, highest first, then by `sort`. */
  score?: Float64Array;
  /** Sort key and direction; ties are broken by id in the same direction. */
  sort: { key: SortKey; desc: boolean };
  start: number;
  rows: number;
  /** Continue after this sort tuple instead of skipping `start` rows (a paging cursor). */
  after?: [string | number, string];
}

/** The live slots in order of each sort key (ties by id), kept up to date, and pages walked along them. */
export class SortOrders {
  private readonly orders = new Map<SortKey, number[]>(SORT_KEYS.map((k) => [k, []]));

  constructor(private readonly values: SortValues) {}

  get(key: SortKey): number[] {
    return this.orders.get(key)!;
  }

  /** Every order afresh, of these slots. */
  rebuild(slots: readonly number[]): void {
    for (const key of SORT_KEYS) this.orders.set(key, this.sortedSlots(key, [...slots]));
  }

  /** Takes the `removed` slots out of every order and puts the `added` ones in. */
  update(removed: Set<number>, added: number[]): void {
    // Freed slots may be reused at once: take the old positions out before the new ones go in.
    for (const key of SORT_KEYS) {
      const order = this.orders.get(key)!;
      if (removed.size + added.length <= 32) {
        for (const slot of removed) {
          const at = order.indexOf(slot);
          if (at < 0) throw new SearchError('search document store out of order');
          order.splice(at, 1);
        }
        for (const slot of added) order.splice(this.lowerBound(order, key, this.values.value(key, slot), this.values.ids[slot]), 0, slot);
      } else {
        const kept = order.filter((s) => !removed.has(s));
        this.orders.set(key, merge(kept, this.sortedSlots(key, added), (a, b) => this.order(a, b, key)));
      }
    }
  }

  /** One page of the slots in `req.mask` along the sort order, and the sort tuple of its last row. */
  page(req: PageRequest): { ids: string[]; last?: [string | number, string] } {
    const { mask } = req;
    const order = this.orders.get(req.sort.key)!;
    const ids: string[] = [];
    let last: [string | number, string] | undefined;
    const key = req.sort.key;
    const n = order.length;
    let i = 0;
    let skip = req.start;
    if (req.after) {
      // The first position strictly after the cursor, in the walking direction.
      const [v, id] = req.after;
      const value = NUMERIC_KEYS.has(key) ? Number(v) : String(v);
      const bound = req.sort.desc ? this.lowerBound(order, key, value, id) : this.upperBound(order, key, value, id);
      i = req.sort.desc ? n - bound : bound;
      skip = 0;
    }
    for (; i < n && ids.length < req.rows; i++) {
      const slot = order[req.sort.desc ? n - 1 - i : i];
      if (!hasBit(mask, slot)) continue;
      if (skip > 0) {
        skip--;
        continue;
      }
      ids.push(this.values.ids[slot]);
      last = [this.values.value(key, slot), this.values.ids[slot]];
    }
    return { ids, last };
  }

  /** A page ordered by score, highest first, ties in the order of `req.sort` (one walk along it, bucketing by score). */
  pageByScore(req: PageRequest, score: Float64Array): string[] {
    const order = this.orders.get(req.sort.key)!;
    const n = order.length;
    const buckets = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const slot = order[req.sort.desc ? n - 1 - i : i];
      if (!hasBit(req.mask, slot)) continue;
      const sc = score[slot];
      let b = buckets.get(sc);
      if (!b) buckets.set(sc, (b = []));
      b.push(slot);
    }
    const ids: string[] = [];
    let skip = req.start;
    for (const sc of [...buckets.keys()].sort((a, b) => b - a)) {
      const b = buckets.get(sc)!;
      if (skip >= b.length) {
        skip -= b.length;
        continue;
      }
      for (let i = skip; i < b.length && ids.length < req.rows; i++) ids.push(this.values.ids[b[i]]);
      skip = 0;
      if (ids.length >= req.rows) break;
    }
    return ids;
  }

  /** First position whose value is at (inclusive) or after the given one, ignoring ids. */
  valueBound(order: number[], key: SortKey, value: string | number, inclusive: boolean): number {
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = cmp(this.values.value(key, order[mid]), value);
      if (inclusive ? c < 0 : c <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private order(a: number, b: number, key: SortKey): number {
    return cmp(this.values.value(key, a), this.values.value(key, b)) || cmp(this.values.ids[a], this.values.ids[b]);
  }

  private sortedSlots(key: SortKey, slots: number[]): number[] {
    return slots.sort((a, b) => this.order(a, b, key));
  }

  /** First position whose (value, id) is at or after the given tuple. */
  private lowerBound(order: number[], key: SortKey, value: string | number, id: string): number {
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const s = order[mid];
      if ((cmp(this.values.value(key, s), value) || cmp(this.values.ids[s], id)) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First position whose (value, id) is after the given tuple. */
  private upperBound(order: number[], key: SortKey, value: string | number, id: string): number {
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const s = order[mid];
      if ((cmp(this.values.value(key, s), value) || cmp(this.values.ids[s], id)) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Merges two sorted slot lists. */
function merge(a: number[], b: number[], order: (x: number, y: number) => number): number[] {
  if (!b.length) return a;
  const out = new Array<number>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = order(a[i], b[j]) <= 0 ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}
