import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { isUuid } from '../../api/ckan-schema';
import { Reader, readableSql } from '../../auth/visibility';
import { preparedQuery } from '../../database/prepared';

/** A resource row as stored (snake_case columns). */
export interface ResourceRow {
  id: string;
  package_id: string;
  position: number;
  url: string;
  name: string | null;
  description: string | null;
  format: string | null;
  mimetype: string | null;
  mimetype_inner: string | null;
  size: number | null;
  hash: string | null;
  url_type: string | null;
  resource_type: string | null;
  cache_url: string | null;
  cache_last_updated: string | null;
  created: string;
  last_modified: string | null;
  metadata_modified: string;
  state: string;
  extras: Record<string, unknown>;
  /** Where an upload resource's file is stored (never shown to clients). */
  upload_key: string | null;
}

/** Columns a write may set; a missing key means "leave as is" (or the column default on insert). */
export type ResourceValues = Partial<Omit<ResourceRow, 'id' | 'package_id' | 'position' | 'metadata_modified' | 'state'>>;

export const RESOURCE_COLUMNS = [
  'url', 'name', 'description', 'format', 'mimetype', 'mimetype_inner', 'size', 'hash', 'url_type', 'resource_type',
  'cache_url', 'cache_last_updated', 'created', 'last_modified', 'extras', 'upload_key',
] as const;

@Injectable()
export class ResourceRepository {
  async find(db: EntityManager, id: string, opts: { lock?: boolean } = {}): Promise<ResourceRow | null> {
    if (!isUuid(id)) return null;
    const rows: ResourceRow[] = await db.query(`SELECT * FROM resource WHERE id = $1 AND state = 'active'${opts.lock ? ' FOR UPDATE' : ''}`, [id]);
    return rows[0] ?? null;
  }

  async listForDataset(db: EntityManager, packageId: string): Promise<ResourceRow[]> {
    return db.query(`SELECT * FROM resource WHERE package_id = $1 AND state = 'active' ORDER BY position`, [packageId]);
  }

  /** Of `ids`, those that belong to another dataset (CKAN's "Resource id already exists."). */
  async idsOfOtherDatasets(db: EntityManager, ids: string[], packageId: string | null): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const rows: { id: string }[] = await db.query(
      `SELECT id FROM resource WHERE id = ANY($1::uuid[]) AND ($2::uuid IS NULL OR package_id <> $2::uuid)`,
      [ids, packageId],
    );
    return new Set(rows.map((r) => r.id));
  }

  async insert(db: EntityManager, id: string, packageId: string, position: number, v: ResourceValues): Promise<void> {
    const cols = RESOURCE_COLUMNS.filter((c) => v[c] !== undefined);
    const values = cols.map((c) => (c === 'extras' ? JSON.stringify(v[c]) : v[c]));
    const placeholders = cols.map((_, i) => `$${i + 4}`);
    await db.query(
      `INSERT INTO resource (id, package_id, position${cols.map((c) => `, ${c}`).join('')})
       VALUES ($1, $2, $3${placeholders.map((p) => `, ${p}`).join('')})`,
      [id, packageId, position, ...values],
    );
  }

  /** Inserts many resources in one statement (a dataset's list on create); missing columns take their defaults. */
  async insertMany(db: EntityManager, packageId: string, rows: { id: string; position: number; values: ResourceValues }[]): Promise<void> {
    if (!rows.length) return;
    const records = rows.map((r) => ({ ...r.values, id: r.id, position: r.position }));
    await preparedQuery(
      db,
      'resources-insert',
      `INSERT INTO resource (id, package_id, position, url, name, description, format, mimetype, mimetype_inner, size, hash, url_type,
                             resource_type, cache_url, cache_last_updated, created, last_modified, extras)
       SELECT x.id, $1, x.position, COALESCE(x.url, ''), x.name, x.description, x.format, x.mimetype, x.mimetype_inner, x.size, x.hash,
              x.url_type, x.resource_type, x.cache_url, x.cache_last_updated, COALESCE(x.created, clock_timestamp()), x.last_modified,
              COALESCE(x.extras, '{}'::jsonb)
         FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, position int, url text, name text, description text, format text, mimetype text,
              mimetype_inner text, size bigint, hash text, url_type text, resource_type text, cache_url text, cache_last_updated timestamptz,
              created timestamptz, last_modified timestamptz, extras jsonb)`,
      [packageId, JSON.stringify(records)],
    );
  }

  /** Sets the given columns; metadata_modified moves only when something changed. */
  async update(db: EntityManager, id: string, position: number, v: ResourceValues): Promise<void> {
    const cols = RESOURCE_COLUMNS.filter((c) => v[c] !== undefined);
    const sets = cols.map((c, i) => `${c} = $${i + 3}`);
    const changed = cols.map((c, i) => `${c} IS DISTINCT FROM $${i + 3}${c === 'extras' ? '::jsonb' : ''}`);
    const values = cols.map((c) => (c === 'extras' ? JSON.stringify(v[c]) : v[c]));
    await db.query(
      `UPDATE resource SET position = $2${sets.map((s) => `, ${s}`).join('')}
              ${changed.length ? `, metadata_modified = CASE WHEN ${changed.join(' OR ')} THEN clock_timestamp() ELSE metadata_modified END` : ''}
        WHERE id = $1`,
      [id, position, ...values],
    );
  }

  async deleteMany(db: EntityManager, ids: string[]): Promise<void> {
    if (ids.length) await db.query(`DELETE FROM resource WHERE id = ANY($1::uuid[])`, [ids]);
  }

  /** Positions 0..n-1 in the current order, after a removal. */
  async renumber(db: EntityManager, packageId: string): Promise<void> {
    await db.query(
      `UPDATE resource r SET position = o.rn - 1
         FROM (SELECT id, row_number() OVER (ORDER BY position, created) AS rn FROM resource WHERE package_id = $1 AND state = 'active') o
        WHERE r.id = o.id AND r.position <> o.rn - 1`,
      [packageId],
    );
  }

  /** Resource formats (lower case) matching `like` on active datasets the reader may read, most used first. */
  async formatsLike(db: EntityManager, reader: Reader, like: string, limit: number): Promise<string[]> {
    const params: unknown[] = [like, limit];
    const readable = readableSql(reader, params, 'p');
    const rows: { format: string }[] = await db.query(
      `SELECT lower(r.format) AS format FROM resource r JOIN package p ON p.id = r.package_id
        WHERE r.state = 'active' AND p.state = 'active' AND ${readable}
          AND lower(r.format) LIKE $1
        GROUP BY lower(r.format) ORDER BY count(*) DESC, lower(r.format) LIMIT $2`,
      params,
    );
    return rows.map((r) => r.format);
  }

  /** resource_search: active resources of active datasets the reader may read, matching every filter (SQL built from known columns only). */
  async search(
    db: EntityManager, reader: Reader, filters: ResourceFilter[], page: { orderBy?: string; offset: number; limit: number },
  ): Promise<{ count: number; rows: ResourceRow[] }> {
    const params: unknown[] = [];
    const where = [`r.state = 'active'`, `p.state = 'active'`, readableSql(reader, params, 'p')];
    for (const f of filters) {
      params.push(f.value);
      const n = `$${params.length}`;
      if (f.match === 'contains') where.push(`r.${f.column} ILIKE '%' || ${n} || '%'`);
      else if (f.match === 'prefix') where.push(`r.${f.column} ILIKE ${n} || '%'`);
      else if (f.match === 'extra') where.push(`r.extras::text ILIKE '%' || ${n} || '%'`);
      else where.push(`r.${f.column} = ${n}::${f.column === 'size' ? 'bigint' : 'timestamptz'}`);
    }
    const sql = `FROM resource r JOIN package p ON p.id = r.package_id WHERE ${where.join(' AND ')}`;
    const [{ count }]: { count: string }[] = await db.query(`SELECT count(*) AS count ${sql}`, params);
    const order = page.orderBy ? `r.${page.orderBy}, r.id` : 'r.id';
    const rows: ResourceRow[] = await db.query(
      `SELECT r.* ${sql} ORDER BY ${order} OFFSET $${params.length + 1} LIMIT $${params.length + 2}`,
      [...params, page.offset, page.limit],
    );
    return { count: Number(count), rows };
  }
}

/** One resource_search condition; `column` is one of RESOURCE_SEARCH_COLUMNS, never caller text. */
export interface ResourceFilter {
  column: string;
  match: 'contains' | 'prefix' | 'equals' | 'extra';
  value: string;
}

/** The columns CKAN's resource_search knows (Resource.get_columns()), and how each is matched. */
export const RESOURCE_SEARCH_COLUMNS: Record<string, 'contains' | 'prefix' | 'equals'> = {
  url: 'contains', format: 'contains', description: 'contains', hash: 'prefix', name: 'contains', resource_type: 'contains',
  mimetype: 'contains', mimetype_inner: 'contains', size: 'equals', created: 'equals', last_modified: 'equals',
  metadata_modified: 'equals', cache_url: 'contains', cache_last_updated: 'equals', url_type: 'contains',
};
/** Columns resource_search may order by (CKAN: any attribute of Resource). */
export const RESOURCE_ORDER_COLUMNS = new Set([...Object.keys(RESOURCE_SEARCH_COLUMNS), 'id', 'package_id', 'position', 'state']);
