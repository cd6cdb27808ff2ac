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

  /** Whether `id` is an active organization. */
  async isActiveOrganization(db: EntityManager, id: string): Promise<boolean> {
    const rows: unknown[] = await db.query(`SELECT 1 FROM catalog_group WHERE id = $1 AND is_organization AND state = 'active'`, [id]);
    return rows.length > 0;
  }

  /** An active organization by id or name, for an API token's restriction. */
  async findOrganization(db: EntityManager, idOrName: string): Promise<{ id: string; name: string } | null> {
    const rows: { id: string; name: string }[] = await db.query(
      `SELECT id, name FROM catalog_group WHERE (id::text = $1 OR name = $1) AND is_organization AND state = 'active'`,
      [idOrName],
    );
    return rows[0] ?? null;
  }
}
