import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';

/** A package_relationship row (always in its forward form). */
export interface RelationshipRow {
  id: string;
  subject_package_id: string;
  object_package_id: string;
  type: string;
  comment: string;
  state: string;
}

/** A row with the names of the datasets on both ends, as the actions answer with names. */
export interface NamedRelationshipRow extends RelationshipRow {
  subject_name: string;
  object_name: string;
}

const NAMED_SQL = `SELECT pr.id, pr.subject_package_id, pr.object_package_id, pr.type, pr.comment, pr.state, s.name AS subject_name, o.name AS object_name
  FROM package_relationship pr JOIN package s ON s.id = pr.subject_package_id JOIN package o ON o.id = pr.object_package_id`;

/** Every query on package_relationship. */
@Injectable()
export class RelationshipRepository {
  /** The one row for a subject, object and forward type, whatever its state; locked for the transaction when asked. */
  async find(db: EntityManager, subjectId: string, objectId: string, type: string, opts: { lock?: boolean } = {}): Promise<NamedRelationshipRow | null> {
    const rows: NamedRelationshipRow[] = await db.query(
      `${NAMED_SQL} WHERE pr.subject_package_id = $1 AND pr.object_package_id = $2 AND pr.type = $3${opts.lock ? ' FOR UPDATE OF pr' : ''}`,
      [subjectId, objectId, type],
    );
    return rows[0] ?? null;
  }

  /** Adds the row unless a concurrent writer just did (then the caller finds theirs). */
  async insert(db: EntityManager, subjectId: string, objectId: string, type: string, comment: string): Promise<void> {
    await db.query(
      `INSERT INTO package_relationship (id, subject_package_id, object_package_id, type, comment, state) VALUES ($1, $2, $3, $4, $5, 'active')
         ON CONFLICT (subject_package_id, object_package_id, type) DO NOTHING`,
      [randomUUID(), subjectId, objectId, type, comment],
    );
  }

  async update(db: EntityManager, id: string, values: { comment: string; state: string }): Promise<void> {
    await db.query(`UPDATE package_relationship SET comment = $2, state = $3 WHERE id = $1`, [id, values.comment, values.state]);
  }

  /**
   * A dataset's active relationships (CKAN's Package.get_relationships): those where it is the subject, optionally
   * with `otherId` as object and of `forwardType`, and those where it is the object, optionally with `otherId` as
   * subject and of `reverseType` turned forward. Ordered by type, then by the names of the two datasets.
   */
  async listOf(db: EntityManager, id: string, otherId: string | null, asSubjectType: string | null, asObjectType: string | null): Promise<NamedRelationshipRow[]> {
    return db.query(
      `${NAMED_SQL}
        WHERE pr.state = 'active'
          AND ((pr.subject_package_id = $1 AND ($2::uuid IS NULL OR pr.object_package_id = $2) AND ($3::text IS NULL OR pr.type = $3))
            OR (pr.object_package_id = $1 AND ($2::uuid IS NULL OR pr.subject_package_id = $2) AND ($4::text IS NULL OR pr.type = $4)))
        ORDER BY pr.type, s.name, o.name`,
      [id, otherId, asSubjectType, asObjectType],
    );
  }

  /** The other datasets of a dataset's active relationships. */
  async relatedIds(db: EntityManager, id: string): Promise<string[]> {
    const rows: { id: string }[] = await db.query(
      `SELECT object_package_id AS id FROM package_relationship WHERE subject_package_id = $1 AND state = 'active'
       UNION SELECT subject_package_id FROM package_relationship WHERE object_package_id = $1 AND state = 'active'`,
      [id],
    );
    return rows.map((r) => r.id).filter((other) => other !== id);
  }
}
