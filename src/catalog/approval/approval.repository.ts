import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** The workflow events a dataset_approval row records (see DatasetApprovalEntity). */
export type ApprovalEvent =
  | { status: 'pending'; by: string | null }
  | { status: 'published'; by: string | null }
  | { status: 'sent_back'; by: string | null; note: string }
  | { status: 'draft' };

/** Every query on dataset_approval, and the lists of datasets awaiting approval. */
@Injectable()
export class ApprovalRepository {
  /** Whether the dataset has a workflow record. */
  async exists(db: EntityManager, packageId: string): Promise<boolean> {
    return (await db.query(`SELECT 1 FROM dataset_approval WHERE package_id = $1`, [packageId])).length > 0;
  }

  /**
   * Records an event. Submitting keeps the last note (the approver sees why it came back before); publishing clears it;
   * a send-back sets it; taking a dataset back to draft keeps the rest.
   */
  async record(db: EntityManager, packageId: string, e: ApprovalEvent): Promise<void> {
    switch (e.status) {
      case 'pending':
        await db.query(
          `INSERT INTO dataset_approval (package_id, status, submitted_by, submitted_at) VALUES ($1, 'pending', $2, clock_timestamp())
           ON CONFLICT (package_id) DO UPDATE SET status = 'pending', submitted_by = $2, submitted_at = clock_timestamp()`,
          [packageId, e.by],
        );
        return;
      case 'published':
        await db.query(
          `INSERT INTO dataset_approval (package_id, status, decided_by, decided_at) VALUES ($1, 'published', $2, clock_timestamp())
           ON CONFLICT (package_id) DO UPDATE SET status = 'published', note = NULL, decided_by = $2, decided_at = clock_timestamp()`,
          [packageId, e.by],
        );
        return;
      case 'sent_back':
        await db.query(
          `INSERT INTO dataset_approval (package_id, status, note, decided_by, decided_at) VALUES ($1, 'sent_back', $3, $2, clock_timestamp())
           ON CONFLICT (package_id) DO UPDATE SET status = 'sent_back', note = $3, decided_by = $2, decided_at = clock_timestamp()`,
          [packageId, e.by, e.note],
        );
        return;
      case 'draft':
        await db.query(
          `INSERT INTO dataset_approval (package_id, status) VALUES ($1, 'draft') ON CONFLICT (package_id) DO UPDATE SET status = 'draft'`,
          [packageId],
        );
        return;
    }
  }

  /**
   * Datasets pending approval in `orgIds` (null: every organization), the longest waiting first, and how many there are.
   */
  async pending(db: EntityManager, orgIds: readonly string[] | null, limit: number, offset: number): Promise<{ count: number; ids: string[] }> {
    const params: unknown[] = [orgIds ? [...orgIds] : null];
    const where = `p.state = 'pending' AND p.owner_org IS NOT NULL AND ($1::uuid[] IS NULL OR p.owner_org = ANY($1::uuid[]))`;
    const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM package p WHERE ${where}`, params)) as { n: number }[];
    const rows: { id: string }[] = await db.query(
      `SELECT p.id FROM package p LEFT JOIN dataset_approval a ON a.package_id = p.id
        WHERE ${where} ORDER BY COALESCE(a.submitted_at, p.metadata_modified), p.id LIMIT $2 OFFSET $3`,
      [...params, limit, offset],
    );
    return { count: n, ids: rows.map((r) => r.id) };
  }
}
