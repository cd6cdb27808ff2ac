import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { ArgumentsHost, Catch, DynamicModule, ExceptionFilter, HttpException, INestApplication, LoggerService, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController } from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppModule } from './app.module';
import { Authenticator } from './auth/authenticator';
import type { Logger } from './common/logger';
import { CoreOptions } from './core.module';
import { prefersHtml } from './dcat/dataset-html';
import { redactUrl, ResponseHeaders } from './http-headers';
import { installRateLimit } from './http-rate-limit';
import { WebPages } from './web/web-pages';

const JSON_TYPE = 'application/json;charset=utf-8';
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const ACTION_ROUTE = /^\/+api\/+(3\/+)?action\//;
/** Addresses only programs ask for: a wrong one answers JSON even to a browser. */
const MACHINE_ROUTE = /^\/+(api|sta)(\/|\?|$)/;

/**
 * An error body as CKAN's clients expect it: on action routes a bare JSON string (CKAN's
 * _finish_bad_request), elsewhere `{error: {code, message}}`.
 */
function errorBody(url: string, status: number, message: string): string {
  return ACTION_ROUTE.test(url) && status !== 404 ? JSON.stringify(`Bad request - ${message}`) : JSON.stringify({ error: { code: status, message } });
}

/**
 * Errors outside the action controller (unknown routes, Fastify's own: body too large, bad
 * content) answer `{error: {code, message}}`; on action routes a bare JSON string, as CKAN's
 * _finish_bad_request does. The action controller writes CKAN's envelope itself.
 */
@Catch()
class HttpErrorFilter implements ExceptionFilter {
  /** The portal's 404 page, for a browser asking for an address that does not exist (outside the API and SensorThings). */
  htmlNotFound?: (req: FastifyRequest, reply: FastifyReply) => Promise<void>;

  constructor(private readonly log: Logger, private readonly maxBody: number) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const req = host.switchToHttp().getRequest<FastifyRequest>();
    const e = err as Error & { statusCode?: number; code?: string };
    const status = err instanceof HttpException ? err.getStatus() : e.statusCode && e.statusCode >= 400 && e.statusCode < 600 ? e.statusCode : 500;
    if (status === 404 && this.htmlNotFound && req && !MACHINE_ROUTE.test(req.url) && prefersHtml(req.headers.accept)) {
      this.htmlNotFound(req, reply).catch((failure: unknown) => {
        this.log.error({ err: failure, reqId: req.id }, 'could not render the not-found page');
        if (!reply.sent) void reply.code(404).header('content-type', JSON_TYPE).send(errorBody(req.url, 404, 'Not Found'));
      });
      return;
    }
    if (status >= 500) this.log.error({ err, reqId: req?.id }, 'request failed');
    const message = status === 413 || e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? `Request body is larger than ${this.maxBody} bytes` : status >= 500 ? 'Internal Server Error' : e.message;
    void reply.code(status).header('content-type', JSON_TYPE).send(errorBody(req?.url ?? '', status, message));
  }
}

/** TRUST_PROXY as Fastify's trustProxy: a number of proxies, or the addresses and ranges (proxy-addr's syntax) to believe. */
function trustProxy(setting: string | undefined): number | string[] | false {
  if (!setting?.trim()) return false;
  if (/^\s*\d+\s*$/.test(setting)) return Number(setting);
  return setting.split(/[\s,]+/).filter(Boolean);
}

/** Nest's start-up chatter (a line per module and per route): for debugging, not for the operator. */
const NEST_START_UP = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/** Nest's own messages through the same pino logger, so every line has the same format. */
function nestLogger(log: Logger): LoggerService {
  const ctx = (c: unknown): Record<string, unknown> => (typeof c === 'string' ? { context: c } : {});
  return {
    log: (m: unknown, c?: unknown) => (typeof c === 'string' && NEST_START_UP.has(c) ? log.debug(ctx(c), String(m)) : log.info(ctx(c), String(m))),
    error: (m: unknown, trace?: unknown, c?: unknown) => log.error({ ...ctx(c), trace }, String(m)),
    warn: (m: unknown, c?: unknown) => log.warn(ctx(c), String(m)),
    debug: (m: unknown, c?: unknown) => log.debug(ctx(c), String(m)),
    verbose: (m: unknown, c?: unknown) => log.trace(ctx(c), String(m)),
  };
}

/**
 * The HTTP application: Fastify under Nest, with CKAN's request-body rules (every non-form body is
 * read raw and parsed by the action controller; multipart is left as a stream), request ids on
 * every log line and response, and one access-log line per request.
 */
export async function createHttpApp(core: CoreOptions, extra: { modules?: (Type | DynamicModule)[] } = {}): Promise<NestFastifyApplication> {
  const log = core.logger;
  const headers = new ResponseHeaders(core.config.CORS_ORIGINS);
  const adapter = new FastifyAdapter({
    loggerInstance: log,
    // One access-log line per request comes from the onResponse hook below, instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // CKAN's harvester can request //api/3/action/... ; trailing slashes are forgiven too. Long path
    // parameters reach the routes, which answer them as CKAN does (an unknown action, a missing dataset).
    routerOptions: { ignoreDuplicateSlashes: true, ignoreTrailingSlash: true, maxParamLength: 2000 },
    // A URL Fastify cannot decode (`%ff`, `%c0%ae`) answers like every other bad request here, not in Fastify's own shape.
    frameworkErrors: (err: Error & { code?: string; statusCode?: number }, req: FastifyRequest, reply: FastifyReply) => {
      const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 400;
      const path = (req.raw.url ?? '').split('?')[0];
      const message = err.code === 'FST_ERR_BAD_URL' ? `The URL is not valid percent-encoded UTF-8: ${path}` : err.message;
      // Fastify answers these outside every route, so no hook runs: the common headers and the access-log line are written here.
      headers.apply(req, reply);
      void reply.code(status).header('content-type', JSON_TYPE).send(errorBody(path, status, message));
      req.log.info({ method: req.method, url: redactUrl(req.raw.url ?? ''), status }, 'request');
    },
    bodyLimit: core.config.MAX_BODY_BYTES,
    // Unset, X-Forwarded-For is ignored: the caller's address (rate limits, logs) is the socket's, which no client can claim.
    trustProxy: trustProxy(core.config.TRUST_PROXY),
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  const root: DynamicModule = extra.modules?.length
    ? { module: class HttpRoot {}, imports: [AppModule.register(core), ...extra.modules] }
    : AppModule.register(core);
  const app = await NestFactory.create<NestFastifyApplication>(root, adapter, { logger: nestLogger(log), bodyParser: false, abortOnError: false });
  const fastify = app.getHttpAdapter().getInstance();

  fastify.removeAllContentTypeParsers();
  // Multipart stays a stream: the action controller reads fields and streams files itself.
  fastify.addContentTypeParser('multipart/form-data', (_req, _payload, done) => done(null, undefined));
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  headers.install(fastify);
  await installRateLimit(fastify, core.config, app.get(Authenticator), log);
  fastify.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
    // Tokens in the query string authenticate nothing, but must not be written down either.
    req.log.info({ method: req.method, url: redactUrl(req.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100 }, 'request');
  });
  const errors = new HttpErrorFilter(log, core.config.MAX_BODY_BYTES);
  const pages = app.get(WebPages, { strict: false });
  errors.htmlNotFound = (req, reply) => pages.notFound(req, reply);
  app.useGlobalFilters(errors);
  await app.init();
  await fastify.ready();
  return app;
}

export type { INestApplication };
