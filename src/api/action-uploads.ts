import { Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '../config/env';
import type { ActionContext } from './action-context';
import { BadRequest, ValidationError } from './errors';
import { DataDict, formData, mixed, MultipartFilePart, readMultipart, requireDict } from './request-data';
import { UPLOAD_RECEIVER, UploadReceiver } from './uploads';

/** What a caller of `ActionUploads.read` may add to the API's rules (the steward's upload form: its CSRF token). */
export interface MultipartHooks {
  /**
   * Runs before a file part is stored, with the fields sent before it. Throw to refuse the request (nothing is stored);
   * answer false to pass over the part (a browser's empty file input).
   */
  beforeFile?: (fieldsSoFar: DataDict, part: MultipartFilePart) => boolean;
  /** Fields of the form, not of the action: the receiver never sees them (they stay in the returned dict). */
  formOnly?: string[];
  /** Fields the caller sets whatever the body says (the dataset a page is about); the receiver sees them from the start. */
  fixed?: DataDict;
}

/**
 * The one multipart path for actions that take files: the action API's and the steward's upload form's. The body is
 * read as a stream; each file goes to whoever stores uploads (the resources module, found lazily so the API does not
 * depend on it) while the request is read, after that receiver checked the caller may write where it goes. Whoever
 * reads must `release` what it received once the action ran or failed.
 */
@Injectable()
export class ActionUploads {
  private receiver?: UploadReceiver | null;

  constructor(private readonly moduleRef: ModuleRef, @Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Whoever stores uploaded files, if any module does. */
  receiverOf(): UploadReceiver | undefined {
    if (this.receiver === undefined) {
      try {
        this.receiver = this.moduleRef.get<UploadReceiver>(UPLOAD_RECEIVER, { strict: false });
      } catch {
        this.receiver = null;
      }
    }
    return this.receiver ?? undefined;
  }

  /** The most bytes a multipart request to `action` may carry; undefined if it takes no files. */
  maxRequestBytes(action: string): number | undefined {
    return this.receiverOf()?.maxRequestBytes(action);
  }

  /**
   * A multipart request's data dict for `action`: its fields (CKAN's form rules) and, under their fields, the files
   * received; each received file is also pushed on `received` as it arrives, so a failure half-way still releases it.
   * A declared size above the action's limit is refused before a byte of the body is read (`upload: File upload too large`).
   */
  async read(req: FastifyRequest, action: string, ctx: ActionContext, received: unknown[], hooks: MultipartHooks = {}): Promise<DataDict> {
    const uploads = this.receiverOf();
    const maxFiles = uploads?.maxRequestBytes(action);
    const declared = Number(req.headers['content-length']);
    if (maxFiles !== undefined && Number.isFinite(declared) && declared > maxFiles) {
      throw new ValidationError({ upload: ['File upload too large'] });
    }
    const formOnly = new Set(hooks.formOnly ?? []);
    const { fields, files } = await readMultipart(req.raw, {
      maxFieldBytes: this.config.MAX_BODY_BYTES,
      maxFields: 1000,
      onFile: async (part, fieldsSoFar) => {
        const sent = { ...mixed(fieldsSoFar.filter(([k]) => !formOnly.has(k))), ...hooks.fixed };
        if (hooks.beforeFile && !hooks.beforeFile(mixed(fieldsSoFar), part)) {
          part.stream.resume();
          return undefined;
        }
        if (!uploads || maxFiles === undefined) {
          part.stream.resume();
          throw new BadRequest(`Action ${action} does not take files (field "${part.field}")`);
        }
        const value = await uploads.receive(ctx, action, sent, part);
        received.push(value);
        return value;
      },
    });
    const taken = Object.fromEntries(Object.entries(files).filter(([, v]) => v !== undefined));
    return requireDict({ ...formData(fields), ...taken, ...hooks.fixed });
  }

  /** After the action ran or failed: removes received files that no committed write took. */
  async release(received: unknown[]): Promise<void> {
    if (received.length) await this.receiverOf()?.release(received);
  }
}
