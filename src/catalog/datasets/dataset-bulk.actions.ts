import { Injectable } from '@nestjs/common';
import { ActionProvider, AnyAction, AuthResult, allow, defineAction, deny } from '../../api/action';
import type { ActionContext } from '../../api/action-context';
import { Field, Invalid, ignoreMissing, listOfStrings, maxItems, maxLength, notEmpty, notMissing, unicodeSafe, documented } from '../../api/ckan-schema';
import { NotFound, ValidationError } from '../../api/errors';
import { Authz } from '../../auth/authz';
import { Visibility } from '../../auth/visibility';
import { GroupRepository } from '../organizations/group.repository';
import { authPackageUpdate, loadDataset } from './dataset.auth';
import type { PackageDict } from './dataset.dict';
import { DatasetRepository } from './dataset.repository';

/** Bound on one bulk call: each dataset goes through the whole write path in one transaction. */
const MAX_BULK_DATASETS = 1000;

export class BulkUpdateInput {
  @Field(notMissing, listOfStrings, maxItems(MAX_BULK_DATASETS, 'datasets')) datasets!: string[];
  @Field(notEmpty, unicodeSafe) org_id!: string;
}

export class PackageOwnerOrgUpdateInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
  @Field(ignoreMissing, unicodeSafe, maxLength(100)) organization_id?: string;
}

/** package_resource_reorder's `order`, with CKAN's messages. */
const resourceOrder = (v: unknown): unknown => {
  if (v === undefined || v === null) return new Invalid('Missing value');
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) return new Invalid('Must be a list of resource');
  if (new Set(v).size !== v.length) return new Invalid('Must supply unique resource_ids');
  return v;
};
documented(resourceOrder, { presence: 'required', schema: { type: 'array', items: { type: 'string' }, uniqueItems: true, description: 'resource ids' } });

export class PackageResourceReorderInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
  @Field(resourceOrder, maxItems(MAX_BULK_DATASETS, 'resource ids')) order!: string[];
}

/**
 * bulk_update_private / _public / _delete (ckan/logic/auth/update.py): the caller needs the organization's
 * `update` permission, which of CKAN's roles only admin holds. Editors are refused, as in CKAN.
 */
async function authBulkUpdate(ctx: ActionContext, authz: Authz, groups: GroupRepository, orgRef: string): Promise<AuthResult> {
  const org = await groups.find(ctx.db, orgRef, true);
  if (org && org.state === 'active' && (await authz.can(ctx, org.id, 'update'))) return allow();
  return deny(`User ${ctx.user?.name ?? ''} not authorized to update organization ${orgRef}`);
}

/**
 * Changes of datasets at the organization level: the bulk actions and package_owner_org_update.
 * The organization's bulk changes. As CKAN 2.11, every dataset goes through package_patch (bulk delete:
 * package_delete) with the writer, validation, DCAT check and search index, so a bulk change is what the
 * same single changes would be. Datasets not owned by org_id
 * (or unknown, or deleted) are passed over silently, as CKAN's owner_org filter does.
 */
@Injectable()
export class DatasetBulkActions implements ActionProvider {
  constructor(
    private readonly repo: DatasetRepository,
    private readonly groups: GroupRepository,
    private readonly authz: Authz,
    private readonly visibility: Visibility,
  ) {}

  private async targets(ctx: ActionContext, input: BulkUpdateInput): Promise<string[]> {
    const org = await this.groups.find(ctx.db, input.org_id, true);
    if (!org || !input.datasets.length) return [];
    return this.repo.idsOwnedBy(ctx.db, org.id, input.datasets);
  }

  private define(name: string, what: string, apply: (ctx: ActionContext, id: string) => Promise<unknown>) {
    return defineAction({
      name,
      help: `${what} Params: datasets (list of dataset ids), org_id (id or name of the owning organization).
Datasets the organization does not own are left alone. Returns null.
Who may call: admins of the organization, sysadmins (CKAN's "update" permission on the organization).`,
      sideEffectFree: false,
      anonymous: false,
      input: BulkUpdateInput,
      auth: (ctx, input) => authBulkUpdate(ctx, this.authz, this.groups, input.org_id),
      handler: async (ctx, input) => {
        const inner = ctx.withIgnoreAuth();
        for (const id of await this.targets(ctx, input)) await apply(inner, id);
        return null;
      },
    });
  }

  readonly bulkUpdatePrivate = this.define('bulk_update_private', 'Make a list of datasets of an organization private.', (ctx, id) =>
    ctx.call('package_patch', { id, private: true }),
  );

  readonly bulkUpdatePublic = this.define('bulk_update_public', 'Make a list of datasets of an organization public.', (ctx, id) =>
    ctx.call('package_patch', { id, private: false }),
  );

  readonly bulkUpdateDelete = this.define('bulk_update_delete', 'Delete a list of datasets of an organization (state "deleted", as package_delete).', (ctx, id) =>
    ctx.call('package_delete', { id }),
  );

  readonly packageOwnerOrgUpdate = defineAction({
    name: 'package_owner_org_update',
    scope: 'admin',
    help: `Move a dataset to another organization. Params: id (id or name of the dataset), organization_id (id or name of the new owner).
The dataset keeps its private flag; who may read it follows the new organization. Returns null. Sysadmins only, as in CKAN.
Difference: CKAN makes the dataset unowned when organization_id is empty; here every dataset has an organization (409).`,
    sideEffectFree: false,
    anonymous: false,
    input: PackageOwnerOrgUpdateInput,
    auth: async () => deny(''),
    handler: async (ctx, input) => {
      const d = await this.repo.findRow(ctx.db, input.id, { lock: true });
      if (!d) throw new NotFound('Package was not found.');
      if (!input.organization_id) throw new ValidationError({ organization_id: ['Missing value'] });
      const org = await this.groups.find(ctx.db, input.organization_id, true);
      if (!org || org.state !== 'active') throw new NotFound('Organization was not found.');
      if (org.id !== d.owner_org) await ctx.withIgnoreAuth().call('package_patch', { id: d.id, owner_org: org.id });
      return null;
    },
  });

  readonly packageResourceReorder = defineAction({
    name: 'package_resource_reorder',
    help: `Reorder the resources of a dataset. Params: id (id or name of the dataset), order (list of resource ids).
The resources named come first, in that order; the others follow in their current order. Returns {id, order} (order: every resource id).
Who may call: as package_update.`,
    sideEffectFree: false,
    anonymous: false,
    input: PackageResourceReorderInput,
    auth: async (ctx, input) =>
      authPackageUpdate(ctx, this.authz, this.visibility, this.groups, this.repo, await loadDataset(ctx, this.repo, input.id, 'Package was not found.')),
    handler: async (ctx, input) => {
      const d = await this.repo.findRow(ctx.db, input.id, { lock: true });
      if (!d) throw new NotFound('Package was not found.');
      const inner = ctx.withIgnoreAuth();
      const current = await inner.call<PackageDict>('package_show', { id: d.id });
      const rest = [...current.resources];
      const ordered: typeof rest = [];
      for (const rid of input.order) {
        const i = rest.findIndex((r) => r.id === rid);
        // CKAN's message, a string rather than a list
        if (i < 0) throw new ValidationError({ order: `resource_id ${rid} can not be found` });
        ordered.push(...rest.splice(i, 1));
      }
      const resources = [...ordered, ...rest];
      if (resources.some((r, i) => r.id !== current.resources[i].id)) await inner.call('package_patch', { id: d.id, resources });
      return { id: input.id, order: resources.map((r) => r.id) };
    },
  });

  all = (): AnyAction[] => [this.bulkUpdatePrivate, this.bulkUpdatePublic, this.bulkUpdateDelete, this.packageOwnerOrgUpdate, this.packageResourceReorder];
}
