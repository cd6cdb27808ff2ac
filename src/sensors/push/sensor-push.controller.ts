import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CallerResolver } from '../../api/caller-resolver';
import { errorResponse, helpUrl, successBody } from '../../api/ckan-envelope';
import { Dispatcher } from '../../api/dispatcher';
import { ValidationError } from '../../api/errors';
import { jsonTooDeep } from '../../api/json-depth';
import type { Logger } from '../../common/logger';
import { APP_CONFIG, type AppConfig } from '../../config/env';
import { isDatabaseUnavailable } from './database-unavailable';
import type { PushFormat } from './push-parse';
import { SensorPushService, TooManyRows, type PushInput } from './sensor-push.service';

const JSON_TYPE = 'application/json;charset=utf-8';
/** Seconds a sender waits before retrying while the database is unreachable. */
export const PUSH_RETRY_AFTER_SECONDS = 5;

const isDict = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const one = (v: unknown): string | undefined => (Array.isArray(v) ? one(v[0]) : typeof v === 'string' && v ? v : undefined);

/**
 * `POST /api/3/action/sensor_push` (also `/api/action/sensor_push`), two ways:
 *  - as a CKAN action, a JSON body `{source, format, data, idempotency_key}` where `data` is the CSV text or the JSON batch;
 *  - as a raw push, `?source=…` (and `format=`) with the batch itself as the body, `text/csv` or `application/json`
 *    (a JSON batch may name its source in its own `source` field).
 * The key is the `Idempotency-Key` header, else `idempotency_key`, else the JSON batch's `batch_id`. Answers in CKAN's
 * envelope after the commit; 413 for a batch over the source's row limit; 503 with Retry-After while the database is
 * unreachable (nothing stored: retry with the same key).
 * This route is more specific than the action API's `:name` route, so it serves the name; the action registry does not list it.
 */
@Controller('api')
export class SensorPushController {
  constructor(
    private readonly push: SensorPushService,
    private readonly dispatcher: Dispatcher,
    private readonly callers: CallerResolver,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post(['3/action/sensor_push', 'action/sensor_push'])
  async sensorPush(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const log = req.log as unknown as Logger;
    const help = helpUrl(this.config.SITE_URL, 'sensor_push');
    try {
      const caller = await this.callers.fromHeaders(req.headers);
      const client = `${req.ip}|${String(req.headers['user-agent'] ?? '')}`;
      const ctx = this.dispatcher.context(caller, { log, request: { method: req.method, path: req.url, requestId: String(req.id), client }, scope: 'ingest', what: 'the action sensor_push' });
      const answer = await this.push.push(ctx, this.input(req));
      void reply.code(answer.status).header('content-type', JSON_TYPE).send(JSON.stringify(successBody(help, answer.body)));
    } catch (err) {
      if (isDatabaseUnavailable(err)) {
        log.warn({ err }, 'sensor_push: the database is unreachable; answered 503');
        const error = { __type: 'Service Unavailable', message: 'Die Datenbank ist gerade nicht erreichbar; nichts aus diesem Batch wurde gespeichert. Bitte später mit demselben Idempotency-Key erneut senden.' };
        void reply.code(503).header('retry-after', String(PUSH_RETRY_AFTER_SECONDS)).header('content-type', JSON_TYPE).send(JSON.stringify({ help, success: false, error }));
        return;
      }
      if (err instanceof TooManyRows) {
        const error = { __type: 'Request Entity Too Large', message: err.message, rows: err.rows, max_rows: err.max };
        void reply.code(413).header('content-type', JSON_TYPE).send(JSON.stringify({ help, success: false, error }));
        return;
      }
      const { status, body } = errorResponse(err, help, log);
      void reply.code(status).header('content-type', JSON_TYPE).send(JSON.stringify(body));
    }
  }

  /** The push as the request gives it: the action's JSON form, or the raw body with the source in the query. */
  private input(req: FastifyRequest): PushInput {
    const query = (req.query ?? {}) as Record<string, unknown>;
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    let key = one(req.headers['idempotency-key']) ?? one(query.idempotency_key);
    let source = one(query.source);
    let format = formatOf(one(query.format));
    if (type === 'text/csv' || type === 'text/plain' || format === 'csv') {
      return this.checked({ source, format: 'csv', body, key });
    }
    // A JSON body: the action's form when it has `data`; otherwise the batch itself (a broken one the source's adapter refuses with its byte offset).
    let parsed: unknown;
    const text = body.length ? body.toString('utf8') : '';
    try {
      parsed = text && !jsonTooDeep(text) ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    // Handed on so the batch is not parsed twice, unless it may hold bytes that are no UTF-8: the adapter names those.
    const json = parsed !== undefined && !text.includes('\uFFFD') ? { json: { value: parsed } } : {};
    if (isDict(parsed) && 'data' in parsed) {
      source = one(parsed.source) ?? source;
      format = formatOf(one(parsed.format)) ?? format;
      key = key ?? one(parsed.idempotency_key);
      const data = parsed.data;
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(JSON.stringify(data ?? null), 'utf8');
      return this.checked({ source, format: format ?? (typeof data === 'string' ? undefined : 'json'), body: bytes, key });
    }
    if (!source && isDict(parsed)) source = one(parsed.source);
    // A JSON content type says what the body is; any other (curl's default form type) leaves it to the source's format.
    const isJson = type === 'application/json' || type.endsWith('+json');
    return this.checked({ source, format: format ?? (isJson ? 'json' : undefined), body, key, ...json });
  }

  private checked(p: Omit<PushInput, 'source'> & { source?: string }): PushInput {
    if (!p.source) throw new ValidationError({ source: ['Missing value'] });
    if (p.key !== undefined && p.key.length > 200) throw new ValidationError({ 'Idempotency-Key': ['Must be a maximum of 200 characters long'] });
    return { ...p, source: p.source };
  }
}

function formatOf(v: string | undefined): PushFormat | undefined {
  if (v === undefined) return undefined;
  if (v === 'json' || v === 'csv') return v;
  throw new ValidationError({ format: ['Must be json or csv'] });
}
