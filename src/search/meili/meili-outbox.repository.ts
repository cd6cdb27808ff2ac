import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { BBOX_ARRAY } from '../pg/search-document.repository';

/**
 * The outbox Meilisearch follows the catalog through (search_outbox): filed in every writing transaction,
 * taken in batches by the drain job, which commits the batch only after Meilisearch has taken it.
 */
@Injectable()
export class MeiliOutboxRepository {
  async file(db: EntityManager, ids: string[]): Promise<void> {
    await db.query(
      `INSERT INTO search_outbox (package_id) SELECT unnest($1::uuid[]) ON CONFLICT (package_id) DO UPDATE SET enqueued_at = clock_timestamp()`,
      [ids],
    );
  }

  /** Up to `limit` changed dataset ids, oldest first, removed from the outbox (skipping rows another drain holds). */
  async take(db: EntityManager, limit: number): Promise<string[]> {
    // As a SELECT: TypeORM answers a bare DELETE … RETURNING with [rows, count], not with the rows.
    const rows: { package_id: string }[] = await db.query(
      `WITH taken AS (
         DELETE FROM search_outbox WHERE package_id IN (
           SELECT package_id FROM search_outbox ORDER BY enqueued_at LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING package_id)
       SELECT package_id FROM taken`,
      [limit],
    );
    return rows.map((r) => r.package_id);
  }

  /** What Meilisearch indexes of these datasets, from their search documents. */
  async documentRows(db: EntityManager, ids: string[]): Promise<Record<string, unknown>[]> {
    return db.query(
      `SELECT id, name, title, notes, tags, vocab_tags, groups, organization, organization_title, owner_org::text, res_format, res_name, res_description,
              license_id, state, capacity, access_level, shared_with, type, creator_user_id::text, num_resources, num_tags, author, maintainer,
              to_char(metadata_modified AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS modified,
              to_char(metadata_created AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS created,
              (SELECT string_agg(value, ' ') FROM jsonb_each_text(extras)) AS extras_text, ${BBOX_ARRAY}
         FROM search_document WHERE id = ANY($1::uuid[])`,
      [ids],
    );
  }
}
