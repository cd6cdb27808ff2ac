import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RDF_FORMATS } from './rdf-formats';

/** Answers `/dataset/{id}` as a page for people; the web part registers it (the DCAT part knows no pages). */
export type DatasetHtmlRenderer = (req: FastifyRequest, reply: FastifyReply, id: string) => Promise<void>;

const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);
const RDF_TYPES = new Set(RDF_FORMATS.flatMap((f) => f.accepts));

/**
 * Whether an `Accept` header asks for HTML before RDF: it names `text/html` (or XHTML) with a quality at least that of
 * every RDF type it names. A browser (`text/html,…,application/xml;q=0.9,*∕*;q=0.8`) gets the page; an RDF client
 * (`text/turtle`, `application/rdf+xml`), `*∕*` alone (curl) and no header get RDF exactly as before.
 */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  let html = 0;
  let rdf = 0;
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!(q > 0)) continue;
    const t = type.trim();
    if (HTML_TYPES.has(t)) html = Math.max(html, q);
    if (RDF_TYPES.has(t)) rdf = Math.max(rdf, q);
  }
  return html > 0 && html >= rdf;
}

/**
 * The hook by which `/dataset/{id}` serves HTML to browsers while the DCAT controller keeps the route (and its RDF
 * answers, unchanged). One renderer at most; without one (no web part loaded) every request gets RDF as before.
 */
@Injectable()
export class DatasetHtmlPages {
  private renderer?: DatasetHtmlRenderer;

  register(renderer: DatasetHtmlRenderer): void {
    if (this.renderer) throw new Error('A dataset HTML renderer is registered already');
    this.renderer = renderer;
  }

  /** The renderer when the request asks for HTML, else undefined. */
  forRequest(req: FastifyRequest): DatasetHtmlRenderer | undefined {
    return this.renderer && prefersHtml(req.headers.accept) ? this.renderer : undefined;
  }
}
