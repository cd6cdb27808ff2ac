import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ActionContext } from '../api/action-context';
import { APP_CONFIG, AppConfig } from '../config/env';
import { MembershipRepository, Roles } from './membership.repository';

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

/** The roles AUTH_ROLES_THAT_CASCADE_TO_SUB_GROUPS names (CKAN's default, "admin", without a configuration). */
export function defaultCascadeRoles(config?: Pick<AppConfig, 'AUTH_ROLES_THAT_CASCADE_TO_SUB_GROUPS'>): Role[] {
  const raw = config?.AUTH_ROLES_THAT_CASCADE_TO_SUB_GROUPS ?? 'admin';
  return [...new Set(raw.split(/[\s,]+/).filter((r): r is Role => (ROLES as readonly string[]).includes(r)))];
}

/**
 * Permission questions every auth rule asks, answered from the caller's memberships (loaded once
 * per request). Sysadmins pass every check here; the dispatcher already lets them through most rules.
 */
@Injectable()
export class Authz {
  constructor(private readonly roles: MembershipRepository, @Optional() @Inject(APP_CONFIG) private readonly config?: AppConfig) {}

  /** Roles that cascade to sub-organizations from an organization whose own cascade_roles is unset. */
  get cascadeByDefault(): Role[] {
    return defaultCascadeRoles(this.config);
  }

  /**
   * A user's roles by organization/group id, those reaching down the organization hierarchy included (what
   * `memberships` gives the caller, without a token's restriction).
   */
  rolesOf(ctx: ActionContext, userId: string): Promise<Roles> {
    return this.roles.rolesOf(ctx.db, userId, this.cascadeByDefault);
  }

  /**
   * The caller's role by organization/group id (active groups only), including the roles that reach an organization
   * from its parents (MembershipRepository.rolesOf), so every permission and read path follows the hierarchy. An API
   * token restricted to an organization brings its owner's role in that organization alone (a sysadmin's: admin; one
   * reaching it from a parent counts, the organizations below it do not), so every permission question and every read
   * path (Visibility.readerOf) stays inside it; public data stays readable as for anyone.
   */
  memberships(ctx: ActionContext): Promise<Map<string, string>> {
    const user = ctx.user;
    if (!user) return Promise.resolve(new Map());
    const only = user.token?.organizationId;
    if (!only) return ctx.memberships(() => this.rolesOf(ctx, user.id));
    return ctx.memberships(async () => {
      // A sysadmin is admin there whatever its membership says; anyone else has the role they hold in it, or none.
      if (user.token?.ownerIsSysadmin) return (await this.roles.isActiveOrganization(ctx.db, only)) ? new Roles([[only, 'admin']], new Set([only])) : new Roles();
      const all = await this.rolesOf(ctx, user.id);
      const role = all.get(only);
      return role ? new Roles([[only, role]], new Set(all.organizations.has(only) ? [only] : [])) : new Roles();
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

  /**
   * Issue 14: whether one of `groupIds` (the caller's, from groupIdsWith) is an active organization, not a group:
   * such a caller belongs to the platform and reads its 'internal' datasets. The caller's memberships know which of
   * their groups are organizations (loaded with the roles); other ids are asked once per action run.
   */
  async inSomeOrganization(ctx: ActionContext, groupIds: readonly string[]): Promise<boolean> {
    if (!groupIds.length) return false;
    const roles = await this.memberships(ctx);
    if (roles instanceof Roles && groupIds.every((id) => roles.has(id))) return groupIds.some((id) => roles.organizations.has(id));
    return ctx.memo(`in-some-organization:${[...groupIds].sort().join(',')}`, () => this.roles.anyOrganization(ctx.db, groupIds));
  }

  /** Ids of the groups/organizations where the caller has `permission`. */
  async groupIdsWith(ctx: ActionContext, permission: Permission): Promise<string[]> {
    const out: string[] = [];
    for (const [id, cap] of await this.memberships(ctx)) if (roleAllows(cap, permission)) out.push(id);
    return out;
  }
}
