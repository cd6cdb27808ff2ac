import { Inject, Injectable } from '@nestjs/common';
import type { ActionContext } from '../../api/action-context';
import { roleAllows } from '../../auth/authz';
import { ANONYMOUS, Reader, Visibility } from '../../auth/visibility';
import { UserDicts } from '../../auth/user-dicts.service';
import { UserRow } from '../../auth/user.repository';
import { APP_CONFIG, AppConfig } from '../../config/env';
import { DatasetDicts } from '../datasets/dataset-dicts.service';
import { toPackageDict } from '../datasets/dataset.dict';
import { DatasetRepository } from '../datasets/dataset.repository';
import { FollowerRepository } from '../following/follower.repository';
import { toGroupDict } from './group.dto';
import { GroupRepository, GroupRow } from './group.repository';
import { OrganizationHierarchy } from './hierarchy.service';

export interface GroupDictOptions {
  datasets?: boolean;
  datasetCount?: boolean;
  extras?: boolean;
  users?: boolean;
  groups?: boolean;
  tags?: boolean;
  followers?: boolean;
  memberCount?: boolean;
  capacity?: string;
  /** Organizations: `parent`, `children` and `cascade_roles` (organization_show). */
  hierarchy?: boolean;
}

/** Organization and group dicts as organization_show / group_show build them, with CKAN's visibility rules. */
@Injectable()
export class GroupDicts {
  constructor(
    private readonly groups: GroupRepository,
    private readonly datasets: DatasetRepository,
    private readonly userDicts: UserDicts,
    private readonly followers: FollowerRepository,
    private readonly visibility: Visibility,
    private readonly datasetDicts: DatasetDicts,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly hierarchy: OrganizationHierarchy,
  ) {}

  /**
   * Whose reading an organization's or group's datasets (package_count, `packages`) follow: the caller's for an
   * organization; for a group what anyone may read, as CKAN searches a group's datasets without include_private
   * (even for sysadmins) and an organization's with it for its members.
   */
  async readerFor(ctx: ActionContext, organizations: boolean): Promise<Reader> {
    return organizations ? this.visibility.readerOf(ctx) : ANONYMOUS;
  }

  async build(ctx: ActionContext, g: GroupRow, o: GroupDictOptions): Promise<Record<string, unknown>> {
    return (await this.buildMany(ctx, [g], o))[0];
  }

  async buildMany(ctx: ActionContext, rows: GroupRow[], o: GroupDictOptions): Promise<Record<string, unknown>[]> {
    if (!rows.length) return [];
    const organizations = rows[0].is_organization;
    const reader = await this.readerFor(ctx, organizations);
    const counts = o.datasetCount || o.datasets ? await this.groups.datasetCounts(ctx.db, rows.map((r) => r.id), organizations, reader) : undefined;
    const followerCounts = o.followers ? await this.followers.followerCounts(ctx.db, 'group', rows.map((r) => r.id)) : undefined;
    const out: Record<string, unknown>[] = [];
    for (const g of rows) {
      const members = o.users || o.memberCount ? await this.groups.members(ctx.db, g.id) : [];
      const users = o.users ? await this.userDicts.build(ctx, members as unknown as (UserRow & { capacity: string })[]) : undefined;
      let packages: unknown[] | undefined;
      if (o.datasets) {
        const ids = await this.groups.newestDatasetIds(ctx.db, g.id, organizations, reader, 10);
        packages = await this.datasetDicts.forReader(ctx, (await this.datasets.loadDicts(ctx.db, ids)).map((d) => toPackageDict(d, this.config.SITE_URL)));
      }
      const dict = toGroupDict(g, {
          packageCount: counts ? (counts.get(g.id) ?? 0) : undefined,
          extras: o.extras,
          users,
          tags: o.tags,
          groups: o.groups,
          packages,
          capacity: o.capacity,
          memberCount: o.memberCount ? members.length : undefined,
          followers: followerCounts ? (followerCounts.get(g.id) ?? 0) : undefined,
      });
      if (g.is_organization) await this.addHierarchy(ctx, g, dict, o);
      out.push(dict);
    }
    return out;
  }

  /**
   * An organization's place in the hierarchy. `groups` holds its parent as CKAN's group_dictize lists the groups it is a
   * member of (ckanext-hierarchy's parent link): a dict with capacity "public", package_count (what the caller may
   * read), member_count and, in turn, its own parent in `groups`. organization_show adds `parent` and `children`
   * (id, name, title, display_name) and `cascade_roles` (the roles held here that also apply below it).
   */
  private async addHierarchy(ctx: ActionContext, g: GroupRow, dict: Record<string, unknown>, o: GroupDictOptions): Promise<void> {
    if (o.groups) {
      const parent = g.parent_id ? await this.groups.find(ctx.db, g.parent_id, true) : null;
      dict.groups = parent && parent.state === 'active'
        ? await this.buildMany(ctx, [parent], { datasetCount: true, memberCount: true, capacity: 'public', groups: true })
        : [];
    }
    if (o.hierarchy) Object.assign(dict, await this.hierarchy.parentAndChildren(ctx, g), { cascade_roles: this.hierarchy.cascadeRolesOf(g) });
  }

  /**
   * organization_list_for_user: the caller's (or a user's) organizations where their role grants `permission`.
   * `roles`: the caller's roles as Authz loads them (an API token restricted to an organization brings only that one).
   */
  async forUser(
    ctx: ActionContext, user: { id: string; sysadmin: boolean }, permission: string, withCounts: boolean, roles?: Map<string, string>,
  ): Promise<Record<string, unknown>[]> {
    const rows = user.sysadmin
      ? (await this.groups.allActive(ctx.db, true)).map((g) => ({ ...g, capacity: 'admin' }))
      : roles
        ? (await this.groups.allActive(ctx.db, true)).filter((g) => roleAllows(roles.get(g.id), permission as never)).map((g) => ({ ...g, capacity: roles.get(g.id)! }))
        : (await this.groups.forUser(ctx.db, user.id, true)).filter((g) => roleAllows(g.capacity, permission as never));
    const dicts: Record<string, unknown>[] = [];
    for (const g of rows) dicts.push(await this.build(ctx, g, { datasetCount: withCounts, capacity: g.capacity, memberCount: true }));
    return dicts.sort((a, b) => String(a.display_name).localeCompare(String(b.display_name)));
  }

  /** Organization and group titles by name, for display names (package_search's facets). */
  titlesByName(ctx: ActionContext, names: string[]): Promise<Map<string, string>> {
    return names.length ? this.groups.titlesByName(ctx.db, names) : Promise.resolve(new Map());
  }
}
