import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** A package_member row, with `modified` in PostgreSQL's text form. */
export interface CollaboratorRow {
  package_id: string;
  user_id: string;
  capacity: string;
  modified: string;
}

const COLUMNS = 'package_id, user_id, capacity, modified';

/** Every query on package_member (reads for permission checks go through src/auth/collaborations.ts). */
@Injectable()
export class CollaboratorRepository {
  /** Adds the user to the dataset, or sets their capacity when they are on it already (one statement: no race). */
  async upsert(db: EntityManager, packageId: string, userId: string, capacity: string): Promise<CollaboratorRow> {
    const rows: CollaboratorRow[] = await db.query(
      `INSERT INTO package_member (package_id, user_id, capacity, modified) VALUES ($1, $2, $3, clock_timestamp())
         ON CONFLICT (package_id, user_id) DO UPDATE SET capacity = EXCLUDED.capacity, modified = EXCLUDED.modified
         RETURNING ${COLUMNS}`,
      [packageId, userId, capacity],
    );
    return rows[0];
  }

  /** Removes the user from the dataset; false when they were not on it. */
  async remove(db: EntityManager, packageId: string, userId: string): Promise<boolean> {
    // TypeORM answers a DELETE with [rows, count].
    const [, count]: [unknown[], number] = await db.query(`DELETE FROM package_member WHERE package_id = $1 AND user_id = $2`, [packageId, userId]);
    return count > 0;
  }

  /** The dataset's collaborators (of one capacity when given), oldest first. */
  async ofDataset(db: EntityManager, packageId: string, capacity?: string): Promise<CollaboratorRow[]> {
    return db.query(
      `SELECT ${COLUMNS} FROM package_member WHERE package_id = $1 AND ($2::text IS NULL OR capacity = $2) ORDER BY modified, user_id`,
      [packageId, capacity ?? null],
    );
  }

  /** The user's collaborations (of one capacity when given), oldest first. */
  async ofUser(db: EntityManager, userId: string, capacity?: string): Promise<CollaboratorRow[]> {
    return db.query(
      `SELECT ${COLUMNS} FROM package_member WHERE user_id = $1 AND ($2::text IS NULL OR capacity = $2) ORDER BY modified, package_id`,
      [userId, capacity ?? null],
    );
  }
}
