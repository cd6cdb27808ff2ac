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
   * E-mail only for oneself and sysadmins. `number_created_packages` counts active public datasets, as CKAN's
   * user_dictize does; with `countPrivateAndDraft` (user_show, as CKAN's count_private_and_draft_datasets) oneself and
   * sysadmins also get the private and draft ones. CKAN compat: that count leaves out private and draft datasets one can
   * no longer read (created in an organization one has left); CKAN counts every dataset one ever created.
   */
  async build(
    ctx: ActionContext, rows: (UserRow & { capacity?: string })[], opts: { countPrivateAndDraft?: boolean } = {},
  ): Promise<Record<string, unknown>[]> {
    const privileged = ctx.isSysadmin || ctx.ignoreAuth;
    const mine = rows.filter((r) => privileged || r.id === ctx.user?.id).map((r) => r.id);
    const fully = opts.countPrivateAndDraft ? mine : [];
    const publicCounts = await this.users.createdPackageCounts(ctx.db, rows.map((r) => r.id), ANONYMOUS);
    const fullCounts = fully.length ? await this.users.createdPackageCounts(ctx.db, fully, await this.visibility.readerOf(ctx)) : new Map<string, number>();
    return rows.map((r) => {
      const own = mine.includes(r.id);
      return toUserDict(r, {
        numberCreatedPackages: (fully.includes(r.id) ? fullCounts.get(r.id) : publicCounts.get(r.id)) ?? 0,
        showEmail: own,
        capacity: r.capacity,
      });
    });
  }
}
