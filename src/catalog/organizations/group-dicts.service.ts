import { Inject, Injectable } from '@nestjs/common';
import type { ActionContext } from '../../api/action-context';
import { Authz, roleAllows } from '../../auth/authz';
import { UserDicts } from '../../auth/user-dicts.service';
import { UserRow } from '../../auth/user.repository';
import { APP_CONFIG, AppConfig } from '../../config/env';
import { toPackageDict } from '../datasets/dataset.dict';
import { DatasetRepository } from '../datasets/dataset.repository';
import { toGroupDict } from './group.dto';
import { GroupRepository, GroupRow } from './group.repository';

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
}

/** Organization and group dicts as organization_show / group_show build them, with CKAN's visibility rules. */
@Injectable()
export class GroupDicts {
  constructor(
    private readonly groups: GroupRepository,
    private readonly datasets: DatasetRepository,
    private readonly userDicts: UserDicts,
    private readonly authz: Authz,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Whose private datasets a caller may count: all (sysadmin), those of their organizations, or none. */
  private async privateVisible(ctx: ActionContext, organizations: boolean): Promise<'all' | string[]> {
    if (!organizations) return [];
    if (ctx.isSysadmin || ctx.ignoreAuth) return 'all';
    return this.authz.groupIdsWith(ctx, 'read');
  }

  async build(ctx: ActionContext, g: GroupRow, o: GroupDictOptions): Promise<Record<string, unknown>> {
    return (await this.buildMany(ctx, [g], o))[0];
  }

  async buildMany(ctx: ActionContext, rows: GroupRow[], o: GroupDictOptions): Promise<Record<string, unknown>[]> {
    if (!rows.length) return [];
    const organizations = rows[0].is_organization;
    const visible = await this.privateVisible(ctx, organizations);
    const counts = o.datasetCount || o.datasets ? await this.groups.datasetCounts(ctx.db, rows.map((r) => r.id), organizations, visible) : undefined;
    const out: Record<string, unknown>[] = [];
    for (const g of rows) {
      const members = o.users || o.memberCount ? await this.groups.members(ctx.db, g.id) : [];
      const users = o.users ? await this.userDicts.build(ctx, members as unknown as (UserRow & { capacity: string })[]) : undefined;
      let packages: unknown[] | undefined;
      if (o.datasets) {
        const ids: { id: string }[] = await ctx.db.query(
          organizations
            ? `SELECT id FROM package WHERE owner_org = $1 AND state = 'active' AND (NOT private OR $2::boolean)
                ORDER BY metadata_modified DESC LIMIT 10`
            : `SELECT p.id FROM package_group pg JOIN package p ON p.id = pg.package_id
                WHERE pg.group_id = $1 AND p.state = 'active' AND (NOT p.private OR $2::boolean) ORDER BY p.metadata_modified DESC LIMIT 10`,
          [g.id, visible === 'all' || (organizations && visible.includes(g.id))],
        );
        packages = (await this.datasets.loadDicts(ctx.db, ids.map((r) => r.id))).map((d) => toPackageDict(d, this.config.SITE_URL));
      }
      out.push(
        toGroupDict(g, {
          packageCount: counts ? (counts.get(g.id) ?? 0) : undefined,
          extras: o.extras,
          users,
          tags: o.tags,
          groups: o.groups,
          packages,
          capacity: o.capacity,
          memberCount: o.memberCount ? members.length : undefined,
          followers: o.followers,
        }),
      );
    }
    return out;
  }

  /** organization_list_for_user: the caller's (or a user's) organizations where their role grants `permission`. */
  async forUser(ctx: ActionContext, user: { id: string; sysadmin: boolean }, permission: string, withCounts: boolean): Promise<Record<string, unknown>[]> {
    const rows = user.sysadmin
      ? (await this.groups.allActive(ctx.db, true)).map((g) => ({ ...g, capacity: 'admin' }))
      : (await this.groups.forUser(ctx.db, user.id, true)).filter((g) => roleAllows(g.capacity, permission as never));
    const dicts: Record<string, unknown>[] = [];
    for (const g of rows) dicts.push(await this.build(ctx, g, { datasetCount: withCounts, capacity: g.capacity, memberCount: true }));
    return dicts.sort((a, b) => String(a.display_name).localeCompare(String(b.display_name)));
  }
}
