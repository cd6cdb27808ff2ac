import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { isUuid } from '../../api/ckan-schema';

export interface TagRow {
  id: string;
  name: string;
}

/** Which datasets' tags a caller may see: all (sysadmin), or public ones plus those of their organizations. */
export type TagVisibility = { all: true } | { all: false; orgIds: string[] };

@Injectable()
export class TagRepository {
  /** Free tags used by at least one active dataset the caller may read, by name; `q` filters by substring. */
  async list(db: EntityManager, visibility: TagVisibility, q?: string): Promise<TagRow[]> {
    const params: unknown[] = [];
    let where = `p.state = 'active'`;
    if (!visibility.all) {
      params.push(visibility.orgIds);
      where += ` AND (NOT p.private OR p.owner_org = ANY($${params.length}::uuid[]))`;
    }
    if (q) {
      params.push(`%${q.replace(/[\\%_]/g, (c) => `\\${c}`).toLowerCase()}%`);
      where += ` AND lower(t.name) LIKE $${params.length}`;
    }
    return db.query(
      `SELECT DISTINCT t.id, t.name FROM tag t JOIN package_tag pt ON pt.tag_id = t.id JOIN package p ON p.id = pt.package_id
        WHERE ${where} ORDER BY t.name`,
      params,
    );
  }

  async find(db: EntityManager, idOrName: string): Promise<TagRow | null> {
    if (isUuid(idOrName)) {
      const byId: TagRow[] = await db.query(`SELECT id, name FROM tag WHERE id = $1`, [idOrName]);
      if (byId[0]) return byId[0];
    }
    const rows: TagRow[] = await db.query(`SELECT id, name FROM tag WHERE name = $1`, [idOrName]);
    return rows[0] ?? null;
  }

  /** Active public datasets carrying the tag (tag_show include_datasets), newest change first. */
  async publicDatasetIds(db: EntityManager, tagId: string, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await db.query(
      `SELECT p.id FROM package_tag pt JOIN package p ON p.id = pt.package_id
        WHERE pt.tag_id = $1 AND p.state = 'active' AND NOT p.private ORDER BY p.metadata_modified DESC LIMIT $2`,
      [tagId, limit],
    );
    return rows.map((r) => r.id);
  }
}
