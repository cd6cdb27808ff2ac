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

/** Non-action routes answer errors as `{error: {code, message}}`; action routes write CKAN's envelope themselves. */
@Catch()
class HttpErrorFilter implements ExceptionFilter {
  constructor(private readonly log: Logger) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const status = err instanceof HttpException ? err.getStatus() : 500;
    const message = err instanceof HttpException ? err.message : 'Internal Server Error';
    if (status >= 500) this.log.error({ err }, 'request failed');
    void reply.code(status).header('content-type', JSON_TYPE).send(JSON.stringify({ error: { code: status, message } }));
  }
}

/** Nest's own messages through the same pino logger, so every line is JSON. */
function nestLogger(log: Logger): LoggerService {
  const ctx = (c: unknown): Record<string, unknown> => (typeof c === 'string' ? { context: c } : {});
  return {
    log: (m: unknown, c?: unknown) => log.info(ctx(c), String(m)),
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
  fastify.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err }, 'request failed');
    const message = err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? `Request body is larger than ${core.config.MAX_BODY_BYTES} bytes` : status >= 500 ? 'Internal Server Error' : err.message;
    // Action routes answer like CKAN's _finish_bad_request: a bare JSON string.
    const body = /\/api\/(3\/)?action\//.test(req.url) ? JSON.stringify(`Bad request - ${message}`) : JSON.stringify({ error: { code: status, message } });
    void reply.code(status).header('content-type', JSON_TYPE).send(body);
  });
  app.useGlobalFilters(new HttpErrorFilter(log));
  await app.init();
  await fastify.ready();
  return app;
}

export type { INestApplication };
