import { Injectable, OnModuleInit } from '@nestjs/common';
import type { ActionContext, Caller } from '../api/action-context';
import { NotFound } from '../api/errors';
import { RawJson } from '../api/raw-json';
import { WriteEvent, WriteHooks } from '../api/write-hooks';
import { DatasetChanges } from '../catalog/datasets/dataset-changes';
import { DatasetDicts } from '../catalog/datasets/dataset-dicts.service';
import { summariseInput } from './input-summary';
import { ActivityObjectType, AuditRepository } from './audit.repository';

/** The site user's name (src/auth/user.repository.ts SITE_USER_NAME): its activities are hidden, as in CKAN. */
const SITE_USER_NAME = 'default';

/** Writes to groups and organizations lend their name to datasets; those datasets get no activity of their own. */
const GROUP_FAMILY = /^(group|organization|member)_/;

/** The group, organization and user actions that make an activity of their object (CKAN's subscriptions.py). */
const OBJECT_ACTIONS: Record<string, { type: Exclude<ActivityObjectType, 'package'>; verb: 'new' | 'changed' | 'deleted' }> = {
  group_create: { type: 'group', verb: 'new' },
  group_update: { type: 'group', verb: 'changed' },
  group_patch: { type: 'group', verb: 'changed' },
  group_delete: { type: 'group', verb: 'deleted' },
  organization_create: { type: 'organization', verb: 'new' },
  organization_update: { type: 'organization', verb: 'changed' },
  organization_patch: { type: 'organization', verb: 'changed' },
  organization_delete: { type: 'organization', verb: 'deleted' },
  user_create: { type: 'user', verb: 'new' },
  user_update: { type: 'user', verb: 'changed' },
  user_patch: { type: 'user', verb: 'changed' },
};

/**
 * Keys of a user dict that stay out of the activity stream, which anyone may list: secrets, the e-mail address, the
 * count of created datasets (the site's snapshot counts private ones too) and the last login (not a change of the user).
 */
const PRIVATE_USER_KEYS = ['email', 'apikey', 'token', 'reset_key', 'plugin_extras', 'password', 'number_created_packages', 'last_active'];

/** What one transaction's writes touched, collected until it is about to commit. */
interface Scope {
  writes: { id: string; action: string; outermost: boolean; user: Caller | null }[];
  datasets: Set<string>;
  created: Set<string>;
  objects: Map<string, { type: Exclude<ActivityObjectType, 'package'>; verb: 'new' | 'changed' | 'deleted'; ref: string }>;
}
const SCOPE = Symbol('audit-scope');

type Dict = Record<string, unknown>;

const asDict = (v: unknown): Dict | null => {
  const parsed = v instanceof RawJson ? v.parse() : v;
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Dict) : null;
};
const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/**
 * The audit trail. Every write action the dispatcher runs leaves one `audit_write` row (who, when, which action, on
 * what, a summary of its input), written by the dispatcher's write hook inside the write's transaction, so the record
 * exists exactly when the write commits and a refused write (409, 403) leaves none. When the outermost write of a
 * transaction ends, each dataset, organization, group and user it changed gets one CKAN activity holding the object's
 * dict after the write; consecutive activities of an object give activity_diff.
 *
 * Datasets are learnt from the catalog's write hook (DatasetChanges.onWrite), which every dataset and resource write
 * reports to; organizations, groups and users from the action names, as CKAN's activity plugin subscribes to them.
 */
@Injectable()
export class AuditTrail implements OnModuleInit {
  constructor(
    private readonly hooks: WriteHooks, private readonly changes: DatasetChanges, private readonly repo: AuditRepository, private readonly dicts: DatasetDicts,
  ) {}

  onModuleInit(): void {
    this.changes.onWrite(async (ctx, ids) => {
      const scope = this.scope(ctx);
      for (const id of ids) scope?.datasets.add(id);
    });
    this.hooks.register((ctx, event) => this.recordWrite(ctx, event));
  }

  /**
   * The transaction's scope; made on first use, when the transaction also gets the hook that writes its activities
   * just before it commits, so writes nested in any transaction (a SensorThings DELETE runs package_delete) count.
   */
  private scope(ctx: ActionContext): Scope | undefined {
    return ctx.transactionLocal(SCOPE, () => {
      const scope: Scope = { writes: [], datasets: new Set(), created: new Set(), objects: new Map() };
      ctx.beforeCommit(() => this.recordActivities(ctx, scope));
      return scope;
    });
  }

  private async recordWrite(ctx: ActionContext, e: WriteEvent): Promise<void> {
    const scope = this.scope(ctx);
    const result = asDict(e.result);
    const input = (e.input ?? {}) as Dict;
    const objectId = str(result?.id) ?? str(input.id) ?? str(input.resource_id) ?? str(input.package_id) ?? null;
    if (e.action === 'package_create' && result && str(result.id)) scope?.created.add(String(result.id));
    const object = OBJECT_ACTIONS[e.action];
    if (object && objectId) scope?.objects.set(`${object.type}:${objectId}`, { ...object, ref: objectId });

    const writeId = await this.repo.insertWrite(ctx.db, {
      userId: ctx.user?.id ?? null,
      userName: ctx.user?.name ?? null,
      action: e.action,
      outermost: e.outermost,
      objectType: object?.type ?? objectTypeOf(e.action),
      objectId,
      input: summariseInput(e.data),
      requestId: ctx.request?.requestId ?? null,
    });
    scope?.writes.push({ id: writeId, action: e.action, outermost: e.outermost, user: ctx.user });
  }

  /**
   * The activities of what the transaction changed, when all of it is done (still before the commit). They belong to
   * its leading write: the outermost action, or the first one when actions ran inside some other transaction.
   */
  private async recordActivities(ctx: ActionContext, scope: Scope): Promise<void> {
    const lead = scope.writes.find((w) => w.outermost) ?? scope.writes[0];
    // Changes outside any write action (a job's own transaction) have no write to belong to.
    if (!lead) return;
    const writeId = lead.id;
    const internal = ctx.withUser(lead.user).withIgnoreAuth();
    const actor = lead.user;
    const hidden = !actor || actor.name === SITE_USER_NAME;
    if (!GROUP_FAMILY.test(lead.action)) {
      for (const id of scope.datasets) {
        // The site's package_show of the dataset as the transaction left it, read once with the write's own answer
        // and listeners (DatasetDicts.writtenDicts) instead of again. Purged: nothing left to show, as in CKAN.
        const [shown] = await this.dicts.writtenDicts(ctx, [id]);
        if (!shown) continue;
        const pkg = shown as unknown as Dict;
        // The site's own view names every related dataset, private ones too; whoever may read this dataset's activities
        // need not read those, so the activity keeps no relationships (package_show filters them per caller instead).
        delete pkg.relationships_as_subject;
        delete pkg.relationships_as_object;
        const verb = scope.created.has(id) ? 'new' : pkg.state === 'deleted' ? 'deleted' : 'changed';
        // A second 'deleted' after the first is a change; a package_update that changed nothing makes no activity (CKAN):
        // both decided against the latest activity inside the insert (AuditRepository.insertPackageActivity).
        await this.repo.insertPackageActivity(ctx.db, {
          userId: actor?.id ?? null, objectId: id, verb, data: { package: pkg, actor: actor?.name ?? null }, hidden, writeId,
        }, ['metadata_modified']);
      }
    }
    for (const o of scope.objects.values()) {
      const dict = await this.objectDict(internal, o.type, o.ref);
      if (!dict) continue;
      const id = String(dict.id);
      // CKAN: the user a user_create made is the actor of its "new user" when nobody was logged in (signing up).
      const selfMade = !actor && o.type === 'user';
      const userId = actor?.id ?? (selfMade ? id : null);
      const verb = o.verb === 'changed' && dict.state === 'deleted' ? 'deleted' : o.verb;
      const key = o.type === 'user' ? 'user' : 'group';
      await this.repo.insertActivity(ctx.db, {
        userId, objectId: id, objectType: o.type, activityType: `${verb} ${o.type}`,
        data: { [key]: dict, actor: actor?.name ?? (selfMade ? dict.name : null) }, hidden: hidden && !selfMade, writeId,
      });
    }
  }

  private async objectDict(ctx: ActionContext, type: Exclude<ActivityObjectType, 'package'>, ref: string): Promise<Dict | null> {
    if (type === 'user') {
      const user = await this.show(ctx, 'user_show', { id: ref });
      if (user) for (const k of PRIVATE_USER_KEYS) delete user[k];
      return user;
    }
    return this.show(ctx, `${type}_show`, {
      id: ref, include_datasets: false, include_dataset_count: false, include_users: false, include_groups: false, include_tags: false, include_followers: false,
    });
  }

  private async show(ctx: ActionContext, action: string, data: Dict): Promise<Dict | null> {
    try {
      return asDict(await ctx.call(action, data));
    } catch (err) {
      if (err instanceof NotFound) return null;
      throw err;
    }
  }
}

/** What kind of object a write action names: 'package_update' → 'package', 'resource_view_create' → 'resource_view'. */
function objectTypeOf(action: string): string | null {
  const m = /^(.*)_(create|update|patch|delete|purge|revise|reorder|clear|upsert|submit|publish|send_back|push|revoke|run|records_delete)$/.exec(action);
  return m ? m[1] : null;
}
