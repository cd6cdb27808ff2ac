import { Injectable } from '@nestjs/common';
import type { ActionContext } from '../api/action-context';
import { preparedQuery } from '../database/prepared';

/** CKAN's roles and what each may do in its organization (ckan/authz.py ROLE_PERMISSIONS). */
export const ROLES = ['admin', 'editor', 'member'] as const;
export type Role = (typeof ROLES)[number];

export type Permission = 'read' | 'delete_dataset' | 'create_dataset' | 'update_dataset' | 'manage_group' | 'membership' | 'update' | 'delete' | 'admin';

const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: ['admin', 'membership'],
  editor: ['read', 'delete_dataset', 'create_dataset', 'update_dataset', 'manage_group'],
  member: ['read', 'manage_group'],
};

/** An admin may do everything in its organization; the other roles what their list names. */
export function roleAllows(capacity: string | undefined, permission: Permission): boolean {
  if (!capacity || !(capacity in ROLE_PERMISSIONS)) return false;
  const perms = ROLE_PERMISSIONS[capacity as Role];
  return perms.includes('admin') || perms.includes(permission);
}

/** What decides who may read a dataset. */
export interface DatasetVisibility {
  ownerOrg: string | null;
  isPrivate: boolean;
  state: string;
  creatorUserId: string | null;
}

/** Whose non-public datasets a caller may read, as filter values (see Authz.readableLabels). */
export interface ReadableLabels {
  orgIds: string[];
  userId: string | null;
}

/**
 * canReadDataset for a caller's labels as an SQL condition on the `package` table (alias `p`, or none):
 * active public datasets, those of the caller's organizations, and their own datasets without one. Pushes its
 * values onto `params`; the caller adds which states it lists.
 */
export function readableByLabelsSql(labels: ReadableLabels, params: unknown[], alias = ''): string {
  const a = alias ? `${alias}.` : '';
  params.push(labels.orgIds, labels.userId);
  return `((${a}state = 'active' AND NOT ${a}private) OR ${a}owner_org = ANY($${params.length - 1}::uuid[])
          OR (${a}owner_org IS NULL AND ${a}creator_user_id = $${params.length}::uuid))`;
}

/**
 * Permission questions every auth rule asks, answered from the caller's memberships (loaded once
 * per request). Sysadmins pass every check here; the dispatcher already lets them through most rules.
 */
@Injectable()
export class Authz {
  /** The caller's role by organization/group id (active groups only). */
  memberships(ctx: ActionContext): Promise<Map<string, string>> {
    const user = ctx.user;
    if (!user) return Promise.resolve(new Map());
    return ctx.memberships(async () => {
      const rows = await preparedQuery<{ group_id: string; capacity: string }>(
        ctx.db,
        'memberships-of-user',
        `SELECT m.group_id, m.capacity FROM member m JOIN catalog_group g ON g.id = m.group_id
          WHERE m.user_id = $1 AND g.state = 'active'`,
        [user.id],
      );
      return new Map(rows.map((r) => [r.group_id, r.capacity]));
    });
  }

  async capacityIn(ctx: ActionContext, groupId: string): Promise<string | undefined> {
    return (await this.memberships(ctx)).get(groupId);
  }

  /** has_user_permission_for_group_or_org */
  async can(ctx: ActionContext, groupId: string | null | undefined, permission: Permission): Promise<boolean> {
    if (!groupId || !ctx.user) return false;
    if (ctx.isSysadmin) return true;
    return roleAllows(await this.capacityIn(ctx, groupId), permission);
  }

  /** has_user_permission_for_some_org */
  async canInSomeGroup(ctx: ActionContext, permission: Permission): Promise<boolean> {
    if (!ctx.user) return false;
    if (ctx.isSysadmin) return true;
    for (const cap of (await this.memberships(ctx)).values()) if (roleAllows(cap, permission)) return true;
    return false;
  }

  /** Ids of the groups/organizations where the caller has `permission`. */
  async groupIdsWith(ctx: ActionContext, permission: Permission): Promise<string[]> {
    const out: string[] = [];
    for (const [id, cap] of await this.memberships(ctx)) if (roleAllows(cap, permission)) out.push(id);
    return out;
  }

  /**
   * canReadDataset as a filter for many datasets at once (package_search's permission labels): null when the
   * caller may read everything, else the organizations whose private and draft datasets they may read, and
   * their own id for datasets without an organization.
   */
  async readableLabels(ctx: ActionContext): Promise<ReadableLabels | null> {
    if (ctx.isSysadmin || ctx.ignoreAuth) return null;
    if (!ctx.user) return { orgIds: [], userId: null };
    return { orgIds: await this.groupIdsWith(ctx, 'read'), userId: ctx.user.id };
  }

  /**
   * CKAN's permission labels: an active public dataset is readable by all; a private, draft or
   * deleted one by members of its organization (or its creator when it has none) and sysadmins.
   */
  async canReadDataset(ctx: ActionContext, d: DatasetVisibility): Promise<boolean> {
    if (d.state === 'active' && !d.isPrivate) return true;
    if (!ctx.user) return false;
    if (ctx.isSysadmin) return true;
    if (d.ownerOrg) return roleAllows(await this.capacityIn(ctx, d.ownerOrg), 'read');
    return d.creatorUserId === ctx.user.id;
  }
}
