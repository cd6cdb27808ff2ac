import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Dispatcher } from '../../api/dispatcher';
import { Authenticator } from '../../auth/authenticator';
import { hasScope } from '../../api/token-scope';
import { Visibility, readableSql } from '../../auth/visibility';
import type { Logger } from '../../common/logger';
import { APP_CONFIG, AppConfig } from '../../config/env';
import { StaQueryError, compileRead, parsePath, parseQueryOptions, type QueryLimits, type ReadContext } from './query';
import { MqttIngest } from '../mqtt/mqtt-ingest';
import { StaReadRepository } from './sta-read.repository';

const JSON_TYPE = 'application/json;charset=utf-8';
const PREFIX = '/sta/v1.1';

/**
 * Read-only SensorThings API v1.1 (OGC 18-088 Sensing Core and Filtering) at /sta/v1.1: the landing page, entity
 * sets, single entities, navigation, properties with `$value`, `$ref`, and the query options, in FROST-Server's
 * JSON shape (`@iot.id`, `@iot.selfLink`, `X@iot.navigationLink`, `@iot.count`, `@iot.nextLink`). Reads go through
 * the project's visibility rule: a Thing is readable iff its dataset is (src/auth/visibility.ts), and everything
 * else iff a readable Thing uses it or none does. Errors answer `{ error: { code, message } }`.
 */
@Controller('sta/v1.1')
export class StaReadController {
  private readonly limits: QueryLimits;

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly authenticator: Authenticator,
    private readonly visibility: Visibility,
    private readonly reader: StaReadRepository,
    private readonly mqtt: MqttIngest,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.limits = { defaultTop: config.STA_DEFAULT_TOP, maxTop: config.STA_MAX_TOP };
  }

  @Get()
  landing(@Res() reply: FastifyReply): void {
    void reply.header('content-type', JSON_TYPE).send(JSON.stringify(this.reader.landingPage(this.base(), this.mqtt.endpoints(this.config.SITE_URL))));
  }

  @Get('*')
  async read(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const log = req.log as unknown as Logger;
    const fail = (code: number, message: string): void => void reply.code(code).header('content-type', JSON_TYPE).send(JSON.stringify({ error: { code, message } }));
    const url = new URL(req.url, 'http://x');
    const rawPath = url.pathname.slice(url.pathname.indexOf(PREFIX) + PREFIX.length);
    try {
      const path = parsePath(decodeURIComponent(rawPath));
      const last = path.segments[path.segments.length - 1];
      const query: Record<string, string[]> = {};
      for (const [k, v] of url.searchParams) (query[k] ??= []).push(v);
      const options = parseQueryOptions(last.type, query, this.limits);
      const user = await this.authenticator.fromHeaders(req.headers);
      if (!hasScope(user, 'read')) return fail(403, 'The API token lacks the scope "read", which SensorThings reads need');
      const ctx = this.dispatcher.context(user, { log, scope: 'read' });
      const who = await this.visibility.readerOf(ctx);
      const read: ReadContext = {
        visibility: who.all ? null : { packageCondition: (pkgId, params) => `EXISTS (SELECT 1 FROM package vp WHERE vp.id = ${pkgId} AND ${readableSql(who, params, 'vp')})` },
      };
      const compiled = compileRead(path, options, read);
      const answer = await this.reader.answer(ctx.db, compiled, options, read, { base: this.base(), url, path });
      if (answer.status === 404) return fail(404, answer.message ?? 'Nothing found');
      if (answer.text !== undefined) return void reply.header('content-type', 'text/plain;charset=utf-8').send(answer.text);
      void reply.header('content-type', JSON_TYPE).send(JSON.stringify(answer.body));
    } catch (err) {
      if (err instanceof StaQueryError) return fail(err.status, err.message);
      if (err instanceof URIError) return fail(400, `The path is not valid percent-encoded UTF-8: ${rawPath}`);
      // A value PostgreSQL cannot take (a year 300000, a number out of range) is the client's: class 22, data exception.
      const code = (err as { code?: unknown }).code;
      if (err instanceof Error && typeof code === 'string' && code.startsWith('22')) return fail(400, err.message);
      throw err;
    }
  }

  private base(): string {
    return `${this.config.SITE_URL}${PREFIX}`;
  }
}
