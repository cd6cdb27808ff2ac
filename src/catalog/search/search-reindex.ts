import { DataSource } from 'typeorm';
import { CHANGE_CHANNEL } from '../datasets/dataset-changes';

export interface ReindexProgress {
  (done: number, total: number): void;
}

/**
 * Rebuilds search_document for every dataset, in batches of its own transactions, in place (the
 * search keeps answering meanwhile), then tells every running process to reload what it holds.
 */
export async function reindexPostgres(ds: DataSource, progress: ReindexProgress, batch = 1000): Promise<number> {
  const [{ n }]: { n: number }[] = await ds.query(`SELECT count(*)::int AS n FROM package`);
  let done = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  progress(0, n);
  for (;;) {
    const rows: { id: string }[] = await ds.query(`SELECT id FROM package WHERE id > $1 ORDER BY id LIMIT $2`, [after, batch]);
    if (!rows.length) break;
    after = rows[rows.length - 1].id;
    await ds.query(`SELECT catalog_search_refresh($1::uuid[])`, [rows.map((r) => r.id)]);
    done += rows.length;
    progress(done, n);
  }
  await ds.query(`ANALYZE search_document`);
  await ds.query(`SELECT pg_notify($1, $2)`, [CHANGE_CHANNEL, 'reindex|*']);
  return done;
}
