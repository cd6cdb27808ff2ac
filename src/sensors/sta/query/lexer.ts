import { badFilter } from './errors';

/** The tokens of `$filter` and `$orderby` text, each with its 0-based position for error messages. */

export type TokenKind = 'ident' | 'string' | 'number' | 'datetime' | 'interval' | 'date' | 'time' | 'duration' | 'geo' | '(' | ')' | ',' | '/' | 'index' | 'eof';
export interface Token {
  kind: TokenKind;
  text: string;
  pos: number;
  /** Decoded value for strings, durations and geo literals. */
  value?: string;
}

export const DATETIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}:\d{2})/i;
const DATE = /^\d{4}-\d{2}-\d{2}(?![\dT:])/;
const TIME = /^\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?![\d:])/;
const NUMBER = /^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?/;
const IDENT = /^[A-Za-z_@$][A-Za-z0-9_.@$-]*/;
export const DURATION = /^[+-]?P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const rest = src.slice(i);
    if ('(),/'.includes(ch)) {
      out.push({ kind: ch as TokenKind, text: ch, pos: i });
      i++;
      continue;
    }
    if (ch === '[') {
      const m = /^\[(\d+)\]/.exec(rest);
      if (!m) throw badFilter('An array index must be a number in brackets, such as [0]', i);
      out.push({ kind: 'index', text: m[0], value: m[1], pos: i });
      i += m[0].length;
      continue;
    }
    if (ch === "'") {
      const start = i;
      let value = '';
      i++;
      for (;;) {
        if (i >= src.length) throw badFilter('Unterminated string literal', start);
        if (src[i] === "'") {
          if (src[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += src[i++];
      }
      out.push({ kind: 'string', text: src.slice(start, i), value, pos: start });
      continue;
    }
    const typed = /^(geography|geometry|duration)'/i.exec(rest);
    if (typed) {
      const end = src.indexOf("'", i + typed[0].length);
      if (end < 0) throw badFilter(`Unterminated ${typed[1].toLowerCase()} literal`, i);
      const value = src.slice(i + typed[0].length, end);
      out.push({ kind: typed[1].toLowerCase() === 'duration' ? 'duration' : 'geo', text: src.slice(i, end + 1), value, pos: i });
      i = end + 1;
      continue;
    }
    const dt = DATETIME.exec(rest);
    if (dt) {
      // A datetime, or an interval of two: 2015-01-01T00:00:00Z/2015-02-01T00:00:00Z.
      const after = rest.slice(dt[0].length);
      const second = after.startsWith('/') ? DATETIME.exec(after.slice(1)) : null;
      if (second) {
        const text = `${dt[0]}/${second[0]}`;
        out.push({ kind: 'interval', text, pos: i });
        i += text.length;
      } else {
        out.push({ kind: 'datetime', text: dt[0], pos: i });
        i += dt[0].length;
      }
      continue;
    }
    if (/^\d{4}-\d{2}-\d{2}T/i.test(rest)) throw badFilter('A datetime needs a time zone offset (Z or ±hh:mm)', i);
    const date = DATE.exec(rest);
    if (date) {
      out.push({ kind: 'date', text: date[0], pos: i });
      i += date[0].length;
      continue;
    }
    const time = TIME.exec(rest);
    if (time) {
      out.push({ kind: 'time', text: time[0], pos: i });
      i += time[0].length;
      continue;
    }
    const num = NUMBER.exec(rest);
    if (num && (ch !== '+' && ch !== '-' ? true : /\d/.test(rest[1] ?? ''))) {
      out.push({ kind: 'number', text: num[0], pos: i });
      i += num[0].length;
      continue;
    }
    const id = IDENT.exec(rest);
    if (id) {
      out.push({ kind: 'ident', text: id[0], pos: i });
      i += id[0].length;
      continue;
    }
    throw badFilter(`Unexpected character "${ch}"`, i);
  }
  out.push({ kind: 'eof', text: '', pos: src.length });
  return out;
}

