import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';

/** A file to read: a path on disk, or a stream of its bytes (a download, an object in storage). */
export type TableSource = string | Readable;

/** The first bytes of a source, for sniffing, and a stream that still yields every byte from the start. */
export interface PeekedSource {
  head: Buffer;
  stream: Readable;
}

/** Enough to see a BOM, a file signature, a title block and the shape of a few dozen rows. */
export const SAMPLE_BYTES = 64 * 1024;

/**
 * Read the first `bytes` bytes of a source without losing them: the returned stream replays the head and then
 * continues with the rest, still pulled on demand (so a large file is never held whole).
 */
export async function peekSource(source: TableSource, bytes = SAMPLE_BYTES): Promise<PeekedSource> {
  const input = typeof source === 'string' ? createReadStream(source) : source;
  const chunks = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const headChunks: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < bytes) {
    const next = await chunks.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    headChunks.push(chunk);
    size += chunk.length;
  }
  const head = Buffer.concat(headChunks);
  return { head: head.subarray(0, bytes), stream: Readable.from(replay(head, done ? null : chunks), { objectMode: false }) };
}

async function* replay(head: Buffer, rest: AsyncIterator<Buffer | string> | null): AsyncGenerator<Buffer> {
  if (head.length > 0) yield head;
  if (!rest) return;
  try {
    for (let next = await rest.next(); !next.done; next = await rest.next()) {
      yield typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    }
  } finally {
    // A reader that stops early (first sheet read, an error) closes the file or download behind it.
    await rest.return?.();
  }
}
