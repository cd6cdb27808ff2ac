import { Transform, TransformCallback } from 'node:stream';

/** One row as the file holds it: its cells as text, and the source line it starts on (1-based). */
export interface RawRow {
  line: number;
  cells: string[];
}

/**
 * Rows travel in batches: one await per thousand rows instead of one per row, which is most of the cost of
 * reading a large file row by row through async iterators.
 */
export const BATCH_ROWS = 1000;

/** Object stream of rows in, arrays of up to BATCH_ROWS rows out. */
export class BatchStream<T> extends Transform {
  private batch: T[] = [];

  constructor() {
    super({ objectMode: true });
  }

  override _transform(item: T, _enc: BufferEncoding, done: TransformCallback): void {
    this.batch.push(item);
    if (this.batch.length >= BATCH_ROWS) this.push(this.batch.splice(0));
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.batch.length > 0) this.push(this.batch.splice(0));
    done();
  }
}

/** The same batching for a source that yields one item per await (exceljs's row iterator). */
export async function* batched<T>(items: AsyncIterable<T>): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= BATCH_ROWS) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
