import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import parseRange from 'range-parser';
import { Readable } from 'node:stream';
import { Dispatcher } from '../../api/dispatcher';
import { hasScope } from '../../api/token-scope';
import { Authenticator } from '../../auth/authenticator';
import { ANONYMOUS, mayRead, Visibility } from '../../auth/visibility';
import type { Logger } from '../../common/logger';
import { APP_CONFIG, AppConfig } from '../../config/env';
import { FILE_STORAGE, FileStorage } from '../../storage/file-storage';
import { visibilityOf, authPackageShow } from '../datasets/dataset.auth';
import { toResourceDict } from '../datasets/dataset.dict';
import { DatasetRepository } from '../datasets/dataset.repository';
import { downloadMediaType, isActiveMediaType } from './media-type';
import { ResourceFiles } from './resource-files.service';
import { ResourceRepository } from './resource.repository';

const JSON_TYPE = 'application/json;charset=utf-8';

/**
 * CKAN's resource download route, `/dataset/{id}/resource/{rid}/download[/{filename}]`: an upload
 * is streamed with Content-Length, ETag, Last-Modified and byte ranges; a link resource redirects
 * to its URL. Whoever may not read the dataset gets 403, an unknown resource 404, as package_show.
 */
@Controller('dataset')
export class ResourceDownloadController {
  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly authenticator: Authenticator,
    private readonly visibility: Visibility,
    private readonly datasets: DatasetRepository,
    private readonly resources: ResourceRepository,
    private readonly files: ResourceFiles,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get([':id/resource/:rid/download', ':id/resource/:rid/download/:filename'])
  async download(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const { id, rid } = req.params as { id: string; rid: string };
    const fail = (code: number, message: string): void =>
      void reply.code(code).header('content-type', JSON_TYPE).send(JSON.stringify({ error: { code, message } }));

    const user = await this.authenticator.fromHeaders(req.headers);
    if (!hasScope(user, 'read')) return fail(403, 'The API token lacks the scope "read", which downloads need');
    const ctx = this.dispatcher.context(user, { log: req.log as unknown as Logger, scope: 'read' });
    const resource = await this.resources.find(ctx.db, rid);
    const dataset = resource && (await this.datasets.findRow(ctx.db, resource.package_id));
    if (!resource || !dataset || (dataset.id !== id && dataset.name !== id)) return fail(404, 'Resource not found');
    if (!(await authPackageShow(ctx, this.visibility, dataset.id, visibilityOf(dataset))).allowed) {
      return fail(403, 'Unauthorized to read resource');
    }

    if (!resource.upload_key) {
      const url = toResourceDict(resource, this.config.SITE_URL).url;
      if (!url) return fail(404, 'No download is available');
      return void reply.redirect(url, 302);
    }

    // The file, or (between its commit and its move into place) the temporary upload it still is.
    let key = resource.upload_key;
    let size = await this.storage.size(key);
    if (size === null) {
      const temp = await this.files.pendingTemp(key);
      size = temp ? await this.storage.size(temp) : null;
      if (temp && size !== null) key = temp;
    }
    if (size === null) {
      (req.log as unknown as Logger).error({ resource: resource.id, key: resource.upload_key }, 'the file of an upload resource is missing');
      return fail(404, 'File not found');
    }

    const etag = `"${resource.upload_key.split('/').pop()}"`;
    const modified = resource.last_modified ? new Date(resource.last_modified) : null;
    // The stored mimetype is what an editor typed: only a value that parses as one media type is sent, and
    // whether the file opens inline follows from its parsed type. Anything else goes out as opaque bytes.
    const media = downloadMediaType(resource.mimetype);
    const attachment = media ? isActiveMediaType(media.essence) : !!resource.mimetype;
    void reply
      .header('content-type', media?.header ?? 'application/octet-stream')
      .header('etag', etag)
      .header('accept-ranges', 'bytes')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      // Only a file anyone may read may be kept by shared caches (not one of a draft or deleted dataset either).
      .header('cache-control', mayRead(ANONYMOUS, visibilityOf(dataset)) ? 'public, no-cache' : 'private, no-cache');
    if (modified) void reply.header('last-modified', modified.toUTCString());
    if (attachment) void reply.header('content-disposition', `attachment; filename="${resource.url.replace(/[^\w.-]/g, '_')}"`);

    if (notModified(req, etag, modified)) return void reply.code(304).send();

    let range: { start: number; end: number } | undefined;
    const asked = req.headers.range;
    if (asked && size > 0 && ifRangeHolds(req, etag, modified)) {
      const ranges = parseRange(size, asked, { combine: true });
      if (ranges === -1) {
        return void reply.code(416).header('content-range', `bytes */${size}`).header('content-length', '0').send();
      }
      // Several ranges at once are answered with the whole file (allowed by RFC 9110); a malformed header is ignored.
      if (ranges !== -2 && ranges.type === 'bytes' && ranges.length === 1) range = ranges[0];
    }
    const length = range ? range.end - range.start + 1 : size;
    void reply.header('content-length', String(length));
    if (range) void reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`);
    // HEAD: an empty stream, so Fastify keeps the Content-Length of the file (it would say 0 for no payload).
    if (req.method === 'HEAD' || length === 0) return void reply.send(Readable.from([]));
    const body: Readable | null = await this.storage.read(key, range);
    if (!body) return fail(404, 'File not found');
    return void reply.send(body);
  }
}

/** If-None-Match (an ETag) or else If-Modified-Since (second precision) says the client's copy is current. */
function notModified(req: FastifyRequest, etag: string, modified: Date | null): boolean {
  const inm = req.headers['if-none-match'];
  if (inm) return inm.split(',').some((t) => t.trim() === '*' || t.trim().replace(/^W\//, '') === etag);
  const ims = req.headers['if-modified-since'];
  if (ims && modified) {
    const since = Date.parse(ims);
    return Number.isFinite(since) && Math.floor(modified.getTime() / 1000) <= Math.floor(since / 1000);
  }
  return false;
}

/** If-Range: the range applies only to the version the client names (by ETag or date). */
function ifRangeHolds(req: FastifyRequest, etag: string, modified: Date | null): boolean {
  const raw = req.headers['if-range'];
  const ir = Array.isArray(raw) ? raw[0] : raw;
  if (!ir) return true;
  if (ir.startsWith('"') || ir.startsWith('W/')) return ir === etag;
  const at = Date.parse(ir);
  return !!modified && Number.isFinite(at) && Math.floor(modified.getTime() / 1000) === Math.floor(at / 1000);
}
