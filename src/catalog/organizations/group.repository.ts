import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { isUuid } from '../../api/ckan-schema';
import { Reader, readableSql } from '../../auth/visibility';

export interface GroupRow {
  id: string;
  name: string;
  title: string;
  description: string;
  image_url: string;
  type: string;
  is_organization: boolean;
  approval_status: string;
  state: string;
  created: string;
  extras: Record<string, string>;
  /** The parent organization (organization hierarchy); null: top-level. */
  parent_id: string | null;
  /** Roles that reach its sub-organizations; null: the site's default. */
  cascade_roles: string[] | null;
  /** Issue 14: organizations only; editors submit, admins publish (src/catalog/approval). */
  approval_required: boolean;
}

export interface GroupValues {
  name: string;
  title: string;
  description: string;
  image_url: string;
  type: string;
  is_organization: boolean;
  approval_status: string;
  state: string;
  extras: Record<string, string>;
  approval_required: boolean;
}

export interface MemberUserRow {
  id: string;
  name: string;
  fullname: string | null;
  capacity: string;
  created: string;
  state: string;
  sysadmin: boolean;
  about: string | null;
  image_url: string | null;
  email: string | null;
}

export type GroupSortField = 'name' | 'title' | 'package_count';

/** Every query on organizations, groups and their members. */
@Injectable()
export class GroupRepository {
  /** By id or name; `organizations` restricts to organizations (true) or groups (false). */
  async find(db: EntityManager, idOrName: string, organizations?: boolean, opts: { lock?: boolean } = {}): Promise<GroupRow | null> {
    const kind = organizations === undefined ? '' : ` AND is_organization = ${organizations ? 'TRUE' : 'FALSE'}`;
    const lock = opts.lock ? ' FOR UPDATE' : '';
    if (isUuid(idOrName)) {
      const byId: GroupRow[] = await db.query(`SELECT * FROM catalog_group WHERE id = $1${kind}${lock}`, [idOrName]);
      if (byId[0]) return byId[0];
    }
    const rows: GroupRow[] = await db.query(`SELECT * FROM catalog_group WHERE name = $1${kind}${lock}`, [idOrName]);
    return rows[0] ?? null;
  }

  async findMany(db: EntityManager, idsOrNames: string[]): Promise<GroupRow[]> {
    if (!idsOrNames.length) return [];
    const uuids = idsOrNames.filter(isUuid);
    return db.query(`SELECT * FROM catalog_group WHERE name = ANY($1::text[]) OR id = ANY($2::uuid[])`, [idsOrNames, uuids]);
  }

  async nameTaken(db: EntityManager, name: string, exceptId?: string): Promise<boolean> {
    const rows = await db.query(`SELECT 1 FROM catalog_group WHERE name = $1 AND ($2::uuid IS NULL OR id <> $2::uuid)`, [name, exceptId ?? null]);
    return rows.length > 0;
  }

  async idExists(db: EntityManager, id: string): Promise<boolean> {
    return (await db.query(`SELECT 1 FROM catalog_group WHERE id = $1`, [id])).length > 0;
  }

  async insert(db: EntityManager, id: string, v: GroupValues): Promise<void> {
    await db.query(
      `INSERT INTO catalog_group (id, name, title, description, image_url, type, is_organization, approval_status, state, extras, approval_required)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
      [id, v.name, v.title, v.description, v.image_url, v.type, v.is_organization, v.approval_status, v.state, JSON.stringify(v.extras), v.approval_required],
    );
  }

  async update(db: EntityManager, id: string, v: GroupValues): Promise<void> {
    await db.query(
      `UPDATE catalog_group SET name=$2, title=$3, description=$4, image_url=$5, type=$6, approval_status=$7, state=$8, extras=$9, approval_required=$10 WHERE id = $1`,
      [id, v.name, v.title, v.description, v.image_url, v.type, v.approval_status, v.state, JSON.stringify(v.extras), v.approval_required],
    );
  }

  async setState(db: EntityManager, id: string, state: string): Promise<void> {
    await db.query(`UPDATE catalog_group SET state = $2 WHERE id = $1`, [id, state]);
  }

  async purge(db: EntityManager, id: string): Promise<void> {
    await db.query(`DELETE FROM catalog_group WHERE id = $1`, [id]);
  }

  /** Datasets an organization owns that are not deleted (CKAN refuses to delete such an organization). */
  async liveDatasetCount(db: EntityManager, orgId: string): Promise<number> {
    const rows: { n: number }[] = await db.query(`SELECT count(*)::int AS n FROM package WHERE owner_org = $1 AND state <> 'deleted'`, [orgId]);
    return rows[0].n;
  }

  /** Active datasets per organization or group that `reader` may read (see readerFor). */
  async datasetCounts(db: EntityManager, groupIds: string[], organizations: boolean, reader: Reader): Promise<Map<string, number>> {
    if (!groupIds.length) return new Map();
    const params: unknown[] = [groupIds];
    const visible = readableSql(reader, params, 'p');
    const sql = organizations
      ? `SELECT p.owner_org AS gid, count(*)::int AS n FROM package p
          WHERE p.owner_org = ANY($1::uuid[]) AND p.state = 'active' AND ${visible} GROUP BY p.owner_org`
      : `SELECT pg.group_id AS gid, count(*)::int AS n FROM package_group pg JOIN package p ON p.id = pg.package_id
          WHERE pg.group_id = ANY($1::uuid[]) AND p.state = 'active' AND ${visible} GROUP BY pg.group_id`;
    const rows: { gid: string; n: number }[] = await db.query(sql, params);
    return new Map(rows.map((r) => [r.gid, r.n]));
  }

  /** The newest `limit` active datasets of an organization or group that `reader` may read (organization_show's `packages`). */
  async newestDatasetIds(db: EntityManager, groupId: string, organization: boolean, reader: Reader, limit: number): Promise<string[]> {
    const params: unknown[] = [groupId, limit];
    const visible = readableSql(reader, params, 'p');
    const rows: { id: string }[] = await db.query(
      organization
        ? `SELECT p.id FROM package p WHERE p.owner_org = $1 AND p.state = 'active' AND ${visible} ORDER BY p.metadata_modified DESC LIMIT $2`
        : `SELECT p.id FROM package_group pg JOIN package p ON p.id = pg.package_id
            WHERE pg.group_id = $1 AND p.state = 'active' AND ${visible} ORDER BY p.metadata_modified DESC LIMIT $2`,
      params,
    );
    return rows.map((r) => r.id);
  }

  /** organization_list / group_list: active ones, filtered and sorted, a page of them. */
  async list(
    db: EntityManager,
    o: { organizations: boolean; type?: string; q?: string; names?: string[]; sort: { field: GroupSortField; desc: boolean }[]; limit: number | null; offset: number },
    reader: Reader,
  ): Promise<GroupRow[]> {
    const params: unknown[] = [o.organizations];
    const where = [`g.state = 'active'`, `g.is_organization = $1`];
    if (o.type) {
      params.push(o.type);
      where.push(`g.type = $${params.length}`);
    }
    if (o.q) {
      params.push(`%${o.q.replace(/[\\%_]/g, (c) => `\\${c}`).toLowerCase()}%`);
      const p = `$${params.length}`;
      where.push(`(lower(g.name) LIKE ${p} OR lower(g.title) LIKE ${p} OR lower(g.description) LIKE ${p})`);
    }
    if (o.names) {
      params.push(o.names);
      where.push(`g.name = ANY($${params.length}::text[])`);
    }
    // Sorted by the counts the caller is shown (datasetCounts with the same reader).
    const countSql = (): string =>
      o.organizations
        ? `(SELECT count(*) FROM package p WHERE p.owner_org = g.id AND p.state = 'active' AND ${readableSql(reader, params, 'p')})`
        : `(SELECT count(*) FROM package_group pg JOIN package p ON p.id = pg.package_id WHERE pg.group_id = g.id AND p.state = 'active' AND ${readableSql(reader, params, 'p')})`;
    const order = o.sort.map((s) => {
      const expr = s.field === 'package_count' ? countSql() : s.field === 'title' ? `COALESCE(NULLIF(g.title, ''), g.name) COLLATE "C"` : 'g.name COLLATE "C"';
      return `${expr} ${s.desc ? 'DESC' : 'ASC'}`;
    });
    params.push(o.limit, o.offset);
    return db.query(
      `SELECT g.* FROM catalog_group g WHERE ${where.join(' AND ')}
        ORDER BY ${[...order, 'g.name'].join(', ')} LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
  }

  /** Ids of the datasets a group holds now. */
  async packageIds(db: EntityManager, groupId: string): Promise<string[]> {
    const rows: { package_id: string }[] = await db.query(`SELECT package_id FROM package_group WHERE group_id = $1`, [groupId]);
    return rows.map((r) => r.package_id);
  }

  async members(db: EntityManager, groupId: string): Promise<MemberUserRow[]> {
    return db.query(
      `SELECT u.id, u.name, u.fullname, u.state, u.sysadmin, u.about, u.image_url, u.email, u.created, m.capacity
         FROM member m JOIN user_account u ON u.id = m.user_id
        WHERE m.group_id = $1 AND u.state = 'active' ORDER BY u.name COLLATE "C"`,
      [groupId],
    );
  }

  /**
   * member_list: [object id, object type, capacity] of a group's members. Users who are not deleted; active datasets
   * `reader` may read, an organization's own ones as capacity "organization", a group's as "public" (as CKAN stores them).
   */
  async memberList(
    db: EntityManager, g: GroupRow, objectType: string | undefined, capacity: string | undefined, reader: Reader,
  ): Promise<{ table_id: string; table_name: string; capacity: string }[]> {
    const params: unknown[] = [g.id];
    const parts: string[] = [];
    if (!objectType || objectType === 'user') {
      parts.push(`SELECT m.user_id AS table_id, 'user'::text AS table_name, m.capacity::text AS capacity
                    FROM member m JOIN user_account u ON u.id = m.user_id WHERE m.group_id = $1 AND u.state <> 'deleted'`);
    }
    if (!objectType || objectType === 'package') {
      const visible = readableSql(reader, params, 'p');
      parts.push(
        g.is_organization
          ? `SELECT p.id AS table_id, 'package'::text AS table_name, 'organization'::text AS capacity FROM package p WHERE p.owner_org = $1 AND p.state = 'active' AND ${visible}`
          : `SELECT p.id AS table_id, 'package'::text AS table_name, 'public'::text AS capacity FROM package_group pg JOIN package p ON p.id = pg.package_id
              WHERE pg.group_id = $1 AND p.state = 'active' AND ${visible}`,
      );
    }
    if (g.is_organization && (!objectType || objectType === 'group')) {
      // The organizations placed below it (ckanext-hierarchy's member rows of capacity "parent").
      parts.push(`SELECT c.id AS table_id, 'group'::text AS table_name, 'parent'::text AS capacity FROM catalog_group c WHERE c.parent_id = $1 AND c.state = 'active'`);
    }
    if (!parts.length) return [];
    let where = '';
    if (capacity) {
      params.push(capacity);
      where = ` WHERE x.capacity = $${params.length}`;
    }
    return db.query(`SELECT * FROM (${parts.join(' UNION ALL ')}) x${where} ORDER BY x.table_name, x.table_id`, params);
  }

  async capacityOf(db: EntityManager, groupId: string, userId: string): Promise<string | null> {
    const rows: { capacity: string }[] = await db.query(`SELECT capacity FROM member WHERE group_id = $1 AND user_id = $2`, [groupId, userId]);
    return rows[0]?.capacity ?? null;
  }

  async setMember(db: EntityManager, groupId: string, userId: string, capacity: string): Promise<{ id: string; created: string }> {
    const rows: { id: string; created: string }[] = await db.query(
      `INSERT INTO member (id, group_id, user_id, capacity) VALUES (gen_random_uuid(), $1, $2, $3)
       ON CONFLICT (group_id, user_id) DO UPDATE SET capacity = EXCLUDED.capacity RETURNING id, created`,
      [groupId, userId, capacity],
    );
    return rows[0];
  }

  async removeMember(db: EntityManager, groupId: string, userId: string): Promise<void> {
    await db.query(`DELETE FROM member WHERE group_id = $1 AND user_id = $2`, [groupId, userId]);
  }

  async adminCount(db: EntityManager, groupId: string): Promise<number> {
    const rows: { n: number }[] = await db.query(`SELECT count(*)::int AS n FROM member WHERE group_id = $1 AND capacity = 'admin'`, [groupId]);
    return rows[0].n;
  }

  /** Organizations (or groups) a user belongs to, with the user's capacity. */
  async forUser(db: EntityManager, userId: string, organizations: boolean): Promise<(GroupRow & { capacity: string })[]> {
    return db.query(
      `SELECT g.*, m.capacity FROM member m JOIN catalog_group g ON g.id = m.group_id
        WHERE m.user_id = $1 AND g.state = 'active' AND g.is_organization = $2`,
      [userId, organizations],
    );
  }

  async allActive(db: EntityManager, organizations: boolean): Promise<GroupRow[]> {
    return db.query(`SELECT * FROM catalog_group WHERE state = 'active' AND is_organization = $1`, [organizations]);
  }

  /** Deleting a group or organization: nobody is a member any more, and a group holds no datasets. */
  async removeAllMembers(db: EntityManager, groupId: string, alsoDatasets: boolean): Promise<void> {
    await db.query(`DELETE FROM member WHERE group_id = $1`, [groupId]);
    if (alsoDatasets) await db.query(`DELETE FROM package_group WHERE group_id = $1`, [groupId]);
  }

  /** Purging an organization: its (deleted) datasets keep living without an owner. */
  async releaseOwnedDatasets(db: EntityManager, orgId: string): Promise<void> {
    await db.query(`UPDATE package SET owner_org = NULL WHERE owner_org = $1`, [orgId]);
  }

  /** Makes the group hold exactly `packageIds`; returns the datasets that joined or left, which get a new metadata_modified. */
  async setPackages(db: EntityManager, groupId: string, packageIds: string[]): Promise<string[]> {
    // TypeORM answers a DELETE with [rows, count], not with the rows alone.
    const [left]: [{ package_id: string }[], number] = await db.query(
      `DELETE FROM package_group WHERE group_id = $1 AND NOT (package_id = ANY($2::uuid[])) RETURNING package_id`,
      [groupId, packageIds],
    );
    const joined: { package_id: string }[] = packageIds.length
      ? await db.query(
          `INSERT INTO package_group (package_id, group_id) SELECT p, $1 FROM unnest($2::uuid[]) AS p ON CONFLICT DO NOTHING RETURNING package_id`,
          [groupId, packageIds],
        )
      : [];
    const touched = [...left, ...joined].map((r) => r.package_id);
    if (touched.length) await db.query(`UPDATE package SET metadata_modified = clock_timestamp() WHERE id = ANY($1::uuid[])`, [touched]);
    return touched;
  }

  /** Active organizations (or groups) whose name or title matches `like`, by title. */
  async autocomplete(db: EntityManager, organizations: boolean, like: string, limit: number): Promise<{ id: string; name: string; title: string }[]> {
    return db.query(
      `SELECT id, name, title FROM catalog_group
        WHERE is_organization = $1 AND state = 'active' AND (lower(name) LIKE $2 OR lower(title) LIKE $2)
        ORDER BY title COLLATE "C", name LIMIT $3`,
      [organizations, like, limit],
    );
  }

  /** Titles by name, for display names (package_search's facets). */
  async titlesByName(db: EntityManager, names: string[]): Promise<Map<string, string>> {
    const rows: { name: string; title: string }[] = await db.query(`SELECT name, title FROM catalog_group WHERE name = ANY($1::text[])`, [names]);
    return new Map(rows.map((r) => [r.name, r.title]));
  }
}
