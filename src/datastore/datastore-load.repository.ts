import { Injectable } from '@nestjs/common';
import { escapeIdentifier } from 'pg';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { EntityManager } from 'typeorm';
import type { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { isUuid } from '../api/ckan-schema';
import { fullTextTrigger } from './datastore-table.repository';
import { preparedQuery } from '../database/prepared';

export type LoadStatus = 'pending' | 'running' | 'complete' | 'error';

/** One log line of a load, in xloader's shape (`lineno` is the line of the source file the remark is about). */
export interface LoadLogLine {
  timestamp: string;
  level: 'INFO' | 'WARNING' | 'ERROR';
  message: string;
  lineno: number | null;
  module: 'loader';
  funcName: string;
}

/** A resource's row in `datastore_load`. */
export interface LoadRow {
  resource_id: string;
  package_id: string;
  job_id: string;
  status: LoadStatus;
  source: string;
  ignore_hash: boolean;
  file_hash: string | null;
  error: { message: string; line?: number } | null;
  logs: LoadLogLine[];
  created_at: string;
  last_updated: string;
  finished_at: string | null;
}

const q = escapeIdentifier;
/** The table a load fills before it is swapped in: beside the resource's own, named after it. */
export const stagingName = (resourceId: string): string => `${resourceId}_load`;

/**
 * The loader's statements: its status rows (`datastore_load`) and the new table a load builds and COPYs into before
 * it replaces the resource's table. Identifiers are always quoted; a table name is a resource id (a UUID) plus a suffix.
 */
@Injectable()
export class DatastoreLoadRepository {
  async find(db: EntityManager, resourceId: string): Promise<LoadRow | null> {
    if (!isUuid(resourceId)) return null;
    const rows: LoadRow[] = await db.query(`SELECT * FROM datastore_load WHERE resource_id = $1`, [resourceId]);
    return rows[0] ?? null;
  }

  /** What each resource of these datasets was last loaded (or queued) from. */
  async sources(db: EntityManager, packageIds: string[]): Promise<Map<string, { package_id: string; source: string }>> {
    const rows = await preparedQuery<{ resource_id: string; package_id: string; source: string }>(db, 'datastore-load-sources',
      `SELECT resource_id, package_id, source FROM datastore_load WHERE package_id = ANY($1::uuid[])`,
      [packageIds],
    );
    return new Map(rows.map((r) => [r.resource_id, { package_id: r.package_id, source: r.source }]));
  }

  /** A new load is the resource's latest: pending, no error, no log yet. */
  async pending(db: EntityManager, r: { resource_id: string; package_id: string; job_id: string; source: string; ignore_hash: boolean }): Promise<void> {
    await db.query(
      `INSERT INTO datastore_load (resource_id, package_id, job_id, status, source, ignore_hash)
       VALUES ($1, $2, $3, 'pending', $4, $5)
       ON CONFLICT (resource_id) DO UPDATE SET package_id = EXCLUDED.package_id, job_id = EXCLUDED.job_id, status = 'pending',
         source = EXCLUDED.source, ignore_hash = EXCLUDED.ignore_hash, error = NULL, logs = '[]',
         created_at = clock_timestamp(), last_updated = clock_timestamp(), finished_at = NULL`,
      [r.resource_id, r.package_id, r.job_id, r.source, r.ignore_hash],
    );
  }

  /** Updates the row while `jobId` is still the resource's latest load; false when a newer one replaced it. */
  async update(
    db: EntityManager,
    resourceId: string,
    jobId: string,
    change: { status: LoadStatus; logs: LoadLogLine[]; error?: LoadRow['error']; fileHash?: string | null },
  ): Promise<boolean> {
    const done = change.status === 'complete' || change.status === 'error';
    const rows: unknown[] = await db.query(
      `UPDATE datastore_load SET status = $3, logs = $4::jsonb, error = $5::jsonb, file_hash = COALESCE($6, file_hash),
              last_updated = clock_timestamp(), finished_at = CASE WHEN $7 THEN clock_timestamp() END
        WHERE resource_id = $1 AND job_id = $2 RETURNING 1`,
      [resourceId, jobId, change.status, JSON.stringify(change.logs), change.error ? JSON.stringify(change.error) : null, change.fileHash ?? null, done],
    );
    return rows.length > 0;
  }

  /** Status rows of resources that are no longer in their dataset (deleted, purged) go with them. */
  async forget(db: EntityManager, resourceIds: string[]): Promise<void> {
    await db.query(`DELETE FROM datastore_load WHERE resource_id = ANY($1::uuid[])`, [resourceIds]);
  }

  /** No statement timeout for the rest of this transaction: a large COPY takes as long as it takes (the job has its own limit). */
  async noTimeout(db: EntityManager): Promise<void> {
    await db.query(`SELECT set_config('statement_timeout', '0', true)`);
  }

  /** The new table: CKAN's `_id` and `_full_text` (kept by the same trigger as every DataStore table), then the columns. */
  async createStaging(db: EntityManager, resourceId: string, ftsLanguage: string, columns: { id: string; sql: string }[]): Promise<void> {
    const name = `datastore.${q(stagingName(resourceId))}`;
    await db.query(`DROP TABLE IF EXISTS ${name}`);
    const cols = [`"_id" serial PRIMARY KEY`, `"_full_text" tsvector`, ...columns.map((c) => `${q(c.id)} ${c.sql}`)];
    await db.query(`CREATE TABLE ${name} (${cols.join(', ')})`);
    await db.query(fullTextTrigger(name, ftsLanguage));
  }

  /** COPY … FROM STDIN of COPY text lines into the new table, on the transaction's own connection. */
  async copyIn(db: EntityManager, resourceId: string, columns: string[], lines: Readable): Promise<void> {
    const client = (await (db.queryRunner as PostgresQueryRunner).connect()) as import('pg').PoolClient;
    const target = `datastore.${q(stagingName(resourceId))} (${columns.map(q).join(', ')})`;
    await pipeline(lines, client.query(copyFrom(`COPY ${target} FROM STDIN`)));
  }

  /** The new table takes the resource's name (the old one was dropped just before), and its primary key index a matching name. */
  async promote(db: EntityManager, resourceId: string, packageId: string, ftsLanguage: string): Promise<void> {
    await db.query(`ALTER TABLE datastore.${q(stagingName(resourceId))} RENAME TO ${q(resourceId)}`);
    await db.query(`INSERT INTO datastore_table (resource_id, package_id, fts_language) VALUES ($1, $2, $3)`, [resourceId, packageId, ftsLanguage]);
  }
}
