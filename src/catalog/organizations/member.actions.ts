import { Injectable } from '@nestjs/common';
import type { ActionContext } from '../../api/action-context';
import { ActionProvider, allow, AnyAction, AuthResult, defineAction, deny } from '../../api/action';
import { NotFound, ValidationError } from '../../api/errors';
import { Authz, Permission, ROLES } from '../../auth/authz';
import { UserRepository } from '../../auth/user.repository';
import { Visibility } from '../../auth/visibility';
import { visibilityOf } from '../datasets/dataset.auth';
import { DatasetRepository } from '../datasets/dataset.repository';
import { GroupMembers } from './group-members.service';
import { authGroupShow, authHierarchy } from './group.auth';
import { MemberListInput, MemberObjectCreateInput, MemberObjectInput } from './group.dto';
import { GroupRepository, GroupRow } from './group.repository';
import { OrganizationHierarchy } from './hierarchy.service';

/** What member_create/member_delete name: the group, and the user, dataset or sub-organization to add or remove. */
interface Target {
  group: GroupRow;
  type: 'user' | 'package' | 'group';
  objectId: string;
  /** The dataset's access fields, for package objects. */
  dataset?: ReturnType<typeof visibilityOf>;
  /** The organization placed below `group`, for group objects (ckanext-hierarchy's capacity "parent"). */
  child?: GroupRow;
}

/** ckanext-hierarchy's capacity of the membership that places an organization below its parent. */
const PARENT = 'parent';

/** CKAN's authz.roles_trans(): member_list names a user's role as the role list shows it. */
const ROLE_TITLES: Record<string, string> = { admin: 'Admin', editor: 'Editor', member: 'Member' };

const who = (ctx: ActionContext): string => ctx.user?.name ?? '';
const title = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();

/**
 * member_list, member_create, member_delete: CKAN's generic membership actions, for users and datasets in
 * organizations and groups. They write through the same code as *_member_create and group_update's packages.
 */
@Injectable()
export class MemberActions implements ActionProvider {
  constructor(
    private readonly groups: GroupRepository,
    private readonly users: UserRepository,
    private readonly datasets: DatasetRepository,
    private readonly members: GroupMembers,
    private readonly authz: Authz,
    private readonly visibility: Visibility,
    private readonly hierarchy: OrganizationHierarchy,
  ) {}

  private group(ctx: ActionContext, idOrName: string, notFound: string): Promise<GroupRow> {
    return ctx.memo(`group:any:${idOrName}`, async () => {
      const g = await this.groups.find(ctx.db, idOrName);
      if (!g) throw new NotFound(notFound);
      return g;
    });
  }

  /**
   * CKAN's order: the group (404 "Group was not found."), the object type ("Foo isn't a valid model"), the object
   * (404 "User was not found."). A dataset the caller may not read is not found either, so none is revealed.
   * A group object is an organization placed below the group (ckanext-hierarchy's member rows of capacity "parent").
   */
  private target(ctx: ActionContext, input: MemberObjectInput): Promise<Target> {
    return ctx.memo(`member-target:${input.id}:${input.object_type}:${input.object}`, async () => {
      const group = await this.group(ctx, input.id, 'Group was not found.');
      const type = input.object_type;
      if (type !== 'user' && type !== 'package' && type !== 'group') throw new ValidationError({ message: `${title(type)} isn't a valid model` });
      if (type === 'group') {
        const child = await this.groups.find(ctx.db, input.object);
        if (!child || child.state === 'deleted') throw new NotFound('Group was not found.');
        return { group, type, objectId: child.id, child };
      }
      if (type === 'user') {
        const user = await this.users.find(ctx.db, input.object);
        if (!user || user.state === 'deleted') throw new NotFound('User was not found.');
        return { group, type, objectId: user.id };
      }
      const row = await this.datasets.findRow(ctx.db, input.object);
      const dataset = row ? visibilityOf(row) : undefined;
      if (!row || !dataset || row.state !== 'active' || !(await this.visibility.canRead(ctx, dataset))) throw new NotFound('Package was not found.');
      return { group, type, objectId: row.id, dataset };
    });
  }

  /**
   * CKAN's auth member_create (member_delete asks the same): "update" on the group (its admins), except that any
   * member of a group may put datasets into it or take them out ("manage_group"). Putting a dataset into a group
   * changes the dataset, so the caller must also be allowed to edit it unless the group holds it already, as
   * group_update's `packages` asks (CKAN compat: CKAN checks nothing about the dataset).
   */
  private async authTarget(ctx: ActionContext, t: Target, adding: boolean): Promise<AuthResult> {
    if (t.child) return this.authPlacement(ctx, t, adding);
    const permission: Permission = !t.group.is_organization && t.type === 'package' ? 'manage_group' : 'update';
    if (!(await this.authz.can(ctx, t.group.id, permission))) return deny(`User ${who(ctx)} not authorized to edit group ${t.group.id}`);
    if (adding && t.dataset && !(await this.visibility.canEdit(ctx, t.dataset)) && !(await this.groups.packageIds(ctx.db, t.group.id)).includes(t.objectId)) {
      return deny(`User ${who(ctx)} not authorized to edit package ${t.objectId}`);
    }
    return allow();
  }

  /**
   * Placing an organization below another (or taking it out): CKAN asks only for "update" on the parent, which would
   * let any organization's admin adopt a town and, through cascading roles, administer it. Here it also takes the
   * rights organization_update asks for the same move: admin of the organization moved, of its current parent when it
   * leaves one, and of the new parent. Taking out an organization that is not below this group changes nothing.
   */
  private async authPlacement(ctx: ActionContext, t: Target, adding: boolean): Promise<AuthResult> {
    const child = t.child!;
    if (!(await this.authz.can(ctx, t.group.id, 'update'))) return deny(`User ${who(ctx)} not authorized to edit group ${t.group.id}`);
    if (!adding && child.parent_id !== t.group.id) return allow();
    if (!(await this.authz.can(ctx, child.id, 'update'))) return deny(`User ${who(ctx)} not authorized to edit organization ${child.id}`);
    const groups = adding ? [{ id: t.group.id }] : [];
    return authHierarchy(ctx, this.authz, this.groups, child, { groups }, this.hierarchy.cascadeRolesOf(child));
  }

  /** Only organizations form a hierarchy here, and their link is named "parent" as in ckanext-hierarchy. */
  private checkPlacement(t: Target, capacity?: string): void {
    if (!t.group.is_organization || !t.child!.is_organization) {
      throw new ValidationError({ object_type: ['Only organizations can be placed below one another (object_type "group" with organizations)'] });
    }
    if (capacity !== undefined && capacity !== PARENT) throw new ValidationError({ capacity: [`An organization is placed below another with capacity "${PARENT}"`] });
  }

  /** member_create of a group object: the checks and the store of organization_update's `groups`, under the same lock. */
  private async place(ctx: ActionContext, t: Target, adding: boolean): Promise<void> {
    await this.hierarchy.lockTree(ctx);
    const child = await this.groups.find(ctx.db, t.objectId, true, { lock: true });
    if (!child) throw new NotFound('Group was not found.');
    if (!adding && child.parent_id !== t.group.id) return;
    const errors: Record<string, string[]> = {};
    const change = await this.hierarchy.check(ctx, child, { groups: adding ? [{ id: t.group.id }] : [] }, errors);
    if (errors.groups) throw new ValidationError({ object: errors.groups });
    await this.hierarchy.apply(ctx, child.id, change);
  }

  /** CKAN compat: a dataset joins an organization through its owner_org, not through member_create. */
  private refuseOrganizationDataset(t: Target): void {
    if (t.type === 'package' && t.group.is_organization) {
      throw new ValidationError({ object_type: ['A dataset belongs to an organization through its owner_org (package_owner_org_update)'] });
    }
  }

  readonly memberList = defineAction({
    name: 'member_list',
    help: `Return the members of an organization or group as [[id, object type, capacity], ...].
Params: id (id or name of the organization or group), object_type ("user", "package" or "group"; default all), capacity (only members
with it: "admin", "editor", "member" for users, "organization" for an organization's datasets, "public" for a group's, "parent" for the
organizations placed below it). Users' capacities are named as member_roles_list shows them ("Admin"). Datasets are those the caller may read.
Who may call: anyone, for an active organization or group (group_show's rule).`,
    sideEffectFree: true,
    anonymous: true,
    input: MemberListInput,
    auth: async (ctx, input) => authGroupShow(ctx, this.authz, await this.group(ctx, input.id, '')),
    handler: async (ctx, input) => {
      const g = await this.group(ctx, input.id, '');
      const rows = await this.groups.memberList(ctx.db, g, input.object_type, input.capacity, await this.visibility.readerOf(ctx));
      return rows.map((r) => [r.table_id, r.table_name, r.table_name === 'user' ? (ROLE_TITLES[r.capacity] ?? r.capacity) : r.capacity]);
    },
  });

  readonly memberCreate = defineAction({
    name: 'member_create',
    help: `Make a user or a dataset a member of an organization or group, change a user's capacity, or place an organization below
another (ckanext-hierarchy). Params: id (id or name of the organization or group), object (id or name of the user, dataset or organization),
object_type ("user", "package" or "group"), capacity (for users "admin", "editor" or "member", groups have no editors; for datasets anything,
CKAN uses "public"; for an organization "parent": id becomes its parent, as organization_update's groups does).
Returns the membership {id, table_name, table_id, group_id, capacity, state} (id is null for a dataset or organization). Admins cannot
revoke their own admin role.
Who may call: for users, admins of the organization or group; for datasets, any member of the group who may also edit the dataset;
for organizations, admins of both organizations and of the one it leaves; sysadmins. A dataset joins an organization through its
owner_org, not here.`,
    sideEffectFree: false,
    anonymous: false,
    input: MemberObjectCreateInput,
    auth: async (ctx, input) => this.authTarget(ctx, await this.target(ctx, input), true),
    handler: async (ctx, input) => {
      const t = await this.target(ctx, input);
      this.refuseOrganizationDataset(t);
      const common = { capacity: input.capacity, group_id: t.group.id, state: 'active', table_id: t.objectId, table_name: t.type };
      if (t.type === 'group') {
        this.checkPlacement(t, input.capacity);
        await this.place(ctx, t, true);
        return { ...common, id: null };
      }
      if (t.type === 'package') {
        await this.members.setDataset(ctx, t.group.id, t.objectId, true);
        return { ...common, id: null };
      }
      const roles: readonly string[] = t.group.is_organization ? ROLES : ROLES.filter((r) => r !== 'editor');
      if (!roles.includes(input.capacity)) throw new ValidationError({ capacity: ['role does not exist.'] });
      const member = await this.members.setUser(ctx, t.group, t.objectId, input.capacity);
      return { ...common, id: member.id };
    },
  });

  readonly memberDelete = defineAction({
    name: 'member_delete',
    help: `Remove a user or a dataset from an organization or group, or take an organization out of its parent. Params: id (id or
name of the organization or group), object (id or name of the user, dataset or organization), object_type ("user", "package" or "group").
Returns null; removing a non-member (or an organization that is not below id) does nothing.
Who may call: as member_create (any member of a group may take a dataset out of it).`,
    sideEffectFree: false,
    anonymous: false,
    input: MemberObjectInput,
    auth: async (ctx, input) => this.authTarget(ctx, await this.target(ctx, input), false),
    handler: async (ctx, input) => {
      const t = await this.target(ctx, input);
      this.refuseOrganizationDataset(t);
      if (t.type === 'group') {
        this.checkPlacement(t);
        await this.place(ctx, t, false);
      } else if (t.type === 'package') await this.members.setDataset(ctx, t.group.id, t.objectId, false);
      else await this.members.removeUser(ctx, t.group, t.objectId);
      return null;
    },
  });

  all = (): AnyAction[] => [this.memberList, this.memberCreate, this.memberDelete];
}
