import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { preparedQuery } from '../database/prepared';

/** Most levels of an organization tree: a top-level organization and up to seven below it (CKAN walks 8 steps). */
export const HIERARCHY_MAX_DEPTH = 8;

/** Roles from strongest to weakest; an unknown capacity counts least. */
const ROLE_STRENGTH = ['admin', 'editor', 'member'];

/**
 * A user's role by organization/group id, and which of those groups are active organizations (loaded with the roles,
 * so whether the user belongs to some organization of the platform needs no query of its own).
 */
export class Roles extends Map<string, string> {
  constructor(entries: Iterable<readonly [string, string]> = [], readonly organizations: ReadonlySet<string> = new Set()) {
    super(entries);
  }
}

/** The queries permission checks rest on: a user's roles in organizations and groups, and their dataset collaborations. */
@Injectable()
export class MembershipRepository {
  /**
   * The user's role by organization/group id (active groups only), asked once per request by Authz. A role held in an
   * organization also applies in every active sub-organization below it (organization hierarchy, issue 14) when the
   * organization's cascade_roles names it, or, while that is unset, `cascadeByDefault` does (CKAN's
   * roles_that_cascade_to_sub_groups). Where the user holds several roles in one organization, the strongest counts.
   */
  async rolesOf(db: EntityManager, userId: string, cascadeByDefault: readonly string[]): Promise<Roles> {
    // The walk stops after HIERARCHY_MAX_DEPTH steps even if a loop slipped in (writes refuse loops and deeper trees).
    const rows = await preparedQuery<{ group_id: string; capacity: string; is_organization: boolean }>(
      db,
      'memberships-of-user-with-cascade-and-kind',
      `WITH RECURSIVE direct AS (
         SELECT m.group_id, m.capacity, g.is_organization, COALESCE(g.cascade_roles, $2::varchar[]) AS cascades
           FROM member m JOIN catalog_group g ON g.id = m.group_id WHERE m.user_id = $1 AND g.state = 'active'
       ), below(group_id, capacity, depth) AS (
         SELECT c.id, d.capacity, 1 FROM direct d JOIN catalog_group c ON c.parent_id = d.group_id
          WHERE d.is_organization AND d.capacity = ANY(d.cascades) AND c.state = 'active' AND c.is_organization
         UNION
         SELECT c.id, b.capacity, b.depth + 1 FROM below b JOIN catalog_group c ON c.parent_id = b.group_id
          WHERE b.depth < ${HIERARCHY_MAX_DEPTH} AND c.state = 'active' AND c.is_organization
       )
       SELECT group_id, capacity, is_organization FROM direct UNION SELECT group_id, capacity, TRUE FROM below`,
      [userId, cascadeByDefault],
    );
    const organizations = new Set(rows.filter((r) => r.is_organization).map((r) => r.group_id));
    const out = new Roles([], organizations);
    for (const r of rows) {
      const held = out.get(r.group_id);
      if (held === undefined || ROLE_STRENGTH.indexOf(r.capacity) < ROLE_STRENGTH.indexOf(held)) out.set(r.group_id, r.capacity);
    }
    return out;
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

  /**
   * The user's capacity by dataset id where they are a collaborator (package_member), asked once per action run by
   * Collaborations; with `ownerOrg`, only on datasets that organization owns (an organization-restricted API token).
   */
  async collaborationsOf(db: EntityManager, userId: string, ownerOrg?: string): Promise<Map<string, string>> {
    const rows = ownerOrg
      ? await preparedQuery<{ package_id: string; capacity: string }>(
          db,
          'collaborations-of-user-in-org',
          'SELECT m.package_id, m.capacity FROM package_member m JOIN package p ON p.id = m.package_id WHERE m.user_id = $1 AND p.owner_org = $2',
          [userId, ownerOrg],
        )
      : await preparedQuery<{ package_id: string; capacity: string }>(
          db,
          'collaborations-of-user',
          'SELECT package_id, capacity FROM package_member WHERE user_id = $1',
          [userId],
        );
    return new Map(rows.map((r) => [r.package_id, r.capacity]));
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
