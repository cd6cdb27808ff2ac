import { Injectable } from '@nestjs/common';
import type { ActionContext } from '../api/action-context';
import { ANONYMOUS, Visibility } from './visibility';
import { toUserDict } from './user.dto';
import { UserRepository, UserRow } from './user.repository';

/** User dicts as a caller may see them (shared by user actions and organization member lists). */
@Injectable()
export class UserDicts {
  constructor(private readonly users: UserRepository, private readonly visibility: Visibility) {}

  /**
   * E-mail and the count of private and draft datasets only for oneself and sysadmins. CKAN compat: one's own
   * count leaves out private and draft datasets one can no longer read (created in an organization one has
   * left); CKAN counts every dataset one ever created.
   */
  async build(ctx: ActionContext, rows: (UserRow & { capacity?: string })[]): Promise<Record<string, unknown>[]> {
    const privileged = ctx.isSysadmin || ctx.ignoreAuth;
    const mine = rows.filter((r) => privileged || r.id === ctx.user?.id).map((r) => r.id);
    const publicCounts = await this.users.createdPackageCounts(ctx.db, rows.map((r) => r.id), ANONYMOUS);
    const fullCounts = mine.length ? await this.users.createdPackageCounts(ctx.db, mine, await this.visibility.readerOf(ctx)) : new Map<string, number>();
    return rows.map((r) => {
      const own = mine.includes(r.id);
      return toUserDict(r, {
        numberCreatedPackages: (own ? fullCounts.get(r.id) : publicCounts.get(r.id)) ?? 0,
        showEmail: own,
        capacity: r.capacity,
      });
    });
  }
}
