import { SearchError } from '../../api/errors';

/**
 * The words of every search document in memory: an inverted index over the lexemes PostgreSQL's
 * German configuration produced for it (search_document.tsv), so the linguistics stay
 * PostgreSQL's — stemming, stop words, folding — while a query over 100,000 documents is a walk
 * along a few posting lists.
 *
 * A posting is `slot << 4 | classes`: the document's slot, and which weight classes (A title and
 * name, B tags/groups/organization, C description, D the rest) the lexeme occurs in there. Each
 * lexeme's postings are kept sorted by slot in a typed array.
 */

/** Weight classes as bits. */
export const CLASS_BITS: Record<string, number> = { A: 8, B: 4, C: 2, D: 1 };
export const ALL_CLASSES = 15;

/** The score of a match by the best class it occurs in: title 10, tags 5, description 2, elsewhere 1. */
export function classScore(classes: number): number {
  return classes & 8 ? 10 : classes & 4 ? 5 : classes & 2 ? 2 : classes & 1 ? 1 : 0;
}

/** The class bits of a weights string such as 'A' or 'ABCD'. */
export function classBits(weights: string): number {
  let bits = 0;
  for (const w of weights) bits |= CLASS_BITS[w] ?? 0;
  return bits;
}

/**
 * Reads tsvector text output (`'lexeme':1A,5 'other':3C`) as lexemes with their class bits.
 * Inside quotes a quote or backslash is written doubled; positions without a letter are class D.
 */
export function parseTsvector(text: string): [string, number][] {
  const out: [string, number][] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && text.charCodeAt(i) === 32) i++;
    if (i >= n) break;
    if (text[i] !== "'") throw new SearchError(`unreadable tsvector at ${i}`);
    i++;
    let lexeme = '';
    let from = i;
    for (;;) {
      if (i >= n) throw new SearchError('unterminated lexeme in tsvector');
      const c = text[i];
      if (c === "'" || c === '\\') {
        if (c === "'" && text[i + 1] !== "'") break;
        lexeme += text.slice(from, i) + text[i + 1];
        i += 2;
        from = i;
        continue;
      }
      i++;
    }
    lexeme += text.slice(from, i);
    i++; // closing quote
    let classes = 0;
    if (text[i] === ':') {
      i++;
      while (i < n && text.charCodeAt(i) !== 32) {
        const c = text.charCodeAt(i);
        if (c >= 65 && c <= 67) classes |= CLASS_BITS[text[i]];
        else if (c === 44) {
          // ',' between positions
        } else if (c >= 48 && c <= 57) {
          // a position: class D unless a letter follows
          let j = i + 1;
          while (j < n && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++;
          const next = text.charCodeAt(j);
          if (!(next >= 65 && next <= 67)) classes |= CLASS_BITS.D;
          i = j;
          continue;
        }
        i++;
      }
    } else classes = CLASS_BITS.D; // stripped vector: no positions
    out.push([lexeme, classes]);
  }
  return out;
}

/** One lexeme's postings, sorted by slot. */
class PostingList {
  data: Int32Array;
  length: number;

  constructor(data: Int32Array, length = data.length) {
    this.data = data;
    this.length = length;
  }

  /** Index of the slot's posting, or -(insertion point) - 1. */
  find(slot: number): number {
    let lo = 0;
    let hi = this.length - 1;
    const d = this.data;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const s = d[mid] >> 4;
      if (s < slot) lo = mid + 1;
      else if (s > slot) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }

  put(slot: number, classes: number): void {
    const at = this.find(slot);
    if (at >= 0) {
      this.data[at] = (slot << 4) | classes;
      return;
    }
    const pos = -at - 1;
    if (this.length === this.data.length) {
      const bigger = new Int32Array(Math.max(4, this.data.length * 2));
      bigger.set(this.data.subarray(0, this.length));
      this.data = bigger;
    }
    this.data.copyWithin(pos + 1, pos, this.length);
    this.data[pos] = (slot << 4) | classes;
    this.length++;
  }

  remove(slot: number): void {
    const at = this.find(slot);
    if (at < 0) throw new SearchError('text postings out of step');
    this.data.copyWithin(at, at + 1, this.length);
    this.length--;
    if (this.length < this.data.length / 4 && this.data.length > 16) this.data = this.data.slice(0, Math.max(4, this.length * 2));
  }
}

export class TextIndex {
  private readonly codes = new Map<string, number>();
  private readonly lexemes: string[] = [];
  /** Lexeme codes in the lexemes' order, for prefix ranges. */
  private sorted: number[] = [];
  private readonly lists: PostingList[] = [];
  /** Per slot: its postings as `code << 4 | classes`, to take them out again. */
  private readonly forward: (Int32Array | undefined)[] = [];
  /** While bulk loading: postings gathered per code, slots arriving in increasing order. */
  private bulk: number[][] | null = null;

  /** Starts a bulk load: `set` calls must come in increasing slot order until `endBulk`. */
  beginBulk(): void {
    this.bulk = [];
  }

  endBulk(): void {
    const bulk = this.bulk;
    if (!bulk) return;
    this.bulk = null;
    bulk.forEach((postings, code) => {
      this.lists[code] = new PostingList(Int32Array.from(postings));
    });
    this.sorted = this.lexemes.map((_, code) => code).sort((a, b) => (this.lexemes[a] < this.lexemes[b] ? -1 : 1));
  }

  get vocabularySize(): number {
    return this.lexemes.length;
  }

  /** Sets a document's lexemes (replacing what the slot held). */
  set(slot: number, lexemes: [string, number][]): void {
    if (this.forward[slot]) this.remove(slot);
    const entries = new Int32Array(lexemes.length);
    lexemes.forEach(([lexeme, classes], i) => {
      const code = this.code(lexeme);
      entries[i] = (code << 4) | classes;
      if (this.bulk) (this.bulk[code] ??= []).push((slot << 4) | classes);
      else this.lists[code].put(slot, classes);
    });
    this.forward[slot] = entries;
  }

  remove(slot: number): void {
    const entries = this.forward[slot];
    if (!entries) return;
    for (const e of entries) this.lists[e >> 4].remove(slot);
    this.forward[slot] = undefined;
  }

  /**
   * Calls `visit(slot, classes)` for every posting of the lexeme `stem`, or with `prefix` of
   * every lexeme starting with it (PostgreSQL's `stem:*`).
   */
  scan(stem: string, prefix: boolean, visit: (slot: number, classes: number) => void): void {
    if (!prefix) {
      const code = this.codes.get(stem);
      if (code !== undefined) this.visitList(code, visit);
      return;
    }
    const sorted = this.sorted;
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.lexemes[sorted[mid]] < stem) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < sorted.length && this.lexemes[sorted[i]].startsWith(stem); i++) this.visitList(sorted[i], visit);
  }

  private visitList(code: number, visit: (slot: number, classes: number) => void): void {
    const list = this.lists[code];
    const d = list.data;
    for (let i = 0; i < list.length; i++) visit(d[i] >> 4, d[i] & 15);
  }

  private code(lexeme: string): number {
    let code = this.codes.get(lexeme);
    if (code !== undefined) return code;
    code = this.lexemes.length;
    this.codes.set(lexeme, code);
    this.lexemes.push(lexeme);
    if (this.bulk) return code;
    this.lists[code] = new PostingList(new Int32Array(4), 0);
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.lexemes[this.sorted[mid]] < lexeme) lo = mid + 1;
      else hi = mid;
    }
    this.sorted.splice(lo, 0, code);
    return code;
  }
}

/**
 * Per-slot scores of one query word or token, with the slots that have one. Scores are small
 * integers (see classScore), so a word's score is the best class it matched in.
 */
export class SlotScores {
  readonly score: Uint8Array;
  touched: number[] = [];

  constructor(capacity: number) {
    this.score = new Uint8Array(capacity);
  }

  /** The postings of a stem (as prefix), limited to the allowed classes. */
  static ofStem(index: TextIndex, capacity: number, stem: string, allowed: number): SlotScores {
    const s = new SlotScores(capacity);
    index.scan(stem, true, (slot, classes) => {
      const sc = classScore(classes & allowed);
      if (sc === 0) return;
      if (s.score[slot] === 0) s.touched.push(slot);
      if (sc > s.score[slot]) s.score[slot] = sc;
    });
    return s;
  }

  /** Either: the better score per slot. */
  max(other: SlotScores): SlotScores {
    for (const slot of other.touched) {
      const v = other.score[slot];
      if (this.score[slot] === 0) this.touched.push(slot);
      if (v > this.score[slot]) this.score[slot] = v;
    }
    return this;
  }

  /** Both: slots in each, with the lower of the two scores. */
  min(other: SlotScores): SlotScores {
    const kept: number[] = [];
    for (const slot of this.touched) {
      const v = other.score[slot];
      if (v === 0) this.score[slot] = 0;
      else {
        if (v < this.score[slot]) this.score[slot] = v;
        kept.push(slot);
      }
    }
    this.touched = kept;
    return this;
  }
}
