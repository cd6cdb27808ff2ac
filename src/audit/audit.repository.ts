import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { editableSql, Reader, readableSql } from '../auth/visibility';

/** One row of CKAN's activity stream as stored. */
export interface ActivityRow {
  id: string;
  timestamp: string;
  user_id: string | null;
  object_id: string;
  object_type: ActivityObjectType;
  activity_type: string;
  data: Record<string, unknown>;
}

export type ActivityObjectType = 'package' | 'organization' | 'group' | 'user';

export interface WriteRecord {
  userId: string | null;
  userName: string | null;
  action: string;
  outermost: boolean;
  objectType: string | null;
  objectId: string | null;
  input: Record<string, unknown>;
  requestId: string | null;
}

export interface NewActivity {
  userId: string | null;
  objectId: string;
  objectType: ActivityObjectType;
  activityType: string;
  data: Record<string, unknown>;
  hidden: boolean;
  writeId: string;
}

/** Which activities a list is about. */
export type ActivityScope =
  | { kind: 'package'; id: string }
  | { kind: 'organization'; id: string }
  | { kind: 'group'; id: string }
  | { kind: 'user'; id: string }
  | { kind: 'recent_packages' };

export interface ActivityQuery {
  scope: ActivityScope;
  limit: number;
  offset: number;
  includeHidden: boolean;
  types?: string[];
  excludeTypes?: string[];
  /** Seconds since the epoch. */
  after?: number;
  before?: number;
}

const COLUMNS = `a.id, a.timestamp::text AS timestamp, a.user_id, a.object_id, a.object_type, a.activity_type, a.data`;

/**
 * Every query on audit_write and activity. Both tables are append-only (a trigger refuses UPDATE and DELETE), so
 * there are only inserts and reads here.
 *
 * Who may see an activity of a dataset: whoever may read the dataset now AND could have read it as it was when the
 * activity was written (its `package` row then, kept in `package_row`): CKAN's permission labels stored with each
 * activity, expressed through the one visibility rule (src/auth/visibility.ts) on both rows. A dataset made public
 * later does not reveal what it held while it was private; a purged dataset's activities are left to sysadmins.
 */
@Injectable()
export class AuditRepository {
  async insertWrite(db: EntityManager, w: WriteRecord): Promise<string> {
    const rows: { id: string }[] = await db.query(
      `INSERT INTO audit_write (user_id, user_name, action, outermost, object_type, object_id, input, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8) RETURNING id`,
      [w.userId, w.userName, w.action, w.outermost, w.objectType, w.objectId, JSON.stringify(w.input), w.requestId],
    );
    return rows[0].id;
  }

  /** Appends an activity; a dataset's activity keeps the dataset's row as it is now (for visibility, see above). */
  async insertActivity(db: EntityManager, a: NewActivity): Promise<string> {
    const rows: { id: string }[] = await db.query(
      `INSERT INTO activity (user_id, object_id, object_type, activity_type, data, hidden, write_id, package_row)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, CASE WHEN $3 = 'package' THEN (SELECT to_jsonb(p) FROM package p WHERE p.id = $2) END)
       RETURNING id`,
      [a.userId, a.objectId, a.objectType, a.activityType, JSON.stringify(a.data), a.hidden, a.writeId],
    );
    return rows[0].id;
  }

  /**
   * Appends a dataset's activity after a write, in one statement (the activity stream's rules, decided against the
   * dataset's latest activity in the same statement): `verb` 'deleted' becomes 'changed' when the latest activity is
   * already its 'deleted package'; a 'changed' activity whose package equals the latest one's (jsonb equality, without
   * `ignoredKeys`) is not written, as CKAN makes no activity of a package_update that changed nothing. `data.package`
   * is the dataset's dict. Answers the new activity's id, or null when none was written. A 'new' one never reads the
   * latest activity.
   */
  async insertPackageActivity(
    db: EntityManager, a: Omit<NewActivity, 'objectType' | 'activityType'> & { verb: 'new' | 'changed' | 'deleted' }, ignoredKeys: string[],
  ): Promise<string | null> {
    // A new dataset's activity asks nothing of earlier ones: the plain insert, which plans in a third of the time.
    if (a.verb === 'new') return this.insertActivity(db, { ...a, objectType: 'package', activityType: 'new package' });
    const rows: { id: string }[] = await db.query(
      `WITH latest AS (
         SELECT activity_type, data FROM activity WHERE object_id = $2 ORDER BY seq DESC LIMIT 1
       ), verb AS (
         SELECT CASE WHEN $6::text = 'deleted' AND (SELECT activity_type FROM latest) = 'deleted package' THEN 'changed' ELSE $6::text END AS v
       )
       INSERT INTO activity (user_id, object_id, object_type, activity_type, data, hidden, write_id, package_row)
       SELECT $1, $2, 'package', verb.v || ' package', $3::jsonb, $4, $5, (SELECT to_jsonb(p) FROM package p WHERE p.id = $2)
         FROM verb
        WHERE NOT (verb.v = 'changed' AND EXISTS (
          SELECT 1 FROM latest WHERE ((latest.data -> 'package') - $7::text[]) = (($3::jsonb -> 'package') - $7::text[])))
       RETURNING id`,
      [a.userId, a.objectId, JSON.stringify(a.data), a.hidden, a.writeId, a.verb, ignoredKeys],
    );
    return rows[0]?.id ?? null;
  }

  /**
   * The condition that `reader` may see activity `a`: anything but a dataset's activity, or one of a dataset they may
   * read now and could read then. `needEdit`: the dataset must be one they may edit now (activity_data_show, activity_diff).
   */
  private visibleSql(reader: Reader, params: unknown[], needEdit = false): string {
    if (reader.all) return 'TRUE';
    const now = needEdit ? editableSql(reader, params, 'vp') : readableSql(reader, params, 'vp');
    const then = readableSql(reader, params, 'was');
    return `(a.object_type <> 'package' OR (
      EXISTS (SELECT 1 FROM package vp WHERE vp.id = a.object_id AND ${now})
      AND EXISTS (SELECT 1 FROM jsonb_populate_record(NULL::package, a.package_row) was WHERE ${then})))`;
  }

  async list(db: EntityManager, q: ActivityQuery, reader: Reader): Promise<ActivityRow[]> {
    const params: unknown[] = [];
    const p = (v: unknown): string => {
      params.push(v);
      return `$${params.length}`;
    };
    const where: string[] = [];
    const s = q.scope;
    switch (s.kind) {
      case 'package':
        where.push(`a.object_id = ${p(s.id)}`);
        break;
      case 'organization': {
        const id = p(s.id);
        // CKAN compat: CKAN leaves private datasets out of an organization's stream for everyone; here they are in it for those who may see them.
        where.push(`(a.object_id = ${id} OR a.object_id IN (SELECT id FROM package WHERE owner_org = ${id}))`);
        break;
      }
      case 'group': {
        const id = p(s.id);
        where.push(`(a.object_id = ${id} OR a.object_id IN (SELECT package_id FROM package_group WHERE group_id = ${id}))`);
        break;
      }
      case 'user': {
        const id = p(s.id);
        where.push(`(a.user_id = ${id} OR a.object_id = ${id})`);
        break;
      }
      case 'recent_packages':
        where.push(`a.object_type = 'package'`);
        break;
    }
    if (!q.includeHidden) where.push('NOT a.hidden');
    if (q.types?.length) where.push(`a.activity_type = ANY(${p(q.types)}::text[])`);
    else if (q.excludeTypes?.length) where.push(`NOT (a.activity_type = ANY(${p(q.excludeTypes)}::text[]))`);
    if (q.after !== undefined) where.push(`a.timestamp > to_timestamp(${p(q.after)})`);
    if (q.before !== undefined) where.push(`a.timestamp < to_timestamp(${p(q.before)})`);
    where.push(this.visibleSql(reader, params));
    // CKAN: with only `after`, the oldest activities after it (ascending, then reversed), else the newest first.
    const ascending = q.after !== undefined && q.before === undefined;
    const rows: ActivityRow[] = await db.query(
      `SELECT ${COLUMNS} FROM activity a WHERE ${where.join(' AND ')}
       ORDER BY a.seq ${ascending ? 'ASC' : 'DESC'} LIMIT ${p(q.limit)} OFFSET ${p(q.offset)}`,
      params,
    );
    return ascending ? rows.reverse() : rows;
  }

  /** An activity by id, whether or not anyone may see it (auth decides with `visible`). */
  async find(db: EntityManager, id: string): Promise<ActivityRow | null> {
    const rows: ActivityRow[] = await db.query(`SELECT ${COLUMNS} FROM activity a WHERE a.id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** Whether `reader` may see activity `id` (with `needEdit`: and edit its dataset now). */
  async visible(db: EntityManager, id: string, reader: Reader, needEdit = false): Promise<boolean> {
    const params: unknown[] = [id];
    const rows = await db.query(`SELECT 1 FROM activity a WHERE a.id = $1 AND ${this.visibleSql(reader, params, needEdit)}`, params);
    return rows.length > 0;
  }

  /** The activity of the same object just before `id` (activity_diff's other side), if `reader` may see it. */
  async previous(db: EntityManager, id: string, reader: Reader): Promise<ActivityRow | null> {
    const params: unknown[] = [id];
    const rows: ActivityRow[] = await db.query(
      `SELECT ${COLUMNS} FROM activity a, activity cur
       WHERE cur.id = $1 AND a.object_id = cur.object_id AND a.seq < cur.seq AND ${this.visibleSql(reader, params)}
       ORDER BY a.seq DESC LIMIT 1`,
      params,
    );
    return rows[0] ?? null;
  }

  /** The write actions recorded since `sinceSeq` (for checks that every write leaves a trace). */
  async writesSince(db: EntityManager, sinceSeq: number): Promise<{ seq: number; action: string; outermost: boolean; user_id: string | null; object_id: string | null; input: Record<string, unknown> }[]> {
    return db.query(`SELECT seq::int AS seq, action, outermost, user_id, object_id, input FROM audit_write WHERE seq > $1 ORDER BY seq`, [sinceSeq]);
  }

  async lastWriteSeq(db: EntityManager): Promise<number> {
    const rows: { seq: number | null }[] = await db.query(`SELECT max(seq)::int AS seq FROM audit_write`);
    return rows[0].seq ?? 0;
  }
}
