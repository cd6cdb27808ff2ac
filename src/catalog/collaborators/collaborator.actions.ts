import { Injectable } from '@nestjs/common';
import { ActionProvider, AnyAction, defineAction } from '../../api/action';
import type { ActionContext } from '../../api/action-context';
import { NotAuthorized, NotFound, ValidationError } from '../../api/errors';
import { Authz } from '../../auth/authz';
import { Collaborations } from '../../auth/collaborations';
import { UserRepository, UserRow } from '../../auth/user.repository';
import { loadDataset } from '../datasets/dataset.auth';
import { DatasetRepository, DatasetRow } from '../datasets/dataset.repository';
import { authCollaboratorCreate, authCollaboratorDelete, authCollaboratorList, authCollaboratorListForUser } from './collaborator.auth';
import {
  CollaboratorCreateInput, CollaboratorDeleteInput, CollaboratorDict, CollaboratorListInput, toCollaborationDict, toCollaboratorDict,
} from './collaborator.dto';
import { CollaboratorRepository } from './collaborator.repository';

const NOT_ENABLED = 'Dataset collaborators not enabled';
const WHO_MANAGES = `Who may call: sysadmins, admins of the dataset's organization and, with AUTH_ALLOW_ADMIN_COLLABORATORS=true, the
dataset's admin collaborators. Answers 409 "${NOT_ENABLED}" while AUTH_ALLOW_DATASET_COLLABORATORS=false.`;

/**
 * CKAN 2.9's dataset collaborators: package_collaborator_create, package_collaborator_delete, package_collaborator_list,
 * package_collaborator_list_for_user. What a collaborator may do is decided in src/auth/visibility.ts (read: any
 * capacity; edit: editor, admin) and src/catalog/collaborators/collaborator.auth.ts (manage: admin).
 */
@Injectable()
export class CollaboratorActions implements ActionProvider {
  constructor(
    private readonly collaborators: CollaboratorRepository,
    private readonly collaborations: Collaborations,
    private readonly datasets: DatasetRepository,
    private readonly users: UserRepository,
    private readonly authz: Authz,
  ) {}

  private checkEnabled(): void {
    if (!this.collaborations.enabled) throw new ValidationError({ message: NOT_ENABLED });
  }

  /** get_collaborator_capacities, worded as each CKAN action words it. */
  private checkCapacity(capacity: string | undefined, word: 'Role' | 'Capacity'): void {
    const allowed = this.collaborations.capacities();
    if (capacity !== undefined && !(allowed as string[]).includes(capacity)) {
      throw new ValidationError({ message: `${word} must be one of "${allowed.join(', ')}"` });
    }
  }

  /** The user a collaborator call names. CKAN compat: CKAN finds deleted users too; a deleted user cannot be added here. */
  private async user(ctx: ActionContext, idOrName: string): Promise<UserRow> {
    const user = await this.users.find(ctx.db, idOrName);
    if (!user || user.state === 'deleted') throw new NotFound('User not found');
    return user;
  }

  /** The dataset, locked for the write so a concurrent purge waits (or has happened: then 404). */
  private async locked(ctx: ActionContext, d: DatasetRow, notFound: string): Promise<DatasetRow> {
    const row = await this.datasets.findRow(ctx.db, d.id, { lock: true });
    if (!row) throw new NotFound(notFound);
    return row;
  }

  readonly collaboratorCreate = defineAction({
    name: 'package_collaborator_create',
    help: `Make a user a collaborator on a dataset, or change the capacity of one who is already.

Params: id (id or name of the dataset), user_id (id or name of the user), capacity ("editor" or "member"; also "admin"
with AUTH_ALLOW_ADMIN_COLLABORATORS=true). Members read the dataset (also private or draft), editors and admins edit it
too (package_update, package_patch, package_delete, resources), admins manage its collaborators.
Returns {package_id, user_id, capacity, modified}. ${WHO_MANAGES}`,
    sideEffectFree: false,
    anonymous: false,
    input: CollaboratorCreateInput,
    auth: async (ctx, input) => {
      this.checkCapacity(input.capacity, 'Role');
      return authCollaboratorCreate(ctx, this.authz, this.collaborations, await loadDataset(ctx, this.datasets, input.id));
    },
    handler: async (ctx, input): Promise<CollaboratorDict> => {
      this.checkCapacity(input.capacity, 'Role');
      const d = await loadDataset(ctx, this.datasets, input.id);
      const user = await this.user(ctx, input.user_id);
      this.checkEnabled();
      await this.locked(ctx, d, 'Dataset not found');
      return toCollaboratorDict(await this.collaborators.upsert(ctx.db, d.id, user.id, input.capacity));
    },
  });

  readonly collaboratorDelete = defineAction({
    name: 'package_collaborator_delete',
    help: `Remove a collaborator from a dataset; they lose its rights with the next request.

Params: id (id or name of the dataset), user_id (id or name of the user). Returns null; 404 when the user is not a
collaborator on the dataset. ${WHO_MANAGES}`,
    sideEffectFree: false,
    anonymous: false,
    input: CollaboratorDeleteInput,
    auth: async (ctx, input) => authCollaboratorDelete(ctx, this.authz, this.collaborations, await loadDataset(ctx, this.datasets, input.id, 'Package not found')),
    handler: async (ctx, input) => {
      this.checkEnabled();
      const d = await this.locked(ctx, await loadDataset(ctx, this.datasets, input.id, 'Package not found'), 'Package not found');
      const user = await this.user(ctx, input.user_id);
      if (!(await this.collaborators.remove(ctx.db, d.id, user.id))) throw new NotFound(`User ${input.user_id} is not a collaborator on this package`);
      return null;
    },
  });

  readonly collaboratorList = defineAction({
    name: 'package_collaborator_list',
    help: `The collaborators of a dataset. Params: id (id or name of the dataset), capacity (optional: only those with this
capacity). Returns a list of {package_id, user_id, capacity, modified}, oldest first. ${WHO_MANAGES}`,
    sideEffectFree: true,
    anonymous: false,
    input: CollaboratorListInput,
    auth: async (ctx, input) => authCollaboratorList(ctx, this.authz, this.collaborations, await loadDataset(ctx, this.datasets, input.id, 'Package not found')),
    handler: async (ctx, input): Promise<CollaboratorDict[]> => {
      const d = await loadDataset(ctx, this.datasets, input.id, 'Package not found');
      this.checkEnabled();
      this.checkCapacity(input.capacity, 'Capacity');
      return (await this.collaborators.ofDataset(ctx.db, d.id, input.capacity)).map(toCollaboratorDict);
    },
  });

  readonly collaboratorListForUser = defineAction({
    name: 'package_collaborator_list_for_user',
    help: `The datasets a user collaborates on. Params: id (id or name of the user), capacity (optional: only those where the
user has this capacity). Returns a list of {package_id, capacity, modified}, oldest first. Who may call: the user
themselves and sysadmins. Answers 409 "${NOT_ENABLED}" while AUTH_ALLOW_DATASET_COLLABORATORS=false.`,
    sideEffectFree: true,
    anonymous: false,
    input: CollaboratorListInput,
    auth: async (ctx, input) => {
      this.checkEnabled();
      return authCollaboratorListForUser(ctx, input.id);
    },
    handler: async (ctx, input) => {
      this.checkEnabled();
      const user = await this.users.find(ctx.db, input.id);
      // As CKAN: an unknown user is refused, not "not found", so the action does not tell which names exist.
      if (!user) throw new NotAuthorized('Not allowed to retrieve collaborators');
      this.checkCapacity(input.capacity, 'Capacity');
      return (await this.collaborators.ofUser(ctx.db, user.id, input.capacity)).map(toCollaborationDict);
    },
  });

  all = (): AnyAction[] => [this.collaboratorCreate, this.collaboratorDelete, this.collaboratorList, this.collaboratorListForUser];
}
