import { parse as parseLenient, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { IngestError } from '../readings';

/**
 * A JSON payload, whole or not at all: a truncated or broken body refuses the payload with the byte offset of the
 * first error, so a steward can find it in the logged body. JSON.parse reads it (fast, strict); only when it fails
 * does jsonc-parser, a scanner that reports every error's offset, locate the first one (V8's message leaves the
 * position out for some errors).
 */
export function parseJsonPayload(input: string | Buffer, what = 'payload'): unknown {
  const text = typeof input === 'string' ? input : input.toString('utf8');
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
