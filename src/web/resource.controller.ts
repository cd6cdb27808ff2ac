import { Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ResourcePages } from './resource-pages';

type Params = { id: string; rid: string };

/**
 * The steward's resource addresses, CKAN's own: /dataset/{name}/resource/new, /dataset/{name}/resource/{id}/edit,
 * /dataset/{name}/resource/{id}/delete, and ckanext-xloader's /dataset/{name}/resource_data/{id} ("load again").
 */
@Controller('dataset/:id')
export class ResourceController {
  constructor(private readonly pages: ResourcePages) {}

  @Get('resource/new')
  newForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.newResource(req, reply, (req.params as Params).id);
  }

  @Post('resource/new')
  create(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.newResource(req, reply, (req.params as Params).id);
  }

  @Get('resource/:rid/edit')
  editForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const { id, rid } = req.params as Params;
    return this.pages.editResource(req, reply, id, rid);
  }

  @Post('resource/:rid/edit')
  edit(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const { id, rid } = req.params as Params;
    return this.pages.editResource(req, reply, id, rid);
  }

  @Post('resource/:rid/delete')
  delete(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const { id, rid } = req.params as Params;
    return this.pages.deleteResource(req, reply, id, rid);
  }

  /** ckanext-xloader's status page lives here; ours is a section of the resource page. */
  @Get('resource_data/:rid')
  loaderState(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const { id, rid } = req.params as Params;
    return this.pages.loaderState(req, reply, id, rid);
  }

  @Post('resource_data/:rid')
  loadAgain(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const { id, rid } = req.params as Params;
    return this.pages.loadAgain(req, reply, id, rid);
  }
}
