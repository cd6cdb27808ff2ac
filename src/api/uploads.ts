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
  /** Where `action` takes files, for the API description; undefined if it takes none. */
  fileFields(action: string): FileFieldsDoc | undefined;
  /** Stores one file part (after checking the caller may write where it goes); the value becomes the field's value. */
  receive(ctx: ActionContext, action: string, fieldsSoFar: DataDict, part: MultipartFilePart): Promise<unknown>;
  /** After the action ran or failed: removes received files that no committed write took. */
  release(received: unknown[]): Promise<void>;
}

/** The multipart fields an action takes files in. */
export interface FileFieldsDoc {
  /** The one field a file goes in (`upload`), or */
  field?: string;
  /** a pattern (ECMA-262) of the fields files go in. */
  pattern?: string;
  /** Fields of which one must come before the file in the form (what the file belongs to). */
  sendFirst: string[];
  /** The most bytes a request may carry, files included. */
  maxBytes: number;
}

export const UPLOAD_RECEIVER = Symbol('UPLOAD_RECEIVER');
