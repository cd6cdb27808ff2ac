import { SearchError, SearchQueryError } from '../../api/errors';
import { FreeWord, minimumShouldMatch, QNode } from '../query/ast';
import { normalizeTimestamp, resolveDate } from '../query/date-math';
import { searchField } from '../search-fields';
import { searchTokens, TextResolution } from '../text-analysis';
import { ALL_CLASSES, classBits, parseTsvector, SlotScores, TextIndex } from './text-index';

/**
 * Every search document held in memory: the structured fields as columns, and the words in an
 * inverted index of the lexemes PostgreSQL made of them (TextIndex). It answers filters, free
 * text, facets, counts and sorts with no SQL at all; what it cannot express (phrases, patterns
 * inside words, resource and extra fields) PostgreSQL answers.
 *
 * Every document has a slot number. A query becomes a bitset over slots (a term is its posting
 * list, a range a stretch of a pre-sorted order, AND/OR/NOT word-wise operations); counting is a
 * popcount, facets one pass over the set bits reading integer-coded columns, and a page a walk
 * along the pre-sorted order of the requested sort key.
 */
const SINGLE = ['organization', 'owner_org', 'license_id', 'state', 'capacity', 'type', 'creator_user_id'] as const;
const MULTI = ['tags', 'groups', 'res_format'] as const;
const CODED = [...SINGLE, ...MULTI] as const;
type SingleField = (typeof SINGLE)[number];
type MultiField = (typeof MULTI)[number];
type CodedField = (typeof CODED)[number];

const ALIASES: Record<string, string> = { license: 'license_id', dataset_type: 'type' };
const canonical = (field: string): string => ALIASES[field] ?? field;
const isSingle = (f: string): f is SingleField => (SINGLE as readonly string[]).includes(f);
const isMulti = (f: string): f is MultiField => (MULTI as readonly string[]).includes(f);
const isCoded = (f: string): f is CodedField => isSingle(f) || isMulti(f);

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
  /** search_document.tsv as text. */
  tsv: string;
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
const NUMERIC_KEYS = new Set<SortKey>(['num_resources', 'num_tags']);

const cmp = (a: string | number, b: string | number): number => (a < b ? -1 : a > b ? 1 : 0);

/** A set of slots, one bit each. */
export type Bits = Uint32Array;

export function popcount(bits: Bits): number {
  let n = 0;
  for (let i = 0; i < bits.length; i++) {
    const x = bits[i];
    n += POP16[x & 0xffff] + POP16[x >>> 16];
  }
  return n;
}

/** Bits set in both. */
export function popcountAnd(a: Bits, b: Bits): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] & b[i];
    n += POP16[x & 0xffff] + POP16[x >>> 16];
  }
  return n;
}

const POP16 = new Uint8Array(65536);
for (let i = 1; i < 65536; i++) POP16[i] = POP16[i >>> 1] + (i & 1);

const hasBit = (bits: Bits, slot: number): boolean => (bits[slot >>> 5] & (1 << (slot & 31))) !== 0;
const setBit = (bits: Bits, slot: number): void => {
  bits[slot >>> 5] |= 1 << (slot & 31);
};

const EMPTY: readonly number[] = Object.freeze([]);

/**
 * A multi-valued field's codes per slot, in one typed array with room for a few per slot (the
 * rest of a long list kept aside), so counting facets reads memory in order instead of chasing
 * one small array per document.
 */
class MultiColumn {
  static readonly INLINE = 6;
  count: Uint16Array;
  inline: Int32Array;
  readonly overflow = new Map<number, Int32Array>();

  constructor(capacity: number) {
    this.count = new Uint16Array(capacity);
    this.inline = new Int32Array(capacity * MultiColumn.INLINE);
  }

  grow(capacity: number): void {
    const count = new Uint16Array(capacity);
    count.set(this.count);
    const inline = new Int32Array(capacity * MultiColumn.INLINE);
    inline.set(this.inline);
    this.count = count;
    this.inline = inline;
  }

  get(slot: number): number[] {
    const n = this.count[slot];
    if (n > MultiColumn.INLINE) return [...this.overflow.get(slot)!];
    const base = slot * MultiColumn.INLINE;
    return Array.from(this.inline.subarray(base, base + n));
  }

  set(slot: number, codes: number[]): void {
    this.overflow.delete(slot);
    this.count[slot] = codes.length;
    if (codes.length > MultiColumn.INLINE) this.overflow.set(slot, Int32Array.from(codes));
    else this.inline.set(codes, slot * MultiColumn.INLINE);
  }

  /** Adds the values of every slot in `bits` to `counts`. */
  countInto(bits: Bits, counts: Int32Array): void {
    const K = MultiColumn.INLINE;
    const count = this.count;
    const inline = this.inline;
    for (let w = 0; w < bits.length; w++) {
      let x = bits[w];
      while (x !== 0) {
        const low = x & -x;
        x ^= low;
        const slot = (w << 5) + 31 - Math.clz32(low);
        const n = count[slot];
        if (n <= K) {
          const base = slot * K;
          for (let i = 0; i < n; i++) counts[inline[base + i]]++;
        } else for (const c of this.overflow.get(slot)!) counts[c]++;
      }
    }
  }
}

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

/**
 * The slots holding each value (code) of a field: a list while few documents have it, a bitset
 * once many do (then it is smaller, and intersecting it with a match set is a word-wise AND).
 */
class Postings {
  private readonly lists: (number[] | undefined)[] = [];
  private readonly bitsets: (Bits | undefined)[] = [];
  /** How many slots hold each code. */
  readonly sizes: number[] = [];

  constructor(private words: number) {}

  add(code: number, slot: number): void {
    this.sizes[code] = (this.sizes[code] ?? 0) + 1;
    const bits = this.bitsets[code];
    if (bits) return setBit(bits, slot);
    const list = (this.lists[code] ??= []);
    list.push(slot);
    if (list.length * 2 >= this.words) {
      const dense = new Uint32Array(this.words);
      for (const s of list) setBit(dense, s);
      this.bitsets[code] = dense;
      this.lists[code] = undefined;
    }
  }

  remove(code: number, slot: number): void {
    this.sizes[code]--;
    const bits = this.bitsets[code];
    if (bits) {
      bits[slot >>> 5] &= ~(1 << (slot & 31));
      return;
    }
    const list = this.lists[code];
    const at = list ? list.indexOf(slot) : -1;
    if (!list || at < 0) throw new SearchError('search postings out of step');
    list[at] = list[list.length - 1];
    list.pop();
  }

  /** The capacity grew: bitsets get the new length. */
  resize(words: number): void {
    this.words = words;
    this.bitsets.forEach((b, code) => {
      if (!b) return;
      const bigger = new Uint32Array(words);
      bigger.set(b);
      this.bitsets[code] = bigger;
    });
  }

  /** ORs the code's slots into `into`. */
  orInto(code: number, into: Bits): void {
    const bits = this.bitsets[code];
    if (bits) for (let i = 0; i < into.length; i++) into[i] |= bits[i];
    else for (const s of this.lists[code] ?? EMPTY) setBit(into, s);
  }

  /** How many of the code's slots are in `mask`. */
  countIn(code: number, mask: Bits): number {
    const bits = this.bitsets[code];
    if (bits) return popcountAnd(bits, mask);
    let n = 0;
    for (const s of this.lists[code] ?? EMPTY) if (hasBit(mask, s)) n++;
    return n;
  }

  /** What counting one code costs: a pass over its list or its bitset's words. */
  cost(code: number): number {
    return this.bitsets[code] ? this.words : (this.lists[code]?.length ?? 0);
  }
}

/** Whether the in-memory store can answer a query tree by itself. */
export function inMemoryCapable(node: QNode): boolean {
  switch (node.kind) {
    case 'all': return true;
    case 'free': return node.words.every((w) => !w.phrase);
    case 'and': case 'or': return node.children.every(inMemoryCapable);
    case 'not': return inMemoryCapable(node.child);
    case 'range': return searchField(node.field).inMemory;
    case 'phrase': return searchField(node.field ?? 'text').inMemory;
    case 'term': {
      const f = searchField(node.field ?? 'text');
      // Patterns inside a word (`pe?el`, `a*b`) are matched on the text in SQL; a trailing `*` is a prefix.
      if (f.type === 'text') return !(node.wildcard && /[?*].*\S/.test(node.value.replace(/\*$/, '')));
      return f.inMemory;
    }
  }
}

/** What matching needs besides the tree: the time for date math, PostgreSQL's analysis of the query's words, and where to put their scores. */
export interface MatchContext {
  now: Date;
  text: TextResolution;
  /** The scores of positive text matches, filled while matching (their sum ranks the results). */
  rankers: SlotScores[];
}

export function isInMemoryFacet(field: string): boolean {
  return isCoded(canonical(field));
}

export interface ScanRequest {
  /** The matching slots (from `match` or `maskOf`). */
  mask: Bits;
  /** Scores (from `scores`): order by score first, highest first, then by `sort`. */
  score?: Int32Array;
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

export class DocStore {
  private capacity = 0;
  private alive: Bits = new Uint32Array(0);
  private readonly free: number[] = [];
  private readonly slotOf = new Map<string, number>();
  private ids: string[] = [];
  private names: string[] = [];
  private titles: string[] = [];
  private modified: string[] = [];
  private created: string[] = [];
  private numResources: Int32Array = new Int32Array(0);
  private numTags: Int32Array = new Int32Array(0);
  private readonly single = {} as Record<SingleField, Int32Array>;
  private readonly multi = {} as Record<MultiField, MultiColumn>;
  private readonly dicts = Object.fromEntries(CODED.map((f) => [f, new Dictionary()])) as Record<CodedField, Dictionary>;
  private postings = this.newPostings(0);
  private text = new TextIndex();
  /** Slots in order of each sort key (ties by id). */
  private readonly orders = new Map<SortKey, number[]>(SORT_KEYS.map((k) => [k, []]));
  /** How many values each coded field holds over all documents (to estimate counting costs). */
  private valueCount = Object.fromEntries(CODED.map((f) => [f, 0])) as Record<CodedField, number>;
  private loaded = false;

  constructor() {
    this.grow(0);
  }

  get ready(): boolean {
    return this.loaded;
  }

  get size(): number {
    return this.slotOf.size;
  }

  /** Replaces everything (initial load, or after missed changes). */
  reset(rows: DocRow[]): void {
    this.beginReset(rows.length);
    this.load(rows);
    this.endReset();
  }

  /** Starts loading everything afresh, in batches (`load`), finished by `endReset`; not ready meanwhile. */
  beginReset(expected: number): void {
    this.loaded = false;
    this.slotOf.clear();
    this.free.length = 0;
    this.capacity = 0;
    this.grow(expected);
    this.postings = this.newPostings(this.alive.length);
    for (const f of CODED) this.valueCount[f] = 0;
    this.text = new TextIndex();
    this.text.beginBulk();
  }

  load(rows: DocRow[]): void {
    for (const r of rows) this.place(r);
  }

  endReset(): void {
    this.text.endBulk();
    for (const key of SORT_KEYS) this.orders.set(key, this.sortedSlots(key, [...this.slotOf.values()]));
    this.loaded = true;
  }

  private newPostings(words: number): Record<CodedField, Postings> {
    return Object.fromEntries(CODED.map((f) => [f, new Postings(words)])) as Record<CodedField, Postings>;
  }

  invalidate(): void {
    this.loaded = false;
  }

  /** Applies changed documents: `rows` are the current ones, ids missing from them are gone. */
  apply(ids: string[], rows: DocRow[]): void {
    const current = new Map(rows.map((r) => [r.id, r]));
    const removed = new Set<number>();
    for (const id of new Set(ids)) {
      const slot = this.slotOf.get(id);
      if (slot !== undefined) {
        this.vacate(slot);
        removed.add(slot);
      }
    }
    const added: number[] = [];
    for (const id of new Set(ids)) {
      const row = current.get(id);
      if (row) added.push(this.place(row));
    }
    // Freed slots may be reused at once: take the old positions out before the new ones go in.
    for (const key of SORT_KEYS) {
      const order = this.orders.get(key)!;
      if (removed.size + added.length <= 32) {
        for (const slot of removed) {
          const at = order.indexOf(slot);
          if (at < 0) throw new SearchError('search document store out of order');
          order.splice(at, 1);
        }
        for (const slot of added) order.splice(this.lowerBound(order, key, this.value(key, slot), this.ids[slot]), 0, slot);
      } else {
        const kept = order.filter((s) => !removed.has(s));
        this.orders.set(key, merge(kept, this.sortedSlots(key, added), (a, b) => this.order(a, b, key)));
      }
    }
  }

  has(id: string): boolean {
    return this.slotOf.has(id);
  }

  /** The slots of these ids (matches PostgreSQL found by text). */
  maskOf(ids: Iterable<string>): Bits {
    const bits = new Uint32Array(this.alive.length);
    for (const id of ids) {
      const slot = this.slotOf.get(id);
      if (slot !== undefined) setBit(bits, slot);
    }
    return bits;
  }

  /** The slots matching a query tree the store can answer (see inMemoryCapable). */
  match(node: QNode, ctx: MatchContext, negated = false): Bits {
    switch (node.kind) {
      case 'all': return this.alive.slice();
      case 'and': {
        const [first, ...rest] = node.children;
        const bits = first ? this.match(first, ctx, negated) : this.alive.slice();
        for (const c of rest) {
          const other = this.match(c, ctx, negated);
          for (let i = 0; i < bits.length; i++) bits[i] &= other[i];
        }
        return bits;
      }
      case 'or': {
        const bits = new Uint32Array(this.alive.length);
        for (const c of node.children) {
          const other = this.match(c, ctx, negated);
          for (let i = 0; i < bits.length; i++) bits[i] |= other[i];
        }
        return bits;
      }
      case 'not': {
        const bits = this.match(node.child, ctx, !negated);
        for (let i = 0; i < bits.length; i++) bits[i] = this.alive[i] & ~bits[i];
        return bits;
      }
      case 'free': return this.freeText(node.words, ctx, negated);
      case 'term':
      case 'phrase': {
        const field = canonical(node.field ?? 'text');
        if (searchField(field).type === 'text') {
          if (node.kind === 'phrase') throw new SearchError('phrases are not answered in memory');
          return this.textTerm(field, node.value.replace(/\*$/, ''), ctx, negated);
        }
        return this.term(field, node.value, node.kind === 'term' && node.wildcard, ctx.now);
      }
      case 'range':
        return this.range(canonical(node.field), node.lo, node.hi, node.loInclusive, node.hiInclusive, ctx.now);
    }
  }

  /** Each matching slot's score: the sum of its positive text matches. */
  scores(mask: Bits, rankers: SlotScores[]): Int32Array {
    const score = new Int32Array(this.capacity);
    for (const r of rankers) for (const slot of r.touched) if (hasBit(mask, slot)) score[slot] += r.score[slot];
    return score;
  }

  /** Counts, facets and one page of the slots in `mask`. */
  scan(req: ScanRequest): ScanResult {
    const { mask } = req;
    const count = popcount(mask);
    const facets = this.countFacets(mask, req.facetFields, count);
    const order = this.orders.get(req.sort.key)!;
    const ids: string[] = [];
    let last: [string | number, string] | undefined;
    if (req.score && req.rows > 0 && count > 0) {
      return { count, ids: this.pageByScore(req, req.score), facets };
    }
    if (req.rows > 0 && count > 0) {
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
        ids.push(this.ids[slot]);
        last = [this.value(key, slot), this.ids[slot]];
      }
    }
    return { count, ids, last, facets };
  }

  /** A page ordered by score, highest first, ties in the order of `req.sort` (one walk along it, bucketing by score). */
  private pageByScore(req: ScanRequest, score: Int32Array): string[] {
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
      for (let i = skip; i < b.length && ids.length < req.rows; i++) ids.push(this.ids[b[i]]);
      skip = 0;
      if (ids.length >= req.rows) break;
    }
    return ids;
  }

  /**
   * Facet counts over the slots in `mask`. Per field, whichever is cheapest: one pass over the
   * matching slots reading the coded columns (small match sets, such as a text query's), the
   * same over the slots that do not match, subtracted from each value's total (nearly
   * everything matches, as for `*:*`), or intersecting the mask with each value's postings.
   */
  countFacets(mask: Bits, fields: string[], matches = popcount(mask)): Map<string, Map<string, number>> {
    const out = new Map<string, Map<string, number>>();
    const all: { field: string; counts: Int32Array; dict: Dictionary; inverse: boolean; postings: Postings }[] = [];
    const misses = this.size - matches;
    let missBits: Bits | undefined;
    for (const field of fields) {
      const f = canonical(field);
      if (!isCoded(f)) throw new SearchError(`field ${field} is not held in memory`);
      const dict = this.dicts[f];
      const postings = this.postings[f];
      const counts = new Int32Array(dict.values.length);
      const perValue = 1 + this.valueCount[f] / Math.max(1, this.size);
      const perDoc = matches * perValue;
      const perMiss = misses * perValue;
      let perCode = 0;
      for (let c = 0; c < counts.length && perCode < Math.min(perDoc, perMiss); c++) perCode += postings.cost(c);
      let inverse = false;
      if (perCode < Math.min(perDoc, perMiss)) {
        for (let c = 0; c < counts.length; c++) counts[c] = postings.countIn(c, mask);
      } else {
        inverse = perMiss < perDoc;
        let over = mask;
        if (inverse) {
          if (!missBits) {
            missBits = new Uint32Array(mask.length);
            for (let w = 0; w < mask.length; w++) missBits[w] = this.alive[w] & ~mask[w];
          }
          over = missBits;
        }
        if (isSingle(f)) countSingle(over, this.single[f], counts);
        else this.multi[f].countInto(over, counts);
      }
      all.push({ field, counts, dict, inverse, postings });
    }
    for (const { field, counts, dict, inverse: inv, postings } of all) {
      const values = new Map<string, number>();
      for (let c = 0; c < counts.length; c++) {
        const n = inv ? (postings.sizes[c] ?? 0) - counts[c] : counts[c];
        if (n > 0) values.set(dict.values[c], n);
      }
      out.set(field, values);
    }
    return out;
  }

  // ---- building ----

  private grow(min: number): void {
    if (min <= this.capacity && this.capacity > 0) return;
    const cap = Math.max(1024, min, this.capacity * 2);
    const words = Math.ceil(cap / 32);
    const alive = new Uint32Array(words);
    const keep = this.capacity > 0;
    if (keep) alive.set(this.alive);
    this.alive = alive;
    if (keep) for (const f of CODED) this.postings[f].resize(words);
    const ints = (old: Int32Array | undefined, fill: number): Int32Array => {
      const a = new Int32Array(cap).fill(fill);
      if (keep && old) a.set(old);
      return a;
    };
    this.numResources = ints(this.numResources, 0);
    this.numTags = ints(this.numTags, 0);
    for (const f of SINGLE) this.single[f] = ints(this.single[f], -1);
    if (!keep) {
      this.ids = [];
      this.names = [];
      this.titles = [];
      this.modified = [];
      this.created = [];
    }
    for (const f of MULTI) {
      if (keep) this.multi[f].grow(cap);
      else this.multi[f] = new MultiColumn(cap);
    }
    for (let s = this.capacity; s < cap; s++) {
      this.ids[s] = '';
      this.names[s] = '';
      this.titles[s] = '';
      this.modified[s] = '';
      this.created[s] = '';
    }
    // Unused slots are free, lowest first.
    for (let s = cap - 1; s >= this.capacity; s--) this.free.push(s);
    this.capacity = cap;
  }

  private place(r: DocRow): number {
    if (!this.free.length) this.grow(this.capacity + 1);
    const slot = this.free.pop()!;
    this.slotOf.set(r.id, slot);
    setBit(this.alive, slot);
    this.ids[slot] = r.id;
    this.names[slot] = r.name;
    this.titles[slot] = r.title ?? '';
    this.modified[slot] = normalizeTimestamp(r.metadata_modified);
    this.created[slot] = normalizeTimestamp(r.metadata_created);
    this.numResources[slot] = r.num_resources;
    this.numTags[slot] = r.num_tags;
    for (const f of SINGLE) {
      const v = r[f];
      const code = v === null || v === '' ? -1 : this.dicts[f].code(v);
      this.single[f][slot] = code;
      if (code >= 0) {
        this.postings[f].add(code, slot);
        this.valueCount[f]++;
      }
    }
    for (const f of MULTI) {
      const codes = [...new Set(r[f].filter((v) => v !== '').map((v) => this.dicts[f].code(v)))];
      this.multi[f].set(slot, codes);
      for (const c of codes) this.postings[f].add(c, slot);
      this.valueCount[f] += codes.length;
    }
    this.text.set(slot, parseTsvector(r.tsv ?? ''));
    return slot;
  }

  private vacate(slot: number): void {
    this.slotOf.delete(this.ids[slot]);
    this.alive[slot >>> 5] &= ~(1 << (slot & 31));
    for (const f of SINGLE) {
      const code = this.single[f][slot];
      this.single[f][slot] = -1;
      if (code >= 0) {
        this.postings[f].remove(code, slot);
        this.valueCount[f]--;
      }
    }
    for (const f of MULTI) {
      const codes = this.multi[f].get(slot);
      for (const c of codes) this.postings[f].remove(c, slot);
      this.valueCount[f] -= codes.length;
      this.multi[f].set(slot, []);
    }
    this.text.remove(slot);
    this.ids[slot] = '';
    this.free.push(slot);
  }

  // ---- sorting ----

  private value(key: SortKey, slot: number): string | number {
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

  private order(a: number, b: number, key: SortKey): number {
    return cmp(this.value(key, a), this.value(key, b)) || cmp(this.ids[a], this.ids[b]);
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
      if ((cmp(this.value(key, s), value) || cmp(this.ids[s], id)) < 0) lo = mid + 1;
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
      if ((cmp(this.value(key, s), value) || cmp(this.ids[s], id)) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First position whose value is at (inclusive) or after the given one, ignoring ids. */
  private valueBound(order: number[], key: SortKey, value: string | number, inclusive: boolean): number {
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = cmp(this.value(key, order[mid]), value);
      if (inclusive ? c < 0 : c <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  // ---- matching ----

  private codesBits(f: CodedField, codes: Iterable<number>): Bits {
    const bits = new Uint32Array(this.alive.length);
    for (const code of codes) this.postings[f].orInto(code, bits);
    return bits;
  }

  /** The slots whose sort-key value lies between two positions of its order. */
  private stretch(key: SortKey, from: number, to: number): Bits {
    const bits = new Uint32Array(this.alive.length);
    const order = this.orders.get(key)!;
    for (let i = from; i < to; i++) setBit(bits, order[i]);
    return bits;
  }

  private filterSlots(test: (slot: number) => boolean): Bits {
    const bits = new Uint32Array(this.alive.length);
    for (const slot of this.slotOf.values()) if (test(slot)) setBit(bits, slot);
    return bits;
  }

  private term(field: string, value: string, wildcard: boolean, now: Date): Bits {
    if (isCoded(field)) {
      const dict = this.dicts[field];
      if (wildcard) {
        const re = wildcardRegex(value);
        return this.codesBits(field, dict.values.flatMap((v, code) => (re.test(v) ? [code] : [])));
      }
      const code = dict.find(value);
      return this.codesBits(field, code === undefined ? [] : [code]);
    }
    const key = this.sortKey(field);
    const type = searchField(field).type;
    if (wildcard && type !== 'date' && type !== 'int') {
      const prefix = /^([^*?]*)\*$/.exec(value);
      if (prefix && !NUMERIC_KEYS.has(key)) return this.between(key, prefix[1], true, prefixEnd(prefix[1]), false);
      const re = wildcardRegex(value);
      return this.filterSlots((s) => re.test(String(this.value(key, s))));
    }
    const v = type === 'date' ? resolveDate(value, now) : type === 'int' ? toNumber(value, field) : value;
    return this.between(key, v, true, v, true);
  }

  private between(key: SortKey, lo: string | number | null, loInc: boolean, hi: string | number | null, hiInc: boolean): Bits {
    const order = this.orders.get(key)!;
    // Empty values (a missing title) are not in any range, as in Solr.
    const first = NUMERIC_KEYS.has(key) ? 0 : this.valueBound(order, key, '', false);
    const from = lo === null ? first : Math.max(first, this.valueBound(order, key, lo, loInc));
    const to = hi === null ? order.length : this.valueBound(order, key, hi, !hiInc);
    return this.stretch(key, from, Math.max(from, to));
  }

  private range(field: string, loRaw: string | null, hiRaw: string | null, loInc: boolean, hiInc: boolean, now: Date): Bits {
    const type = searchField(field).type;
    const conv = (v: string | null): string | number | null =>
      v === null ? null : type === 'date' ? resolveDate(v, now) : type === 'int' ? toNumber(v, field) : v;
    const lo = conv(loRaw);
    const hi = conv(hiRaw);
    if (isCoded(field)) {
      const inRange = (v: string): boolean =>
        v !== '' &&
        !(lo !== null && (loInc ? cmp(v, lo) < 0 : cmp(v, lo) <= 0)) &&
        !(hi !== null && (hiInc ? cmp(v, hi) > 0 : cmp(v, hi) >= 0));
      return this.codesBits(field, this.dicts[field].values.flatMap((v, code) => (inRange(v) ? [code] : [])));
    }
    return this.between(this.sortKey(field), lo, loInc, hi, hiInc);
  }

  /**
   * A query word's matches and scores: every token must match (as a prefix of its stem, or of a
   * near miss's stem when no indexed word starts with it) in an allowed class; the word scores
   * the lowest of its tokens' best classes. Null when nothing in it is searchable.
   */
  private wordScores(word: string, allowed: number, ctx: MatchContext): SlotScores | null {
    const toks = searchTokens(word, ctx.text);
    if (!toks.length) return null;
    let acc: SlotScores | null = null;
    for (const t of toks) {
      if (!t.info) throw new SearchError(`query word "${t.token}" was not analysed`);
      let tok: SlotScores | null = null;
      for (const alternative of t.stems) {
        let alt: SlotScores | null = null;
        for (const stem of alternative) {
          const s = SlotScores.ofStem(this.text, this.capacity, stem, allowed);
          alt = alt ? alt.min(s) : s;
        }
        if (alt) tok = tok ? tok.max(alt) : alt;
      }
      tok ??= new SlotScores(this.capacity);
      acc = acc ? acc.min(tok) : tok;
    }
    return acc;
  }

  private scoredBits(s: SlotScores): Bits {
    const bits = new Uint32Array(this.alive.length);
    for (const slot of s.touched) setBit(bits, slot);
    return bits;
  }

  /** A field's text query (`title:pegel`, `text:wasser*`): its words in the field's classes. */
  private textTerm(field: string, value: string, ctx: MatchContext, negated: boolean): Bits {
    const weights = searchField(field).weights ?? 'ABCD';
    const hits = this.wordScores(value, classBits(weights), ctx);
    if (!hits) return this.alive.slice();
    if (!negated) ctx.rankers.push(hits);
    return this.scoredBits(hits);
  }

  /** CKAN's DisMax free text: +required and -excluded words, and a minimum of the optional ones ("2<-1 5<80%"). */
  private freeText(words: FreeWord[], ctx: MatchContext, negated: boolean): Bits {
    const result = this.alive.slice();
    const optional: SlotScores[] = [];
    let positive = 0;
    for (const w of words) {
      if (w.phrase) throw new SearchError('phrases are not answered in memory');
      const hits = this.wordScores(w.text, ALL_CLASSES, ctx);
      if (!hits) continue;
      if (w.excluded) {
        const bits = this.scoredBits(hits);
        for (let i = 0; i < result.length; i++) result[i] &= ~bits[i];
        continue;
      }
      positive++;
      if (!negated) ctx.rankers.push(hits);
      if (w.required) {
        const bits = this.scoredBits(hits);
        for (let i = 0; i < result.length; i++) result[i] &= bits[i];
      } else optional.push(hits);
    }
    // Only stop words (or nothing searchable): like Solr's DisMax, nothing matches.
    if (!positive) return new Uint32Array(this.alive.length);
    if (optional.length) {
      const k = minimumShouldMatch(optional.length);
      const counts = new Uint8Array(this.capacity);
      const enough = new Uint32Array(this.alive.length);
      for (const o of optional) {
        for (const slot of o.touched) if (++counts[slot] === k) setBit(enough, slot);
      }
      for (let i = 0; i < result.length; i++) result[i] &= enough[i];
    }
    return result;
  }

  private sortKey(field: string): SortKey {
    if ((SORT_KEYS as readonly string[]).includes(field)) return field as SortKey;
    throw new SearchError(`field ${field} is not held in memory`);
  }
}

/** Adds the value of every slot in `bits` to `counts` (a single-valued field's column). */
function countSingle(bits: Bits, column: Int32Array, counts: Int32Array): void {
  for (let w = 0; w < bits.length; w++) {
    let x = bits[w];
    while (x !== 0) {
      const low = x & -x;
      x ^= low;
      const c = column[(w << 5) + 31 - Math.clz32(low)];
      if (c >= 0) counts[c]++;
    }
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

/** The least string after every string starting with `prefix` (null: none, all strings qualify). */
function prefixEnd(prefix: string): string | null {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const c = prefix.charCodeAt(i);
    if (c < 0xffff) return prefix.slice(0, i) + String.fromCharCode(c + 1);
  }
  return null;
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
