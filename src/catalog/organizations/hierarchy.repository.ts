import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { HIERARCHY_MAX_DEPTH } from '../../auth/membership.repository';
import { preparedQuery } from '../../database/prepared';

/** One organization as the tree shows it. */
export interface TreeRow {
  id: string;
  name: string;
  title: string;
  parent_id: string | null;
}

/**
 * Every query on the organization hierarchy (catalog_group.parent_id). Only active organizations take part: a parent
 * that is deleted leaves its children's link cleared (clearLinks), as CKAN deletes the hierarchy's member rows.
 */
@Injectable()
export class HierarchyRepository {
  /** Serialises hierarchy changes until the transaction ends, so two concurrent moves cannot close a loop. */
  async lock(db: EntityManager): Promise<void> {
    await db.query(`SELECT pg_advisory_xact_lock(hashtext('catalog_group.parent_id'))`);
  }

  async setParent(db: EntityManager, id: string, parentId: string | null): Promise<void> {
    await db.query(`UPDATE catalog_group SET parent_id = $2 WHERE id = $1`, [id, parentId]);
  }

  async setCascadeRoles(db: EntityManager, id: string, roles: string[] | null): Promise<void> {
    await db.query(`UPDATE catalog_group SET cascade_roles = $2 WHERE id = $1`, [id, roles]);
  }

  /** Deleting an organization: its children become top-level and it leaves its own parent. */
  async clearLinks(db: EntityManager, id: string): Promise<void> {
    await db.query(`UPDATE catalog_group SET parent_id = NULL WHERE parent_id = $1 OR (id = $1 AND parent_id IS NOT NULL)`, [id]);
  }

  /** The active ancestors of `id`, nearest first (get_parent_group_hierarchy reversed). */
  async ancestors(db: EntityManager, id: string): Promise<TreeRow[]> {
    return db.query(
      `WITH RECURSIVE up(id, depth) AS (
         SELECT parent_id, 1 FROM catalog_group WHERE id = $1 AND parent_id IS NOT NULL
         UNION
         SELECT g.parent_id, u.depth + 1 FROM up u JOIN catalog_group g ON g.id = u.id WHERE g.parent_id IS NOT NULL AND u.depth < ${HIERARCHY_MAX_DEPTH}
       )
       SELECT g.id, g.name, g.title, g.parent_id FROM up JOIN catalog_group g ON g.id = up.id WHERE g.state = 'active' ORDER BY up.depth`,
      [id],
    );
  }

  /** The active organizations below `id`, each with its distance (1: a child). */
  async descendants(db: EntityManager, id: string): Promise<(TreeRow & { depth: number })[]> {
    return db.query(
      `WITH RECURSIVE down(id, depth) AS (
         SELECT id, 1 FROM catalog_group WHERE parent_id = $1 AND state = 'active'
         UNION
         SELECT g.id, d.depth + 1 FROM down d JOIN catalog_group g ON g.parent_id = d.id WHERE g.state = 'active' AND d.depth < ${HIERARCHY_MAX_DEPTH}
       )
       SELECT g.id, g.name, g.title, g.parent_id, d.depth FROM down d JOIN catalog_group g ON g.id = d.id ORDER BY d.depth`,
      [id],
    );
  }

  /** The active children of `id`, by title. */
  async children(db: EntityManager, id: string): Promise<TreeRow[]> {
    return preparedQuery<TreeRow>(db, 'organization-children',
      `SELECT id, name, title, parent_id FROM catalog_group WHERE parent_id = $1 AND state = 'active' ORDER BY title COLLATE "C", name`,
      [id],
    );
  }

  /** Every active organization or group of `type`, by title (group_tree builds the tree from these). */
  async allOfType(db: EntityManager, type: string): Promise<TreeRow[]> {
    return db.query(
      `SELECT id, name, title, parent_id FROM catalog_group WHERE type = $1 AND state = 'active' ORDER BY title COLLATE "C", name`,
      [type],
    );
  }
}
