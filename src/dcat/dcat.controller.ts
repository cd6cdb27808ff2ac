import { Controller, Get, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Dispatcher } from '../api/dispatcher';
import { errorResponse } from '../api/ckan-envelope';
import { requireScope } from '../api/token-scope';
import { Authenticator } from '../auth/authenticator';
import type { Logger } from '../common/logger';
import { DatasetHtmlPages } from './dataset-html';
import { DcatService } from './dcat.service';
import { formatByExt, negotiate, RdfFormat, RDF_FORMATS } from './rdf-formats';

const JSON_TYPE = 'application/json;charset=utf-8';
const DEFAULT_FORMAT = RDF_FORMATS[0]; // RDF/XML, what GovData's harvester asks for first

/**
 * The DCAT endpoints ckanext-dcat serves: `/catalog.{rdf,xml,ttl,jsonld,n3}` (public, active datasets,
 * hydra paging), `/dataset/{id}.{…}`, and content negotiation on `/catalog` and `/dataset/{id}`.
 * HEAD answers with the same Content-Type. Errors are `{error: {code, message}}`.
 */
@Controller()
export class DcatController {
  constructor(
    private readonly dcat: DcatService,
    private readonly dispatcher: Dispatcher,
    private readonly authenticator: Authenticator,
    private readonly htmlPages: DatasetHtmlPages,
  ) {}

  @Get(['catalog', 'catalog.:ext'])
  async catalog(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.answer(req, reply, async (format) => {
      // Public datasets only, as anyone reads them; a token still needs the read scope here, as on every read route.
      requireScope(await this.authenticator.fromHeaders(req.headers), 'read', 'reading the DCAT catalog');
      const q = req.query as Record<string, string | undefined>;
      const page = q.page === undefined ? 1 : Number(q.page);
      const base = `${this.dcat.catalogInfo.siteUrl}/catalog.${format.ext}`;
      const keep = Object.entries(q).filter(([k, v]) => k !== 'page' && v !== undefined) as [string, string][];
      const pageUrl = (n: number): string => `${base}?${new URLSearchParams([...keep, ['page', String(n)]]).toString()}`;
      return this.dcat.catalogPage(format, { page, modified_since: q.modified_since, q: q.q, fq: q.fq, profile: q.profile }, pageUrl);
    });
  }

  @Get(['dataset/:id'])
  async datasetNegotiated(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const { id } = req.params as { id: string };
    // `/dataset/{id}.ttl` arrives here too when the id part carries the extension.
    const dot = id.lastIndexOf('.');
    const ext = dot > 0 ? id.slice(dot + 1) : undefined;
    // A browser gets the dataset's page (the web part's), an RDF client the RDF; both vary by Accept.
    const html = ext ? undefined : this.htmlPages.forRequest(req);
    if (html) return html(req, reply.header('vary', 'Accept'), id);
    await this.dataset(req, reply, ext ? id.slice(0, dot) : id, ext);
  }

  private async dataset(req: FastifyRequest, reply: FastifyReply, id: string, ext?: string): Promise<void> {
    await this.answer(req, reply, async (format) => {
      const user = await this.authenticator.fromHeaders(req.headers);
      const ctx = this.dispatcher.context(user, { log: req.log as unknown as Logger, scope: 'read', what: 'reading a dataset as RDF' });
      return this.dcat.datasetDocument(ctx, id, format, (req.query as Record<string, string | undefined>).profile);
    }, ext);
  }

  private async answer(req: FastifyRequest, reply: FastifyReply, build: (format: RdfFormat) => Promise<string>, extOverride?: string): Promise<void> {
    const ext = extOverride ?? (req.params as { ext?: string }).ext;
    let format: RdfFormat | undefined;
    if (ext !== undefined) {
      format = formatByExt(ext);
      if (!format) return this.fail(reply, 404, `Unknown format ".${ext}"; use one of ${RDF_FORMATS.map((f) => f.ext).join(', ')}`);
    } else {
      const accept = req.headers.accept;
      format = negotiate(accept) ?? (!accept || /\*\/\*/.test(accept) ? DEFAULT_FORMAT : undefined);
      if (!format) return this.fail(reply, 406, `Not acceptable; this address serves ${[...new Set(RDF_FORMATS.map((f) => f.mediaType))].join(', ')}`);
      void reply.header('vary', 'Accept');
    }
    try {
      const body = await build(format);
      void reply.code(200).header('content-type', `${format.mediaType};charset=utf-8`).send(body);
    } catch (err) {
      const { status, body } = errorResponse(err, '', req.log as unknown as Logger);
      const error = typeof body === 'string' ? undefined : (body as { error?: Record<string, unknown> }).error;
      const message = typeof body === 'string' ? body : error?.message ?? JSON.stringify(error);
      this.fail(reply, status, String(message));
    }
  }

  private fail(reply: FastifyReply, code: number, message: string): void {
    void reply.code(code).header('content-type', JSON_TYPE).send(JSON.stringify({ error: { code, message } }));
  }
}
