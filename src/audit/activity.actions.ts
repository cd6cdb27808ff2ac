import { Injectable } from '@nestjs/common';
import { ActionProvider, allow, AnyAction, AuthResult, defineAction, deny } from '../api/action';
import type { ActionContext } from '../api/action-context';
import { isUuid } from '../api/ckan-schema';
import { NotAuthorized, NotFound, ValidationError } from '../api/errors';
import { Visibility } from '../auth/visibility';
import { DIFF_TYPES, diffObjects, DiffType } from './activity-diff';
import {
  ACTIVITY_LIST_LIMIT_MAX, ActivityDataShowInput, ActivityDiffInput, ActivityListInput, ActivityShowInput, RecentActivityListInput, toActivityDict,
} from './activity.dto';
import { ActivityQuery, ActivityRow, ActivityScope, AuditRepository } from './audit.repository';

type ListKind = 'package' | 'organization' | 'group' | 'user';

/** The show action that decides whether the caller may see the object of a list (CKAN's activity_list auth: "<type>_show"). */
const SHOW: Record<ListKind, { action: string; data: Record<string, unknown> }> = {
  package: { action: 'package_show', data: {} },
  organization: { action: 'organization_show', data: { include_datasets: false, include_users: false, include_followers: false, include_dataset_count: false } },
  group: { action: 'group_show', data: { include_datasets: false, include_users: false, include_followers: false, include_dataset_count: false } },
  user: { action: 'user_show', data: {} },
};

const LIST_HELP = `Params: id (id or name), offset (default 0), limit (default 31, at most 100), after and before (seconds since the epoch:
only activities after/before it; with only "after", the oldest ones after it), include_hidden_activity (sysadmins only, not in user lists: also the site's own
activities), activity_types or exclude_activity_types (lists of types such as "new package"; not both).`;

/**
 * CKAN's activity actions (ckanext-activity) over the audit trail: the activity lists of a dataset, organization, group
 * or user, the site's recently changed datasets, and one activity, its data and its diff to the previous one.
 * An activity of a dataset reaches only callers who may read that dataset now and could read it when the activity
 * was written (src/audit/audit.repository.ts); activity_data_show and activity_diff want edit rights on it, as
 * CKAN's do without ckan.auth.public_activity_stream_detail.
 */
@Injectable()
export class ActivityActions implements ActionProvider {
  constructor(private readonly repo: AuditRepository, private readonly visibility: Visibility) {}

  /** The object of a list, as its show action gives it to the caller (NotAuthorized and NotFound as that action says). */
  private subject(ctx: ActionContext, kind: ListKind, id: string): Promise<Record<string, unknown>> {
    const show = SHOW[kind];
    return ctx.memo(`activity-subject:${kind}:${id}`, () => ctx.call<Record<string, unknown>>(show.action, { ...show.data, id }));
  }

  private async subjectAuth(ctx: ActionContext, kind: ListKind, id: string): Promise<AuthResult> {
    try {
      await this.subject(ctx, kind, id);
      return allow();
    } catch (err) {
      if (err instanceof NotAuthorized) return deny(err.message);
      throw err;
    }
  }

  private listAction(kind: ListKind): AnyAction {
    const noun = kind === 'package' ? 'a dataset' : kind === 'user' ? 'a user' : `an ${kind}`.replace('an group', 'a group');
    const what = {
      package: 'its activities',
      organization: 'the activities of the organization and of its datasets',
      group: 'the activities of the group and of its datasets',
      user: 'the activities the user did and those about the user',
    }[kind];
    return defineAction({
      name: `${kind}_activity_list`,
      help: `Return the activity stream of ${noun}, newest first: ${what}. Each activity: {id, timestamp, user_id, object_id, activity_type, data}.
${LIST_HELP}
Who may call: whoever may see ${noun} (${SHOW[kind].action}); activities of datasets the caller may not read (now, or when they were written) are left out.`,
      sideEffectFree: true,
      anonymous: true,
      input: ActivityListInput,
      auth: (ctx, input) => this.subjectAuth(ctx, kind, input.id),
      handler: async (ctx, input) => {
        if (input.activity_types && input.exclude_activity_types) {
          throw new ValidationError({ activity_types: ['Cannot be used together with `exclude_activity_types'] });
        }
        const subject = await this.subject(ctx, kind, input.id);
        // CKAN: a user's stream never shows the site's own (hidden) activities.
        const filters = kind === 'user' ? { ...input, include_hidden_activity: false } : input;
        return this.list(ctx, { kind, id: String(subject.id) } as ActivityScope, input, filters);
      },
    });
  }

  private async list(ctx: ActionContext, scope: ActivityScope, page: RecentActivityListInput, filters: Partial<ActivityListInput>): Promise<unknown[]> {
    const q: ActivityQuery = {
      scope,
      offset: page.offset,
      limit: Math.min(page.limit, ACTIVITY_LIST_LIMIT_MAX),
      // CKAN's ignore_not_sysadmin: the flag counts only for sysadmins.
      includeHidden: (ctx.isSysadmin || ctx.ignoreAuth) && filters.include_hidden_activity === true,
      types: filters.activity_types,
      excludeTypes: filters.exclude_activity_types,
      after: page.after,
      before: page.before,
    };
    const rows = await this.repo.list(ctx.db, q, await this.visibility.readerOf(ctx));
    return rows.map(toActivityDict);
  }

  readonly recentlyChanged = defineAction({
    name: 'recently_changed_packages_activity_list',
    help: `Return the activities of the site's recently created, changed and deleted datasets, newest first.
Params: offset (default 0), limit (default 31, at most 100). Anyone may call it; datasets the caller may not read are left out.`,
    sideEffectFree: true,
    anonymous: true,
    input: RecentActivityListInput,
    auth: async () => allow(),
    // CKAN compat: like CKAN, after and before are accepted here but not applied.
    handler: (ctx, input) => this.list(ctx, { kind: 'recent_packages' }, { ...input, after: undefined, before: undefined }, {}),
  });

  /** The activity by id (404 when there is none). */
  private activity(ctx: ActionContext, id: string): Promise<ActivityRow> {
    return ctx.memo(`activity:${id}`, async () => {
      const row = isUuid(id) ? await this.repo.find(ctx.db, id) : null;
      if (!row) throw new NotFound('Activity not found');
      return row;
    });
  }

  /** CKAN's activity_show auth: dataset activities only, for those who may read the dataset (with `needEdit`: edit it). */
  private async activityAuth(ctx: ActionContext, id: string, needEdit: boolean): Promise<AuthResult> {
    const row = await this.activity(ctx, id);
    if (row.object_type !== 'package') return deny('object_type not recognized');
    const ok = await this.repo.visible(ctx.db, row.id, await this.visibility.readerOf(ctx), needEdit);
    return ok ? allow() : deny('Unauthorized to view activity data');
  }

  readonly activityShow = defineAction({
    name: 'activity_show',
    help: `Return one activity: {id, timestamp, user_id, object_id, activity_type, data}. Params: id (the activity's id).
Who may call: for an activity of a dataset, whoever may read the dataset now and could when the activity was written; other activities: sysadmins.`,
    sideEffectFree: true,
    anonymous: true,
    input: ActivityShowInput,
    auth: (ctx, input) => this.activityAuth(ctx, input.id, false),
    handler: async (ctx, input) => toActivityDict(await this.activity(ctx, input.id)),
  });

  readonly activityDataShow = defineAction({
    name: 'activity_data_show',
    help: `Return the data of one activity, e.g. the dataset dict as it was after the write. Params: id (the activity's id),
object_type (optional: "package", "group", "user" (or "actor"): only that part). Who may call: for an activity of a dataset, whoever may edit it; other activities: sysadmins.`,
    sideEffectFree: true,
    anonymous: true,
    input: ActivityDataShowInput,
    auth: (ctx, input) => this.activityAuth(ctx, input.id, true),
    handler: async (ctx, input) => {
      const data = (await this.activity(ctx, input.id)).data;
      if (!input.object_type) return data;
      if (!(input.object_type in data)) throw new NotFound('Could not find that object_type in the activity');
      return data[input.object_type];
    },
  });

  readonly activityDiff = defineAction({
    name: 'activity_diff',
    help: `Return the difference between an activity's object and the same object in its previous activity: {diff, activities: [previous, this]}.
Params: id (the activity's id), object_type (required: "package", "group" or "user"), diff_type ("unified" (default), "context" or "html").
The objects are printed as JSON with sorted keys and compared line by line. Who may call: as activity_data_show.`,
    sideEffectFree: true,
    anonymous: true,
    input: ActivityDiffInput,
    auth: (ctx, input) => this.activityAuth(ctx, input.id, true),
    handler: async (ctx, input) => {
      if (!DIFF_TYPES.includes(input.diff_type as DiffType)) throw new ValidationError({ message: 'diff_type not recognized' });
      const current = await this.activity(ctx, input.id);
      const previous = await this.repo.previous(ctx.db, current.id, await this.visibility.readerOf(ctx));
      if (!previous) throw new NotFound('Previous activity for this object not found');
      const [before, after] = [previous.data[input.object_type], current.data[input.object_type]];
      if (before === undefined || after === undefined) throw new NotFound('Could not find object in the activity data');
      return { diff: diffObjects(before, after, input.diff_type as DiffType), activities: [toActivityDict(previous), toActivityDict(current)] };
    },
  });

  all = (): AnyAction[] => [
    this.listAction('package'), this.listAction('organization'), this.listAction('group'), this.listAction('user'),
    this.recentlyChanged, this.activityShow, this.activityDataShow, this.activityDiff,
  ];
}
