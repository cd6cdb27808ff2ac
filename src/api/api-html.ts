import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HtmlPageHook, prefersHtmlOver } from '../common/html-pages';

/** Answers `GET /api` as a page for people; the web part registers it (the API knows no pages). */
export type ApiHtmlRenderer = (req: FastifyRequest, reply: FastifyReply) => Promise<void>;

const JSON_TYPES = new Set(['application/json']);

/**
 * Whether an `Accept` header asks for HTML before JSON. A browser (`text/html,…,*∕*;q=0.8`) gets the page; CKAN clients,
 * `*∕*` alone (curl) and no header keep getting `{"version": 1}`.
 */
export const prefersHtmlToJson = (accept: string | undefined): boolean => prefersHtmlOver(accept, JSON_TYPES);

/** The hook by which `/api` shows browsers the API documentation page while CKAN clients keep the JSON answer. */
@Injectable()
export class ApiHtmlPages extends HtmlPageHook<ApiHtmlRenderer> {
  constructor() {
    super('An API', JSON_TYPES);
  }
}
