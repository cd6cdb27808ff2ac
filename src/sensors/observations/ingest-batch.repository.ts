import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';

/** What `begin` found for an Idempotency-Key. */
export type BatchBegin =
  /** A new batch: ingest it, then `finish` it in the same transaction. */
  | { kind: 'new'; batchId: number }
  /** The same key with the same body was answered before: answer that again (same status, same body). */
  | { kind: 'replay'; batchId: number; status: number; response: unknown }
  /** The same key with another body: the caller answers 409. */
  | { kind: 'conflict'; batchId: number }
  /** The same key and body, stored without an answer (the first attempt ended without one): the caller may answer 409 or retry. */
  | { kind: 'pending'; batchId: number };

/** The hash stored with a batch's key: SHA-256 of the body's bytes, hex. */
export function bodyHash(body: string | Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

/**
 * Pushed batches by their Idempotency-Key (sensor_ingest_batch). `begin` and `finish` run in the transaction that
 * writes the batch's readings: the key, the readings and the answer commit together, or none of them, so a replay
 * after a failed attempt simply runs again. A concurrent second request with the same key waits on the first's
 * insert (the unique key) and then sees its answer.
 */
@Injectable()
export class IngestBatchRepository {
  /** Claims `key` for this body, or finds what was answered for it before. */
  async begin(db: EntityManager, sourceId: string, key: string, hash: string): Promise<BatchBegin> {
    const inserted: { id: number }[] = await db.query(
      `INSERT INTO sensor_ingest_batch (source_id, idempotency_key, body_hash) VALUES ($1, $2, $3)
       ON CONFLICT (source_id, idempotency_key) DO NOTHING RETURNING id`,
      [sourceId, key, hash],
    );
    if (inserted[0]) return { kind: 'new', batchId: Number(inserted[0].id) };
    const rows: { id: number; body_hash: string | null; status: number | null; response: unknown }[] = await db.query(
      `SELECT id, body_hash, status, response FROM sensor_ingest_batch WHERE source_id = $1 AND idempotency_key = $2`,
      [sourceId, key],
    );
    const first = rows[0];
    if (!first) throw new Error(`sensor_ingest_batch: key ${key} of source ${sourceId} neither inserted nor found`);
    const batchId = Number(first.id);
    if (first.body_hash !== hash) return { kind: 'conflict', batchId };
    if (first.status === null) return { kind: 'pending', batchId };
    return { kind: 'replay', batchId, status: first.status, response: first.response };
  }

  /** A batch without a key (a poll, an MQTT message group): only so its rows can name the batch they came in. */
  async open(db: EntityManager, sourceId: string | null): Promise<number> {
    const rows: { id: number }[] = await db.query(`INSERT INTO sensor_ingest_batch (source_id) VALUES ($1) RETURNING id`, [sourceId]);
    return Number(rows[0].id);
  }

  /** Stores the answer given for the batch (and its counts), which a replay returns. */
  async finish(db: EntityManager, batchId: number, status: number, response: unknown, counts: object = {}): Promise<void> {
    await db.query(`UPDATE sensor_ingest_batch SET status = $2, response = $3::jsonb, counts = $4::jsonb WHERE id = $1`, [
      batchId, status, JSON.stringify(response ?? null), JSON.stringify(counts),
    ]);
  }
}
