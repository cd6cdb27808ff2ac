import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** A stored-file task: move an upload into place once its resource committed, or delete a released file. */
export interface UploadTask {
  id: string;
  kind: 'publish' | 'delete';
  key: string;
  temp_key: string | null;
}

/**
 * upload_task: what the file store still owes the catalog. Publish tasks are filed in the writing transaction;
 * delete tasks come from a trigger when a resource releases its file. Both are run right after the commit and,
 * for whatever a crash left, by the sweep job.
 */
@Injectable()
export class UploadTaskRepository {
  async filePublish(db: EntityManager, key: string, tempKey: string): Promise<void> {
    await db.query(`INSERT INTO upload_task (kind, key, temp_key) VALUES ('publish', $1, $2)`, [key, tempKey]);
  }

  /** The temporary key an upload still waits under, while its publish task has not run. */
  async pendingTemp(db: EntityManager, key: string): Promise<string | null> {
    const rows: { temp_key: string }[] = await db.query(`SELECT temp_key FROM upload_task WHERE kind = 'publish' AND key = $1 ORDER BY id DESC LIMIT 1`, [key]);
    return rows[0]?.temp_key ?? null;
  }

  async anyDue(db: EntityManager): Promise<boolean> {
    const [{ due }]: { due: boolean }[] = await db.query(`SELECT EXISTS (SELECT 1 FROM upload_task WHERE not_before <= clock_timestamp()) AS due`);
    return due;
  }

  /** Up to `limit` due tasks, locked for this transaction (other processes skip them meanwhile). */
  async takeDue(db: EntityManager, limit: number): Promise<UploadTask[]> {
    return db.query(`SELECT id, kind, key, temp_key FROM upload_task WHERE not_before <= clock_timestamp() ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`, [limit]);
  }

  async done(db: EntityManager, id: string): Promise<void> {
    await db.query(`DELETE FROM upload_task WHERE id = $1`, [id]);
  }

  /** A failed task waits longer each time: 5 s doubling, at most an hour. */
  async postpone(db: EntityManager, id: string): Promise<void> {
    await db.query(
      `UPDATE upload_task SET attempts = attempts + 1,
              not_before = clock_timestamp() + least(interval '1 hour', interval '5 seconds' * power(2, attempts))
        WHERE id = $1`,
      [id],
    );
  }

  async usesTemp(db: EntityManager, tempKey: string): Promise<boolean> {
    const [{ used }]: { used: boolean }[] = await db.query(`SELECT EXISTS (SELECT 1 FROM upload_task WHERE temp_key = $1) AS used`, [tempKey]);
    return used;
  }
}
