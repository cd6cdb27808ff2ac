import { Injectable } from '@nestjs/common';
import { ActionProvider, AnyAction, defineAction } from '../../api/action';
import { Field, ignoreEmpty, maxLength, naturalNumber, notEmpty, unicodeSafe } from '../../api/ckan-schema';
import { NotFound } from '../../api/errors';
import { Authz } from '../../auth/authz';
import { authGroupShow } from '../organizations/group.auth';
import { GroupRepository } from '../organizations/group.repository';
import type { PackageDict } from './dataset.dict';

export class GroupPackageShowInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
  @Field(ignoreEmpty, naturalNumber) limit?: number;
}

/** Lists of datasets and resources found by a group or by resource fields: group_package_show. */
@Injectable()
export class DatasetLookupActions implements ActionProvider {
  constructor(private readonly groups: GroupRepository, private readonly authz: Authz) {}

  readonly groupPackageShow = defineAction({
    name: 'group_package_show',
    help: `The datasets of a group, newest change first, as package_show dicts. Params: id (id or name of the group), limit (default 10, as CKAN's package_search rows).
Only the datasets the caller may read (package_search's rule, private ones of the caller's organizations included). Who may call: as group_show.`,
    sideEffectFree: true,
    anonymous: true,
    input: GroupPackageShowInput,
    auth: async (ctx, input) => {
      const g = await this.groups.find(ctx.db, input.id);
      if (!g) throw new NotFound();
      return authGroupShow(ctx, this.authz, g);
    },
    handler: async (ctx, input) => {
      const g = await this.groups.find(ctx.db, input.id);
      if (!g) throw new NotFound();
      // CKAN searches `groups:<name>`, which an organization never matches: an organization's answer is [].
      const found = await ctx.call<{ results: PackageDict[] }>('package_search', {
        fq: `groups:"${g.name}"`, rows: input.limit || 10, sort: 'metadata_modified desc', include_private: true,
      });
      return found.results;
    },
  });

  all = (): AnyAction[] => [this.groupPackageShow];
}
