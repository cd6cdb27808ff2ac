import { Injectable } from '@nestjs/common';
import type { ActionContext } from '../../api/action-context';
import { ActionProvider, allow, AnyAction, AuthResult, defineAction, deny } from '../../api/action';
import { ValidationError } from '../../api/errors';
import { Authz } from '../../auth/authz';
import { UserDicts } from '../../auth/user-dicts.service';
import { UserRepository } from '../../auth/user.repository';
import { Visibility } from '../../auth/visibility';
import { ckanTimestamp } from '../../common/ckan-time';
import { visibilityOf } from '../datasets/dataset.auth';
import { DatasetDicts } from '../datasets/dataset-dicts.service';
import { DatasetRepository } from '../datasets/dataset.repository';
import { GroupDicts } from '../organizations/group-dicts.service';
import { GroupRepository } from '../organizations/group.repository';
import { FolloweeListInput, FollowInput } from './follow.dto';
import { FollowedType, FollowerRepository } from './follower.repository';

const LABEL: Record<FollowedType, string> = { user: 'User', dataset: 'Dataset', group: 'Group' };

const FOLLOWEE_KINDS = ['user', 'dataset', 'group', 'organization'] as const;
type FolloweeKind = (typeof FOLLOWEE_KINDS)[number];
type Followee = { type: FolloweeKind; display_name: string; dict: Record<string, unknown> };

const displayName = (d: Record<string, unknown>): string => String(d.display_name || d.fullname || d.title || d.name || '');

/**
 * CKAN's following: follow_*, unfollow_*, *_follower_count, *_follower_list, am_following_*, followee_count,
 * followee_list, *_followee_count, *_followee_list. A dataset the caller may not read is "not found" to every one of them, and followee lists and
 * counts leave out datasets the caller may not read, so following never reveals a private dataset.
 */
@Injectable()
export class FollowActions implements ActionProvider {
  constructor(
    private readonly followers: FollowerRepository,
    private readonly users: UserRepository,
    private readonly datasets: DatasetRepository,
    private readonly groups: GroupRepository,
    private readonly visibility: Visibility,
    private readonly authz: Authz,
    private readonly userDicts: UserDicts,
    private readonly datasetDicts: DatasetDicts,
    private readonly groupDicts: GroupDicts,
  ) {}

  /** The id of the user, dataset or group (or organization) `ref` names, if the caller may see it. */
  private resolve(ctx: ActionContext, type: FollowedType, ref: string): Promise<string | null> {
    return ctx.memo(`followed:${type}:${ref}`, async () => {
      if (type === 'user') {
        const u = await this.users.find(ctx.db, ref);
        return u && u.state !== 'deleted' ? u.id : null;
      }
      if (type === 'dataset') {
        const row = await this.datasets.findRow(ctx.db, ref);
        return row && (await this.visibility.canRead(ctx, visibilityOf(row))) ? row.id : null;
      }
      const g = await this.groups.find(ctx.db, ref);
      return g && (g.state === 'active' || (await this.authz.can(ctx, g.id, 'read'))) ? g.id : null;
    });
  }

  /** CKAN's convert_*_name_or_id_to_id: an unknown object is a field error. */
  private async objectId(ctx: ActionContext, type: FollowedType, ref: string): Promise<string> {
    const id = await this.resolve(ctx, type, ref);
    if (!id) throw new ValidationError({ id: [`Not found: ${LABEL[type]}`] });
    return id;
  }

  private forType(type: FollowedType): AnyAction[] {
    const noun = type === 'group' ? 'group (or organization)' : type;
    const follow = defineAction({
      name: `follow_${type}`,
      help: `Start following a ${noun}. Params: id (its id or name). Returns {follower_id, object_id, datetime}; following again returns the same.
Who may call: any logged-in user${type === 'dataset' ? ', for datasets they may read' : ''}.`,
      sideEffectFree: false,
      anonymous: false,
      input: FollowInput,
      auth: async () => allow(),
      handler: async (ctx, input) => {
        const id = await this.resolve(ctx, type, input.id);
        // CKAN answers every invalid id here with one message, not with the field error of the other actions.
        if (!id) throw new ValidationError({ message: `Error validating the schema of the ${type} to follow.` });
        const me = ctx.user!.id;
        if (type === 'user' && id === me) throw new ValidationError({ message: 'You cannot follow yourself' });
        const row = await this.followers.follow(ctx.db, me, type, id);
        return { follower_id: row.follower_id, object_id: row.object_id, datetime: ckanTimestamp(row.created) };
      },
    });

    const unfollow = defineAction({
      name: `unfollow_${type}`,
      help: `Stop following a ${noun}. Params: id (its id or name). Returns null, also when the caller was not following it. Who may call: any logged-in user.`,
      sideEffectFree: false,
      anonymous: false,
      input: FollowInput,
      auth: async () => allow(),
      handler: async (ctx, input) => {
        const id = await this.resolve(ctx, type, input.id);
        if (!id) throw new ValidationError({ message: 'Error validating the schema of the object to unfollow.' });
        await this.followers.unfollow(ctx.db, ctx.user!.id, type, id);
        return null;
      },
    });

    const countAndList = (prefix: string): AnyAction[] => [
      defineAction({
        name: `${prefix}_follower_count`,
        help: `Return the number of followers of a ${prefix}. Params: id (its id or name). Who may call: anyone${type === 'dataset' ? ' who may read the dataset' : ''}.`,
        sideEffectFree: true,
        anonymous: true,
        input: FollowInput,
        auth: async () => allow(),
        handler: async (ctx, input) => this.followers.followerCount(ctx.db, type, await this.objectId(ctx, type, input.id)),
      }),
      defineAction({
        name: `${prefix}_follower_list`,
        help: `Return the users who follow a ${prefix}, as user_list dicts. Params: id (its id or name). Who may call: sysadmins.`,
        sideEffectFree: true,
        anonymous: false,
        input: FollowInput,
        auth: async () => deny(''),
        handler: async (ctx, input) => this.userDicts.build(ctx, await this.followers.followers(ctx.db, type, await this.objectId(ctx, type, input.id))),
      }),
    ];

    const amFollowing = defineAction({
      name: `am_following_${type}`,
      help: `Return true if the caller follows the ${noun}, else false. Params: id (its id or name). Who may call: any logged-in user.`,
      sideEffectFree: true,
      anonymous: false,
      input: FollowInput,
      auth: async () => allow(),
      handler: async (ctx, input) => this.followers.isFollowing(ctx.db, ctx.user!.id, type, await this.objectId(ctx, type, input.id)),
    });

    return [follow, unfollow, ...countAndList(type), ...(type === 'group' ? countAndList('organization') : []), amFollowing];
  }

  /** What `userId` follows of one kind, as the caller may see it, as the kind's show action renders it. */
  private async followeeDicts(ctx: ActionContext, userId: string, kind: FolloweeKind): Promise<Record<string, unknown>[]> {
    if (kind === 'user') return this.userDicts.build(ctx, await this.followers.followedUsers(ctx.db, userId));
    if (kind === 'dataset') {
      const ids = await this.followers.followedDatasetIds(ctx.db, userId, await this.visibility.readerOf(ctx));
      const bytes = await this.datasetDicts.bytesFor(ctx, await this.datasetDicts.getMany(ctx, ids));
      return bytes.map((b) => JSON.parse(b.toString('utf8')) as Record<string, unknown>);
    }
    const rows = (await this.groups.findMany(ctx.db, await this.followers.followedGroupIds(ctx.db, userId)))
      .filter((g) => g.is_organization === (kind === 'organization'))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    return this.groupDicts.buildMany(ctx, rows, {});
  }

  /** followee_list's and *_followee_list's rule: the user themself; sysadmins pass before it. */
  private async authFollowees(ctx: ActionContext, id: string): Promise<AuthResult> {
    if (!ctx.user) return deny('Not authorized');
    return (await this.resolve(ctx, 'user', id)) === ctx.user.id ? allow() : deny('');
  }

  private followeesOf(kind: FolloweeKind): AnyAction[] {
    const what = kind === 'dataset' ? 'datasets' : `${kind}s`;
    return [
      defineAction({
        name: `${kind}_followee_count`,
        help: `Return the number of ${what} a user follows. Params: id (the user's id or name).${kind === 'dataset' ? ' Datasets the caller may not read are not counted.' : ''} Who may call: anyone.`,
        sideEffectFree: true,
        anonymous: true,
        input: FollowInput,
        auth: async () => allow(),
        handler: async (ctx, input) => (await this.followeeDicts(ctx, await this.objectId(ctx, 'user', input.id), kind)).length,
      }),
      defineAction({
        name: `${kind}_followee_list`,
        help: `Return the ${what} a user follows, as ${kind === 'dataset' ? 'package' : kind === 'user' ? 'user' : 'group'}_show dicts. Params: id (the user's id or name).
Who may call: the user themself, sysadmins.`,
        sideEffectFree: true,
        anonymous: true,
        input: FollowInput,
        auth: (ctx, input) => this.authFollowees(ctx, input.id),
        handler: async (ctx, input) => this.followeeDicts(ctx, await this.objectId(ctx, 'user', input.id), kind),
      }),
    ];
  }

  readonly followeeCount = defineAction({
    name: 'followee_count',
    help: `Return the number of users, datasets, groups and organizations a user follows. Params: id (the user's id or name).
Datasets the caller may not read are not counted. Who may call: anyone.`,
    sideEffectFree: true,
    anonymous: true,
    input: FollowInput,
    auth: async () => allow(),
    handler: async (ctx, input) => {
      const userId = await this.objectId(ctx, 'user', input.id);
      const reader = await this.visibility.readerOf(ctx);
      const [users, datasets, groups] = await Promise.all([
        this.followers.followedUsers(ctx.db, userId), this.followers.followedDatasetIds(ctx.db, userId, reader), this.followers.followedGroupIds(ctx.db, userId),
      ]);
      return users.length + datasets.length + groups.length;
    },
  });

  readonly followeeList = defineAction({
    name: 'followee_list',
    help: `Return what a user follows: [{type ("user", "dataset", "group", "organization"), display_name, dict}], by display_name.
Params: id (the user's id or name), q (only followees whose display name starts with it, case-insensitive).
Who may call: the user themself, sysadmins.`,
    sideEffectFree: true,
    anonymous: true,
    input: FolloweeListInput,
    auth: (ctx, input) => this.authFollowees(ctx, input.id),
    handler: async (ctx, input) => {
      const userId = await this.objectId(ctx, 'user', input.id);
      const all: Followee[] = [];
      for (const kind of FOLLOWEE_KINDS) {
        for (const dict of await this.followeeDicts(ctx, userId, kind)) all.push({ type: kind, display_name: displayName(dict), dict });
      }
      all.sort((a, b) => (a.display_name < b.display_name ? -1 : a.display_name > b.display_name ? 1 : 0));
      const q = input.q?.trim().toLowerCase();
      return q ? all.filter((f) => f.display_name.trim().toLowerCase().startsWith(q)) : all;
    },
  });

  all = (): AnyAction[] => [...this.forType('user'), ...this.forType('dataset'), ...this.forType('group'), this.followeeCount, this.followeeList,
    ...FOLLOWEE_KINDS.flatMap((k) => this.followeesOf(k))];
}
