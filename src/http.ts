import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { ArgumentsHost, Catch, DynamicModule, ExceptionFilter, HttpException, INestApplication, LoggerService, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController } from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppModule } from './app.module';
import type { Logger } from './common/logger';
import { CoreOptions } from './core.module';

const JSON_TYPE = 'application/json;charset=utf-8';
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Errors outside the action controller (unknown routes, Fastify's own: body too large, bad
 * content) answer `{error: {code, message}}`; on action routes a bare JSON string, as CKAN's
 * _finish_bad_request does. The action controller writes CKAN's envelope itself.
 */
@Catch()
class HttpErrorFilter implements ExceptionFilter {
  constructor(private readonly log: Logger, private readonly maxBody: number) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const req = host.switchToHttp().getRequest<FastifyRequest>();
    const e = err as Error & { statusCode?: number; code?: string };
    const status = err instanceof HttpException ? err.getStatus() : e.statusCode && e.statusCode >= 400 && e.statusCode < 600 ? e.statusCode : 500;
    if (status >= 500) this.log.error({ err, reqId: req?.id }, 'request failed');
    const message = status === 413 || e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? `Request body is larger than ${this.maxBody} bytes` : status >= 500 ? 'Internal Server Error' : e.message;
    const body = /\/api\/(3\/)?action\//.test(req?.url ?? '') && status !== 404
      ? JSON.stringify(`Bad request - ${message}`)
      : JSON.stringify({ error: { code: status, message } });
    void reply.code(status).header('content-type', JSON_TYPE).send(body);
  }
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
  const adapter = new FastifyAdapter({
    loggerInstance: log,
    // One access-log line per request comes from the onResponse hook below, instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // CKAN's harvester can request //api/3/action/... ; trailing slashes are forgiven too.
    routerOptions: { ignoreDuplicateSlashes: true, ignoreTrailingSlash: true },
    bodyLimit: core.config.MAX_BODY_BYTES,
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

  fastify.addHook('onSend', async (req, reply) => {
    void reply.header('x-request-id', req.id);
  });
  fastify.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
    req.log.info({ method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100 }, 'request');
  });
  app.useGlobalFilters(new HttpErrorFilter(log, core.config.MAX_BODY_BYTES));
  await app.init();
  await fastify.ready();
  return app;
}

export type { INestApplication };
