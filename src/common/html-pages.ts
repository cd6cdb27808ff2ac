import type { FastifyRequest } from 'fastify';

const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);

/**
 * Whether an `Accept` header asks for HTML before the machine formats a route serves (`others`): it names `text/html`
 * (or XHTML) with a quality above zero and at least that of every one of `others` it names. A browser
 * (`text/html,…,*∕*;q=0.8`) gets the page; a client asking for one of `others`, `*∕*` alone (curl) and no header get
 * the machine answer.
 */
export function prefersHtmlOver(accept: string | undefined, others: ReadonlySet<string>): boolean {
  if (!accept) return false;
  let html = 0;
  let other = 0;
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!(q > 0)) continue;
    const t = type.trim();
    if (HTML_TYPES.has(t)) html = Math.max(html, q);
    if (others.has(t)) other = Math.max(other, q);
  }
  return html > 0 && html >= other;
}

/**
 * A hook by which a route another part owns (`/api`, `/dataset/{id}`) shows browsers a page, while it keeps its machine
 * answers: the web part registers the renderer, so the owning part knows no pages. One renderer at most; without one
 * (no web part loaded) every request gets the machine answer as before.
 */
export class HtmlPageHook<R> {
  private renderer?: R;

  constructor(private readonly what: string, private readonly machineTypes: ReadonlySet<string>) {}

  register(renderer: R): void {
    if (this.renderer) throw new Error(`${this.what} HTML renderer is registered already`);
    this.renderer = renderer;
  }

  /** The renderer when the request asks for HTML, else undefined. */
  forRequest(req: FastifyRequest): R | undefined {
    return this.renderer && prefersHtmlOver(req.headers.accept, this.machineTypes) ? this.renderer : undefined;
  }
}
