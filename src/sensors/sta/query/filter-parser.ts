import { FUNCTION_ARITY, type ArithmeticOp, type ComparisonOp, type Expr, type FunctionName, type Literal } from './ast';
import { badFilter } from './errors';
import { DATETIME, DURATION, tokenize, type Token, type TokenKind } from './lexer';
import { parseWkt } from './wkt';

/**
 * The `$filter` and `$orderby` expression language of SensorThings 1.1 (OGC 18-088 §9.3.3.5, OData 4 URL
 * conventions), parsed into the typed AST of ast.ts. Precedence, lowest first, as FROST's grammar: `or`, `and`,
 * `not`, comparison (`eq ne gt ge lt le`, not chainable), `add sub`, `mul div mod`, then a primary (literal,
 * function call, property path, parenthesised expression). Keywords and function names are matched without regard
 * to case (FROST does so); property names are case-sensitive. Every error names the 0-based position in the text.
 */
const COMPARISONS = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const KEYWORDS = new Set<string>([...COMPARISONS, 'and', 'or', 'not', 'add', 'sub', 'mul', 'div', 'mod']);

function offsetMinutes(zone: string): number {
  if (zone.toUpperCase() === 'Z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  return sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
}

function checkDatetime(text: string, pos: number): void {
  const m = DATETIME.exec(text)!;
  const [y, mo, d] = m[1].split('-').map(Number);
  const ok = mo >= 1 && mo <= 12 && d >= 1 && d <= new Date(Date.UTC(y, mo, 0)).getUTCDate() && Number(m[2]) < 24 && Number(m[3]) < 60 && Number(m[4] ?? 0) < 60;
  if (!ok) throw badFilter(`Not a valid datetime: ${text}`, pos);
}

/** Parentheses, calls and `not`s nested deeper than this are refused (a request's recursion stays small). */
const MAX_DEPTH = 100;

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  private get tok(): Token {
    return this.tokens[this.i];
  }
  /** The current token's kind, read afresh (TypeScript would keep a narrowing across next()). */
  private kind(): TokenKind {
    return this.tokens[this.i].kind;
  }
  private next(): Token {
    return this.tokens[this.i++];
  }
  private isWord(word: string): boolean {
    return this.tok.kind === 'ident' && this.tok.text.toLowerCase() === word;
  }
  private expect(kind: TokenKind, what: string): Token {
    if (this.tok.kind !== kind) throw badFilter(`Expected ${what} but found ${this.describe(this.tok)}`, this.tok.pos);
    return this.next();
  }
  private describe(t: Token): string {
    return t.kind === 'eof' ? 'the end of the expression' : `"${t.text}"`;
  }

  parseTop(): Expr {
    const e = this.parseOr();
    if (this.tok.kind !== 'eof') throw badFilter(`Unexpected ${this.describe(this.tok)}`, this.tok.pos);
    return e;
  }

  /** An `$orderby` item: an expression and an optional direction. */
  parseOrderItem(): { expr: Expr; direction: 'asc' | 'desc' } {
    const expr = this.parseAdditive();
    let direction: 'asc' | 'desc' = 'asc';
    if (this.isWord('asc') || this.isWord('desc')) direction = this.next().text.toLowerCase() as 'asc' | 'desc';
    return { expr, direction };
  }
  atComma(): boolean {
    return this.tok.kind === ',';
  }
  skip(): void {
    this.i++;
  }
  atEnd(): boolean {
    return this.tok.kind === 'eof';
  }
  current(): Token {
    return this.tok;
  }

  parseOr(): Expr {
    let left = this.parseAnd();
    while (this.isWord('or')) {
      const pos = this.next().pos;
      left = { type: 'or', left, right: this.parseAnd(), pos };
    }
    return left;
  }
  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.isWord('and')) {
      const pos = this.next().pos;
      left = { type: 'and', left, right: this.parseNot(), pos };
    }
    return left;
  }
  private nested<T>(pos: number, fn: () => T): T {
    if (++this.depth > MAX_DEPTH) throw badFilter(`The expression is nested more than ${MAX_DEPTH} levels deep`, pos);
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }
  private parseNot(): Expr {
    if (this.isWord('not') && this.tokens[this.i + 1].kind !== '/' && this.tokens[this.i + 1].kind !== 'eof') {
      const pos = this.next().pos;
      return this.nested(pos, () => ({ type: 'not', operand: this.parseNot(), pos }));
    }
    return this.parseComparison();
  }
  private parseComparison(): Expr {
    const left = this.parseAdditive();
    if (this.tok.kind === 'ident' && COMPARISONS.has(this.tok.text.toLowerCase())) {
      const t = this.next();
      const right = this.parseAdditive();
      if (this.tok.kind === 'ident' && COMPARISONS.has(this.tok.text.toLowerCase())) {
        throw badFilter('Comparisons cannot be chained; use and/or with parentheses', this.tok.pos);
      }
      return { type: 'compare', op: t.text.toLowerCase() as ComparisonOp, left, right, pos: t.pos };
    }
    return left;
  }
  private parseAdditive(): Expr {
    let left = this.parseMultiplicative();
    while (this.isWord('add') || this.isWord('sub')) {
      const t = this.next();
      left = { type: 'arith', op: t.text.toLowerCase() as ArithmeticOp, left, right: this.parseMultiplicative(), pos: t.pos };
    }
    return left;
  }
  private parseMultiplicative(): Expr {
    let left = this.parseUnary();
    while (this.isWord('mul') || this.isWord('div') || this.isWord('mod')) {
      const t = this.next();
      left = { type: 'arith', op: t.text.toLowerCase() as ArithmeticOp, left, right: this.parseUnary(), pos: t.pos };
    }
    return left;
  }
  private parseUnary(): Expr {
    const t = this.tok;
    switch (t.kind) {
      case '(': {
        this.next();
        return this.nested(t.pos, () => {
          const e = this.parseOr();
          this.expect(')', '")"');
          return e;
        });
      }
      case 'string':
        this.next();
        return this.lit({ kind: 'string', value: t.value! }, t.pos);
      case 'number': {
        this.next();
        const value = Number(t.text);
        if (!Number.isFinite(value)) throw badFilter(`Number out of range: ${t.text}`, t.pos);
        return this.lit({ kind: 'number', value, integer: /^[+-]?\d+$/.test(t.text), text: t.text }, t.pos);
      }
      case 'datetime': {
        this.next();
        checkDatetime(t.text, t.pos);
        return this.lit({ kind: 'datetime', value: t.text, offsetMinutes: offsetMinutes(DATETIME.exec(t.text)![6]) }, t.pos);
      }
      case 'interval': {
        this.next();
        const [start, end] = t.text.split('/');
        checkDatetime(start, t.pos);
        checkDatetime(end, t.pos + start.length + 1);
        if (Date.parse(end.replace(',', '.')) < Date.parse(start.replace(',', '.'))) throw badFilter(`The interval ${t.text} ends before it starts`, t.pos);
        return this.lit({ kind: 'interval', start, end }, t.pos);
      }
      case 'date':
        this.next();
        if (Number.isNaN(Date.parse(`${t.text}T00:00:00Z`))) throw badFilter(`Not a valid date: ${t.text}`, t.pos);
        return this.lit({ kind: 'date', value: t.text }, t.pos);
      case 'time':
        this.next();
        return this.lit({ kind: 'time', value: t.text }, t.pos);
      case 'duration':
        this.next();
        if (!DURATION.test(t.value!)) throw badFilter(`Not an ISO 8601 duration: ${t.value}`, t.pos);
        return this.lit({ kind: 'duration', value: t.value! }, t.pos);
      case 'geo': {
        this.next();
        try {
          return this.lit({ kind: 'geometry', value: parseWkt(t.value!), wkt: t.value! }, t.pos);
        } catch (e) {
          const offset = (e as { offset?: number }).offset ?? 0;
          throw badFilter(`Not a valid geometry: ${(e as Error).message}`, t.pos + t.text.indexOf("'") + 1 + offset);
        }
      }
      case 'ident':
        return this.parseIdent();
      default:
        throw badFilter(`Expected a value, property or function but found ${this.describe(t)}`, t.pos);
    }
  }
  private lit(literal: Literal, pos: number): Expr {
    return { type: 'literal', literal, pos };
  }
  private parseIdent(): Expr {
    const t = this.next();
    const lower = t.text.toLowerCase();
    if (this.tok.kind === '(') {
      if (!(lower in FUNCTION_ARITY)) throw badFilter(`Unknown function ${t.text}()`, t.pos);
      const name = lower as FunctionName;
      this.next();
      return this.nested(t.pos, () => this.parseCall(name, t));
    }
    if (lower === 'true' || lower === 'false') return this.lit({ kind: 'boolean', value: lower === 'true' }, t.pos);
    if (lower === 'null') return this.lit({ kind: 'null' }, t.pos);
    if (KEYWORDS.has(lower)) throw badFilter(`Expected a value, property or function but found the operator "${t.text}"`, t.pos);
    return this.parsePath(t);
  }
  private parseCall(name: FunctionName, t: Token): Expr {
    const args: Expr[] = [];
    if (this.kind() !== ')') {
      args.push(this.parseOr());
      while (this.kind() === ',') {
        this.next();
        args.push(this.parseOr());
      }
    }
    this.expect(')', '"," or ")"');
    const arity = FUNCTION_ARITY[name];
    if (!arity.includes(args.length)) {
      throw badFilter(`${name}() takes ${arity.join(' or ')} argument${arity.length === 1 && arity[0] === 1 ? '' : 's'}, not ${args.length}`, t.pos);
    }
    return { type: 'call', name, args, pos: t.pos };
  }
  private parsePath(t: Token): Expr {
    const segments = [t.text];
    for (;;) {
      if (this.tok.kind === 'index') {
        segments.push(`[${this.next().value}]`);
        continue;
      }
      if (this.tok.kind !== '/') break;
      this.next();
      const seg = this.tok;
      if (seg.kind !== 'ident') throw badFilter(`Expected a property name after "/" but found ${this.describe(seg)}`, seg.pos);
      segments.push(this.next().text);
    }
    return { type: 'path', segments, pos: t.pos };
  }
}

/** Parses a `$filter` expression. Throws StaQueryError (400) with the position of the first error. */
export function parseFilter(text: string): Expr {
  if (!text.trim()) throw badFilter('$filter is empty', 0);
  return new Parser(tokenize(text)).parseTop();
}

export interface OrderItem {
  expr: Expr;
  direction: 'asc' | 'desc';
}

/** Parses an `$orderby` list: expressions, each with an optional `asc`/`desc`, separated by commas. */
export function parseOrderBy(text: string): OrderItem[] {
  if (!text.trim()) throw badFilter('$orderby is empty', 0);
  const p = new Parser(tokenize(text));
  const items = [p.parseOrderItem()];
  while (p.atComma()) {
    p.skip();
    items.push(p.parseOrderItem());
  }
  if (!p.atEnd()) throw badFilter(`Unexpected "${p.current().text}" in $orderby`, p.current().pos);
  return items;
}
