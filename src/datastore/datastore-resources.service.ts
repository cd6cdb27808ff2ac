import { Injectable } from '@nestjs/common';
import { allow, AuthResult, deny } from '../api/action';
import type { ActionContext } from '../api/action-context';
import { NotFound, ValidationError } from '../api/errors';
import { Visibility } from '../auth/visibility';
import { DatasetDicts } from '../catalog/datasets/dataset-dicts.service';

/** What the DataStore needs of a resource: its id, dataset, url_type and flag (from resource_show). */
export interface ResourceRef {
  id: string;
  package_id: string;
  url_type?: string | null;
  datastore_active?: unknown;
}

/** url_types a DataStore write needs no `force` for (CKAN's datastore_rw_resource_url_types). */
const RW_URL_TYPES = ['datastore'];

const READ_ONLY_MESSAGE =
  'Cannot edit read-only resource because changes made may be lost. Use a resource created for editing e.g. with datastore_create or use "force=True" to ignore this warning.';

/**
 * The catalog as the DataStore sees it, through its actions and exported services only: which resource and dataset a
 * table belongs to, whether the caller may read or edit that dataset (src/auth/visibility.ts, the one rule), and the
 * resource's `datastore_active` flag.
 */
@Injectable()
export class DatastoreResources {
  constructor(private readonly visibility: Visibility, private readonly dicts: DatasetDicts) {}

  /** The resource by id (resource_show as the site, so the caller's rights are judged below, on its dataset). Unknown → undefined. */
  find(ctx: ActionContext, id: string): Promise<ResourceRef | undefined> {
    return ctx.memo(`datastore-resource:${id}`, async () => {
      try {
        return await ctx.withIgnoreAuth().call<ResourceRef>('resource_show', { id });
      } catch (err) {
        if (err instanceof NotFound) return undefined;
        throw err;
      }
    });
  }

  /** The resource, or 404 as CKAN's resource_show says it. */
  async get(ctx: ActionContext, id: string): Promise<ResourceRef> {
    const r = await this.find(ctx, id);
    if (!r) throw new NotFound('Resource was not found.');
    return r;
  }

  private async access(ctx: ActionContext, packageId: string) {
    const d = await this.dicts.get(ctx, packageId);
    if (!d) throw new NotFound('Dataset not found');
    return d.visibility;
  }

  /** datastore_auth with resource_show: the right to read the resource's dataset. */
  async mayRead(ctx: ActionContext, resourceId: string): Promise<AuthResult> {
    const r = await this.get(ctx, resourceId);
    return (await this.visibility.canRead(ctx, await this.access(ctx, r.package_id)))
      ? allow()
      : deny(`User ${ctx.user?.name ?? ''} not authorized to read resource ${resourceId}`);
  }

  /** datastore_auth with resource_update (package_update for a new resource): the right to edit the dataset. */
  async mayEdit(ctx: ActionContext, packageId: string, what: string): Promise<AuthResult> {
    return (await this.visibility.canEdit(ctx, await this.access(ctx, packageId)))
      ? allow()
      : deny(`User ${ctx.user?.name ?? ''} not authorized to update resource ${what}`);
  }

  /** The dataset's id for a dataset id or name (package_show as the site). */
  async datasetId(ctx: ActionContext, idOrName: string): Promise<string> {
    const d = await this.dicts.get(ctx, idOrName);
    if (!d) throw new NotFound('Dataset not found');
    return d.id;
  }

  /** _check_read_only: only DataStore resources are written without `force`. */
  checkReadOnly(r: ResourceRef): void {
    if (!RW_URL_TYPES.includes(r.url_type ?? '')) throw new ValidationError({ 'read-only': [READ_ONLY_MESSAGE] });
  }

  /** set_datastore_active_flag, through resource_patch in the action's transaction (nothing else of the resource changes). */
  async setActive(ctx: ActionContext, r: ResourceRef, active: boolean): Promise<void> {
    if (r.datastore_active === active) return;
    await ctx.withIgnoreAuth().call('resource_patch', { id: r.id, datastore_active: active, dcat_validation: 'off' });
  }

  /** xloader's set_url_type after a load: url_type `datapusher` and the URL of the DataStore dump (stored, as the catalog shows what it holds). */
  async pointAtDump(ctx: ActionContext, resourceId: string, dumpUrl: string): Promise<void> {
    await ctx.withIgnoreAuth().call('resource_patch', { id: resourceId, url_type: 'datapusher', url: dumpUrl, dcat_validation: 'off' });
  }

  /** The ids of a dataset's resources, or undefined when the dataset is gone or deleted (its tables go with it). */
  async liveResourceIds(ctx: ActionContext, packageId: string): Promise<Set<string> | undefined> {
    const d = await this.dicts.get(ctx, packageId);
    if (!d || d.visibility.state === 'deleted') return undefined;
    const dict = JSON.parse(d.utf8.toString('utf8')) as { resources?: { id: string }[] };
    return new Set((dict.resources ?? []).map((r) => r.id));
  }
}
