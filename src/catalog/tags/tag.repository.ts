import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { isUuid } from '../../api/ckan-schema';
import { ANONYMOUS, Reader, readableSql } from '../../auth/visibility';

export interface TagRow {
  id: string;
  name: string;
  vocabulary_id: string | null;
}

/** Active datasets `reader` may read; pushes its values onto `params`. */
function readableDatasets(reader: Reader, params: unknown[]): string {
  return `p.state = 'active' AND ${readableSql(reader, params, 'p')}`;
}

@Injectable()
export class TagRepository {
  /** Free tags used by at least one active dataset the caller may read, by name; `q` filters by substring. */
  async list(db: EntityManager, reader: Reader, q?: string): Promise<TagRow[]> {
    const params: unknown[] = [];
    let where = `t.vocabulary_id IS NULL AND ${readableDatasets(reader, params)}`;
    if (q) {
      params.push(`%${q.replace(/[\\%_]/g, (c) => `\\${c}`).toLowerCase()}%`);
      where += ` AND lower(t.name) LIKE $${params.length}`;
    }
    return db.query(
      `SELECT DISTINCT t.id, t.name, t.vocabulary_id FROM tag t JOIN package_tag pt ON pt.tag_id = t.id JOIN package p ON p.id = pt.package_id
        WHERE ${where} ORDER BY t.name`,
      params,
    );
  }

  /** Whether tag_list would list the tag for the caller: some active dataset they may read carries it. */
  async isVisible(db: EntityManager, tagId: string, reader: Reader): Promise<boolean> {
    const params: unknown[] = [tagId];
    const rows = await db.query(
      `SELECT 1 FROM package_tag pt JOIN package p ON p.id = pt.package_id WHERE pt.tag_id = $1 AND ${readableDatasets(reader, params)} LIMIT 1`,
      params,
    );
    return rows.length > 0;
  }

  /** By id, then by name among the free tags or, given `vocabularyId`, that vocabulary's tags (CKAN's Tag.get). */
  async find(db: EntityManager, idOrName: string, vocabularyId: string | null = null): Promise<TagRow | null> {
    if (isUuid(idOrName)) {
      const byId: TagRow[] = await db.query(`SELECT id, name, vocabulary_id FROM tag WHERE id = $1`, [idOrName]);
      if (byId[0]) return byId[0];
    }
    const rows: TagRow[] = await db.query(`SELECT id, name, vocabulary_id FROM tag WHERE name = $1 AND vocabulary_id IS NOT DISTINCT FROM $2`, [
      idOrName,
      vocabularyId,
    ]);
    return rows[0] ?? null;
  }

  /**
   * tag_search: tags whose names contain every term (case-insensitive), by name, with the total; free tags only of active
   * datasets the reader may read, or the given vocabulary's tags (which exist apart from any dataset).
   */
  async search(
    db: EntityManager, reader: Reader, terms: string[], vocabularyId: string | null, page: { limit?: number; offset?: number },
  ): Promise<{ count: number; rows: TagRow[] }> {
    const params: unknown[] = [];
    const where: string[] = [];
    where.push(...this.tagScope(reader, vocabularyId, params));
    for (const term of terms) {
      params.push(`%${term.replace(/[\\%_]/g, (c) => `\\${c}`).toLowerCase()}%`);
      where.push(`lower(t.name) LIKE $${params.length}`);
    }
    const sql = `FROM tag t WHERE ${where.join(' AND ')}`;
    const [{ count }] = await db.query(`SELECT count(*)::int AS count ${sql}`, params);
    params.push(page.limit ?? null, page.offset ?? 0);
    const rows: TagRow[] = await db.query(
      `SELECT t.id, t.name, t.vocabulary_id ${sql} ORDER BY t.name COLLATE "C" LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return { count, rows };
  }

  /** Deletes the tag (and by cascade its links); returns the datasets (any state) that carried it. */
  async delete(db: EntityManager, tagId: string): Promise<string[]> {
    const rows: { package_id: string }[] = await db.query(`SELECT package_id FROM package_tag WHERE tag_id = $1`, [tagId]);
    await db.query(`DELETE FROM tag WHERE id = $1`, [tagId]);
    return rows.map((r) => r.package_id);
  }

  /** Active datasets anyone may read carrying the tag (tag_show include_datasets, as CKAN: public ones), newest change first. */
  async publicDatasetIds(db: EntityManager, tagId: string, limit: number): Promise<string[]> {
    const params: unknown[] = [tagId, limit];
    const rows: { id: string }[] = await db.query(
      `SELECT p.id FROM package_tag pt JOIN package p ON p.id = pt.package_id
        WHERE pt.tag_id = $1 AND ${readableDatasets(ANONYMOUS, params)} ORDER BY p.metadata_modified DESC LIMIT $2`,
      params,
    );
    return rows.map((r) => r.id);
  }

  /**
   * Names of tags containing every term (case-insensitive), those starting with the first term first: free tags of
   * active datasets the reader may read or, given `vocabularyId`, that vocabulary's tags (tag_search's choice of tags).
   */
  async autocomplete(
    db: EntityManager, reader: Reader, terms: string[], vocabularyId: string | null, page: { limit: number; offset: number },
  ): Promise<string[]> {
    const escape = (t: string): string => t.replace(/[\\%_]/g, (c) => `\\${c}`).toLowerCase();
    const params: unknown[] = [`${escape(terms[0])}%`, page.limit, page.offset];
    const where = terms.map((t) => {
      params.push(`%${escape(t)}%`);
      return `lower(t.name) LIKE $${params.length}`;
    });
    where.push(...this.tagScope(reader, vocabularyId, params));
    const rows: { name: string }[] = await db.query(
      `SELECT t.name FROM tag t WHERE ${where.join(' AND ')} ORDER BY (lower(t.name) LIKE $1) DESC, t.name LIMIT $2 OFFSET $3`,
      params,
    );
    return rows.map((r) => r.name);
  }

  /** A vocabulary's tags, or (none given) the free tags of datasets the reader may read. */
  private tagScope(reader: Reader, vocabularyId: string | null, params: unknown[]): string[] {
    if (vocabularyId) {
      params.push(vocabularyId);
      return [`t.vocabulary_id = $${params.length}`];
    }
    return [`t.vocabulary_id IS NULL`, `EXISTS (SELECT 1 FROM package_tag pt JOIN package p ON p.id = pt.package_id
                                             WHERE pt.tag_id = t.id AND ${readableDatasets(reader, params)})`];
  }
}
