import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { preparedQuery } from '../database/prepared';

/** The one query permission checks rest on: a user's roles in organizations and groups. */
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

  /** Issue 14: whether one of these groups is an active organization. */
  async anyOrganization(db: EntityManager, groupIds: readonly string[]): Promise<boolean> {
    const rows = await preparedQuery<{ found: boolean }>(
      db,
      'any-active-organization',
      `SELECT EXISTS (SELECT 1 FROM catalog_group WHERE id = ANY($1::uuid[]) AND is_organization AND state = 'active') AS found`,
      [groupIds],
    );
    return rows[0]?.found === true;
  }
}
