import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HtmlPageHook, prefersHtmlOver } from '../common/html-pages';
import { RDF_FORMATS } from './rdf-formats';

/** Answers `/dataset/{id}` as a page for people; the web part registers it (the DCAT part knows no pages). */
export type DatasetHtmlRenderer = (req: FastifyRequest, reply: FastifyReply, id: string) => Promise<void>;

const RDF_TYPES = new Set(RDF_FORMATS.flatMap((f) => f.accepts));

/**
 * Whether an `Accept` header asks for HTML before RDF. A browser (`text/html,…,application/xml;q=0.9,*∕*;q=0.8`) gets
 * the page; an RDF client (`text/turtle`, `application/rdf+xml`), `*∕*` alone (curl) and no header get RDF as before.
 */
export const prefersHtml = (accept: string | undefined): boolean => prefersHtmlOver(accept, RDF_TYPES);

/** The hook by which `/dataset/{id}` serves HTML to browsers while the DCAT controller keeps the route and its RDF. */
@Injectable()
export class DatasetHtmlPages extends HtmlPageHook<DatasetHtmlRenderer> {
  constructor() {
    super('A dataset', RDF_TYPES);
  }
}
