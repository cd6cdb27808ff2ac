import { Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { StewardPages } from './steward-pages';

/** The steward's addresses, CKAN's own: /user/login, /user/logout, /user/{name}, /dashboard, /dataset/new, /dataset/edit/{name}. */
@Controller()
export class StewardController {
  constructor(private readonly pages: StewardPages) {}

  @Get('user/login')
  loginForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.loginForm(req, reply);
  }

  @Post('user/login')
  login(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.login(req, reply);
  }

  @Post('user/logout')
  logout(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.logout(req, reply);
  }

  @Get('user/:name')
  user(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.user(req, reply, (req.params as { name: string }).name);
  }

  @Get('dataset/new')
  newForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.newDataset(req, reply);
  }

  @Post('dataset/new')
  create(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.newDataset(req, reply);
  }

  @Get('dataset/edit/:id')
  editForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.editDataset(req, reply, (req.params as { id: string }).id);
  }

  @Post('dataset/edit/:id')
  edit(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.editDataset(req, reply, (req.params as { id: string }).id);
  }

  @Get('dashboard')
  dashboard(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.dashboard(req, reply);
  }
}
