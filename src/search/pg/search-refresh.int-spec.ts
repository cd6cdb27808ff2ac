import { Client } from 'pg';
import { createTestDatabase, dropTestDatabase } from '../../../test/test-db';

/**
 * A dataset write refreshes its search document on plans its connection keeps. They must stay index lookups when the
 * catalog grows under a connection that planned them while it was small (a new installation, a first harvest), and
 * not wait for autovacuum to notice.
 */
describe('the search refresh of a dataset write', () => {
  /** Sequential scans of package and search_document made by one write on a connection that planned while the catalog was empty. */
  async function scansOfAWriteAfterGrowth(indexLookupsOnly: boolean): Promise<number> {
    const { name, url } = await createTestDatabase();
    const writer = new Client({ connectionString: url });
    const loader = new Client({ connectionString: url });
    await writer.connect();
    await loader.connect();
    try {
      // No analysis in between: only the planner's own sight of the tables.
      await loader.query(`ALTER TABLE package SET (autovacuum_enabled = false); ALTER TABLE search_document SET (autovacuum_enabled = false)`);
      if (!indexLookupsOnly) await loader.query(`ALTER FUNCTION catalog_search_refresh_write(uuid[]) RESET enable_seqscan`);
      const add = async (c: Client, n: number, prefix: string): Promise<string[]> =>
        (await c.query<{ id: string }>(`INSERT INTO package (id, name, title) SELECT gen_random_uuid(), $2 || i, 'Pegelstände ' || i FROM generate_series(1, $1::int) i RETURNING id`, [n, prefix])).rows.map((r) => r.id);
      await writer.query('SELECT catalog_search_refresh_write($1::uuid[])', [await add(writer, 1, 'first-')]);
      const many = await add(loader, 3000, 'bulk-');
      await loader.query('SELECT catalog_search_refresh($1::uuid[])', [many]);
      const next = await add(writer, 1, 'next-');
      await writer.query('BEGIN');
      await writer.query('SELECT catalog_search_refresh_write($1::uuid[])', [next]);
      const { rows } = await writer.query<{ scans: number }>(
        `SELECT coalesce(sum(seq_scan), 0)::int AS scans FROM pg_stat_xact_user_tables WHERE relname IN ('package', 'search_document')`,
      );
      await writer.query('COMMIT');
      const indexed = await writer.query(`SELECT count(*)::int AS n FROM search_document WHERE id = $1`, [next[0]]);
      expect(indexed.rows[0].n).toBe(1);
      return rows[0].scans;
    } finally {
      await writer.end();
      await loader.end();
      await dropTestDatabase(name);
    }
  }

  it('reads the written dataset by index, not the whole catalog, after the catalog grew under its connection', async () => {
    expect(await scansOfAWriteAfterGrowth(true)).toBe(0);
  });

  it('would scan the whole catalog with the plans made while it was empty (the case the setting prevents)', async () => {
    expect(await scansOfAWriteAfterGrowth(false)).toBeGreaterThan(0);
  });
});
