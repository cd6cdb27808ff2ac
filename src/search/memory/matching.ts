import { SearchError, SearchQueryError } from '../../api/errors';
import { FreeWord, minimumShouldMatch, QNode, QueryBox } from '../query/ast';
import type { Extents } from './extents';
import { resolveDate } from '../query/date-math';
import { searchField } from '../search-fields';
import { searchTokens, TextResolution } from '../text-analysis';
import * as bits from './bits';
import type { Bits } from './bits';
import { canonical, CodedColumns, CodedField, isCoded } from './columns';
import { cmp, NUMERIC_KEYS, SortKey, SortOrders, SortValues, SORT_KEYS } from './ordering';
import { ALL_CLASSES, classBits, SlotScores, TextIndex } from './text-index';

// Bound here, not called through the import: swc's CommonJS output reads an export getter on every such call, which the per-slot loops notice.
const { setBit } = bits;

/** Whether the in-memory store can answer a query tree by itself. */
export function inMemoryCapable(node: QNode): boolean {
  switch (node.kind) {
    case 'all': return true;
    case 'free': return node.words.every((w) => !w.phrase);
    case 'and': case 'or': return node.children.every(inMemoryCapable);
    case 'not': return inMemoryCapable(node.child);
    case 'range': return searchField(node.field).inMemory;
    case 'phrase': return searchField(node.field ?? 'text').inMemory;
    case 'bbox': return true;
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
  /** The ext_bbox whose overlap ranks, set while matching. */
  overlap?: QueryBox;
}

/** What matching reads of the store, as it is at the time of the query. */
interface MatchSource {
  /** The live slots. */
  alive: Bits;
  capacity: number;
  slotOf: ReadonlyMap<string, number>;
  coded: CodedColumns;
  values: SortValues;
  orders: SortOrders;
  text: TextIndex;
  extents: Extents;
}

/**
 * Evaluates a query tree to the bitset of matching slots: a term is its posting list, a range a
 * stretch of a pre-sorted order, free text the words' matches in the text index, and AND/OR/NOT
 * word-wise operations.
 */
export class QueryMatcher {
  constructor(private readonly s: MatchSource) {}

  /** The slots matching a query tree the store can answer (see inMemoryCapable). */
  match(node: QNode, ctx: MatchContext, negated = false): Bits {
    switch (node.kind) {
      case 'all': return this.s.alive.slice();
      case 'and': {
        const [first, ...rest] = node.children;
        const bits = first ? this.match(first, ctx, negated) : this.s.alive.slice();
        for (const c of rest) {
          const other = this.match(c, ctx, negated);
          for (let i = 0; i < bits.length; i++) bits[i] &= other[i];
        }
        return bits;
      }
      case 'or': {
        const bits = new Uint32Array(this.s.alive.length);
        for (const c of node.children) {
          const other = this.match(c, ctx, negated);
          for (let i = 0; i < bits.length; i++) bits[i] |= other[i];
        }
        return bits;
      }
      case 'not': {
        const bits = this.match(node.child, ctx, !negated);
        const alive = this.s.alive;
        for (let i = 0; i < bits.length; i++) bits[i] = alive[i] & ~bits[i];
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
      case 'bbox': {
        if (!negated) ctx.overlap = node.box;
        const bits = new Uint32Array(this.s.alive.length);
        this.s.extents.matchInto(bits, node.box);
        return bits;
      }
    }
  }

  private codesBits(f: CodedField, codes: Iterable<number>): Bits {
    const bits = new Uint32Array(this.s.alive.length);
    const postings = this.s.coded.postings[f];
    for (const code of codes) postings.orInto(code, bits);
    return bits;
  }

  /** The slots whose sort-key value lies between two positions of its order. */
  private stretch(key: SortKey, from: number, to: number): Bits {
    const bits = new Uint32Array(this.s.alive.length);
    const order = this.s.orders.get(key);
    for (let i = from; i < to; i++) setBit(bits, order[i]);
    return bits;
  }

  private filterSlots(test: (slot: number) => boolean): Bits {
    const bits = new Uint32Array(this.s.alive.length);
    for (const slot of this.s.slotOf.values()) if (test(slot)) setBit(bits, slot);
    return bits;
  }

  private term(field: string, value: string, wildcard: boolean, now: Date): Bits {
    if (isCoded(field)) {
      const dict = this.s.coded.dicts[field];
      if (wildcard) {
        const re = wildcardRegex(value);
        return this.codesBits(field, dict.values.flatMap((v, code) => (re.test(v) ? [code] : [])));
      }
      const code = dict.find(value);
      return this.codesBits(field, code === undefined ? [] : [code]);
    }
    const key = sortKey(field);
    const type = searchField(field).type;
    if (wildcard && type !== 'date' && type !== 'int') {
      const prefix = /^([^*?]*)\*$/.exec(value);
      if (prefix && !NUMERIC_KEYS.has(key)) return this.between(key, prefix[1], true, prefixEnd(prefix[1]), false);
      const re = wildcardRegex(value);
      return this.filterSlots((s) => re.test(String(this.s.values.value(key, s))));
    }
    const v = type === 'date' ? resolveDate(value, now) : type === 'int' ? toNumber(value, field) : value;
    return this.between(key, v, true, v, true);
  }

  private between(key: SortKey, lo: string | number | null, loInc: boolean, hi: string | number | null, hiInc: boolean): Bits {
    const orders = this.s.orders;
    const order = orders.get(key);
    // Empty values (a missing title) are not in any range, as in Solr.
    const first = NUMERIC_KEYS.has(key) ? 0 : orders.valueBound(order, key, '', false);
    const from = lo === null ? first : Math.max(first, orders.valueBound(order, key, lo, loInc));
    const to = hi === null ? order.length : orders.valueBound(order, key, hi, !hiInc);
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
      return this.codesBits(field, this.s.coded.dicts[field].values.flatMap((v, code) => (inRange(v) ? [code] : [])));
    }
    return this.between(sortKey(field), lo, loInc, hi, hiInc);
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
          const s = SlotScores.ofStem(this.s.text, this.s.capacity, stem, allowed);
          alt = alt ? alt.min(s) : s;
        }
        if (alt) tok = tok ? tok.max(alt) : alt;
      }
      tok ??= new SlotScores(this.s.capacity);
      acc = acc ? acc.min(tok) : tok;
    }
    return acc;
  }

  private scoredBits(s: SlotScores): Bits {
    const bits = new Uint32Array(this.s.alive.length);
    for (const slot of s.touched) setBit(bits, slot);
    return bits;
  }

  /** A field's text query (`title:pegel`, `text:wasser*`): its words in the field's classes. */
  private textTerm(field: string, value: string, ctx: MatchContext, negated: boolean): Bits {
    const weights = searchField(field).weights ?? 'ABCD';
    const hits = this.wordScores(value, classBits(weights), ctx);
    if (!hits) return this.s.alive.slice();
    if (!negated) ctx.rankers.push(hits);
    return this.scoredBits(hits);
  }

  /** CKAN's DisMax free text: +required and -excluded words, and a minimum of the optional ones ("2<-1 5<80%"). */
  private freeText(words: FreeWord[], ctx: MatchContext, negated: boolean): Bits {
    const result = this.s.alive.slice();
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
    if (!positive) return new Uint32Array(this.s.alive.length);
    if (optional.length) {
      const k = minimumShouldMatch(optional.length);
      const counts = new Uint8Array(this.s.capacity);
      const enough = new Uint32Array(this.s.alive.length);
      for (const o of optional) {
        for (const slot of o.touched) if (++counts[slot] === k) setBit(enough, slot);
      }
      for (let i = 0; i < result.length; i++) result[i] &= enough[i];
    }
    return result;
  }
}

function sortKey(field: string): SortKey {
  if ((SORT_KEYS as readonly string[]).includes(field)) return field as SortKey;
  throw new SearchError(`field ${field} is not held in memory`);
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
