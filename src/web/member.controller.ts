import { Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MemberPages } from './member-pages';
import type { GroupKind } from './pages/members';
import { TokenPages } from './token-pages';

const idOf = (req: FastifyRequest): string => (req.params as { id: string }).id;

/**
 * CKAN's addresses for members and roles (`/organization/members/{name}`, `/organization/member_new/{name}`,
 * `/organization/member_delete/{name}`, the same under `/group/`) and for API tokens (`/user/{name}/api-tokens`,
 * `/user/{name}/api-tokens/revoke`).
 */
@Controller()
export class MemberController {
  constructor(private readonly members: MemberPages, private readonly tokens: TokenPages) {}

  private kind(req: FastifyRequest): GroupKind {
    return req.url.startsWith('/group/') ? 'group' : 'organization';
  }

  @Get(['organization/members/:id', 'group/members/:id'])
  list(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.members.members(req, reply, this.kind(req), idOf(req));
  }

  @Get(['organization/member_new/:id', 'group/member_new/:id'])
  newForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.members.memberNew(req, reply, this.kind(req), idOf(req));
  }

  @Post(['organization/member_new/:id', 'group/member_new/:id'])
  add(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.members.memberNew(req, reply, this.kind(req), idOf(req));
  }

  @Get(['organization/member_delete/:id', 'group/member_delete/:id'])
  confirmDelete(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.members.memberDelete(req, reply, this.kind(req), idOf(req));
  }

  @Post(['organization/member_delete/:id', 'group/member_delete/:id'])
  remove(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.members.memberDelete(req, reply, this.kind(req), idOf(req));
  }

  @Get('user/:id/api-tokens')
  tokenList(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.tokens.tokens(req, reply, idOf(req));
  }

  @Post('user/:id/api-tokens')
  tokenCreate(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.tokens.tokens(req, reply, idOf(req));
  }

  @Post('user/:id/api-tokens/revoke')
  tokenRevoke(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.tokens.revoke(req, reply, idOf(req));
  }
}
