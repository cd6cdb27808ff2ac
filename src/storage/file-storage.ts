import type { Readable } from 'node:stream';

/** Bytes `start` to `end` of an object, both included (HTTP Range semantics). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where uploaded files live: the local filesystem or an S3-compatible store, behind one interface.
 * Keys are made by the service only (`tmp/<upload id>`, `resources/<resource id>/<upload id>`),
 * never from a client's file name, so no key can point outside the store.
 */
export interface FileStorage {
  /** For logs and the bench: "local /srv/uploads", "s3 http://minio:9000/bucket". */
  readonly description: string;
  /** Checks the store is usable (folder writable, bucket reachable); throws with a clear message if not. */
  check(): Promise<void>;
  /** Stores a stream under a new key, durably. If the stream fails, nothing is left under the key and the promise rejects. */
  write(key: string, body: Readable): Promise<void>;
  /** The object's bytes, or a range of them; null when there is no such object. */
  read(key: string, range?: ByteRange): Promise<Readable | null>;
  /** The object's size in bytes; null when there is no such object. */
  size(key: string): Promise<number | null>;
  /** Moves an object to another key, replacing what is there. */
  move(from: string, to: string): Promise<void>;
  /** Removes an object; removing one that is not there is no error. */
  delete(key: string): Promise<void>;
  /** Keys under a prefix (`tmp/`) last written before a moment, for sweeping abandoned uploads. */
  listOlderThan(prefix: string, before: Date): AsyncIterable<string>;
}

export const FILE_STORAGE = Symbol('FILE_STORAGE');

const KEY = /^(tmp\/[0-9a-f-]{36}|resources\/[0-9a-f-]{36}\/[0-9a-f-]{36})$/;

/** Refuses anything but the keys the service makes. */
export function assertKey(key: string): void {
  if (!KEY.test(key)) throw new Error(`not a storage key: ${JSON.stringify(key)}`);
}
