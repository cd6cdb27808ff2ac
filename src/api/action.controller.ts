import { All, Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '../config/env';
import { CallerResolver } from './caller-resolver';
import type { Logger } from '../common/logger';
import { errorResponse, helpUrl, successBody } from './ckan-envelope';
import { Dispatcher } from './dispatcher';
import { BadRequest } from './errors';
import { ActionContext } from './action-context';
import { ApiHtmlPages } from './api-html';
import { ActionUploads } from './action-uploads';
import { RawJson } from './raw-json';
import { DataDict, formData, jsonBody, queryData, requireDict } from './request-data';

const JSON_TYPE = 'application/json;charset=utf-8';

/**
 * The CKAN action API: `GET|POST /api/3/action/{name}` and `/api/action/{name}`. It turns the
 * request into a data dict the way ckan/views/api.py does, runs the action through the one
 * dispatcher, and writes CKAN's envelope.
 */
@Controller('api')
export class ActionController {
  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly callers: CallerResolver,
    private readonly uploads: ActionUploads,
    private readonly htmlPages: ApiHtmlPages,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** CKAN's `{"version": 1}`; a browser (Accept prefers HTML) gets the API documentation page when the web part registered one. */
  @Get()
  async apiRoot(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    void reply.header('vary', 'Accept');
    const page = this.htmlPages.forRequest(req);
    if (page) return page(req, reply);
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
    const help = helpUrl(this.config.SITE_URL, name);
    const isGet = req.method === 'GET' || req.method === 'HEAD';
    try {
      if (req.method !== 'GET' && req.method !== 'POST' && req.method !== 'HEAD') {
        throw new BadRequest(`Method ${req.method} is not allowed; use GET or POST`);
      }
      if (!this.dispatcher.exists(name)) throw new BadRequest(`Action name not known: ${name}`);
      const sideEffectFree = this.dispatcher.isSideEffectFree(name);
      if (isGet && !sideEffectFree) throw new BadRequest('JSON Error: Invalid request. Please use POST method for your request');

      const client = `${req.ip}|${String(req.headers['user-agent'] ?? '')}`;
      const request = { method: req.method, path: req.url, requestId: String(req.id), client, address: req.ip };
      const headerUser = await this.callers.fromHeaders(req.headers);
      const received: unknown[] = [];
      let result: unknown;
      let callback: unknown;
      try {
        const data = await this.requestData(req, name, sideEffectFree, this.dispatcher.context(headerUser, { log, request }), received);
        // JSONP requests run as anonymous, whatever token they carry (CKAN's CSRF safeguard).
        callback = data.callback;
        delete data.callback;
        if (isGet && callback !== undefined && !isJsonpCallback(callback)) throw new BadRequest(JSONP_CALLBACK_RULE);
        const ctx = this.dispatcher.context(callback === undefined ? headerUser : null, { log, request });
        result = await this.dispatcher.run(name, data, ctx);
      } finally {
        await this.uploads.release(received);
      }

      let body: string | Buffer;
      let type = JSON_TYPE;
      if (isGet && isJsonpCallback(callback)) {
        const json = result instanceof RawJson ? `{"help":${JSON.stringify(help)},"success":true,"result":${result.json}}` : JSON.stringify(successBody(help, result));
        body = `${callback}(${json});`;
        type = 'application/javascript;charset=utf-8';
      } else {
        // A cached, already serialised result (package_show) is sent as stored bytes.
        body = result instanceof RawJson ? result.envelope(help) : JSON.stringify(successBody(help, result));
      }
      void reply.code(200).header('content-type', type).send(body);
    } catch (err) {
      const { status, body, headers } = errorResponse(err, help, log);
      if (headers) void reply.headers(headers);
      // A request whose body was not read to the end (a refused upload) closes the connection, so it is not read after all.
      if (!req.raw.complete) void reply.header('connection', 'close');
      void reply.code(status).header('content-type', JSON_TYPE).send(JSON.stringify(body));
    }
  }

  /** ckan/views/api.py `_get_request_data`: form fields, else (GET-able actions) the query, else a JSON body. */
  private async requestData(req: FastifyRequest, action: string, sideEffectFree: boolean, ctx: ActionContext, received: unknown[]): Promise<DataDict> {
    const query = queryData(req.query);
    if (req.method === 'GET' || req.method === 'HEAD') return query;
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type === 'multipart/form-data') return this.uploads.read(req, action, ctx, received);
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

/**
 * CKAN compat: CKAN only HTML-escapes the callback, so `alert(1)//` is written out as script. We
 * accept what JSONP libraries generate (jQuery's `jQuery3600…_17…`, `ns.handler`): a JavaScript
 * identifier or a dotted path of them, at most 128 characters; anything else is a 400.
 */
const JSONP_CALLBACK = /^[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)*$/;
const JSONP_CALLBACK_RULE = 'The callback parameter must be a JavaScript identifier or a dotted path of them (at most 128 characters)';

function isJsonpCallback(v: unknown): v is string {
  return typeof v === 'string' && v.length <= 128 && JSONP_CALLBACK.test(v);
}
