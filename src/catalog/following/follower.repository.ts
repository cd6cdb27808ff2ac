import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { UserRow } from '../../auth/user.repository';
import { Reader, readableSql } from '../../auth/visibility';

/** What a user follows: another user, a dataset, or a group or organization (both 'group', as in CKAN). */
export type FollowedType = 'user' | 'dataset' | 'group';

export interface FollowRow {
  follower_id: string;
  object_id: string;
  created: string;
}

/**
 * Every query on user_following. Followers are users who are not deleted; followed objects count only while they
 * exist and (datasets) only when `reader` may read them, so no count or list reveals a private dataset.
 */
@Injectable()
export class FollowerRepository {
  async follow(db: EntityManager, followerId: string, type: FollowedType, objectId: string): Promise<FollowRow> {
    await db.query(`INSERT INTO user_following (follower_id, object_type, object_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [followerId, type, objectId]);
    const rows: FollowRow[] = await db.query(
      `SELECT follower_id, object_id, created FROM user_following WHERE follower_id = $1 AND object_type = $2 AND object_id = $3`,
      [followerId, type, objectId],
    );
    return rows[0];
  }

  async unfollow(db: EntityManager, followerId: string, type: FollowedType, objectId: string): Promise<void> {
    await db.query(`DELETE FROM user_following WHERE follower_id = $1 AND object_type = $2 AND object_id = $3`, [followerId, type, objectId]);
  }

  async isFollowing(db: EntityManager, followerId: string, type: FollowedType, objectId: string): Promise<boolean> {
    const rows = await db.query(`SELECT 1 FROM user_following WHERE follower_id = $1 AND object_type = $2 AND object_id = $3`, [followerId, type, objectId]);
    return rows.length > 0;
  }

  async followerCount(db: EntityManager, type: FollowedType, objectId: string): Promise<number> {
    const rows: { n: number }[] = await db.query(
      `SELECT count(*)::int AS n FROM user_following f JOIN user_account u ON u.id = f.follower_id
        WHERE f.object_type = $1 AND f.object_id = $2 AND u.state <> 'deleted'`,
      [type, objectId],
    );
    return rows[0].n;
  }

  async followers(db: EntityManager, type: FollowedType, objectId: string): Promise<UserRow[]> {
    return db.query(
      `SELECT u.* FROM user_following f JOIN user_account u ON u.id = f.follower_id
        WHERE f.object_type = $1 AND f.object_id = $2 AND u.state <> 'deleted' ORDER BY u.name COLLATE "C"`,
      [type, objectId],
    );
  }

  async followedUsers(db: EntityManager, followerId: string): Promise<UserRow[]> {
    return db.query(
      `SELECT u.* FROM user_following f JOIN user_account u ON u.id = f.object_id
        WHERE f.follower_id = $1 AND f.object_type = 'user' AND u.state <> 'deleted' ORDER BY u.name COLLATE "C"`,
      [followerId],
    );
  }

  async followedDatasetIds(db: EntityManager, followerId: string, reader: Reader): Promise<string[]> {
    const params: unknown[] = [followerId];
    const visible = readableSql(reader, params, 'p');
    const rows: { id: string }[] = await db.query(
      `SELECT p.id FROM user_following f JOIN package p ON p.id = f.object_id
        WHERE f.follower_id = $1 AND f.object_type = 'dataset' AND p.state = 'active' AND ${visible} ORDER BY p.name`,
      params,
    );
    return rows.map((r) => r.id);
  }

  /** Ids of the active groups and organizations the user follows. */
  async followedGroupIds(db: EntityManager, followerId: string): Promise<string[]> {
    const rows: { id: string }[] = await db.query(
      `SELECT g.id FROM user_following f JOIN catalog_group g ON g.id = f.object_id
        WHERE f.follower_id = $1 AND f.object_type = 'group' AND g.state = 'active'`,
      [followerId],
    );
    return rows.map((r) => r.id);
  }

  /** Followers of each of `objectIds` (group_show's num_followers). */
  async followerCounts(db: EntityManager, type: FollowedType, objectIds: string[]): Promise<Map<string, number>> {
    if (!objectIds.length) return new Map();
    const rows: { id: string; n: number }[] = await db.query(
      `SELECT f.object_id AS id, count(*)::int AS n FROM user_following f JOIN user_account u ON u.id = f.follower_id
        WHERE f.object_type = $1 AND f.object_id = ANY($2::uuid[]) AND u.state <> 'deleted' GROUP BY f.object_id`,
      [type, objectIds],
    );
    return new Map(rows.map((r) => [r.id, r.n]));
  }
}
