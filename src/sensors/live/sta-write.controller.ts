import { Controller, Delete, Patch, Post, Put, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ActionContext } from '../../api/action-context';
import { Dispatcher } from '../../api/dispatcher';
import { CkanError } from '../../api/errors';
import { Authenticator } from '../../auth/authenticator';
import type { Logger } from '../../common/logger';
import { MODEL, StaQueryError, parsePath, type ResourcePath } from '../sta/query';
import { observationError } from './sta-observations';
import { parseBody, StaWriteError } from './sta-entity-input';
import { StaCreateObservations } from './sta-create-observations';
import { StaCreator } from './sta-create.service';
import { StaWriter } from './sta-write.service';
import { EntityUpdates } from './entity-updates';

const JSON_TYPE = 'application/json;charset=utf-8';
const PREFIX = '/sta/v1.1';

/**
 * SensorThings Create-Update-Delete at /sta/v1.1 (OGC 18-088 §10, FROST-Server's answers): POST creates (201, the
 * entity, `Location: <selfLink>`), PATCH changes what is sent and PUT replaces (200, the entity), DELETE removes (200,
 * no body); POST /CreateObservations takes dataArray batches (201, a list of selfLinks or "error"). Every write needs
 * an API token in the Authorization header (anonymous: 401) with edit rights in the Thing's organization (else 403).
 * JSON-Patch (`application/json-patch+json`, an optional class FROST offers) is not supported (415).
 * Errors answer `{ error: { code, message } }`.
 */
@Controller('sta/v1.1')
export class StaWriteController {
  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly authenticator: Authenticator,
    private readonly creator: StaCreator,
    private readonly writer: StaWriter,
    private readonly batches: StaCreateObservations,
    private readonly updates: EntityUpdates,
  ) {}

  @Post('CreateObservations')
  async createObservations(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.handle(req, reply, async (ctx) => {
      const text = Buffer.isBuffer(req.body) ? req.body.toString() : '';
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (err) {
        throw new StaWriteError(400, 'bad_request', `The body is not valid JSON: ${(err as Error).message}`);
      }
      const links = await this.batches.run(ctx, body, (id) => this.writer.selfLink({ type: 'Observation', id }));
      this.send(reply, 201, links);
    });
  }

  @Post('*')
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.handle(req, reply, async (ctx) => {
      const path = this.path(req);
      const created = await this.creator.create(ctx, path, parseBody(req.body));
      void reply.header('location', this.writer.selfLink(created));
      this.send(reply, 201, await this.writer.entity(ctx, created.type, created.id));
      // Every entity the request made, deep-inserted ones and FeaturesOfInterest made for Observations too.
      for (const m of created.made) await this.updates.afterWrite(m.type, m.id, null);
    });
  }

  @Patch('*')
  patch(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.update(req, reply, 'patch');
  }

  @Put('*')
  put(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.update(req, reply, 'put');
  }

  @Delete('*')
  async remove(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.handle(req, reply, async (ctx) => {
      await this.writer.remove(ctx, this.path(req));
      void reply.code(200).send();
    });
  }

  private async update(req: FastifyRequest, reply: FastifyReply, mode: 'patch' | 'put'): Promise<void> {
    await this.handle(req, reply, async (ctx) => {
      if (String(req.headers['content-type'] ?? '').includes('json-patch')) throw new StaWriteError(415, 'unsupported', 'JSON-Patch is not supported; send the changed properties as a JSON object (PATCH) or the whole entity (PUT)');
      const path = this.path(req);
      const body = parseBody(req.body);
      const changed = await this.writer.update(ctx, path, body, mode);
      if (String(changed.id) !== path.segments[0].id) void reply.header('location', this.writer.selfLink(changed));
      this.send(reply, 200, await this.writer.entity(ctx, changed.type, changed.id));
      // A PUT replaces every property; a PATCH those it sent.
      await this.updates.afterWrite(changed.type, changed.id, mode === 'put' ? Object.keys(MODEL[changed.type].properties) : Object.keys(body));
      for (const m of changed.made) await this.updates.afterWrite(m.type, m.id, null);
    });
  }

  private path(req: FastifyRequest): ResourcePath {
    const url = new URL(req.url, 'http://x');
    const raw = url.pathname.slice(url.pathname.indexOf(PREFIX) + PREFIX.length);
    if ([...url.searchParams.keys()].length) throw new StaWriteError(400, 'bad_request', 'Writes take no query options');
    try {
      return parsePath(decodeURIComponent(raw));
    } catch (err) {
      if (err instanceof URIError) throw new StaWriteError(400, 'bad_path', `The path is not valid percent-encoded UTF-8: ${raw}`);
      throw err;
    }
  }

  private send(reply: FastifyReply, status: number, body: unknown): void {
    void reply.code(status).header('content-type', JSON_TYPE).send(JSON.stringify(body));
  }

  /** Authenticates (anonymous: 401), runs, and maps every client error to its status; only the unexpected is a 500. */
  private async handle(req: FastifyRequest, reply: FastifyReply, run: (ctx: ActionContext) => Promise<void>): Promise<void> {
    const fail = (status: number, code: string, message: string): void => this.send(reply, status, { error: { code, message } });
    try {
      const user = await this.authenticator.fromHeaders(req.headers);
      if (!user) return fail(401, 'unauthorized', 'SensorThings writes need an API token in the Authorization header');
      await run(this.dispatcher.context(user, { log: req.log as unknown as Logger, request: { method: req.method, path: req.url }, scope: 'ingest', what: 'SensorThings writes' }));
    } catch (err) {
      if (err instanceof StaWriteError) return fail(err.status, err.code, err.message);
      if (err instanceof StaQueryError) return fail(err.status, err.code, err.message);
      const obs = observationError(err);
      if (obs) return fail(obs.status, obs.code, obs.message);
      if (err instanceof CkanError) {
        switch (err.kind) {
          case 'not_authorized': return fail(403, 'forbidden', err.message);
          case 'not_found': return fail(404, 'not_found', err.message);
          case 'validation': return fail(400, 'bad_request', validationMessage(err));
          default: return fail(400, 'bad_request', err.message);
        }
      }
      const code = (err as { code?: unknown }).code;
      if (err instanceof Error && typeof code === 'string' && code.startsWith('22')) return fail(400, 'bad_request', err.message);
      throw err;
    }
  }
}

/** A catalog ValidationError's field map in one line (`properties.organization: ...`). */
function validationMessage(err: CkanError): string {
  const fields = (err as unknown as { fields?: Record<string, unknown> }).fields ?? {};
  const parts = Object.entries(fields).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('; ') : JSON.stringify(v)}`);
  return parts.length ? parts.join(' | ') : err.message;
}
