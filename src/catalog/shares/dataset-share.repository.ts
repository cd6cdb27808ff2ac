import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** A share as stored, with the organization's name and title for the list. */
export interface DatasetShareRow {
  package_id: string;
  organization_id: string;
  organization_name: string;
  organization_title: string;
  capacity: string;
  created: Date;
  /** The name of the user who shared it (or last changed its capacity); null when unknown or the account is gone. */
  created_by: string | null;
}

/** Every query on dataset_share (issue 14). */
@Injectable()
export class DatasetShareRepository {
  /** The shares of a dataset, by organization name, with who made each. */
  async list(db: EntityManager, packageId: string): Promise<DatasetShareRow[]> {
    return db.query(
      `SELECT s.package_id, s.organization_id, g.name AS organization_name, g.title AS organization_title, s.capacity, s.created, u.name AS created_by
         FROM dataset_share s JOIN catalog_group g ON g.id = s.organization_id LEFT JOIN user_account u ON u.id = s.created_by
        WHERE s.package_id = $1 ORDER BY g.name COLLATE "C"`,
      [packageId],
    );
  }

  /** Shares the dataset with the organization, or changes the capacity of the share it has (keeping when it was made). */
  async upsert(db: EntityManager, packageId: string, organizationId: string, capacity: string, by: string | null): Promise<void> {
    await db.query(
      `INSERT INTO dataset_share (package_id, organization_id, capacity, created_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (package_id, organization_id) DO UPDATE SET capacity = excluded.capacity, created_by = excluded.created_by`,
      [packageId, organizationId, capacity, by],
    );
  }

  /** Whether there was such a share. */
  async delete(db: EntityManager, packageId: string, organizationId: string): Promise<boolean> {
    // As a SELECT: TypeORM answers a bare DELETE with [rows, count].
    const rows: { n: number }[] = await db.query(
      `WITH gone AS (DELETE FROM dataset_share WHERE package_id = $1 AND organization_id = $2 RETURNING 1) SELECT count(*)::int AS n FROM gone`,
      [packageId, organizationId],
    );
    return rows[0].n > 0;
  }
}
