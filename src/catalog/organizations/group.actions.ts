import { Inject, Injectable } from '@nestjs/common';
import { ActionProvider, AnyAction, allow, defineAction, deny } from '../../api/action';
import type { ActionContext } from '../../api/action-context';
import { parseInput } from '../../api/ckan-schema';
import { NotFound, ValidationError } from '../../api/errors';
import { Authz } from '../../auth/authz';
import { Visibility } from '../../auth/visibility';
import { APP_CONFIG, AppConfig } from '../../config/env';
import { DatasetChanges } from '../datasets/dataset-changes';
import { DatasetRepository } from '../datasets/dataset.repository';
import { GroupDicts } from './group-dicts.service';
import { GroupWriter } from './group-writer.service';
import { authGroupCreate, authGroupDelete, authGroupPackages, authGroupShow, authGroupUpdate, authHierarchy, GroupKind, loadGroup } from './group.auth';
import { GroupCreateInput, GroupListInput, GroupShowInput, GroupUpdateInput } from './group.dto';
import { GroupRepository, GroupSortField } from './group.repository';
import { OrganizationHierarchy } from './hierarchy.service';
import { IdInput } from '../datasets/dataset.dto';

const SHOW_DEFAULTS = { datasetCount: true, extras: true, users: true, groups: true, tags: true, followers: true, hierarchy: true };

const HIERARCHY_PARAMS = `, groups ([{name}]: the parent organization, at most one; [] makes it top-level; setting, changing or removing it takes
an admin of the current and of the new parent too), cascade_roles (roles among admin, editor, member held in it that also apply in its
sub-organizations; default AUTH_ROLES_THAT_CASCADE_TO_SUB_GROUPS; only sysadmins may add roles to the list), approval_required (true/false,
default false: editors submit datasets and only its admins publish them, see dataset_publish)`;

/** _unpick_search for organization_list / group_list: one of name, title, package_count (packages), asc or desc. */
function parseSort(sort: string): { field: GroupSortField; desc: boolean }[] {
  const s = sort.trim();
  if (s === 'packages' || s === 'package_count') return [{ field: 'package_count', desc: true }];
  const parts = s.split(',');
  if (parts.length > 1) throw new ValidationError({ message: 'Too many sort criteria provided only 1 allowed' });
  const [field, dir = 'asc'] = parts[0].trim().split(/\s+/);
  if (!['name', 'title', 'packages', 'package_count'].includes(field)) throw new ValidationError({ message: `Cannot sort by field \`${field}\`` });
  if (!['asc', 'desc'].includes(dir.toLowerCase())) throw new ValidationError({ message: `Invalid sort direction \`${dir}\`` });
  return [{ field: field === 'packages' ? 'package_count' : (field as GroupSortField), desc: dir.toLowerCase() === 'desc' }];
}

/** organization_* and group_*: the same actions for both kinds, as in CKAN. */
@Injectable()
export class GroupActions implements ActionProvider {
  constructor(
    private readonly repo: GroupRepository,
    private readonly dicts: GroupDicts,
    private readonly writer: GroupWriter,
    private readonly authz: Authz,
    private readonly visibility: Visibility,
    private readonly changes: DatasetChanges,
    private readonly datasets: DatasetRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly hierarchy: OrganizationHierarchy,
  ) {}

  private show(ctx: ActionContext, kind: GroupKind, id: string): Promise<Record<string, unknown>> {
    return this.repo.find(ctx.db, id, kind === 'organization').then((g) => {
      if (!g) throw new NotFound();
      return this.dicts.build(ctx, g, SHOW_DEFAULTS);
    });
  }

  private forKind(kind: GroupKind): AnyAction[] {
    const Kind = kind === 'organization' ? 'Organization' : 'Group';
    const isOrg = kind === 'organization';
    const plural = isOrg ? 'organizations' : 'groups';

    const list = defineAction({
      name: `${kind}_list`,
      help: `Return the names of the site's ${plural}, or their dicts with all_fields=true.

Params: sort (default "title asc"; name, title or package_count, asc or desc), limit (default and max 1000, or 25 with all_fields),
offset, q (matches name, title, description), ${plural} (list of names to restrict to), all_fields (bool), include_dataset_count (default true),
include_extras, include_tags, include_groups, include_users (default false).`,
      sideEffectFree: true,
      anonymous: true,
      input: GroupListInput,
      auth: async () => allow(),
      handler: async (ctx, input) => {
        const max = input.all_fields ? 25 : 1000;
        const limit = input.limit ? Math.min(input.limit, max) : max;
        const sort = parseSort(input.sort ?? input.order_by ?? 'title');
        const names = isOrg ? input.organizations : input.groups;
        const rows = await this.repo.list(ctx.db, { organizations: isOrg, type: input.type ?? kind, q: input.q?.trim() || undefined, names, sort, limit, offset: input.offset ?? 0 }, await this.dicts.readerFor(ctx, isOrg));
        if (!input.all_fields) return rows.map((r) => r.name);
        return this.dicts.buildMany(ctx, rows, {
          datasetCount: input.include_dataset_count, extras: input.include_extras, tags: input.include_tags,
          groups: input.include_groups, users: input.include_users, followers: true,
        });
      },
    });

    const show = defineAction({
      name: `${kind}_show`,
      help: `Return the details of ${isOrg ? 'an organization' : 'a group'}.

Params: id (id or name), include_datasets (default false; the first 10, private ones only for members), include_dataset_count (default true),
include_extras, include_users, include_groups, include_tags, include_followers (default true), include_member_count (default false).${isOrg ? `
An organization's "groups" holds its parent organization (ckanext-hierarchy); "parent", "children" ({id, name, title, display_name})
and "cascade_roles" (roles held in it that also apply below it) are always given.` : ''}`,
      sideEffectFree: true,
      anonymous: true,
      input: GroupShowInput,
      auth: async (ctx, input) => authGroupShow(ctx, this.authz, await loadGroup(ctx, this.repo, kind, input.id)),
      handler: async (ctx, input) => {
        const g = await loadGroup(ctx, this.repo, kind, input.id);
        return this.dicts.build(ctx, g, {
          datasets: input.include_datasets, datasetCount: input.include_dataset_count, extras: input.include_extras,
          users: input.include_users, groups: input.include_groups, tags: input.include_tags, followers: input.include_followers,
          memberCount: input.include_member_count, hierarchy: true,
        });
      },
    });

    const create = defineAction({
      name: `${kind}_create`,
      help: `Create ${isOrg ? 'an organization (a municipality)' : 'a group'} and return it; the creator becomes its admin.

Params: name (required, 2-100 of a-z 0-9 - _), title, description, image_url, extras ([{key, value}]), users ([{name, capacity}])${isOrg ? HIERARCHY_PARAMS : ', packages ([{name}]: only datasets the caller may edit, else 403)'}.
Sysadmins may also set id (a UUID). Who may call: ${isOrg ? 'sysadmins (or any user when AUTH_USER_CREATE_ORGANIZATIONS=true)' : 'any logged-in user (unless AUTH_USER_CREATE_GROUPS=false)'}.`,
      sideEffectFree: false,
      anonymous: false,
      input: GroupCreateInput,
      auth: async (ctx, input) => {
        const verdict = authGroupCreate(ctx, kind, isOrg ? this.config.AUTH_USER_CREATE_ORGANIZATIONS : this.config.AUTH_USER_CREATE_GROUPS);
        if (!verdict.allowed) return verdict;
        if (isOrg) return authHierarchy(ctx, this.authz, this.repo, null, input, this.authz.cascadeByDefault);
        return authGroupPackages(ctx, this.visibility, this.datasets, input.packages, []);
      },
      handler: async (ctx, input) => {
        const id = await this.writer.create(ctx, kind, input);
        if (!isOrg) await this.changes.changed(ctx, await this.changes.datasetsOf(ctx, id));
        return this.show(ctx, kind, id);
      },
    });

    const updateAuth = async (ctx: ActionContext, input: GroupUpdateInput) => {
      const g = await loadGroup(ctx, this.repo, kind, input.id, 'Group was not found.');
      const verdict = await authGroupUpdate(ctx, this.authz, kind, g);
      if (verdict.allowed && isOrg) return authHierarchy(ctx, this.authz, this.repo, g, input, this.hierarchy.cascadeRolesOf(g));
      if (!verdict.allowed || isOrg || !input.packages) return verdict;
      return authGroupPackages(ctx, this.visibility, this.datasets, input.packages, await this.repo.packageIds(ctx.db, g.id));
    };

    const update = defineAction({
      name: `${kind}_update`,
      help: `Update ${isOrg ? 'an organization' : 'a group'}. Params: id (id or name) and its fields as for ${kind}_create.
Omitted fields keep their values; users${isOrg ? '' : ' and packages'}, when given, replace the current list${isOrg ? '' : ' (a dataset the group does not hold yet may be added only by someone who may edit it)'}.
Who may call: its admins, sysadmins.`,
      sideEffectFree: false,
      anonymous: false,
      input: GroupUpdateInput,
      auth: updateAuth,
      handler: async (ctx, input) => {
        if (isOrg && input.groups) await this.hierarchy.lockTree(ctx);
        const g = await this.repo.find(ctx.db, input.id, isOrg, { lock: true });
        if (!g) throw new NotFound('Group was not found.');
        const before = await this.changes.datasetsOf(ctx, g.id);
        await this.writer.update(ctx, kind, g, input);
        await this.changes.changed(ctx, [...before, ...(await this.changes.datasetsOf(ctx, g.id))]);
        return this.show(ctx, kind, g.id);
      },
    });

    const patch = defineAction({
      name: `${kind}_patch`,
      help: `Change some fields of ${isOrg ? 'an organization' : 'a group'}. Params: id and the fields to change. Who may call: its admins, sysadmins.`,
      sideEffectFree: false,
      anonymous: false,
      input: GroupUpdateInput,
      auth: updateAuth,
      handler: async (ctx, input) => {
        if (isOrg && input.groups) await this.hierarchy.lockTree(ctx);
        const g = await this.repo.find(ctx.db, input.id, isOrg, { lock: true });
        if (!g) throw new NotFound('Group was not found.');
        const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
        // Members and packages are left alone unless the patch names them.
        const current = { name: g.name, title: g.title, description: g.description, image_url: g.image_url, extras: Object.entries(g.extras).map(([key, value]) => ({ key, value })) };
        const before = await this.changes.datasetsOf(ctx, g.id);
        await this.writer.update(ctx, kind, g, parseInput(GroupUpdateInput, { ...current, ...given, id: g.id }));
        await this.changes.changed(ctx, [...before, ...(await this.changes.datasetsOf(ctx, g.id))]);
        return this.show(ctx, kind, g.id);
      },
    });

    const del = defineAction({
      name: `${kind}_delete`,
      help: `Delete ${isOrg ? 'an organization' : 'a group'} (state "deleted"); its memberships end.${isOrg ? ' Refused (409) while it still has datasets that are not deleted. Its sub-organizations become top-level.' : ''}
Params: id. Returns null. Who may call: its admins, sysadmins.`,
      sideEffectFree: false,
      anonymous: false,
      input: IdInput,
      auth: async (ctx, input) => authGroupDelete(ctx, this.authz, kind, await loadGroup(ctx, this.repo, kind, input.id, 'Group was not found.')),
      handler: async (ctx, input) => {
        // Deleting or purging changes its children's parent: the hierarchy's lock first, as for a move.
        if (isOrg) await this.hierarchy.lockTree(ctx);
        const g = await this.repo.find(ctx.db, input.id, isOrg, { lock: true });
        if (!g) throw new NotFound('Group was not found.');
        if (isOrg && (await this.repo.liveDatasetCount(ctx.db, g.id)) > 0) {
          throw new ValidationError({ message: 'Organization cannot be deleted while it still has datasets' });
        }
        const affected = await this.changes.datasetsOf(ctx, g.id);
        await this.repo.removeAllMembers(ctx.db, g.id, !isOrg);
        // As CKAN deletes the hierarchy's member rows: the children become top-level, and it leaves its parent.
        if (isOrg) await this.hierarchy.unlink(ctx, g.id);
        await this.repo.setState(ctx.db, g.id, 'deleted');
        ctx.forgetMemberships();
        await this.changes.changed(ctx, affected);
        return null;
      },
    });

    const purge = defineAction({
      name: `${kind}_purge`,
      scope: 'admin',
      help: `Remove ${isOrg ? 'an organization' : 'a group'} for good.${isOrg ? ' Refused while it owns datasets that are not deleted; deleted ones lose their owner.' : ''} Params: id. Sysadmins only.`,
      sideEffectFree: false,
      anonymous: false,
      retryOnDeadlock: true,
      input: IdInput,
      auth: async () => deny(''),
      handler: async (ctx, input) => {
        // Deleting or purging changes its children's parent: the hierarchy's lock first, as for a move.
        if (isOrg) await this.hierarchy.lockTree(ctx);
        const g = await this.repo.find(ctx.db, input.id, isOrg, { lock: true });
        if (!g) throw new NotFound(`${Kind} was not found`);
        if (isOrg) {
          if ((await this.repo.liveDatasetCount(ctx.db, g.id)) > 0) {
            throw new ValidationError({ message: 'Organization cannot be deleted while it still has datasets' });
          }
        }
        const affected = await this.changes.datasetsOf(ctx, g.id);
        if (isOrg) await this.repo.releaseOwnedDatasets(ctx.db, g.id);
        await this.repo.purge(ctx.db, g.id);
        ctx.forgetMemberships();
        await this.changes.changed(ctx, affected);
        return null;
      },
    });

    return [list, show, create, update, patch, del, purge];
  }

  all = (): AnyAction[] => [...this.forKind('organization'), ...this.forKind('group')];
}
