import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CkanError } from '../api/errors';
import { WebPages } from './web-pages';

/** Values the chart draws at most (the newest). */
export const CHART_POINTS = 2000;

/**
 * The chart island's data: a Datastream's latest values read by datastore_search with the page's caller (an API token,
 * else the web login's session cookie), read scope, answered as JSON on this site's own address. The API stays
 * token-only, so a steward's browser could not read a private gauge's curve there; here it reads exactly what the
 * page's table shows that caller. Whether the caller may read it is datastore_search's decision: a resource the
 * caller may not read answers 404, as one that does not exist.
 */
@Injectable()
export class ChartData {
  constructor(private readonly pages: WebPages) {}

  async series(req: FastifyRequest, reply: FastifyReply, resourceId: string): Promise<void> {
    const send = (status: number, body: unknown): void =>
      void reply.code(status).header('content-type', 'application/json;charset=utf-8').header('cache-control', 'private, no-store').header('vary', 'Cookie').send(JSON.stringify(body));
    try {
      const ctx = this.pages.contextFor(req, await this.pages.caller(req), 'read', 'reading a chart');
      const r = await ctx.call<{ records: { phenomenon_time: string; result: number | null }[] }>('datastore_search', {
        resource_id: resourceId, sort: 'phenomenon_time desc', limit: CHART_POINTS, fields: ['phenomenon_time', 'result'],
      });
      send(200, { records: r.records });
    } catch (err) {
      if (!(err instanceof CkanError)) throw err;
      if (err.kind === 'not_found' || err.kind === 'not_authorized') send(404, { error: { code: 'not_found', message: 'Not found' } });
      else if (err.kind === 'rate_limited') throw err;
      else send(400, { error: { code: 'bad_request', message: err.message } });
    }
  }
}
