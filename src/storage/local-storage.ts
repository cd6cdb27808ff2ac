import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertKey, ByteRange, FileStorage } from './file-storage';

const CHUNK = 1024 * 1024;

const isMissing = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * Files on the local filesystem under one folder. Writes are fsync'ed before they count, moves
 * are renames (atomic within the folder), and every path is checked to stay inside the folder.
 */
export class LocalFileStorage implements FileStorage {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  get description(): string {
    return `local ${this.root}`;
  }

  private path(key: string): string {
    assertKey(key);
    const p = resolve(this.root, key);
    if (!p.startsWith(this.root + sep)) throw new Error(`storage key escapes the folder: ${key}`);
    return p;
  }

  async check(): Promise<void> {
    await mkdir(join(this.root, 'tmp'), { recursive: true });
    await mkdir(join(this.root, 'resources'), { recursive: true });
  }

  async write(key: string, body: Readable): Promise<void> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    try {
      // `wx`: never overwrite; `flush`: fsync before close, so a file that was written is on disk.
      await pipeline(body, createWriteStream(path, { flags: 'wx', flush: true, highWaterMark: 4 * CHUNK }));
    } catch (err) {
      await unlink(path).catch(() => undefined);
      throw err;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable | null> {
    const path = this.path(key);
    const stream = createReadStream(path, { start: range?.start, end: range?.end, highWaterMark: CHUNK });
    // Opening is asynchronous: wait for it, so a missing file is a null, not a stream that fails later.
    return new Promise((resolve, reject) => {
      stream.once('ready', () => resolve(stream));
      stream.once('error', (err) => (isMissing(err) ? resolve(null) : reject(err)));
    });
  }

  async size(key: string): Promise<number | null> {
    try {
      return (await stat(this.path(key))).size;
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async move(from: string, to: string): Promise<void> {
    const target = this.path(to);
    await mkdir(dirname(target), { recursive: true });
    await rename(this.path(from), target);
    // The rename is durable once its directory is.
    const dir = await open(dirname(target), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.path(key);
    try {
      await unlink(path);
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
    // A resource's folder goes with its last file.
    if (key.startsWith('resources/')) await rmdir(dirname(path)).catch(() => undefined);
  }

  async *listOlderThan(prefix: string, before: Date): AsyncIterable<string> {
    yield* this.walk(prefix.replace(/\/+$/, ''), before);
  }

  private async *walk(dirKey: string, before: Date): AsyncIterable<string> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(join(this.root, dirKey), { withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    for (const e of entries) {
      const key = `${dirKey}/${e.name}`;
      if (e.isDirectory()) {
        yield* this.walk(key, before);
        continue;
      }
      try {
        assertKey(key);
      } catch {
        continue;
      }
      const s = await stat(join(this.root, key)).catch(() => null);
      if (s && s.mtime < before) yield key;
    }
  }
}
