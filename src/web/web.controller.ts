import { Controller, Get, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STYLE_CSS, STYLE_HASH } from './assets/style';
import { getClientBundles } from './client-build';
import { WebPages } from './web-pages';

/**
 * The portal's addresses, CKAN's own, so links GovData and search engines hold keep working. `/dataset/{id}` itself
 * belongs to the DCAT controller, which hands browsers to `WebPages.dataset` (see WebModule).
 */
@Controller()
export class WebController {
  constructor(private readonly pages: WebPages) {}

  @Get()
  home(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.serve(req, reply, this.pages.home);
  }

  @Get('dataset')
  search(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.serve(req, reply, this.pages.search);
  }

  @Get('dataset/:id/resource/:rid')
  resource(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const { id, rid } = req.params as { id: string; rid: string };
    return this.pages.serve(req, reply, (ctx, env, query) => this.pages.resource(ctx, env, id, rid, query));
  }

  @Get('organization')
  organizations(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.serve(req, reply, this.pages.groupList('organization'));
  }

  @Get('organization/:id')
  organization(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.serve(req, reply, this.pages.group('organization', (req.params as { id: string }).id));
  }

  @Get('group')
  groups(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.serve(req, reply, this.pages.groupList('group'));
  }

  @Get('group/:id')
  group(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.serve(req, reply, this.pages.group('group', (req.params as { id: string }).id));
  }

  /** Overview map of all gauges, coloured by their state against their warning levels; the same as a table. */
  @Get('sensors/gauges')
  gauges(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.serve(req, reply, this.pages.gauges);
  }

  /** Overview map of all traffic counting sites; their latest values per lane as a table. */
  @Get('sensors/traffic')
  traffic(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.serve(req, reply, this.pages.traffic);
  }

  /** The client islands (chart, map) and their styles and images, under content-hashed names: cached for a year. */
  @Get('web/js/:file')
  clientAsset(@Req() req: FastifyRequest, @Res() reply: FastifyReply): void {
    const asset = getClientBundles().files.get((req.params as { file: string }).file);
    if (!asset) {
      void reply.code(404).header('content-type', 'text/plain;charset=utf-8').send('Not found');
      return;
    }
    void reply.code(200).header('content-type', asset.type).header('cache-control', 'public, max-age=31536000, immutable').send(asset.body);
  }

  /** The stylesheet under its content hash: cached for a year, never stale (a new stylesheet has a new address). */
  @Get('web/:file')
  style(@Req() req: FastifyRequest, @Res() reply: FastifyReply): void {
    const { file } = req.params as { file: string };
    if (file !== `style.${STYLE_HASH}.css`) {
      void reply.code(404).header('content-type', 'text/plain;charset=utf-8').send('Not found');
      return;
    }
    void reply.code(200).header('content-type', 'text/css;charset=utf-8').header('cache-control', 'public, max-age=31536000, immutable').send(STYLE_CSS);
  }
}
