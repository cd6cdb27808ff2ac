import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Answers `GET /api` as a page for people; the web part registers it (the API knows no pages). */
export type ApiHtmlRenderer = (req: FastifyRequest, reply: FastifyReply) => Promise<void>;

/**
 * Whether an `Accept` header asks for HTML before JSON: it names `text/html` (or XHTML) with a quality above zero and
 * at least that of `application/json`. A browser (`text/html,…,*∕*;q=0.8`) gets the page; CKAN clients, `*∕*` alone
 * (curl) and no header keep getting `{"version": 1}`.
 */
export function prefersHtmlToJson(accept: string | undefined): boolean {
  if (!accept) return false;
  let html = 0;
  let json = 0;
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!(q > 0)) continue;
    const t = type.trim();
    if (t === 'text/html' || t === 'application/xhtml+xml') html = Math.max(html, q);
    if (t === 'application/json') json = Math.max(json, q);
  }
  return html > 0 && html >= json;
}

/**
 * The hook by which `/api` shows browsers the API documentation page while CKAN clients keep the JSON answer. One
 * renderer at most; without one (no web part loaded) every request gets JSON as before.
 */
@Injectable()
export class ApiHtmlPages {
  private renderer?: ApiHtmlRenderer;

  register(renderer: ApiHtmlRenderer): void {
    if (this.renderer) throw new Error('An API HTML renderer is registered already');
    this.renderer = renderer;
  }

  /** The renderer when the request asks for HTML, else undefined. */
  forRequest(req: FastifyRequest): ApiHtmlRenderer | undefined {
    return this.renderer && prefersHtmlToJson(req.headers.accept) ? this.renderer : undefined;
  }
}
