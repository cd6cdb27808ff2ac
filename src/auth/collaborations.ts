import { Inject, Injectable } from '@nestjs/common';
import type { ActionContext } from '../api/action-context';
import { APP_CONFIG, AppConfig } from '../config/env';
import { MembershipRepository } from './membership.repository';

/** A collaborator's capacity on one dataset (CKAN 2.9's package_member.capacity). */
export type CollaboratorCapacity = 'admin' | 'editor' | 'member';

/** Capacities that edit the dataset (CKAN's package_update checks ['admin', 'editor']). */
const EDITING: readonly string[] = ['admin', 'editor'];

/**
 * Dataset collaborators as the permission rules need them (ckan/authz.py user_is_collaborator_on_dataset,
 * get_collaborator_capacities and the ckan.auth.allow_*_collaborators switches). The package_member table belongs to
 * src/catalog/collaborators; MembershipRepository reads it for the rules, as it reads `member`.
 */
@Injectable()
export class Collaborations {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig, private readonly roles: MembershipRepository) {}

  /** AUTH_ALLOW_DATASET_COLLABORATORS: off, collaborators neither read nor edit and the actions answer 409. */
  get enabled(): boolean {
    return this.config.AUTH_ALLOW_DATASET_COLLABORATORS;
  }

  /** get_collaborator_capacities: "admin" only with AUTH_ALLOW_ADMIN_COLLABORATORS. */
  capacities(): CollaboratorCapacity[] {
    return this.config.AUTH_ALLOW_ADMIN_COLLABORATORS ? ['admin', 'editor', 'member'] : ['editor', 'member'];
  }

  /**
   * The caller's capacity by dataset id, once per action run; empty while collaborators are off. An API token
   * restricted to an organization brings only the collaborations on that organization's datasets.
   */
  of(ctx: ActionContext): Promise<Map<string, string>> {
    const user = ctx.user;
    if (!user || !this.enabled) return Promise.resolve(new Map());
    const org = user.token?.organizationId ?? undefined;
    return ctx.memo(`collaborations:${user.id}:${org ?? ''}`, () => this.roles.collaborationsOf(ctx.db, user.id, org));
  }

  /** Ids of the datasets the caller collaborates on in any capacity (CKAN's collaborator-<dataset id> labels). */
  async readableIds(ctx: ActionContext): Promise<string[]> {
    return [...(await this.of(ctx)).keys()];
  }

  /** Ids of the datasets the caller may edit as a collaborator (editor, admin). */
  async editableIds(ctx: ActionContext): Promise<string[]> {
    return [...(await this.of(ctx))].filter(([, cap]) => EDITING.includes(cap)).map(([id]) => id);
  }

  /** Whether the caller collaborates on the dataset in one of `capacities` (any, when none are given). */
  async is(ctx: ActionContext, datasetId: string, capacities?: readonly string[]): Promise<boolean> {
    const cap = (await this.of(ctx)).get(datasetId);
    return cap !== undefined && (!capacities || capacities.includes(cap));
  }

  /**
   * An admin collaborator manages the dataset's collaborators. CKAN compat: CKAN lets an admin collaborator do so even
   * after ckan.auth.allow_admin_collaborators was turned off; here turning it off takes the right away.
   */
  async managesCollaborators(ctx: ActionContext, datasetId: string): Promise<boolean> {
    return this.config.AUTH_ALLOW_ADMIN_COLLABORATORS && (await this.is(ctx, datasetId, ['admin']));
  }

  /** Whether an editor collaborator may move the dataset to another organization (AUTH_ALLOW_COLLABORATORS_TO_CHANGE_OWNER_ORG). */
  get collaboratorsMoveDatasets(): boolean {
    return this.config.AUTH_ALLOW_COLLABORATORS_TO_CHANGE_OWNER_ORG;
  }
}
