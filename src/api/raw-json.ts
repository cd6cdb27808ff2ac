/**
 * An action result that is already serialised JSON (a cached package_show dict). The HTTP layer
 * splices it into the envelope as is; a nested `ctx.call` gets it parsed.
 */
export class RawJson {
  constructor(readonly json: string) {}

  parse(): unknown {
    return JSON.parse(this.json);
  }
}
