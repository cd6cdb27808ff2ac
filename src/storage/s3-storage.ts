import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand, DeleteObjectCommand,
  GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, S3Client, UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import { assertKey, ByteRange, FileStorage } from './file-storage';

export interface S3StorageOptions {
  bucket: string;
  endpoint?: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
  /** Prepended to every key, so one bucket can serve several catalogs. */
  prefix: string;
}

/** Parts of a streamed upload: small enough that memory stays flat (queue × part), large enough for speed. */
const PART_SIZE = 8 * 1024 * 1024;
const QUEUE = 2;
/** S3 copies at most 5 GiB in one request; larger objects are copied in parts. */
const COPY_LIMIT = 5 * 1024 ** 3;
const COPY_PART = 512 * 1024 * 1024;

const notFound = (err: unknown): boolean => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
};

/**
 * Files in an S3-compatible object store. Uploads stream as multipart uploads (aborted on
 * failure, so no parts are left behind); moves are server-side copies followed by a delete.
 */
export class S3FileStorage implements FileStorage {
  private readonly client: S3Client;

  constructor(private readonly opts: S3StorageOptions) {
    this.client = new S3Client({
      endpoint: opts.endpoint,
      region: opts.region,
      forcePathStyle: opts.forcePathStyle,
      credentials: opts.accessKeyId && opts.secretAccessKey ? { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey } : undefined,
    });
  }

  get description(): string {
    return `s3 ${this.opts.endpoint ?? 'aws'}/${this.opts.bucket}${this.opts.prefix ? `/${this.opts.prefix}` : ''}`;
  }

  private key(key: string): string {
    assertKey(key);
    return this.opts.prefix ? `${this.opts.prefix.replace(/\/+$/, '')}/${key}` : key;
  }

  async check(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.opts.bucket }));
    } catch (err) {
      throw new Error(`S3 bucket ${this.opts.bucket} at ${this.opts.endpoint ?? 'AWS'} is not usable: ${(err as Error).name ?? ''} ${(err as Error).message ?? ''}`.trim(), { cause: err });
    }
  }

  async write(key: string, body: Readable): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.opts.bucket, Key: this.key(key), Body: body },
      partSize: PART_SIZE,
      queueSize: QUEUE,
      leavePartsOnError: false,
    });
    // A failing source must fail the upload (lib-storage only sees the end of the stream).
    const failed = new Promise<never>((_, reject) => body.once('error', reject));
    failed.catch(() => undefined); // settled either way below; never unhandled
    try {
      await Promise.race([upload.done(), failed]);
    } catch (err) {
      await upload.abort().catch(() => undefined);
      await this.delete(key).catch(() => undefined);
      throw err;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable | null> {
    try {
      const res = await this.client.send(new GetObjectCommand({
        Bucket: this.opts.bucket,
        Key: this.key(key),
        Range: range ? `bytes=${range.start}-${range.end}` : undefined,
      }));
      return res.Body as Readable;
    } catch (err) {
      if (notFound(err)) return null;
      throw err;
    }
  }

  async size(key: string): Promise<number | null> {
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.opts.bucket, Key: this.key(key) }));
      return res.ContentLength ?? 0;
    } catch (err) {
      if (notFound(err)) return null;
      throw err;
    }
  }

  async move(from: string, to: string): Promise<void> {
    const size = await this.size(from);
    if (size === null) throw new Error(`nothing to move at ${from}`);
    const source = `${this.opts.bucket}/${this.key(from).split('/').map(encodeURIComponent).join('/')}`;
    if (size <= COPY_LIMIT) {
      await this.client.send(new CopyObjectCommand({ Bucket: this.opts.bucket, Key: this.key(to), CopySource: source }));
    } else {
      await this.copyInParts(source, this.key(to), size);
    }
    await this.delete(from);
  }

  private async copyInParts(source: string, target: string, size: number): Promise<void> {
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.opts.bucket, Key: target }));
    try {
      const parts: { ETag?: string; PartNumber: number }[] = [];
      for (let start = 0, n = 1; start < size; start += COPY_PART, n++) {
        const end = Math.min(size, start + COPY_PART) - 1;
        const res = await this.client.send(new UploadPartCopyCommand({
          Bucket: this.opts.bucket, Key: target, UploadId, PartNumber: n, CopySource: source, CopySourceRange: `bytes=${start}-${end}`,
        }));
        parts.push({ ETag: res.CopyPartResult?.ETag, PartNumber: n });
      }
      await this.client.send(new CompleteMultipartUploadCommand({ Bucket: this.opts.bucket, Key: target, UploadId, MultipartUpload: { Parts: parts } }));
    } catch (err) {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.opts.bucket, Key: target, UploadId })).catch(() => undefined);
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.opts.bucket, Key: this.key(key) }));
    } catch (err) {
      if (!notFound(err)) throw err;
    }
  }

  async *listOlderThan(prefix: string, before: Date): AsyncIterable<string> {
    const full = this.opts.prefix ? `${this.opts.prefix.replace(/\/+$/, '')}/${prefix}` : prefix;
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.opts.bucket, Prefix: full, ContinuationToken: token }));
      for (const o of page.Contents ?? []) {
        if (!o.Key || !o.LastModified || o.LastModified >= before) continue;
        const key = this.opts.prefix ? o.Key.slice(this.opts.prefix.replace(/\/+$/, '').length + 1) : o.Key;
        try {
          assertKey(key);
        } catch {
          continue;
        }
        yield key;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  destroy(): void {
    this.client.destroy();
  }
}
