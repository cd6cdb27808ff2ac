import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline, Transform } from 'node:stream';
import type { ActionContext, DataDict } from '../../api/action-context';
import { Dispatcher } from '../../api/dispatcher';
import { ValidationError } from '../../api/errors';
import type { MultipartFilePart } from '../../api/request-data';
import type { FileFieldsDoc, UploadReceiver } from '../../api/uploads';
import type { Logger } from '../../common/logger';
import { LOGGER } from '../../common/logger.provider';
import { mungeFilename } from '../../common/munge';
import { APP_CONFIG, AppConfig } from '../../config/env';
import { FILE_STORAGE, FileStorage } from '../../storage/file-storage';
import { sniffMimetype, SNIFF_BYTES } from './mime-sniff';
import { UploadedFile } from './uploaded-file';

const WRITE_BUFFER = 2 * 1024 * 1024;

/** The actions that take a file, and the fields naming what the file goes into (any one of them). */
const TARGET_FIELD: Record<string, string[]> = {
  resource_create: ['package_id'], resource_update: ['id'], resource_patch: ['id'],
  package_revise: ['match__id', 'match__name', 'match'],
};
/** package_revise takes files as CKAN does: under a flattened update key ending in a resource's `upload`. */
const REVISE_FILE_FIELD = /^update__resources__[^_][^]*__upload$/;

/**
 * Receives the `upload` field of resource_create/update/patch as it streams in: first the
 * caller's right to write there is checked (nothing is stored otherwise), then the bytes go to a
 * temporary key while they are counted (against UPLOAD_MAX_BYTES), hashed (SHA-256) and their
 * first 64 KiB kept for sniffing the type. Memory stays flat whatever the size.
 */
@Injectable()
export class ResourceUploads implements UploadReceiver {
  constructor(
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    private readonly dispatcher: Dispatcher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  maxRequestBytes(action: string): number | undefined {
    return TARGET_FIELD[action] ? this.config.UPLOAD_MAX_BYTES + this.config.MAX_BODY_BYTES : undefined;
  }

  fileFields(action: string): FileFieldsDoc | undefined {
    const sendFirst = TARGET_FIELD[action];
    if (!sendFirst) return undefined;
    const maxBytes = this.maxRequestBytes(action)!;
    return action === 'package_revise' ? { pattern: REVISE_FILE_FIELD.source, sendFirst, maxBytes } : { field: 'upload', sendFirst, maxBytes };
  }

  async receive(ctx: ActionContext, action: string, fieldsSoFar: DataDict, part: MultipartFilePart): Promise<UploadedFile> {
    if (action === 'package_revise') {
      if (!REVISE_FILE_FIELD.test(part.field)) throw new ValidationError({ [part.field]: ['Files are taken only in fields "update__resources__<index or id>__upload"'] });
    } else if (part.field !== 'upload') throw new ValidationError({ [part.field]: ['Files are taken only in the field "upload"'] });
    const targets = TARGET_FIELD[action];
    // The file must say where it goes before it arrives, so the right to write there is known first (ckanapi sends it so).
    if (targets.every((f) => fieldsSoFar[f] === undefined)) throw new ValidationError({ [part.field]: [`Send ${targets.join(' or ')} before the file`] });
    await this.dispatcher.authorize(action, fieldsSoFar, ctx);
    return this.store(part.stream as Readable, part.filename);
  }

  /** Streams a file to a temporary key; on any failure nothing is left behind. */
  async store(stream: Readable, clientFilename: string): Promise<UploadedFile> {
    const uploadId = randomUUID();
    const tempKey = `tmp/${uploadId}`;
    const max = this.config.UPLOAD_MAX_BYTES;
    const hash = createHash('sha256');
    const head: Buffer[] = [];
    let headBytes = 0;
    let size = 0;
    // Pieces pass through as they come; while the disk is busy the file stream gathers them into one writev call.
    const meter = new Transform({
      writableHighWaterMark: WRITE_BUFFER,
      readableHighWaterMark: WRITE_BUFFER,
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > max) return done(new ValidationError({ upload: ['File upload too large'] }));
        hash.update(chunk);
        if (headBytes < SNIFF_BYTES) {
          const take = chunk.subarray(0, SNIFF_BYTES - headBytes);
          head.push(Buffer.from(take));
          headBytes += take.length;
        }
        done(null, chunk);
      },
    });
    const body = pipeline(stream, meter, () => undefined);
    await this.storage.write(tempKey, body);
    const filename = mungeFilename(clientFilename || 'upload');
    const mimetype = await sniffMimetype(Buffer.concat(head), filename);
    return new UploadedFile(uploadId, tempKey, filename, size, hash.digest('hex'), mimetype);
  }

  async release(received: unknown[]): Promise<void> {
    for (const f of received) {
      if (!(f instanceof UploadedFile) || f.claimed) continue;
      await this.storage.delete(f.tempKey).catch((err) => this.log.error({ err, key: f.tempKey }, 'could not remove an unused upload; the sweep will'));
    }
  }
}
