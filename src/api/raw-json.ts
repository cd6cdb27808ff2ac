/**
 * An action result that is already serialised JSON (a cached package_show dict). The HTTP layer
 * splices it into the envelope as is; a nested `ctx.call` gets it parsed. When the result comes
 * from a long-lived holder (a cache entry), the encoded envelope is kept on it, so serving it again
 * costs neither serialisation nor UTF-8 encoding.
 */
export interface EnvelopeHolder {
  envelope?: { help: string; body: Buffer };
}

export class RawJson {
  constructor(readonly json: string, private readonly holder?: EnvelopeHolder) {}

  parse(): unknown {
    return JSON.parse(this.json);
  }

  /** `{"help": …, "success": true, "result": <json>}` as bytes. */
  envelope(help: string): Buffer {
    const kept = this.holder?.envelope;
    if (kept && kept.help === help) return kept.body;
    const body = Buffer.from(`{"help":${JSON.stringify(help)},"success":true,"result":${this.json}}`);
    if (this.holder) this.holder.envelope = { help, body };
    return body;
  }
}
