import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { isUuid } from '../../api/ckan-schema';
import { ReadableLabels, readableByLabelsSql } from '../../auth/authz';

export interface TagRow {
  id: string;
  name: string;
}

/** Which datasets' tags a caller may see: null for all (sysadmins), else their permission labels (Authz.readableLabels). */
export type TagVisibility = ReadableLabels | null;

/** Active datasets `visibility` lets the caller read; pushes its values onto `params`. */
function readableDatasets(visibility: TagVisibility, params: unknown[]): string {
  return visibility ? `p.state = 'active' AND ${readableByLabelsSql(visibility, params, 'p')}` : `p.state = 'active'`;
}

@Injectable()
export class TagRepository {
  /** Free tags used by at least one active dataset the caller may read, by name; `q` filters by substring. */
  async list(db: EntityManager, visibility: TagVisibility, q?: string): Promise<TagRow[]> {
    const params: unknown[] = [];
    let where = readableDatasets(visibility, params);
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

  /** Whether tag_list would list the tag for the caller: some active dataset they may read carries it. */
  async isVisible(db: EntityManager, tagId: string, visibility: TagVisibility): Promise<boolean> {
    const params: unknown[] = [tagId];
    const rows = await db.query(
      `SELECT 1 FROM package_tag pt JOIN package p ON p.id = pt.package_id WHERE pt.tag_id = $1 AND ${readableDatasets(visibility, params)} LIMIT 1`,
      params,
    );
    return rows.length > 0;
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
