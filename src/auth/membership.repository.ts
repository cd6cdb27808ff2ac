import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { preparedQuery } from '../database/prepared';

/** The queries permission checks rest on: a user's roles in organizations and groups, and their dataset collaborations. */
@Injectable()
export class MembershipRepository {
  /** The user's role by organization/group id (active groups only), asked once per request by Authz. */
  async rolesOf(db: EntityManager, userId: string): Promise<Map<string, string>> {
    const rows = await preparedQuery<{ group_id: string; capacity: string }>(
      db,
      'memberships-of-user',
      `SELECT m.group_id, m.capacity FROM member m JOIN catalog_group g ON g.id = m.group_id
        WHERE m.user_id = $1 AND g.state = 'active'`,
      [userId],
    );
    return new Map(rows.map((r) => [r.group_id, r.capacity]));
  }

  /** The user's capacity by dataset id where they are a collaborator (package_member), asked once per action run by Collaborations. */
  async collaborationsOf(db: EntityManager, userId: string): Promise<Map<string, string>> {
    const rows = await preparedQuery<{ package_id: string; capacity: string }>(
      db,
      'collaborations-of-user',
      'SELECT package_id, capacity FROM package_member WHERE user_id = $1',
      [userId],
    );
    return new Map(rows.map((r) => [r.package_id, r.capacity]));
  }
}
