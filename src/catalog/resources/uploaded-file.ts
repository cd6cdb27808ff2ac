/**
 * A file received with a resource_create/update/patch request: already stored under a temporary
 * key, measured and hashed while it streamed. The action that takes it publishes it; if none
 * does (the action failed, the request was refused), it is removed.
 */
export class UploadedFile {
  /** Set once a committed write owns the file (its publish task exists). */
  claimed = false;

  constructor(
    readonly uploadId: string,
    readonly tempKey: string,
    /** The client's file name, cleaned as CKAN cleans it. */
    readonly filename: string,
    readonly size: number,
    /** Hex SHA-256 of the content. */
    readonly sha256: string,
    /** Sniffed from the content. */
    readonly mimetype: string,
  ) {}

  /** Where the file lives once its resource is committed. */
  finalKey(resourceId: string): string {
    return `resources/${resourceId}/${this.uploadId}`;
  }

  /** Only the description travels into JSON (logs, errors), never a stream or a path. */
  toJSON(): Record<string, unknown> {
    return { filename: this.filename, size: this.size, mimetype: this.mimetype };
  }
}
