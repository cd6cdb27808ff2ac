import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A dataset write refreshes its search document through catalog_search_refresh_write, on generic plans a connection
 * keeps. A connection that made them while the catalog was nearly empty (a new installation, a first harvest) kept
 * sequential scans of package and search_document, and nothing replans them until autovacuum next analyses the
 * tables: in the core benchmark nine in ten writes read every dataset twice (about 2,000 pages at 5,000 datasets, 4 ms
 * of PostgreSQL's time per write, and growing with the catalog). A write touches a few datasets by id; its lookups
 * are index lookups whatever the statistics say, so the write function plans without sequential scans.
 */
export class SearchRefreshIndexLookups1795660000000 implements MigrationInterface {
  name = 'SearchRefreshIndexLookups1795660000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION catalog_search_refresh_write(uuid[]) SET enable_seqscan = off`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION catalog_search_refresh_write(uuid[]) RESET enable_seqscan`);
  }
}
