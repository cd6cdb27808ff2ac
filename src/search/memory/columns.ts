import { SearchError } from '../../api/errors';
import * as bits from './bits';
import type { Bits } from './bits';

// Bound here, not called through the import: swc's CommonJS output reads an export getter on every such call, which the per-slot loops notice.
const { hasBit, popcountAnd, setBit } = bits;

/** A row of search_document as the store loads it. */
export interface DocRow {
  id: string;
  name: string;
  title: string | null;
  state: string;
  capacity: string;
  access_level: string;
  /** Issue 16: the metadata quality's rating (null before the dataset was scored). */
  quality_rating: string | null;
  /** Ids of the organizations a dataset is shared with (issue 14). */
  shared_with: string[];
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
  /** Issue 16: the terms of the hvd_category extra, as written (see SearchHvdCategory). */
  hvd_category: string[];
  metadata_modified: string;
  metadata_created: string;
  num_resources: number;
  num_tags: number;
  /** search_document.bbox as west, south, east, north; null without an extent. */
  bbox?: number[] | null;
}

/** The fields held as integer codes: one value per document, or a list. */
const SINGLE = ['organization', 'owner_org', 'license_id', 'state', 'capacity', 'type', 'creator_user_id', 'access_level', 'quality_rating'] as const;
const MULTI = ['tags', 'groups', 'res_format', 'shared_with', 'hvd_category'] as const;
const CODED = [...SINGLE, ...MULTI] as const;
type SingleField = (typeof SINGLE)[number];
type MultiField = (typeof MULTI)[number];
export type CodedField = (typeof CODED)[number];

const ALIASES: Record<string, string> = { license: 'license_id', dataset_type: 'type' };
export const canonical = (field: string): string => ALIASES[field] ?? field;
export const isSingle = (f: string): f is SingleField => (SINGLE as readonly string[]).includes(f);
const isMulti = (f: string): f is MultiField => (MULTI as readonly string[]).includes(f);
export const isCoded = (f: string): f is CodedField => isSingle(f) || isMulti(f);

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
export class Dictionary {
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
export class Postings {
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

const newPostings = (words: number): Record<CodedField, Postings> => Object.fromEntries(CODED.map((f) => [f, new Postings(words)])) as Record<CodedField, Postings>;

/**
 * Every coded field of every slot: its codes per slot (columns, read by facet counting), its slots
 * per code (postings, read by filters) and the dictionaries between values and codes.
 */
export class CodedColumns {
  readonly single = {} as Record<SingleField, Int32Array>;
  readonly multi = {} as Record<MultiField, MultiColumn>;
  /** Kept through a reset: a value keeps its code for the life of the store. */
  readonly dicts = Object.fromEntries(CODED.map((f) => [f, new Dictionary()])) as Record<CodedField, Dictionary>;
  postings = newPostings(0);
  /** How many values each coded field holds over all documents (to estimate counting costs). */
  readonly valueCount = Object.fromEntries(CODED.map((f) => [f, 0])) as Record<CodedField, number>;

  /** Empty postings and counts for a load afresh, with bitsets of `words` words. */
  reset(words: number): void {
    this.postings = newPostings(words);
    for (const f of CODED) this.valueCount[f] = 0;
  }

  /** Room for `capacity` slots (`words` words of bits); `keep`: the present slots stay. */
  grow(capacity: number, words: number, keep: boolean): void {
    if (keep) for (const f of CODED) this.postings[f].resize(words);
    for (const f of SINGLE) {
      const column = new Int32Array(capacity).fill(-1);
      if (keep && this.single[f]) column.set(this.single[f]);
      this.single[f] = column;
    }
    for (const f of MULTI) {
      if (keep) this.multi[f].grow(capacity);
      else this.multi[f] = new MultiColumn(capacity);
    }
  }

  place(slot: number, r: DocRow): void {
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
  }

  vacate(slot: number): void {
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
  }
}
