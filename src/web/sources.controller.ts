import { Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ChartData } from './chart-data';
import { SourcePages } from './sources-pages';

const param = (req: FastifyRequest, name: string): string => (req.params as Record<string, string>)[name];

/**
 * The steward's sources: ckanext-harvest's addresses (/harvest, /harvest/new, /harvest/{name}, /harvest/edit/{name},
 * /harvest/refresh/{name}, /harvest/abort/{name}, /harvest/clear/{name}) and the sensor sources' (/sensors/sources…);
 * and the chart island's same-origin data (/web/series/{resource id}).
 */
@Controller()
export class SourcesController {
  constructor(private readonly pages: SourcePages, private readonly charts: ChartData) {}

  @Get('harvest')
  harvestList(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.harvestList(req, reply);
  }

  @Get('harvest/new')
  harvestNewForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.newHarvest(req, reply);
  }

  @Post('harvest/new')
  harvestCreate(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.newHarvest(req, reply);
  }

  @Get('harvest/edit/:name')
  harvestEditForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.editHarvest(req, reply, param(req, 'name'));
  }

  @Post('harvest/edit/:name')
  harvestEdit(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.editHarvest(req, reply, param(req, 'name'));
  }

  @Post('harvest/refresh/:name')
  harvestRun(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.harvestCommand(req, reply, param(req, 'name'), 'refresh');
  }

  @Post('harvest/abort/:name')
  harvestAbort(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.harvestCommand(req, reply, param(req, 'name'), 'abort');
  }

  /** GET: the confirmation; POST: the clearing. */
  @Get('harvest/clear/:name')
  harvestClearConfirm(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.harvestCommand(req, reply, param(req, 'name'), 'clear');
  }

  @Post('harvest/clear/:name')
  harvestClear(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.harvestCommand(req, reply, param(req, 'name'), 'clear');
  }

  @Get('harvest/:name')
  harvestSource(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.harvestSource(req, reply, param(req, 'name'));
  }

  @Get('sensors/sources')
  sensorList(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.sensorList(req, reply);
  }

  @Get('sensors/sources/new')
  sensorNewForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.newSensor(req, reply);
  }

  @Post('sensors/sources/new')
  sensorCreate(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.newSensor(req, reply);
  }

  @Get('sensors/sources/:id')
  sensorSource(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.sensorSource(req, reply, param(req, 'id'));
  }

  @Get('sensors/sources/:id/edit')
  sensorEditForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.editSensor(req, reply, param(req, 'id'));
  }

  @Post('sensors/sources/:id/edit')
  sensorEdit(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.editSensor(req, reply, param(req, 'id'));
  }

  @Post('sensors/sources/:id/run')
  sensorRun(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.pages.runSensor(req, reply, param(req, 'id'));
  }

  /** The chart island's data for a Datastream's DataStore resource, read with the page's caller. */
  @Get('web/series/:rid')
  series(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.charts.series(req, reply, param(req, 'rid'));
  }
}
