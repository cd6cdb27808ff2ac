import { Injectable } from '@nestjs/common';
import { ActionProvider, allow, AnyAction, AuthResult, defineAction, deny } from '../../api/action';
import type { ActionContext } from '../../api/action-context';
import { NotFound, ValidationError } from '../../api/errors';
import { Visibility } from '../../auth/visibility';
import { DatasetChanges } from '../datasets/dataset-changes';
import { loadDataset, visibilityOf } from '../datasets/dataset.auth';
import { DatasetRepository, DatasetRow } from '../datasets/dataset.repository';
import { GroupRepository, GroupRow } from '../organizations/group.repository';
import { DatasetShareCreateInput, DatasetShareDeleteInput, DatasetShareDict, DatasetShareListInput, toShareDict } from './dataset-share.dto';
import { DatasetShareRepository } from './dataset-share.repository';

const who = (ctx: ActionContext): string => ctx.user?.name ?? '';

/**
 * dataset_share_create, dataset_share_delete, dataset_share_list (issue 14; CKAN has no such actions). A share lets the
 * members of another organization read a dataset whose access_level is 'shared', and with capacity 'edit' its editors
 * and admins edit it (not delete it, nor change its access level, organization or shares). Who may read and edit
 * follows from src/auth/visibility.ts; a share changes the dataset's search document, so search follows at once.
 */
@Injectable()
export class DatasetShareActions implements ActionProvider {
  constructor(
    private readonly shares: DatasetShareRepository,
    private readonly datasets: DatasetRepository,
    private readonly groups: GroupRepository,
    private readonly visibility: Visibility,
    private readonly changes: DatasetChanges,
  ) {}

  /** Only the owning organization's editors and admins (and sysadmins) decide whom a dataset is shared with. */
  private async mayShare(ctx: ActionContext, id: string): Promise<AuthResult> {
    const d = await loadDataset(ctx, this.datasets, id, 'Dataset not found');
    return (await this.visibility.canEditAsOwner(ctx, visibilityOf(d))) ? allow() : deny(`User ${who(ctx)} not authorized to share package ${d.id}`);
  }

  private async organization(ctx: ActionContext, ref: string): Promise<GroupRow> {
    const org = await this.groups.find(ctx.db, ref, true);
    if (!org || org.state !== 'active') throw new NotFound('Organization not found');
    return org;
  }

  private async dataset(ctx: ActionContext, ref: string): Promise<DatasetRow> {
    const d = await this.datasets.findRow(ctx.db, ref, { lock: true });
    if (!d) throw new NotFound('Dataset not found');
    return d;
  }

  private async list(ctx: ActionContext, packageId: string): Promise<DatasetShareDict[]> {
    return (await this.shares.list(ctx.db, packageId)).map(toShareDict);
  }

  readonly shareCreate = defineAction({
    name: 'dataset_share_create',
    help: `Share a dataset with another organization of the platform, or change the capacity of its share.
Params: id (id or name of the dataset), organization_id (id or name of the organization), capacity ("read", the default, or "edit").
While the dataset's access_level is "shared", the organization's members read it; with "edit" its editors and admins also
edit it (not delete it, nor change its access level, organization or shares). Returns the share
{package_id, organization_id, organization_name, organization_title, capacity, created, created_by}.
Who may call: editors and admins of the dataset's own organization, sysadmins.`,
    sideEffectFree: false,
    anonymous: false,
    input: DatasetShareCreateInput,
    auth: (ctx, input) => this.mayShare(ctx, input.id),
    handler: async (ctx, input) => {
      const d = await this.dataset(ctx, input.id);
      const org = await this.organization(ctx, input.organization_id);
      if (org.id === d.owner_org) throw new ValidationError({ organization_id: ['A dataset cannot be shared with its own organization'] });
      await this.shares.upsert(ctx.db, d.id, org.id, input.capacity ?? 'read', ctx.user?.id ?? null);
      await this.changes.changed(ctx, d.id);
      return (await this.list(ctx, d.id)).find((s) => s.organization_id === org.id);
    },
  });

  readonly shareDelete = defineAction({
    name: 'dataset_share_delete',
    help: `Stop sharing a dataset with an organization. Params: id (id or name of the dataset), organization_id (id or name).
Returns null. Who may call: editors and admins of the dataset's own organization, sysadmins.`,
    sideEffectFree: false,
    anonymous: false,
    input: DatasetShareDeleteInput,
    auth: (ctx, input) => this.mayShare(ctx, input.id),
    handler: async (ctx, input) => {
      const d = await this.dataset(ctx, input.id);
      const org = await this.organization(ctx, input.organization_id);
      if (!(await this.shares.delete(ctx.db, d.id, org.id))) throw new NotFound(`Dataset ${d.name} is not shared with organization ${org.name}`);
      await this.changes.changed(ctx, d.id);
      return null;
    },
  });

  readonly shareList = defineAction({
    name: 'dataset_share_list',
    help: `The organizations a dataset is shared with. Params: id (id or name of the dataset). Returns a list of shares
{package_id, organization_id, organization_name, organization_title, capacity, created, created_by}, by organization name.
Who may call: whoever may read the dataset.`,
    sideEffectFree: true,
    anonymous: true,
    input: DatasetShareListInput,
    auth: async (ctx, input) => {
      const d = await loadDataset(ctx, this.datasets, input.id, 'Dataset not found');
      return (await this.visibility.canRead(ctx, visibilityOf(d))) ? allow() : deny(`User ${who(ctx)} not authorized to read package ${d.id}`);
    },
    handler: async (ctx, input) => {
      const d = await this.datasets.findRow(ctx.db, input.id);
      if (!d) throw new NotFound('Dataset not found');
      return this.list(ctx, d.id);
    },
  });

  all = (): AnyAction[] => [this.shareCreate, this.shareDelete, this.shareList];
}
