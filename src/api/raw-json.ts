import { successPrefix } from './ckan-envelope';

/**
 * An action result that is already serialised JSON, as text or UTF-8 bytes in parts (a cached
 * package_show dict; a search page spliced together from cached dicts). The HTTP layer writes
 * the parts into the envelope as they are, so cached bytes are copied, never re-serialised or
 * re-encoded; a nested `ctx.call` gets the result parsed.
 */
export class RawJson {
  private readonly parts: readonly (string | Buffer)[];

  /**
   * `enveloped`: the whole success envelope for `help`, already built around the same bytes (a cached
   * package_show dict is kept that way), so answering it copies nothing.
   */
  constructor(
    json: string | Buffer | readonly (string | Buffer)[],
    private readonly enveloped?: { help: string; bytes: Buffer },
  ) {
    this.parts = typeof json === 'string' || Buffer.isBuffer(json) ? [json] : json;
  }

  get json(): string {
    return this.parts.map((p) => (typeof p === 'string' ? p : p.toString('utf8'))).join('');
  }

  parse(): unknown {
    return JSON.parse(this.json);
  }

  /** `{"help": …, "success": true, "result": <json>}` as bytes. */
  envelope(help: string): Buffer {
    if (this.enveloped?.help === help) return this.enveloped.bytes;
    const chunks: Buffer[] = [Buffer.from(successPrefix(help))];
    let text = '';
    for (const p of this.parts) {
      if (typeof p === 'string') text += p;
      else {
        if (text) chunks.push(Buffer.from(text));
        text = '';
        chunks.push(p);
      }
    }
    chunks.push(Buffer.from(`${text}}`));
    return Buffer.concat(chunks);
  }
}
