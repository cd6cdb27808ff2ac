import { Injectable } from '@nestjs/common';
import type { ActionContext } from '../api/action-context';
import { toUserDict } from './user.dto';
import { UserRepository, UserRow } from './user.repository';

/** User dicts as a caller may see them (shared by user actions and organization member lists). */
@Injectable()
export class UserDicts {
  constructor(private readonly users: UserRepository) {}

  /** E-mail and the count of private and draft datasets only for oneself and sysadmins. */
  async build(ctx: ActionContext, rows: (UserRow & { capacity?: string })[]): Promise<Record<string, unknown>[]> {
    const privileged = ctx.isSysadmin || ctx.ignoreAuth;
    const mine = rows.filter((r) => privileged || r.id === ctx.user?.id).map((r) => r.id);
    const publicCounts = await this.users.createdPackageCounts(ctx.db, rows.map((r) => r.id), false);
    const fullCounts = await this.users.createdPackageCounts(ctx.db, mine, true);
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
