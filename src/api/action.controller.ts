import { All, Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '../config/env';
import { Authenticator } from '../auth/authenticator';
import type { Logger } from '../common/logger';
import { errorResponse, successBody } from './ckan-envelope';
import { Dispatcher } from './dispatcher';
import { BadRequest } from './errors';
import { RawJson } from './raw-json';
import { DataDict, formData, jsonBody, queryData, readMultipart, requireDict } from './request-data';

const JSON_TYPE = 'application/json;charset=utf-8';

/**
 * The CKAN action API: `GET|POST /api/3/action/{name}` and `/api/action/{name}`. It turns the
 * request into a data dict the way ckan/views/api.py does, runs the action through the one
 * dispatcher, and writes CKAN's envelope.
 */
@Controller('api')
export class ActionController {
  private readonly helpBase: string;

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly authenticator: Authenticator,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.helpBase = `${config.SITE_URL}/api/3/action/help_show?name=`;
  }

  @Get()
  apiRoot(@Res() reply: FastifyReply): void {
    void reply.header('content-type', JSON_TYPE).send('{"version": 1}');
  }

  @Get(':ver')
  apiVersion(@Param('ver') ver: string, @Res() reply: FastifyReply): void {
    if (!/^[123]$/.test(ver)) {
      void reply.code(404).header('content-type', JSON_TYPE).send(JSON.stringify({ error: { code: 404, message: 'Not found' } }));
      return;
    }
    void reply.header('content-type', JSON_TYPE).send(`{"version": ${ver}}`);
  }

  @All(['3/action/:name', 'action/:name'])
  async action(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const name = (req.params as { name: string }).name;
    const log = req.log as unknown as Logger;
    const help = this.helpBase + encodeURIComponent(name);
    const isGet = req.method === 'GET' || req.method === 'HEAD';
    try {
      if (req.method !== 'GET' && req.method !== 'POST' && req.method !== 'HEAD') {
        throw new BadRequest(`Method ${req.method} is not allowed; use GET or POST`);
      }
      if (!this.dispatcher.exists(name)) throw new BadRequest(`Action name not known: ${name}`);
      const sideEffectFree = this.dispatcher.isSideEffectFree(name);
      if (isGet && !sideEffectFree) throw new BadRequest('JSON Error: Invalid request. Please use POST method for your request');

      const data = await this.requestData(req, sideEffectFree);
      // JSONP requests run as anonymous, whatever token they carry (CKAN's CSRF safeguard).
      const callback = data.callback;
      delete data.callback;
      const user = callback === undefined ? await this.authenticator.fromHeaders(req.headers) : null;
      const client = `${req.ip}|${String(req.headers['user-agent'] ?? '')}`;
      const ctx = this.dispatcher.context(user, { log, request: { method: req.method, path: req.url, requestId: String(req.id), client } });
      const result = await this.dispatcher.run(name, data, ctx);

      let body: string | Buffer;
      let type = JSON_TYPE;
      if (isGet && typeof callback === 'string' && callback) {
        const json = result instanceof RawJson ? `{"help":${JSON.stringify(help)},"success":true,"result":${result.json}}` : JSON.stringify(successBody(help, result));
        body = `${escapeHtml(callback)}(${json});`;
        type = 'application/javascript;charset=utf-8';
      } else {
        // A cached, already serialised result (package_show) is sent as stored bytes.
        body = result instanceof RawJson ? result.envelope(help) : JSON.stringify(successBody(help, result));
      }
      void reply.code(200).header('content-type', type).send(body);
    } catch (err) {
      const { status, body } = errorResponse(err, help, log);
      void reply.code(status).header('content-type', JSON_TYPE).send(JSON.stringify(body));
    }
  }

  /** ckan/views/api.py `_get_request_data`: form fields, else (GET-able actions) the query, else a JSON body. */
  private async requestData(req: FastifyRequest, sideEffectFree: boolean): Promise<DataDict> {
    const query = queryData(req.query);
    if (req.method === 'GET' || req.method === 'HEAD') return query;
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type === 'multipart/form-data') {
      const { fields, files } = await readMultipart(req.raw, {
        maxFieldBytes: this.config.MAX_BODY_BYTES,
        maxFields: 1000,
        onFile: async (part) => {
          // TODO(#4): stream uploads to storage; until then a file part is refused, never silently dropped.
          part.stream.resume();
          throw new BadRequest(`File uploads are not supported yet (field "${part.field}")`);
        },
      });
      return requireDict({ ...formData(fields), ...files });
    }
    const body = req.body as Buffer | undefined;
    if (type === 'application/x-www-form-urlencoded') {
      const fields = [...new URLSearchParams(body?.toString('utf8') ?? '')];
      if (fields.length) return requireDict(formData(fields));
    }
    if (sideEffectFree && Object.keys(query).length) return query;
    if (type === 'application/x-www-form-urlencoded') return {};
    return requireDict(jsonBody(body));
  }
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;');
}
