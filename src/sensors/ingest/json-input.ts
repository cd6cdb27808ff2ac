import * as iconv from 'iconv-lite';
import { parse as parseLenient, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { IngestError } from '../readings';

/** Encodings a source may declare for its payloads; UTF-8 unless it says otherwise (German office exports: windows-1252). */
export type PayloadEncoding = 'utf-8' | 'latin1' | 'windows-1252';

/**
 * A payload's bytes as text in its declared encoding. UTF-8 is checked, not repaired: bytes that are no UTF-8
 * refuse the payload naming the first one (an export in windows-1252 sent undeclared), instead of turning its
 * umlauts into U+FFFD in station names.
 */
export function decodePayload(input: string | Buffer, what: string, encoding: PayloadEncoding = 'utf-8'): string {
  if (typeof input === 'string') return input;
  if (encoding !== 'utf-8') return iconv.decode(input, encoding);
  const text = input.toString('utf8');
  if (text.includes('\uFFFD')) {
    // Valid UTF-8 comes back byte for byte; the first byte that differs is where the invalid sequence starts.
    const again = Buffer.from(text, 'utf8');
    let i = 0;
    while (i < input.length && input[i] === again[i]) i++;
    if (i < input.length) throw new IngestError('malformed', `${what}: kein gültiges UTF-8 bei Byte ${i}; die Quelle muss ihre Kodierung angeben.`, `byte ${i}`);
  }
  return text;
}

/**
 * A JSON payload, whole or not at all: a truncated or broken body refuses the payload with the byte offset of the
 * first error, so a steward can find it in the logged body. JSON.parse reads it (fast, strict); only when it fails
 * does jsonc-parser, a scanner that reports every error's offset, locate the first one (V8's message leaves the
 * position out for some errors).
 */
export function parseJsonPayload(input: string | Buffer, what = 'payload'): unknown {
  const text = decodePayload(input, what);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const errors: ParseError[] = [];
    parseLenient(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    const first = errors[0];
    const charOffset = first ? first.offset : text.length;
    const byte = Buffer.byteLength(text.slice(0, charOffset), 'utf8');
    const reason = first ? printParseErrorCode(first.error) : (err as Error).message;
    throw new IngestError('malformed', `Kein gültiges JSON (${what}): ${reason} bei Byte ${byte}; nichts davon wurde übernommen.`, `byte ${byte}`);
  }
}
