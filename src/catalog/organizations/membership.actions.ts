import { Injectable } from '@nestjs/common';
import { ActionProvider, AnyAction, allow, defineAction } from '../../api/action';
import type { ActionContext } from '../../api/action-context';
import { NotFound, ValidationError } from '../../api/errors';
import { Authz, roleAllows } from '../../auth/authz';
import { UserRepository } from '../../auth/user.repository';
import { GroupDicts } from './group-dicts.service';
import { GroupMembers } from './group-members.service';
import { authMembership, GroupKind, loadGroup } from './group.auth';
import { GroupListAuthzInput, ListForUserInput, MemberCreateInput, MemberDeleteInput, MemberRolesInput } from './group.dto';
import { GroupRepository } from './group.repository';

const PERMISSIONS = ['read', 'delete_dataset', 'create_dataset', 'update_dataset', 'manage_group', 'membership', 'update', 'delete', 'admin'];

/** *_member_create, *_member_delete, organization_list_for_user, member_roles_list */
@Injectable()
export class MembershipActions implements ActionProvider {
  constructor(
    private readonly groups: GroupRepository,
    private readonly users: UserRepository,
    private readonly dicts: GroupDicts,
    private readonly authz: Authz,
    private readonly members: GroupMembers,
  ) {}

  /** The groups among `rows` where Authz gives the caller a role that may add datasets (none through an organization-restricted token). */
  private async mine<G extends { id: string }>(ctx: ActionContext, rows: G[]): Promise<G[]> {
    const roles = await this.authz.memberships(ctx);
    return rows.filter((g) => roleAllows(roles.get(g.id), 'manage_group'));
  }

  private forKind(kind: GroupKind): AnyAction[] {
    const isOrg = kind === 'organization';
    const notFound = isOrg ? 'Organization not found' : 'Group not found';

    const create = defineAction({
      name: `${kind}_member_create`,
      help: `Make a user a member of ${isOrg ? 'an organization' : 'a group'}, or change their role.
Params: id (${kind} id or name), username (user id or name), role (${isOrg ? 'admin, editor or member' : 'admin or member'}).
Returns the membership {id, table_name, table_id, group_id, capacity, state}. Admins cannot revoke their own admin role.
Who may call: admins of the ${kind}, sysadmins.`,
      sideEffectFree: false,
      anonymous: false,
      input: MemberCreateInput,
      auth: async (ctx, input) => authMembership(ctx, this.authz, await loadGroup(ctx, this.groups, kind, input.id, notFound)),
      handler: async (ctx, input) => {
        const g = await loadGroup(ctx, this.groups, kind, input.id, notFound);
        if (!isOrg && input.role === 'editor') throw new ValidationError({ role: ['role does not exist.'] });
        const user = await this.users.find(ctx.db, input.username);
        if (!user || user.state === 'deleted') throw new ValidationError({ message: `User ${input.username} does not exist.` });
        const member = await this.members.setUser(ctx, g, user.id, input.role);
        return { capacity: input.role, group_id: g.id, id: member.id, state: 'active', table_id: user.id, table_name: 'user' };
      },
    });

    const del = defineAction({
      name: `${kind}_member_delete`,
      help: `Remove a user from ${isOrg ? 'an organization' : 'a group'}. Params: id (${kind} id or name), username (or user_id). Returns null.
Who may call: admins of the ${kind}, sysadmins.`,
      sideEffectFree: false,
      anonymous: false,
      input: MemberDeleteInput,
      auth: async (ctx, input) => authMembership(ctx, this.authz, await loadGroup(ctx, this.groups, kind, input.id, 'Group was not found.')),
      handler: async (ctx, input) => {
        const g = await loadGroup(ctx, this.groups, kind, input.id, 'Group was not found.');
        const ref = input.username ?? input.user_id;
        if (!ref) throw new ValidationError({ username: ['Missing value'] });
        const user = await this.users.find(ctx.db, ref);
        if (!user) throw new NotFound('User was not found.');
        await this.members.removeUser(ctx, g, user.id);
        return null;
      },
    });
    return [create, del];
  }

  readonly organizationListForUser = defineAction({
    name: 'organization_list_for_user',
    help: `Return the organizations a user belongs to where their role grants a permission, each with "capacity" (the role).
Params: id (user id or name; default the caller), permission (default "manage_group", which every role has; "create_dataset" for editors and admins,
"read", "admin"...), include_dataset_count (default false). Sysadmins get every organization, as admin. Anonymous callers get [].`,
    sideEffectFree: true,
    anonymous: true,
    input: ListForUserInput,
    auth: async () => allow(),
    handler: async (ctx, input) => {
      let user = ctx.user ? { id: ctx.user.id, sysadmin: ctx.user.sysadmin } : null;
      if (input.id) {
        const row = await this.users.find(ctx.db, input.id);
        if (!row) throw new NotFound();
        if (row.id !== ctx.user?.id) user = { id: row.id, sysadmin: row.sysadmin };
      }
      if (!user || !PERMISSIONS.includes(input.permission)) return [];
      // The caller's own organizations are those Authz gives it roles in (an organization-restricted token: that one);
      // another user's, their roles. Both include the organizations a role reaches down the hierarchy, as in CKAN.
      const roles = user.sysadmin ? undefined : user.id === ctx.user?.id ? await this.authz.memberships(ctx) : await this.authz.rolesOf(ctx, user.id);
      return this.dicts.forUser(ctx, user, input.permission, input.include_dataset_count, roles);
    },
  });

  readonly groupListAuthz = defineAction({
    name: 'group_list_authz',
    help: `Return the groups the caller may add datasets to (where they are a member), or every group for sysadmins.
Params: am_member (bool: sysadmins too get only groups they belong to), include_dataset_count, include_member_count (bool).`,
    sideEffectFree: true,
    anonymous: true,
    input: GroupListAuthzInput,
    auth: async () => allow(),
    handler: async (ctx, input) => {
      if (!ctx.user) return [];
      const all = ctx.isSysadmin && !input.am_member;
      const rows = all
        ? await this.groups.allActive(ctx.db, false)
        : await this.mine(ctx, await this.groups.forUser(ctx.db, ctx.user.id, false));
      const dicts = await this.dicts.buildMany(ctx, rows, { datasetCount: input.include_dataset_count, memberCount: input.include_member_count });
      return dicts.sort((a, b) => String(a.display_name).localeCompare(String(b.display_name)));
    },
  });

  readonly memberRolesList = defineAction({
    name: 'member_roles_list',
    help: 'Return the roles a member can have: [{text, value}]. Params: group_type ("organization", default, or "group", which has no editor).',
    sideEffectFree: true,
    anonymous: true,
    input: MemberRolesInput,
    auth: async () => allow(),
    handler: async (_ctx, input) => {
      const roles = [{ text: 'Admin', value: 'admin' }, { text: 'Editor', value: 'editor' }, { text: 'Member', value: 'member' }];
      return input.group_type === 'group' ? roles.filter((r) => r.value !== 'editor') : roles;
    },
  });

  all = (): AnyAction[] => [...this.forKind('organization'), ...this.forKind('group'), this.organizationListForUser, this.groupListAuthz, this.memberRolesList];
}
