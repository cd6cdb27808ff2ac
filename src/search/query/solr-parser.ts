import { SearchError, SearchQueryError, ValidationError } from '../../api/errors';
import { FreeWord, MATCH_ALL, or, QNode } from './ast';

/**
 * Most terms (words, phrases, ranges) in one query string, as Solr's default maxBooleanClauses; a
 * query of 1,025 words used to take tens of seconds. CKAN compat: Solr refuses such queries too, as a
 * Search Error; we answer 409 Validation Error naming the parameter, like other bad search parameters.
 */
export const MAX_QUERY_TERMS = 1024;
/** Deepest nesting of groups and NOT/+/- prefixes: far above hand-written queries, and the parser and every engine recurse on it. */
export const MAX_QUERY_DEPTH = 100;
const TOO_MANY_TERMS = `At most ${MAX_QUERY_TERMS} terms in a query`;
const TOO_DEEP = `Nested more than ${MAX_QUERY_DEPTH} levels deep`;

/**
 * The Solr/Lucene query syntax CKAN clients and harvesters send, as a small grammar:
 *
 *   query   := or EOF
 *   or      := and (("OR" | "||") and)*
 *   and     := unary (("AND" | "&&")? unary)*          implicit AND (CKAN sets q.op=AND)
 *   unary   := ("NOT" | "!" | "-") unary | "+" unary | primary
 *   primary := "(" or ")" | "*:*" | FIELD ":" value | value
 *   value   := TERM | PHRASE | RANGE | "(" or ")"        (a group under a field applies the field)
 *   RANGE   := ("[" | "{") bound "TO" bound ("]" | "}")
 *
 * Boosts (`^2`) and proximity (`~3`) are accepted and ignored. Local parameters (`{!…}`) are
 * refused as CKAN refuses them.
 */
type Tok =
  | { t: 'lparen' | 'rparen' | 'and' | 'or' | 'not' | 'plus' | 'minus' | 'all'; pos: number }
  | { t: 'term'; value: string; wildcard: boolean; pos: number }
  | { t: 'phrase'; value: string; pos: number }
  | { t: 'field'; name: string; pos: number }
  | { t: 'range'; lo: string | null; hi: string | null; loInclusive: boolean; hiInclusive: boolean; pos: number };

// Letters of any script: a vocabulary's field is `vocab_<its name>` (`vocab_länder`); other characters are escaped (`vocab_a\:b`).
const FIELD_NAME = /^[\p{L}_][\p{L}\p{N}_.-]*$/u;
const SPECIAL = new Set(['(', ')', '"', '[', ']', '{', '}', '^', '~', ':', '\\']);

class Lexer {
  private i = 0;
  constructor(private readonly s: string) {}

  fail(message: string, pos = this.i): never {
    throw new SearchQueryError(`Cannot parse '${this.s}': ${message} at position ${pos}`);
  }

  tokens(): Tok[] {
    const out: Tok[] = [];
    while (this.skipSpace()) {
      const pos = this.i;
      const c = this.s[this.i];
      if (c === '(') {
        this.i++;
        out.push({ t: 'lparen', pos });
      } else if (c === ')') {
        this.i++;
        out.push({ t: 'rparen', pos });
      } else if (c === '"') {
        out.push({ t: 'phrase', value: this.quoted(), pos });
        this.modifiers();
      } else if (c === '[' || c === '{') {
        if (this.s.startsWith('{!', this.i)) throw new SearchError('Local parameters are not supported');
        out.push(this.range());
      } else if (c === '+' && this.boundary(pos)) {
        this.i++;
        out.push({ t: 'plus', pos });
      } else if ((c === '-' || c === '!') && this.boundary(pos)) {
        this.i++;
        out.push({ t: c === '-' ? 'minus' : 'not', pos });
      } else if (this.s.startsWith('&&', this.i)) {
        this.i += 2;
        out.push({ t: 'and', pos });
      } else if (this.s.startsWith('||', this.i)) {
        this.i += 2;
        out.push({ t: 'or', pos });
      } else if (this.s.startsWith('*:*', this.i)) {
        this.i += 3;
        out.push({ t: 'all', pos });
      } else {
        out.push(this.word());
      }
    }
    return out;
  }

  /** A '+' or '-' is an operator only where a clause starts. */
  private boundary(pos: number): boolean {
    const next = this.s[pos + 1];
    return next !== undefined && !/\s/.test(next) && (pos === 0 || /[\s(]/.test(this.s[pos - 1]));
  }

  private skipSpace(): boolean {
    while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++;
    return this.i < this.s.length;
  }

  private quoted(): string {
    const start = this.i;
    this.i++;
    let out = '';
    while (this.i < this.s.length && this.s[this.i] !== '"') {
      if (this.s[this.i] === '\\' && this.i + 1 < this.s.length) this.i++;
      out += this.s[this.i++];
    }
    if (this.s[this.i] !== '"') this.fail('unterminated quotes', start);
    this.i++;
    return out;
  }

  /** `^2`, `~3` after a value: accepted, ignored. */
  private modifiers(): void {
    while (this.s[this.i] === '^' || this.s[this.i] === '~') {
      this.i++;
      while (this.i < this.s.length && /[0-9.]/.test(this.s[this.i])) this.i++;
    }
  }

  private word(): Tok {
    const pos = this.i;
    let value = '';
    let wildcard = false;
    let escaped = false;
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (/\s/.test(c)) break;
      if (c === '\\') {
        if (this.i + 1 >= this.s.length) this.fail('dangling escape character');
        value += this.s[this.i + 1];
        this.i += 2;
        escaped = true;
        continue;
      }
      if (c === ':') {
        if (!value) this.fail('a field name is missing before ":"');
        // As in Lucene, escaped characters belong to the name.
        if (!escaped && !FIELD_NAME.test(value)) this.fail(`"${value}" is not a field name`, pos);
        this.i++;
        return { t: 'field', name: value, pos };
      }
      if (SPECIAL.has(c)) {
        if (c === '^' || c === '~') {
          this.modifiers();
          break;
        }
        break;
      }
      if (c === '*' || c === '?') wildcard = true;
      value += c;
      this.i++;
    }
    if (!value) this.fail(`unexpected "${this.s[this.i]}"`);
    if (value === 'AND') return { t: 'and', pos };
    if (value === 'OR') return { t: 'or', pos };
    if (value === 'NOT') return { t: 'not', pos };
    return { t: 'term', value, wildcard, pos };
  }

  private range(): Tok {
    const pos = this.i;
    const loInclusive = this.s[this.i] === '[';
    this.i++;
    const bound = (): string | null => {
      this.skipSpace();
      if (this.s[this.i] === '"') return this.quoted();
      let v = '';
      while (this.i < this.s.length && !/[\s\]}]/.test(this.s[this.i])) {
        if (this.s[this.i] === '\\' && this.i + 1 < this.s.length) this.i++;
        v += this.s[this.i++];
      }
      if (!v) this.fail('a range bound is missing');
      return v === '*' ? null : v;
    };
    const lo = bound();
    this.skipSpace();
    if (!this.s.startsWith('TO', this.i) || !/\s/.test(this.s[this.i + 2] ?? '')) this.fail('a range needs "TO" between its bounds');
    this.i += 2;
    const hi = bound();
    this.skipSpace();
    const close = this.s[this.i];
    if (close !== ']' && close !== '}') this.fail('a range must end with "]" or "}"', pos);
    this.i++;
    this.modifiers();
    return { t: 'range', lo, hi, loInclusive, hiInclusive: close === ']', pos };
  }
}

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly toks: Tok[], private readonly lexer: Lexer, private readonly param: string) {}

  parse(): QNode {
    if (!this.toks.length) return MATCH_ALL;
    const terms = this.toks.reduce((n, t) => (t.t === 'term' || t.t === 'phrase' || t.t === 'range' ? n + 1 : n), 0);
    if (terms > MAX_QUERY_TERMS) throw ValidationError.field(this.param, TOO_MANY_TERMS);
    const node = this.or(null);
    if (this.i < this.toks.length) this.lexer.fail(`unexpected ${this.describe(this.toks[this.i])}`, this.toks[this.i].pos);
    return node;
  }

  private peek(): Tok | undefined {
    return this.toks[this.i];
  }

  private describe(t: Tok): string {
    return t.t === 'term' ? `"${t.value}"` : t.t === 'rparen' ? '")"' : t.t === 'lparen' ? '"("' : t.t.toUpperCase();
  }

  private or(field: string | null): QNode {
    const parts = [this.and(field)];
    while (this.peek()?.t === 'or') {
      this.i++;
      parts.push(this.and(field));
    }
    return parts.length === 1 ? parts[0] : or(...parts);
  }

  private and(field: string | null): QNode {
    const parts = [this.unary(field)];
    for (;;) {
      const t = this.peek();
      if (!t || t.t === 'or' || t.t === 'rparen') break;
      if (t.t === 'and') this.i++;
      parts.push(this.unary(field));
    }
    return parts.length === 1 ? parts[0] : { kind: 'and', children: parts };
  }

  /** Runs `f` one level deeper; refuses to go past MAX_QUERY_DEPTH, before the stack could run out. */
  private nested<T>(f: () => T): T {
    if (++this.depth > MAX_QUERY_DEPTH) throw ValidationError.field(this.param, TOO_DEEP);
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  private unary(field: string | null): QNode {
    const t = this.peek();
    if (!t) return this.lexer.fail('the query ends where a term was expected');
    if (t.t === 'not' || t.t === 'minus') {
      this.i++;
      return { kind: 'not', child: this.nested(() => this.unary(field)) };
    }
    if (t.t === 'plus') {
      this.i++;
      return this.nested(() => this.unary(field));
    }
    return this.primary(field);
  }

  private primary(field: string | null): QNode {
    const t = this.toks[this.i++];
    switch (t?.t) {
      case 'lparen': {
        const inner = this.nested(() => this.or(field));
        if (this.peek()?.t !== 'rparen') this.lexer.fail('a closing ")" is missing', t.pos);
        this.i++;
        return inner;
      }
      case 'all':
        return MATCH_ALL;
      case 'field': {
        const next = this.peek();
        if (!next) return this.lexer.fail(`field "${t.name}" has no value`, t.pos);
        if (next.t === 'lparen') return this.primary(t.name);
        if (next.t === 'term' && next.value === '*' && next.wildcard) {
          this.i++;
          return { kind: 'range', field: t.name, lo: null, hi: null, loInclusive: true, hiInclusive: true };
        }
        if (next.t !== 'term' && next.t !== 'phrase' && next.t !== 'range') return this.lexer.fail(`field "${t.name}" has no value`, next.pos);
        this.i++;
        return this.value(next, t.name);
      }
      case 'term':
      case 'phrase':
      case 'range':
        return this.value(t, field);
      case undefined:
        return this.lexer.fail('the query ends where a term was expected');
      default:
        return this.lexer.fail(`unexpected ${this.describe(t)}`, t.pos);
    }
  }

  private value(t: Tok, field: string | null): QNode {
    if (t.t === 'term') return t.value === '*' && field === null ? MATCH_ALL : { kind: 'term', field, value: t.value, wildcard: t.wildcard };
    if (t.t === 'phrase') return { kind: 'phrase', field, value: t.value };
    if (t.t === 'range') {
      if (!field) return this.lexer.fail('a range needs a field', t.pos);
      return { kind: 'range', field, lo: t.lo, hi: t.hi, loInclusive: t.loInclusive, hiInclusive: t.hiInclusive };
    }
    return this.lexer.fail('a value was expected', t.pos);
  }
}

/** Parses Lucene syntax (a `q` with a `:`, and every `fq`); `param` names the parameter in errors about size. */
export function parseLucene(input: string, param = 'fq'): QNode {
  const s = input.trim();
  if (/\{!/.test(s)) throw new SearchError('Local parameters are not supported');
  if (!s || s === '*:*' || s === '""' || s === "''") return MATCH_ALL;
  const lexer = new Lexer(s);
  return new Parser(lexer.tokens(), lexer, param).parse();
}

/**
 * Parses a `q` without `:` as CKAN's DisMax does: words and "phrases" across the text fields,
 * `+word` required, `-word` excluded; AND/OR/NOT read as the connectives people mean.
 */
export function parseFreeText(input: string): QNode {
  const s = input.trim();
  if (!s || s === '*' || s === '""' || s === "''") return MATCH_ALL;
  const words: FreeWord[] = [];
  const re = /([+-]?)"([^"]*)"?|(\S+)/g;
  let negateNext = false;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    if (m[2] !== undefined) {
      const text = m[2].trim();
      if (text) words.push({ text, phrase: true, required: m[1] === '+', excluded: m[1] === '-' || negateNext });
      negateNext = false;
      continue;
    }
    let w = m[3];
    if (w === 'AND' || w === 'OR' || w === '&&' || w === '||') continue;
    if (w === 'NOT') {
      negateNext = true;
      continue;
    }
    const sign = w[0] === '+' || w[0] === '-' ? w[0] : '';
    if (sign) w = w.slice(1);
    w = w.replace(/[()^~"\\]/g, '');
    if (!w) continue;
    words.push({ text: w, phrase: false, required: sign === '+', excluded: sign === '-' || negateNext });
    negateNext = false;
  }
  if (words.length > MAX_QUERY_TERMS) throw ValidationError.field('q', TOO_MANY_TERMS);
  return words.length ? { kind: 'free', words } : MATCH_ALL;
}

/** CKAN's rule: a `q` with a `:` is Lucene syntax, otherwise DisMax free text. */
export function parseQ(q: string | undefined): QNode {
  if (q === undefined) return MATCH_ALL;
  return q.includes(':') ? parseLucene(q, 'q') : parseFreeText(q);
}

