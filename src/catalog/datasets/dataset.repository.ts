import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { isUuid } from '../../api/ckan-schema';
import { preparedQuery } from '../../database/prepared';
import { ANONYMOUS, Reader, readableSql } from '../../auth/visibility';

/** The columns auth rules and writers need, without the dataset's children. */
export interface DatasetRow {
  id: string;
  name: string;
  owner_org: string | null;
  private: boolean;
  state: string;
  type: string;
  creator_user_id: string | null;
  /** Issue 14: the access level, and the organizations the dataset is shared with (all, and those with an 'edit' share). */
  access_level: string;
  shared_with: string[];
  shared_edit: string[];
  /** Kept by an outside process (a harvest source): only sysadmins and the site edit it (src/auth/visibility.ts). */
  read_only: boolean;
}

/** One row of the full-dict query: the package columns plus its children as JSON. */
export interface DatasetDictRow extends DatasetRow {
  title: string | null;
  notes: string | null;
  url: string | null;
  version: string | null;
  author: string | null;
  author_email: string | null;
  maintainer: string | null;
  maintainer_email: string | null;
  license_id: string | null;
  metadata_created: string;
  metadata_modified: string;
  extras: Record<string, string>;
  plugin_data: Record<string, unknown> | null;
  /** Computed fields other parts keep for package_show (DatasetDerived). */
  derived: Record<string, unknown> | null;
  organization: Record<string, unknown> | null;
  resources: Record<string, unknown>[];
  tags: { id: string; name: string; vocabulary_id: string | null }[];
  groups: { id: string; name: string; title: string; description: string; image_url: string }[];
  relationships_as_subject: StoredRelationship[];
  relationships_as_object: StoredRelationship[];
  /** Issue 14: whether the owning organization requires approval, and the dataset's workflow record (src/catalog/approval). */
  approval_required: boolean | null;
  approval: StoredApproval | null;
}

/** A dataset_approval row with the users' names, as the dict query aggregates it. */
export interface StoredApproval {
  status: string;
  note: string | null;
  decided_by: string | null;
  decided_at: string | null;
  submitted_by: string | null;
  submitted_at: string | null;
}

/** An active package_relationship row, as stored (forward type). */
export interface StoredRelationship {
  id: string;
  subject_package_id: string;
  object_package_id: string;
  type: string;
  comment: string;
}

/** The values a dataset write stores in the package row. */
export interface DatasetValues {
  name: string;
  title: string | null;
  notes: string | null;
  url: string | null;
  version: string | null;
  author: string | null;
  author_email: string | null;
  maintainer: string | null;
  maintainer_email: string | null;
  license_id: string | null;
  owner_org: string | null;
  private: boolean;
  /** Issue 14; `private` is access_level <> 'public'. */
  access_level: string;
  state: string;
  type: string;
  extras: Record<string, string>;
  plugin_data: Record<string, unknown> | null;
  read_only: boolean;
}

const ROW_COLUMNS = `p.id, p.name, p.owner_org, p.private, p.state, p.type, p.creator_user_id, p.access_level,
  ARRAY(SELECT s.organization_id::text FROM dataset_share s WHERE s.package_id = p.id ORDER BY 1) AS shared_with,
  ARRAY(SELECT s.organization_id::text FROM dataset_share s WHERE s.package_id = p.id AND s.capacity = 'edit' ORDER BY 1) AS shared_edit,
  p.read_only`;

/**
 * A row for each tag name (a text[] parameter) that has none. ON CONFLICT keeps concurrent writers from failing on
 * the same new tag; inserting in one fixed order makes writers adding the same new tags wait for each other
 * instead of deadlocking.
 */
const NEW_TAGS_SQL = (param: string): string =>
  `INSERT INTO tag (id, name) SELECT gen_random_uuid(), n FROM unnest(${param}::text[]) AS n ORDER BY n COLLATE "C"
     ON CONFLICT (name) WHERE vocabulary_id IS NULL DO NOTHING`;

/**
 * Every query on the package table and its children. One round trip builds whole dataset dicts:
 * PostgreSQL aggregates resources, tags, groups and the organization as JSON.
 */
const DICT_SQL = `
SELECT ${ROW_COLUMNS}, p.title, p.notes, p.url, p.version, p.author, p.author_email, p.maintainer, p.maintainer_email,
       p.license_id, p.metadata_created, p.metadata_modified, p.extras, p.plugin_data, p.derived,
       (SELECT json_build_object('id', g.id, 'name', g.name, 'title', g.title, 'type', g.type, 'description', g.description,
                                 'image_url', g.image_url, 'created', g.created, 'is_organization', g.is_organization,
                                 'approval_status', g.approval_status, 'state', g.state)
          FROM catalog_group g WHERE g.id = p.owner_org AND g.state = 'active') AS organization,
       COALESCE((SELECT json_agg(r ORDER BY r.position) FROM resource r WHERE r.package_id = p.id AND r.state = 'active'), '[]') AS resources,
       COALESCE((SELECT json_agg(json_build_object('id', t.id, 'name', t.name, 'vocabulary_id', t.vocabulary_id) ORDER BY t.name COLLATE "C", t.vocabulary_id)
                   FROM package_tag pt JOIN tag t ON t.id = pt.tag_id WHERE pt.package_id = p.id), '[]') AS tags,
       COALESCE((SELECT json_agg(json_build_object('id', g.id, 'name', g.name, 'title', g.title, 'description', g.description,
                                                   'image_url', g.image_url) ORDER BY COALESCE(NULLIF(g.title, ''), g.name) COLLATE "C")
                   FROM package_group pg JOIN catalog_group g ON g.id = pg.group_id WHERE pg.package_id = p.id AND g.state = 'active'), '[]') AS groups,
       COALESCE((SELECT json_agg(json_build_object('id', pr.id, 'subject_package_id', pr.subject_package_id, 'object_package_id', pr.object_package_id,
                                                   'type', pr.type, 'comment', pr.comment) ORDER BY pr.type, pr.object_package_id, pr.id)
                   FROM package_relationship pr WHERE pr.subject_package_id = p.id AND pr.state = 'active'), '[]') AS relationships_as_subject,
       COALESCE((SELECT json_agg(json_build_object('id', pr.id, 'subject_package_id', pr.subject_package_id, 'object_package_id', pr.object_package_id,
                                                   'type', pr.type, 'comment', pr.comment) ORDER BY pr.type, pr.subject_package_id, pr.id)
                   FROM package_relationship pr WHERE pr.object_package_id = p.id AND pr.state = 'active'), '[]') AS relationships_as_object,
       (SELECT g.approval_required FROM catalog_group g WHERE g.id = p.owner_org) AS approval_required,
       (SELECT json_build_object('status', a.status, 'note', a.note, 'decided_by', du.name, 'decided_at', a.decided_at,
                                 'submitted_by', su.name, 'submitted_at', a.submitted_at)
          FROM dataset_approval a LEFT JOIN user_account du ON du.id = a.decided_by LEFT JOIN user_account su ON su.id = a.submitted_by
         WHERE a.package_id = p.id) AS approval
  FROM package p`

@Injectable()
export class DatasetRepository {
  /** By id, or by name; ids that are not UUIDs are only tried as names. */
  async findRow(db: EntityManager, idOrName: string, opts: { lock?: boolean } = {}): Promise<DatasetRow | null> {
    const where = isUuid(idOrName) ? 'p.id = $1' : 'p.name = $1';
    const rows: DatasetRow[] = await db.query(`SELECT ${ROW_COLUMNS} FROM package p WHERE ${where}${opts.lock ? ' FOR UPDATE' : ''}`, [idOrName]);
    if (rows[0] || !isUuid(idOrName)) return rows[0] ?? null;
    // A UUID-shaped name is possible (a deleted dataset renamed to its id, or a harvested one).
    const byName: DatasetRow[] = await db.query(`SELECT ${ROW_COLUMNS} FROM package p WHERE p.name = $1${opts.lock ? ' FOR UPDATE' : ''}`, [idOrName]);
    return byName[0] ?? null;
  }

  /** findRow for many references at once (a group's `packages`): each found reference maps to its row. */
  async findRows(db: EntityManager, refs: string[]): Promise<Map<string, DatasetRow>> {
    if (!refs.length) return new Map();
    const rows: DatasetRow[] = await db.query(`SELECT ${ROW_COLUMNS} FROM package p WHERE p.id = ANY($1::uuid[]) OR p.name = ANY($2::text[])`, [
      refs.filter(isUuid),
      refs,
    ]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const byName = new Map(rows.map((r) => [r.name, r]));
    const out = new Map<string, DatasetRow>();
    // As findRow: an id first, then a (possibly UUID-shaped) name.
    for (const ref of refs) {
      const row = (isUuid(ref) ? byId.get(ref.toLowerCase()) : undefined) ?? byName.get(ref);
      if (row) out.set(ref, row);
    }
    return out;
  }

  /** Sets computed field `key` of dataset `id` (package.derived); false when it already held that value. */
  async setDerived(db: EntityManager, id: string, key: string, value: unknown): Promise<boolean> {
    const rows: { id: string }[] = await db.query(
      `UPDATE package SET derived = coalesce(derived, '{}'::jsonb) || jsonb_build_object($2::text, $3::jsonb)
        WHERE id = $1 AND (derived -> $2::text) IS DISTINCT FROM $3::jsonb RETURNING id`,
      [id, key, JSON.stringify(value)],
    );
    return rows.length > 0;
  }

  async loadDict(db: EntityManager, id: string): Promise<DatasetDictRow | null> {
    const rows = await preparedQuery<DatasetDictRow>(db, 'package-dict-by-id', `${DICT_SQL} WHERE p.id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** The whole dict by id or name in one round trip (package_show). */
  async loadDictByIdOrName(db: EntityManager, idOrName: string): Promise<DatasetDictRow | null> {
    if (isUuid(idOrName)) {
      const byId = await this.loadDict(db, idOrName);
      if (byId) return byId;
    }
    const rows = await preparedQuery<DatasetDictRow>(db, 'package-dict-by-name', `${DICT_SQL} WHERE p.name = $1`, [idOrName]);
    return rows[0] ?? null;
  }

  /** Dicts for many datasets, in the order of `ids`. */
  async loadDicts(db: EntityManager, ids: string[]): Promise<DatasetDictRow[]> {
    if (!ids.length) return [];
    const rows = await preparedQuery<DatasetDictRow>(db, 'package-dicts-by-ids', `${DICT_SQL} WHERE p.id = ANY($1::uuid[])`, [ids]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id)).filter((r): r is DatasetDictRow => r !== undefined);
  }

  /** Id of a live (not deleted) dataset using `name`, other than `exceptId`. */
  async nameHolder(db: EntityManager, name: string, exceptId?: string): Promise<{ id: string; state: string } | null> {
    const rows = await preparedQuery<{ id: string; state: string }>(db, 'package-name-holder', `SELECT id, state FROM package WHERE name = $1`, [name]);
    const row = rows[0];
    return row && row.id !== exceptId ? row : null;
  }

  /** A deleted dataset gives up its name: it is renamed to its id, as CKAN does. */
  async releaseNameOfDeleted(db: EntityManager, id: string): Promise<void> {
    await db.query(`UPDATE package SET name = id::text WHERE id = $1 AND state = 'deleted'`, [id]);
  }

  async exists(db: EntityManager, id: string): Promise<boolean> {
    const rows = await db.query(`SELECT 1 FROM package WHERE id = $1`, [id]);
    return rows.length > 0;
  }

  /**
   * Inserts the package row and, in the same statement (one round trip fewer per create), the tag names it
   * will carry that have no tag row yet; `linkTags` then links them.
   */
  async insert(
    db: EntityManager, id: string, v: DatasetValues, creatorUserId: string | null, times: { created?: string; modified?: string }, tagNames: string[] = [],
  ): Promise<void> {
    await preparedQuery(
      db,
      'package-insert',
      `WITH p AS (
         INSERT INTO package (id, name, title, notes, url, version, author, author_email, maintainer, maintainer_email, license_id,
                              owner_org, private, state, type, extras, plugin_data, creator_user_id, metadata_created, metadata_modified, access_level, read_only)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,
                 COALESCE($19::timestamptz, clock_timestamp()), COALESCE($20::timestamptz, $19::timestamptz, clock_timestamp()), $22, $23))
       ${NEW_TAGS_SQL('$21')}`,
      [id, v.name, v.title, v.notes, v.url, v.version, v.author, v.author_email, v.maintainer, v.maintainer_email, v.license_id,
        v.owner_org, v.private, v.state, v.type, JSON.stringify(v.extras), v.plugin_data === null ? null : JSON.stringify(v.plugin_data),
        creatorUserId, times.created ?? null, times.modified ?? null, tagNames, v.access_level, v.read_only],
    );
  }

  async update(db: EntityManager, id: string, v: DatasetValues): Promise<void> {
    await db.query(
      `UPDATE package SET name=$2, title=$3, notes=$4, url=$5, version=$6, author=$7, author_email=$8, maintainer=$9,
              maintainer_email=$10, license_id=$11, owner_org=$12, private=$13, state=$14, type=$15, extras=$16, plugin_data=$17,
              access_level=$18, read_only=$19, metadata_modified = clock_timestamp()
        WHERE id = $1`,
      [id, v.name, v.title, v.notes, v.url, v.version, v.author, v.author_email, v.maintainer, v.maintainer_email, v.license_id,
        v.owner_org, v.private, v.state, v.type, JSON.stringify(v.extras), v.plugin_data === null ? null : JSON.stringify(v.plugin_data), v.access_level,
        v.read_only],
    );
  }

  /** Marks a change made through a child (a resource) on the dataset. */
  async touch(db: EntityManager, id: string): Promise<void> {
    await db.query(`UPDATE package SET metadata_modified = clock_timestamp() WHERE id = $1`, [id]);
  }

  /**
   * Makes the dataset carry exactly the free tags `names` and the vocabulary tags `vocabularyTagIds` (a new dataset
   * gets its free tags from `insert` and `linkTags`).
   */
  async setTags(db: EntityManager, id: string, names: string[], vocabularyTagIds: string[] = []): Promise<void> {
    await db.query(`DELETE FROM package_tag WHERE package_id = $1`, [id]);
    if (names.length) {
      await db.query(NEW_TAGS_SQL('$1'), [names]);
      await this.linkTags(db, id, names);
    }
    await this.linkTagIds(db, id, vocabularyTagIds);
  }

  /** Links the dataset to existing tags by id (a vocabulary's tags, which writing a dataset never creates). */
  async linkTagIds(db: EntityManager, id: string, tagIds: string[]): Promise<void> {
    if (!tagIds.length) return;
    await db.query(`INSERT INTO package_tag (package_id, tag_id) SELECT $1, t FROM unnest($2::uuid[]) AS t ON CONFLICT DO NOTHING`, [id, tagIds]);
  }

  /**
   * Links the dataset to the free tags `names`, whose rows exist. A separate statement from the one creating them: a
   * statement does not see the rows a concurrent writer committed while it ran, so a tag that writer created
   * would not be found in the same statement.
   */
  async linkTags(db: EntityManager, id: string, names: string[]): Promise<void> {
    if (!names.length) return;
    await preparedQuery(
      db,
      'package-tags-link',
      `INSERT INTO package_tag (package_id, tag_id) SELECT $1, t.id FROM tag t WHERE t.name = ANY($2::text[]) AND t.vocabulary_id IS NULL ON CONFLICT DO NOTHING`,
      [id, names],
    );
  }

  async setGroups(db: EntityManager, id: string, groupIds: string[], opts: { fresh?: boolean } = {}): Promise<void> {
    if (!opts.fresh) await db.query(`DELETE FROM package_group WHERE package_id = $1`, [id]);
    if (groupIds.length) {
      await db.query(`INSERT INTO package_group (package_id, group_id) SELECT $1, g FROM unnest($2::uuid[]) AS g ON CONFLICT DO NOTHING`, [id, groupIds]);
    }
  }

  async groupIds(db: EntityManager, id: string): Promise<string[]> {
    const rows: { group_id: string }[] = await db.query(`SELECT group_id FROM package_group WHERE package_id = $1`, [id]);
    return rows.map((r) => r.group_id);
  }

  async softDelete(db: EntityManager, id: string): Promise<void> {
    await db.query(`UPDATE package SET state = 'deleted', metadata_modified = clock_timestamp() WHERE id = $1`, [id]);
    // CKAN removes a deleted dataset from its groups.
    await db.query(`DELETE FROM package_group WHERE package_id = $1`, [id]);
    // CKAN's package_delete removes the dataset's collaborators too.
    await db.query(`DELETE FROM package_member WHERE package_id = $1`, [id]);
  }

  /** Removes the dataset and (by cascade) its resources, tags and group links. */
  async purge(db: EntityManager, id: string): Promise<void> {
    await db.query(`DELETE FROM package WHERE id = $1`, [id]);
  }

  /** package_list: names of the active datasets anyone may read (CKAN lists no more, even for sysadmins), by name. */
  async listPublicNames(db: EntityManager, limit: number | undefined, offset: number | undefined): Promise<string[]> {
    const params: unknown[] = [limit ?? null, offset ?? 0];
    const rows: { name: string }[] = await db.query(
      `SELECT name FROM package WHERE state = 'active' AND ${readableSql(ANONYMOUS, params)} ORDER BY name LIMIT $1 OFFSET $2`,
      params,
    );
    return rows.map((r) => r.name);
  }

  /** package_autocomplete: active datasets the caller may read whose name or title contains q (CKAN matches n-grams), prefix matches first. */
  async autocomplete(db: EntityManager, q: string, limit: number, reader: Reader): Promise<{ name: string; title: string | null }[]> {
    const like = q.replace(/[\\%_]/g, (c) => `\\${c}`).toLowerCase();
    const params: unknown[] = [like, limit];
    return db.query(
      `SELECT name, title FROM package
        WHERE state = 'active' AND ${readableSql(reader, params)}
          AND (name LIKE '%' || $1 || '%' OR lower(title) LIKE '%' || $1 || '%')
        ORDER BY (name LIKE $1 || '%' OR lower(title) LIKE $1 || '%') DESC, length(name), name
        LIMIT $2`,
      params,
    );
  }

  newId(): string {
    return randomUUID();
  }

  /** bulk_update_*: which of `ids` the organization owns and are not deleted (others are passed over, as CKAN filters on owner_org). */
  async idsOwnedBy(db: EntityManager, orgId: string, ids: string[]): Promise<string[]> {
    const rows: { id: string }[] = await db.query(
      `SELECT id FROM package WHERE id::text = ANY($1::text[]) AND owner_org = $2 AND state <> 'deleted' ORDER BY id`,
      [ids, orgId],
    );
    return rows.map((r) => r.id);
  }

  /** The datasets an organization owns or a group holds. */
  async idsOwnedByOrIn(db: EntityManager, groupId: string): Promise<string[]> {
    const rows: { id: string }[] = await db.query(`SELECT id FROM package WHERE owner_org = $1 UNION SELECT package_id FROM package_group WHERE group_id = $1`, [groupId]);
    return rows.map((r) => r.id);
  }
}
