import { analyse } from 'chardet';
import * as iconv from 'iconv-lite';
import { isAscii } from 'node:buffer';
import { Transform, TransformCallback } from 'node:stream';
import { LoadLog } from './load-log';
import { LoaderError } from './loader.errors';
import { SAMPLE_BYTES } from './source';

/**
 * The encodings German office software writes, as chardet names them, and how iconv-lite decodes each.
 * ISO-8859-1 is read as Windows-1252, as browsers do: the same letters plus €, „ “ and – where Latin-1 has
 * unused control codes, so a Windows export that chardet calls Latin-1 keeps its euro signs.
 */
const DECODERS: Record<string, string> = {
  'UTF-8': 'utf-8',
  'UTF-16LE': 'utf-16le',
  'UTF-16BE': 'utf-16be',
  'windows-1252': 'windows-1252',
  'ISO-8859-1': 'windows-1252',
  'ISO-8859-15': 'iso-8859-15',
};

/** Control characters that no text table holds (everything below space except tab, LF, CR; and DEL). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/g;

/**
 * Bytes in, UTF-8 text out. The encoding is chosen by chardet on the first 64 KiB that hold a non-ASCII byte
 * (a BOM is one), so a file whose umlauts first appear on line 5000 is still detected right: until then every
 * byte is ASCII, which reads the same in all the encodings above. A file of ASCII only is passed through.
 */
export class DecodeStream extends Transform {
  private decoder: iconv.DecoderStream | null = null;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly log: LoadLog) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.decodeChunk(chunk);
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      if (this.pendingBytes > 0) this.decide();
      if (!this.decoder) this.log.info('Zeichenkodierung: nur ASCII-Zeichen (gelesen als UTF-8).');
      const tail = this.decoder?.end();
      if (tail) this.push(Buffer.from(tail, 'utf8'));
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  private decodeChunk(chunk: Buffer): void {
    if (this.decoder) return this.emitText(this.decoder.write(chunk));
    if (this.pendingBytes === 0) {
      if (isAscii(chunk) && !chunk.includes(0)) return void this.push(chunk);
      const firstOther = chunk.findIndex((b) => b >= 0x80 || b === 0);
      if (firstOther > 0) this.push(chunk.subarray(0, firstOther));
      chunk = chunk.subarray(firstOther);
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= SAMPLE_BYTES) this.decide();
  }

  /** Let chardet name the encoding of the held sample, then decode the sample and everything after it. */
  private decide(): void {
    const sample = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    const match = analyse(sample).find((m) => m.name in DECODERS);
    if (!match) throw new LoaderError('Die Datei ist keine Textdatei in einer bekannten Zeichenkodierung (UTF-8, UTF-16, Windows-1252).');
    this.decoder = iconv.getDecoder(DECODERS[match.name]);
    const text = this.decoder.write(sample);
    assertText(text);
    this.log.info(`Zeichenkodierung: ${match.name} (erkannt mit chardet, Sicherheit ${match.confidence} %).`);
    this.emitText(text);
  }

  private emitText(text: string): void {
    if (text) this.push(Buffer.from(text, 'utf8'));
  }
}

/** Binary data decodes to control characters and replacement marks; a table export has next to none. */
function assertText(sample: string): void {
  const controls = sample.match(CONTROL)?.length ?? 0;
  if (sample.includes('\u0000') || controls > Math.max(2, sample.length / 100)) {
    throw new LoaderError('Die Datei ist keine Textdatei (sie enthält Binärdaten oder ist UTF-16 ohne BOM) und keine XLSX-Arbeitsmappe.');
  }
}

/**
 * The text of a file's first bytes, decoded by the same rule as DecodeStream (for previews, which read a head only):
 * a UTF-8 BOM or valid UTF-8 reads as UTF-8, anything else as the encoding chardet names among those above (Latin-1
 * read as Windows-1252). A multi-byte character cut at the end of the sample becomes one replacement mark. Null for
 * bytes that are no text (binary data, an unknown encoding).
 */
export function decodeSample(sample: Buffer): { text: string; encoding: string } | null {
  let match: { name: string } | undefined;
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) match = { name: 'UTF-8' };
  else if (isAscii(sample) && !sample.includes(0)) match = { name: 'UTF-8' };
  else match = analyse(sample).find((m) => m.name in DECODERS);
  if (!match) return null;
  const text = iconv.decode(sample, DECODERS[match.name]).replace(/^\ufeff/, '');
  const controls = text.slice(0, -1).match(CONTROL)?.length ?? 0;
  if (text.includes('\u0000') || controls > Math.max(2, text.length / 100)) return null;
  return { text, encoding: match.name };
}
