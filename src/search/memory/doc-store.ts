import { QNode, QueryBox } from '../query/ast';
import * as bits from './bits';
import type { Bits } from './bits';
import { CodedColumns, DocRow } from './columns';
import { Extents } from './extents';
import { countFacets } from './facets';
import { MatchContext, QueryMatcher } from './matching';
import { PageRequest, SortOrders, SortValues } from './ordering';
import { parseTsvector, SlotScores, TextIndex } from './text-index';

// Bound here, not called through the import: swc's CommonJS output reads an export getter on every such call, which the per-slot loops notice.
const { hasBit, popcount, setBit } = bits;

// The store's face to the search backends: what they need of the parts lives where it is defined.
export type { DocRow } from './columns';
export { isInMemoryFacet } from './facets';
export { inMemoryCapable, type MatchContext } from './matching';
export { SORT_KEYS, type SortKey } from './ordering';

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
interface ScanRequest extends PageRequest {
  facetFields: string[];
}

interface ScanResult {
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
  private readonly values = new SortValues();
  private readonly coded = new CodedColumns();
  private readonly extents = new Extents();
  private text = new TextIndex();
  /** Slots in order of each sort key (ties by id). */
  private readonly orders = new SortOrders(this.values);
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
    this.coded.reset(this.alive.length);
    this.text = new TextIndex();
    this.text.beginBulk();
  }

  load(rows: DocRow[]): void {
    for (const r of rows) this.place(r);
  }

  endReset(): void {
    this.text.endBulk();
    this.orders.rebuild([...this.slotOf.values()]);
    this.loaded = true;
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
    this.orders.update(removed, added);
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
    const source = { alive: this.alive, capacity: this.capacity, slotOf: this.slotOf, coded: this.coded, values: this.values, orders: this.orders, text: this.text, extents: this.extents };
    return new QueryMatcher(source).match(node, ctx, negated);
  }

  /** Each matching slot's score: the sum of its positive text matches, plus its extent's overlap with an ext_bbox (see overlapScore). */
  scores(mask: Bits, rankers: SlotScores[], overlap?: QueryBox): Float64Array {
    const score = new Float64Array(this.capacity);
    for (const r of rankers) for (const slot of r.touched) if (hasBit(mask, slot)) score[slot] += r.score[slot];
    if (overlap) {
      for (let w = 0; w < mask.length; w++) {
        for (let word = mask[w]; word !== 0; word &= word - 1) {
          const slot = (w << 5) + (31 - Math.clz32(word & -word));
          score[slot] += this.extents.overlap(slot, overlap);
        }
      }
    }
    return score;
  }

  /** Counts, facets and one page of the slots in `mask`. */
  scan(req: ScanRequest): ScanResult {
    const count = popcount(req.mask);
    const facets = this.countFacets(req.mask, req.facetFields, count);
    if (req.score && req.rows > 0 && count > 0) return { count, ids: this.orders.pageByScore(req, req.score), facets };
    if (req.rows > 0 && count > 0) return { count, ...this.orders.page(req), facets };
    return { count, ids: [], last: undefined, facets };
  }

  /** Facet counts over the slots in `mask` (see facets.ts). */
  countFacets(mask: Bits, fields: string[], matches = popcount(mask)): Map<string, Map<string, number>> {
    return countFacets(this.coded, this.alive, this.size, mask, fields, matches);
  }

  private grow(min: number): void {
    if (min <= this.capacity && this.capacity > 0) return;
    const cap = Math.max(1024, min, this.capacity * 2);
    const words = Math.ceil(cap / 32);
    const alive = new Uint32Array(words);
    const keep = this.capacity > 0;
    if (keep) alive.set(this.alive);
    this.alive = alive;
    this.coded.grow(cap, words, keep);
    this.values.grow(this.capacity, cap, keep);
    this.extents.grow(this.capacity, cap, keep);
    // Unused slots are free, lowest first.
    for (let s = cap - 1; s >= this.capacity; s--) this.free.push(s);
    this.capacity = cap;
  }

  private place(r: DocRow): number {
    if (!this.free.length) this.grow(this.capacity + 1);
    const slot = this.free.pop()!;
    this.slotOf.set(r.id, slot);
    setBit(this.alive, slot);
    this.values.set(slot, r);
    this.extents.set(slot, r.bbox);
    this.coded.place(slot, r);
    this.text.set(slot, parseTsvector(r.tsv ?? ''));
    return slot;
  }

  private vacate(slot: number): void {
    this.slotOf.delete(this.values.ids[slot]);
    this.alive[slot >>> 5] &= ~(1 << (slot & 31));
    this.coded.vacate(slot);
    this.extents.clear(slot);
    this.text.remove(slot);
    this.values.ids[slot] = '';
    this.free.push(slot);
  }
}
