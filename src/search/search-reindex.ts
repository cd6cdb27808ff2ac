import { cpus } from 'node:os';
import { DataSource } from 'typeorm';
import { SearchDocumentRepository } from './pg/search-document.repository';

export interface ReindexProgress {
  (done: number, total: number): void;
}

export interface ReindexOptions {
  /** Datasets per transaction. */
  batch?: number;
  /** Transactions running side by side (PostgreSQL analyses text on as many cores). */
  workers?: number;
}

/**
 * Rebuilds search_document for every dataset, in batches of their own transactions run side by
 * side, in place (the search keeps answering meanwhile; writes made during the rebuild index
 * themselves), then tells every running process to reload what it holds.
 */
export async function reindexPostgres(ds: DataSource, progress: ReindexProgress, opts: ReindexOptions = {}): Promise<number> {
  const batch = opts.batch ?? 1000;
  const workers = Math.max(1, opts.workers ?? Math.min(4, cpus().length));
  const repo = new SearchDocumentRepository();
  const ids = await repo.datasetIds(ds.manager);
  let next = 0;
  let done = 0;
  let failed = false;
  progress(0, ids.length);
  const work = async (): Promise<void> => {
    while (!failed && next < ids.length) {
      const slice = ids.slice(next, (next += batch));
      try {
        await repo.refreshBatch(ds.manager, slice);
      } catch (err) {
        failed = true; // the other workers stop after their current batch
        throw err;
      }
      done += slice.length;
      progress(done, ids.length);
    }
  };
  await Promise.all(Array.from({ length: workers }, work));
  await repo.afterReindex(ds.manager);
  return done;
}
