import type { ActionContext, DataDict } from './action-context';
import type { MultipartFilePart } from './request-data';

/**
 * How the action API hands multipart file parts to whoever stores them (the resources module),
 * without depending on it: files stream to storage while the request is read, before the action
 * runs; afterwards, whatever no committed write took is removed.
 */
export interface UploadReceiver {
  /** The most bytes a multipart request to `action` may carry, files included; undefined if the action takes no files. */
  maxRequestBytes(action: string): number | undefined;
  /** Stores one file part (after checking the caller may write where it goes); the value becomes the field's value. */
  receive(ctx: ActionContext, action: string, fieldsSoFar: DataDict, part: MultipartFilePart): Promise<unknown>;
  /** After the action ran or failed: removes received files that no committed write took. */
  release(received: unknown[]): Promise<void>;
}

export const UPLOAD_RECEIVER = Symbol('UPLOAD_RECEIVER');
