import { Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessPages } from './access-pages';

type Params = { id: string; user_id?: string };

/**
 * A dataset's access level and shares (`/dataset/{name}/access`, ours), its collaborators at CKAN's addresses
 * (`/dataset/collaborators/{id}`, `/new`, `/delete/{user_id}`), submitting it for approval and the approval queue.
 */
@Controller()
export class AccessController {
  constructor(private readonly pages: AccessPages) {}

  @Get('dataset/:id/access')
  accessPage(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.access(req, reply, (req.params as Params).id);
  }

  @Post('dataset/:id/access')
  access(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.access(req, reply, (req.params as Params).id);
  }

  @Post('dataset/:id/submit')
  submit(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.submit(req, reply, (req.params as Params).id);
  }

  @Get('dashboard/approvals')
  queue(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.approvals(req, reply);
  }

  @Post('dashboard/approvals')
  decide(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.approvals(req, reply);
  }

  @Get('dataset/collaborators/:id')
  collaborators(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.collaborators(req, reply, (req.params as Params).id);
  }

  @Post('dataset/collaborators/:id/new')
  addCollaborator(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.collaborators(req, reply, (req.params as Params).id, { add: true });
  }

  @Post('dataset/collaborators/:id/delete/:user_id')
  removeCollaborator(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const { id, user_id } = req.params as Params;
    return this.pages.collaborators(req, reply, id, { remove: user_id ?? '' });
  }
}
