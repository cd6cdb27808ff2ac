import { Controller, Get, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiDocs } from './api-docs.service';

/**
 * `GET /api/3/openapi.json`: the OpenAPI 3.1 description of the API, made once and answered with an ETag (304 when the
 * client holds it), gzipped for clients that take it. `/api` and `/api/3` keep answering CKAN's `{"version": …}` (action.controller.ts).
 */
@Controller('api')
export class ApiDocsController {
  constructor(private readonly docs: ApiDocs) {}

  @Get('3/openapi.json')
  openApi(@Req() req: FastifyRequest, @Res() reply: FastifyReply): void {
    const body = this.docs.openApiBody();
    // Made once, so the gzipped form is too; each form has its own ETag, as they are different bytes.
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const etag = gzip ? body.gzipEtag : body.etag;
    void reply.header('etag', etag).header('cache-control', 'public, max-age=300, must-revalidate').header('vary', 'Accept-Encoding');
    const inm = req.headers['if-none-match'];
    if (inm && inm.split(',').some((t) => t.trim() === '*' || t.trim().replace(/^W\//, '') === etag)) {
      void reply.code(304).send();
      return;
    }
    void reply.code(200).header('content-type', 'application/json;charset=utf-8');
    if (gzip) void reply.header('content-encoding', 'gzip').send(body.gzip);
    else void reply.send(body.json);
  }
}
